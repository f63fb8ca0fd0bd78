"""The typed, immutable model of a checklist. Conditions are data trees the engine can both
evaluate and explain (no per-checklist code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Union

__all__ = [
    "All",
    "Any",
    "AtLeast",
    "Caveat",
    "Checklist",
    "Condition",
    "Criterion",
    "Not",
    "OneOf",
    "Option",
    "Outcome",
    "Question",
    "Ref",
]


# --- conditions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OneOf:
    """The answer to `question` is one of `options`. An unanswered question is not met."""

    question: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class All:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Any:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AtLeast:
    count: int
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    condition: Condition


@dataclass(frozen=True)
class Ref:
    """Refers to a named criterion, so that explanations can name it."""

    criterion: str


Condition = Union[OneOf, All, Any, AtLeast, Not, Ref]


# --- checklist parts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    if_text: str = ""
    """Optional: the answer as a condition ("you had more than 1,000 examples"); see decision.whatif.change_phrase."""


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    text: str
    options: tuple[Option, ...]
    guide: str
    help: str = ""

    def option(self, option_id: str) -> Option | None:
        return self._options.get(option_id)

    @cached_property
    def _options(self) -> dict[str, Option]:
        # found once per question (the engine looks options up for every answer it is given)
        return {o.id: o for o in reversed(self.options)}  # the first of a repeated id, as before


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    guide: str
    when: Condition


@dataclass(frozen=True)
class Outcome:
    """A possible result. The first outcome whose `when` holds wins; `when=None` is the default.
    `tone` is one of spec.TONES: how the page presents the result (good news, neutral, a warning)."""

    id: str
    title: str
    summary: str
    guide: str
    when: Condition | None
    tone: str = "info"
    also: str = ""
    """Optional: a second docs page to read with this result (`also_text` is its link's words)."""
    also_text: str = ""


@dataclass(frozen=True)
class Caveat:
    id: str
    title: str
    summary: str
    guide: str
    when: Condition


@dataclass(frozen=True)
class Checklist:
    id: str
    title: str
    description: str
    page: str
    questions: tuple[Question, ...]
    criteria: tuple[Criterion, ...]
    outcomes: tuple[Outcome, ...]
    caveats: tuple[Caveat, ...]
    source: str = ""

    def question(self, question_id: str) -> Question | None:
        return self._questions.get(question_id)

    def criterion(self, criterion_id: str) -> Criterion | None:
        return self._criteria.get(criterion_id)

    # Lookups by id, built once per checklist (cached_property writes the instance's __dict__,
    # which a frozen dataclass allows; they are not fields, so equality and hashing ignore them).
    @cached_property
    def _questions(self) -> dict[str, Question]:
        return {q.id: q for q in reversed(self.questions)}

    @cached_property
    def _criteria(self) -> dict[str, Criterion]:
        return {c.id: c for c in reversed(self.criteria)}
