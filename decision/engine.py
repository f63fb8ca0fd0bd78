"""Evaluate answers against a checklist: pure, deterministic, and able to say why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from .model import All, Any, AtLeast, Checklist, Condition, Not, OneOf, Ref

__all__ = ["Assessment", "AssessmentDict", "CriterionResult", "evaluate", "referenced_criteria", "valid_answers"]


@dataclass(frozen=True)
class CriterionResult:
    id: str
    met: bool


class AssessmentDict(TypedDict):
    checklist: str
    outcome: str
    caveats: list[str]
    criteria: dict[str, bool]
    reasons: list[str]
    missing: list[str]
    provisional: bool
    answers: dict[str, str]


@dataclass(frozen=True)
class Assessment:
    """The result of one evaluation. Holds ids only: words live in the checklist definition."""

    checklist: str
    outcome: str
    caveats: tuple[str, ...]
    criteria: tuple[CriterionResult, ...]
    reasons: tuple[str, ...]
    """Ids of the criteria the winning outcome's rule refers to (met or not)."""
    missing: tuple[str, ...]
    answers: tuple[tuple[str, str], ...]

    @property
    def provisional(self) -> bool:
        """True while any question is unanswered: the outcome may still change."""
        return bool(self.missing)

    def met(self, criterion_id: str) -> bool:
        return any(c.id == criterion_id and c.met for c in self.criteria)

    def to_dict(self) -> AssessmentDict:
        """A JSON-ready form, identical in CPython and Pyodide."""
        return {
            "checklist": self.checklist,
            "outcome": self.outcome,
            "caveats": list(self.caveats),
            "criteria": {c.id: c.met for c in self.criteria},
            "reasons": list(self.reasons),
            "missing": list(self.missing),
            "provisional": self.provisional,
            "answers": dict(self.answers),
        }


def valid_answers(checklist: Checklist, answers: Mapping[str, str]) -> dict[str, str]:
    """Only the answers that name a real question and one of its options, in question order."""
    kept = {}
    for question in checklist.questions:
        option = answers.get(question.id)
        if option is not None and question.option(option) is not None:
            kept[question.id] = option
    return kept


def evaluate(checklist: Checklist, answers: Mapping[str, str]) -> Assessment:
    """Evaluate `answers` (question id -> option id). Unknown or invalid answers are ignored;
    unanswered questions count as not met and are listed as missing."""
    given = valid_answers(checklist, answers)
    results: dict[str, bool] = {}

    def holds(condition: Condition) -> bool:
        match condition:
            case OneOf(question=q, options=options):
                return given.get(q) in options
            case All(conditions=parts):
                return all(holds(p) for p in parts)
            case Any(conditions=parts):
                return any(holds(p) for p in parts)
            case AtLeast(count=n, conditions=parts):
                return sum(holds(p) for p in parts) >= n
            case Not(condition=inner):
                return not holds(inner)
            case Ref(criterion=name):
                if name not in results:
                    criterion = checklist.criterion(name)
                    results[name] = criterion is not None and holds(criterion.when)
                return results[name]
        raise TypeError(f"not a condition: {condition!r}")  # pragma: no cover - the loader forbids it

    for criterion in checklist.criteria:
        holds(Ref(criterion.id))
    outcome = next(o for o in checklist.outcomes if o.when is None or holds(o.when))
    caveats = tuple(c.id for c in checklist.caveats if holds(c.when))
    reasons = tuple(referenced_criteria(outcome.when)) if outcome.when is not None else ()
    if outcome.when is None:
        # The default outcome wins because every other outcome's rule failed: those are its reasons.
        reasons = tuple(dict.fromkeys(r for o in checklist.outcomes if o.when is not None for r in referenced_criteria(o.when)))
    return Assessment(
        checklist=checklist.id,
        outcome=outcome.id,
        caveats=caveats,
        criteria=tuple(CriterionResult(c.id, results[c.id]) for c in checklist.criteria),
        reasons=reasons,
        missing=tuple(q.id for q in checklist.questions if q.id not in given),
        answers=tuple(given.items()),
    )


def referenced_criteria(condition: Condition) -> list[str]:
    """The named criteria a condition refers to directly (not through other criteria), in order."""
    match condition:
        case Ref(criterion=name):
            return [name]
        case All(conditions=parts) | Any(conditions=parts) | AtLeast(conditions=parts):
            return list(dict.fromkeys(r for p in parts for r in referenced_criteria(p)))
        case Not(condition=inner):
            return referenced_criteria(inner)
    return []
