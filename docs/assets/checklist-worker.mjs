// The checklist's worker: loads Pyodide and the decision wheel from the site itself, then answers
// requests. Protocol: every request {type, id, ...} gets {type: "result", id, result} or
// {type: "error", id, error}; loading reports {type: "progress", stage, received, total, pending}
// (bytes of the engine's files so far, their announced size or null, files still arriving).
// Results hold ids only.

export const SNAPSHOT_CACHE = "checklist-engine-snapshots";
const RESTORE_TIMEOUT_MS = 15_000;

let engine = null; // Promise of {evaluate, decode, boot}

// Boots, and boots again when the page asked to resume stalled downloads (which ends the attempt
// under way: see `resume`); the bytes that arrived are kept across attempts.
async function boot(options) {
  track(options);
  for (;;) {
    try {
      const started = await attempt(options);
      downloads.clear(); // the engine holds what it needs; free the kept bytes
      return started;
    } catch (error) {
      if (!resuming) throw error;
      resuming = false;
    }
  }
}

async function attempt({ runtime, wheel, stdlib, snapshot, checklist }) {
  const timings = { start: performance.now() }; // ms since the worker started, for `make bench`
  post({ type: "progress", stage: "loading-runtime", ...(downloads.size ? bytesSoFar() : {}) });
  const wheelBytes = fetchBytes(wheel); // all three in parallel
  wheelBytes.catch(() => {}); // awaited below; a failure must not count as unhandled meanwhile
  const cached = cachedSnapshot(snapshot);
  const { loadPyodide } = await import(new URL("pyodide.mjs", runtime).href);
  timings.imported = performance.now();
  const options = { indexURL: runtime, stdLibURL: stdlib, packages: [], stdout: () => {}, stderr: () => {} };
  // A returning reader's browser may hold a snapshot of a warm engine (see the page module).
  let pyodide = await restore(loadPyodide, options, await cached, snapshot);
  const restored = pyodide !== null;
  pyodide ??= await guarded(loadPyodide(options));
  timings.booted = performance.now();
  post({ type: "progress", stage: "loading-engine" });
  pyodide.unpackArchive(await wheelBytes, "wheel");
  timings.unpacked = performance.now();
  post({ type: "progress", stage: "starting-engine" });
  const api = pyodide.pyimport("decision.jsonapi");
  api.warm_up(checklist);
  timings.ready = performance.now();
  if (restored) setTimeout(() => rehearse(api, checklist), REHEARSE_AFTER_MS);
  else setTimeout(() => warmWhatIf(api, checklist).catch(() => {}), WARM_WHAT_IF_AFTER_MS);
  return {
    boot: restored ? "snapshot" : "fresh",
    restoreProblem,
    timings,
    evaluate: (id, answers) => JSON.parse(api.evaluate_json(id, JSON.stringify(answers))),
    decode: (id, link) => JSON.parse(api.decode_json(id, link)),
    whatIf: (id, answers) => whatIf(api, id, answers),
    compare: (id, a, b) => JSON.parse(api.compare_json(id, JSON.stringify(a), JSON.stringify(b))),
    decodeCompare: (id, link) => JSON.parse(api.decode_compare_json(id, link)),
  };
}

// What would change the result (issue 14): computed in slices of WHAT_IF_SLICE_MS, with the
// worker's other messages (a new answer's outcome) let in between, so the outcome never waits for
// more than one slice. A newer what-if request supersedes an older one still running: the older
// one is answered {superseded: true}.
const WHAT_IF_SLICE_MS = 2;
const WARM_WHAT_IF_AFTER_MS = 1000; // a fresh engine, at idle (a restored one has it in its snapshot)
let whatIfRun = 0;
const between = new MessageChannel();
const resumers = [];
between.port1.onmessage = () => resumers.shift()?.();
function letOthersIn() {
  return new Promise((resolve) => {
    resumers.push(resolve);
    between.port2.postMessage(0);
  });
}

// At idle after a fresh start: every class of answers evaluated once (about 0.4 s of the worker's
// time for the main checklist, in slices), so that each what-if only looks outcomes up.
async function warmWhatIf(api, id) {
  const job = api.WarmJob(id);
  try {
    while (job.step(WHAT_IF_SLICE_MS) === undefined) await letOthersIn();
  } finally {
    job.destroy();
  }
}

async function whatIf(api, id, answers) {
  const run = ++whatIfRun;
  const job = api.WhatIfJob(id, JSON.stringify(answers));
  try {
    for (;;) {
      const done = job.step(WHAT_IF_SLICE_MS);
      if (done !== undefined) return JSON.parse(done);
      await letOthersIn();
      if (run !== whatIfRun) return { superseded: true };
    }
  } finally {
    job.destroy();
  }
}

