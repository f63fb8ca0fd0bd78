"""Loading the engine over a slow link and from a damaged snapshot (issue 12, items 7 and 8), in
headless Chromium against the real built site."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser import address_fragment, checked, settle, shown, wait_ready
from tests.rules import expected
from tests.throttle import CHUNK, engine_files, serve_slowly

STALL_SECONDS = 3  # the page's stall limit, shortened for the test (30 s for readers)
RATE = 700_000  # bytes/s, shared by every connection: the 13 MB of a cold visit take about 20 s
LATENCY = 0.15  # s per request
FROZEN_AFTER = 3_000_000  # bytes of pyodide.asm.wasm, then its connection goes silent
ANSWERS = {"knowledge": "changing", "style": "yes"}
LINK = "knowledge=changing&style=yes"
STATE = """() => { const root = document.querySelector('[data-checklist]');
  return {state: root.dataset.state, value: root.querySelector('[data-progress]').value,
          bytes: root.querySelector('[data-progress-bytes]').textContent,
          alert: root.querySelector('[data-alert]').hidden ? '' : root.querySelector('[data-alert-text]').textContent}; }"""


def test_a_slow_link_loads_and_a_stall_resumes_where_it_stopped(browser: Any, site: Path) -> None:
    files = engine_files(site)
    wasm = next(path for path in files if path.endswith("pyodide.asm.wasm"))
    counted = sum(size for path, size in files.items() if not path.endswith(".mjs"))  # modules load uncounted
    with serve_slowly(site, rate=RATE, latency=LATENCY) as server:
        freeze = server.freeze("pyodide.asm.wasm", after=FROZEN_AFTER)
        context = browser.new_context()
        context.add_init_script(f"window.__checklistStallSeconds = {STALL_SECONDS}")
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            started = time.monotonic()
            page.goto(server.url + f"checklist/#{LINK}", wait_until="commit")
            page.wait_for_selector("[data-checklist] [data-progress-bytes]", state="attached")
            samples = []
            while (sample := page.evaluate(STATE))["state"] != "error":
                samples.append(sample)
                assert time.monotonic() - started < 90, samples[-3:]
                page.wait_for_timeout(250)
            stalled_after = time.monotonic() - started

            # Progress moved with the bytes, and never gave up while they arrived.
            values = [s["value"] for s in samples if 0 < s["value"] < 1]
            assert len(set(values)) >= 5 and values == sorted(values), values
            assert freeze.frozen.is_set() and stalled_after > 4 * STALL_SECONDS
            texts = [s["bytes"] for s in samples if s["bytes"]]
            assert texts and all(re.fullmatch(rf"\d+\.\d of {counted / 1e6:.1f} MB received", t) for t in texts), texts[-3:]
            assert [float(t.split()[0]) for t in texts] == sorted(float(t.split()[0]) for t in texts)

            # A stall: said so, and the answers stay.
            assert page.evaluate(STATE)["alert"].startswith("No data has arrived for a while")
            assert checked(page) == ANSWERS
            assert address_fragment(page) == LINK

            # "Try again" fetches only the rest of what stopped.
            page.click("[data-action=retry]")
            wait_ready(page)
            settle(page)
            assert shown(page) == expected(ANSWERS)
            assert page.get_attribute("[data-checklist]", "data-boot") == "fresh"
            assert errors == []
        finally:
            context.close()
        first, second = server.of("pyodide.asm.wasm")
        assert first.range is None and FROZEN_AFTER - 64 * CHUNK <= first.sent <= FROZEN_AFTER
        resumed_at = int(second.range.removeprefix("bytes=").removesuffix("-"))
        assert second.status == 206 and first.sent - 64 * CHUNK <= resumed_at <= first.sent, (first, second)
        assert resumed_at + second.sent == files[wasm]
        for path in files:  # every other engine file was fetched once, in full
            if path != wasm:
                assert [(t.status, t.range) for t in server.of(path)] == [(200, None)], path


def test_loading_shows_the_bytes_and_the_answers_while_it_waits(page: Any, server: Any) -> None:
    # On a fast link the same page: the count is gone once ready, and the bar has reached its end.
    page.goto(server.url + f"checklist/#{LINK}")
    wait_ready(page)
    settle(page)
    state = page.evaluate(STATE)
    assert state["value"] == 3 and not page.locator("[data-progress-bytes]").is_visible()


# Damaged entries, made in the page from the real file (`good`, an ArrayBuffer).
DAMAGED = {
    "half-written": "good.slice(0, good.byteLength >> 1)",
    "foreign": "new TextEncoder().encode('<!doctype html><title>Not found</title><p>No such page.')",
    "empty": "new Uint8Array(0)",
    "run table past its end": "(b => (new DataView(b).setUint32(12, 1e6, true), b))(good.slice(0))",
}
STORED = "(url) => caches.open('checklist-engine-snapshots').then(c => c.match(url)).then(r => r ? r.arrayBuffer().then(b => b.byteLength) : -1)"


@pytest.mark.parametrize("damage", DAMAGED)
def test_a_damaged_stored_snapshot_is_replaced(context: Any, server: Any, site: Path, damage: str) -> None:
    snapshot = next(site.glob("assets/snapshots/*/engine.snapshot"))
    url = server.url + snapshot.relative_to(site).as_posix()
    problems: list[str] = []

    def watch(page: Any) -> Any:
        page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
        page.on("console", lambda message: problems.append(f"console: {message.text}") if message.type == "error" else None)
        page.on("worker", lambda worker: worker.on("console", lambda m: problems.append(f"worker: {m.text}") if m.type == "error" else None))
        return page

    page = watch(context.new_page())
    page.goto(server.url + "glossary/")  # any page of the site: its origin's Cache Storage
    size = page.evaluate(
        f"""async (url) => {{ const good = await (await fetch(url)).arrayBuffer(); const bad = {DAMAGED[damage]};
           await (await caches.open('checklist-engine-snapshots')).put(url, new Response(bad));
           return ({STORED})(url); }}""",
        url,
    )
    assert 0 <= size != snapshot.stat().st_size or damage == "run table past its end"

    page.goto(server.url + f"checklist/#{LINK}")
    wait_ready(page)
    settle(page)
    assert page.get_attribute("[data-checklist]", "data-boot") == "fresh"
    assert shown(page) == expected(ANSWERS)
    # The bad entry was removed, and a good one stored in its place.
    page.wait_for_function(
        f"""(url) => caches.open('checklist-engine-snapshots').then(c => c.match(url)).then(r => r && r.arrayBuffer())
              .then(b => !!b && b.byteLength === {snapshot.stat().st_size} && new DataView(b).getUint32(12, true) !== 1e6)""",
        arg=url, polling=200, timeout=30_000,
    )  # fmt: skip

    # The next visit opens before the first page closes: in Playwright's in-memory profile, Cache
    # Storage can be dropped when a context's last page closes (a reader's profile keeps it).
    again = watch(context.new_page())
    page.close()
    again.goto(server.url + f"checklist/#{LINK}")
    wait_ready(again)
    settle(again)
    assert again.get_attribute("[data-checklist]", "data-boot") == "snapshot", again.get_attribute("[data-checklist]", "data-restore-problem")
    assert shown(again) == expected(ANSWERS)
    assert problems == []
