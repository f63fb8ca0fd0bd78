"""Vendor facts kept as data (hooks/data/facts.toml): load and check them, render them into pages,
list the ones due for review.

Plain functions, no MkDocs: the adapter is facts_hook.py. From the repository root:

    python -m hooks.facts due [--today YYYY-MM-DD] [--file PATH]   # facts due for review
    python -m hooks.facts list [--file PATH]                        # every fact and its dates
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

__all__ = [
    "FACTS_FILE",
    "FACT_MARKER",
    "SOURCES_MARKER",
    "TABLE_MARKER",
    "Fact",
    "FactsError",
    "Offering",
    "due",
    "load_facts",
    "render_markers",
    "render_fact",
    "render_sources",
    "render_table",
]

FACTS_FILE = Path(__file__).resolve().parent / "data" / "facts.toml"

# Markers, in the style of `<!-- checklist ID -->`: a fact may sit inside a sentence or a list item;
# the table and the source list stand on a line of their own.
FACT_MARKER = re.compile(r"<!--[ \t]*fact[ \t]+(?P<id>\S+)[ \t]*-->")
TABLE_MARKER = re.compile(r"^[ \t]*<!--[ \t]*fact-table[ \t]*-->[ \t]*$", re.MULTILINE)
SOURCES_MARKER = re.compile(r"^[ \t]*<!--[ \t]*fact-sources[ \t]*-->[ \t]*$", re.MULTILINE)

_REQUIRED = ("statement", "source", "source_title", "checked", "recheck_days")
_OFFERING = ("vendor", "offering", "tunable", "methods", "examples", "status")
_OPTIONAL = ("note",)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip


# --- data ---------------------------------------------------------------------------------


class FactsError(ValueError):
    """The facts file is unreadable or a fact is malformed; the message names file and key,
    one problem per line (all problems at once)."""


@dataclass(frozen=True)
class Offering:
    """One row of the where-to-fine-tune table."""

    vendor: str
    offering: str
    tunable: str
    methods: tuple[str, ...]
    examples: str
    status: str


@dataclass(frozen=True)
class Fact:
    """A vendor fact: `statement` (Markdown, our words) seen in `source` on `checked`, due for
    review `recheck_days` later."""

    id: str
    statement: str
    source: str
    source_title: str
    checked: date
    recheck_days: int
    note: str = ""
    offering: Offering | None = None

    @property
    def due_on(self) -> date:
        return self.checked + timedelta(days=self.recheck_days)


# --- loading ------------------------------------------------------------------------------


def load_facts(path: Path = FACTS_FILE) -> dict[str, Fact]:
    """Read and check the facts file: {fact id: Fact}, in file order.

    Raises FactsError naming `path` and the key (`facts.ID.KEY`) of every problem: unreadable
    TOML, a missing or empty statement, source or check date, a source that is not an https URL,
    a date that is not a TOML date or lies in the future, a non-positive re-check interval, an
    unknown key, or a table row with some but not all of its fields."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise FactsError(f"{path}: cannot read the facts file: {error}") from None
    problems: list[str] = []
    table = data.get("facts")
    if not isinstance(table, dict) or not table:
        raise FactsError(f"{path}: facts: no [facts.ID] tables found")
    for key in sorted(set(data) - {"facts"}):
        problems.append(f"{path}: {key}: unknown top-level key; facts live under [facts.ID]")
    facts: dict[str, Fact] = {}
    for fact_id, raw in table.items():
        where = f"{path}: facts.{fact_id}"
        if not _ID.match(fact_id):
            problems.append(f"{where}: the id must be lower-case words joined by hyphens")
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a table")
            continue
        fact = _fact(fact_id, raw, where, problems)
        if fact is not None:
            facts[fact_id] = fact
    if problems:
        raise FactsError("\n".join(problems))
    return facts


def _fact(fact_id: str, raw: dict[str, Any], where: str, problems: list[str]) -> Fact | None:
    """One fact from its TOML table, or None after adding its problems to `problems`."""
    before = len(problems)
    for key in sorted(set(raw) - set(_REQUIRED) - set(_OFFERING) - set(_OPTIONAL)):
        near = difflib.get_close_matches(key, _REQUIRED + _OFFERING + _OPTIONAL, n=1)
        problems.append(f"{where}.{key}: unknown key" + (f"; did you mean '{near[0]}'?" if near else ""))
    for key in ("statement", "source", "source_title"):
        value = raw.get(key)
        if value is None:
            problems.append(f"{where}.{key}: missing")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{where}.{key}: must be non-empty text")
    source = raw.get("source")
    if isinstance(source, str) and source.strip() and not re.match(r"^https://[^\s/]+\.[^\s]+$", source):
        problems.append(f"{where}.source: must be an https URL, got '{source}'")
    checked = raw.get("checked")
    if checked is None:
        problems.append(f"{where}.checked: missing (the date the statement was seen in the source, e.g. 2026-11-29)")
    elif type(checked) is not date:
        problems.append(f"{where}.checked: must be a TOML date such as 2026-11-29 (no quotes), got {checked!r}")
    elif checked > date.today():
        problems.append(f"{where}.checked: {checked.isoformat()} is in the future")
    days = raw.get("recheck_days")
    if days is None:
        problems.append(f"{where}.recheck_days: missing (how many days until the fact is due for review)")
    elif type(days) is not int or days <= 0:
        problems.append(f"{where}.recheck_days: must be a positive whole number of days, got {days!r}")
    note = raw.get("note", "")
    if not isinstance(note, str):
        problems.append(f"{where}.note: must be text")
    offering = _offering(raw, where, problems)
    if len(problems) > before:
        return None
    return Fact(fact_id, raw["statement"].strip(), raw["source"], raw["source_title"].strip(), checked, days, note, offering)


