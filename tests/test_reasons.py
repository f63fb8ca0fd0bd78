"""Every outcome and caveat explains itself: the conditions that decided it (named criteria and
questions tested directly in its rule) are all in the assessment, and they alone give its result.
For whichever checklists are shipped."""

from __future__ import annotations

import random

import pytest

import decision
from decision.engine import AnswerTest, Assessment, answer_tests
from decision.model import All, Any, AtLeast, Condition, Not, OneOf, Ref

pytestmark = pytest.mark.any_checklists

SAMPLES = 300


def answer_sets(checklist: decision.Checklist, count: int) -> list[dict[str, str]]:
    """Seeded answer sets: complete and partial, so that unanswered questions are covered too."""
    rng = random.Random(checklist.id)
    sets = [{}]
    for _ in range(count):
        sets.append({q.id: rng.choice(q.options).id for q in checklist.questions if rng.random() < 0.8})
    return sets


def from_explanation(condition: Condition, criteria: dict[str, bool], tests: dict[tuple[str, tuple[str, ...]], bool]) -> bool:
    """A rule's truth worked out from the explanation alone: the named criteria it refers to and
    its direct tests, as the assessment reports them (a missing one raises KeyError)."""
    match condition:
        case Ref(criterion=name):
            return criteria[name]
        case OneOf(question=q, options=options):
            return tests[(q, options)]
        case All(conditions=parts):
            return all(from_explanation(p, criteria, tests) for p in parts)
        case Any(conditions=parts):
            return any(from_explanation(p, criteria, tests) for p in parts)
        case AtLeast(count=n, conditions=parts):
            return sum(from_explanation(p, criteria, tests) for p in parts) >= n
        case Not(condition=inner):
            return not from_explanation(inner, criteria, tests)
    raise TypeError(condition)


def explained(assessment: Assessment, reasons: tuple[str, ...], tests: tuple[AnswerTest, ...]) -> tuple[dict[str, bool], dict[tuple[str, tuple[str, ...]], bool]]:
    met = {c.id: c.met for c in assessment.criteria}
    return {r: met[r] for r in reasons}, {(t.question, t.options): t.met for t in tests}


@pytest.mark.parametrize("checklist_id", decision.checklist_ids())
def test_the_outcome_follows_from_its_reasons_alone(checklist_id: str) -> None:
    checklist = decision.load_checklist(checklist_id)
    for answers in answer_sets(checklist, SAMPLES):
        result = decision.evaluate(checklist, answers)
        criteria, tests = explained(result, result.reasons, result.tests)
        for outcome in checklist.outcomes:
            if outcome.id == result.outcome:
                assert outcome.when is None or from_explanation(outcome.when, criteria, tests), (answers, outcome.id)
                break
            assert outcome.when is not None and not from_explanation(outcome.when, criteria, tests), (answers, outcome.id)


@pytest.mark.parametrize("checklist_id", decision.checklist_ids())
def test_each_caveat_shown_follows_from_its_reasons_alone(checklist_id: str) -> None:
    checklist = decision.load_checklist(checklist_id)
    for answers in answer_sets(checklist, SAMPLES):
        result = decision.evaluate(checklist, answers)
        assert [c for c, _, _ in result.caveat_reasons] == list(result.caveats)
        for caveat_id, reasons, tests in result.caveat_reasons:
            caveat = next(c for c in checklist.caveats if c.id == caveat_id)
            assert from_explanation(caveat.when, *explained(result, reasons, tests)), (answers, caveat_id)


def test_a_direct_question_test_is_a_reason() -> None:
    """The issue's case: an outcome decided by `rights = unclear` alone names that test, in JSON too."""
    checklist = decision.parse_checklist(_ACCESS, "access.toml")
    result = decision.evaluate(checklist, {"access": "unclear"})
    assert result.outcome == "sort-out-access" and result.reasons == ()
    assert result.to_dict()["tests"] == [{"question": "access", "options": ["unclear"], "met": True}]
    assert answer_tests(checklist.outcomes[0].when, {"access": "yes"}) == [AnswerTest("access", ("unclear",), False)]  # type: ignore[arg-type]


_ACCESS = '''
id = "access"
title = "Access"
description = "Who may use the data?"
page = "access.md"

[[questions]]
id = "access"
title = "Access rights"
text = "Do you have the rights to the data?"
guide = "access.md"
options = [{ id = "yes", label = "Yes" }, { id = "unclear", label = "Unclear" }]

[[outcomes]]
id = "sort-out-access"
title = "Sort out access rights first"
summary = "Find out who may use the data."
guide = "access.md"
tone = "warning"
when = { question = "access", in = ["unclear"] }

[[outcomes]]
id = "go"
title = "Go ahead"
summary = "Go."
guide = "access.md"
tone = "success"
'''
