"""`make build` leaves the last good site in place when a build fails, so that a server showing
site/ keeps showing it; a good build replaces it whole."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from tests.sitekit import ROOT, copy_project


def make_build(project: Path) -> subprocess.CompletedProcess[str]:
    """`make build` in a copy of the project, with this checkout's .venv and node_modules taken
    as they are (-o: never set up again, which would write into them)."""
    env = {**os.environ, "PYTHONPATH": str(project), "SITE_URL": "http://127.0.0.1:8000/"}
    command = ["make", "-o", ".venv/.ready", "-o", "node_modules/.package-lock.json", "build"]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)


def fingerprint(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_failed_build_keeps_the_last_good_site(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    for name in ("Makefile", "requirements.txt", "package-lock.json"):
        shutil.copy2(ROOT / name, project / name)
    (project / ".venv").symlink_to(ROOT / ".venv")
    good = make_build(project)
    assert good.returncode == 0, good.stderr[-3000:]
    site = project / "site"
    before = fingerprint(site)
    assert "checklist/index.html" in before

    toml = project / "decision" / "checklists" / "fine-tuning.toml"
    toml.write_text(toml.read_text().replace('title = "Budget to maintain"', 'titel = "Budget to maintain"'))
    failed = make_build(project)
    assert failed.returncode != 0
    assert "questions[8] (maintenance).titel: unknown key" in failed.stderr
    assert "make build: the build failed; site/ still holds the last good build" in failed.stderr
    assert fingerprint(site) == before
    assert not (project / "site.next").exists() and not (project / "site.old").exists()

    toml.write_text(toml.read_text().replace('titel = "Budget to maintain"', 'title = "Budget to maintain"').replace('title = "Start with prompting"', 'title = "Start with good prompts"'))
    again = make_build(project)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Start with good prompts" in (site / "checklist" / "index.html").read_text()  # the new site replaced the old
    assert not (project / "site.next").exists() and not (project / "site.old").exists()
