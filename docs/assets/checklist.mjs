// The checklist on the page: reads and writes the form, keeps the share link in the URL fragment,
// and asks the worker (Python, in Pyodide) for a result. All words shown come from the page,
// rendered at build time; the worker returns ids. Nothing from the URL is ever parsed as HTML.

const LOAD_TIMEOUT_MS = 90_000;
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
  }

  listen(listener) {
    this.listeners.add(listener);
    if (this.stage) listener(this.stage);
  }

  start({ worker, runtime, wheel, stdlib, snapshot, checklist }) {
    if (this.ready) return this.ready;
    // The page's inline starter may have created the worker and sent `init` (id 0) already.
    const early = window.__checklistEarly;
    if (early?.messages && early.worker) {
      this.worker = early.worker;
      this.attach();
      this.ready = this.expect(0, LOAD_TIMEOUT_MS, "timeout");
      const [messages, errors] = [early.messages, early.errors];
      early.messages = early.errors = early.worker = null;
      messages.forEach((message) => this.receive(message));
      errors.forEach((message) => this.fail(new Error(message)));
    } else {
      this.worker = new Worker(worker, { type: "module" });
      this.attach();
      this.ready = this.request("init", { runtime, wheel, stdlib, snapshot, checklist }, LOAD_TIMEOUT_MS, "timeout");
    }
    this.ready.catch(() => this.stop());
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
    this.stage = null;
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

  // A promise of the reply to request `id`, rejected after `timeout` ms.
  expect(id, timeout, timeoutKind) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(Object.assign(new Error(`no answer after ${timeout / 1000} s`), { kind: timeoutKind }));
      }, timeout);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  receive(message) {
    if (message.type === "progress") {
      this.stage = message.stage;
      this.listeners.forEach((listener) => listener(message.stage));
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
    if (!(await cache.match(url))) await cache.add(url);
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
    this.bindWhatIf();
    this.bindCompare();
    this.updateLink();
    this.load();
  }

  async load() {
    this.setState("loading");
    this.$("[data-alert]").hidden = true;
    const progress = (stage) => {
      const steps = ["loading-runtime", "loading-engine", "starting-engine"];
      this.$("[data-progress]").value = steps.indexOf(stage) + 1;
      this.status.textContent = this.message(stage);
    };
    engine.listen(progress);
    try {
      const started = await engine.start(engineOptions(this.root));
      this.root.dataset.boot = started.boot;
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
      this.showError(error.kind === "timeout" ? "error-timeout" : "error-load", error);
    } finally {
      engine.listeners.delete(progress);
    }
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

  showError(key, error) {
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
      engine.stop();
      this.load();
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
    lines.push(...this.whatIfText());
    lines.push("", `${this.message("text-link")}: ${this.link}`);
    return lines.join("\n");
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
        block.append(make("p", {}, title, ` ${this.message("whatif-with")} ${n} ${this.message("whatif-changes")}, ${this.message("whatif-any")}`));
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
      this.openedWith = ""; // not a share link: read by decode-compare once the engine is up
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
  for (const root of document.querySelectorAll("[data-checklist]:not([data-bound])")) new Checklist(root).bind();
}

// The worker's start is most of the wait: begin it as soon as this module runs, before Material's
// own start-up, and bind the form when Material is ready.
const first = document.querySelector("[data-checklist]");
if (first) engine.start(engineOptions(first)).catch(() => {}); // failures are shown once bound

if (window.document$?.subscribe) window.document$.subscribe(bindAll);
else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bindAll);
else bindAll();
