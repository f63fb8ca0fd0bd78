// Build-time work inside the pinned Pyodide, under Node (called by site_runtime.py):
//   node hooks/pyodide_tools.mjs stdlib WHEEL OUT           -> the trimmed stdlib zip
//   node hooks/pyodide_tools.mjs snapshot WHEEL STDLIB OUT  -> a memory snapshot of a warm engine
// Both run the engine the way the browser does, including its error paths, so that the trimmed
// stdlib holds everything the engine can reach and the snapshot has it all imported. They run it
// on engine-probe.toml too, which holds every condition form: what they import depends on the
// engine's code, not on the shipped checklists (site_runtime.py keys both on the code alone).
import { readFileSync, writeFileSync } from "node:fs";
import { loadPyodide } from "pyodide";

const PROBE = readFileSync(new URL("engine-probe.toml", import.meta.url), "utf8");
const EXERCISE = `
import itertools, json, traceback
import decision
from decision import jsonapi
probe = decision.parse_checklist(${JSON.stringify(PROBE)}, "engine-probe.toml")
for choice in itertools.product(*[[o.id for o in q.options] for q in probe.questions]):
    answers = dict(zip([q.id for q in probe.questions], choice))
    json.dumps(decision.evaluate(probe, answers).to_dict())
    decision.decode_answers(probe, "#" + decision.encode_answers(probe, answers) + "&a=%zz&x=1")
json.dumps(decision.evaluate(probe, {}).to_dict())
for checklist_id in decision.checklist_ids():
    checklist = decision.load_checklist(checklist_id)
    jsonapi.warm_up(checklist_id)
    jsonapi.rehearse(checklist_id)
    jsonapi.evaluate_json(checklist_id, json.dumps({q.id: q.options[0].id for q in checklist.questions}))
    jsonapi.evaluate_json(checklist_id, "[]")
    jsonapi.decode_json(checklist_id, "https://x/#a=%zz&&=&" + "&".join(f"{q.id}={q.options[-1].id}" for q in checklist.questions))
    jsonapi.warm_what_if(checklist_id)  # issue 14: the snapshot keeps the outcomes it remembers
    jsonapi.compare_json(checklist_id, "{}", json.dumps({q.id: q.options[0].id for q in checklist.questions}))
    jsonapi.decode_compare_json(checklist_id, "#compare&a.x=%zz&b.y=1&z")
for broken in (b"id = 'x", b"id = 'x'\\n[[questions]]\\nid = 1"):
    try:
        decision.parse_checklist(broken, "x.toml")
    except decision.DefinitionError:
        traceback.format_exc()
`;

// Every stdlib module that was imported, copied from the full zip without its docstrings (as
// `python -OO` would drop them; comments go too), into an uncompressed zip: HTTP compression then
// works across files. The modules that take longest to compile go in as bytecode (.pyc, which
// zipimport prefers), within PYC_BUDGET more gzipped bytes: a trade of download for start-up time,
// sized so that a cold checklist page stays under 4.7 MB gzipped (`make bench` measures both).
// Written by Pyodide's own Python 3.14, which parses the stdlib it ships and makes its bytecode.
const PYC_BUDGET = 240_000;
const TRIM = `
import ast, importlib._bootstrap_external as bootstrap, re, sys, time, zipfile, zlib

def without_docstrings(source):
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(tree) + "\\n"

zip_path = next(p for p in sys.path if p.endswith(".zip"))
entry = re.compile("^" + re.escape(zip_path) + "/(.+)$")
names = sorted({m[1] for module in list(sys.modules.values()) if (m := entry.match(getattr(module, "__file__", None) or ""))})
files, candidates = {}, []
with zipfile.ZipFile(zip_path) as full:
    for name in names:
        data = full.read(name)
        if name.endswith(".py"):
            data = without_docstrings(data.decode("utf-8")).encode("utf-8")
            start = time.perf_counter()
            code = compile(data, f"{zip_path}/{name}", "exec", dont_inherit=True)
            seconds = time.perf_counter() - start
            pyc = bytes(bootstrap._code_to_timestamp_pyc(code, 0, 0))
            extra = len(zlib.compress(pyc, 6)) - len(zlib.compress(data, 6))
            candidates.append((seconds / max(extra, 1), extra, name, pyc))
        files[name] = (full.getinfo(name), data)
spent = 0
for _, extra, name, pyc in sorted(candidates, reverse=True):
    if spent + extra <= ${PYC_BUDGET}:
        spent += extra
        info, _ = files.pop(name)
        files[name[:-3] + ".pyc"] = (zipfile.ZipInfo(name[:-3] + ".pyc", info.date_time), pyc)
with zipfile.ZipFile("/tmp/trimmed.zip", "w", zipfile.ZIP_STORED) as trimmed:
    for name in sorted(files):
        info, data = files[name]
        trimmed.writestr(info, data, compress_type=zipfile.ZIP_STORED)  # the original dates
f"{len(names)} modules, {sum(n.endswith('.pyc') for n in files)} as bytecode"
`;

const [command, wheelPath, stdlib, out] = process.argv.slice(2);
const wheel = new Uint8Array(readFileSync(wheelPath));

if (command === "stdlib") {
  const target = stdlib; // this command's second argument is the output path
  const pyodide = await loadPyodide();
  pyodide.unpackArchive(wheel, "wheel");
  pyodide.runPython(EXERCISE);
  try {
    pyodide.runPython("raise ValueError('an error crossing into JavaScript')");
  } catch {
    // expected: this exercises Pyodide's own error conversion
  }
  const count = pyodide.runPython(TRIM);
  writeFileSync(target, pyodide.FS.readFile("/tmp/trimmed.zip"));
  process.stdout.write(String(count));
} else if (command === "snapshot") {
  // Not byte-for-byte reproducible (libc's random state is in memory): site_runtime caches it by
  // its inputs, so rebuilds reuse it and its hashed URL stays put.
  const pyodide = await loadPyodide({ _makeSnapshot: true, stdLibURL: stdlib });
  pyodide.unpackArchive(wheel, "wheel");
  pyodide.runPython(EXERCISE);
  // Code only: the checklists are read from the wheel after a restore, so that the snapshot holds
  // no rules (nor words) and a checklist edit needs no new snapshot.
  pyodide.runPython("from decision import jsonapi; jsonapi.forget_checklists()");
  writeFileSync(out, pyodide.makeMemorySnapshot());
} else {
  console.error(`unknown command ${command}: use stdlib or snapshot`);
  process.exit(2);
}
