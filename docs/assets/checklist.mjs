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
  if (!url || snapshotKept || !self.caches || navigator.connection?.saveData) return; // none under `make serve` while it is made
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

// The answers of a fragment already in the canonical form this page writes (one `question=option`
// per answer, in question order, ids as they are): shown at once, before the engine is up. Any
// other fragment waits for the engine's decoding, the one set of rules that reads a link
// (decision/share.py); this is a comparison with what the page would write, not a second parser.
function canonicalAnswers(form, hash) {
  const fragment = hash.replace(/^#/, "");
  const given = new Map(fragment ? fragment.split("&").map((part) => part.split("=")) : []);
  const answers = {};
  for (const input of form.querySelectorAll("input[type=radio]")) {
    if (given.get(input.name) === input.value) answers[input.name] = input.value;
  }
  return shareFragment(answers) === fragment ? answers : null;
}

// A fragment that names an element of the page (a heading, a question, a footnote, the skip
// link's target) is navigation, not answers.
function namesAnElement(hash) {
  const raw = hash.replace(/^#/, "");
  if (!raw) return false;
  let id = raw;
  try {
    id = decodeURIComponent(raw);
  } catch {
    // broken percent-encoding: not an element's id
  }
  return document.getElementById(id) !== null || document.getElementById(raw) !== null;
}

function shareFragment(answers) {
  return Object.entries(answers)
    .map(([question, option]) => `${encodeURIComponent(question)}=${encodeURIComponent(option)}`)
    .join("&");
}

// The share link for these answers: this page's URL with the answers in its fragment.
function shareLink(answers) {
  const url = new URL(location.href);
  url.hash = shareFragment(answers);
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
  addressKnown = location.href;
}

// At once when the reader leaves the tab or the page (a hidden tab's timers run late), and before
// any navigation can leave this history entry: a link's click (capture phase, before Material's
// instant navigation handles it), and any pushState (Material's instant navigation, its `n` and
// `p` keys). Otherwise an answer given just before would be missing when the reader comes Back.
addEventListener("pagehide", flushAddress);
document.addEventListener("visibilitychange", flushAddress);
document.addEventListener("click", (event) => event.target.closest?.("a[href]") && flushAddress(), true);
const pushState = history.pushState;
history.pushState = function (...args) {
  flushAddress();
  return pushState.apply(this, args);
};

// The address this page last wrote or followed: a popstate and a hashchange of one step, or our
// own writes, are not followed twice.
let addressKnown = location.href;

// What the checklists of this page showed, kept across Material's re-rendering of the same page
// (its instant navigation may fetch and swap the page for an in-page link): checklist id ->
// canonical fragment. Cleared when another page is shown.
const carried = { path: null, fragments: new Map() };

// Material's single-key shortcuts (f, s, / search; n, p, ",", "." other pages) listen on the window:
// a key typed while focus is in the form stays in the form (arrows and Space still answer).
function keepKeysInForm(event) {
  if (event.key?.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) event.stopPropagation();
}

// --- one checklist on the page ---------------------------------------------------------------

// Set a property only when its value differs (an unchanged DOM needs no new style or layout).
function update(target, key, value) {
  if (target[key] !== value) target[key] = value;
}

function show(element, shown) {
  update(element, "hidden", !shown);
}

// A URL shown as text, with a break opportunity (<wbr>) after each "/", "#" and "&": a narrow
// screen wraps it between its parts, not inside an answer. The text stays the URL itself. An
// answer changed rewrites only its part's text: no nodes are replaced, so the browser restyles and
// lays out one text run, not the whole link (measured in make bench: the round trip's tail).
function showBreakable(element, url) {
  const parts = url.split(/(?<=[/#&])/);
  const nodes = element.childNodes;
  if (nodes.length !== 2 * parts.length - 1 || parts.some((_, i) => nodes[2 * i].nodeType !== Node.TEXT_NODE)) {
    element.replaceChildren(...parts.flatMap((part) => [part, document.createElement("wbr")]).slice(0, -1));
    return;
  }
  parts.forEach((part, i) => update(nodes[2 * i], "data", part));
}

// Where the engine's files are: the page holds their URLs, relative to itself.
function engineOptions(root) {
  const url = (name) => (root.dataset[name] ? new URL(root.dataset[name], document.baseURI).href : null); // snapshot: "" for none
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
    for (const input of this.parts().radios) if (input.checked) answers[input.name] = input.value;
    return answers;
  }

  setAnswers(answers) {
    for (const input of this.form.querySelectorAll("input[type=radio]")) {
      input.checked = Object.hasOwn(answers, input.name) && answers[input.name] === input.value;
    }
  }

  bind() {
    this.root.dataset.bound = "";
    this.touched = {}; // answers the reader gave while a link was being decoded: they win
    this.opened = null; // a link to decode (the engine's rules), or null
    this.form.addEventListener("change", (event) => {
      if (this.opened !== null && event.target.name) this.touched[event.target.name] = event.target.value;
      this.changed();
    });
    this.form.addEventListener("keydown", keepKeysInForm);
    // printed beside each guidance link: its full address (checklist.css, @media print)
    for (const link of this.root.querySelectorAll("a[data-guide]")) link.dataset.printHref = link.href;
    this.root.addEventListener("click", (event) => this.clicked(event));
    const listening = new AbortController();
    const follow = () => (this.root.isConnected ? this.followAddress() : listening.abort());
    addEventListener("popstate", follow, { signal: listening.signal });
    addEventListener("hashchange", follow, { signal: listening.signal });
    // The same page shown again by Material for an in-page link: what it showed is kept.
    const kept = carried.path === location.pathname ? carried.fragments.get(this.id) : undefined;
    this.follow(location.hash, kept ?? "");
    this.placeResult();
    this.bindWhatIf();
    this.bindCompare();
    this.load();
  }

  // The address changed (Back, Forward, an in-page link, a link opened in this tab): the form,
  // the result and the share link follow it, unless it names an element of the page.
  followAddress() {
    if (location.href === addressKnown) return;
    this.follow(location.hash, null);
    if (this.root.dataset.state === "ready" && this.opened !== null) this.decodeOpened().catch((error) => this.showError("error-evaluate", error));
  }

  // Shows what an address means. `keep`: on a new binding, the canonical fragment to show if the
  // address is navigation (null: keep the form as it is).
  follow(hash, keep) {
    addressKnown = location.href;
    if (COMPARE_MARK.test(hash)) {
      this.opened = null; // a compare link: read by bindCompare / compareStep, not as a share link
      return;
    }
    if (namesAnElement(hash)) {
      // navigation: answers, result and share link stay; the address gets them back after the
      // browser (or Material) has scrolled to the element
      if (keep !== null) this.setAnswers(canonicalAnswers(this.form, keep) ?? {});
      this.updateLink();
      return;
    }
    const answers = canonicalAnswers(this.form, hash);
    if (answers !== null) {
      this.opened = null;
      this.showDropped([]);
      this.setAnswers(answers);
      this.applied();
    } else {
      this.opened = hash; // kept in the address until the engine has read it
      this.touched = {};
      addressWanted = null; // a write still pending belonged to the entry the reader left
    }
  }

  // Reads the opened link with the engine's rules: its answers (with those the reader gave
  // meanwhile), and a notice naming every part that could not be used. An anchor keeps the form.
  async decodeOpened() {
    const link = this.opened;
    this.pending(+1);
    try {
      const decoded = await engine.request("decode", { checklist: this.id, link });
      if (link !== this.opened || !this.root.isConnected) return; // another address came meanwhile
      this.opened = null;
      if (!decoded.anchor) {
        this.showDropped(decoded.dropped);
        this.setAnswers({ ...decoded.answers, ...this.touched });
      }
      this.applied();
    } finally {
      this.pending(-1);
    }
  }

  // After the form was set from an address: the result (once ready) and the share link.
  applied() {
    if (this.root.dataset.state === "ready") this.evaluate();
    this.updateLink();
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
    this.showWorking(this.arrivedWithAnswers());
    engine.listen(progress);
    try {
      const started = await engine.start(engineOptions(this.root));
      if (attempt !== this.attempt) return;
      this.root.dataset.boot = started.boot;
      if (started.restoreProblem) this.root.dataset.restoreProblem = started.restoreProblem; // why not "snapshot"
      this.root.dataset.timings = JSON.stringify(started.timings);
      if (!this.root.isConnected) return;
      if (this.opened !== null) await this.decodeOpened();
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
    update(this.$("[data-working-progress]"), "value", step + fraction); // where the result will be
    update(this.$("[data-working-step]"), "textContent", this.message(stage));
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
    this.showWorking(this.arrivedWithAnswers());
  }

  async retry() {
    if (await engine.resume()) return this.resumed(); // the worker fetches the rest of what stopped
    engine.stop();
    this.load();
  }

  changed() {
    show(this.$("[data-undo]"), false);
    if (this.root.dataset.state === "ready") this.evaluate(); // ask first: the worker runs while the link is written
    this.updateLink();
  }

  async evaluate() {
    const sequence = ++this.sequence;
    this.pending(+1);
    try {
      const result = await engine.request("evaluate", { checklist: this.id, answers: this.answers() });
      if (sequence === this.sequence && this.root.isConnected) {
        this.render(result);
        this.whatIf(sequence);
        this.compareStep(sequence);
      }
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

  // The elements a result changes, found once (the page is built with all of them; answers only
  // show, hide and mark them): each answer then costs no selector queries.
  parts() {
    const all = (selector) => [...this.root.querySelectorAll(selector)];
    const marked = (el) => ({ el, met: el.querySelector("[data-mark-met]"), unmet: el.querySelector("[data-mark-unmet]") });
    this._parts ??= {
      waiting: this.$("[data-waiting]"), working: this.$("[data-working]"), why: this.$("[data-why]"), jumps: this.$("[data-jumps]"),
      result: this.$("[data-result]"), standing: all("[data-standing]"), reasonList: this.$(".checklist__reasons"),
      reasons: all("[data-reason]").map(marked), stillMissing: all("[data-still-missing]"), date: this.$("[data-date]"),
      dated: this.$("[data-dated]"), outcomes: all("[data-outcome]"), caveats: all("[data-caveat]"),
      criteria: all("[data-criterion]").map(marked), missing: all("[data-missing]"), tests: all("[data-test]").map(marked),
      testsBlock: this.$("[data-tests]"), missingList: this.$("[data-missing-list]"), provisional: this.$("[data-provisional]"),
      missingCount: this.$("[data-missing-count]"), radios: [...this.form.querySelectorAll("[data-question] input[type=radio]")],
    };
    return this._parts;
  }

  // Shows the result by changing only what differs from what is shown: less for the browser to
  // restyle and lay out after each answer.
  render(result) {
    const { outcome, caveats, criteria, missing } = result;
    const reasons = result.reasons ?? [];
    const parts = this.parts();
    show(parts.waiting, false);
    show(parts.working, false);
    show(parts.why, true);
    show(parts.jumps, true);
    // The result's standing: no outcome looks final while questions are open, and an outcome that
    // carries a caveat is conditional on it (issue 17, items 3 and 5).
    const verdict = missing.length ? "provisional" : caveats.length ? "conditional" : "firm";
    update(parts.result.dataset, "verdict", verdict);
    const standing = verdict === "firm" ? "" : this.message(`standing-${verdict}`);
    for (const el of parts.standing) update(el, "textContent", standing);
    const mark = ({ el, met: metMark, unmet: unmetMark }, met) => {
      update(el.dataset, "met", String(met));
      show(metMark, met);
      show(unmetMark, !met);
    };
    for (const part of parts.reasons) {
      show(part.el, reasons.includes(part.el.dataset.reason));
      mark(part, criteria[part.el.dataset.reason] === true);
    }
    // what decided the outcome leads: the reasons in the engine's order (its own rule first)
    const list = parts.reasonList;
    const order = reasons.map((id) => parts.reasons.find((part) => part.el.dataset.reason === id && part.el.parentElement === list)?.el).filter(Boolean);
    if (order.some((el, index) => list.children[index] !== el)) list.prepend(...order);
    for (const el of parts.stillMissing) show(el, criteria[el.dataset.stillMissing] !== true);
    // the date of the assessment, printed and copied with it
    const today = new Date();
    const day = today.toISOString().slice(0, 10);
    if (parts.date.dateTime !== day) {
      parts.date.dateTime = day;
      parts.date.textContent = today.toLocaleDateString(document.documentElement.lang || undefined, { year: "numeric", month: "long", day: "numeric" });
    }
    show(parts.dated, true);
    for (const el of parts.outcomes) show(el, el.dataset.outcome === outcome);
    for (const el of parts.caveats) show(el, caveats.includes(el.dataset.caveat));
    for (const part of parts.criteria) mark(part, criteria[part.el.dataset.criterion] === true);
    for (const el of parts.missing) show(el, missing.includes(el.dataset.missing));
    // the answers that the rules of the outcome and of the caveats shown test directly (without a
    // named criterion): each listed, as met or not, in the words the page was built with
    const tested = new Map([...(result.tests ?? []), ...caveats.flatMap((id) => result.caveat_reasons?.[id]?.tests ?? [])]
      .map((test) => [`${test.question}=${test.options.join(",")}`, test.met]));
    for (const part of parts.tests) {
      const listed = tested.has(part.el.dataset.test);
      show(part.el, listed);
      if (listed) mark(part, tested.get(part.el.dataset.test));
    }
    if (parts.testsBlock) show(parts.testsBlock, parts.tests.some((part) => tested.has(part.el.dataset.test)));
    show(parts.missingList, missing.length > 0);
    show(parts.provisional, missing.length > 0);
    update(parts.missingCount, "textContent", String(missing.length));
    update(this.root.dataset, "currentOutcome", outcome);
    const title = this.outcomeTitle(parts.outcomes.find((el) => el.dataset.outcome === outcome)) || outcome;
    const provisional = missing.length ? ` (${this.message("provisional")} ${missing.length} ${this.message("unanswered")})` : "";
    update(this.status, "textContent", `${this.message("result")} ${title}${provisional}`);
  }

  updateLink() {
    const answers = this.answers();
    this.link = shareLink(answers);
    carried.path = location.pathname;
    carried.fragments.set(this.id, shareFragment(answers));
    if (this.opened === null || Object.keys(this.touched).length) writeAddress(this.link); // an unread link stays until read
    const shown = this.$("[data-share-link]");
    update(shown, "href", this.link);
    if (shown.textContent !== this.link) showBreakable(shown, this.link);
  }

  showDropped(dropped) {
    const notice = this.$("[data-dropped]");
    notice.hidden = dropped.length === 0;
    this.$("[data-dropped-parts]").textContent = dropped.map((d) => `“${d.part}”`).join(", ");
  }

  showError(key, error = null) {
    this.setState("error");
    show(this.$("[data-working]"), false);
    const detail = error?.message ? ` (${error.python ? error.python + ": " : ""}${error.message})` : "";
    this.$("[data-alert-text]").textContent = this.message(key) + detail;
    this.$("[data-alert]").hidden = false;
    this.status.textContent = "";
  }

  setState(state) {
    this.root.dataset.state = state;
  }

  async clicked(event) {
    const target = event.target.closest("[data-action], [data-missing] a, [data-jump]");
    if (!target) return;
    if (target.matches("[data-jump]")) {
      // to the reasons or the answers, without replacing the share link in the address bar
      event.preventDefault();
      const place = this.root.querySelector(target.hash);
      place?.scrollIntoView({ block: "start" });
      place?.focus({ preventScroll: true });
      return;
    }
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
      this.reset();
    } else if (action === "undo") {
      this.undo();
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
      lines.push("", `${this.message("text-outcome")}: ${this.outcomeTitle(outcome)}`, ...this.explained(outcome));
      const provisional = this.$("[data-provisional]");
      if (!provisional.hidden) lines.push(provisional.textContent.trim());
      const caveats = [...this.root.querySelectorAll("[data-caveat]:not([hidden])")];
      if (caveats.length) lines.push("", `${this.message("text-caveats")}:`);
      for (const caveat of caveats) {
        lines.push(`- ${caveat.querySelector(".admonition-title").textContent.trim()}`, ...this.explained(caveat).map((line) => `  ${line}`));
      }
      lines.push("", `${this.message("text-criteria")}:`);
      for (const li of this.root.querySelectorAll("[data-criterion]")) {
        const met = li.dataset.met === "true" ? this.message("text-met") : this.message("text-unmet");
        let depth = 0;
        for (let up = li.parentElement.closest("[data-criterion]"); up; up = up.parentElement.closest("[data-criterion]")) depth++;
        lines.push(`${"  ".repeat(depth)}- [${met}] ${li.querySelector("[data-title]").textContent.trim()}`);
      }
    }
    lines.push(...this.whatIfText());
    lines.push("", `${this.message("text-link")}: ${this.link}`);
    const date = this.$("[data-date]");
    if (date.dateTime) lines.push(`${this.message("text-date")}: ${date.dateTime}`);
    return lines.join("\n");
  }

  // An outcome's title as announced and copied: "Conditional: " before it when a caveat applies;
  // a provisional result says so in its own sentence after it.
  outcomeTitle(box) {
    const heading = box?.querySelector(".admonition-title");
    if (!heading) return "";
    const title = heading.lastChild.textContent.trim();
    return this.$("[data-result]").dataset.verdict === "conditional" ? `${this.message("standing-conditional")}${title}` : title;
  }

  // An outcome's or a caveat's explanation as plain lines: its sentences, the criteria it still
  // misses, and the address of its guidance.
  explained(box) {
    const lines = [...box.querySelectorAll(":scope > p:not(.admonition-title)")]
      .filter((p) => !p.querySelector("[data-guide]"))
      .map((p) => p.textContent.trim().replace(/\s+/g, " "));
    for (const item of box.querySelectorAll("[data-still-missing]:not([hidden])")) lines.push(`- ${item.textContent.trim()}`);
    const guide = box.querySelector("a[data-guide]");
    if (guide) lines.push(`${this.message("text-guide")}: ${guide.href}`);
    return lines;
  }

  // Arriving with answers (a shared link, a reload), the reader meets the result first: the result
  // section moves above the questions, in the document's order too, so that reading, Tab and
  // the screen agree. Without answers, the questions come first.
  // Answers in the form, or a link still to be read by the engine.
  arrivedWithAnswers() {
    return Object.keys(this.answers()).length > 0 || this.opened !== null;
  }

  placeResult() {
    const result = this.$("[data-result]");
    if (!this.arrivedWithAnswers() || result.compareDocumentPosition(this.form) & Node.DOCUMENT_POSITION_FOLLOWING) return;
    this.form.before(result);
    this.root.dataset.order = "result-first";
  }

  // While the engine loads with answers waiting for it, the result area says so, with the progress.
  showWorking(working) {
    show(this.$("[data-working]"), working);
    show(this.$("[data-waiting]"), !working);
    if (working) update(this.$("[data-result]").dataset, "verdict", "working");
  }

  // Start over: clears the answers and keeps them within reach, by Undo in the notice and by Back
  // (the cleared state is a new history entry, the answers stay in the one before it).
  reset() {
    this.opened = null;
    const before = this.answers();
    flushAddress();
    this.cleared = Object.keys(before).length ? { answers: before, href: location.href } : null;
    this.setAnswers({});
    this.showDropped([]);
    if (this.cleared) {
      history.pushState(history.state, "", shareLink({}));
      const back = () => {
        if (!this.root.isConnected || location.href !== this.cleared?.href) return;
        removeEventListener("popstate", back);
        this.undo();
      };
      addEventListener("popstate", back);
    }
    this.changed();
    show(this.$("[data-undo]"), this.cleared !== null);
    this.form.querySelector("input")?.focus();
  }

  undo() {
    if (!this.cleared) return;
    this.setAnswers(this.cleared.answers);
    this.cleared = null;
    show(this.$("[data-undo]"), false);
    this.changed();
  }
}

// --- what would change the result (issue 14) ----------------------------------------------------
// After each outcome, the worker works out the smallest changes of answers that give each other
// outcome (ids only); this fills [data-what-if-items] with one [data-what-if=OUTCOME][data-changes=N]
// per other outcome, holding one [data-change="QUESTION=OPTION"] per change in one of its smallest
// sets, worded with the phrases rendered at build time ([data-what-if-words]).

const WHAT_IF_TIMEOUT_MS = 60_000;
// Asked for once the answers have rested this long (8 ms: longer than between the answers of `make bench`): while a reader (or `make bench`) answers in
// quick succession, the worker works out only outcomes, and each outcome comes back at once.
const WHAT_IF_DELAY_MS = 8;
const WHAT_IF_SHOWN_SETS = 3; // more sets fold into a <details>

Object.assign(Checklist.prototype, {
  bindWhatIf() {
    this.root.addEventListener("click", (event) => {
      const link = event.target.closest("[data-what-if] a[data-to-question], [data-compare] a[data-to-question]");
      if (!link) return;
      event.preventDefault(); // to the question, without replacing the share link in the address bar
      const fieldset = this.root.querySelector(`[data-question="${link.dataset.toQuestion}"]`);
      fieldset?.scrollIntoView({ block: "center" });
      (fieldset?.querySelector(`input[value="${CSS.escape(link.dataset.toOption ?? "")}"]`) ?? fieldset?.querySelector("input:checked") ?? fieldset?.querySelector("input"))?.focus();
    });
    // Printed, every folded list is open (and closed again after).
    addEventListener("beforeprint", () => {
      this.folded = [...this.root.querySelectorAll("[data-what-if] details:not([open])")];
      this.folded.forEach((d) => (d.open = true));
    });
    addEventListener("afterprint", () => (this.folded ?? []).forEach((d) => (d.open = false)));
  },

  async whatIf(sequence) {
    const list = this.$("[data-what-if-list]");
    list.dataset.state = "working";
    list.setAttribute("aria-busy", "true");
    try {
      await new Promise((resolve) => setTimeout(resolve, WHAT_IF_DELAY_MS));
      if (sequence !== this.sequence) return;
      const result = await engine.request("what-if", { checklist: this.id, answers: this.answers() }, WHAT_IF_TIMEOUT_MS);
      if (result.superseded || sequence !== this.sequence || !this.root.isConnected) return;
      const json = JSON.stringify(result);
      if (json !== this.lastWhatIf) this.renderWhatIf(result); // unchanged: nothing to redraw
      this.lastWhatIf = json;
      list.dataset.state = "ready";
      list.dataset.done = String(Number(list.dataset.done || 0) + 1); // how many were shown (make bench waits on it)
    } catch {
      if (sequence === this.sequence) list.dataset.state = "error";
    } finally {
      if (sequence === this.sequence) list.removeAttribute("aria-busy");
    }
  },

  renderWhatIf(result) {
    const items = this.$("[data-what-if-items]");
    const words = this.$("[data-what-if-words]");
    const make = (tag, attrs = {}, ...children) => {
      const el = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      el.append(...children);
      return el;
    };
    const seen = new Set();
    const change = ([question, option]) => {
      const key = `${question}=${option}`;
      const phrase = words.querySelector(`[data-phrase="${CSS.escape(key)}"]`);
      const attrs = seen.has(key) ? { "data-change-again": key } : { "data-change": key };
      seen.add(key);
      return make("span", { class: "checklist__change", ...attrs },
        make("a", { href: phrase.dataset.questionLink, "data-to-question": question, "data-to-option": option }, phrase.textContent),
        make("span", { class: "checklist__change-guide" }, " (", make("a", { href: phrase.dataset.guideLink }, this.message("whatif-guide")), ")"));
    };
    const joined = (set) => set.flatMap((c, i) => (i ? [` ${this.message("whatif-and")} `, change(c)] : [change(c)]));
    const blocks = [];
    for (const [outcome, sets] of Object.entries(result.what_if)) {
      seen.clear();
      const title = make("strong", {}, words.querySelector(`[data-what-if-title="${CSS.escape(outcome)}"]`).textContent);
      const n = sets.length ? sets[0].length : 0;
      const block = make("div", { class: "checklist__whatif-item", "data-what-if": outcome, "data-changes": String(n) });
      if (result.unsearched.includes(outcome)) {
        block.dataset.unsearched = "";
        block.append(make("p", {}, title, ": ", this.message("whatif-unsearched")));
      } else if (!n) {
        block.append(make("p", {}, title, ": ", this.message("whatif-none")));
      } else if (sets.length === 1) {
        block.append(make("p", {}, title, ` ${this.message("whatif-becomes")} `, ...joined(sets[0]), "."));
      } else if (n === 1 && sets.length <= WHAT_IF_SHOWN_SETS) {
        const either = sets.flatMap(([c], i) => (i ? [`, ${this.message("whatif-or")} `, change(c)] : [change(c)]));
        block.append(make("p", {}, title, ` ${this.message("whatif-becomes")} `, ...either, "."));
      } else {
        block.append(make("p", {}, title, ` ${this.message("whatif-with")} ${n} ${this.message(n === 1 ? "whatif-change" : "whatif-changes")}, ${this.message("whatif-any")}`));
        const list = (some) => make("ul", { class: "checklist__whatif-sets" }, ...some.map((set) => make("li", {}, ...joined(set))));
        block.append(list(sets.slice(0, WHAT_IF_SHOWN_SETS)));
        if (sets.length > WHAT_IF_SHOWN_SETS) {
          block.append(make("details", {}, make("summary", {}, sets.length - WHAT_IF_SHOWN_SETS === 1 ? this.message("whatif-more-way") : this.message("whatif-more-ways").replace("{n}", sets.length - WHAT_IF_SHOWN_SETS)), list(sets.slice(WHAT_IF_SHOWN_SETS))));
        }
        if (result.total[outcome] > sets.length) {
          block.append(make("p", { class: "checklist__whatif-more" }, `${result.total[outcome] - sets.length} ${this.message("whatif-more-sets")}`));
          const others = result.changes[outcome].filter(([q, o]) => !seen.has(`${q}=${o}`));
          if (others.length) block.append(make("p", { class: "checklist__whatif-more" }, `${this.message("whatif-others")} `, ...others.flatMap((c, i) => (i ? [", ", change(c)] : [change(c)])), "."));
        }
      }
      blocks.push(block);
    }
    items.replaceChildren(...blocks);
    show(this.$("[data-what-if-list]"), true);
  },

  // For "Copy as text": the same sentences, the folded ones included.
  whatIfText() {
    const blocks = [...this.root.querySelectorAll("[data-what-if-list]:not([hidden]) [data-what-if]")];
    if (!blocks.length) return [];
    const lines = ["", `${this.message("text-whatif")}:`];
    for (const block of blocks) {
      const [intro, ...rest] = block.querySelectorAll(":scope > p, :scope li");
      lines.push(`- ${intro.textContent.replace(/\s+/g, " ").trim()}`);
      for (const item of rest) lines.push(`  ${item.matches("li") ? "- " : ""}${item.textContent.replace(/\s+/g, " ").trim()}`);
    }
    return lines;
  },
});

// --- two assessments compared (issue 14) ---------------------------------------------------------
// A compare link's fragment is `compare&a.QUESTION=OPTION&…&b.QUESTION=OPTION…` (decision/compare.py
// reads it; the page only spots the mark). A is the form's answers, B the other link's; while
// comparing, the address carries both, and the form edits A.

const COMPARE_MARK = /^#?compare(?:[&;]|$)/;

function compareLink(a, b) {
  const side = (name, answers) => Object.entries(answers).map(([q, o]) => `${name}.${encodeURIComponent(q)}=${encodeURIComponent(o)}`);
  const url = new URL(location.href);
  url.hash = ["compare", ...side("a", a), ...side("b", b)].join("&");
  return url.href;
}

const plainUpdateLink = Checklist.prototype.updateLink;

Object.assign(Checklist.prototype, {
  bindCompare() {
    this.comparing = false;
    this.compareB = null;
    if (COMPARE_MARK.test(location.hash)) {
      this.comparing = true;
      this.compareOpened = location.hash;
      show(this.$("[data-compare]"), true);
    }
    this.root.addEventListener("click", (event) => {
      const action = event.target.closest("[data-action]")?.dataset.action;
      if (action === "copy-compare") this.copy(this.compareHref, "copied-compare");
      else if (action === "stop-compare") this.stopCompare();
    });
    this.$("[data-compare-form]").addEventListener("submit", (event) => {
      event.preventDefault();
      this.compareWith(this.$("[data-compare-input]").value.trim());
    });
    addEventListener("popstate", () => {
      if (!this.root.isConnected) return;
      if (COMPARE_MARK.test(location.hash) && !this.comparing) {
        Object.assign(this, { comparing: true, compareB: null, compareOpened: location.hash });
        show(this.$("[data-compare]"), true);
        if (this.root.dataset.state === "ready") this.compareStep(this.sequence);
      } else if (!COMPARE_MARK.test(location.hash) && this.comparing) {
        this.stopCompare();
      }
    });
  },

  updateLink() {
    if (!this.comparing) return plainUpdateLink.call(this);
    this.link = shareLink(this.answers()); // "Copy link" still copies A's own share link
    const shown = this.$("[data-share-link]");
    update(shown, "href", this.link);
    update(shown, "textContent", this.link);
    if (this.compareB === null) return; // the compare link is read once the engine is up
    this.compareHref = compareLink(this.answers(), this.compareB);
    writeAddress(this.compareHref);
    const link = this.$("[data-compare-link]");
    update(link, "href", this.compareHref);
    update(link, "textContent", this.compareHref);
  },

  async compareWith(link) {
    const status = this.$("[data-compare-summary]");
    if (this.root.dataset.state !== "ready" || !link) return;
    let a = this.answers(), b, dropped;
    if (COMPARE_MARK.test(link.slice(link.indexOf("#") + 1)) || COMPARE_MARK.test(link)) {
      ({ a, b, dropped } = await engine.request("decode-compare", { checklist: this.id, link: link.includes("#") ? link.slice(link.indexOf("#")) : link }));
    } else {
      ({ answers: b, dropped } = await engine.request("decode", { checklist: this.id, link }));
    }
    if (!Object.keys(b).length && dropped.length) {
      this.$("[data-copied]").textContent = this.message("compare-bad-link");
      return;
    }
    Object.assign(this, { comparing: true, compareB: b });
    this.setAnswers(a);
    this.showCompareDropped(dropped);
    show(this.$("[data-compare]"), true);
    history.pushState(history.state, "", compareLink(a, b));
    this.changed();
    status.textContent = "";
    this.$("[data-compare]").scrollIntoView({ block: "start" });
    this.$("[data-compare]").focus({ preventScroll: true });
  },

  stopCompare() {
    Object.assign(this, { comparing: false, compareB: null });
    show(this.$("[data-compare]"), false);
    this.showCompareDropped([]);
    this.updateLink();
  },

  showCompareDropped(dropped) {
    show(this.$("[data-compare-dropped]"), dropped.length > 0);
    this.$("[data-compare-dropped-parts]").textContent = dropped.map((d) => `“${d.part}”`).join(", ");
  },

  async compareStep(sequence) {
    if (!this.comparing) return;
    this.pending(+1);
    try {
      if (this.compareB === null) {
        const decoded = await engine.request("decode-compare", { checklist: this.id, link: this.compareOpened });
        this.compareB = decoded.b;
        this.showCompareDropped(decoded.dropped);
        this.setAnswers(decoded.a);
        this.changed(); // evaluates A, which comes back here
        return;
      }
      const result = await engine.request("compare", { checklist: this.id, a: this.answers(), b: this.compareB });
      if (sequence === this.sequence && this.comparing && this.root.isConnected) this.renderCompare(result);
    } catch (error) {
      if (sequence === this.sequence) this.showError("error-evaluate", error);
    } finally {
      this.pending(-1);
    }
  },

  renderCompare(result) {
    const label = (q, o) => this.form.querySelector(`input[name="${CSS.escape(q)}"][value="${CSS.escape(o)}"]`)?.closest("label").textContent.trim() ?? o;
    const title = (o) => this.$(`[data-what-if-title="${CSS.escape(o)}"]`)?.textContent ?? o;
    const caveat = (c) => this.$(`[data-caveat="${CSS.escape(c)}"] .admonition-title`)?.textContent ?? c;
    for (const row of this.root.querySelectorAll("[data-compare-question]")) {
      const q = row.dataset.compareQuestion;
      for (const [side, assessment] of [["a", result.a], ["b", result.b]]) {
        const o = assessment.answers[q];
        update(row.querySelector(`[data-side=${side}]`), "textContent", o ? label(q, o) : this.message("compare-unanswered"));
      }
      const differs = result.differences.includes(q);
      const decisive = result.decisive.includes(q);
      update(row.dataset, "differs", String(differs));
      update(row.dataset, "decisive", String(decisive));
      update(row.querySelector("[data-compare-mark]"), "textContent", decisive ? this.message("compare-decisive") : differs ? this.message("compare-differs") : "");
    }
    const outcomeRow = this.$("[data-compare-outcome]");
    const caveatRow = this.$("[data-compare-caveats]");
    for (const [side, assessment] of [["a", result.a], ["b", result.b]]) {
      const cell = outcomeRow.querySelector(`[data-side=${side}]`);
      cell.dataset.outcomeId = assessment.outcome;
      update(cell, "textContent", title(assessment.outcome) + (assessment.provisional ? ` (${this.message("compare-provisional")})` : ""));
      const names = assessment.caveats.map(caveat);
      update(caveatRow.querySelector(`[data-side=${side}]`), "textContent", names.length ? names.join("; ") : this.message("compare-no-caveats"));
    }
    const same = result.a.outcome === result.b.outcome;
    update(outcomeRow.dataset, "differs", String(!same));
    update(outcomeRow.querySelector("[data-compare-mark]"), "textContent", same ? "" : this.message("compare-differs"));
    const count = result.differences.length ? `${result.differences.length} ${this.message("compare-count")}.` : this.message("compare-none");
    const hinge = result.decisive.map((q) => this.$(`[data-compare-question="${CSS.escape(q)}"] th a`).textContent.trim()).join(", ");
    update(this.$("[data-compare-summary]"), "textContent", same ? `${this.message("compare-same")} ${count}` : `${this.message("compare-differ")} ${hinge}. ${count}`);
    this.updateLink();
  },
});

// --- wiring: Material's instant navigation emits document$ after every page swap -------------

function bindAll() {
  if (carried.path !== location.pathname) {
    carried.fragments.clear();
    carried.path = location.pathname;
  }
  for (const root of document.querySelectorAll("[data-checklist]:not([data-bound])")) new Checklist(root).bind();
}

// The worker's start is most of the wait: begin it as soon as this module runs, before Material's
// own start-up, and bind the form when Material is ready.
const first = document.querySelector("[data-checklist]");
if (first) engine.start(engineOptions(first)).catch(() => {}); // failures are shown once bound

if (window.document$?.subscribe) window.document$.subscribe(bindAll);
else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bindAll);
else bindAll();