// A restored interpreter has barely run, so V8 has not optimised its WebAssembly yet: rehearse
// evaluations at idle, in short slices with room for the reader's requests between them. Measured
// (make bench, warm page): with 8 rounds the round trip's p95 stayed at 9-17 ms; with 40 (about
// 0.3 s of the worker's time, spread over a second and a half) it fell to 4-8 ms, as after a fresh boot.
const REHEARSALS = 40;
const REHEARSE_AFTER_MS = 200; // after the page's first requests (decode the link, evaluate), not in their way
function rehearse(api, checklist, round = 0) {
  api.rehearse(checklist);
  if (round + 1 < REHEARSALS) setTimeout(() => rehearse(api, checklist, round + 1), 20);
}

// The snapshot in Cache Storage, if there is one: its response, whose body (14 MB, sparse) Pyodide
// reads while it loads the runtime. The snapshot's URL holds its hash, so it always matches this runtime
// and the engine's code; it holds no checklist: warm_up reads it from the wheel that boot() unpacks
// (hooks/site_runtime.py). No snapshot (none under `make serve` while it is made) or any trouble: null, a normal boot.
async function cachedSnapshot(snapshot) {
  try {
    return (snapshot && self.caches && (await (await caches.open(SNAPSHOT_CACHE)).match(snapshot))) || null;
  } catch {
    return null;
  }
}

// Restores the snapshot; null when there is none or it fails, and a damaged entry (half-written,
// foreign, or one Pyodide cannot restore) is removed, so that the page stores a good one again.
let restoreProblem = null; // why a stored snapshot was not restored (tests show it)
async function restore(loadPyodide, options, response, url) {
  restoreProblem = response ? null : "none stored";
  if (!response) return null;
  let timer;
  let damaged = false;
  try {
    const memory = response.arrayBuffer().then(unsparse);
    memory.catch(() => (damaged = true)); // Pyodide awaits it only later: not an unhandled rejection meanwhile
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("restore timed out")), RESTORE_TIMEOUT_MS)));
    return await Promise.race([guarded(loadPyodide({ ...options, _loadSnapshot: memory })), timeout]);
  } catch (error) {
    restoreProblem = damaged ? "damaged" : error.message;
    // Not for a slow restore, nor when the page's "Try again" cut the runtime's download short.
    if (damaged || (error.message !== "restore timed out" && !resuming)) await forgetSnapshot(url);
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function forgetSnapshot(url) {
  try {
    await (await caches.open(SNAPSHOT_CACHE)).delete(url);
  } catch {
    // nothing more to do: the next visit boots normally
  }
}

// Checks a snapshot the page has just stored (keepSnapshot in checklist.mjs), and removes it when
// it is not a whole sparse snapshot: a host may answer a missing file with a page of its own and
// status 200, or the transfer may break. Answers {good}.
async function checkSnapshot(url) {
  const response = await (await caches.open(SNAPSHOT_CACHE)).match(url);
  if (!response) return { good: false };
  try {
    unsparse(await response.arrayBuffer(), { check: true });
    return { good: true };
  } catch {
    await forgetSnapshot(url);
    return { good: false };
  }
}

// The snapshot is stored sparse, without the zero pages of Pyodide's memory (about half of its
// 31 MB): the format is described in hooks/site_runtime.py (sparse, unsparse). Anything else,
// and a truncated file, is an error ("not a sparse snapshot", "damaged sparse snapshot").
// With `check`, only checks (no memory is built).
const SPARSE_MAGIC = "PYSPARS1";
function unsparse(buffer, { check = false } = {}) {
  if (buffer.byteLength < 16 || new TextDecoder().decode(new Uint8Array(buffer, 0, 8)) !== SPARSE_MAGIC) throw new Error("not a sparse snapshot");
  const view = new DataView(buffer);
  const [size, count] = [view.getUint32(8, true), view.getUint32(12, true)];
  const damaged = () => new Error(`damaged sparse snapshot (${buffer.byteLength} bytes)`);
  if (16 + 8 * count > buffer.byteLength) throw damaged();
  const memory = check ? null : new Uint8Array(size);
  let position = 16 + 8 * count;
  for (let run = 0; run < count; run++) {
    const [offset, length] = [view.getUint32(16 + 8 * run, true), view.getUint32(20 + 8 * run, true)];
    if (offset + length > size || position + length > buffer.byteLength) throw damaged();
    memory?.set(new Uint8Array(buffer, position, length), offset);
    position += length;
  }
  if (position !== buffer.byteLength) throw damaged();
  return memory;
}

// Pyodide 314 reports a failed wasm instantiation (a missing or broken pyodide.asm.wasm) only as
// a console warning, and its loadPyodide() then never settles: turn that warning into an error.
let failBoot = null;
const warn = console.warn;
let wasmFailed = false;
console.warn = (...args) => {
  if (args[0] === "wasm instantiation failed!") {
    wasmFailed = true;
  } else if (wasmFailed) {
    wasmFailed = false;
    failBoot?.(new Error(`pyodide.asm.wasm could not be started: ${args.map(String).join(" ")}`));
  } else {
    warn(...args);
  }
};

function guarded(loading) {
  return Promise.race([loading, new Promise((_, reject) => (failBoot = reject))]);
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

// --- downloads: counted, kept, resumable ------------------------------------------------------
// Every fetch of the engine's files (Pyodide's own included) goes through `trackedFetch`. Each
// file's bytes are counted (the page shows them, and gives up only when none arrive for a while)
// and kept until the engine is ready, so that resuming after a stall fetches only the rest: with
// a Range request where the file came unencoded (most hosts honour it), else from its start,
// passing on only the bytes not yet passed. The wasm goes to Pyodide as the browser's own
// response the first time (compiled while it streams, and its compiled code cached by URL);
// a resumed attempt gets it from the kept bytes. The other files are always streamed from what
// is kept, so they resume in place. pyodide.mjs and pyodide.asm.mjs are module imports: the
// browser fetches them itself, uncounted (1.3 MB of the 13 MB unencoded).

const downloads = new Map(); // url -> Download
let tracked = () => false;
let resuming = false;
const realFetch = self.fetch.bind(self);

function track({ runtime, wheel, stdlib }) {
  tracked = (url) => url === wheel || url === stdlib || (url.startsWith(runtime) && !url.endsWith(".mjs"));
}

self.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input), self.location.href).href;
  if (!tracked(url) || (init && Object.keys(init).some((key) => key !== "integrity"))) return realFetch(input, init);
  const known = downloads.get(url);
  if (known && (known.done || known.received > 0)) return Promise.resolve(known.replay());
  known?.abort();
  const download = new Download(url);
  downloads.set(url, download);
  return download.start(url.endsWith(".wasm"));
};

