// The checklist's worker: loads Pyodide and the decision wheel from the site itself, then answers
// requests. Protocol: every request {type, id, ...} gets {type: "result", id, result} or
// {type: "error", id, error}; loading reports {type: "progress", stage}. Results hold ids only.

let engine = null; // Promise of {evaluate, decode}

async function boot({ runtime, wheel, checklist }) {
  post({ type: "progress", stage: "loading-runtime" });
  const wheelBytes = fetchBytes(wheel); // in parallel with the runtime
  const { loadPyodide } = await import(new URL("pyodide.mjs", runtime).href);
  const pyodide = await loadPyodide({ indexURL: runtime, packages: [], stdout: () => {}, stderr: () => {} });
  post({ type: "progress", stage: "loading-engine" });
  pyodide.unpackArchive(await wheelBytes, "wheel");
  post({ type: "progress", stage: "starting-engine" });
  const api = pyodide.pyimport("decision.jsonapi");
  api.warm_up(checklist);
  return {
    evaluate: (id, answers) => JSON.parse(api.evaluate_json(id, JSON.stringify(answers))),
    decode: (id, link) => JSON.parse(api.decode_json(id, link)),
  };
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
      await engine;
      post({ type: "result", id, result: "ready" });
    } else if (type === "evaluate") {
      post({ type: "result", id, result: (await engine).evaluate(data.checklist, data.answers) });
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
