"""Render checklist markers into HTML and check every link a checklist makes: plain functions,
called by the MkDocs adapter (checklists.py) and by the tests, with no MkDocs import."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from decision import Checklist, referenced_criteria
from decision.docs_links import DIAGRAM_MARKER, MARKER, guide_links, share_link_problems
from decision.engine import AnswerTest, answer_test_text, answer_tests, test_key
from decision.model import All, Any, Condition, Not, Ref
from decision.whatif import change_phrase

__all__ = [
    "DIAGRAM_MARKER",
    "MARKER",
    "LinkProblem",
    "guide_links",
    "markers",
    "criteria_tree",
    "direct_tests",
    "render_checklist",
    "share_link_problems",
    "still_missing",
]


_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=False,
)


@dataclass(frozen=True)
class LinkProblem:
    key: str
    link: str
    message: str


def markers(markdown: str) -> list[str]:
    """The checklist ids named by markers in a page, in order."""
    return [m["id"] for m in MARKER.finditer(markdown)]


def render_checklist(
    checklist: Checklist,
    *,
    link: Callable[[str], str],
    markdown: Callable[[str], str],
    urls: Mapping[str, str],
) -> str:
    """The checklist's HTML. `link` turns a docs path (`learn/rag.md#x`) into a URL relative to
    the page; `markdown` renders a text with the page's own Markdown settings; `urls` holds the
    runtime folder, the wheel, the stdlib zip and the snapshot, relative to the page."""
    texts = [q.help for q in checklist.questions if q.help]
    texts += [o.summary for o in checklist.outcomes] + [c.summary for c in checklist.caveats]
    links = {path: link(path) for _, path in guide_links(checklist)}
    html = {text: markdown(text) for text in texts}
    template = _templates.get_template("checklist.html")
    children, roots = criteria_tree(checklist)
    phrases = {f"{q.id}={o.id}": change_phrase(checklist, q.id, o.id) for q in checklist.questions for o in q.options}
    return template.render(
        checklist=checklist, links=links, html=html, urls=urls,
        criteria={c.id: c for c in checklist.criteria}, children=children, roots=roots, phrases=phrases,
        tests=direct_tests(checklist),
        question_guides={q.guide for q in checklist.questions}, still_missing=still_missing(checklist),
    )  # fmt: skip


def still_missing(checklist: Checklist) -> dict[str, list[str]]:
    """For each caveat, the criteria it lists as still missing: the parts of each criterion its
    rule requires *not* to hold (the `not-first-step` caveat, shown because readiness does not
    hold, lists the four readiness criteria; the page shows only the unmet ones, issue 17 item 8).
    Empty for a caveat whose rule has no `not` of a named criterion."""

    def negated(condition: Condition) -> list[str]:
        match condition:
            case Not(condition=Ref(criterion=name)):
                named = checklist.criterion(name)
                return (referenced_criteria(named.when) if named else []) or [name]
            case All(conditions=parts) | Any(conditions=parts):
                return list(dict.fromkeys(r for part in parts for r in negated(part)))
        return []

    return {c.id: negated(c.when) for c in checklist.caveats}


def criteria_tree(checklist: Checklist) -> tuple[dict[str, list[str]], list[str]]:
    """Each criterion's directly referenced criteria, and the criteria no other one refers to:
    the explanation reads top-down, from the recommendations to the answers behind them."""
    children = {c.id: referenced_criteria(c.when) for c in checklist.criteria}
    referenced = {child for kids in children.values() for child in kids}
    return children, [c.id for c in checklist.criteria if c.id not in referenced]


def direct_tests(checklist: Checklist) -> dict[str, str]:
    """Every question test written straight into an outcome's or a caveat's rule, by its
    `data-test` key (`rights=unclear,no`), in the checklist's words: the page lists the ones that
    decided the result, beside the criteria."""
    rules = [o.when for o in checklist.outcomes if o.when is not None] + [c.when for c in checklist.caveats]
    tests = dict.fromkeys(AnswerTest(t.question, t.options, False) for rule in rules for t in answer_tests(rule, {}))
    return {test_key(t.question, t.options): answer_test_text(checklist, t) for t in tests}
