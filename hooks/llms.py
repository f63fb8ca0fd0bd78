"""MkDocs adapter for `/llms.txt` and the pages' Markdown versions, made by the mkdocs-llmstxt
plugin: it feeds the plugin the list of pages (from the navigation, each with its front matter's
description) and adds each checklist's questions and rules as Markdown (checklist_markdown.py).

Thin on purpose: the work is in llms_index.py and checklist_markdown.py (plain functions)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils.meta import YAML_RE

import decision
from checklist_markdown import checklist_markdown
from llms_index import MissingDescription, checklists_section, llms_sections, rules_file_name

PLUGIN = "llmstxt"

_files: list[Files] = []  # the build's files, kept from on_files for on_post_build


# --- hooks --------------------------------------------------------------------------------


def on_config(config: MkDocsConfig) -> MkDocsConfig | None:
    # The plugin reads its `sections` in its own on_files, after this: one place for each page's
    # description (its front matter), none in mkdocs.yml.
    plugin = config.plugins.get(PLUGIN)
    if plugin is None:
        return None
    docs = Path(config.docs_dir)

    def description(path: str) -> str | None:
        source = docs / path
        return _front_matter(source, path).get("description") if source.is_file() else None

    try:
        plugin.config["sections"] = llms_sections(config.nav or [], description)
    except MissingDescription as error:
        raise PluginError(str(error)) from None
    return None


def on_files(files: Files, /, *, config: MkDocsConfig) -> None:
    _files[:] = [files]


@event_priority(-100)  # after the plugin has written /llms.txt
def on_post_build(*, config: MkDocsConfig) -> None:
    if PLUGIN not in config.plugins or not _files:
        return
    files, site_dir = _files[0], Path(config.site_dir)
    base = (config.site_url or "/").rstrip("/") + "/"

    def link(path: str) -> str:
        target, _, anchor = path.partition("#")
        file = files.get_file_from_path(target)
        if file is None:  # checklists.py fails the build on such a link first
            raise PluginError(f"no page '{target}' for the link '{path}'")
        return base + _markdown_uri(file) + (f"#{anchor}" if anchor else "")

    entries = []
    for checklist in decision.load_all().values():
        page = files.get_file_from_path(checklist.page)
        if page is None:
            continue
        uri = (Path(_markdown_uri(page)).parent / rules_file_name(checklist.id)).as_posix()
        text = checklist_markdown(checklist, link=link, page_url=base + page.url)
        (site_dir / uri).write_text(text, encoding="utf-8")
        entries.append((checklist.title, base + uri, checklist.description))
    index = site_dir / "llms.txt"
    if entries and index.is_file():
        index.write_text(index.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + checklists_section(entries), encoding="utf-8")


# --- helpers ------------------------------------------------------------------------------


def _front_matter(source: Path, path: str) -> dict[str, Any]:
    """A page's YAML front matter. MkDocs drops front matter it cannot parse without a word (the
    page then loses its title and description), so a broken one fails the build here, by name."""
    match = YAML_RE.match(source.read_text(encoding="utf-8"))
    if not match:
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise PluginError(f"docs/{path}: its front matter is not valid YAML (quote a value that holds ': '):\n{error}") from None
    return data if isinstance(data, dict) else {}


def _markdown_uri(file: File) -> str:
    """Where the plugin writes a page's Markdown version: its HTML file's path with `.md`."""
    return Path(file.dest_uri).with_suffix(".md").as_posix()
