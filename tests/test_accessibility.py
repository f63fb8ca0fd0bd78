"""Accessibility and privacy, end to end in headless Chromium against the real built site.

- axe-core (WCAG 2.2 A and AA rules) on every built page, in light and dark scheme; on checklist
  pages in every state a reader can meet (loading, error, ready, a result with its caveats);
- a keyboard-only walk through the checklist, with the result announced and focus always visible;
- privacy: no cookie, nothing in Web Storage or IndexedDB, after visiting every page and
  completing the checklists (no request leaves the origin: the `context` fixture checks that).
"""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

import decision
from tests.browser import address_fragment, answer, draw_diagrams, settle, shown, wait_ready
from tests.rules import expected
from tests.sitekit import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}

# Material draws Mermaid diagrams into closed shadow roots, which axe cannot enter. Open them, in
# tests only, so that the diagrams' text and colours are audited too.
OPEN_SHADOW_ROOTS = """(() => {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: "open" }); };
})()"""

# The pages carry a strict Content-Security-Policy (checked in test_hardening.py), which would block
# the injected axe script: the audits run with the policy bypassed.
SCHEMES = [
    pytest.param(scheme, marks=pytest.mark.browser_context(color_scheme=scheme, bypass_csp=True), id=scheme)
    for scheme in ("light", "dark")
]


RENDER_ALL = "* { content-visibility: visible !important; }"


def built_pages(site: Path) -> list[str]:
    """Every page of the built site, as a path relative to its root: all index.html files, and 404.html."""
    pages = sorted(p.relative_to(site).parent.as_posix() + "/" for p in site.rglob("index.html"))
    pages = ["" if page == "./" else page for page in pages]
    assert {"", "checklist/", "guidance/rag/"} <= set(pages) and (site / "404.html").is_file(), pages
    return [*pages, "404.html"]


