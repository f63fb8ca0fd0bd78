"""The same site built with ProperDocs, the maintained fork of MkDocs (`properdocs build --strict`
reading the same mkdocs.yml, with the same hooks and plugins), and a reader's smoke run on that
build in Chromium: the checklist ready, answers to an outcome, a share link restored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import decision
from tests.browser import address_fragment, answer, checked, settle, shown, wait_ready
from tests.rules import expected
from tests.sitekit import ROOT, build, serve


@pytest.fixture(scope="session")
def properdocs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("properdocs-site")
    result = build(ROOT, site_dir, tool="properdocs")
    assert result.returncode == 0, result.stderr[-4000:]
    return site_dir


@pytest.fixture(scope="session")
def properdocs_server(properdocs_site: Path) -> Iterator[Any]:
    with serve(properdocs_site) as running:
        yield running


GENERATOR = re.compile(r'^\s*<meta name="generator" content="[^"]*">\n', re.MULTILINE)


def test_properdocs_builds_the_same_site(properdocs_site: Path, site: Path) -> None:
    """The same files as MkDocs' build, byte for byte, but for the generator's name in the pages."""
    html = (properdocs_site / "checklist" / "index.html").read_text()
    assert 'content="mkdocs-ProperDocs 1.6.7' in html  # built by ProperDocs, not by MkDocs
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(properdocs_site) for p in properdocs_site.rglob("*") if p.is_file())
    differ = [
        path for path in files
        if (site / path).read_bytes() != (properdocs_site / path).read_bytes()
        and (path.suffix != ".html" or GENERATOR.sub("", (site / path).read_text()) != GENERATOR.sub("", (properdocs_site / path).read_text()))
    ]  # fmt: skip
    assert differ == []
    assert 'data-checklist="fine-tuning"' in html and (properdocs_site / "_headers").is_file() and (properdocs_site / "llms.txt").is_file()


def test_a_reader_on_the_properdocs_build(browser: Any, properdocs_server: Any, fine_tuning: decision.Checklist) -> None:
    requests: list[str] = []
    context = browser.new_context()
    context.on("request", lambda request: requests.append(request.url))
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(properdocs_server.url + "checklist/")
        wait_ready(page)
        answers = {q.id: q.options[0].id for q in fine_tuning.questions} | {"knowledge": "changing", "style": "yes",
                   "examples": "over-1000", "task": "yes", "metric": "yes", "prompting": "insufficient", "maintenance": "no"}  # fmt: skip
        answer(page, answers)
        settle(page)
        assert shown(page) == expected(answers) == ("rag-and-fine-tuning", ["maintenance"])
        assert address_fragment(page) == decision.encode_answers(fine_tuning, answers)
        link = page.url
        other = context.new_page()  # the share link, opened afresh
        other.goto(link)
        wait_ready(other)
        settle(other)
        assert checked(other) == answers and shown(other) == shown(page)
        assert errors == []
    finally:
        context.close()
    origin = urlsplit(properdocs_server.url).netloc
    assert [url for url in requests if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != origin] == []
