"""The checklist file format, described once. The loader checks files against these tables and
`schema.py` turns them into a JSON Schema for editors, so neither keeps a list of keys of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CONDITION_FORMS",
    "CONDITION_KEYS",
    "DEFAULT_TONE",
    "GUIDE_PATTERN",
    "SLUG_PATTERN",
    "TABLES",
    "TONES",
    "ConditionForm",
    "Field",
    "Kind",
    "Table",
]

# Shared with JSON Schema (ECMA-262 regular expressions), so only syntax both dialects read alike.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
GUIDE_PATTERN = r"^[^#\s]+\.md(?:#[A-Za-z0-9_:.-]+)?$"

# How an outcome is presented. `info` is the default: an outcome says it is good news (`success`)
# or a reason to stop and fix something first (`warning`) only when its author says so.
TONES: tuple[str, ...] = ("success", "info", "warning")
DEFAULT_TONE = "info"

Kind = Literal["slug", "text", "optional-text", "page", "tables", "condition", "conditions", "ids", "count", "name", "tone"]
"""What a value must be: a slug id, a non-empty text, a docs page path, an array of tables, …"""


@dataclass(frozen=True)
class Field:
    """One key of a table (or of a condition form)."""

    key: str
    kind: Kind
    doc: str
    required: bool = True
    table: str = ""
    """For `kind="tables"`: the name of the table each item is."""
    min_items: int = 0


@dataclass(frozen=True)
class Table:
    """A TOML table: the checklist itself, or one item of an array of tables."""

    name: str
    doc: str
    fields: tuple[Field, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)


@dataclass(frozen=True)
class ConditionForm:
    """One shape a condition table may take: exactly these keys."""

    name: str
    doc: str
    fields: tuple[Field, ...]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(f.key for f in self.fields)


def _id(what: str) -> Field:
    return Field("id", "slug", f"The {what}'s id: lowercase letters, digits and hyphens. Ids are a contract (share links, the CLI and tests use them).")


def _guide(what: str) -> Field:
    return Field("guide", "page", f"The docs page that explains the {what}: 'learn/rag.md' or 'learn/rag.md#anchor'. The site build checks that the page and the anchor exist.")


_WHEN = "When it holds: a condition table."

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("checklist", "A checklist: questions, the criteria built from the answers, the outcomes (first match wins) and the caveats (all that apply).", (
            Field("id", "slug", "The checklist's id; must equal the file name without '.toml'."),
            Field("title", "text", "The checklist's title."),
            Field("description", "text", "One or two sentences: what the checklist asks and what it answers."),
            Field("page", "page", "The docs page that shows the checklist with the marker <!-- checklist ID -->, e.g. 'checklist.md'."),
            Field("questions", "tables", "The questions, in the order the reader sees them.", table="question", min_items=1),
            Field("criteria", "tables", "Named conditions: outcomes, caveats and other criteria refer to them, and the result explains itself with them.", required=False, table="criterion"),
            Field("outcomes", "tables", "The possible results. The first outcome whose 'when' holds wins; the last one has no 'when' and is the default.", table="outcome", min_items=1),
            Field("caveats", "tables", "Warnings shown beside the outcome: every caveat whose 'when' holds.", required=False, table="caveat"),
        )),
        Table("question", "A question with one answer out of its options.", (
            _id("question"),
            Field("title", "text", "A short name for the question (used in 'Learn more' links)."),
            Field("text", "text", "The question as the reader sees it."),
            Field("help", "optional-text", "Optional help under the question (Markdown).", required=False),
            _guide("question"),
            Field("options", "tables", "The possible answers, at least two.", table="option", min_items=2),
        )),
        Table("option", "One possible answer.", (
            Field("id", "slug", "The option's id, unique within its question; share links carry it."),
            Field("label", "text", "The answer as the reader sees it."),
            Field("if", "optional-text", "Optional: this answer as the end of 'Fine-tuning would become the recommendation if …', e.g. 'you had more than 1,000 examples'. Without it: 'you answered “LABEL” to “QUESTION TITLE”'.", required=False),
        )),
        Table("criterion", "A named condition.", (
            _id("criterion"),
            Field("title", "text", "The criterion as a statement that is met or not, e.g. 'A clear quality metric'."),
            _guide("criterion"),
            Field("when", "condition", _WHEN),
        )),
        Table("outcome", "A possible result.", (
            _id("outcome"),
            Field("title", "text", "The result's title."),
            Field("summary", "text", "What the result means (Markdown)."),
            _guide("outcome"),
            Field("also", "page", "Optional: a second page to read with this result, where to act on it: 'where-to-fine-tune.md' or 'page.md#anchor'. Needs 'also_text'. The site build checks that the page and the anchor exist.", required=False),
            Field("also_text", "optional-text", "The words of the 'also' link, e.g. 'Where you can fine-tune today'. Needed with 'also', and only with it.", required=False),
            Field("when", "condition", _WHEN + " Required on every outcome but the last; the last is the default and has none.", required=False),
            Field("tone", "tone", "How the result is presented: 'success' (good news: go ahead), 'info' (neutral; the default) or 'warning' (stop and fix something first). The page shows it as a word and an icon, not by colour alone.", required=False),
        )),
        Table("caveat", "A warning shown beside the outcome when its condition holds.", (
            _id("caveat"),
            Field("title", "text", "The caveat's title."),
            Field("summary", "text", "What to watch out for (Markdown)."),
            _guide("caveat"),
            Field("when", "condition", _WHEN),
        )),
    )
}  # fmt: skip

CONDITION_FORMS: tuple[ConditionForm, ...] = (
    ConditionForm("answer", 'The answer to a question is one of some options: { question = "q", in = ["a", "b"] }.', (
        Field("question", "name", "A question id of this checklist."),
        Field("in", "ids", "Option ids of that question.", min_items=1),
    )),
    ConditionForm("all", "Every condition holds: { all = [ … ] }.", (Field("all", "conditions", "The conditions.", min_items=1),)),
    ConditionForm("any", "At least one condition holds: { any = [ … ] }.", (Field("any", "conditions", "The conditions.", min_items=1),)),
    ConditionForm("at_least", "At least N of the conditions hold: { at_least = 3, of = [ … ] }.", (
        Field("at_least", "count", "How many must hold: from 1 to the number of conditions in 'of'."),
        Field("of", "conditions", "The conditions.", min_items=1),
    )),
    ConditionForm("not", "The condition does not hold: { not = { … } }.", (Field("not", "condition", "The condition."),)),
    ConditionForm("criterion", 'A named criterion holds: { criterion = "c" }.', (Field("criterion", "name", "A criterion id of this checklist."),)),
)  # fmt: skip

CONDITION_KEYS: tuple[str, ...] = tuple(dict.fromkeys(f.key for form in CONDITION_FORMS for f in form.fields))