def axe(page: Any, context: str = "document", options: dict[str, Any] = WCAG) -> list[str]:
    """axe-core's violations on the page as it is now, one readable line each."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing ({AXE}): run `npm ci`")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    # The checklist renders its tall parts only near the viewport (`content-visibility: auto`, in
    # checklist.css). axe cannot audit content the browser skipped: it reads that content's stale
    # boxes and colours (dequelabs/axe-core#2768). The audit therefore sees every part rendered, as
    # the reader sees each one when it scrolls into view, and then the page returns to as it was.
    page.evaluate(f"() => document.head.insertAdjacentHTML('beforeend', '<style id=audit-all>{RENDER_ALL}</style>')")
    try:
        results = page.evaluate(f"options => axe.run({context}, options)", options)
    finally:
        page.evaluate("() => document.getElementById('audit-all')?.remove()")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:4]]}: "
        + v["nodes"][0]["failureSummary"].replace("\n", " ")
        for v in results["violations"]
    ]


def settle_page(page: Any) -> int:
    """Wait until Material has drawn every Mermaid diagram (it replaces each `pre.mermaid`), in a
    shadow root that axe can enter; the number of diagrams."""
    draw_diagrams(page)
    return page.evaluate("""() => [...document.querySelectorAll('div.mermaid')]
        .map(host => { if (!host.shadowRoot?.querySelector('svg')) throw new Error('a diagram axe cannot see'); return host; }).length""")


def showcase(checklist_id: str) -> dict[str, str]:
    """Answers that show an outcome with as many caveats as possible, with the last question left
    open, so that the provisional notice and the list of open questions show too."""
    checklist = decision.load_checklist(checklist_id)
    asked = checklist.questions[:-1]
    best: tuple[int, dict[str, str]] = (-1, {})
    for combo in itertools.product(*[[option.id for option in q.options] for q in asked]):
        answers = {q.id: option for q, option in zip(asked, combo)}
        caveats = len(decision.evaluate(checklist, answers).caveats)
        if caveats > best[0]:
            best = (caveats, answers)
    return best[1]


def audit_checklist(page: Any, url: str, checklist_id: str) -> dict[str, list[str]]:
    """The checklist page in each state: loading (its wheel held back), error (the wheel missing),
    ready after a retry, and with a result shown."""
    held: list[Any] = []
    page.route("**/assets/wheels/**", lambda route: held.append(route))
    page.goto(url)
    deadline = time.monotonic() + 30
    while not held:
        assert time.monotonic() < deadline, "the checklist never asked for its wheel"
        page.wait_for_timeout(50)
    assert page.get_attribute("[data-checklist]", "data-state") == "loading"
    found = {"loading": axe(page)}
    held[0].fulfill(status=404, body="held back by the test")
    page.unroute("**/assets/wheels/**")
    page.wait_for_selector(f"[data-checklist={checklist_id}][data-state=error]", timeout=30_000)
    assert page.is_visible("[role=alert]")
    found["error"] = axe(page)
    page.click("[data-action=retry]")
    wait_ready(page, checklist_id)
    settle(page)
    settle_page(page)
    found["ready"] = axe(page)
    answer(page, showcase(checklist_id))
    settle(page)
    assert page.is_visible("[data-outcome]:not([hidden])") and page.is_visible("[data-missing-list]")
    found["result"] = axe(page)
    return found


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_page_meets_wcag_22_aa(page: Any, context: Any, server: Any, site: Path, scheme: str) -> None:
    context.add_init_script(OPEN_SHADOW_ROOTS)
    pages = built_pages(site)
    violations: dict[str, list[str]] = {}
    audits = diagrams = 0
    for path in pages:
        html = (site / (path if path.endswith(".html") else path + "index.html")).read_text()
        if match := re.search(r'data-checklist="([^"]+)"', html):
            found = audit_checklist(page, server.url + path, match[1])
        else:
            page.goto(server.url + path)
            settle_page(page)
            found = {"": axe(page)}
        assert page.get_attribute("body", "data-md-color-scheme") == {"light": "default", "dark": "slate"}[scheme], path
        diagrams += settle_page(page)
        for state, lines in found.items():
            audits += 1
            if lines:
                violations[f"{path or '/'} {state}".strip()] = lines
    print(f"\naxe-core, {scheme} scheme: {len(pages)} pages, {audits} audits ({diagrams} diagrams), {sum(map(len, violations.values()))} violations")
    assert diagrams >= 2
    assert violations == {}, "\n".join(f"{path}:\n  " + "\n  ".join(lines) for path, lines in violations.items())
    assert page.errors == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_hover_and_focus_colours_keep_their_contrast(page: Any, server: Any, scheme: str) -> None:
    """axe sees colours at rest only: check a text link and both kinds of button under the pointer."""
    page.goto(server.url)
    for selector in ["article p a[href]:not(.md-button)", ".md-button--primary", ".md-button:not(.md-button--primary)"]:
        target = page.locator(selector).first
        target.hover()
        page.wait_for_timeout(200)  # Material's colour transitions take 125 ms
        target.evaluate("element => element.setAttribute('data-hovered', '')")
        assert axe(page, "'[data-hovered]'", {"runOnly": ["color-contrast"]}) == [], selector
        target.evaluate("element => element.removeAttribute('data-hovered')")


# --- the checklist by keyboard only ------------------------------------------------------------

KEYBOARD_ANSWERS = {
    "knowledge": "stable", "style": "yes", "format": "no", "latency": "no", "examples": "over-1000",
    "task": "yes", "metric": "yes", "prompting": "insufficient", "maintenance": "yes",
}  # fmt: skip

FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  // Material's palette switch is a hidden radio input drawn, and focused, by the label after it.
  const drawnBy = element.nextElementSibling?.tagName === "LABEL" ? [element.nextElementSibling] : [];
  const labels = [...(element.labels || []), ...drawnBy].map(label => label.getBoundingClientRect());
  return {
    tag: element.tagName.toLowerCase(), name: element.name || null, value: element.value ?? null,
    checked: element.checked ?? null, inQuestion: element.closest("fieldset[data-question]")?.dataset.question ?? null,
    seen: element.checkVisibility({ visibilityProperty: true })
      && [box, ...labels].some(rect => rect.width > 0 && rect.height > 0),
    focusVisible: element.matches(":focus-visible"),
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none",
  };
}"""