def _offering(raw: dict[str, Any], where: str, problems: list[str]) -> Offering | None:
    """The table row of a fact: all of its fields or none."""
    present = [key for key in _OFFERING if key in raw]
    if not present:
        return None
    for key in _OFFERING:
        if key not in raw:
            problems.append(f"{where}.{key}: missing (a table row needs all of {', '.join(_OFFERING)})")
    methods = raw.get("methods", [])
    if not isinstance(methods, list) or not all(isinstance(m, str) and m.strip() for m in methods):
        problems.append(f"{where}.methods: must be a list of non-empty texts")
    for key in ("vendor", "offering", "tunable", "examples", "status"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            problems.append(f"{where}.{key}: must be non-empty text")
    if len(present) < len(_OFFERING):
        return None
    return Offering(raw["vendor"], raw["offering"], raw["tunable"], tuple(methods), raw["examples"], raw["status"])


# --- review -------------------------------------------------------------------------------


def due(facts: dict[str, Fact], today: date) -> list[Fact]:
    """The facts whose review date (`checked` + `recheck_days`) is `today` or earlier, the most
    overdue first."""
    return sorted((f for f in facts.values() if f.due_on <= today), key=lambda f: (f.due_on, f.id))


def _due_lines(facts: Sequence[Fact], today: date) -> list[str]:
    if not facts:
        return [f"No facts are due for review on {today.isoformat()}."]
    lines = [f"{len(facts)} fact(s) due for review on {today.isoformat()}:"]
    for fact in facts:
        lines.append(f"  {fact.id}: checked {fact.checked.isoformat()}, due {fact.due_on.isoformat()}, {fact.source}")
    return lines


# --- rendering ----------------------------------------------------------------------------


def long_date(day: date) -> str:
    """29 November 2026."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _checked(fact: Fact) -> str:
    return f'checked <time datetime="{fact.checked.isoformat()}">{long_date(fact.checked)}</time>'


def render_fact(fact: Fact) -> str:
    """The statement as Markdown, with its citation and check date before the final full stop:
    `… 2027 ([OpenAI, deprecations](https://…), checked <time …>29 November 2026</time>).`"""
    text = fact.statement
    end = "." if text.endswith(".") else ""
    body = text[:-1] if end else text
    return f'{body} <span class="fact-cite">([{fact.source_title}]({fact.source}), {_checked(fact)})</span>{end}'


def render_table(facts: dict[str, Fact]) -> str:
    """The where-to-fine-tune table as Markdown: one row per fact with an offering, in file order."""
    rows = ["| Vendor and offering | What can be tuned | Methods | Stated example counts | Status | Source |",
            "|---|---|---|---|---|---|"]  # fmt: skip
    for fact in facts.values():
        row = fact.offering
        if row is None:
            continue
        methods = ", ".join(row.methods) if row.methods else "—"
        cells = [f"**{row.vendor}**: {row.offering}", row.tunable, methods, row.examples, row.status,
                 f"[{fact.source_title}]({fact.source}), {_checked(fact)}"]  # fmt: skip
        rows.append(f'| {" | ".join(_cell(c) for c in cells)} |')
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_sources(facts: dict[str, Fact]) -> str:
    """Every source behind the facts, as a Markdown definition list: title and URL, then each
    statement drawn from it with its check date."""
    by_source: dict[str, list[Fact]] = {}
    for fact in facts.values():
        by_source.setdefault(fact.source, []).append(fact)
    blocks = []
    for url, group in by_source.items():
        lines = [f"**{group[0].source_title}**", f":   <{url}>"]
        lines += [f":   {f.statement} ({_checked(f)})" for f in group]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render_markers(markdown: str, facts: dict[str, Fact], page: str) -> str:
    """Replace every fact, table and source-list marker in a page's Markdown.

    Raises FactsError naming the page and the unknown id, with the nearest valid one."""

    def fact(match: re.Match[str]) -> str:
        fact_id = match["id"]
        if fact_id not in facts:
            near = difflib.get_close_matches(fact_id, list(facts), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise FactsError(f"{page}: unknown fact '{fact_id}' in a fact marker{hint} (facts are in {FACTS_FILE.name})")
        return render_fact(facts[fact_id])

    markdown = TABLE_MARKER.sub(lambda _: render_table(facts), markdown)
    markdown = SOURCES_MARKER.sub(lambda _: render_sources(facts), markdown)
    return FACT_MARKER.sub(fact, markdown)


# --- command line -------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """`due` lists the facts due for review (exit 0 either way); `list` lists every fact.
    Bad input (an unreadable or malformed file, a bad date) exits 2 with one message."""
    parser = argparse.ArgumentParser(prog="python -m hooks.facts", description="Vendor facts kept as data.")
    parser.add_argument("command", choices=["due", "list"])
    parser.add_argument("--today", help="the date to review against, YYYY-MM-DD (default: today)")
    parser.add_argument("--file", type=Path, default=FACTS_FILE, help=f"the facts file (default: {FACTS_FILE})")
    args = parser.parse_args(argv)
    try:
        today = date.fromisoformat(args.today) if args.today else date.today()
    except ValueError:
        print(f"--today: '{args.today}' is not a date; use YYYY-MM-DD", file=sys.stderr)
        return 2
    try:
        facts = load_facts(args.file)
    except FactsError as error:
        print(error, file=sys.stderr)
        return 2
    if args.command == "due":
        print("\n".join(_due_lines(due(facts, today), today)))
    else:
        for fact in facts.values():
            print(f"{fact.id}: checked {fact.checked.isoformat()}, re-check every {fact.recheck_days} days "
                  f"(due {fact.due_on.isoformat()}), {fact.source}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
