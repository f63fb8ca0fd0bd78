// Build-time work inside the pinned Pyodide, under Node (called by site_runtime.py):
//   node hooks/pyodide_tools.mjs closure WHEEL              -> JSON list of stdlib files imported
//   node hooks/pyodide_tools.mjs snapshot WHEEL STDLIB OUT  -> a memory snapshot of a warm engine
// Both run the engine the way the browser does, including its error paths, so that the trimmed
// stdlib holds everything the engine can reach and the snapshot has it all imported.
import { readFileSync, writeFileSync } from "node:fs";
import { loadPyodide } from "pyodide";

const EXERCISE = `
import json, traceback
import decision
from decision import jsonapi
for checklist_id in decision.checklist_ids():
    checklist = decision.load_checklist(checklist_id)
    jsonapi.warm_up(checklist_id)
    jsonapi.evaluate_json(checklist_id, json.dumps({q.id: q.options[0].id for q in checklist.questions}))
    jsonapi.evaluate_json(checklist_id, "[]")
    jsonapi.decode_json(checklist_id, "https://x/#a=%zz&&=&" + "&".join(f"{q.id}={q.options[-1].id}" for q in checklist.questions))
for broken in (b"id = 'x", b"id = 'x'\\n[[questions]]\\nid = 1"):
    try:
        decision.parse_checklist(broken, "x.toml")
    except decision.DefinitionError:
        traceback.format_exc()
`;

const [command, wheelPath, stdlib, out] = process.argv.slice(2);
const wheel = new Uint8Array(readFileSync(wheelPath));

if (command === "closure") {
  const pyodide = await loadPyodide();
  pyodide.unpackArchive(wheel, "wheel");
  pyodide.runPython(EXERCISE);
  try {
    pyodide.runPython("raise ValueError('an error crossing into JavaScript')");
  } catch {
    // expected: this exercises Pyodide's own error conversion
  }
  process.stdout.write(
    pyodide.runPython(
      "import json, sys; json.dumps(sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, '__file__', None)}))",
    ),
  );
} else if (command === "snapshot") {
  // Not byte-for-byte reproducible (libc's random state is in memory): site_runtime caches it by
  // its inputs, so rebuilds reuse it and its hashed URL stays put.
  const pyodide = await loadPyodide({ _makeSnapshot: true, stdLibURL: stdlib });
  pyodide.unpackArchive(wheel, "wheel");
  pyodide.runPython(EXERCISE);
  writeFileSync(out, pyodide.makeMemorySnapshot());
} else {
  console.error(`unknown command ${command}: use closure or snapshot`);
  process.exit(2);
}