def tab(page: Any) -> dict[str, Any]:
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["seen"], f"Tab landed on something the reader cannot see: {focused}"
    return focused


def assert_focus_ring(focused: dict[str, Any]) -> None:
    assert focused["focusVisible"] and focused["ring"], f"no visible focus indicator on {focused}"


def test_checklist_by_keyboard_only(page: Any, server: Any) -> None:
    page.goto(server.url + "checklist/")
    wait_ready(page)
    settle(page)
    status = page.locator("[data-checklist] [data-status]")
    assert status.get_attribute("role") == "status"  # a polite live region
    announced = [status.inner_text()]
    questions = page.eval_on_selector_all(
        "[data-checklist] fieldset[data-question]",
        "sets => sets.map(set => [set.dataset.question, [...set.querySelectorAll('input[type=radio]')].map(i => i.value)])",
    )
    assert [q for q, _ in questions] == list(KEYBOARD_ANSWERS)

    # From the top of the page, Tab into the first question: every stop on the way can be seen.
    for _ in range(100):
        focused = tab(page)
        if focused["tag"] == "input" and focused["name"] == questions[0][0]:
            break
    else:
        pytest.fail("Tab never reached the first question")

    for number, (question, options) in enumerate(questions):
        target = options.index(KEYBOARD_ANSWERS[question])
        assert focused["name"] == question and focused["value"] == options[0] and not focused["checked"], focused
        assert_focus_ring(focused)
        if target == 0:
            page.keyboard.press("Space")  # Space selects the focused option
            focused = page.evaluate(FOCUSED)
        else:  # arrow keys move between options and select them; down to the last, then up
            at = 0
            for index in [*range(1, len(options)), *range(len(options) - 2, target - 1, -1)]:
                page.keyboard.press("ArrowDown" if index > at else "ArrowUp")
                at = index
                focused = page.evaluate(FOCUSED)
                assert (focused["name"], focused["value"], focused["checked"]) == (question, options[index], True), focused
                assert_focus_ring(focused)
        assert focused["checked"] and focused["value"] == options[target], focused
        settle(page)
        announced.append(status.inner_text())
        if number + 1 == len(questions):
            break
        # Tab leaves the group for the next one; only the question's own links lie in between.
        for _ in range(5):
            focused = tab(page)
            if focused["tag"] == "input":
                break
            assert focused["tag"] == "a" and focused["inQuestion"] == question, focused
        assert focused["name"] == questions[number + 1][0], focused

    answers = {q: KEYBOARD_ANSWERS[q] for q, _ in questions}
    assert dict(page.eval_on_selector_all("[data-checklist] input[type=radio]:checked", "els => els.map(e => [e.name, e.value])")) == answers
    outcome, caveats = expected(answers)
    assert shown(page) == (outcome, caveats)
    # the outcome's own title, without the word of its tone ("Recommended:"), which is not announced
    title = page.eval_on_selector(f"[data-outcome={outcome}] .admonition-title", "e => e.lastChild.textContent.trim()")
    assert announced[0] != announced[-1] and title in announced[-1], announced
    assert "provisional" in announced[1] and "provisional" not in announced[-1], announced
    assert address_fragment(page) == decision.encode_answers(decision.load_checklist("fine-tuning"), answers)
    assert page.errors == []


