"""Evaluate answers against a checklist: pure, deterministic, and able to say why."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from .model import All, Any, AtLeast, Checklist, Condition, Not, OneOf, Ref

__all__ = [
    "AnswerTest",
    "AnswerTestDict",
    "Assessment",
    "AssessmentDict",
    "CaveatReasonsDict",
    "CriterionResult",
    "answer_test_text",
    "answer_tests",
    "test_key",
    "evaluate",
    "referenced_criteria",
    "valid_answers",
]


@dataclass(frozen=True)
class CriterionResult:
    id: str
    met: bool


@dataclass(frozen=True)
class AnswerTest:
    """A question tested directly in a rule, not through a named criterion
    (`{ question = "rights", in = ["unclear", "no"] }`): whether the answer is one of `options`."""

    question: str
    options: tuple[str, ...]
    met: bool


class AnswerTestDict(TypedDict):
    """A direct test in JSON: `question` (its id), `options` (the option ids the rule accepts) and
    `met` (whether the answer is one of them), e.g. {"question": "rights", "options": ["unclear", "no"], "met": true}."""

    question: str
    options: list[str]
    met: bool


class CaveatReasonsDict(TypedDict):
    """Why a caveat is shown: the criteria and the direct answer tests its rule refers to."""

    criteria: list[str]
    tests: list[AnswerTestDict]


class AssessmentDict(TypedDict):
    """What `evaluate … --format json` prints and the browser's worker returns (ids only):

    - `checklist`, `outcome`: ids; `caveats`: ids of the caveats shown, in the file's order;
    - `criteria`: every criterion id -> met or not;
    - `reasons`: ids of the named criteria that decided the outcome (first match wins): those the
      rules tried refer to directly, the outcome's own (which held) first, then every earlier
      one's (which failed; for the default outcome, every other rule), in the file's order;
    - `tests`: the questions those same rules test directly, without a named criterion, each with
      the options it accepts and whether the answer is one of them (an unanswered question: not met);
    - `caveat_reasons`: for each caveat shown, its rule's criteria and direct tests, as above;
    - `missing`: ids of unanswered questions; `provisional`: true while any is missing;
    - `answers`: the valid answers used (question id -> option id), in question order.
    The CLI adds `link`: the share fragment of those answers (the worker adds `fragment`)."""

    checklist: str
    outcome: str
    caveats: list[str]
    criteria: dict[str, bool]
    reasons: list[str]
    tests: list[AnswerTestDict]
    caveat_reasons: dict[str, CaveatReasonsDict]
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
    """Ids of the criteria the rules tried refer to: the winning outcome's and every earlier one's."""
    missing: tuple[str, ...]
    answers: tuple[tuple[str, str], ...]
    tests: tuple[AnswerTest, ...] = ()
    """The questions the deciding rules test directly (see AssessmentDict)."""
    caveat_reasons: tuple[tuple[str, tuple[str, ...], tuple[AnswerTest, ...]], ...] = ()
    """(caveat id, criteria ids, direct tests) for each caveat shown."""

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
            "tests": [_test_dict(t) for t in self.tests],
            "caveat_reasons": {c: {"criteria": list(ids), "tests": [_test_dict(t) for t in tests]} for c, ids, tests in self.caveat_reasons},
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


@dataclass(frozen=True)
class _Explained:
    """What a rule refers to, found once: its named criteria and its direct tests' questions and options."""

    criteria: tuple[str, ...]
    tests: tuple[tuple[str, tuple[str, ...]], ...]

    @staticmethod
    def of(rules: list[Condition]) -> _Explained:
        criteria = dict.fromkeys(r for rule in rules for r in referenced_criteria(rule))
        tests = dict.fromkeys((t.question, t.options) for rule in rules for t in answer_tests(rule, {}))
        return _Explained(tuple(criteria), tuple(tests))

    def answer_tests(self, given: Mapping[str, str]) -> tuple[AnswerTest, ...]:
        return tuple(AnswerTest(q, options, given.get(q) in options) for q, options in self.tests)


@dataclass(frozen=True)
class _Plan:
    """What `evaluate` needs of a checklist that no answer changes, found once per checklist:
    per outcome, what its decision refers to (its own rule, then every earlier one's); per caveat, its rule's."""

    decided_by: dict[str, _Explained]
    caveats: dict[str, _Explained]

    @staticmethod
    def of(checklist: Checklist) -> _Plan:
        decided_by = {}
        for index, outcome in enumerate(checklist.outcomes):
            # First match wins: an outcome is decided by its own rule holding and by every earlier
            # rule failing (the default outcome, by all the others failing). The winning rule
            # leads (what decided it), then the earlier rules that failed, in order.
            earlier = [o.when for o in checklist.outcomes[:index] if o.when is not None]
            decided_by[outcome.id] = _Explained.of(([outcome.when] if outcome.when is not None else []) + earlier)
        return _Plan(decided_by, {c.id: _Explained.of([c.when]) for c in checklist.caveats})


_plans: dict[int, tuple[weakref.ref[Checklist], _Plan]] = {}


def _plan(checklist: Checklist) -> _Plan:
    """The checklist's _Plan, kept while the checklist lives (by identity: hashing a checklist
    would cost more than the plan saves)."""
    key = id(checklist)
    entry = _plans.get(key)
    if entry is None or entry[0]() is not checklist:
        entry = (weakref.ref(checklist), _Plan.of(checklist))
        _plans[key] = entry
        weakref.finalize(checklist, _plans.pop, key, None)
    return entry[1]


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
    shown = tuple(c for c in checklist.caveats if holds(c.when))
    plan = _plan(checklist)
    decided_by = plan.decided_by[outcome.id]
    return Assessment(
        checklist=checklist.id,
        outcome=outcome.id,
        caveats=tuple(c.id for c in shown),
        criteria=tuple(CriterionResult(c.id, results[c.id]) for c in checklist.criteria),
        reasons=decided_by.criteria,
        missing=tuple(q.id for q in checklist.questions if q.id not in given),
        answers=tuple(given.items()),
        tests=decided_by.answer_tests(given),
        caveat_reasons=tuple((c.id, plan.caveats[c.id].criteria, plan.caveats[c.id].answer_tests(given)) for c in shown),
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


def answer_tests(condition: Condition, answers: Mapping[str, str]) -> list[AnswerTest]:
    """The questions a condition tests directly (not through named criteria), in order, each
    once, with whether `answers` (valid ones: question id -> option id) meet the test."""
    match condition:
        case OneOf(question=q, options=options):
            return [AnswerTest(q, options, answers.get(q) in options)]
        case All(conditions=parts) | Any(conditions=parts) | AtLeast(conditions=parts):
            return list(dict.fromkeys(t for p in parts for t in answer_tests(p, answers)))
        case Not(condition=inner):
            return answer_tests(inner, answers)
    return []


def _test_dict(test: AnswerTest) -> AnswerTestDict:
    return {"question": test.question, "options": list(test.options), "met": test.met}


def test_key(question: str, options: tuple[str, ...] | list[str]) -> str:
    """How the page names a direct test: `rights=unclear,no` (the `data-test` attribute)."""
    return f"{question}={','.join(options)}"


def answer_test_text(checklist: Checklist, test: AnswerTest) -> str:
    """A direct test in the checklist's own words: `Right to use: Not sure or No` (the question's
    title, then the labels of the options it accepts)."""
    question = checklist.question(test.question)
    if question is None:  # pragma: no cover - the loader checks every reference
        return test_key(test.question, test.options)
    labels = [o.label for o in question.options if o.id in test.options]
    return f"{question.title}: {' or '.join(labels)}"
