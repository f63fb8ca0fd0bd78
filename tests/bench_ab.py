"""An interleaved A/B of the answer → result round trip: this checkout against an earlier commit,
both built and served here and measured in one Chromium in one run, so that the machine's speed
(which varies from day to day, and minute to minute on a shared 2-core machine) cancels out.

Not a test. Run: `.venv/bin/python -m tests.bench_ab REF [--blocks 8] [--answers 150]`, e.g.
`python -m tests.bench_ab e90ff79`. Each side opens the checklist twice in its own context (the
second visit restores the engine's snapshot: the warm page of `make bench`); then, block by block
in rotating order, each side's page is brought to the front and answers `--answers` changes with
`make bench`'s own ROUND_TRIP. It prints p50 / p90 / p95 per side and the ratios this ÷ REF."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from tests.bench import READY, ROUND_TRIP, percentile
from tests.conftest import CHROMIUM_ARGS, _chromium
from tests.sitekit import ROOT, build, copy_project, headers_from_file, serve

WARM_UP_ANSWERS = 20  # per block, not counted: the page in front again settles first


def checkout(ref: str, dest: Path) -> Path:
    """The project's files at commit `ref`, as a project folder (node_modules and the build cache
    linked from this checkout). Raises subprocess.CalledProcessError for an unknown ref."""
    archive = subprocess.run(["git", "archive", "--format=tar", ref], cwd=ROOT, capture_output=True, check=True).stdout
    source = dest / "source"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    return copy_project(dest / "project", source_root=source)


def warm_page(browser: Any, url: str) -> Any:
    """The checklist's second visit in a fresh context: the warm page."""
    context = browser.new_context()
    for visit in range(2):
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(READY, timeout=120_000)
        if visit == 0:
            page.wait_for_timeout(2_000)  # the snapshot is stored at idle
            page.close()
    return page


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench_ab")
    parser.add_argument("ref", help="the commit to compare against, e.g. e90ff79 or HEAD~3")
    parser.add_argument("--blocks", type=int, default=8, help="blocks per side (default 8)")
    parser.add_argument("--answers", type=int, default=150, help="answers per block (default 150)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        sites = {"this": Path(tmp) / "this-site", args.ref: Path(tmp) / "ref-site"}
        projects = {"this": ROOT, args.ref: checkout(args.ref, Path(tmp) / "ref")}
        for name, project in projects.items():
            result = build(project, sites[name])
            if result.returncode:
                print(f"the build of {name} failed:\n{result.stderr}", file=sys.stderr)
                return 1
        times: dict[str, list[float]] = {name: [] for name in sites}
        with serve(sites["this"], headers=headers_from_file(sites["this"])) as this, serve(sites[args.ref], headers=headers_from_file(sites[args.ref])) as ref, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
            pages = {"this": warm_page(browser, this.url + "checklist/"), args.ref: warm_page(browser, ref.url + "checklist/")}
            names = list(pages)
            for block in range(args.blocks):
                for name in names[block % 2 :] + names[: block % 2]:
                    pages[name].bring_to_front()
                    pages[name].evaluate(ROUND_TRIP, WARM_UP_ANSWERS)
                    times[name] += pages[name].evaluate(ROUND_TRIP, args.answers)
            browser.close()
    stats = {name: {p: percentile(t, p) for p in (50, 90, 95)} for name, t in times.items()}
    for name, s in stats.items():
        print(f"{name:>12}: answer -> result, warm page  p50 {s[50]:.1f} ms  p90 {s[90]:.1f} ms  p95 {s[95]:.1f} ms  (n={len(times[name])})")
    ratios = "  ".join(f"p{p} {stats['this'][p] / stats[args.ref][p]:.2f}" for p in (50, 90, 95))
    print(f"{'this ÷ ' + args.ref:>12}: {ratios}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