# Where focus is, and whether it is on screen (the closed drawer's links are visible, but slid off).
ON_SCREEN = """() => {
  const element = document.activeElement;
  // Material's palette switch is a hidden radio input drawn, and focused, by the label after it.
  const drawn = element.nextElementSibling?.tagName === "LABEL" && element.type === "radio" ? element.nextElementSibling : element;
  const box = drawn.getBoundingClientRect();
  return {
    name: (element.getAttribute("aria-label") || element.textContent || "").trim(), tag: element.tagName.toLowerCase(),
    onScreen: box.width > 0 && box.right > 0 && box.left < innerWidth && box.bottom > 0 && box.top < innerHeight,
    inDrawer: !!element.closest(".md-sidebar--primary"), inSearch: !!element.closest(".md-search"),
    drawer: document.getElementById("__drawer").checked, search: document.getElementById("__search").checked,
  };
}"""


def test_phone_header_by_keyboard(page: Any, server: Any) -> None:
    # At phone width (and at 200% zoom on a laptop) Material's menu and search are behind buttons.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(server.url + "learn/rag/")
    stops = []
    for _ in range(5):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(ON_SCREEN))
    assert all(stop["onScreen"] and not stop["inDrawer"] and not stop["inSearch"] for stop in stops), stops
    names = [stop["name"] for stop in stops]
    assert names[:2] == ["Skip to content", "Navigation"] and "Search" in names, names

    menu = page.locator("button[data-toggle=__drawer]")
    menu.focus()
    page.keyboard.press("Enter")
    opened = page.evaluate(ON_SCREEN)
    assert opened["drawer"] and opened["inDrawer"] and menu.get_attribute("aria-expanded") == "true", opened
    page.wait_for_timeout(400)  # the drawer slides in
    page.keyboard.press("Tab")
    assert page.evaluate(ON_SCREEN)["inDrawer"] and page.evaluate(ON_SCREEN)["onScreen"]
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement.dataset.toggle === '__drawer'")
    closed = page.evaluate(ON_SCREEN)
    assert not closed["drawer"] and menu.get_attribute("aria-expanded") == "false", closed

    search = page.locator("button[data-toggle=__search]")
    search.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.matches('.md-search input')")
    assert page.evaluate(ON_SCREEN)["search"] and search.get_attribute("aria-expanded") == "true"
    page.keyboard.type("retrieval")
    page.wait_for_selector(".md-search-result__item")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement.dataset.toggle === '__search'")
    assert not page.evaluate(ON_SCREEN)["search"]
    page.reload()  # a fresh page: Material's own key for the search still works (it opens a moment later)
    page.keyboard.press("/")
    page.wait_for_function("""() => document.activeElement.matches('.md-search input') && document.getElementById('__search').checked
        && document.querySelector('[data-toggle=__search]').getAttribute('aria-expanded') === 'true'""")
    page.keyboard.press("Escape")

    # On a wide screen the drawer is the sidebar: its links are in the Tab order, the buttons hidden.
    page.set_viewport_size({"width": 1400, "height": 900})
    page.wait_for_function("() => document.querySelector('.md-sidebar--primary').inert === false")  # on the media query's change
    assert not menu.is_visible() and not search.is_visible()
    assert page.errors == []


# Whether the focused element is what the reader sees at that spot: not under the drawer's open
# level or its overlay, nor slid out of the drawer (WCAG 2.4.11). Links may wrap: their first line.
FOCUS_SEEN = """() => {
  const element = document.activeElement;
  const box = element.getClientRects()[0];
  if (!box) return false;
  const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return !!top && (top === element || element.contains(top));
}"""


