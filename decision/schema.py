"""A JSON Schema of the checklist format, built from spec.py (the same description the loader
checks against), for editors such as Taplo / Even Better TOML: completion, hover docs, and most
mistakes underlined as you type. `python -m decision schema` rewrites the committed copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .spec import CONDITION_FORMS, DEFAULT_TONE, GUIDE_PATTERN, SLUG_PATTERN, TABLES, TONES, Field

__all__ = ["SCHEMA_FILE", "SCHEMA_URL", "checklist_schema", "schema_text"]

SCHEMA_FILE = Path(__file__).parent / "checklist.schema.json"
"""The committed copy, which checklist files name on their first line: `#:schema ../checklist.schema.json`."""
SCHEMA_URL = "schema/checklist.schema.json"
"""Where the site publishes it, relative to the site's root."""

_LIMITS = (
    "The schema cannot express these rules, which `python -m decision validate` and the site build check: "
    "the id equals the file name; ids are unique among their siblings; a condition names a question, option "
    "or criterion that exists; 'at_least' is at most the number of conditions in 'of'; every outcome but the "
    "last has a 'when' and the last has none; criteria do not refer to themselves; guide pages and anchors exist."
)

# What each kind of value is, in JSON Schema terms.
_KINDS: dict[str, dict[str, Any]] = {
    "slug": {"type": "string", "pattern": SLUG_PATTERN},
    "text": {"type": "string", "pattern": r"\S"},
    "optional-text": {"type": "string"},
    "page": {"type": "string", "pattern": GUIDE_PATTERN},
    "condition": {"allOf": [{"$ref": "#/definitions/condition"}]},  # draft-07 ignores keys beside a $ref
    "conditions": {"type": "array", "items": {"$ref": "#/definitions/condition"}},
    "ids": {"type": "array", "items": {"type": "string", "pattern": SLUG_PATTERN}},
    "count": {"type": "integer", "minimum": 1},
    "name": {"type": "string", "pattern": SLUG_PATTERN},
    "tone": {"type": "string", "enum": list(TONES), "default": DEFAULT_TONE},
}


def checklist_schema() -> dict[str, Any]:
    """The schema as a JSON-ready dict (draft-07, which Taplo reads)."""
    checklist = TABLES["checklist"]
    definitions: dict[str, Any] = {name: _table(name) for name in TABLES if name != "checklist"}
    definitions["condition"] = {
        "description": "A condition, in exactly one of these forms. " + " ".join(f.doc for f in CONDITION_FORMS),
        "oneOf": [_object(form.doc, form.fields) for form in CONDITION_FORMS],
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Checklist definition (decision/checklists/*.toml)",
        "description": f"{checklist.doc} {_LIMITS}",
        **_object("", checklist.fields),
        "definitions": definitions,
    }


def schema_text() -> str:
    """The schema as the committed file holds it: stable key order, two-space indent, final newline."""
    return json.dumps(checklist_schema(), indent=2, ensure_ascii=False) + "\n"


# --- helpers ------------------------------------------------------------------------------


def _table(name: str) -> dict[str, Any]:
    table = TABLES[name]
    return _object(table.doc, table.fields)


def _object(doc: str, fields: tuple[Field, ...]) -> dict[str, Any]:
    result: dict[str, Any] = {"description": doc} if doc else {}
    result |= {
        "type": "object",
        "properties": {f.key: _value(f) for f in fields},
        "required": [f.key for f in fields if f.required],
        "additionalProperties": False,
    }
    return result


def _value(field: Field) -> dict[str, Any]:
    if field.kind == "tables":
        value: dict[str, Any] = {"type": "array", "items": {"$ref": f"#/definitions/{field.table}"}}
    else:
        value = dict(_KINDS[field.kind])
    if field.min_items:
        value["minItems"] = field.min_items
    return {"description": field.doc, **value}
