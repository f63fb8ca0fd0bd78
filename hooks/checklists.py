"""MkDocs adapter: checklists in pages, the wheel and the Pyodide runtime in the site.

Thin on purpose: the work is in checklist_render.py and site_runtime.py (plain functions), so
that another generator (Zensical) needs a new adapter, not a rewrite."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import markdown as python_markdown
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

import decision
from decision.docs_links import guide_problems
from decision.errors import did_you_mean
from decision.schema import SCHEMA_URL, schema_text
from checklist_diagram import diagram_markdown
from checklist_render import DIAGRAM_MARKER, MARKER, markers, render_checklist, share_link_problems
from site_headers import content_security_policy, headers_file, inline_script_hashes, with_policy_meta
from site_runtime import SERVE_READY, RuntimeMissing, shipped_files

log = logging.getLogger("mkdocs.hooks.checklists")

# --- state of one build -------------------------------------------------------------------

_checklists: dict[str, decision.Checklist] = {}
_pages: dict[str, list[str]] = {}  # page src_uri -> checklist ids in its markers
_urls: dict[str, str] = {}  # "runtime" / "wheel" -> site-relative URL
_serving = False  # `mkdocs serve` injects its live-reload script, which a <meta> policy would block


# --- hooks --------------------------------------------------------------------------------


def on_startup(*, command: str, dirty: bool) -> None:
    global _serving
    _serving = command == "serve"


def on_config(config: MkDocsConfig) -> MkDocsConfig | None:
    # Every checklist is validated on every build, whether a page shows it or not.
    try:
        _checklists.clear()
        _checklists.update(decision.load_all())
    except decision.DefinitionError as error:
        raise PluginError(f"Invalid checklist definition:\n{error}") from None
    return None


def on_files(files: Files, /, *, config: MkDocsConfig) -> Files:
    try:
        # Under `mkdocs serve`, the slow files of a changed engine are made in the background (site_runtime).
        shipped = shipped_files(_root(config), _root(config) / ".cache", serving=_serving, report=log.info)
    except RuntimeMissing as error:
        raise PluginError(str(error)) from None
    _urls.clear()  # a serve rebuild may ship no snapshot where the one before did
    for uri, source in shipped.files.items():
        if isinstance(source, Path):
            files.append(File.generated(config, uri, abs_src_path=str(source)))
        else:
            files.append(File.generated(config, uri, content=source))
    _urls.update(shipped.urls)
    # The checklist format's JSON Schema, at a stable URL for editors (generated, never stale).
    files.append(File.generated(config, SCHEMA_URL, content=schema_text()))
    pages = {file.src_uri for file in files.documentation_pages()}
    problems = [str(p) for checklist in _checklists.values() for p in guide_problems(checklist, pages)]
    if problems:
        raise PluginError("Checklist guidance links point nowhere:\n" + "\n".join(problems))
    return files


def on_page_markdown(markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
    ids = markers(markdown)
    for checklist_id in ids:
        if checklist_id not in _checklists:
            valid = did_you_mean(checklist_id, sorted(_checklists))
            raise PluginError(f"{page.file.src_uri}: unknown checklist '{checklist_id}' in a checklist marker{valid}")
    _pages[page.file.src_uri] = ids
    for match in DIAGRAM_MARKER.finditer(markdown):
        if match["id"] not in _checklists:
            valid = did_you_mean(match["id"], sorted(_checklists))
            raise PluginError(f"{page.file.src_uri}: unknown checklist '{match['id']}' in a checklist-diagram marker{valid}")
    if DIAGRAM_MARKER.search(markdown):  # drawn from the rules, as a ```mermaid fence for superfences
        return DIAGRAM_MARKER.sub(lambda match: diagram_markdown(_checklists[match["id"]]), markdown)
    return None  # the marker survives Markdown as an HTML comment, replaced in on_page_content


def on_page_content(html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
    if not _pages.get(page.file.src_uri):
        return None

    def link(path: str) -> str:
        target, _, anchor = path.partition("#")
        file = files.get_file_from_path(target)
        assert file is not None  # checked in on_files
        return file.url_relative_to(page.file) + (f"#{anchor}" if anchor else "")

    def render(match: Any) -> str:
        return render_checklist(
            _checklists[match["id"]],
            link=link,
            markdown=_markdown_renderer(config),
            urls={"snapshot": "", **{name: _relative(uri, page.url) for name, uri in _urls.items()}},  # "": none (serve only)
        )

    return MARKER.sub(render, html)


def on_env(env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
    # All pages are rendered now: check anchors of guidance links, and share links in pages.
    def anchors(src_uri: str) -> set[str] | None:
        page = _page(files, src_uri)
        return set(page.present_anchor_ids or ()) if page is not None else None

    def markers(src_uri: str) -> list[str] | None:
        return _pages.get(src_uri, []) if _page(files, src_uri) is not None else None

    pages = {file.src_uri for file in files.documentation_pages()}
    problems = [str(p) for checklist in _checklists.values() for p in guide_problems(checklist, pages, anchors=anchors, markers=markers)]
    for file in files.documentation_pages():
        if file.page is not None:
            problems += _check_share_links(file.page)
    if problems:
        raise PluginError("Checklist links are broken:\n" + "\n".join(problems))
    return env


def on_post_build(*, config: MkDocsConfig) -> None:
    # Written after every page, so that the policy can carry the hash of each inline script.
    site_dir = Path(config.site_dir)
    hashes = inline_script_hashes(site_dir)
    base_path = urlsplit(config.site_url or "/").path
    (site_dir / "_headers").write_text(headers_file(content_security_policy(hashes), base_path), encoding="utf-8")
    meta_policy = content_security_policy(hashes, in_meta=True)
    for page in [] if _serving else site_dir.rglob("*.html"):
        page.write_text(with_policy_meta(page.read_text(encoding="utf-8"), meta_policy), encoding="utf-8")


def on_serve(server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
    server.watch(str(_root(config) / "decision" / "checklists"))
    ready = _root(config) / ".cache" / SERVE_READY  # touched when the engine's slow files are made
    ready.mkdir(parents=True, exist_ok=True)
    server.watch(str(ready))
    return server


# --- helpers ------------------------------------------------------------------------------


def _root(config: MkDocsConfig) -> Path:
    """The project these hooks belong to (pyproject.toml, decision/, node_modules/)."""
    return Path(__file__).resolve().parent.parent


def _relative(uri: str, page_url: str) -> str:
    """A site URI relative to a page, keeping a folder's trailing slash."""
    relative = get_relative_url(uri, page_url)
    return relative.rstrip("/") + "/" if uri.endswith("/") else relative


def _page(files: Files, src_uri: str) -> Page | None:
    file = files.get_file_from_path(src_uri)
    return file.page if file is not None else None


def _markdown_renderer(config: MkDocsConfig) -> Any:
    converter = python_markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)

    def render(text: str) -> str:
        return converter.reset().convert(text)

    return render


def _check_share_links(page: Page) -> list[str]:
    """Links such as `checklist.md#knowledge=changing&style=no` are share links: check their
    answers against the checklist on the target page, and keep them out of anchor validation."""
    problems = []
    for target, anchors in (page.links_to_anchors or {}).items():
        ids = _pages.get(target.src_uri, [])
        for anchor in [a for a in anchors if "=" in a and ids]:
            original = anchors.pop(anchor)
            for wrong in share_link_problems(_checklists[ids[0]], anchor):
                problems.append(f"{page.file.src_uri}: share link '{original}': {wrong}")
    return problems