def test_phone_drawer_shows_every_link_the_keyboard_reaches(page: Any, server: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(server.url + "guidance/rag/")  # in a section: the drawer opens on its level
    page.locator("button[data-toggle=__search]").focus()
    page.keyboard.press("Shift+Tab")  # backwards onto the colour-scheme switch, which is drawn
    assert page.evaluate(ON_SCREEN)["onScreen"], page.evaluate(ON_SCREEN)
    page.locator("button[data-toggle=__drawer]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(FOCUS_SEEN)
    assert page.evaluate("document.activeElement.textContent.trim()") == "Start with prompting"
    visited = []
    for key in ["Shift+Tab"] * 2 + ["Tab"] * 40:
        page.keyboard.press(key)
        if not page.evaluate("() => !!document.activeElement.closest('.md-sidebar--primary')"):
            break
        page.wait_for_function(FOCUS_SEEN, timeout=3000)  # once its level has slid in
        level = page.evaluate("() => document.activeElement.closest('nav[aria-expanded]')?.getAttribute('aria-expanded') ?? 'top'")
        visited.append(page.evaluate("document.activeElement.textContent.trim()"))
        assert level in ("true", "top"), (visited, level)
    assert visited[:2] == ["When fine-tuning makes sense", "Costs and maintenance"], visited  # the level above
    assert {"What this result means", "Glossary", "For authors"} <= set(visited), visited  # this page's contents, other sections
    # Past the drawer's last link, the drawer closes, and the focus is on the page, in sight.
    page.wait_for_function("() => !document.getElementById('__drawer').checked")
    page.wait_for_function(FOCUS_SEEN)
    assert page.errors == []


# Each drawn diagram's accessible name and description (Mermaid's accTitle and accDescr).
DIAGRAM_WORDS = """() => [...document.querySelectorAll('div.mermaid')].map(host => {
  const svg = host.shadowRoot.querySelector('svg');
  const text = (ids) => (ids || '').split(' ').map(id => host.shadowRoot.getElementById(id)?.textContent ?? '').join(' ').trim();
  return [text(svg.getAttribute('aria-labelledby')), text(svg.getAttribute('aria-describedby'))];
})"""


@pytest.mark.parametrize("path", ["checklist/", "learn/rag/", "learn/when-to-fine-tune/"])
def test_every_diagram_has_a_name_and_a_description(page: Any, server: Any, path: str) -> None:
    page.add_init_script(OPEN_SHADOW_ROOTS)
    page.goto(server.url + path)
    draw_diagrams(page)
    words = page.evaluate(DIAGRAM_WORDS)
    assert words and all(len(name) > 10 and len(description) > 40 for name, description in words), words


# --- privacy -----------------------------------------------------------------------------------

STORED = """async () => ({
  local: Object.fromEntries(Object.keys(localStorage).map(key => [key, localStorage.getItem(key)])),
  session: Object.keys(sessionStorage),
  indexedDB: (await indexedDB.databases()).map(db => db.name),
  caches: await Promise.all((await caches.keys()).map(async name =>
    [name, (await (await caches.open(name)).keys()).map(request => request.url)])),
})"""


def test_nothing_is_stored_and_nothing_leaves(page: Any, context: Any, server: Any, site: Path) -> None:
    """Visiting every page and completing every checklist sets no cookie and writes nothing to Web
    Storage or IndexedDB, except Material's record of the colour palette it started with (written by
    its own start-up, not by this site's code; it holds no answers). Answers live only in the URL.
    The engine's snapshot in Cache Storage is a copy of a site file, the same for every reader."""
    for path in built_pages(site):
        page.goto(server.url + path)
    for checklist in decision.load_all().values():  # every checklist shipped, on its own page
        page.goto(server.url + checklist.page.removesuffix(".md") + "/")
        wait_ready(page, checklist.id)
        answer(page, {q.id: q.options[-1].id for q in checklist.questions})
        settle(page)
        assert page.is_hidden("[data-provisional]")
        page.wait_for_timeout(1000)  # idle time: when the page keeps the engine's snapshot
    stored = page.evaluate(STORED)
    assert context.cookies() == []
    assert stored["session"] == [] and stored["indexedDB"] == []
    assert list(stored["local"]) == ["/.__palette"], stored["local"]  # Material's, under its scope "/"
    assert set(json.loads(stored["local"]["/.__palette"])) == {"index", "color"}  # the palette, nothing else
    for name, urls in stored["caches"]:
        assert all(url.startswith(server.url + "assets/") and "#" not in url and "?" not in url for url in urls), (name, urls)
    print(f"\nstored after every page and every checklist: localStorage {list(stored['local'])}, Cache Storage {stored['caches']}")
    assert page.errors == []
