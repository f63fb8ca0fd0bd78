"""Vendor facts kept as data (hooks/facts.py, hooks/facts_hook.py, hooks/data/facts.toml): the loader's
errors name file and key, markers render the statement with its source and check date, the due list
follows a fixed "today", and the built site carries the where-to-fine-tune table and the sources."""

from __future__ import annotations

import html
import logging
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.sitekit import ROOT, build, copy_project

sys.path.insert(0, str(ROOT / "hooks"))

import facts as facts_module  # noqa: E402  (the hooks' folder is on the path above)
from facts import FACTS_FILE, Fact, FactsError, due, load_facts, render_fact, render_markers  # noqa: E402

GOOD = """
[facts.alpha]
statement = "Alpha offers tuning."
source = "https://example.org/alpha"
source_title = "Alpha docs"
checked = 2026-01-10
recheck_days = 30

[facts.beta]
statement = "Beta closed its service"
source = "https://example.org/beta"
source_title = "Beta notice"
checked = 2026-03-01
recheck_days = 90
vendor = "Beta"
offering = "Beta tuning"
tunable = "nothing"
methods = []
examples = "—"
status = "Closed"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "facts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _without(text: str, key: str, fact: str = "alpha") -> str:
    """GOOD with one key line removed from one fact."""
    head, _, tail = text.partition(f"[facts.{fact}]")
    return head + f"[facts.{fact}]" + re.sub(rf"\n{key} = [^\n]*", "", tail, count=1)


# --- loading: every problem names the file and the key ----------------------------------------

BROKEN = [
    (lambda t: _without(t, "source"), "facts.alpha.source: missing"),
    (lambda t: _without(t, "checked"), "facts.alpha.checked: missing"),
    (lambda t: _without(t, "statement"), "facts.alpha.statement: missing"),
    (lambda t: _without(t, "recheck_days"), "facts.alpha.recheck_days: missing"),
    (lambda t: t.replace("checked = 2026-01-10", 'checked = "2026-01-10"'), "facts.alpha.checked: must be a TOML date"),
    (lambda t: t.replace("checked = 2026-01-10", "checked = 2999-01-10"), "facts.alpha.checked: 2999-01-10 is in the future"),
    (lambda t: t.replace('source = "https://example.org/alpha"', 'source = "example.org/alpha"'), "facts.alpha.source: must be an https URL"),
    (lambda t: t.replace("recheck_days = 30", "recheck_days = 0"), "facts.alpha.recheck_days: must be a positive whole number"),
    (lambda t: t.replace("recheck_days = 30", "recheck_days = 30\nsorce = 'x'"), "facts.alpha.sorce: unknown key; did you mean 'source'?"),
    (lambda t: _without(t, "status", "beta"), "facts.beta.status: missing (a table row needs all of"),
    (lambda t: t.replace("methods = []", 'methods = "supervised"'), "facts.beta.methods: must be a list"),
    (lambda t: t.replace("[facts.alpha]", "[facts.Alpha_1]"), "facts.Alpha_1: the id must be lower-case words joined by hyphens"),
]


@pytest.mark.parametrize(("breaks", "message"), BROKEN)
def test_a_malformed_fact_is_named_by_file_and_key(tmp_path: Path, breaks: object, message: str) -> None:
    path = _write(tmp_path, breaks(GOOD))  # type: ignore[operator]
    with pytest.raises(FactsError) as raised:
        load_facts(path)
    assert f"{path}: {message}" in str(raised.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(tmp_path, _without(_without(GOOD, "source"), "checked", "beta"))
    with pytest.raises(FactsError) as raised:
        load_facts(path)
    assert str(raised.value).splitlines() == [
        f"{path}: facts.alpha.source: missing",
        f"{path}: facts.beta.checked: missing (the date the statement was seen in the source, e.g. 2026-11-29)",
    ]


def test_unreadable_toml_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "[facts.alpha\n")
    with pytest.raises(FactsError, match=re.escape(f"{path}: cannot read the facts file")):
        load_facts(path)


def test_a_good_file_loads_in_order_with_its_table_rows(tmp_path: Path) -> None:
    loaded = load_facts(_write(tmp_path, GOOD))
    assert list(loaded) == ["alpha", "beta"]
    assert loaded["alpha"].checked == date(2026, 1, 10) and loaded["alpha"].offering is None
    assert loaded["beta"].offering is not None and loaded["beta"].offering.status == "Closed"


def test_the_shipped_facts_load_and_each_has_a_source_and_a_date() -> None:
    shipped = load_facts(FACTS_FILE)
    assert len(shipped) >= 20
    for fact in shipped.values():
        assert fact.source.startswith("https://") and fact.checked <= date.today()
    assert sum(f.offering is not None for f in shipped.values()) >= 8  # one row per offering


# --- rendering ---------------------------------------------------------------------------------


def test_a_fact_renders_with_its_citation_and_check_date_before_the_full_stop(tmp_path: Path) -> None:
    loaded = load_facts(_write(tmp_path, GOOD))
    assert render_fact(loaded["alpha"]) == (
        'Alpha offers tuning <span class="fact-cite">([Alpha docs](https://example.org/alpha), '
        'checked <time datetime="2026-01-10">10 January 2026</time>)</span>.'
    )
    assert render_fact(loaded["beta"]).endswith("</time>)</span>")  # no full stop to keep


def test_markers_are_replaced_inline_and_the_table_has_one_row_per_offering(tmp_path: Path) -> None:
    loaded = load_facts(_write(tmp_path, GOOD))
    page = "Before. <!-- fact alpha --> After.\n\n<!-- fact-table -->\n"
    out = render_markers(page, loaded, "page.md")
    assert out.startswith("Before. Alpha offers tuning <span")
    assert "</span>. After." in out
    table = [line for line in out.splitlines() if line.startswith("| **")]
    assert table == ['| **Beta**: Beta tuning | nothing | — | — | Closed | [Beta notice](https://example.org/beta), '
                     'checked <time datetime="2026-03-01">1 March 2026</time> |']  # fmt: skip


def test_an_unknown_fact_names_the_page_and_the_nearest_id(tmp_path: Path) -> None:
    loaded = load_facts(_write(tmp_path, GOOD))
    with pytest.raises(FactsError, match=re.escape("guide.md: unknown fact 'alpa' in a fact marker; did you mean 'alpha'?")):
        render_markers("<!-- fact alpa -->", loaded, "guide.md")


# --- review ------------------------------------------------------------------------------------


def test_due_lists_the_facts_whose_review_date_has_come(tmp_path: Path) -> None:
    loaded = load_facts(_write(tmp_path, GOOD))  # alpha due 2026-02-09, beta due 2026-05-30
    assert due(loaded, date(2026, 2, 8)) == []
    assert [f.id for f in due(loaded, date(2026, 2, 9))] == ["alpha"]
    assert [f.id for f in due(loaded, date(2026, 6, 1))] == ["alpha", "beta"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hooks.facts", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_the_due_command_lists_facts_for_a_given_day(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    result = _cli("due", "--today", "2026-03-01", "--file", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "1 fact(s) due for review on 2026-03-01:",
        "  alpha: checked 2026-01-10, due 2026-02-09, https://example.org/alpha",
    ]
    assert _cli("due", "--today", "2026-01-11", "--file", str(path)).stdout == "No facts are due for review on 2026-01-11.\n"


def test_the_due_command_rejects_bad_input_with_one_line(tmp_path: Path) -> None:
    bad_day = _cli("due", "--today", "29.11.2026")
    assert (bad_day.returncode, bad_day.stderr) == (2, "--today: '29.11.2026' is not a date; use YYYY-MM-DD\n")
    broken = _cli("due", "--file", str(_write(tmp_path, _without(GOOD, "source"))))
    assert broken.returncode == 2 and "facts.alpha.source: missing" in broken.stderr


def test_the_build_reports_due_facts_as_information_never_as_a_warning(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import facts_hook

    old = Fact("old-fact", "Old.", "https://example.org/old", "Old", date(2020, 1, 1), 30)
    monkeypatch.setattr(facts_hook, "load_facts", lambda: {"old-fact": old})
    with caplog.at_level(logging.DEBUG, logger="mkdocs"):
        facts_hook.on_config(None)  # type: ignore[arg-type]  # the config is not read
    records = [r for r in caplog.records if r.name == "mkdocs.hooks.facts"]
    assert [(r.levelno, r.getMessage()) for r in records] == [(logging.INFO, "1 vendor fact(s) due for review (make facts): old-fact")]


# --- the built site ----------------------------------------------------------------------------


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment))).strip()


def test_the_where_to_fine_tune_page_has_a_row_per_offering_with_source_and_date(site: Path) -> None:
    shipped = load_facts(FACTS_FILE)
    page = (site / "where-to-fine-tune" / "index.html").read_text(encoding="utf-8")
    body = re.search(r"<table>.*?<tbody>(.*?)</tbody>", page, re.S)
    assert body is not None
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    offerings = [f for f in shipped.values() if f.offering is not None]
    assert len(rows) == len(offerings)
    for row, fact in zip(rows, offerings, strict=True):
        assert fact.offering is not None
        assert _text(row).startswith(f"{fact.offering.vendor}: {fact.offering.offering}")
        assert f'href="{html.escape(fact.source)}"' in row
        assert f'<time datetime="{fact.checked.isoformat()}">{facts_module.long_date(fact.checked)}</time>' in row
    assert "<!-- fact" not in page


def test_pages_show_facts_with_their_check_date_and_the_sources_page_lists_them(site: Path) -> None:
    shipped = load_facts(FACTS_FILE)
    caveats = (site / "guidance" / "caveats" / "index.html").read_text(encoding="utf-8")
    notice = shipped["openai-notice-periods"]
    assert _text(render_fact(notice).split(" <span")[0]) in _text(caveats)
    assert f'<time datetime="{notice.checked.isoformat()}">' in caveats
    sources = (site / "sources" / "index.html").read_text(encoding="utf-8")
    for fact in shipped.values():
        assert f'href="{html.escape(fact.source)}"' in sources, fact.id
    for path in site.rglob("*.html"):
        assert "<!-- fact" not in path.read_text(encoding="utf-8"), path


def test_a_fact_without_a_source_or_an_unknown_marker_fails_the_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    data = project / "hooks" / "data" / "facts.toml"
    data.write_text(re.sub(r'(\[facts\.openai-notice-periods\][^\[]*?)\nsource = "[^"]*"', r"\1", data.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert f"{data}: facts.openai-notice-periods.source: missing" in result.stderr

    data.write_text((ROOT / "hooks" / "data" / "facts.toml").read_text(encoding="utf-8"), encoding="utf-8")
    faq = project / "docs" / "faq.md"
    faq.write_text(faq.read_text(encoding="utf-8") + "\n<!-- fact openai-notice-period -->\n", encoding="utf-8")
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "faq.md: unknown fact 'openai-notice-period' in a fact marker; did you mean 'openai-notice-periods'?" in result.stderr


# --- in a browser: the new page on a phone, in light and dark --------------------------------

PHONE = [
    pytest.param(scheme, marks=pytest.mark.browser_context(color_scheme=scheme, bypass_csp=True, viewport={"width": 390, "height": 844},
                                                           device_scale_factor=2, is_mobile=True, has_touch=True), id=scheme)
    for scheme in ("light", "dark")
]  # fmt: skip


@pytest.mark.parametrize("scheme", PHONE)
def test_the_where_to_fine_tune_page_is_accessible_on_a_phone(page: object, server: object, scheme: str) -> None:
    from tests.test_accessibility import axe

    page.goto(server.url + "where-to-fine-tune/")  # type: ignore[attr-defined]
    assert axe(page) == []
    # The wide table scrolls inside its own box; the page itself never scrolls sideways.
    widths = page.evaluate("""() => ({page: document.documentElement.scrollWidth, view: window.innerWidth,
        wrap: document.querySelector('.md-typeset__scrollwrap table') !== null})""")  # type: ignore[attr-defined]
    assert widths["wrap"] and widths["page"] <= widths["view"], widths
    assert page.errors == []  # type: ignore[attr-defined]
