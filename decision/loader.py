"""Read checklist definitions (TOML) and validate them, collecting every problem at once."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any as AnyValue

from .errors import DefinitionError, Problem, UnknownChecklistError, did_you_mean, table_key
from .model import All, Any, AtLeast, Caveat, Checklist, Condition, Criterion, Not, OneOf, Option, Outcome, Question, Ref
from .spec import CONDITION_FORMS, CONDITION_KEYS, DEFAULT_TONE, GUIDE_PATTERN, SLUG_PATTERN, TABLES, TONES

__all__ = ["SLUG", "checklist_ids", "load_all", "load_checklist", "parse_checklist"]

SLUG = re.compile(SLUG_PATTERN)
_GUIDE = re.compile(GUIDE_PATTERN)

# The format is described once, in spec.py: the keys each table allows come from there.
_ITEM_TABLE = {f.key: f.table for f in TABLES["checklist"].fields if f.kind == "tables"}
_FORMS = {form.keys: form.name for form in CONDITION_FORMS}
_FORM_LIST = ", ".join("{" + ", ".join(f.key for f in form.fields) + "}" for form in CONDITION_FORMS[:-1])
_FORM_LIST += " or {" + ", ".join(f.key for f in CONDITION_FORMS[-1].fields) + "}"


# --- public API ---------------------------------------------------------------------------


def checklist_ids() -> tuple[str, ...]:
    """Ids of the checklists shipped as package data, sorted."""
    folder = resources.files(__package__).joinpath("checklists")
    return tuple(sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml")))


def load_checklist(checklist_id: str) -> Checklist:
    """Load and validate one shipped checklist by id."""
    known = checklist_ids()
    if checklist_id not in known:
        raise UnknownChecklistError(checklist_id, known)
    resource = resources.files(__package__).joinpath("checklists", f"{checklist_id}.toml")
    return parse_checklist(resource.read_bytes(), f"decision/checklists/{checklist_id}.toml")


def load_all() -> dict[str, Checklist]:
    """Load every shipped checklist; raise one DefinitionError listing the problems of all files."""
    checklists: dict[str, Checklist] = {}
    problems: list[Problem] = []
    for checklist_id in checklist_ids():
        try:
            checklists[checklist_id] = load_checklist(checklist_id)
        except DefinitionError as error:
            problems.extend(error.problems)
    if problems:
        raise DefinitionError(problems)
    return checklists


def parse_checklist(data: bytes | str, source: str) -> Checklist:
    """Parse a TOML definition. `source` names the file in every error (e.g. its path)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        raise DefinitionError([Problem(source, "", f"not UTF-8 text: {error}")]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DefinitionError([Problem(source, "", f"not valid TOML: {error}")]) from None
    reader = _Reader(source)
    checklist = reader.checklist(raw)
    expected = Path(source).stem
    if checklist is not None and source.endswith(".toml") and checklist.id != expected:
        reader.problem("id", f"{checklist.id!r} must equal the file name {expected!r}")
    if reader.problems or checklist is None:
        raise DefinitionError(sorted(reader.problems, key=_file_order))
    return checklist


# --- helpers ------------------------------------------------------------------------------


_suggest = did_you_mean


class _Reader:
    """Builds the model from raw TOML data, recording problems instead of stopping at the first."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.source, key, message))

    # -- generic field access --

    def _keys(self, raw: Mapping[str, AnyValue], allowed: tuple[str, ...], path: str) -> None:
        for key in raw:
            if key not in allowed:
                self.problem(_join(path, key), f"unknown key{_suggest(key, allowed)}")

    def _text(self, raw: Mapping[str, AnyValue], key: str, path: str, required: bool = True) -> str:
        value = raw.get(key)
        if value is None:
            if required:
                self.problem(_join(path, key), "is missing (a non-empty string)")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(_join(path, key), "must be a non-empty string")
            return ""
        return value.strip()

    def _slug(self, raw: Mapping[str, AnyValue], path: str, seen: dict[str, str]) -> str:
        """The id of a table; `seen` maps the ids met so far among its siblings to their paths."""
        value = self._text(raw, "id", path)
        if value and not SLUG.match(value):
            self.problem(_join(path, "id"), f"{value!r} is not a slug (lowercase letters, digits and hyphens)")
        elif value in seen:
            self.problem(_join(path, "id"), f"duplicate id {value!r}: {seen[value]} already has it")
        seen.setdefault(value, path)
        return value

    def _guide(self, raw: Mapping[str, AnyValue], path: str, key: str = "guide", required: bool = True) -> str:
        value = self._text(raw, key, path, required=required)
        if value and not _GUIDE.match(value):
            self.problem(_join(path, key), f"{value!r} must be a docs page path like 'learn/rag.md' or 'learn/rag.md#anchor'")
        return value

    def _tables(
        self, raw: Mapping[str, AnyValue], key: str, required: bool = True, parent: str = ""
    ) -> Iterator[tuple[str, dict[str, AnyValue]]]:
        value = raw.get(key, [] if not required else None)
        where = _join(parent, key)
        if value is None or (required and value == []):
            self.problem(where, f"is missing (at least one [[{key}]] table)")
            return
        if not isinstance(value, list):
            self.problem(where, f"must be an array of tables ([[{key}]])")
            return
        for index, item in enumerate(value):
            path = table_key(where, index, item.get("id") if isinstance(item, dict) else None)
            if isinstance(item, dict):
                yield path, item
            else:
                self.problem(path, "must be a table")

    # -- the parts --

    def checklist(self, raw: dict[str, AnyValue]) -> Checklist | None:
        self._keys(raw, TABLES["checklist"].keys, "")
        checklist_id = self._slug(raw, "", {})
        title = self._text(raw, "title", "")
        description = self._text(raw, "description", "")
        page = self._text(raw, "page", "")
        if page and not _GUIDE.match(page):
            self.problem("page", f"{page!r} must be a docs page path like 'checklist.md'")
        questions = tuple(self._question(path, item, {}) for path, item in self._unique(raw, "questions"))
        self.questions = {q.id: q for q in questions}
        criteria_raw = list(self._unique(raw, "criteria", required=False))
        self.criterion_ids = tuple(str(item.get("id", "")) for _, item in criteria_raw)
        criteria = tuple(
            Criterion(cid, self._text(item, "title", path), self._guide(item, path), self._condition(item, "when", path))
            for path, item in criteria_raw
            for cid in [str(item.get("id", ""))]
        )
        self._check_cycles(criteria)
        outcome_tables = list(self._unique(raw, "outcomes"))
        last = len(outcome_tables) - 1
        outcomes = tuple(self._outcome(path, item, i == last) for i, (path, item) in enumerate(outcome_tables))
        caveats = tuple(
            Caveat(
                str(item.get("id", "")),
                self._text(item, "title", path),
                self._text(item, "summary", path),
                self._guide(item, path),
                self._condition(item, "when", path),
            )
            for path, item in self._unique(raw, "caveats", required=False)
        )
        if self.problems:
            return None
        return Checklist(checklist_id, title, description, page, questions, criteria, outcomes, caveats, self.source)

    def _unique(self, raw: Mapping[str, AnyValue], key: str, required: bool = True) -> Iterator[tuple[str, dict[str, AnyValue]]]:
        """Tables of one kind, with unknown keys reported and ids checked as unique slugs."""
        allowed = TABLES[_ITEM_TABLE[key]].keys
        seen: dict[str, str] = {}
        for path, item in self._tables(raw, key, required):
            self._keys(item, allowed, path)
            self._slug(item, path, seen)
            yield path, item

    def _question(self, path: str, raw: dict[str, AnyValue], seen: dict[str, str]) -> Question:
        options = []
        for opath, item in self._tables(raw, "options", parent=path):
            self._keys(item, TABLES["option"].keys, opath)
            options.append(Option(self._slug(item, opath, seen), self._text(item, "label", opath), self._text(item, "if", opath, required=False)))
        if len(options) == 1:
            self.problem(_join(path, "options"), "needs at least two options")
        return Question(
            str(raw.get("id", "")),
            self._text(raw, "title", path),
            self._text(raw, "text", path),
            tuple(options),
            self._guide(raw, path),
            self._text(raw, "help", path, required=False),
        )

    def _outcome(self, path: str, raw: dict[str, AnyValue], last: bool) -> Outcome:
        when: Condition | None = None
        if last and "when" in raw:
            self.problem(_join(path, "when"), "the last outcome is the default and must not have a 'when'")
        elif not last:
            when = self._condition(raw, "when", path)
        tone = raw.get("tone", DEFAULT_TONE)
        if tone not in TONES:
            self.problem(_join(path, "tone"), f"unknown tone {tone!r}{_suggest(str(tone), TONES)}")
            tone = DEFAULT_TONE
        also = self._guide(raw, path, "also", required=False)
        also_text = self._text(raw, "also_text", path, required=False)
        if also and not also_text:
            self.problem(_join(path, "also_text"), "is missing: the words of the 'also' link (e.g. 'Where you can fine-tune today')")
        elif also_text and not also:
            self.problem(_join(path, "also"), "is missing: 'also_text' names a link, 'also' is the page it leads to")
        outcome = Outcome(str(raw.get("id", "")), self._text(raw, "title", path), self._text(raw, "summary", path), self._guide(raw, path), when, tone)
        return replace(outcome, also=also, also_text=also_text) if also else outcome

    def _condition(self, raw: Mapping[str, AnyValue], key: str, path: str) -> Condition:
        path = _join(path, key)
        value = raw.get(key)
        if value is None:
            self.problem(path, "is missing (a condition)")
            return All(())
        return self._parse_condition(value, path)

    def _parse_condition(self, value: AnyValue, path: str) -> Condition:
        if not isinstance(value, dict):
            self.problem(path, "must be a condition table, e.g. { question = \"q\", in = [\"a\"] }")
            return All(())
        self._keys(value, CONDITION_KEYS, path)
        form = _FORMS.get(frozenset(k for k in value if k in CONDITION_KEYS))
        if form == "answer":
            return self._one_of(value, path)
        if form in ("all", "any"):
            parts = self._list(value[form], _join(path, form))
            return All(parts) if form == "all" else Any(parts)
        if form == "at_least":
            parts = self._list(value["of"], _join(path, "of"))
            count = value["at_least"]
            if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= max(len(parts), 1):
                self.problem(_join(path, "at_least"), f"must be a whole number from 1 to {len(parts)}")
                count = 1
            return AtLeast(count, parts)
        if form == "not":
            return Not(self._parse_condition(value["not"], _join(path, "not")))
        if form == "criterion":
            name = value["criterion"]
            if name not in self.criterion_ids:
                self.problem(_join(path, "criterion"), f"unknown criterion {name!r}{_suggest(str(name), self.criterion_ids)}")
            return Ref(str(name))
        self.problem(path, f"must have exactly one form: {_FORM_LIST}")
        return All(())

    def _list(self, value: AnyValue, path: str) -> tuple[Condition, ...]:
        if not isinstance(value, list) or not value:
            self.problem(path, "must be a non-empty array of conditions")
            return ()
        return tuple(self._parse_condition(item, f"{path}[{i}]") for i, item in enumerate(value))

    def _one_of(self, value: Mapping[str, AnyValue], path: str) -> OneOf:
        name, options = value["question"], value["in"]
        question = self.questions.get(name) if isinstance(name, str) else None
        if question is None:
            self.problem(_join(path, "question"), f"unknown question {name!r}{_suggest(str(name), list(self.questions))}")
            return OneOf(str(name), ())
        if not isinstance(options, list) or not options or not all(isinstance(o, str) for o in options):
            self.problem(_join(path, "in"), "must be a non-empty array of option ids")
            return OneOf(name, ())
        valid = [o.id for o in question.options]
        for i, option in enumerate(options):
            if option not in valid:
                self.problem(f"{path}.in[{i}]", f"question {name!r} has no option {option!r}{_suggest(option, valid)}")
        return OneOf(name, tuple(options))

    def _check_cycles(self, criteria: tuple[Criterion, ...]) -> None:
        graph = {c.id: set(_refs(c.when)) for c in criteria}
        index = {c.id: i for i, c in enumerate(criteria)}

        def visit(node: str, trail: tuple[str, ...]) -> None:
            for nxt in sorted(graph.get(node, ())):
                if nxt in trail:
                    self.problem(_join(table_key("criteria", index[trail[0]], trail[0]), "when"), "refers to itself through " + " -> ".join((*trail, nxt)))
                    return
                visit(nxt, (*trail, nxt))

        for criterion in criteria:
            visit(criterion.id, (criterion.id,))


def _refs(condition: Condition) -> Iterator[str]:
    match condition:
        case Ref(criterion=name):
            yield name
        case All(conditions=parts) | Any(conditions=parts) | AtLeast(conditions=parts):
            for part in parts:
                yield from _refs(part)
        case Not(condition=inner):
            yield from _refs(inner)
        case _:
            return


_TOP_ORDER = {key: index for index, key in enumerate(TABLES["checklist"].keys)}
_PATH_START = re.compile(r"^(?P<key>[a-z_]+)(?:\[(?P<index>\d+)\])?")


def _file_order(problem: Problem) -> tuple[int, int]:
    """Problems roughly in the order of the file: by top-level key, then by table (stable otherwise)."""
    start = _PATH_START.match(problem.key)
    if start is None:
        return (-1, 0)
    return (_TOP_ORDER.get(start["key"], len(_TOP_ORDER)), int(start["index"] or 0))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
