"""Smoke runs of the checklist in the two other browser engines, against the session's built site:
Firefox (Debian's firefox-esr, over WebDriver BiDi with puppeteer-core: tests/engines/firefox.mjs)
and WebKit (Debian's WebKitGTK through WebKitWebDriver, with Selenium, on an Xvfb display started
here). Chromium stays the engine of the full suite (test_browser.py and the rest).

Each engine runs once per session, in one browser: every step is tried and reported even when
an earlier one failed, and each step is a test of its own below. The engine-ready times (cold,
and warm from the stored snapshot) are printed and written to engine-times.json in pytest's
base temporary directory. A missing browser is a failure, not a skip (.ci/run installs them)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.rules import expected
from tests.sitekit import ROOT

ANSWERS = {
    "knowledge": "stable", "style": "yes", "format": "no", "latency": "no", "examples": "over-1000",
    "task": "yes", "metric": "yes", "prompting": "insufficient", "maintenance": "yes",
}  # fmt: skip
# Issue 12, item 1: the long link, then "How the checklist decides" in the table of contents.
LONG_LINK = "knowledge=changing&style=yes&format=no&latency=no&examples=over-1000&task=yes&metric=yes&prompting=insufficient&maintenance=no"
TOC_LINK = '.md-nav--secondary a.md-nav__link[href$="#how-it-decides"]'  # Material makes it absolute
STEPS = ["ready", "answers", "snapshot", "share-link", "in-page-link", "no-errors"]
TIMEOUT_S = 120  # per wait: WebKitGTK starts Pyodide several times slower than Chromium here (BROWSERS.md)
Steps = dict[str, dict[str, Any]]


def _plan(server: Any) -> dict[str, Any]:
    long_answers = dict(part.split("=") for part in LONG_LINK.split("&"))
    return {
        "url": server.url, "answers": ANSWERS, "outcome": expected(ANSWERS)[0], "long_link": LONG_LINK,
        "long_outcome": expected(long_answers)[0], "toc_link": TOC_LINK, "timeout_ms": TIMEOUT_S * 1000,
        "page_state": PAGE_STATE,
    }  # fmt: skip


def _need(program: str, package: str) -> str:
    path = shutil.which(program)
    if not path:
        pytest.fail(f"{program} is needed for the {package} smoke run: apt-get install {package} (.ci/run installs it)")
    return path


# --- Firefox -----------------------------------------------------------------------------------


def run_firefox(server: Any, workdir: Path) -> dict[str, Any]:
    """The Firefox smoke run: {steps, times}."""
    plan = {**_plan(server), "executable": _need("firefox-esr", "firefox-esr"), "profile": str(workdir / "firefox-profile")}
    if not (ROOT / "node_modules" / "puppeteer-core").is_dir():
        pytest.fail("puppeteer-core is missing from node_modules: run `make setup` (npm ci)")
    done = subprocess.run(
        ["node", str(ROOT / "tests" / "engines" / "firefox.mjs"), json.dumps(plan)],
        capture_output=True, text=True, timeout=15 * 60, cwd=ROOT,
    )  # fmt: skip
    last = done.stdout.strip().splitlines()[-1:] or [""]
    try:
        return json.loads(last[0])
    except json.JSONDecodeError:
        pytest.fail(f"the Firefox run ended with status {done.returncode} and no result:\n{done.stderr[-3000:]}")


# --- WebKit ------------------------------------------------------------------------------------


class _Display:
    """An Xvfb display of its own (WebKitGTK needs one, even for automation)."""

    def __init__(self) -> None:
        read, write = os.pipe()
        self.process = subprocess.Popen(
            [_need("Xvfb", "xvfb"), "-displayfd", str(write), "-screen", "0", "1600x1200x24", "-nolisten", "tcp"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.process.kill()
            pytest.fail("Xvfb did not start")
        self.name = f":{number}"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _webkit_session(display: _Display) -> Any:
    from selenium import webdriver
    from selenium.webdriver.webkitgtk.service import Service

    options = webdriver.WebKitGTKOptions()
    options.page_load_strategy = "none"  # poll the page ourselves (BROWSERS.md: `eager` hung once for 300 s)
    service = Service(executable_path=_need("WebKitWebDriver", "webkit2gtk-driver"), env={**os.environ, "DISPLAY": display.name})
    driver = webdriver.WebKitGTK(options=options, service=service)
    driver.set_window_size(1400, 1000)
    driver.set_script_timeout(TIMEOUT_S)
    return driver


def _until(driver: Any, script: str, timeout: float = TIMEOUT_S) -> Any:
    """Polls `script` (a function body returning a value) until it returns a truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = driver.execute_script(script)
        except Exception:  # the page is still being replaced: try again
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for: {script[:120]}")
        time.sleep(0.05)


