"""Lighthouse (pinned in package.json) on three kinds of page: accessibility, best practices and
SEO must each score 1.00. One run per page, against the built site served on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.sitekit import NO_OMNIBOX_POPUP, ROOT

LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("accessibility", "best-practices", "seo")
PAGES = [pytest.param("", id="home"), pytest.param("guidance/rag/", id="guidance"), pytest.param("checklist/", id="checklist")]


def tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is needed for the Lighthouse tests: {hint}")
    return path


@pytest.mark.parametrize("path", PAGES)
def test_lighthouse_scores_are_perfect(server: Any, path: str, tmp_path: Path) -> None:
    if not LIGHTHOUSE.is_file():
        pytest.fail(f"Lighthouse is missing ({LIGHTHOUSE}): run `npm ci`")
    chromium = os.environ.get("CHROMIUM") or tool("chromium", "apt-get install chromium (or set CHROMIUM=/path/to/it)")
    report_path = tmp_path / "lighthouse.json"
    command = [
        tool("node", "install Node 20+"), str(LIGHTHOUSE), server.url + path,
        f"--chrome-path={chromium}", f"--chrome-flags=--headless=new --no-sandbox --disable-gpu {NO_OMNIBOX_POPUP}",
        f"--only-categories={','.join(CATEGORIES)}", "--output=json", "--quiet", f"--output-path={report_path}",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert result.returncode == 0 and report_path.is_file(), result.stderr[-4000:]
    report = json.loads(report_path.read_text())
    assert not report.get("runtimeError"), report["runtimeError"]
    scores = {category: report["categories"][category]["score"] for category in CATEGORIES}
    failing = [
        f"{category}: {ref['id']} - {report['audits'][ref['id']]['title']} (score {report['audits'][ref['id']]['score']})"
        for category in CATEGORIES
        for ref in report["categories"][category]["auditRefs"]
        if ref["weight"] > 0 and report["audits"][ref["id"]]["score"] not in (None, 1)
    ]
    print(f"\nLighthouse {report['lighthouseVersion']} on /{path}: {scores}")
    assert scores == dict.fromkeys(CATEGORIES, 1), "\n".join(failing)
