"""Words and shapes of the result that need no browser (issue 17): which criteria a caveat lists as
still missing, criteria linked once, and diagram captions that follow the diagrams' direction."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import decision
from checklist_diagram import diagram_markdown, mermaid_flowcharts, reading_direction
from checklist_render import render_checklist, still_missing

URLS = {name: f"{name}.bin" for name in ("runtime", "wheel", "stdlib", "snapshot", "worker")}


def rendered(checklist: decision.Checklist) -> str:
    return render_checklist(checklist, link=lambda path: f"/{path}", markdown=lambda text: f"<p>{text}</p>", urls=URLS)


def test_not_first_step_can_list_each_readiness_criterion(fine_tuning: decision.Checklist) -> None:
    assert still_missing(fine_tuning) == {
        "maintenance": [], "baseline": [], "not-first-step": ["examples", "task", "metric", "prompting-insufficient"],
    }  # fmt: skip
    html = rendered(fine_tuning)
    caveat = html[html.index('data-caveat="not-first-step"'):]
    caveat = caveat[: caveat.index("</div>")]
    assert re.findall(r'data-still-missing="([^"]+)"', caveat) == ["examples", "task", "metric", "prompting-insufficient"]
    # the caveat's own sentence no longer names all three things to build
    assert "the metric and the prompting baseline" not in caveat


@pytest.mark.parametrize("checklist_id", decision.checklist_ids())
def test_criteria_link_once(checklist_id: str) -> None:
    checklist = decision.load_checklist(checklist_id)
    html = rendered(checklist)
    question_guides = {q.guide for q in checklist.questions}
    for criterion in checklist.criteria:
        item = re.search(rf'<li data-criterion="{criterion.id}"[^>]*>.*?<span data-title>(.*?)</span>', html, re.DOTALL)
        assert item, criterion.id
        linked = item[1].startswith("<a ")
        assert linked == (criterion.guide not in question_guides), criterion.id


def test_criteria_say_what_the_answers_say(fine_tuning: decision.Checklist) -> None:
    titles = [c.title for c in fine_tuning.criteria]
    assert not [t for t in titles if re.search(r"\bnot\b.*\bnot\b|\bnot known\b", t)], titles


@pytest.mark.parametrize("checklist_id", decision.checklist_ids())
def test_the_diagram_caption_follows_the_diagrams_direction(checklist_id: str) -> None:
    checklist = decision.load_checklist(checklist_id)
    sources = mermaid_flowcharts(checklist)
    caption = diagram_markdown(checklist).strip().split("\n", 1)[0]
    for source in sources:
        assert reading_direction(source) in caption
    assert "from the top" not in caption or all(s.split()[1] in ("TD", "TB") for s in sources)


def test_reading_direction() -> None:
    assert reading_direction("flowchart LR\n  a --> b\n") == "from left to right"
    assert reading_direction("flowchart TD\n") == "from the top down"
    with pytest.raises(ValueError, match="not a Mermaid flowchart with a direction"):
        reading_direction("sequenceDiagram\n")


def test_the_hand_drawn_decision_flow_agrees_with_the_rules() -> None:
    from tests.sitekit import ROOT

    page = (ROOT / "docs/learn/when-to-fine-tune.md").read_text(encoding="utf-8")
    flow = page[page.index("## The decision flow"):]
    flow = flow[flow.index("```mermaid"): flow.index("```\n", flow.index("```mermaid") + 10)]
    assert '"No: 0, 1 or 2"' in flow  # zero readiness criteria has its branch
    assert "no budget to maintain" in flow  # the maintenance caveat
    # the refined not-first-step rule: good-enough prompting is asked before readiness
    assert flow.index("good enough") < flow.index("Readiness")


def test_each_glossary_term_has_its_own_anchor_and_search_entry(site: Path) -> None:
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    entries = {doc["location"]: doc for doc in index if doc["location"].startswith("glossary/")}
    html = (site / "glossary/index.html").read_text(encoding="utf-8")
    terms = re.findall(r'<h2 id="([^"]+)">', html)
    assert len(terms) >= 30
    for term in terms:
        assert f"glossary/#{term}" in entries, term
        assert len(entries[f"glossary/#{term}"]["text"]) < 1000, term  # the term's own definition, not the page
    assert entries["glossary/#lora"]["title"].startswith("LoRA")
    # an A-Z list jumps to the first term of each letter
    letters = re.findall(r'<a href="#([^"]+)">([A-Z])</a>', html[html.index("glossary__letters"):])
    assert letters and all(term in terms for term, _ in letters)
    assert [letter for _, letter in letters] == sorted({html_term[0].upper() for html_term in terms})