# What the smoke runs read from the page, as JavaScript expressions: one copy for both drivers
# (WebDriver's execute_script here runs `return EXPRESSION`; tests/engines/firefox.mjs gets them
# in its plan and evaluates them as they are).
PAGE_STATE = {
    "ready": "document.querySelector('[data-checklist]')?.dataset.state === 'ready'",
    "settled": """(() => { const root = document.querySelector('[data-checklist]');
  return !!root && root.dataset.state === 'ready' && root.dataset.pending === '0'
    && location.href === root.querySelector('[data-share-link]').href; })()""",
    "seen": """({
  answers: Object.fromEntries([...document.querySelectorAll('[data-checklist] input[type=radio]:checked')].map((e) => [e.name, e.value])),
  outcome: document.querySelector('[data-outcome]:not([hidden])')?.dataset.outcome ?? null,
  boot: document.querySelector('[data-checklist]')?.dataset.boot ?? null,
  dropped: document.querySelector('[data-dropped]')?.hidden === false,
  hash: location.hash,
  skipped: [...document.querySelectorAll('.checklist__why, .checklist__whatif')].map((e) => getComputedStyle(e).contentVisibility),
  anchored: CSS.supports('overflow-anchor', 'auto'),
})""",
}
SETTLED = "return " + PAGE_STATE["settled"]
SEEN = "return " + PAGE_STATE["seen"]
ERRORS = """if (!window.__smokeErrors) { window.__smokeErrors = [];
  addEventListener('error', (e) => __smokeErrors.push(String(e.message)));
  addEventListener('unhandledrejection', (e) => __smokeErrors.push(String(e.reason))); }
return window.__smokeErrors;"""


def assert_skips_only_with_scroll_anchoring(seen: dict[str, Any]) -> None:
    """Why and What-if are rendered only near the viewport (checklist.css) where the browser keeps
    the reader's place as they come back into view: elsewhere (WebKit) the page would jump."""
    assert seen["skipped"] == ["auto" if seen["anchored"] else "visible"] * 2, seen


def _open(driver: Any, url: str, errors: list[str]) -> int:
    """Opens `url` and waits until the checklist is ready and settled: ms until ready."""
    driver.get("about:blank")  # a new document even when only the fragment differs
    _until(driver, "return location.href === 'about:blank'")
    driver.execute_script("window.__smokeLeft = true")
    started = time.monotonic()
    driver.get(url)
    _until(driver, "return !window.__smokeLeft && (" + PAGE_STATE["ready"] + ")")
    ready_ms = round((time.monotonic() - started) * 1000)
    _until(driver, SETTLED)
    errors.extend(driver.execute_script(ERRORS))  # listening from here on; earlier errors show in the result
    return ready_ms