class Download {
  constructor(url) {
    this.url = url;
    this.chunks = [];
    this.received = 0;
    this.total = null; // the announced size, when the host sends it unencoded
    this.done = false;
    this.live = false; // a request is under way
    this.passed = false; // the browser's own response went to Pyodide
    this.retry = false; // fetch the rest when a reader wants more (set by `resume`)
    this.controller = null;
    this.wake = null;
    this.next = null;
  }

  async start(passOriginal) {
    this.live = true;
    this.controller = new AbortController();
    let response;
    try {
      response = await realFetch(this.url, { signal: this.controller.signal });
    } catch (error) {
      this.settle();
      throw error;
    }
    const headers = response.headers;
    this.identity = !headers.get("Content-Encoding");
    this.total = this.identity && headers.get("Content-Length") ? Number(headers.get("Content-Length")) : null;
    this.validator = headers.get("ETag") || headers.get("Last-Modified");
    this.type = headers.get("Content-Type") || "application/octet-stream";
    if (!response.ok) {
      downloads.delete(this.url);
      this.settle();
      return response; // as it came: the caller reports it
    }
    this.passed = passOriginal;
    const body = passOriginal ? response.clone().body : response.body;
    this.pump(body.getReader(), 0);
    return passOriginal ? response : this.replay();
  }

  // Fetches the rest of a file whose transfer stopped.
  async resume() {
    if (this.done || this.live) return;
    this.live = true;
    this.controller = new AbortController();
    try {
      const ranged = this.identity && this.received > 0;
      const headers = ranged ? { Range: `bytes=${this.received}-`, ...(this.validator ? { "If-Range": this.validator } : {}) } : {};
      const response = await realFetch(this.url, { headers, cache: "no-store", signal: this.controller.signal });
      const start = /^bytes (\d+)-/.exec(response.headers.get("Content-Range") || "");
      if (response.status === 206 && start && Number(start[1]) === this.received) {
        await this.pump(response.body.getReader(), 0);
      } else if (response.status === 200) {
        const validator = response.headers.get("ETag") || response.headers.get("Last-Modified");
        if (this.validator && validator !== this.validator) throw new Error(`${this.url} changed while it was downloading`);
        await this.pump(response.body.getReader(), this.received); // the host sent it all again
      } else {
        throw new Error(`${this.url} answered ${response.status} ${response.statusText}`);
      }
    } catch {
      this.settle(); // an aborted or failed request: the next resume tries again
    }
  }

