"""End to end in headless Chromium against the real built site: what would change the result, and
two assessments compared (issue 14), on both shipped checklists."""

from __future__ import annotations

from typing import Any

import pytest

import decision
from decision.compare import compare, encode_compare
from decision.whatif import what_if
from tests.browser import checked, settle, wait_ready
from tests.test_accessibility import SCHEMES, axe

PAGES = {"fine-tuning": "checklist/", "training-data": "training-data/"}
WHAT_IF_READY = "[data-what-if-list][data-state=ready]:not([hidden])"


def shown_what_if(page: Any) -> dict[str, tuple[int, list[str]]]:
    found = page.eval_on_selector_all("[data-what-if]", """els => els.map(e => [e.dataset.whatIf,
        [Number(e.dataset.changes), [...e.querySelectorAll('[data-change]')].map(c => c.dataset.change)]])""")
    return {outcome: (n, sorted(changes)) for outcome, (n, changes) in found}


def links_for(checklist: decision.Checklist) -> list[dict[str, str]]:
    questions = checklist.questions
    return [
        {},
        {q.id: q.options[-1].id for q in questions},
        {q.id: q.options[0].id for q in questions[::2]},
    ]


@pytest.mark.parametrize("checklist_id", sorted(PAGES))
def test_what_if_contract_for_a_link(page: Any, server: Any, checklist_id: str) -> None:
    checklist = decision.load_checklist(checklist_id)
    for answers in links_for(checklist):
        page.goto("about:blank")  # a new page load each time, not an in-page jump
        page.goto(server.url + PAGES[checklist_id] + "#" + decision.encode_answers(checklist, answers))
        wait_ready(page, checklist_id)
        settle(page)
        page.wait_for_selector(WHAT_IF_READY)
        expected = what_if(checklist, answers)
        assert shown_what_if(page) == {
            outcome: (expected.size(outcome), sorted(f"{q}={o}" for q, o in expected.changes[outcome])) for outcome in expected.sets
        }, answers
        assert page.locator("[data-what-if]").count() == len(checklist.outcomes) - 1
    assert page.errors == []


def test_what_if_words_links_and_copy_as_text(page: Any, server: Any, context: Any) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(server.url + "checklist/#style=yes&examples=over-1000&task=yes")
    wait_ready(page)
    settle(page)
    page.wait_for_selector(WHAT_IF_READY)
    fine_tuning = page.locator("[data-what-if=fine-tuning]")
    assert fine_tuning.inner_text().startswith("Fine-tune a model would become the recommendation if good prompts had been measured and fell short")
    # a change leads to its question, without losing the answers in the address
    before = page.url
    fine_tuning.locator("[data-change='prompting=insufficient'] a[data-to-question]").click()
    assert page.evaluate("document.activeElement.name + '=' + document.activeElement.value") == "prompting=insufficient"
    assert page.url == before
    assert fine_tuning.locator("[data-change='prompting=insufficient'] .checklist__change-guide a[href*='learn/prompting']").count() == 1  # its guidance
    # long lists fold, but stay in the page; copy as text holds them all
    page.goto("about:blank")
    page.goto(server.url + "checklist/#knowledge=none")
    wait_ready(page)
    settle(page)
    page.wait_for_selector(WHAT_IF_READY)
    both = page.locator("[data-what-if=rag-and-fine-tuning]")
    assert both.locator("details").count() == 1 and not both.locator("details").evaluate("d => d.open")
    page.click("[data-action=copy-text]")
    page.wait_for_function("() => document.querySelector('[data-copied]').textContent !== ''")
    text = page.evaluate("navigator.clipboard.readText()")
    section = text.split("What would change the result:", 1)[1]
    sets = [s for found in what_if(decision.load_checklist("fine-tuning"), {"knowledge": "none"}).sets.values() for s in found]
    assert section.count("you had more than 1,000 validated examples") == sum(("examples", "over-1000") in s for s in sets) > 3
    assert page.errors == []


# Each shape of the lead sentence, with its number of changes in the right grammatical number: one
# set ("… if A and B."), single changes listed with "or", and listed sets ("with N change(s), …").
LEAD_SENTENCES = [
    ("knowledge=changing&style=yes&format=no&latency=no&examples=100-1000&task=yes&metric=yes&prompting=insufficient&maintenance=yes",
     "rag", "Add retrieval (RAG) would become the recommendation with 1 change, in any one of these ways:"),
    ("knowledge=none", "rag-and-fine-tuning", "Combine RAG and fine-tuning would become the recommendation with 5 changes, in any one of these ways:"),
    ("style=yes&examples=over-1000&task=yes", "fine-tuning", "Fine-tune a model would become the recommendation if good prompts had been measured and fell short (guidance)."),
]