def run_webkit(server: Any, workdir: Path) -> dict[str, Any]:
    """The WebKit smoke run: {steps, times}."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.by import By

    plan = _plan(server)
    steps: Steps = {}
    times: dict[str, int] = {}
    errors: list[str] = []
    state: dict[str, Any] = {}

    def step(name: str, run: Callable[[], str | None]) -> None:
        try:
            steps[name] = {"ok": True, "detail": run() or ""}
        except Exception as error:  # reported as the step's failure
            steps[name] = {"ok": False, "detail": f"{type(error).__name__}: {error}"}

    def seen(driver: Any) -> dict[str, Any]:
        return driver.execute_script(SEEN)

    display = _Display()
    try:
        first = _webkit_session(display)  # one session: one profile (WebKitWebDriver's sessions are ephemeral)
        try:

            def ready() -> str:
                times["cold_ms"] = _open(first, plan["url"] + "checklist/", errors)
                assert seen(first)["boot"] == "fresh", seen(first)
                assert_skips_only_with_scroll_anchoring(seen(first))
                return f"cold ready in {times['cold_ms']} ms"

            def answers() -> str:
                for question, option in ANSWERS.items():
                    first.find_element(By.CSS_SELECTOR, f'input[name="{question}"][value="{option}"]').click()
                _until(first, SETTLED)
                now = seen(first)
                assert now["answers"] == ANSWERS and now["outcome"] == plan["outcome"], now
                state["link"] = first.current_url
                return state["link"]

            def snapshot() -> str:
                _until(first, "return document.documentElement.dataset.checklistSnapshot === 'kept'")
                errors.extend(first.execute_script(ERRORS))
                times["warm_ms"] = _open(first, plan["url"] + "checklist/", errors)
                assert seen(first)["boot"] == "snapshot", seen(first)
                return f"warm ready in {times['warm_ms']} ms"

            step("ready", ready)
            step("answers", answers)
            step("snapshot", snapshot)
            errors.extend(first.execute_script(ERRORS))
        finally:
            first.quit()
        fresh = _webkit_session(display)  # a second session: a fresh profile
        try:

            def share_link() -> None:
                assert "link" in state, "no share link from the answers step"
                _open(fresh, state["link"], errors)
                now = seen(fresh)
                assert now["answers"] == ANSWERS and now["outcome"] == plan["outcome"], now

            def in_page_link() -> None:
                _open(fresh, plan["url"] + "checklist/#" + LONG_LINK, errors)
                before = seen(fresh)
                assert before["outcome"] == plan["long_outcome"], before
                shown = [link for link in fresh.find_elements(By.CSS_SELECTOR, TOC_LINK) if link.is_displayed()]
                assert shown, f"no visible {TOC_LINK}"
                # A reader's click where the link is drawn (WebKitWebDriver's element click calls the link
                # "not interactable", though it is the element at that point).
                x, y = fresh.execute_script(
                    "arguments[0].scrollIntoView({block: 'center'}); const r = arguments[0].getBoundingClientRect();"
                    " return [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)]", shown[0])  # fmt: skip
                click = ActionBuilder(fresh)
                click.pointer_action.move_to_location(x, y)
                click.pointer_action.click()
                click.perform()
                time.sleep(0.5)
                _until(fresh, SETTLED, 10)
                after = seen(fresh)
                assert after["answers"] == before["answers"] and after["outcome"] == before["outcome"], after
                assert not after["dropped"], "a notice says part of the link was not understood"
                lost = [f"{q}={o}" for q, o in before["answers"].items() if f"{q}={o}" not in after["hash"]]
                assert not lost, f"the address lost {lost}: {after['hash']}"

            step("share-link", share_link)
            step("in-page-link", in_page_link)
            errors.extend(fresh.execute_script(ERRORS))
        finally:
            fresh.quit()
    finally:
        display.close()
    steps["no-errors"] = {"ok": not errors, "detail": "\n".join(dict.fromkeys(errors))}
    return {"steps": steps, "times": times}


# --- the tests ---------------------------------------------------------------------------------

RUNNERS = {"firefox": run_firefox, "webkit": run_webkit}


@pytest.fixture(scope="session")
def engine_runs(server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], dict[str, Any]]]:
    """Runs each engine once, when a test first asks for it; at the end, writes the times."""
    runs: dict[str, dict[str, Any]] = {}

    def run(engine: str) -> dict[str, Any]:
        if engine not in runs:
            started = time.monotonic()
            runs[engine] = RUNNERS[engine](server, tmp_path_factory.mktemp(engine))
            runs[engine]["times"]["run_s"] = round(time.monotonic() - started, 1)
            print(f"\n{engine}: {json.dumps(runs[engine]['times'])}")
        return runs[engine]

    yield run
    if runs:
        (tmp_path_factory.getbasetemp() / "engine-times.json").write_text(json.dumps({e: r["times"] for e, r in runs.items()}, indent=2))


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("engine", RUNNERS)
def test_smoke_in_other_engines(engine_runs: Callable[[str], dict[str, Any]], engine: str, step: str) -> None:
    """ready: the engine starts cold; answers: nine clicks give the right outcome; snapshot: a second
    visit in the same profile restores the stored engine; share-link: the address after the answers,
    opened in a fresh profile, restores them; in-page-link: issue 12 item 1 (the long link, then a
    table-of-contents link: answers, result and address stay); no-errors: no page error or
    unhandled rejection in any of it."""
    result = engine_runs(engine)["steps"][step]
    assert result["ok"], result["detail"]
