// The checklist on the page: reads and writes the form, keeps the share link in the URL fragment,
// and asks the worker (Python, in Pyodide) for a result. All words shown come from the page,
// rendered at build time; the worker returns ids. Nothing from the URL is ever parsed as HTML.

// Loading gives up on a stall, not on total time: on a slow link the runtime (13 MB from a host
// that does not compress) takes minutes, and that is fine while bytes arrive. STALL_MS without a
// byte, while files are still arriving: long enough to ride out a phone's hand-over between cells
// or a few TCP retransmissions (their timeouts double from 1 s: 1+2+4+8+16 s), short enough that
// a reader is not left watching a frozen bar; the worker keeps what arrived, and "Try again"
// fetches only the rest. QUIET_MS without any word from the worker once nothing is arriving
// (the interpreter starting: seconds, on the slowest devices tens of seconds).
// A test may shorten the stall: window.__checklistStallSeconds, set before this module runs.
const STALL_MS = (Number(window.__checklistStallSeconds) || 30) * 1000;
const QUIET_MS = 90_000;
const SNAPSHOT_CACHE = "checklist-engine-snapshots"; // the worker reads it (checklist-worker.mjs)
const REQUEST_TIMEOUT_MS = 15_000;

// --- the engine: one worker per browsing session, reused across instant navigation -----------

class Engine {
  constructor() {
    this.worker = null;
    this.ready = null;
    this.pending = new Map();
    this.nextId = 1;
    this.listeners = new Set();
    this.stage = null; // the latest loading stage, for a page that binds after the start
    this.bytes = null; // {received, total, pending}: the engine's files so far
    this.watchdog = null;
    this.stalled = false;
  }

  listen(listener) {
    this.listeners.add(listener);
    if (this.stage) listener(this.stalled ? "stalled" : this.stage, this.bytes);
  }

  // Called on every word from the worker while it loads: gives up on silence, not on total time.
  watch() {
    clearTimeout(this.watchdog);
    const init = this.pending.get(this.initId);
    if (!init) return;
    const arriving = !this.bytes || this.bytes.pending > 0;
    this.watchdog = setTimeout(() => {
      if (arriving) {
        this.stalled = true; // the worker keeps receiving if bytes come again; `resume` asks for the rest
        this.listeners.forEach((listener) => listener("stalled", this.bytes));
      } else {
        this.pending.delete(init.id);
        init.reject(Object.assign(new Error(`no answer for ${QUIET_MS / 1000} s`), { kind: "timeout" }));
      }
    }, arriving ? STALL_MS : QUIET_MS);
  }

  // After a stall: asks the worker to fetch the rest of what stopped arriving. False when there
  // is no such transfer (then only a new worker helps).
  async resume() {
    if (!this.worker || !this.stalled) return false;
    this.stalled = false;
    this.watch();
    try {
      const { resumed } = await this.request("resume", {});
      return resumed > 0;
    } catch {
      return false;
    }
  }

  start({ worker, runtime, wheel, stdlib, snapshot, checklist }) {
    if (this.ready) return this.ready;
    // The page's inline starter may have created the worker and sent `init` (id 0) already.
    const early = window.__checklistEarly;
    if (early?.messages && early.worker) {
      this.worker = early.worker;
      this.attach();
      this.initId = 0;
      this.ready = this.expect(0, null);
      const [messages, errors] = [early.messages, early.errors];
      early.messages = early.errors = early.worker = null;
      messages.forEach((message) => this.receive(message));
      errors.forEach((message) => this.fail(new Error(message)));
    } else {
      this.worker = new Worker(worker, { type: "module" });
      this.attach();
      this.initId = this.nextId;
      this.ready = this.request("init", { runtime, wheel, stdlib, snapshot, checklist }, null);
    }
    this.watch();
    this.ready.then(() => clearTimeout(this.watchdog), () => this.stop());
    return this.ready;
  }

  attach() {
    this.worker.addEventListener("message", ({ data }) => this.receive(data));
    this.worker.addEventListener("error", (event) => {
      event.preventDefault();
      this.fail(new Error(event.message || "the worker could not start"));
    });
  }

