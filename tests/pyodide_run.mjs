// Run the decision engine inside real Pyodide under Node.
// Usage: node tests/pyodide_run.mjs WHEEL [STDLIB_ZIP] < cases.json  ->  prints JSON results.
// Each case: {"checklist": ID, "answers": {...}} or {"checklist": ID, "link": "#..."}.
import { readFileSync } from "node:fs";
import { loadPyodide } from "pyodide";

const wheel = new Uint8Array(readFileSync(process.argv[2]));
const cases = readFileSync(0, "utf8");
const pyodide = await loadPyodide(process.argv[3] ? { stdLibURL: process.argv[3] } : {});
pyodide.unpackArchive(wheel, "wheel");
pyodide.globals.set("cases_json", cases);
const out = pyodide.runPython(`
import json, sys
import decision
results = []
for case in json.loads(cases_json):
    checklist = decision.load_checklist(case["checklist"])
    if "link" in case:
        decoded = decision.decode_answers(checklist, case["link"])
        results.append({"answers": decoded.answers, "dropped": [[d.part, d.reason] for d in decoded.dropped],
                        "fragment": decision.encode_answers(checklist, decoded.answers)})
    else:
        results.append(decision.evaluate(checklist, case["answers"]).to_dict())
json.dumps({"python": sys.version.split()[0], "results": results}, sort_keys=True)
`);
process.stdout.write(out);
