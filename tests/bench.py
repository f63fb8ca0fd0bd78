"""`make bench`: how fast the checklist is, measured against a bare Pyodide boot in the same run.

Not a test: it prints a table of medians and spreads, the ratios against the baselines, and
writes bench/latest.json. Run: `make bench` (or `.venv/bin/python -m tests.bench --reps 5`).
Only the rebuild times after an author's edit (tests/bench_rebuild.py): `python -m tests.bench rebuild`."""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests import bench_rebuild
from tests.bench_lighthouse import LighthouseError, lighthouse_performance
from tests.conftest import CHROMIUM_ARGS, _chromium
from tests.sitekit import ROOT, build, headers_from_file, serve

READY = "[data-checklist=fine-tuning][data-state=ready]"
ROUND_TRIPS = 200  # per page and repetition
# A reference beside the local figures: a cold start over a real network, served gzipped (the
# throttle applies to the worker's requests too). 10 Mbit/s with 40 ms of latency, as in the issue.
NETWORK = {"offline": False, "latency": 40, "downloadThroughput": 10 * 125_000, "uploadThroughput": 10 * 125_000}
NETWORK_REPS = 2
LIGHTHOUSE_PAGES = ["guidance/rag/", "checklist/"]

BARE_PAGE = """<!doctype html><meta charset=utf-8><title>bare loadPyodide</title>
<script type=module>
const worker = new Worker("bare-worker.mjs" + location.search, { type: "module" });
worker.onmessage = () => { window.__ready = performance.now(); };
</script>"""
BARE_WORKER = """const runtime = new URL("../assets/pyodide/VERSION/", import.meta.url).href;
const { loadPyodide } = await import(runtime + "pyodide.mjs");
const stdlib = new URL(new URLSearchParams(location.search).get("stdlib"), import.meta.url).href;
const pyodide = await loadPyodide({ indexURL: runtime, stdLibURL: stdlib });
pyodide.runPython("1 + 1");
postMessage("ready");"""

# Set before any page script: when the checklist becomes ready, every long task, and the scripts
# that ran in each long animation frame (which task was whose).
PROBE = """(() => {
  window.__longtasks = [];
  new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]); })
    .observe({ type: "longtask", buffered: true });
  window.__frames = [];
  new PerformanceObserver(list => { for (const e of list.getEntries()) window.__frames.push([e.startTime, e.duration,
    e.scripts.map(s => [s.sourceURL.split("/").pop() || s.invoker, s.duration])]); })
    .observe({ type: "long-animation-frame", buffered: true });
  new MutationObserver(() => {
    const root = document.querySelector("[data-checklist]");
    if (root && root.dataset.state === "ready" && !window.__ready) window.__ready = performance.now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
})();"""

ROUND_TRIP = """async (count) => {
  const root = document.querySelector("[data-checklist]");
  const inputs = [...root.querySelectorAll("input[type=radio]")];
  const settled = () => new Promise(resolve => {
    if (root.dataset.pending === "0") return resolve();
    const watch = new MutationObserver(() => { if (root.dataset.pending === "0") { watch.disconnect(); resolve(); } });
    watch.observe(root, { attributes: true, attributeFilter: ["data-pending"] });
  });
  const times = [];
  for (let i = 0; i < count; i++) {
    const input = inputs[(i * 7) % inputs.length];
    const start = performance.now();
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    await settled();
    times.push(performance.now() - start);
  }
  return times;
}"""


def median_spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Bytes:
    """Bytes of the files a page fetched: raw (as served here, uncompressed) and gzipped."""

    def __init__(self, site: Path, base: str) -> None:
        self.site, self.base, self._gz = site, base, {}

    def sizes(self, urls: list[str]) -> tuple[int, int]:
        raw = gz = 0
        for url in dict.fromkeys(urls):
            path = url.split("#")[0].split("?")[0].removeprefix(self.base)
            file = self.site / path
            if file.is_dir() or path.endswith("/") or not path:
                file = file / "index.html"
            if not file.is_file():
                continue
            if file not in self._gz:
                data = file.read_bytes()
                self._gz[file] = (len(data), len(gzip.compress(data, 6)))
            raw += self._gz[file][0]
            gz += self._gz[file][1]
        return raw, gz


