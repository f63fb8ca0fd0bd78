"""Helpers for the end-to-end tests: what a reader does and sees on a checklist page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

READY_TIMEOUT_MS = 60_000


def wait_ready(page: Any, checklist: str = "fine-tuning") -> None:
    page.wait_for_selector(f"[data-checklist={checklist}][data-state=ready]", timeout=READY_TIMEOUT_MS)


def wait_result(page: Any, outcome: str) -> None:
    page.wait_for_selector(f"[data-outcome={outcome}]:not([hidden])", state="visible")


def shown(page: Any) -> tuple[str, list[str]]:
    """The outcome and caveats the reader sees."""
    outcomes = page.eval_on_selector_all("[data-outcome]", "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.outcome)")
    caveats = page.eval_on_selector_all("[data-caveat]", "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.caveat)")
    assert len(outcomes) == 1, outcomes
    return outcomes[0], caveats


def answer(page: Any, answers: dict[str, str]) -> None:
    for question, option in answers.items():
        page.check(f'input[name="{question}"][value="{option}"]')


def checked(page: Any) -> dict[str, str]:
    return dict(page.eval_on_selector_all("[data-checklist] input[type=radio]:checked", "els => els.map(e => [e.name, e.value])"))


# The page writes the address bar within 100 ms of an answer; the share link it shows, at once.
ADDRESS_CAUGHT_UP = "location.href === document.querySelector('[data-checklist] [data-share-link]').href"


def settle(page: Any) -> None:
    """Wait until the page has shown the result of the latest answers, and the address bar has
    caught up with them."""
    page.wait_for_function(
        "() => { const root = document.querySelector('[data-checklist]');"
        f" return root.dataset.state === 'ready' && root.dataset.pending === '0' && {ADDRESS_CAUGHT_UP}; }}"
    )


def address_fragment(page: Any) -> str:
    """The address bar's fragment, once it has caught up with the answers."""
    page.wait_for_function(f"() => {ADDRESS_CAUGHT_UP}")
    return urlsplit(page.url).fragment


def draw_diagrams(page: Any) -> None:
    """Scroll to the first Mermaid diagram, which makes the page draw them all, and wait until
    Material has replaced every `pre.mermaid` with its drawing."""
    # In one step in the page: a diagram near the top may be drawn (and its `pre` replaced) meanwhile.
    page.evaluate("document.querySelector('pre.mermaid')?.scrollIntoView({block: 'center'})")
    page.wait_for_function("() => !document.querySelector('pre.mermaid')", timeout=30_000)