  stop() {
    this.stage = this.bytes = null;
    this.stalled = false;
    clearTimeout(this.watchdog);
    this.fail(new Error("the engine was stopped"));
    this.worker?.terminate();
    this.worker = null;
    this.ready = null;
  }

  request(type, payload, timeout = REQUEST_TIMEOUT_MS, timeoutKind = "timeout") {
    const id = this.nextId++;
    const answer = this.expect(id, timeout, timeoutKind);
    this.worker.postMessage({ type, id, ...payload });
    return answer;
  }

  // A promise of the reply to request `id`, rejected after `timeout` ms (null: no time limit).
  expect(id, timeout, timeoutKind) {
    return new Promise((resolve, reject) => {
      const timer = timeout === null ? null : setTimeout(() => {
        this.pending.delete(id);
        reject(Object.assign(new Error(`no answer after ${timeout / 1000} s`), { kind: timeoutKind }));
      }, timeout);
      this.pending.set(id, { id, resolve, reject, timer });
    });
  }

  receive(message) {
    if (message.type === "progress") {
      this.stage = message.stage;
      if (message.received !== undefined) this.bytes = { received: message.received, total: message.total, pending: message.pending };
      this.stalled = false;
      this.watch();
      this.listeners.forEach((listener) => listener(message.stage, this.bytes));
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    clearTimeout(entry.timer);
    if (message.type === "error") entry.reject(Object.assign(new Error(message.error.message), { python: message.error.name }));
    else entry.resolve(message.result);
  }

  fail(error) {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.pending.clear();
  }
}

const engine = new Engine();

// --- the snapshot: a warm engine's memory, made at build time, kept for the next visit ---------

let snapshotKept = false;

// At idle after a first visit, put the engine's snapshot into Cache Storage (and drop older
// ones), so that the next visit restores it instead of starting the interpreter. Not when the
// reader asked to save data; silently not where Cache Storage is missing (plain http hosts).
function keepSnapshot(url) {
  if (snapshotKept || !self.caches || navigator.connection?.saveData) return;
  snapshotKept = true;
  const keep = async () => {
    const cache = await caches.open(SNAPSHOT_CACHE);
    if (!(await cache.match(url))) {
      await cache.add(url);
      const { good } = await engine.request("check-snapshot", { url }, null); // the worker removes a damaged one
      document.documentElement.dataset.checklistSnapshot = good ? "kept" : "refused"; // for tests
    }
    for (const request of await cache.keys()) if (request.url !== url) await cache.delete(request);
  };
  (self.requestIdleCallback ?? setTimeout)(() => keep().catch(() => (snapshotKept = false)));
}

// --- the share link: the page's own URL, its fragment holds the answers ---------------------

function readFragment() {
  // Pairs as strings; which of them are valid is decided by the form's inputs (and by Python).
  const pairs = [];
  for (const part of location.hash.replace(/^#/, "").split(/[&;]/)) {
    const at = part.indexOf("=");
    if (at < 1) continue;
    try {
      pairs.push([decodeURIComponent(part.slice(0, at)), decodeURIComponent(part.slice(at + 1))]);
    } catch {
      // broken percent-encoding: left for Python to report
    }
  }
  return pairs;
}

// The share link for these answers: this page's URL with the answers in its fragment.
function shareLink(answers) {
  const fragment = Object.entries(answers)
    .map(([question, option]) => `${encodeURIComponent(question)}=${encodeURIComponent(option)}`)
    .join("&");
  const url = new URL(location.href);
  url.hash = fragment;
  return url.href;
}

// The address bar follows the answers within ADDRESS_DELAY_MS: each history.replaceState is work
// for the whole browser (measured: 1-3 ms in the page, and a rendering frame when run in one),
// and Chromium ignores bursts of them, so the answers given meanwhile are written once. The link
// shown in the page and the copy buttons use the new link at once.
const ADDRESS_DELAY_MS = 100;
let addressWanted = null; // {href, page}

function writeAddress(href) {
  if (addressWanted === null) setTimeout(flushAddress, ADDRESS_DELAY_MS);
  addressWanted = { href, page: location.pathname };
}

function flushAddress() {
  const wanted = addressWanted;
  addressWanted = null;
  if (wanted && location.pathname === wanted.page && wanted.href !== location.href) {
    history.replaceState(history.state, "", wanted.href);
  }
}

// At once when the reader leaves the tab or the page (a hidden tab's timers run late).
addEventListener("pagehide", flushAddress);
document.addEventListener("visibilitychange", flushAddress);

// --- one checklist on the page ---------------------------------------------------------------

// Set a property only when its value differs (an unchanged DOM needs no new style or layout).
function update(target, key, value) {
  if (target[key] !== value) target[key] = value;
}

function show(element, shown) {
  update(element, "hidden", !shown);
}

// Where the engine's files are: the page holds their URLs, relative to itself.
function engineOptions(root) {
  const url = (name) => new URL(root.dataset[name], document.baseURI).href;
  return { worker: url("worker"), runtime: url("runtime"), wheel: url("wheel"), stdlib: url("stdlib"), snapshot: url("snapshot"), checklist: root.dataset.checklist };
}

class Checklist {
  constructor(root) {
    this.root = root;
    this.id = root.dataset.checklist;
    this.form = root.querySelector("[data-form]");
    this.status = root.querySelector("[data-status]");
    this.sequence = 0;
  }

  $(selector) {
    return this.root.querySelector(selector);
  }

  message(key) {
    return this.$(`[data-message="${key}"]`)?.textContent ?? "";
  }

  // answers in question order, from the form
  answers() {
    const answers = {};
    for (const fieldset of this.form.querySelectorAll("[data-question]")) {
      const checked = fieldset.querySelector("input[type=radio]:checked");
      if (checked) answers[checked.name] = checked.value;
    }
    return answers;
  }

  setAnswers(answers) {
    for (const input of this.form.querySelectorAll("input[type=radio]")) {
      input.checked = Object.hasOwn(answers, input.name) && answers[input.name] === input.value;
    }
  }

  bind() {
    this.root.dataset.bound = "";
    this.openedWith = location.hash; // decoded (and its problems reported) once the engine is up
    const fromLink = Object.fromEntries(readFragment().reverse()); // first of repeated parts wins
    this.setAnswers(fromLink);
    this.form.addEventListener("change", () => this.changed());
    this.root.addEventListener("click", (event) => this.clicked(event));
    this.updateLink();
    this.load();
  }

  async load() {
    const attempt = (this.attempt = (this.attempt ?? 0) + 1); // a retry's load supersedes this one
    this.setState("loading");
    this.$("[data-alert]").hidden = true;
    const progress = (stage, bytes) => {
      if (attempt !== this.attempt) return;
      if (stage === "stalled") return this.showError("error-stalled");
      if (this.root.dataset.state === "error") this.resumed(); // bytes arrive again
      this.showProgress(stage, bytes);
    };
    engine.listen(progress);
    try {
      const started = await engine.start(engineOptions(this.root));
      if (attempt !== this.attempt) return;
      this.root.dataset.boot = started.boot;
      if (started.restoreProblem) this.root.dataset.restoreProblem = started.restoreProblem; // why not "snapshot"
      this.root.dataset.timings = JSON.stringify(started.timings);
      if (!this.root.isConnected) return;
      const decoded = await engine.request("decode", { checklist: this.id, link: this.openedWith });
      this.showDropped(decoded.dropped);
      if (Object.keys(this.answers()).length === 0 || decoded.dropped.length) this.setAnswers({ ...decoded.answers, ...this.answers() });
      this.setState("ready");
      this.$("[data-loading]").classList.add("checklist__loading--done");
      this.status.textContent = this.message("ready");
      await this.evaluate();
      keepSnapshot(engineOptions(this.root).snapshot);
    } catch (error) {
      if (attempt === this.attempt) this.showError(error.kind === "timeout" ? "error-timeout" : "error-load", error);
    } finally {
      engine.listeners.delete(progress);
    }
  }

  // The bar moves with the bytes of the engine's files while they arrive (when the host announces
  // their size), then a step per stage. The live status region changes only with the stage (a
  // screen reader would otherwise read every count); the count is shown beside it.
  showProgress(stage, bytes) {
    const steps = ["loading-runtime", "loading-engine", "starting-engine"];
    const step = steps.indexOf(stage);
    const bar = this.$("[data-progress]");
    const fraction = step === 0 && bytes?.total ? Math.min(1, bytes.received / bytes.total) : 1;
    update(bar, "value", step + fraction);
    update(this.status, "textContent", this.message(stage));
    const counted = this.$("[data-progress-bytes]");
    if (!counted) return;
    const mb = (n) => (n / 1e6).toFixed(1);
    const text = step !== 0 || !bytes?.received ? "" : (bytes.total ? this.message("bytes-of") : this.message("bytes")).replace("{received}", mb(bytes.received)).replace("{total}", mb(bytes.total ?? 0));
    update(counted, "textContent", text);
  }

  // Bytes arrive again after a stall (by themselves, or after "Try again").
  resumed() {
    this.setState("loading");
    this.$("[data-alert]").hidden = true;
  }

  async retry() {
    if (await engine.resume()) return this.resumed(); // the worker fetches the rest of what stopped
    engine.stop();
    this.load();
  }

  changed() {
    if (this.root.dataset.state === "ready") this.evaluate(); // ask first: the worker runs while the link is written
    this.updateLink();
  }

  async evaluate() {
    const sequence = ++this.sequence;
    this.pending(+1);
    try {
      const result = await engine.request("evaluate", { checklist: this.id, answers: this.answers() });
      if (sequence === this.sequence && this.root.isConnected) this.render(result);
    } catch (error) {
      if (sequence === this.sequence) this.showError("error-evaluate", error);
    } finally {
      this.pending(-1);
    }
  }

  // How many evaluations are under way (tests and styles can wait for 0).
  pending(change) {
    this.root.dataset.pending = String(Number(this.root.dataset.pending || 0) + change);
  }

  // Shows the result by changing only what differs from what is shown: less for the browser to
  // restyle and lay out after each answer.
  render(result) {
    const { outcome, caveats, criteria, missing } = result;
    show(this.$("[data-waiting]"), false);
    show(this.$("[data-why]"), true);
    for (const el of this.root.querySelectorAll("[data-outcome]")) show(el, el.dataset.outcome === outcome);
    for (const el of this.root.querySelectorAll("[data-caveat]")) show(el, caveats.includes(el.dataset.caveat));
    for (const el of this.root.querySelectorAll("[data-criterion]")) {
      const met = criteria[el.dataset.criterion] === true;
      update(el.dataset, "met", String(met));
      show(el.querySelector("[data-mark-met]"), met);
      show(el.querySelector("[data-mark-unmet]"), !met);
    }
    for (const el of this.root.querySelectorAll("[data-missing]")) show(el, missing.includes(el.dataset.missing));
    show(this.$("[data-missing-list]"), missing.length > 0);
    show(this.$("[data-provisional]"), missing.length > 0);
    update(this.$("[data-missing-count]"), "textContent", String(missing.length));
    update(this.root.dataset, "currentOutcome", outcome);
    const title = this.$(`[data-outcome="${outcome}"] .admonition-title`)?.textContent ?? outcome;
    const provisional = missing.length ? ` (${this.message("provisional")} ${missing.length} ${this.message("unanswered")})` : "";
    update(this.status, "textContent", `${this.message("result")} ${title}${provisional}`);
  }

  updateLink() {
    this.link = shareLink(this.answers());
    writeAddress(this.link);
    const shown = this.$("[data-share-link]");
    update(shown, "href", this.link);
    update(shown, "textContent", this.link);
  }

  showDropped(dropped) {
    const notice = this.$("[data-dropped]");
    notice.hidden = dropped.length === 0;
    this.$("[data-dropped-parts]").textContent = dropped.map((d) => `“${d.part}”`).join(", ");
  }

  showError(key, error = null) {
    this.setState("error");
    const detail = error?.message ? ` (${error.python ? error.python + ": " : ""}${error.message})` : "";
    this.$("[data-alert-text]").textContent = this.message(key) + detail;
    this.$("[data-alert]").hidden = false;
    this.status.textContent = "";
  }

  setState(state) {
    this.root.dataset.state = state;
  }

  async clicked(event) {
    const target = event.target.closest("[data-action], [data-missing] a");
    if (!target) return;
    if (target.matches("[data-missing] a")) {
      // jump to the question without replacing the share link in the address bar
      event.preventDefault();
      const fieldset = this.root.querySelector(`[data-question="${target.closest("[data-missing]").dataset.missing}"]`);
      fieldset?.scrollIntoView({ block: "center" });
      fieldset?.querySelector("input")?.focus();
      return;
    }
    const action = target.dataset.action;
    if (action === "reset") {
      this.setAnswers({});
      this.showDropped([]);
      this.changed();
      this.form.querySelector("input")?.focus();
    } else if (action === "copy-link") {
      this.copy(this.link, "copied-link");
    } else if (action === "copy-text") {
      this.copy(this.summary(), "copied-text");
    } else if (action === "retry") {
      this.retry();
    }
  }

  async copy(text, doneKey) {
    const note = this.$("[data-copied]");
    try {
      await navigator.clipboard.writeText(text);
      note.textContent = this.message(doneKey);
    } catch {
      note.textContent = this.message("copy-failed");
    }
  }

  // A plain-text assessment for a decision memo: the same content as the printed page.
  summary() {
    const lines = [this.message("text-title"), "", `${this.message("text-answers")}:`];
    for (const fieldset of this.form.querySelectorAll("[data-question]")) {
      const question = fieldset.querySelector("legend").textContent.trim();
      const checked = fieldset.querySelector("input:checked");
      lines.push(`- ${question} ${checked ? checked.closest("label").textContent.trim() : `(${this.message("unanswered")})`}`);
    }
    const outcome = this.root.querySelector("[data-outcome]:not([hidden])");
    if (outcome) {
      lines.push("", `${this.message("text-outcome")}: ${outcome.querySelector(".admonition-title").textContent.trim()}`);
      const provisional = this.$("[data-provisional]");
      if (!provisional.hidden) lines.push(provisional.textContent.trim());
      const caveats = [...this.root.querySelectorAll("[data-caveat]:not([hidden]) .admonition-title")];
      if (caveats.length) lines.push("", `${this.message("text-caveats")}:`, ...caveats.map((c) => `- ${c.textContent.trim()}`));
      lines.push("", `${this.message("text-criteria")}:`);
      for (const li of this.root.querySelectorAll("[data-criterion]")) {
        const met = li.dataset.met === "true" ? this.message("text-met") : this.message("text-unmet");
        let depth = 0;
        for (let up = li.parentElement.closest("[data-criterion]"); up; up = up.parentElement.closest("[data-criterion]")) depth++;
        lines.push(`${"  ".repeat(depth)}- [${met}] ${li.querySelector("a").textContent.trim()}`);
      }
    }
    lines.push("", `${this.message("text-link")}: ${this.link}`);
    return lines.join("\n");
  }
}

// --- wiring: Material's instant navigation emits document$ after every page swap -------------

function bindAll() {
  for (const root of document.querySelectorAll("[data-checklist]:not([data-bound])")) new Checklist(root).bind();
}

// The worker's start is most of the wait: begin it as soon as this module runs, before Material's
// own start-up, and bind the form when Material is ready.
const first = document.querySelector("[data-checklist]");
if (first) engine.start(engineOptions(first)).catch(() => {}); // failures are shown once bound

if (window.document$?.subscribe) window.document$.subscribe(bindAll);
else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bindAll);
else bindAll();
