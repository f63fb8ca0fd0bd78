"""The mkdocs-llmstxt plugin's `preprocess` module: before a page's HTML becomes its Markdown
version, a checklist (its marker, or its rendered form) becomes a pointer to the checklist's
questions and rules in Markdown, written beside the page's Markdown version by llms.py. The
interactive form itself means nothing as text."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# The plugin loads this file by its path; the hooks' plain modules beside it are imported by name.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))
from checklist_render import MARKER  # noqa: E402
from llms_index import rules_file_name  # noqa: E402


def preprocess(soup: Any, output: str) -> None:
    """Replace each checklist in the page (`soup`, BeautifulSoup) with one paragraph and a link
    relative to the page, which the plugin makes absolute; keep the titles of collapsible blocks
    and admonitions bold, and Mermaid sources marked as such. `output` is the Markdown file's path."""
    from bs4 import Comment

    found = [(c, m["id"]) for c in soup.find_all(string=lambda s: isinstance(s, Comment)) if (m := MARKER.fullmatch(f"<!--{c}-->"))]
    found += [(element, element["data-checklist"]) for element in soup.select("[data-checklist]")]
    for element, checklist_id in found:
        paragraph = soup.new_tag("p")
        paragraph.append("This page's checklist runs in the browser. Its questions, with their option ids, and its rules, written out to apply by hand: ")
        anchor = soup.new_tag("a", href=rules_file_name(checklist_id))
        anchor.string = rules_file_name(checklist_id)
        paragraph.append(anchor)
        paragraph.append(".")
        element.replace_with(paragraph)
    # Collapsible blocks' summaries and admonitions' titles would become plain lines: keep them bold.
    for title in soup.select("details > summary, .admonition > .admonition-title"):
        strong = soup.new_tag("strong")
        strong.string = title.get_text(" ", strip=True)
        paragraph = soup.new_tag("p")
        paragraph.append(strong)
        title.replace_with(paragraph)
    # A diagram's Mermaid source is its text version: keep it marked as Mermaid.
    for pre in soup.select("pre.mermaid"):
        pre["class"] = [*pre.get("class", []), "language-mermaid"]
