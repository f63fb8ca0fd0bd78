"""The engine against DOMAIN.md's rules, by table, exhaustively and by property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import decision
from tests.rules import QUESTIONS, every_complete_answer_set, expected

ALL_YES = {
    "knowledge": "none", "style": "yes", "format": "no", "latency": "no", "examples": "over-1000",
    "task": "yes", "metric": "yes", "prompting": "insufficient", "maintenance": "yes",
}  # fmt: skip

SCENARIOS = [
    # (name, changes to ALL_YES, outcome, caveats)
    ("fine-tuning, all ready", {}, "fine-tuning", []),
    ("knowledge changing adds RAG", {"knowledge": "changing"}, "rag-and-fine-tuning", []),
    ("knowledge stable adds RAG", {"knowledge": "stable"}, "rag-and-fine-tuning", []),
    ("no value from fine-tuning", {"style": "no"}, "prompting", []),
    ("no value, knowledge needed", {"style": "no", "knowledge": "changing"}, "rag", []),
    ("format alone adds value", {"style": "no", "format": "yes"}, "fine-tuning", []),
    ("latency alone adds value", {"style": "no", "latency": "yes"}, "fine-tuning", []),
    ("prompting good enough", {"prompting": "good-enough"}, "prompting", []),
    # DOMAIN.md's refined rule: no "not the first step" when prompting already serves (issue 17, item 8)
    ("good enough, two criteria", {"prompting": "good-enough", "task": "no"}, "prompting", []),
    ("good enough, no criteria", {"prompting": "good-enough", "examples": "none", "task": "no", "metric": "no"}, "prompting", []),
    ("good enough, knowledge, two criteria", {"prompting": "good-enough", "knowledge": "stable", "task": "no"}, "rag", []),
    ("insufficient, two criteria", {"prompting": "insufficient", "task": "no", "metric": "no"}, "prompting", ["not-first-step"]),
    ("prompting not tried, three criteria", {"prompting": "not-tried"}, "fine-tuning", ["baseline"]),
    ("no maintenance budget", {"maintenance": "no"}, "fine-tuning", ["maintenance"]),
    ("two of four criteria", {"examples": "100-1000", "metric": "no"}, "prompting", ["not-first-step"]),
    ("three of four criteria", {"examples": "100-1000"}, "fine-tuning", []),
    ("not tried, only two criteria", {"prompting": "not-tried", "metric": "no"}, "prompting", ["not-first-step"]),
    ("both caveats", {"prompting": "not-tried", "maintenance": "no"}, "fine-tuning", ["maintenance", "baseline"]),
    ("rag with not-first-step", {"knowledge": "stable", "task": "no", "metric": "no"}, "rag", ["not-first-step"]),
]


@pytest.mark.parametrize(("name", "changes", "outcome", "caveats"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenarios(fine_tuning: decision.Checklist, name: str, changes: dict[str, str], outcome: str, caveats: list[str]) -> None:
    result = decision.evaluate(fine_tuning, {**ALL_YES, **changes})
    assert (result.outcome, list(result.caveats)) == (outcome, caveats)
    assert not result.provisional and result.missing == ()


def test_every_complete_answer_set_follows_the_rules(fine_tuning: decision.Checklist) -> None:
    count = 0
    for answers in every_complete_answer_set():
        result = decision.evaluate(fine_tuning, answers)
        assert (result.outcome, list(result.caveats)) == expected(answers), answers
        count += 1
    assert count == 2304


def test_ids_are_the_contract(fine_tuning: decision.Checklist) -> None:
    assert {q.id: tuple(o.id for o in q.options) for q in fine_tuning.questions} == QUESTIONS
    assert [o.id for o in fine_tuning.outcomes] == ["rag-and-fine-tuning", "fine-tuning", "rag", "prompting"]
    assert [c.id for c in fine_tuning.caveats] == ["maintenance", "baseline", "not-first-step"]


def test_no_answers_is_provisional_prompting(fine_tuning: decision.Checklist) -> None:
    result = decision.evaluate(fine_tuning, {})
    assert result.outcome == "prompting" and result.caveats == ()
    assert result.provisional and result.missing == tuple(QUESTIONS)
    assert not any(c.met for c in result.criteria)


def test_explains_which_criteria_were_met(fine_tuning: decision.Checklist) -> None:
    result = decision.evaluate(fine_tuning, {**ALL_YES, "metric": "no", "knowledge": "changing"})
    assert result.met("examples") and result.met("task") and not result.met("metric")
    assert result.met("readiness") and result.met("rag-advised") and result.met("fine-tuning-advised")
    assert result.reasons == ("fine-tuning-advised", "rag-advised")
    assert result.to_dict()["criteria"]["metric"] is False


def test_invalid_answers_are_ignored_and_reported_missing(fine_tuning: decision.Checklist) -> None:
    result = decision.evaluate(fine_tuning, {"style": "maybe", "colour": "blue", "task": "yes"})
    assert dict(result.answers) == {"task": "yes"}
    assert "style" in result.missing


answer_sets = st.fixed_dictionaries({}, optional={q: st.sampled_from(opts) for q, opts in QUESTIONS.items()})


@given(answer_sets)
def test_partial_answers_follow_the_rules(answers: dict[str, str]) -> None:
    checklist = decision.load_checklist("fine-tuning")
    result = decision.evaluate(checklist, answers)
    assert (result.outcome, list(result.caveats)) == expected(answers)
    assert set(result.missing) == set(QUESTIONS) - set(answers)
    assert result.provisional == (len(answers) < len(QUESTIONS))


READINESS_UPGRADES = {"examples": "over-1000", "task": "yes", "metric": "yes", "prompting": "insufficient"}


@given(answer_sets, st.sampled_from(sorted(READINESS_UPGRADES)))
def test_one_more_readiness_criterion_never_withdraws_fine_tuning(answers: dict[str, str], criterion: str) -> None:
    checklist = decision.load_checklist("fine-tuning")
    before = decision.evaluate(checklist, answers)
    after = decision.evaluate(checklist, {**answers, criterion: READINESS_UPGRADES[criterion]})
    if before.outcome in ("fine-tuning", "rag-and-fine-tuning"):
        assert after.outcome == before.outcome


@given(answer_sets)
def test_evaluation_is_deterministic(answers: dict[str, str]) -> None:
    checklist = decision.load_checklist("fine-tuning")
    assert decision.evaluate(checklist, answers) == decision.evaluate(checklist, dict(reversed(list(answers.items()))))


@pytest.mark.any_checklists
@pytest.mark.parametrize("checklist_id", decision.checklist_ids())
def test_rehearsal_evaluates_every_option_once(checklist_id: str) -> None:
    from decision import jsonapi

    checklist = decision.load_checklist(checklist_id)
    assert jsonapi.rehearse(checklist_id) == 1 + sum(len(q.options) for q in checklist.questions)


# The example (issue 17, item 8): a style need, prompting already good enough, fewer than
# three readiness criteria. The caveat would tell the reader to build a baseline they said works.
REFINED_CAVEAT = [
    ({"style": "yes", "prompting": "good-enough", "examples": "100-1000", "task": "yes", "metric": "no"}, False),
    ({"style": "yes", "prompting": "not-tried", "examples": "100-1000", "task": "yes", "metric": "no"}, True),
    ({"style": "yes", "prompting": "insufficient", "examples": "100-1000", "task": "no", "metric": "no"}, True),
    ({"style": "yes"}, True),  # prompting unanswered is not "good enough": the caveat shows, provisionally
    ({"format": "yes", "prompting": "good-enough"}, False),
]


@pytest.mark.parametrize(("answers", "shown"), REFINED_CAVEAT)
def test_not_first_step_only_while_prompting_is_not_good_enough(fine_tuning: decision.Checklist, answers: dict[str, str], shown: bool) -> None:
    result = decision.evaluate(fine_tuning, answers)
    assert ("not-first-step" in result.caveats) is shown
    assert ("not-first-step" in expected(answers)[1]) is shown


def test_what_no_answer_changes_is_found_once_per_checklist_object(fine_tuning: decision.Checklist) -> None:
    # The engine keeps, per checklist object, what each rule refers to (decision.engine._Plan). A
    # checklist changed with dataclasses.replace is another object, explained by its own rules; and
    # the lookups by id (Checklist.question, .criterion, Question.option) keep the first of an id.
    import dataclasses

    answers = {**ALL_YES, "metric": "no", "knowledge": "changing"}
    before = decision.evaluate(fine_tuning, answers)
    reordered = dataclasses.replace(fine_tuning, outcomes=(fine_tuning.outcomes[1], fine_tuning.outcomes[0], *fine_tuning.outcomes[2:]))
    after = decision.evaluate(reordered, answers)
    assert (before.outcome, before.reasons) == ("rag-and-fine-tuning", ("fine-tuning-advised", "rag-advised"))
    assert (after.outcome, after.reasons) == ("fine-tuning", ("fine-tuning-advised",))
    assert decision.evaluate(fine_tuning, answers) == before
    assert reordered == dataclasses.replace(reordered) and reordered != fine_tuning  # lookups are not fields
    question = fine_tuning.questions[0]
    twice = dataclasses.replace(question, options=(*question.options, dataclasses.replace(question.options[0], label="again")))
    assert twice.option(question.options[0].id) is question.options[0]
