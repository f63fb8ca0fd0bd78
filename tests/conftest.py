from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import settings

import decision
from tests.sitekit import NO_OMNIBOX_POPUP, ROOT, build, serve

# No timed assertions: Hypothesis' per-example deadline fails on a busy 2-core machine, not on a bug.
settings.register_profile("project", deadline=None)
settings.load_profile("project")

sys.path.insert(0, str(ROOT / "hooks"))  # the hooks' plain functions, importable without MkDocs

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", NO_OMNIBOX_POPUP]  # fmt: skip


@pytest.fixture(scope="session")
def fine_tuning() -> decision.Checklist:
    return decision.load_checklist("fine-tuning")


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The decision wheel, built exactly as the site build builds it."""
    from site_runtime import build_wheel

    return build_wheel(ROOT, tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def wheel(built_wheel: Any) -> Path:
    return Path(built_wheel.path)


# --- the built site, shared by every test that needs it ------------------------------------


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("site")
    result = build(ROOT, site_dir)
    assert result.returncode == 0, result.stderr[-4000:]
    return site_dir


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[object]:
    with serve(site) as running:
        yield running


# --- one browser for the whole session --------------------------------------------------------


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is needed for the browser tests: apt-get install chromium (or set CHROMIUM=/path/to/it)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Requests(list[str]):
    """Every URL a browser context asked for."""

    def foreign(self, origins: set[str]) -> list[str]:
        """Network requests (not data: or blob:) to any origin but `origins`."""
        return [url for url in self if urlsplit(url).scheme in ("http", "https", "ws", "wss") and _origin(url) not in origins]


@pytest.fixture
def context(browser: object, server: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser context; at the end, asserts that no request left the site's origin."""
    marker = request.node.get_closest_marker("browser_context")
    options = dict(marker.kwargs) if marker else {}
    ctx = browser.new_context(**options)  # type: ignore[attr-defined]
    requests = Requests()
    ctx.on("request", lambda r: requests.append(r.url))
    ctx.requests = requests
    ctx.origins = {_origin(server.url)}  # type: ignore[attr-defined]
    yield ctx
    ctx.close()
    assert requests.foreign(ctx.origins) == [], "requests left the site's origin"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def page(context: object) -> Iterator[object]:
    page = context.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