@pytest.mark.parametrize(("link", "outcome", "lead"), LEAD_SENTENCES, ids=[o for _, o, _ in LEAD_SENTENCES])
def test_what_if_lead_sentences_count_their_changes(page: Any, server: Any, link: str, outcome: str, lead: str) -> None:
    page.goto(server.url + "checklist/#" + link)
    wait_ready(page)
    settle(page)
    page.wait_for_selector(WHAT_IF_READY)
    assert page.locator(f"[data-what-if={outcome}] > p").first.inner_text() == lead
    for block in page.locator("[data-what-if]").all():  # every block of the page, in the same number
        n = int(block.get_attribute("data-changes"))
        first = block.locator("p").first.inner_text()
        assert " 1 changes" not in first and (f" with {n} change{'s' * (n > 1)}," in first or " with " not in first), first


@pytest.mark.parametrize("checklist_id", sorted(PAGES))
def test_compare_view_from_a_compare_link(page: Any, server: Any, checklist_id: str) -> None:
    checklist = decision.load_checklist(checklist_id)
    a, b = links_for(checklist)[1], links_for(checklist)[2]
    fragment = encode_compare(checklist, a, b)
    page.goto(server.url + PAGES[checklist_id] + "#" + fragment + "&b.nonsense=1")
    wait_ready(page, checklist_id)
    # (not settle(): while comparing, the address is the compare link, not the share link)
    page.wait_for_selector("[data-compare]:not([hidden]) [data-compare-outcome][data-differs]")
    page.wait_for_function("() => document.querySelector('[data-checklist]').dataset.pending === '0'")
    expected = compare(checklist, a, b)
    rows = dict(page.eval_on_selector_all("[data-compare-question]", "els => els.map(e => [e.dataset.compareQuestion, [e.dataset.differs, e.dataset.decisive]])"))
    assert rows == {q.id: [str(q.id in expected.differences).lower(), str(q.id in expected.decisive).lower()] for q in checklist.questions}
    outcomes = page.eval_on_selector_all("[data-compare-outcome] [data-side]", "els => els.map(e => e.dataset.outcomeId)")
    assert outcomes == [expected.a.outcome, expected.b.outcome]
    assert page.is_visible("[data-compare-dropped]") and "b.nonsense=1" in page.inner_text("[data-compare-dropped-parts]")
    # the form holds A; the address, the comparison (without the dropped part)
    assert checked(page) == a
    page.wait_for_function(f"() => location.hash === {('#' + fragment)!r}")
    # stop comparing: back to A's own share link
    page.click("[data-action=stop-compare]")
    page.wait_for_function("() => !location.hash.startsWith('#compare')")
    assert page.is_hidden("[data-compare]")
    assert page.errors == []


def test_paste_a_colleagues_link_to_compare(page: Any, server: Any, fine_tuning: decision.Checklist) -> None:
    mine = {"knowledge": "none", "style": "yes", "examples": "over-1000", "task": "yes", "metric": "yes", "prompting": "insufficient"}
    theirs = {**mine, "knowledge": "changing", "style": "no"}
    page.goto(server.url + "checklist/#" + decision.encode_answers(fine_tuning, mine))
    wait_ready(page)
    settle(page)
    page.fill("[data-compare-input]", server.url + "checklist/#" + decision.encode_answers(fine_tuning, theirs))
    page.click("[data-compare-form] button")
    page.wait_for_selector("[data-compare]:not([hidden]) [data-compare-outcome][data-differs=true]")
    page.wait_for_function("() => document.querySelector('[data-checklist]').dataset.pending === '0'")
    decisive = page.eval_on_selector_all("[data-decisive=true]", "els => els.map(e => e.dataset.compareQuestion)")
    assert decisive == list(compare(fine_tuning, mine, theirs).decisive) == ["knowledge", "style"]
    page.wait_for_function(f"() => location.hash === {('#' + encode_compare(fine_tuning, mine, theirs))!r}")
    # changing A in the form updates the comparison and its link
    page.check("input[name=style][value=no]")
    page.wait_for_function("() => document.querySelector('[data-compare-question=style]').dataset.differs === 'false'")
    page.go_back()
    page.wait_for_function("() => !location.hash.startsWith('#compare')")
    assert page.is_hidden("[data-compare]")
    assert page.errors == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_what_if_and_compare_meet_wcag_22_aa(page: Any, server: Any, scheme: str) -> None:
    page.goto(server.url + "checklist/#knowledge=none&style=yes&examples=100-1000&task=yes")
    wait_ready(page)
    settle(page)
    page.wait_for_selector(WHAT_IF_READY)
    page.click("[data-what-if] details summary")
    assert axe(page) == []
    page.goto("about:blank")
    page.goto(server.url + "checklist/#compare&a.knowledge=none&a.style=yes&b.knowledge=stable&b.colour=red")
    wait_ready(page)
    page.wait_for_selector("[data-compare]:not([hidden]) [data-compare-outcome][data-differs=true]")
    assert page.is_visible("[data-compare-dropped]")
    assert axe(page) == []
    assert page.errors == []
