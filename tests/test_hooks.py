"""The hooks: the HTML contract in the built site, and builds that fail with a clear message."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import decision
from tests.sitekit import ROOT, build, copy_project

# --- the real site -------------------------------------------------------------------------


def test_checklist_page_holds_the_dom_contract(site: Path, fine_tuning: decision.Checklist) -> None:
    html = (site / "checklist" / "index.html").read_text()
    assert re.search(r'<div class="checklist" data-checklist="fine-tuning" data-state="loading"', html)
    for question in fine_tuning.questions:
        for option in question.options:
            assert f'<input type="radio" name="{question.id}" value="{option.id}"' in html
    for outcome in fine_tuning.outcomes:
        assert f'data-outcome="{outcome.id}" data-tone="{outcome.tone}" hidden' in html
    for caveat in fine_tuning.caveats:
        assert f'data-caveat="{caveat.id}" hidden' in html
    assert html.count("<fieldset") == len(fine_tuning.questions)
    assert 'role="status"' in html and 'role="alert"' in html
    assert "<!-- checklist" not in html  # the marker was replaced


def test_runtime_and_wheel_are_shipped_under_versioned_and_hashed_paths(site: Path) -> None:
    html = (site / "checklist" / "index.html").read_text()
    runtime = re.search(r'data-runtime="\.\./(assets/pyodide/314\.0\.7/)"', html)
    wheel = re.search(r'data-wheel="\.\./(assets/wheels/([0-9a-f]{16})/decision-[^"]+\.whl)"', html)
    assert runtime and wheel
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm"):
        assert (site / runtime[1] / name).is_file()
    assert not (site / runtime[1] / "python_stdlib.zip").exists()  # the trimmed one is shipped instead
    stdlib = re.search(r'data-stdlib="\.\./(assets/stdlib/[0-9a-f]{16}/python_stdlib\.zip)"', html)
    snapshot = re.search(r'data-snapshot="\.\./(assets/snapshots/[0-9a-f]{16}/engine\.snapshot)"', html)
    assert stdlib and snapshot
    modules = {name.rsplit(".", 1)[0] for name in zipfile.ZipFile(site / stdlib[1]).namelist()}  # .py or .pyc
    assert {"json/__init__", "tomllib/_parser", "traceback"} <= modules and len(modules) < 250
    assert (site / snapshot[1]).stat().st_size > 1_000_000
    names = zipfile.ZipFile(site / wheel[1]).namelist()
    assert "decision/checklists/fine-tuning.toml" in names and "decision/jsonapi.py" in names


def test_guidance_links_resolve_relative_to_the_page(site: Path) -> None:
    html = (site / "checklist" / "index.html").read_text()
    assert '<a href="../learn/rag/#when-rag-fits">' in html
    assert re.search(r'<a href="\.\./guidance/rag-and-fine-tuning/"[^>]*>What this means, and next steps</a>', html)


def test_no_page_loads_anything_from_another_origin(site: Path) -> None:
    loads = r'<(?:script|img|iframe|source)\b[^>]*\bsrc="(?:https?:)?//|<link\b[^>]*rel="(?:stylesheet|preload|modulepreload|icon|manifest)"[^>]*href="(?:https?:)?//'
    pattern = re.compile(loads, re.IGNORECASE)
    offenders = [str(p.relative_to(site)) for p in site.rglob("*.html") if pattern.search(p.read_text())]
    assert offenders == []


def test_every_page_has_a_description_and_link_preview(site: Path) -> None:
    for page in site.rglob("index.html"):
        if page.parent.name in ("search",):
            continue
        html = page.read_text()
        assert re.search(r'<meta name="description" content="[^"]{20,}"', html), page
        assert '<meta property="og:title"' in html and '<meta property="og:description"' in html, page


# --- builds that must fail, in a temporary copy of the project ------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def fails(project: Path, tmp_path: Path) -> str:
    result = build(project, tmp_path / "out")
    assert result.returncode != 0, "the build should have failed"
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.any_checklists
def test_unknown_checklist_in_a_marker(project: Path, tmp_path: Path) -> None:
    page = project / "docs" / "faq.md"
    page.write_text(page.read_text() + "\n<!-- checklist fine-tunning -->\n")
    valid = ", ".join(sorted(p.stem for p in (project / "decision" / "checklists").glob("*.toml")))
    assert f"faq.md: unknown checklist 'fine-tunning' in a checklist marker (did you mean 'fine-tuning'?); valid: {valid}" in fails(project, tmp_path)


def test_guidance_link_to_a_missing_anchor_or_page(project: Path, tmp_path: Path) -> None:
    rag = project / "docs" / "learn" / "rag.md"
    rag.write_text(rag.read_text().replace("{#when-rag-fits}", "{#when-retrieval-fits}"))
    toml = project / "decision" / "checklists" / "fine-tuning.toml"
    toml.write_text(toml.read_text().replace('guide = "guidance/caveats.md#baseline"', 'guide = "guidance/cavets.md#baseline"'))
    errors = fails(project, tmp_path)
    assert (
        "decision/checklists/fine-tuning.toml: caveats[1] (baseline).guide: links to 'guidance/cavets.md#baseline',"
        " but the site has no page 'guidance/cavets.md' (did you mean 'guidance/caveats.md'?)"
    ) in errors
    toml.write_text(toml.read_text().replace("guidance/cavets.md", "guidance/caveats.md"))
    errors = fails(project, tmp_path)
    assert (
        "decision/checklists/fine-tuning.toml: questions[0] (knowledge).guide: 'learn/rag.md#when-rag-fits':"
        " the page 'learn/rag.md' has no anchor '#when-rag-fits' (did you mean '#when-retrieval-fits'?)"
    ) in errors


def test_invalid_definition_fails_the_build_with_every_problem(project: Path, tmp_path: Path) -> None:
    toml = project / "decision" / "checklists" / "fine-tuning.toml"
    broken = (
        toml.read_text()
        .replace('title = "Budget to maintain"', 'titel = "Budget to maintain"')
        .replace('in = ["over-1000"]', 'in = ["over-9000"]')
        .replace('id = "rag"\n', 'id = "fine-tuning"\n')
    )
    toml.write_text(broken)
    errors = fails(project, tmp_path)
    assert "Invalid checklist definition" in errors
    for expected in (
        "decision/checklists/fine-tuning.toml: questions[8] (maintenance).titel: unknown key (did you mean 'title'?)",
        "decision/checklists/fine-tuning.toml: questions[8] (maintenance).title: is missing",
        "decision/checklists/fine-tuning.toml: criteria[0] (examples).when.in[0]: question 'examples' has no option 'over-9000'",
        "decision/checklists/fine-tuning.toml: outcomes[2] (fine-tuning).id: duplicate id 'fine-tuning': outcomes[1] (fine-tuning) already has it",
    ):
        assert expected in errors


def test_share_link_in_a_page_is_checked(project: Path, tmp_path: Path) -> None:
    page = project / "docs" / "faq.md"
    page.write_text(page.read_text() + "\n[Try it](checklist.md#knowledge=changing&style=yse)\n")
    expected = "faq.md: share link 'checklist.md#knowledge=changing&style=yse': 'style=yse': question 'style' has no option 'yse' (did you mean 'yes'?); valid: yes, no"
    assert expected in fails(project, tmp_path)
    # validate finds it too, in the same words, without building
    report = subprocess.run([sys.executable, "-m", "decision", "validate"], cwd=project, env={**os.environ, "PYTHONPATH": str(project)}, capture_output=True, text=True, timeout=120)
    assert report.returncode == 1 and expected in report.stdout.splitlines()


def test_missing_runtime_names_the_command_that_fetches_it(project: Path, tmp_path: Path) -> None:
    (project / "node_modules").unlink()
    errors = fails(project, tmp_path)
    lines = [line for line in errors.splitlines() if "Pyodide runtime is missing" in line]
    assert len(lines) == 1 and "run `npm ci`" in lines[0]


# --- the wheel -----------------------------------------------------------------------------


def test_wheel_is_reused_until_the_engine_changes(tmp_path: Path) -> None:
    from site_runtime import build_wheel

    project = copy_project(tmp_path / "project")
    first = build_wheel(project, tmp_path / "cache")
    again = build_wheel(project, tmp_path / "cache")
    assert again == first and again.path.stat().st_mtime == first.path.stat().st_mtime
    toml = project / "decision" / "checklists" / "fine-tuning.toml"
    toml.write_text(toml.read_text().replace("Nine questions", "Nine short questions"))
    changed = build_wheel(project, tmp_path / "cache")
    assert changed.digest != first.digest


def test_wheel_is_reproducible(tmp_path: Path) -> None:
    from site_runtime import build_wheel

    assert build_wheel(ROOT, tmp_path / "a").digest == build_wheel(ROOT, tmp_path / "b").digest


def test_sparse_snapshot_keeps_every_byte() -> None:
    from hypothesis import given
    from hypothesis import strategies as st
    from site_runtime import SPARSE_PAGE, sparse, unsparse

    page = st.one_of(st.just(bytes(SPARSE_PAGE)), st.binary(min_size=SPARSE_PAGE, max_size=SPARSE_PAGE))

    @given(st.lists(page, max_size=12), st.binary(max_size=SPARSE_PAGE - 1))
    def round_trip(pages: list[bytes], tail: bytes) -> None:
        memory = b"".join(pages) + tail
        packed = sparse(memory)
        assert unsparse(packed) == memory
        assert len(packed) <= len(memory) + 16 + 8 * (len(pages) + 1)

    round_trip()
    memory = bytes(3 * SPARSE_PAGE) + b"\x01" * SPARSE_PAGE + bytes(SPARSE_PAGE)
    assert len(sparse(memory)) == 8 + 8 + 8 + SPARSE_PAGE  # one run: only the non-zero page is kept
    with pytest.raises(ValueError, match="not a sparse snapshot"):
        unsparse(memory)


def test_shipped_snapshot_is_sparse(site: Path) -> None:
    from site_runtime import SPARSE_MAGIC, unsparse

    snapshot = next(site.glob("assets/snapshots/*/engine.snapshot")).read_bytes()
    assert snapshot.startswith(SPARSE_MAGIC)
    assert len(snapshot) < 0.6 * len(unsparse(snapshot))  # Pyodide's memory is about half zero pages


def test_the_fine_tuning_outcomes_link_to_where_you_can_fine_tune(site: Path, fine_tuning: decision.Checklist) -> None:
    # issue 13: the checklist's fine-tuning outcomes lead to where-to-fine-tune/ (an outcome's `also`)
    html = (site / "checklist" / "index.html").read_text()
    for outcome in fine_tuning.outcomes:
        box = html[html.index(f'data-outcome="{outcome.id}"') :]
        box = box[: box.index("</div>")]
        assert ('href="../where-to-fine-tune/"' in box) == (outcome.id in {"fine-tuning", "rag-and-fine-tuning"}), outcome.id
    assert (site / "where-to-fine-tune" / "index.html").exists()