  // Reads a body into the kept chunks, `skip` bytes first left out.
  async pump(reader, skip) {
    this.live = true;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        let chunk = value;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.byteLength);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (!chunk.byteLength) continue;
        }
        this.chunks.push(chunk);
        this.received += chunk.byteLength;
        this.changed();
      }
      this.done = true;
      this.changed(true);
    } catch {
      // aborted (resume) or broken: what arrived is kept
    } finally {
      this.settle();
    }
  }

  settle() {
    this.live = false;
    this.changed();
  }

  abort() {
    this.controller?.abort();
  }

  changed(now = false) {
    const wake = this.wake;
    this.wake = this.next = null;
    wake?.();
    reportBytes(now);
  }

  until() {
    return (this.next ??= new Promise((resolve) => (this.wake = resolve)));
  }

  // A response holding the whole file: the kept bytes, then the rest as it arrives.
  replay() {
    let index = 0;
    const body = new ReadableStream({
      pull: async (controller) => {
        while (index >= this.chunks.length) {
          if (this.done) return controller.close();
          if (this.retry && !this.live) {
            this.retry = false;
            this.resume();
          }
          await this.until();
        }
        controller.enqueue(this.chunks[index++]);
      },
    });
    return new Response(body, { status: 200, headers: { "Content-Type": this.type } });
  }
}

function bytesSoFar() {
  let [received, total, pending] = [0, 0, 0];
  for (const download of downloads.values()) {
    received += download.received;
    total = download.total === null || total === null ? null : total + download.total;
    if (!download.done) pending++;
  }
  return { received, total: received ? total : null, pending };
}

// At most every REPORT_EVERY_MS, and at once when a file is complete.
const REPORT_EVERY_MS = 200;
let lastReport = 0;
let reportTimer = null;
function reportBytes(now) {
  if (!now && (reportTimer || performance.now() - lastReport < REPORT_EVERY_MS)) {
    reportTimer ??= setTimeout(() => reportBytes(true), REPORT_EVERY_MS);
    return;
  }
  clearTimeout(reportTimer);
  reportTimer = null;
  lastReport = performance.now();
  if (downloads.size) post({ type: "progress", stage, ...bytesSoFar() });
}

// Called when the page, after a stall, asks to try again: ends each transfer that has not
// finished and fetches its rest. Answers how many it resumed (0: nothing to resume here, the
// page starts a new worker).
function resume() {
  const stalled = [...downloads.values()].filter((download) => !download.done);
  if (stalled.length) resuming = true; // if the attempt under way ends with them, boot again
  for (const download of stalled) {
    download.retry = true;
    download.abort();
    download.changed(); // wakes a reader waiting on a transfer that had already failed
  }
  return { resumed: stalled.length };
}

let stage = "loading-runtime"; // the latest stage reported
function post(message) {
  if (message.type === "progress") stage = message.stage;
  self.postMessage(message);
}

function describe(error) {
  // A Python exception arrives as a PythonError whose message ends with the traceback's last line.
  const text = String(error && error.message ? error.message : error).trim();
  const last = text.split("\n").filter(Boolean).pop() || "unknown error";
  return { name: (error && error.type) || (error && error.name) || "Error", message: last };
}

self.addEventListener("message", async ({ data }) => {
  const { type, id } = data;
  try {
    if (type === "init") {
      engine ??= boot(data);
      const started = await engine;
      post({ type: "result", id, result: { boot: started.boot, restoreProblem: started.restoreProblem, timings: started.timings } });
    } else if (type === "evaluate") {
      post({ type: "result", id, result: (await engine).evaluate(data.checklist, data.answers) });
    } else if (type === "what-if") {
      post({ type: "result", id, result: await (await engine).whatIf(data.checklist, data.answers) });
    } else if (type === "compare") {
      post({ type: "result", id, result: (await engine).compare(data.checklist, data.a, data.b) });
    } else if (type === "decode-compare") {
      post({ type: "result", id, result: (await engine).decodeCompare(data.checklist, data.link) });
    } else if (type === "resume") {
      post({ type: "result", id, result: resume() });
    } else if (type === "check-snapshot") {
      post({ type: "result", id, result: await checkSnapshot(data.url) });
    } else if (type === "decode") {
      post({ type: "result", id, result: (await engine).decode(data.checklist, data.link) });
    } else {
      throw new Error(`unknown request type ${type}`);
    }
  } catch (error) {
    if (type === "init") engine = null; // a later init may try again
    post({ type: "error", id, error: describe(error) });
  }
});
