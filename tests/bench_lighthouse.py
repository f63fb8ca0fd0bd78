"""Lighthouse's performance score (mobile, simulated throttling, as Lighthouse ships it) for
`make bench`: the median of a few runs per page, and what limits the score in the worst run."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.sitekit import NO_OMNIBOX_POPUP, ROOT

LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
METRICS = {  # report key -> Lighthouse audit id (its numericValue: ms, or unitless for CLS)
    "fcp_ms": "first-contentful-paint",
    "lcp_ms": "largest-contentful-paint",
    "tbt_ms": "total-blocking-time",
    "cls": "cumulative-layout-shift",
    "si_ms": "speed-index",
}


class LighthouseError(RuntimeError):
    """Lighthouse could not run, or its run failed."""


def run_lighthouse(url: str, chromium: str, workdir: Path) -> dict[str, Any]:
    """One Lighthouse performance run of `url` (a fresh browser profile): its JSON report."""
    node = shutil.which("node")
    if not LIGHTHOUSE.is_file():
        raise LighthouseError(f"Lighthouse is missing ({LIGHTHOUSE}): run `npm ci`")
    if not node:
        raise LighthouseError("node is needed to run Lighthouse: install Node 20+")
    report_path = workdir / "lighthouse.json"
    report_path.unlink(missing_ok=True)
    command = [
        node, str(LIGHTHOUSE), url,
        f"--chrome-path={chromium}", f"--chrome-flags=--headless=new --no-sandbox --disable-gpu {NO_OMNIBOX_POPUP}",
        "--only-categories=performance", "--output=json", "--quiet", f"--output-path={report_path}",
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=240, env={**os.environ, "TMPDIR": str(workdir)})
    except subprocess.TimeoutExpired as error:
        raise LighthouseError(f"Lighthouse on {url} took over {error.timeout:.0f} s") from None
    if result.returncode or not report_path.is_file():
        raise LighthouseError(f"Lighthouse on {url} failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    report = json.loads(report_path.read_text())
    if report.get("runtimeError") or report["categories"]["performance"]["score"] is None:
        raise LighthouseError(f"Lighthouse on {url}: {report.get('runtimeError') or 'no performance score'}")
    return report


def limits(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The performance audits that cost points: the weighted ones (the metrics) under 1, with the
    points each loses, and those with savings to offer (opportunities, and diagnostics with
    Lighthouse 12's `metricSavings`)."""
    refs = report["categories"]["performance"]["auditRefs"]
    total = sum(ref["weight"] for ref in refs)
    found = []
    for ref in refs:
        audit = report["audits"][ref["id"]]
        details = audit.get("details") or {}
        costs: dict[str, Any] = {}
        if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
            costs["points_lost"] = round(ref["weight"] / total * (1 - audit["score"]), 4)
        costs |= {f"{name}_ms": value for name, value in (audit.get("metricSavings") or {}).items() if value and audit["score"] != 1}
        if details.get("type") == "opportunity":
            costs |= {key: details[key] for key in ("overallSavingsMs", "overallSavingsBytes") if details.get(key)}
        if costs:
            found.append({"id": ref["id"], "score": audit["score"], "value": audit.get("displayValue", ""), **costs})
    return found


def long_tasks(report: dict[str, Any]) -> list[tuple[str, int, int]]:
    """The main thread's long tasks (simulated: script path, duration and start in ms): what makes up TBT."""
    items = (report["audits"].get("long-tasks", {}).get("details") or {}).get("items", [])
    return [(urlsplit(item["url"]).path or item["url"], round(item["duration"]), round(item["startTime"])) for item in items]


def lighthouse_performance(base_url: str, paths: list[str], runs: int, *, chromium: str | None = None, keep: Path | None = None) -> dict[str, Any]:
    """`runs` Lighthouse performance runs of each page (paths relative to `base_url`): per page,
    the median score and metrics, every score, and what limits the score in the worst run.
    `keep`: a folder to write each page's worst report to (`<page>.json`)."""
    chromium = chromium or os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise LighthouseError("Chromium is needed for Lighthouse: apt-get install chromium (or set CHROMIUM=/path/to/it)")
    pages: dict[str, Any] = {}
    version = ""
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            reports = [run_lighthouse(base_url + path, chromium, Path(tmp)) for _ in range(runs)]
            version = reports[0]["lighthouseVersion"]
            scores = [report["categories"]["performance"]["score"] for report in reports]
            worst = reports[scores.index(min(scores))]
            pages[path] = {
                "score": statistics.median(scores),
                "scores": scores,
                **{key: statistics.median(report["audits"][audit]["numericValue"] for report in reports) for key, audit in METRICS.items()},
                "worst_limits": limits(worst),
                "worst_long_tasks": long_tasks(worst),
            }
            if keep:
                keep.mkdir(parents=True, exist_ok=True)
                (keep / f"{path.strip('/').replace('/', '_') or 'home'}.json").write_text(json.dumps(worst))
    return {"lighthouse": version, "runs": runs, "form_factor": "mobile, simulated throttling", "pages": pages}
