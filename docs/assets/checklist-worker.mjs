// The checklist's worker: loads Pyodide and the decision wheel from the site itself, then answers
// requests. Protocol: every request {type, id, ...} gets {type: "result", id, result} or
// {type: "error", id, error}; loading reports {type: "progress", stage}. Results hold ids only.

export const SNAPSHOT_CACHE = "checklist-engine-snapshots";
const RESTORE_TIMEOUT_MS = 15_000;

let engine = null; // Promise of {evaluate, decode, boot}

async function boot({ runtime, wheel, stdlib, snapshot, checklist }) {
  const timings = { start: performance.now() }; // ms since the worker started, for `make bench`
  post({ type: "progress", stage: "loading-runtime" });
  const wheelBytes = fetchBytes(wheel); // all three in parallel
  const cached = cachedSnapshot(snapshot);
  const { loadPyodide } = await import(new URL("pyodide.mjs", runtime).href);
  timings.imported = performance.now();
  const options = { indexURL: runtime, stdLibURL: stdlib, packages: [], stdout: () => {}, stderr: () => {} };
  // A returning reader's browser may hold a snapshot of a warm engine (see the page module).
  let pyodide = await restore(loadPyodide, options, await cached);
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

async function restore(loadPyodide, options, response) {
  if (!response) return null;
  try {
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("restore timed out")), RESTORE_TIMEOUT_MS));
    return await Promise.race([guarded(loadPyodide({ ...options, _loadSnapshot: response.arrayBuffer().then(unsparse) })), timeout]);
  } catch {
    return null;
  }
}

// The snapshot is stored sparse, without the zero pages of Pyodide's memory (about half of its
// 31 MB): the format is described in hooks/site_runtime.py (sparse, unsparse).
const SPARSE_MAGIC = "PYSPARS1";
function unsparse(buffer) {
  const view = new DataView(buffer);
  if (new TextDecoder().decode(new Uint8Array(buffer, 0, 8)) !== SPARSE_MAGIC) throw new Error("not a sparse snapshot");
  const [size, count] = [view.getUint32(8, true), view.getUint32(12, true)];
  const memory = new Uint8Array(size);
  let position = 16 + 8 * count;
  for (let run = 0; run < count; run++) {
    const [offset, length] = [view.getUint32(16 + 8 * run, true), view.getUint32(20 + 8 * run, true)];
    memory.set(new Uint8Array(buffer, position, length), offset);
    position += length;
  }
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

function post(message) {
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
      post({ type: "result", id, result: { boot: started.boot, timings: started.timings } });
    } else if (type === "evaluate") {
      post({ type: "result", id, result: (await engine).evaluate(data.checklist, data.answers) });
    } else if (type === "what-if") {
      post({ type: "result", id, result: await (await engine).whatIf(data.checklist, data.answers) });
    } else if (type === "compare") {
      post({ type: "result", id, result: (await engine).compare(data.checklist, data.a, data.b) });
    } else if (type === "decode-compare") {
      post({ type: "result", id, result: (await engine).decodeCompare(data.checklist, data.link) });
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