def visit(context: Any, url: str, sizes: Bytes) -> dict[str, Any]:
    """Open the checklist page in a context; measure until ready and until idle."""
    finished: list[tuple[str, float]] = []  # (url, when it finished, ms since the epoch)

    def record(request: Any) -> None:
        timing = request.timing
        finished.append((request.url, timing["startTime"] + max(timing["responseEnd"], 0)))

    context.on("requestfinished", record)
    page = context.new_page()
    page.add_init_script(PROBE)
    page.goto(url)
    page.wait_for_selector(READY, timeout=120_000)
    page.wait_for_function("() => document.querySelector('[data-checklist]').dataset.pending === '0'")
    page.wait_for_timeout(3000)  # idle: anything deferred (e.g. caching a snapshot) runs now
    ready_ms = page.evaluate("window.__ready")
    ready_at = page.evaluate("performance.timeOrigin") + ready_ms
    tasks = page.evaluate("window.__longtasks")
    frames = page.evaluate("window.__frames")
    result = {
        "ready_ms": ready_ms,
        "worker_ms": json.loads(page.get_attribute("[data-checklist]", "data-timings") or "{}"),
        "longtasks_ms": [duration for start, duration in tasks if start < ready_ms],
        "longtasks_after_ms": [duration for start, duration in tasks if start >= ready_ms],
        "long_task_scripts": [whose(start, duration, frames) for start, duration in tasks if start < ready_ms and duration > 50],
        "bytes_ready": sizes.sizes([url for url, end in finished if end <= ready_at]),
        "bytes_idle": sizes.sizes([url for url, _ in finished]),
    }
    context.remove_listener("requestfinished", record)
    return {"page": page, **result}


def whose(start: float, duration: float, frames: list[Any]) -> str:
    """The script that ran longest in the animation frame holding a long task ("-" if none did)."""
    for frame_start, frame_duration, scripts in frames:
        if frame_start <= start + 1 and start + duration <= frame_start + frame_duration + 1:
            return max(scripts, key=lambda script: script[1])[0] if scripts else "-"
    return "?"


def stages(timings: dict[str, float]) -> str:
    """The worker's own stages, in ms since it started."""
    return " ".join(f"{name} {value:.0f}" for name, value in timings.items())


def time_to_ready(browser: Any, url: str, *, probe: bool = False, network: dict[str, Any] | None = None) -> float:
    """Navigation to window.__ready, in a fresh context: the bare page sets it, the checklist's PROBE."""
    context = browser.new_context()
    try:
        page = context.new_page()
        if probe:
            page.add_init_script(PROBE)
        if network:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", network)
        page.goto(url)
        page.wait_for_function("() => window.__ready", timeout=120_000)
        return float(page.evaluate("window.__ready"))
    finally:
        context.close()


def build_times(reps: int) -> dict[str, Any]:
    config = (ROOT / "mkdocs.yml").read_text()
    without = ROOT / ".bench-nohooks.yml"
    without.write_text(re.sub(r"^hooks:\n(?:  - .*\n)+", "", config, flags=re.MULTILINE))  # every hook off
    timings: dict[str, list[float]] = {"with_hooks": [], "without_hooks": []}
    try:
        with tempfile.TemporaryDirectory() as out:
            for _ in range(reps):
                for name, args in (("with_hooks", []), ("without_hooks", ["-f", str(without)])):
                    start = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", out, *args], cwd=ROOT, check=True,
                                   capture_output=True, env={"NO_MKDOCS_2_WARNING": "1", "LLMS_TXT": "false",  # the hooks' cost, without the llms.txt plugin's
                                        "PATH": "/usr/bin:/bin", "HOME": str(Path.home())})  # fmt: skip
                    timings[name].append(time.perf_counter() - start)
    finally:
        without.unlink()
    return {name: median_spread(values) for name, values in timings.items()}

