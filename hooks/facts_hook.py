"""MkDocs adapter for vendor facts (facts.py): check hooks/data/facts.toml on every build, replace
`<!-- fact ID -->`, `<!-- fact-table -->` and `<!-- fact-sources -->` markers in pages, and print the
facts due for review.

The due list is printed at INFO level, never as a warning: `mkdocs build --strict` fails on
warnings, and a build must not start failing because a calendar date passed (builds stay
reproducible). `make facts` lists the same facts."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from facts import FACTS_FILE, Fact, FactsError, due, load_facts, render_markers

log = logging.getLogger("mkdocs.hooks.facts")
_facts: dict[str, Fact] = {}


# --- hooks --------------------------------------------------------------------------------


def on_config(config: MkDocsConfig) -> MkDocsConfig | None:
    try:
        loaded = load_facts()
    except FactsError as error:
        raise PluginError(f"Invalid vendor facts:\n{error}") from None
    _facts.clear()
    _facts.update(loaded)
    stale = due(_facts, date.today())
    if stale:
        log.info("%d vendor fact(s) due for review (make facts): %s", len(stale), ", ".join(f.id for f in stale))
    return None


def on_page_markdown(markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
    if "<!--" not in markdown:
        return None
    try:
        return render_markers(markdown, _facts, page.file.src_uri)
    except FactsError as error:
        raise PluginError(str(error)) from None


def on_serve(server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
    server.watch(str(FACTS_FILE))
    return server
