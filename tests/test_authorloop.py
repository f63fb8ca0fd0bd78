"""Issue 16, an author's loop: what each derived file of the build depends on (hooks/site_runtime.py),
that a checklist's words rebuild neither the trimmed stdlib nor the snapshot, and that a rule
change still reaches the page, from a fresh start and from the snapshot."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import decision
from decision.model import All, Any as AnyOf, AtLeast, Condition, Not, OneOf, Ref
from decision.spec import CONDITION_FORMS
from tests.bench_rebuild import OPTIONS
from tests.browser import settle, shown, wait_ready
from tests.sitekit import ROOT, build, copy_project, serve

CHECKLIST = Path("decision/checklists/fine-tuning.toml")
LABEL = 'label = "Yes, and it rarely changes"'
RAG_RULE = 'when = { question = "knowledge", in = ["stable", "changing"] }'
URL = re.compile(r'data-(?P<name>wheel|stdlib|snapshot)="\.\./(?P<uri>[^"]*)"')


def edit(project: Path, path: Path, old: str, new: str) -> None:
    file = project / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path} no longer holds {old!r} once: update this test"
    file.write_text(text.replace(old, new), encoding="utf-8")


def shipped_urls(site: Path) -> dict[str, str]:
    """The wheel, stdlib and snapshot URIs the checklist page points at (site-relative)."""
    html = (site / "checklist" / "index.html").read_text(encoding="utf-8")
    urls = {m["name"]: m["uri"] for m in URL.finditer(html)}
    assert set(urls) == {"wheel", "stdlib", "snapshot"}, urls
    for uri in urls.values():
        assert (site / uri).is_file(), uri
    return urls


def built(project: Path, site: Path) -> dict[str, str]:
    done = build(project, site)
    assert done.returncode == 0, done.stderr[-4000:]
    return shipped_urls(site)


def cache_entries() -> set[str]:
    cache = ROOT / ".cache"
    return {f"{kind}/{entry.name}" for kind in ("stdlib", "snapshot") if (cache / kind).is_dir() for entry in (cache / kind).iterdir()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


# --- the cache keys (no build) ------------------------------------------------------------------


def test_checklist_edits_leave_the_engine_keys_alone_and_code_changes_do_not(project: Path, tmp_path: Path) -> None:
    from site_runtime import engine_digest, runtime_version, snapshot_key, source_digest, stdlib_key

    stdlib = tmp_path / "python_stdlib.zip"
    stdlib.write_bytes(b"a stdlib")
    wheel, engine, key, snapshot = source_digest(project), engine_digest(project), stdlib_key(project), snapshot_key(project, stdlib)
    assert key == f"{runtime_version(project)}-{engine[:16]}"

    edit(project, CHECKLIST, LABEL, 'label = "Yes, and it seldom changes"')  # words
    assert source_digest(project) != wheel, "the wheel holds the checklists: a wording change rebuilds it"
    assert (engine_digest(project), stdlib_key(project), snapshot_key(project, stdlib)) == (engine, key, snapshot)

    edit(project, CHECKLIST, RAG_RULE, RAG_RULE.replace('"stable", ', ""))  # a rule
    edit(project, CHECKLIST, OPTIONS, OPTIONS + '\n  { id = "sometimes", label = "Sometimes" },')  # an option id
    assert (engine_digest(project), stdlib_key(project), snapshot_key(project, stdlib)) == (engine, key, snapshot)

    stdlib.write_bytes(b"another stdlib")
    assert snapshot_key(project, stdlib) != snapshot
    changes = {
        "decision/engine.py": lambda text: text + "\n# a code change\n",
        "decision/checklist.schema.json": lambda text: text.replace("{", "{ ", 1),  # package data that is not a checklist
        "hooks/pyodide_tools.mjs": lambda text: text.replace("PYC_BUDGET = 240_000", "PYC_BUDGET = 230_000"),
        "hooks/engine-probe.toml": lambda text: text.replace('title = "Probe"', 'title = "A probe"'),
    }
    for path, change in changes.items():
        file = project / path
        original = file.read_text(encoding="utf-8")
        file.write_text(change(original), encoding="utf-8")
        assert file.read_text(encoding="utf-8") != original, path
        assert engine_digest(project) != engine, path
        assert stdlib_key(project) != key, path
        file.write_text(original, encoding="utf-8")
    assert engine_digest(project) == engine
    package = project / "package.json"
    package.write_text(package.read_text().replace('"pyodide": "', '"pyodide": "0.0.1-'))
    assert stdlib_key(project) != key and snapshot_key(project, stdlib) != snapshot_key(ROOT, stdlib)


def conditions(condition: Condition) -> Iterator[Condition]:
    yield condition
    match condition:
        case All(conditions=parts) | AnyOf(conditions=parts) | AtLeast(conditions=parts):
            for part in parts:
                yield from conditions(part)
        case Not(condition=inner):
            yield from conditions(inner)


FORM_OF = {OneOf: "answer", All: "all", AnyOf: "any", AtLeast: "at_least", Not: "not", Ref: "criterion"}


def test_the_build_probe_holds_every_part_of_the_format() -> None:
    """The stdlib and the snapshot are keyed on the engine's code only because the build runs the
    engine on this probe, whatever the shipped checklists use (see site_runtime's docstring)."""
    probe = decision.parse_checklist((ROOT / "hooks" / "engine-probe.toml").read_bytes(), "hooks/engine-probe.toml")
    whens = [c.when for c in probe.criteria] + [c.when for c in probe.caveats] + [o.when for o in probe.outcomes if o.when]
    used = {FORM_OF[type(part)] for when in whens for part in conditions(when)}
    assert used == {form.name for form in CONDITION_FORMS}, "hooks/engine-probe.toml must use every condition form"
    assert probe.caveats and any(q.help for q in probe.questions) and any("#" in q.guide for q in probe.questions)
    outcomes = {decision.evaluate(probe, {"a": a, "b": b}).outcome for a in ("yes", "no") for b in ("one", "two", "three")}
    assert outcomes == {o.id for o in probe.outcomes}, "every outcome is reached"


def test_the_engine_forgets_its_checklists_before_the_snapshot() -> None:
    """What pyodide_tools.mjs calls before it takes the snapshot: no checklist stays in memory."""
    from decision import jsonapi

    jsonapi.warm_up("fine-tuning")
    assert jsonapi._checklist.cache_info().currsize >= 1
    jsonapi.forget_checklists()
    assert jsonapi._checklist.cache_info().currsize == 0
    assert json.loads(jsonapi.evaluate_json("fine-tuning", '{"knowledge": "stable"}'))["outcome"] == "rag"  # read again


# --- serve: the page boots without what is still being made --------------------------------------


def test_serve_ships_without_the_slow_files_and_makes_them_in_the_background(project: Path, tmp_path: Path) -> None:
    from site_runtime import SERVE_READY, engine_digest, shipped_files

    cache = tmp_path / "cache"  # empty: neither the stdlib nor the snapshot of this engine is made
    lines: list[str] = []
    done = threading.Event()

    def report(line: str) -> None:
        lines.append(line)
        if "ready" in line or "failed" in line:
            done.set()

    first = shipped_files(project, cache, serving=True, report=report)
    assert first.preparing == ("stdlib", "snapshot")
    assert "snapshot" not in first.urls
    full = project / "node_modules" / "pyodide" / "python_stdlib.zip"
    assert first.files[first.urls["stdlib"]] == full, "the runtime's full stdlib, which holds every module"
    assert "`make build` always ships everything" in lines[0] and "in the background" in lines[0]
    assert done.wait(600), lines
    assert "ready" in lines[-1], lines
    assert (cache / SERVE_READY / "engine").read_text().strip().endswith(engine_digest(project)[:16])
    second = shipped_files(project, cache, serving=True, report=lines.append)
    assert second.preparing == ()
    assert second.urls.keys() >= {"stdlib", "snapshot"} and second.files[second.urls["stdlib"]] != full
    # `mkdocs build` ships the same files, from the cache
    assert shipped_files(project, cache).urls == second.urls


# --- builds of a copy of the project, and the page in Chromium ---------------------------------


def open_page(context: Any, url: str) -> Any:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(url)
    wait_ready(page)
    settle(page)
    return page


def test_a_wording_change_rebuilds_neither_stdlib_nor_snapshot(project: Path, tmp_path: Path, browser: Any) -> None:
    before = built(project, tmp_path / "before")
    entries = cache_entries()
    words = "Yes, and it changes once in a blue moon"
    edit(project, CHECKLIST, LABEL, f'label = "{words}"')
    after = built(project, tmp_path / "site")
    assert after["wheel"] != before["wheel"], "the words are package data of the wheel"
    assert (after["stdlib"], after["snapshot"]) == (before["stdlib"], before["snapshot"])
    assert cache_entries() == entries, "nothing new in .cache/stdlib nor .cache/snapshot"
    with serve(tmp_path / "site") as server:
        context = browser.new_context()
        try:
            page = open_page(context, server.url + "checklist/#knowledge=stable")
            assert page.locator('label:has(input[name="knowledge"][value="stable"]) span').inner_text() == words
            assert page.is_checked('input[name="knowledge"][value="stable"]')
            assert shown(page)[0] == "rag"
            assert page.errors == []
        finally:
            context.close()


def test_a_rule_change_reaches_the_page_fresh_and_from_the_snapshot(project: Path, tmp_path: Path, browser: Any) -> None:
    """A new option id on `knowledge`, and retrieval advised for that option only: the built page
    follows the new rule (as CPython evaluates it) when the engine starts fresh, and when it is
    restored from the snapshot that the build did not remake."""
    before = built(project, tmp_path / "before")
    original = decision.load_checklist("fine-tuning")
    edit(project, CHECKLIST, OPTIONS, OPTIONS + '\n  { id = "in-house", label = "Yes, our own documents" },')
    edit(project, CHECKLIST, RAG_RULE, 'when = { question = "knowledge", in = ["in-house"] }')
    changed = decision.parse_checklist((project / CHECKLIST).read_bytes(), str(CHECKLIST))
    after = built(project, tmp_path / "site")
    assert after["wheel"] != before["wheel"] and (after["stdlib"], after["snapshot"]) == (before["stdlib"], before["snapshot"])
    cases = ["knowledge=in-house", "knowledge=changing&style=yes", "knowledge=stable"]
    expected = {case: decision.evaluate(changed, dict(p.split("=") for p in case.split("&"))).outcome for case in cases}
    old_rule = {case: decision.evaluate(original, dict(p.split("=") for p in case.split("&") if p != "knowledge=in-house")).outcome for case in cases}
    assert expected != old_rule, "the edit changes results"
    with serve(tmp_path / "site") as server:
        for case in cases:  # a first visit: the engine starts fresh
            context = browser.new_context()
            try:
                check(open_page(context, server.url + "checklist/#" + case), case, "fresh", expected[case])
            finally:
                context.close()
        context = browser.new_context()  # a returning reader: the engine is restored from the snapshot
        try:
            first = open_page(context, server.url + "checklist/")
            first.wait_for_function("() => caches.open('checklist-engine-snapshots').then(c => c.keys()).then(k => k.length === 1)", polling=200, timeout=30_000)
            first.close()
            for case in cases:
                check(open_page(context, server.url + "checklist/#" + case), case, "snapshot", expected[case])
        finally:
            context.close()


def check(page: Any, case: str, boot: str, outcome: str) -> None:
    assert page.get_attribute("[data-checklist]", "data-boot") == boot
    knowledge = case.split("&")[0].split("=")[1]
    assert page.is_checked(f'input[name="knowledge"][value="{knowledge}"]'), f"{case}: the link's new option is understood"
    assert shown(page)[0] == outcome, (boot, case)
    assert page.errors == []
    page.close()
