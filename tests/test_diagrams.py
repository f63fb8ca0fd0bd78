"""Diagrams readable on a phone, end to end in headless Chromium against the real built site: on a
390 x 844 viewport, in light and dark scheme, every drawn diagram's text is at least MIN_TEXT_PX
tall, and a diagram wider than the column scrolls sideways in its own labelled region that the
keyboard can reach and scroll (WCAG 2.1.1 and 1.4.10), with no axe violation on the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser import draw_diagrams
from tests.test_accessibility import OPEN_SHADOW_ROOTS, axe

MIN_TEXT_PX = 12
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "bypass_csp": True}
SCHEMES = [pytest.param(s, marks=pytest.mark.browser_context(color_scheme=s, **PHONE), id=s) for s in ("light", "dark")]

# Each drawn diagram (in a shadow root the test has opened): the smallest text on screen, in CSS
# pixels (font size times the drawing's scale), and how its box behaves.
MEASURE = """() => [...document.querySelectorAll('div.mermaid')].map(host => {
  const root = host.shadowRoot, svg = root.querySelector('svg'), box = svg.parentElement;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const walker = document.createTreeWalker(svg, NodeFilter.SHOW_TEXT);
  const sizes = [];
  for (let node; (node = walker.nextNode());) {
    const element = node.parentElement;
    if (!node.textContent.trim() || element.closest('title, desc, style')) continue;
    sizes.push(parseFloat(getComputedStyle(element).fontSize) * scale);
  }
  return {
    title: root.querySelector('svg > title')?.textContent ?? '',
    texts: sizes.length, smallest: Math.min(...sizes),
    scrolls: box.scrollWidth > box.clientWidth + 1,
    role: box.getAttribute('role'), tabindex: box.getAttribute('tabindex'), label: box.getAttribute('aria-label') ?? '',
    hint: !root.querySelector('.diagram-hint').hidden,
  };
})"""


def diagram_pages(site: Path) -> list[str]:
    """Every built page with a Mermaid diagram, as a path relative to the site's root."""
    pages = sorted(p.relative_to(site).parent.as_posix() + "/" for p in site.rglob("index.html") if '<pre class="mermaid">' in p.read_text())
    assert {"checklist/", "learn/rag/"} <= set(pages), pages
    return pages


@pytest.mark.parametrize("scheme", SCHEMES)
def test_diagrams_read_on_a_phone(page: Any, context: Any, server: Any, site: Path, scheme: str) -> None:
    context.add_init_script(OPEN_SHADOW_ROOTS)
    seen: dict[str, list[dict[str, Any]]] = {}
    violations: dict[str, list[str]] = {}
    for path in diagram_pages(site):
        page.goto(server.url + path)
        draw_diagrams(page)
        diagrams = seen[path] = page.evaluate(MEASURE)
        assert diagrams, path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{path}: the page scrolls sideways"
        for diagram in diagrams:
            where = f"{path} “{diagram['title']}”"
            assert diagram["texts"] > 0 and diagram["smallest"] >= MIN_TEXT_PX, (where, diagram)
            if diagram["scrolls"]:  # reachable, named and announced as what it is
                assert diagram["role"] == "region" and diagram["tabindex"] == "0" and diagram["hint"], (where, diagram)
                assert diagram["label"].startswith(diagram["title"]) and diagram["title"], (where, diagram)
            else:  # no Tab stop for a drawing that fits
                assert diagram["role"] is None and diagram["tabindex"] is None and not diagram["hint"], (where, diagram)
        if found := axe(page):
            violations[path] = found
    assert violations == {}, violations
    # The rules' flowchart is too wide for any phone at a readable size: it scrolls, by keyboard too.
    assert any(d["scrolls"] for d in seen["checklist/"]), seen["checklist/"]
    # The RAG page's drawing was laid out to fit the column.
    assert not any(d["scrolls"] for d in seen["learn/rag/"]), seen["learn/rag/"]
    print(f"\n{scheme}: " + "; ".join(f"{p} " + ", ".join(f"{d['smallest']:.1f} px{' (scrolls)' if d['scrolls'] else ''}" for d in ds) for p, ds in seen.items()))
    assert page.errors == []


# Whether the keyboard's focus is on a diagram's scrolling region (inside its shadow root).
FOCUS_ON_REGION = "() => document.activeElement?.shadowRoot?.activeElement?.matches('.diagram-scroll[role=region]') ?? false"


@pytest.mark.browser_context(**PHONE)
def test_a_wide_diagram_scrolls_by_keyboard(page: Any, context: Any, server: Any) -> None:
    context.add_init_script(OPEN_SHADOW_ROOTS)
    page.goto(server.url + "checklist/")
    draw_diagrams(page)
    for _ in range(300):  # Tab from the top of the page until the focus reaches the drawing
        page.keyboard.press("Tab")
        if page.evaluate(FOCUS_ON_REGION):
            break
    else:
        pytest.fail("Tab never reached the rules' diagram")
    region = page.locator("div.mermaid .diagram-scroll[role=region]").first
    assert re.search(r"decides its outcome \(scrolls sideways\)$", region.get_attribute("aria-label") or "")
    assert region.evaluate("box => box.scrollLeft") == 0
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=region.element_handle())
    assert page.evaluate("window.scrollX") == 0  # the drawing moved, not the page
    assert page.errors == []
