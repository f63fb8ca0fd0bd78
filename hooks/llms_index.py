"""What `/llms.txt` lists (https://llmstxt.org/): the site's pages by navigation section, each with
its one-line description from its own front matter, and each checklist's questions and rules as
Markdown. Plain functions: no MkDocs import; the adapter is llms.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["MissingDescription", "checklists_section", "llms_sections", "nav_pages", "rules_file_name"]

OVERVIEW = "Overview"
"""The section for pages at the top level of the navigation, outside any section."""


class MissingDescription(ValueError):
    """A page in the navigation has no `description:` in its front matter."""


def nav_pages(nav: list[Any], section: str = OVERVIEW) -> Iterator[tuple[str, str]]:
    """(section title, docs path) for every page in MkDocs' `nav` (a list of `Title: path`
    mappings, bare paths and `Title: [...]` sections), in order. Nested sections are named
    "Outer / Inner"; links to other sites are skipped."""
    for item in nav:
        title, value = next(iter(item.items())) if isinstance(item, dict) else (None, item)
        if isinstance(value, list):
            yield from nav_pages(value, value_title(section, title))
        elif isinstance(value, str) and "://" not in value:
            yield section, value


def value_title(section: str, title: str | None) -> str:
    """The name of a nested section."""
    if title is None:
        return section
    return title if section == OVERVIEW else f"{section} / {title}"


def llms_sections(nav: list[Any], description: Callable[[str], str | None]) -> dict[str, list[dict[str, str]]]:
    """The `sections` option of the mkdocs-llmstxt plugin: {section title: [{docs path:
    description}]}, top-level pages first under "Overview". `description(path)` reads a page's
    front matter. Raises MissingDescription naming every page without one."""
    sections: dict[str, list[dict[str, str]]] = {OVERVIEW: []}
    missing = []
    for section, path in nav_pages(nav):
        text = " ".join((description(path) or "").split())
        if not text:
            missing.append(path)
        sections.setdefault(section, []).append({path: text})
    if missing:
        raise MissingDescription(
            "Every page in the navigation needs a one-line `description:` in its front matter (it is the page's"
            " line in /llms.txt and its search-result summary); missing in: " + ", ".join(f"docs/{p}" for p in missing)
        )
    return {name: pages for name, pages in sections.items() if pages}


def rules_file_name(checklist_id: str) -> str:
    """The file, beside its page's Markdown version, that holds a checklist's questions and rules."""
    return f"checklist-{checklist_id}.md"


def checklists_section(entries: list[tuple[str, str, str]]) -> str:
    """The `## Checklists` section appended to /llms.txt: one line per (title, absolute URL,
    description), in the llms.txt link-list form."""
    lines = ["## Checklists", ""]
    lines += [f"- [{title} (questions and rules)]({url}): {description}" for title, url, description in entries]
    return "\n".join(lines) + "\n"
