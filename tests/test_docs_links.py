"""The checks of links between checklists and docs, shared by the build and `validate`: their
messages, and `read_docs` finding the anchors the build gives each page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import decision
from decision.docs_links import docs_problems, guide_problems, read_docs, share_link_problems
from decision.errors import did_you_mean
from tests.sitekit import ROOT

@pytest.mark.any_checklists
def test_read_docs_finds_what_the_shipped_checklists_link_to() -> None:
    pages = read_docs(ROOT / "docs")
    assert docs_problems(decision.load_all(), pages) == []
    for checklist in decision.load_all().values():
        assert checklist.id in pages[checklist.page].markers


@pytest.mark.any_checklists
def test_guide_problems_name_the_nearest_page_and_anchor() -> None:
    checklist = next(iter(decision.load_all().values()))
    pages = read_docs(ROOT / "docs")
    _, path = next((k, p) for k, p in decision.docs_links.guide_links(checklist) if "#" in p)
    target, _, anchor = path.partition("#")
    typo_page = {name for name in pages if name != target}
    problems = guide_problems(checklist, typo_page | {target[:-3] + "s.md"}, anchors=lambda page: None)
    assert any(f"but the site has no page '{target}' (did you mean '{target[:-3]}s.md'?)" in str(p) for p in problems)
    problems = guide_problems(checklist, set(pages), anchors=lambda page: pages[page].anchors - {anchor} | {anchor + "s"})
    assert any(f"the page '{target}' has no anchor '#{anchor}' (did you mean '#{anchor}s'?)" in str(p) for p in problems)


@pytest.mark.any_checklists
@pytest.mark.parametrize("checklist_id", decision.checklist_ids())
def test_share_link_messages_name_the_valid_options_and_the_nearest(checklist_id: str) -> None:
    checklist = decision.load_checklist(checklist_id)
    question = checklist.questions[0]
    option = question.options[0].id
    valid = ", ".join(o.id for o in question.options)
    assert share_link_problems(checklist, f"{question.id}={option}x") == [
        f"'{question.id}={option}x': question '{question.id}' has no option '{option}x'{did_you_mean(option + 'x', [o.id for o in question.options])}"
    ]
    assert f"; valid: {valid}" in share_link_problems(checklist, f"{question.id}={option}x")[0]
    assert share_link_problems(checklist, f"{question.id}x={option}")[0].startswith(f"'{question.id}x={option}': the checklist '{checklist.id}' has no question '{question.id}x' (did you mean '{question.id}'?)")
    assert share_link_problems(checklist, f"{question.id}={option}") == []


def test_anchors_read_without_building_are_the_built_ones(site: Path) -> None:
    """Every heading anchor of every page, as the build writes it, is found by `read_docs`, and
    every anchor `read_docs` finds is in the built page. (Not the headings a checklist marker
    renders, `ID-result-title`: those are the template's, not the page's.)"""
    for name, page in read_docs(ROOT / "docs").items():
        built = site / (name[: -len(".md")] + "/index.html" if not name.endswith("index.md") else name[: -len(".md")] + ".html")
        html = built.read_text()
        headings = {h for h in re.findall(r'<h[1-6][^>]*\sid="([^"]+)"', html) if not any(h.startswith(f"{m}-") for m in page.markers)}
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        assert headings <= page.anchors, (name, headings - page.anchors)
        assert page.anchors <= ids, (name, page.anchors - ids)
