"""The links between checklists and the docs: each checklist's guide pages and anchors, the page
that shows it, and the share links written in pages. One set of checks and messages, used by the
site build (hooks/checklists.py, with what MkDocs knows of each page) and by
`python -m decision validate` (with what `read_docs` finds in docs/ without building)."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from .errors import Problem, did_you_mean, table_key
from .messages import dropped_message
from .model import Checklist
from .share import decode_answers, encode_answers

__all__ = ["DIAGRAM_MARKER", "MARKER", "DocsPage", "docs_problems", "guide_links", "guide_problems", "read_docs", "share_link_problems"]

# `<!-- checklist ID -->` on its own line: the same comment style as Material's shortcodes.
MARKER = re.compile(r"^[ \t]*<!--[ \t]*checklist[ \t]+(?P<id>\S+)[ \t]*-->[ \t]*$", re.MULTILINE)
DIAGRAM_MARKER = re.compile(r"^[ \t]*<!--[ \t]*checklist-diagram[ \t]+(?P<id>\S+)[ \t]*-->[ \t]*$", re.MULTILINE)


def guide_links(checklist: Checklist) -> Iterator[tuple[str, str]]:
    """(key, docs path) for every guidance link in a checklist, keys as messages name them
    (`questions[0] (knowledge).guide`)."""
    yield "page", checklist.page
    for kind, items in (("questions", checklist.questions), ("criteria", checklist.criteria),
                        ("outcomes", checklist.outcomes), ("caveats", checklist.caveats)):  # fmt: skip
        for index, item in enumerate(items):
            yield f"{table_key(kind, index, item.id)}.guide", item.guide
            if getattr(item, "also", ""):
                yield f"{table_key(kind, index, item.id)}.also", item.also


def guide_problems(
    checklist: Checklist,
    pages: Collection[str],
    *,
    anchors: Callable[[str], Collection[str] | None] = lambda page: None,
    markers: Callable[[str], Collection[str] | None] = lambda page: None,
) -> list[Problem]:
    """What is wrong with a checklist's links into the docs. `pages` are the docs pages (paths
    relative to docs/); `anchors(page)` gives a page's anchor ids and `markers(page)` the checklist
    ids of its markers, or None while not known (then that check is skipped)."""
    problems = []
    for key, path in guide_links(checklist):
        target, _, anchor = path.partition("#")
        if target not in pages:
            problems.append(Problem(checklist.source, key, f"links to '{path}', but the site has no page '{target}'{_nearest(target, pages)}"))
            continue
        found = anchors(target)
        if anchor and found is not None and anchor not in found:
            hint = did_you_mean(anchor, sorted(found), prefix="#").partition("; valid:")[0]
            problems.append(Problem(checklist.source, key, f"'{path}': the page '{target}' has no anchor '#{anchor}'{hint}"))
    shown = markers(checklist.page) if checklist.page in pages else None
    if shown is not None and checklist.id not in shown:
        problems.append(Problem(checklist.source, "page", f"'{checklist.page}' has no marker <!-- checklist {checklist.id} -->"))
    return problems


def share_link_problems(checklist: Checklist, fragment: str) -> list[str]:
    """What is wrong with a share link written in a page (empty when every part is understood and
    it is written as the page writes it: readers' links are repaired, authors' links are not):
    one message per part, naming the valid values and the nearest one."""
    decoded = decode_answers(checklist, "#" + fragment)
    problems = [dropped_message(checklist, d) for d in decoded.dropped]
    canonical = encode_answers(checklist, decoded.answers)
    if not problems and fragment != canonical:
        problems.append(f"write it as the page writes it: #{canonical}")
    return problems


# --- without a build: what docs/ holds ------------------------------------------------------


@dataclass(frozen=True)
class DocsPage:
    """What the checks need of one page: its anchor ids, the checklists of its markers, and the
    links with a `=` in their fragment (as written, target page, fragment)."""

    anchors: frozenset[str]
    markers: tuple[str, ...]
    share_links: tuple[tuple[str, str, str], ...] = field(default=())


def read_docs(docs: Path) -> dict[str, DocsPage]:
    """Every Markdown page under `docs` (path relative to it -> DocsPage), read without building.
    Anchors are the `{#id}` attributes, `id="…"` in HTML and the ids Python-Markdown's `toc` gives
    headings without one (its default slugify, `_1` for a repeat): what the build gives them."""
    pages = {}
    for file in sorted(docs.rglob("*.md")):
        name = file.relative_to(docs).as_posix()
        text = file.read_text(encoding="utf-8")
        pages[name] = DocsPage(_anchors(text), tuple(m["id"] for m in MARKER.finditer(text)), tuple(_share_links(name, text)))
    return pages


def docs_problems(checklists: Mapping[str, Checklist], pages: Mapping[str, DocsPage]) -> list[Problem]:
    """Every problem of the checklists' links into the pages, and of the share links in pages
    (a share link names the page where it is written)."""
    def anchors(page: str) -> frozenset[str] | None:
        return pages[page].anchors if page in pages else None

    def markers(page: str) -> tuple[str, ...] | None:
        return pages[page].markers if page in pages else None

    problems = [p for checklist in checklists.values() for p in guide_problems(checklist, pages, anchors=anchors, markers=markers)]
    for name, page in pages.items():
        for written, target, fragment in page.share_links:
            ids = pages[target].markers if target in pages else ()
            if ids and ids[0] in checklists:
                problems += [Problem(name, "", f"share link '{written}': {m}") for m in share_link_problems(checklists[ids[0]], fragment)]
    return problems


_FENCE = re.compile(r"^([ \t]*)(```|~~~).*?^\1\2[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"(`+).+?\1", re.DOTALL)
_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<text>.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_ATTR_ID = re.compile(r"\{:?[^}\n]*?#(?P<id>[\w:.-]+)[^}\n]*\}")
_HTML_ID = re.compile(r"""<[a-zA-Z][^>]*?\sid=["'](?P<id>[^"']+)["']""")
_LINK = re.compile(r"\]\((?P<url>[^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _prose(text: str) -> str:
    """The page without code: fenced blocks and inline code spans hold examples, not links."""
    return _CODE.sub("", _FENCE.sub("", text))


def _anchors(text: str) -> frozenset[str]:
    prose = _FENCE.sub("", text)
    found: set[str] = set()
    for heading in _HEADING.finditer(prose):
        title = heading["text"]
        explicit = _ATTR_ID.search(title)
        found.add(explicit["id"] if explicit else _unique(_slugify(title), found))
    found |= {m["id"] for m in _ATTR_ID.finditer(_CODE.sub("", prose))}
    found |= {m["id"] for m in _HTML_ID.finditer(_CODE.sub("", prose))}
    return frozenset(found)


def _slugify(title: str) -> str:
    """Python-Markdown's toc.slugify, applied to the heading's text as Markdown renders it."""
    text = re.sub(r"\{[^}]*\}\s*$", "", title)  # an attribute list
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link's text
    text = re.sub(r"[`*]|<[^>]+>", "", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _unique(anchor: str, taken: set[str]) -> str:
    candidate, number = anchor, 0
    while candidate in taken or not candidate:
        number += 1
        candidate = f"{anchor}_{number}"
    return candidate


def _share_links(name: str, text: str) -> Iterator[tuple[str, str, str]]:
    for match in _LINK.finditer(_prose(text)):
        url = match["url"]
        path, hash_mark, fragment = url.partition("#")
        if not hash_mark or "=" not in fragment or "://" in path or not path.endswith(".md"):
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(path)))
        yield url, target, fragment


def _nearest(word: str, choices: Collection[str]) -> str:
    return did_you_mean(word, sorted(choices)).partition("; valid:")[0]
