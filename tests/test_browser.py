"""End to end in headless Chromium against the real built site: a reader's checklist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

import decision
from tests.browser import address_fragment, answer, checked, draw_diagrams, settle, shown, wait_ready
from tests.rules import expected
from tests.sitekit import ROOT, serve

FULL = {
    "knowledge": "none", "style": "no", "format": "no", "latency": "no", "examples": "none",
    "task": "no", "metric": "no", "prompting": "not-tried", "maintenance": "yes",
}  # fmt: skip

SCENARIOS = [
    {},
    {"knowledge": "changing"},
    {"style": "yes"},
    {"format": "yes", "examples": "over-1000", "task": "yes", "metric": "yes"},
    {"maintenance": "no"},
    {"prompting": "insufficient"},
    {"knowledge": "stable", "prompting": "good-enough"},
    {"latency": "yes", "metric": "no", "knowledge": "none"},
    {"examples": "100-1000", "metric": "yes"},
]


def open_checklist(page: Any, server: Any, fragment: str = "", path: str = "checklist/") -> None:
    page.goto(server.url + path + (f"#{fragment}" if fragment else ""))
    wait_ready(page, "fine-tuning" if path == "checklist/" else "training-data")
    settle(page)


def test_scenarios_by_clicking(page: Any, server: Any) -> None:
    open_checklist(page, server)
    assert shown(page) == ("prompting", [])
    assert page.is_visible("[data-provisional]")
    answers: dict[str, str] = {}
    for changes in SCENARIOS:
        answers = {**FULL, **answers, **changes}
        answer(page, answers)
        settle(page)
        assert shown(page) == expected(answers), answers
    assert not page.is_visible("[data-provisional]")
    assert page.errors == []


def test_result_explains_with_links(page: Any, server: Any, fine_tuning: decision.Checklist) -> None:
    fragment = "knowledge=changing&style=yes&examples=over-1000&task=yes&metric=yes&prompting=insufficient"
    open_checklist(page, server, fragment)
    assert shown(page) == ("rag-and-fine-tuning", [])
    met = dict(page.eval_on_selector_all("[data-criterion]", "els => els.map(e => [e.dataset.criterion, e.dataset.met])"))
    assessment = decision.evaluate(fine_tuning, dict(p.split("=") for p in fragment.split("&")))
    assert met == {c.id: str(c.met).lower() for c in assessment.criteria}
    assert page.is_visible("text=Provisional:")
    missing = page.eval_on_selector_all("[data-missing]:not([hidden])", "els => els.map(e => e.dataset.missing)")
    assert missing == list(assessment.missing) == ["format", "latency", "maintenance"]
    # the outcome's guidance link leads to its page
    page.click("[data-outcome=rag-and-fine-tuning] a")
    page.wait_for_url(re.compile(r"/guidance/rag-and-fine-tuning/"))
    assert page.locator("h1").inner_text().strip() != ""


def test_result_is_announced_politely(page: Any, server: Any) -> None:
    open_checklist(page, server)
    answer(page, {"knowledge": "stable"})
    settle(page)
    status = page.locator("[data-checklist] [role=status][data-status]")
    assert "Add retrieval (RAG)" in status.inner_text()
    assert page.locator("[data-checklist] [role=alert]").count() == 1


def test_share_link_round_trip_in_a_fresh_context(page: Any, server: Any, browser: Any, fine_tuning: decision.Checklist) -> None:
    open_checklist(page, server)
    answers = {"knowledge": "stable", "format": "yes", "examples": "over-1000", "task": "yes", "metric": "yes", "prompting": "not-tried", "maintenance": "no"}
    answer(page, answers)
    settle(page)
    assert address_fragment(page) == decision.encode_answers(fine_tuning, answers)
    link = page.url
    assert page.locator("[data-share-link]").inner_text() == link
    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        other.goto(link)
        wait_ready(other)
        settle(other)
        assert checked(other) == answers
        assert shown(other) == shown(page) == ("rag-and-fine-tuning", ["maintenance", "baseline"])
    finally:
        fresh.close()


def test_reload_keeps_answers_and_result(page: Any, server: Any) -> None:
    open_checklist(page, server)
    answer(page, {"knowledge": "changing", "style": "yes"})
    settle(page)
    page.reload()
    wait_ready(page)
    settle(page)
    assert checked(page) == {"knowledge": "changing", "style": "yes"}
    assert shown(page) == ("rag", ["not-first-step"])


def test_a_burst_of_answers_ends_in_the_address_bar(page: Any, server: Any, fine_tuning: decision.Checklist) -> None:
    # Answers given in a burst are written to the address bar once, and none is lost.
    open_checklist(page, server)
    burst = {"knowledge": "changing", "style": "yes", "examples": "100-1000", "task": "yes", "metric": "no"}
    page.evaluate(
        """(burst) => {
            for (const [question, option] of Object.entries(burst)) {
                const input = document.querySelector(`input[name="${question}"][value="${option}"]`);
                input.checked = true;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            }
        }""",
        burst,
    )
    settle(page)
    assert address_fragment(page) == decision.encode_answers(fine_tuning, burst)
    assert shown(page) == expected(burst)


def test_start_over_and_tampered_link(page: Any, server: Any) -> None:
    open_checklist(page, server, "style=yes&colour=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&task=maybe&%zz")
    assert checked(page) == {"style": "yes"}
    notice = page.locator("[data-dropped]")
    assert notice.is_visible() and "colour=<img src=x onerror=alert(1)>" in notice.inner_text()
    assert page.locator("[data-checklist] img").count() == 0  # shown as text, never as HTML
    assert address_fragment(page) == "style=yes"
    page.click("[data-action=reset]")
    settle(page)
    assert checked(page) == {} and address_fragment(page) == ""
    assert shown(page) == ("prompting", [])


def test_instant_navigation_away_and_back(page: Any, server: Any) -> None:
    # Count the worker's requests, to see that handlers are bound once and the engine is reused.
    # (Material's search worker gets messages too: their types are numbers.)
    page.add_init_script(
        """(() => { const post = Worker.prototype.postMessage; window.__sent = [];
            Worker.prototype.postMessage = function (m) { if (typeof m?.type === "string") window.__sent.push(m.type); return post.call(this, m); }; })()"""
    )
    open_checklist(page, server)
    page.click("a.md-nav__link[href$='learn/rag/']")  # Material's instant navigation: no reload
    page.wait_for_url(re.compile(r"/learn/rag/"))
    page.go_back()
    page.wait_for_url(re.compile(r"/checklist/"))
    wait_ready(page)
    settle(page)
    worker = page.get_attribute("[data-checklist]", "data-worker")
    assert worker.startswith("../assets/engine/")  # content-hashed, cached for good
    assert [w.url for w in page.workers if "checklist-worker" in w.url] == [urljoin(page.url, worker)]
    assert page.evaluate("window.__sent.filter(t => t === 'init').length") == 1  # loaded once, then reused
    before = page.evaluate("window.__sent.slice()")
    answer(page, {"knowledge": "stable"})
    settle(page)
    sent = page.evaluate("window.__sent.slice()")[len(before):]
    assert sent.count("evaluate") == 1 and sent.count("what-if") <= 1, sent  # one change, one evaluation (and its what-if)
    assert set(sent) <= {"evaluate", "what-if"}, sent
    assert shown(page) == ("rag", [])


def test_worked_examples_open_their_stated_results(page: Any, server: Any) -> None:
    markdown = (ROOT / "docs" / "examples.md").read_text()
    stated = re.findall(
        r"^## .*\{#(?P<id>[a-z0-9-]+)\}\s*\n+\*\*Result:\*\* outcome `(?P<outcome>[a-z-]+)`; caveats: (?P<caveats>.+)$", markdown, re.MULTILINE
    )
    assert len(stated) >= 5
    page.goto(server.url + "examples/")
    for example_id, outcome, caveats in stated:
        link = page.locator(f"h2#{example_id} ~ p a[href*='checklist/#']").first
        link.click()  # instant navigation to the checklist with the example's answers
        wait_ready(page)
        settle(page)
        assert shown(page) == (outcome, re.findall(r"`([a-z-]+)`", caveats)), example_id
        assert page.locator("[data-provisional]").is_hidden()
        page.go_back()
        page.wait_for_url(re.compile(r"/examples/"))


def test_training_data_checklist(page: Any, server: Any) -> None:
    checklist = decision.load_checklist("training-data")
    open_checklist(page, server, path="training-data/")
    best = {q.id: q.options[0].id for q in checklist.questions}
    answer(page, best)
    for question in checklist.questions:  # answer each question, one option after another
        for option in question.options:
            answer(page, {question.id: option.id})
            settle(page)
            candidate = {**best, question.id: option.id}
            result = decision.evaluate(checklist, candidate)
            assert shown(page) == (result.outcome, list(result.caveats))
        answer(page, {question.id: best[question.id]})


@pytest.mark.browser_context(color_scheme="dark", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
def test_phone_in_dark_scheme(page: Any, server: Any, tmp_path: Path) -> None:
    open_checklist(page, server, "knowledge=stable")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.tap("input[name=style][value=yes]")
    settle(page)
    assert shown(page) == ("rag", ["not-first-step"])
    page.screenshot(path=str(tmp_path / "phone-dark.png"), full_page=True)


def test_without_javascript_questions_and_guidance_remain(browser: Any, server: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server.url + "checklist/")
        assert page.locator("[data-checklist] fieldset").count() == 9
        assert page.locator("input[name=knowledge][value=changing]").is_visible()
        assert "needs JavaScript" in page.content()
        assert page.locator("[data-checklist] .checklist__learn a").count() == 9
    finally:
        context.close()


def test_print_and_copy_as_text(page: Any, server: Any, context: Any) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_checklist(page, server, "knowledge=changing&style=no&format=no&latency=no")
    page.click("[data-action=copy-text]")
    page.wait_for_selector("[data-copied]:has-text('copied')")
    text = page.evaluate("navigator.clipboard.readText()")
    assert "Recommendation: Add retrieval (RAG)" in text and "Link: " + page.url in text
    assert "Yes, and it changes often or must always be current" in text
    page.click("[data-action=copy-link]")
    page.wait_for_selector("[data-copied]:has-text('Link copied')")
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    page.emulate_media(media="print")
    assert page.locator("label:has(input[name=knowledge][value=changing])").is_visible()
    assert page.locator("label:has(input[name=knowledge][value=none])").is_hidden()
    assert page.locator("[data-share-link]").is_visible() and page.locator("[data-action=reset]").is_hidden()


def test_served_under_a_sub_path(browser: Any, site: Path) -> None:
    with serve(site, prefix="/guides/decide/") as sub:
        context = browser.new_context()
        requests: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        try:
            page = context.new_page()
            page.goto(sub.url + "checklist/#knowledge=changing")
            wait_ready(page)
            settle(page)
            assert shown(page) == ("rag", [])
            page.click("a.md-nav__link[href$='learn/rag/']")
            page.wait_for_url(re.compile(r"/guides/decide/learn/rag/"))
        finally:
            context.close()
    assert requests and all(url.startswith(sub.url) for url in requests), [u for u in requests if not u.startswith(sub.url)]


def test_a_missing_wheel_is_an_error_that_keeps_the_answers(page: Any, server: Any) -> None:
    server.blocked.add("/assets/wheels/")
    try:
        page.goto(server.url + "checklist/#knowledge=stable&style=yes")
        page.wait_for_selector("[data-checklist][data-state=error]", timeout=60_000)
    finally:
        server.blocked.discard("/assets/wheels/")
    alert = page.locator("[role=alert]")
    assert alert.is_visible() and "could not be loaded" in alert.inner_text() and "404" in alert.inner_text()
    assert checked(page) == {"knowledge": "stable", "style": "yes"}
    assert address_fragment(page) == "knowledge=stable&style=yes"
    page.click("[data-action=retry]")  # the file is back: a retry recovers
    wait_ready(page)
    settle(page)
    assert shown(page) == ("rag", ["not-first-step"])


def test_a_returning_reader_restores_the_engine_from_a_snapshot(context: Any, server: Any) -> None:
    first = context.new_page()
    open_checklist(first, server, "knowledge=stable")
    assert first.get_attribute("[data-checklist]", "data-boot") == "fresh"
    first.wait_for_function(
        "() => caches.open('checklist-engine-snapshots').then(c => c.keys()).then(k => k.length === 1)", polling=200, timeout=30_000
    )
    first.close()
    again = context.new_page()
    open_checklist(again, server, "knowledge=stable&style=yes&format=yes&examples=over-1000&task=yes&metric=yes&prompting=not-tried&maintenance=no")
    assert again.get_attribute("[data-checklist]", "data-boot") == "snapshot", again.get_attribute("[data-checklist]", "data-restore-problem")
    assert shown(again) == ("rag-and-fine-tuning", ["maintenance", "baseline"])
    answer(again, {"knowledge": "none"})
    settle(again)
    assert shown(again) == ("fine-tuning", ["maintenance", "baseline"])


def test_a_broken_snapshot_falls_back_to_a_normal_boot(context: Any, server: Any) -> None:
    # A host that answers with something else (status 200): it is not kept (see also test_loading.py).
    page = context.new_page()
    fetched: list[str] = []
    page.route("**/engine.snapshot", lambda route: (fetched.append(route.request.url), route.fulfill(status=200, body=b"\x00" * 4096 + b"not a snapshot")))
    open_checklist(page, server)
    page.wait_for_selector("html[data-checklist-snapshot=refused]", state="attached", timeout=30_000)
    assert fetched and page.evaluate("caches.open('checklist-engine-snapshots').then(c => c.keys()).then(k => k.length)") == 0
    page.close()
    again = context.new_page()
    open_checklist(again, server, "knowledge=changing")
    assert again.get_attribute("[data-checklist]", "data-boot") == "fresh"
    assert shown(again) == ("rag", [])


@pytest.mark.browser_context(extra_http_headers={"Save-Data": "on"})
def test_no_snapshot_is_kept_when_the_reader_saves_data(page: Any, server: Any) -> None:
    page.add_init_script("Object.defineProperty(navigator, 'connection', {value: {saveData: true}})")
    open_checklist(page, server)
    page.wait_for_timeout(2000)
    assert page.evaluate("caches.open('checklist-engine-snapshots').then(c => c.keys()).then(k => k.length)") == 0


def test_diagrams_are_drawn_only_when_the_reader_comes_near(page: Any, server: Any, context: Any) -> None:
    open_checklist(page, server)
    page.wait_for_timeout(1000)
    assert not [url for url in context.requests if url.endswith("mermaid.min.js")]  # 3.5 MB not fetched yet
    # Until then, a placeholder of a drawing's size stands in for the source (dozens of lines).
    placeholder = page.locator("pre.mermaid").first
    assert not placeholder.locator("code").is_visible() and 100 < placeholder.bounding_box()["height"] < 400
    draw_diagrams(page)
    assert [url for url in context.requests if url.endswith("/assets/vendor/mermaid.min.js")]
    assert page.locator("div.mermaid").count() >= 2


def test_search_on_the_checklist_page_waits_for_the_engine_only_until_the_reader_asks(page: Any, server: Any) -> None:
    # The page holds back Material's search index while the engine starts (they compete for the CPU),
    # fetches it once the engine is ready, and at once when the reader turns to search.
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url) if request.url.endswith("search_index.json") else None)
    page.goto(server.url + "checklist/")
    wait_ready(page)
    page.wait_for_function("() => performance.getEntriesByName(new URL('../search/search_index.json', location).href).length === 1")
    page.keyboard.press("/")
    page.keyboard.type("retrieval")
    page.wait_for_selector(".md-search-result__item")

    page.route("**/pyodide.asm.wasm", lambda route: None)  # this time the engine never gets ready
    page.goto(server.url + "learn/rag/")
    fetched.clear()
    page.goto(server.url + "checklist/")
    page.wait_for_selector("[data-status]:has-text('Step 1 of 3')")
    page.wait_for_timeout(300)
    assert fetched == []
    page.keyboard.press("/")
    page.keyboard.type("retrieval")
    page.wait_for_selector(".md-search-result__item")
    assert len(fetched) == 1 and page.errors == []
