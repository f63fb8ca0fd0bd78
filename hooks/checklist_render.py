"""Render checklist markers into HTML and check every link a checklist makes: plain functions,
called by the MkDocs adapter (checklists.py) and by the tests, with no MkDocs import."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from decision import Checklist, decode_answers, referenced_criteria
from decision.whatif import change_phrase

__all__ = [
    "DIAGRAM_MARKER",
    "MARKER",
    "LinkProblem",
    "guide_links",
    "markers",
    "criteria_tree",
    "render_checklist",
    "share_link_problems",
]

# `<!-- checklist ID -->` on its own line: the same comment style as Material's shortcodes.
MARKER = re.compile(r"^[ \t]*<!--[ \t]*checklist[ \t]+(?P<id>\S+)[ \t]*-->[ \t]*$", re.MULTILINE)
DIAGRAM_MARKER = re.compile(r"^[ \t]*<!--[ \t]*checklist-diagram[ \t]+(?P<id>\S+)[ \t]*-->[ \t]*$", re.MULTILINE)

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


def guide_links(checklist: Checklist) -> Iterator[tuple[str, str]]:
    """(key, docs path) for every guidance link in a checklist, keys as in the TOML file."""
    yield "page", checklist.page
    for kind, items in (("questions", checklist.questions), ("criteria", checklist.criteria),
                        ("outcomes", checklist.outcomes), ("caveats", checklist.caveats)):  # fmt: skip
        for index, item in enumerate(items):
            yield f"{kind}[{index}].guide", item.guide


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
    )  # fmt: skip


def criteria_tree(checklist: Checklist) -> tuple[dict[str, list[str]], list[str]]:
    """Each criterion's directly referenced criteria, and the criteria no other one refers to:
    the explanation reads top-down, from the recommendations to the answers behind them."""
    children = {c.id: referenced_criteria(c.when) for c in checklist.criteria}
    referenced = {child for kids in children.values() for child in kids}
    return children, [c.id for c in checklist.criteria if c.id not in referenced]


def share_link_problems(checklist: Checklist, fragment: str) -> list[str]:
    """What is wrong with a share link written in a page (empty when every part is understood)."""
    decoded = decode_answers(checklist, "#" + fragment)
    return [f"{d.part!r} ({d.reason})" for d in decoded.dropped]