# What would change the result (issue 14): from an answer to the what-if list shown for it. The
# worker computes it after the outcome, in slices; the outcome's own round trip is ROUND_TRIP.
WHAT_IF_TRIPS = 50  # per page and repetition
WHAT_IF_TRIP = """async (count) => {
  const root = document.querySelector("[data-checklist]");
  const list = root.querySelector("[data-what-if-list]");
  const inputs = [...root.querySelectorAll("input[type=radio]")];
  const done = (after) => new Promise(resolve => {  // a what-if shown after the answer, none pending
    const check = () => list.dataset.done !== after && list.dataset.state === "ready" && root.dataset.pending === "0";
    if (check()) return resolve();
    const watch = new MutationObserver(() => { if (check()) { watch.disconnect(); resolve(); } });
    watch.observe(root, { attributes: true, subtree: true, attributeFilter: ["data-state", "data-pending", "data-done"] });
  });
  await done(undefined);
  const times = [];
  for (let i = 0; i < count; i++) {
    const input = inputs[(i * 7) % inputs.length];
    const after = list.dataset.done;
    const start = performance.now();
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    await done(after);
    times.push(performance.now() - start);
  }
  return times;
}"""


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "latest.json")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse performance runs per page (0: none)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        result = build(ROOT, site)
        if result.returncode:
            print(result.stderr, file=sys.stderr)
            return 1
        version = json.loads((ROOT / "package.json").read_text())["dependencies"]["pyodide"]
        (site / "__bench__").mkdir()
        (site / "__bench__" / "bare.html").write_text(BARE_PAGE)
        (site / "__bench__" / "bare-worker.mjs").write_text(BARE_WORKER.replace("VERSION", version))
        # The baseline: a bare boot of the untouched runtime (Pyodide's own stdlib) from the site's
        # files; for reference, the same with the trimmed stdlib the site ships.
        shutil.copyfile(ROOT / "node_modules" / "pyodide" / "python_stdlib.zip", site / "__bench__" / "python_stdlib.zip")
        trimmed = next(site.glob("assets/stdlib/*/python_stdlib.zip")).relative_to(site).as_posix()
        runs: dict[str, list[Any]] = {"bare": [], "bare_trimmed": [], "cold": [], "warm": [], "longtasks": [], "longtasks_after": [], "longest_per_load": [], "long_task_scripts": [], "bytes_ready": [], "bytes_idle": [], "round_trip": [], "round_trip_fresh": [], "what_if": [], "network_bare": [], "network_cold": []}
        # Served with the headers the build writes (policy, year-long caching of hashed files), as
        # a static host that honours `_headers` would.
        # The bench's own bare page has an inline script, so the policy is not sent for it.
        host_headers = headers_from_file(site)

        def headers(path: str) -> dict[str, str]:
            found = dict(host_headers(path))
            return {k: v for k, v in found.items() if k != "Content-Security-Policy"} if path.startswith("/__bench__/") else found

        with serve(site, headers=headers) as server, serve(site, headers=headers, compress=True) as compressed, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
            sizes = Bytes(site, server.url)
            checklist = server.url + "checklist/"
            for rep in range(args.reps):  # interleaved: bare, cold, warm, each repetition
                runs["bare"].append(time_to_ready(browser, server.url + "__bench__/bare.html?stdlib=python_stdlib.zip"))
                runs["bare_trimmed"].append(time_to_ready(browser, server.url + f"__bench__/bare.html?stdlib=../{trimmed}"))
                context = browser.new_context()
                cold = visit(context, checklist, sizes)
                runs["round_trip_fresh"] += cold["page"].evaluate(ROUND_TRIP, ROUND_TRIPS)
                cold["page"].close()
                warm = visit(context, checklist, sizes)
                runs["round_trip"] += warm["page"].evaluate(ROUND_TRIP, ROUND_TRIPS)
                runs["what_if"] += warm["page"].evaluate(WHAT_IF_TRIP, WHAT_IF_TRIPS)
                context.close()
                runs["cold"].append(cold["ready_ms"])
                runs["warm"].append(warm["ready_ms"])
                runs["longtasks"] += cold["longtasks_ms"] + warm["longtasks_ms"]
                runs["longtasks_after"] += cold["longtasks_after_ms"] + warm["longtasks_after_ms"]
                runs["longest_per_load"] += [max(cold["longtasks_ms"], default=0.0), max(warm["longtasks_ms"], default=0.0)]
                runs["long_task_scripts"] += cold["long_task_scripts"] + warm["long_task_scripts"]
                runs["bytes_ready"].append(cold["bytes_ready"])
                runs["bytes_idle"].append(cold["bytes_idle"])
                print(f"rep {rep + 1}: bare {runs['bare'][-1]:.0f} ms, cold {cold['ready_ms']:.0f} ms, warm {warm['ready_ms']:.0f} ms;"
                      f" worker cold {stages(cold['worker_ms'])}, warm {stages(warm['worker_ms'])}", file=sys.stderr)  # fmt: skip
            for rep in range(NETWORK_REPS):
                runs["network_bare"].append(time_to_ready(browser, compressed.url + "__bench__/bare.html?stdlib=python_stdlib.zip", network=NETWORK))
                runs["network_cold"].append(time_to_ready(browser, compressed.url + "checklist/", probe=True, network=NETWORK))
                print(f"10 Mbit/s, rep {rep + 1}: bare {runs['network_bare'][-1]:.0f} ms, cold {runs['network_cold'][-1]:.0f} ms", file=sys.stderr)
            browser.close()
        lighthouse: dict[str, Any] = {}
        if args.lighthouse_runs > 0:  # served gzipped, as a real host would (the `.gz` siblings, text on the fly)
            with serve(site, headers=headers, compress=True) as compressed:
                try:
                    lighthouse = lighthouse_performance(compressed.url, LIGHTHOUSE_PAGES, args.lighthouse_runs, chromium=_chromium())
                except LighthouseError as error:
                    print(error, file=sys.stderr)
                    lighthouse = {"error": str(error)}
    builds = build_times(max(3, args.reps // 2))
    rebuilds = bench_rebuild.rebuild_times(max(3, args.reps // 2))
    bare, cold, warm = (median_spread(runs[k]) for k in ("bare", "cold", "warm"))
    trips, fresh = runs["round_trip"], runs["round_trip_fresh"]
    report = {
        "machine": {"cpu_count": __import__("os").cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "chromium": subprocess.run([_chromium(), "--version"], capture_output=True, text=True).stdout.strip()},
        "bare_boot_ms": bare,
        "bare_boot_trimmed_stdlib_ms": median_spread(runs["bare_trimmed"]),
        "ready_cold_ms": cold,
        "ready_warm_ms": warm,
        "network_10mbit_gzip_ms": {"bare": median_spread(runs["network_bare"]), "cold": median_spread(runs["network_cold"]), "network": NETWORK},
        "round_trip_ms": {"p50": percentile(trips, 50), "p95": percentile(trips, 95), "n": len(trips)},
        "what_if_round_trip_ms": {"p50": percentile(runs["what_if"], 50), "p95": percentile(runs["what_if"], 95), "n": len(runs["what_if"])},
        "round_trip_fresh_engine_ms": {"p50": percentile(fresh, 50), "p95": percentile(fresh, 95), "n": len(fresh)},
        "longest_task_ms": max(runs["longtasks"], default=0.0),
        "longest_task_after_ready_ms": max(runs["longtasks_after"], default=0.0),
        "longest_task_per_load_ms": runs["longest_per_load"],  # cold and warm, each repetition
        "long_tasks_by_script": dict(collections.Counter(runs["long_task_scripts"])),  # those over 50 ms until ready
        "bytes_until_ready": {"raw": runs["bytes_ready"][-1][0], "gzip": runs["bytes_ready"][-1][1]},
        "bytes_until_idle": {"raw": runs["bytes_idle"][-1][0], "gzip": runs["bytes_idle"][-1][1]},
        "build_s": builds,
        "rebuild_s": rebuilds,
        "lighthouse_performance": lighthouse,
        "ratios": {
            "cold_ready_over_bare": cold["median"] / bare["median"],
            "warm_over_cold": warm["median"] / cold["median"],
            "network_cold_over_bare": statistics.median(runs["network_cold"]) / statistics.median(runs["network_bare"]),
            "build_with_over_without": builds["with_hooks"]["median"] / builds["without_hooks"]["median"],
        },
    }  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    print(f"\nwritten: {args.out}")
    return 0


def table(r: dict[str, Any]) -> str:
    def ms(d: dict[str, float]) -> str:
        return f"{d['median']:7.0f} ms  ({d['min']:.0f}–{d['max']:.0f}, n={d['n']})"

    mb = 1_000_000
    rows = [
        ("(a) bare loadPyodide in a worker", ms(r["bare_boot_ms"]), "baseline: the site's runtime files, Pyodide's stdlib"),
        ("(a) … with the site's trimmed stdlib", ms(r["bare_boot_trimmed_stdlib_ms"]), "reference"),
        ("(b) navigation → ready, cold", ms(r["ready_cold_ms"]), f"÷ bare = {r['ratios']['cold_ready_over_bare']:.2f}  (target ≤ 1.05)"),
        ("(b) navigation → ready, warm", ms(r["ready_warm_ms"]), f"÷ cold = {r['ratios']['warm_over_cold']:.2f}  (target ≤ 0.30)"),
        ("(b) … cold, 10 Mbit/s 40 ms, gzip", f"{r['network_10mbit_gzip_ms']['cold']['median']:7.0f} ms against bare {r['network_10mbit_gzip_ms']['bare']['median']:.0f} ms",
         f"÷ bare = {r['ratios']['network_cold_over_bare']:.2f}  (reference, n={r['network_10mbit_gzip_ms']['cold']['n']})"),
        ("(c) answer → result, warm page", f"p50 {r['round_trip_ms']['p50']:.1f} ms, p95 {r['round_trip_ms']['p95']:.1f} ms (n={r['round_trip_ms']['n']})", "(target p95 ≤ 5 ms)"),
        ("(c) answer → what would change it, warm page", f"p50 {r['what_if_round_trip_ms']['p50']:.1f} ms, p95 {r['what_if_round_trip_ms']['p95']:.1f} ms (n={r['what_if_round_trip_ms']['n']})", "(target p95 ≤ 50 ms)"),
        ("(c) … cold page (fresh engine)", f"p50 {r['round_trip_fresh_engine_ms']['p50']:.1f} ms, p95 {r['round_trip_fresh_engine_ms']['p95']:.1f} ms", "reference"),
        ("(d) longest main-thread task", f"{r['longest_task_ms']:.0f} ms until ready, {r['longest_task_after_ready_ms']:.0f} ms after",
         f"over 50 ms in {sum(t > 50 for t in r['longest_task_per_load_ms'])} of {len(r['longest_task_per_load_ms'])} loads"
         f"{''.join(f', {name} ×{count}' for name, count in r['long_tasks_by_script'].items())}  (target: none)"),
        ("(e) bytes until ready, cold", f"{r['bytes_until_ready']['raw'] / mb:.2f} MB raw, {r['bytes_until_ready']['gzip'] / mb:.2f} MB gzip", "(target ≤ 4.7 MB gzip)"),
        ("(e) bytes until idle, cold", f"{r['bytes_until_idle']['raw'] / mb:.2f} MB raw, {r['bytes_until_idle']['gzip'] / mb:.2f} MB gzip", ""),
        ("(f) mkdocs build, hooks on / off", f"{r['build_s']['with_hooks']['median']:.2f} s / {r['build_s']['without_hooks']['median']:.2f} s",
         f"ratio {r['ratios']['build_with_over_without']:.2f}  (target ≤ 1.3)"),
    ]  # fmt: skip
    lighthouse = r.get("lighthouse_performance") or {}
    if "error" in lighthouse:
        rows.append(("(g) Lighthouse performance, gzip", "failed", lighthouse["error"].splitlines()[0]))
    for path, p in lighthouse.get("pages", {}).items():
        rows.append((f"(g) Lighthouse, gzip: /{path}", f"{p['score']:.2f}  (runs {' '.join(f'{s:.2f}' for s in p['scores'])})",
                     f"FCP {p['fcp_ms'] / 1000:.1f} s, LCP {p['lcp_ms'] / 1000:.1f} s, TBT {p['tbt_ms']:.0f} ms, CLS {p['cls']:.3f},"
                     f" SI {p['si_ms'] / 1000:.1f} s  (target ≥ 0.99)"))  # fmt: skip
    rebuilds = "\n" + bench_rebuild.table(r["rebuild_s"]) if "rebuild_s" in r else ""
    return "\n".join(f"{a:<36} {b:<44} {c}" for a, b, c in rows) + rebuilds + f"\n\nmachine: {r['machine']}"


if __name__ == "__main__":
    sys.exit(bench_rebuild.main(sys.argv[2:]) if sys.argv[1:2] == ["rebuild"] else main())
