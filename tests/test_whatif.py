"""What would change the result, and two assessments compared: checked against a brute-force
enumeration over all answer sets (both shipped checklists) and, by Hypothesis, over generated
checklists. The brute force knows nothing of option classes, pruning or memos: for an answer set
A it looks at every answer set B that A can be changed into and counts the changed questions."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import decision
from decision.compare import compare, decode_compare, encode_compare, is_compare_link
from decision.model import All, Any, AtLeast, Checklist, Condition, Criterion, Not, OneOf, Option, Outcome, Question, Ref
from decision.whatif import what_if
from tests.rules import expected

Answers = dict[str, str]
Sets = dict[str, set[frozenset[tuple[str, str]]]]


class Table:
    """Every answer set of a checklist (complete ones, or complete and partial), each coded as an
    int with one bit per (question, answer or no answer), so that the number of differing
    questions between two sets is half the bits of their XOR."""

    def __init__(self, checklist: Checklist, outcome: Callable[[Answers], str], partial: bool) -> None:
        self.checklist = checklist
        self.bits: dict[tuple[str, str | None], int] = {}
        for question in checklist.questions:
            for value in [None, *(o.id for o in question.options)]:
                self.bits[(question.id, value)] = 1 << len(self.bits)
        self.unanswered = sum(self.bits[(q.id, None)] for q in checklist.questions)
        choices = [([None] if partial else []) + [o.id for o in q.options] for q in checklist.questions]
        self.rows: list[tuple[int, str, Answers]] = []
        for combo in itertools.product(*choices):
            answers = {q.id: v for q, v in zip(checklist.questions, combo) if v is not None}
            self.rows.append((self.code(answers), outcome(answers), answers))

    def code(self, answers: Mapping[str, str]) -> int:
        return sum(self.bits[(q.id, answers.get(q.id))] for q in self.checklist.questions)

    def smallest(self, answers: Answers) -> tuple[str, Sets]:
        """The current outcome, and per other outcome every smallest change set (empty if none)."""
        a = self.code(answers)
        current = next(outcome for code, outcome, _ in self.rows if code == a)
        best: dict[str, int] = {}
        found: Sets = {o.id: set() for o in self.checklist.outcomes if o.id != current}
        for b, outcome, other in self.rows:
            if outcome == current or (b & self.unanswered) & ~a:  # a change never removes an answer
                continue
            distance = (a ^ b).bit_count() // 2
            change = frozenset((q, o) for q, o in other.items() if answers.get(q) != o)
            if distance < best.get(outcome, distance + 1):
                best[outcome], found[outcome] = distance, {change}
            elif distance == best[outcome]:
                found[outcome].add(change)
        return current, found


def check_against(table: Table, answers: Answers) -> None:
    current, expected_sets = table.smallest(answers)
    result = what_if(table.checklist, answers, max_sets=None)
    assert result.outcome == current
    assert list(result.sets) == [o.id for o in table.checklist.outcomes if o.id != current]
    order = [q.id for q in table.checklist.questions]
    for outcome, sets in result.sets.items():
        assert {frozenset(s) for s in sets} == expected_sets[outcome], (answers, outcome)
        assert len(sets) == len(set(sets)) == result.total[outcome]
        assert all([q for q, _ in s] == sorted((q for q, _ in s), key=order.index) for s in sets)
        assert result.size(outcome) == (len(next(iter(expected_sets[outcome]))) if expected_sets[outcome] else 0)
        assert set(result.changes[outcome]) == {c for s in expected_sets[outcome] for c in s}
    assert result.unsearched == ()


def evaluated(checklist: Checklist) -> Callable[[Answers], str]:
    return lambda answers: decision.evaluate(checklist, answers).outcome


def partial_sample(checklist: Checklist, count: int, seed: int) -> list[Answers]:
    """`count` answer sets with 1 to all questions unanswered, as many of each number as fit."""
    rng = random.Random(seed)
    questions = checklist.questions
    sample = []
    for index in range(count):
        unanswered = 1 + index % len(questions)
        kept = rng.sample(questions, len(questions) - unanswered)
        sample.append({q.id: rng.choice(q.options).id for q in kept})
    return sample


# --- exhaustive, on the shipped checklists -----------------------------------------------------

# (checklist, complete answer sets, partial answer sets in all, sampled partial ones checked)
SIZES = {"fine-tuning": (2304, 58320, 200), "training-data": (972, 9216, 300)}


@pytest.mark.parametrize("checklist_id", sorted(SIZES))
def test_every_complete_answer_set_against_brute_force(checklist_id: str) -> None:
    checklist = decision.load_checklist(checklist_id)
    table = Table(checklist, evaluated(checklist), partial=False)
    assert len(table.rows) == SIZES[checklist_id][0]
    for _, _, answers in table.rows:
        check_against(table, answers)


@pytest.mark.parametrize("checklist_id", sorted(SIZES))
def test_partial_answer_sets_against_brute_force(checklist_id: str) -> None:
    checklist = decision.load_checklist(checklist_id)
    # The main checklist's 58,320 answer sets are classified by DOMAIN.md's rules written out
    # independently (tests/rules.py; test_engine.py checks the engine against them).
    outcome = (lambda answers: expected(answers)[0]) if checklist_id == "fine-tuning" else evaluated(checklist)
    table = Table(checklist, outcome, partial=True)
    complete, partial, sampled = SIZES[checklist_id]
    assert len(table.rows) == partial
    sample = partial_sample(checklist, sampled, seed=14) + [{}]
    for answers in sample:
        check_against(table, answers)


def test_examples_in_words(fine_tuning: Checklist) -> None:
    ready = {"knowledge": "none", "style": "yes", "format": "no", "latency": "no", "examples": "over-1000",
             "task": "yes", "metric": "yes", "prompting": "insufficient", "maintenance": "yes"}  # fmt: skip
    result = what_if(fine_tuning, ready)
    assert result.outcome == "fine-tuning"
    assert result.sets["rag-and-fine-tuning"] == [(("knowledge", "stable"),), (("knowledge", "changing"),)]
    assert result.sets["prompting"] == [(("style", "no"),), (("prompting", "good-enough"),)]
    assert result.size("rag") == 2
    # from no answers at all: fine-tuning takes four changes, and "good enough" is never one of them
    empty = what_if(fine_tuning, {})
    assert (empty.outcome, empty.size("fine-tuning"), empty.size("rag-and-fine-tuning"), empty.size("rag")) == ("prompting", 4, 5, 1)
    assert ("prompting", "insufficient") in empty.changes["fine-tuning"]
    assert not any(q == "prompting" and o != "insufficient" for q, o in empty.changes["fine-tuning"])
    assert not any(q == "maintenance" for s in empty.sets.values() for q, _ in s[0])


def test_invalid_answers_are_ignored_as_by_evaluate(fine_tuning: Checklist) -> None:
    assert what_if(fine_tuning, {"style": "maybe", "colour": "blue"}) == what_if(fine_tuning, {})


def test_caps_are_reported(fine_tuning: Checklist) -> None:
    full = what_if(fine_tuning, {}, max_sets=None)
    capped = what_if(fine_tuning, {}, max_sets=5)
    assert capped.total == full.total and capped.total["rag-and-fine-tuning"] == 18
    assert capped.sets["rag-and-fine-tuning"] == full.sets["rag-and-fine-tuning"][:5]
    assert capped.changes == full.changes
    bounded = what_if(fine_tuning, {}, max_candidates=50)
    assert bounded.unsearched == ("rag-and-fine-tuning", "fine-tuning")
    assert bounded.sets["rag-and-fine-tuning"] == [] and bounded.size("rag") == 1
    assert bounded.candidates <= 50


def test_remembered_outcomes_do_not_change_the_result(fine_tuning: Checklist) -> None:
    from decision import whatif

    whatif._memos.clear()
    cold = what_if(fine_tuning, {"style": "yes"})
    assert what_if(fine_tuning, {"style": "yes"}) == cold
    assert what_if(fine_tuning, {"style": "yes"}, max_candidates=cold.candidates) == cold


# --- generated checklists ------------------------------------------------------------------------


@st.composite
def checklists(draw: st.DrawFn) -> Checklist:
    """Small checklists with every kind of condition, criteria that refer to earlier criteria,
    and outcomes that may be unreachable."""
    questions = tuple(
        Question(f"q{i}", f"Question {i}", f"Question {i}?", tuple(Option(f"o{j}", f"Option {j}") for j in range(draw(st.integers(2, 3)))), "x.md")
        for i in range(draw(st.integers(1, 4)))
    )

    def condition(criteria: list[str], depth: int) -> st.SearchStrategy[Condition]:
        def answer(question: Question) -> st.SearchStrategy[Condition]:
            ids = [o.id for o in question.options]
            return st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True).map(lambda chosen: OneOf(question.id, tuple(chosen)))

        leaves: st.SearchStrategy[Condition] = st.sampled_from(questions).flatmap(answer)
        if criteria:
            leaves = leaves | st.sampled_from(criteria).map(Ref)
        if depth == 0:
            return leaves
        inner = st.lists(condition(criteria, depth - 1), min_size=1, max_size=3).map(tuple)
        return (
            leaves
            | inner.map(All)
            | inner.map(Any)
            | inner.flatmap(lambda parts: st.integers(1, len(parts)).map(lambda n: AtLeast(n, parts)))
            | condition(criteria, depth - 1).map(Not)
        )

    criteria: list[Criterion] = []
    for i in range(draw(st.integers(0, 3))):
        criteria.append(Criterion(f"c{i}", f"Criterion {i}", "x.md", draw(condition([c.id for c in criteria], 2))))
    names = [c.id for c in criteria]
    outcomes = [Outcome(f"r{i}", f"Outcome {i}", "", "x.md", draw(condition(names, 2))) for i in range(draw(st.integers(1, 4)))]
    outcomes.append(Outcome("default", "Default", "", "x.md", None))
    return Checklist("generated", "Generated", "", "x.md", questions, tuple(criteria), tuple(outcomes), ())


@settings(max_examples=300, deadline=None)
@given(checklists(), st.data())
def test_generated_checklists_against_brute_force(checklist: Checklist, data: st.DataObject) -> None:
    answers = data.draw(st.fixed_dictionaries({}, optional={q.id: st.sampled_from([o.id for o in q.options]) for q in checklist.questions}))
    check_against(Table(checklist, evaluated(checklist), partial=True), answers)


# --- compare ---------------------------------------------------------------------------------------


def brute_compare(checklist: Checklist, a: Answers, b: Answers) -> tuple[list[list[str]], list[list[str]]]:
    """Every smallest subset of the differences that, taken over, gives the other's outcome."""
    differences = [q.id for q in checklist.questions if a.get(q.id) != b.get(q.id)]
    outcome = evaluated(checklist)

    def take(into: Answers, source: Answers, subset: tuple[str, ...]) -> Answers:
        taken = {q: o for q, o in into.items() if q not in subset}
        return taken | {q: source[q] for q in subset if q in source}

    def smallest(into: Answers, source: Answers) -> list[list[str]]:
        if outcome(into) == outcome(source):
            return []
        subsets = [s for n in range(len(differences) + 1) for s in itertools.combinations(differences, n) if outcome(take(into, source, s)) == outcome(source)]
        return [list(s) for s in subsets if len(s) == len(subsets[0])]

    return smallest(a, b), smallest(b, a)


@settings(max_examples=200, deadline=None)
@given(checklists(), st.data())
def test_compare_generated_against_brute_force(checklist: Checklist, data: st.DataObject) -> None:
    answer_sets = st.fixed_dictionaries({}, optional={q.id: st.sampled_from([o.id for o in q.options]) for q in checklist.questions})
    a, b = data.draw(answer_sets), data.draw(answer_sets)
    result = compare(checklist, a, b)
    a_to_b, b_to_a = brute_compare(checklist, a, b)
    assert [list(s) for s in result.a_to_b] == a_to_b and [list(s) for s in result.b_to_a] == b_to_a
    assert set(result.differences) == {q for q in {*a, *b} if a.get(q) != b.get(q)}
    assert set(result.decisive) == {q for s in a_to_b + b_to_a for q in s}
    assert (result.a.outcome, result.b.outcome) == (decision.evaluate(checklist, a).outcome, decision.evaluate(checklist, b).outcome)


def test_compare_names_the_answers_the_outcomes_hinge_on(fine_tuning: Checklist) -> None:
    a = {"knowledge": "none", "style": "yes", "format": "no", "latency": "no", "examples": "over-1000",
         "task": "yes", "metric": "yes", "prompting": "insufficient", "maintenance": "yes"}  # fmt: skip
    b = {**a, "knowledge": "stable", "style": "no", "maintenance": "no"}
    result = compare(fine_tuning, a, b)
    assert (result.a.outcome, result.b.outcome) == ("fine-tuning", "rag")
    assert result.differences == ("knowledge", "style", "maintenance")
    assert result.decisive == ("knowledge", "style")
    assert result.a_to_b == (("knowledge", "style"),) == result.b_to_a
    assert result.alone == {"knowledge": (True, True), "style": (True, True), "maintenance": (False, False)}
    same = compare(fine_tuning, a, {**a, "maintenance": "no"})
    assert same.differences == ("maintenance",) and same.decisive == () and same.a_to_b == ()
    # an answer on one side only is a difference too
    assert compare(fine_tuning, {"knowledge": "stable"}, {}).decisive == ("knowledge",)


@pytest.mark.parametrize("checklist_id", decision.checklist_ids())
def test_compare_link_round_trip(checklist_id: str) -> None:
    checklist = decision.load_checklist(checklist_id)
    rng = random.Random(checklist_id)
    for _ in range(50):
        a, b = (partial_sample(checklist, 1, rng.randrange(10**6))[0] for _ in range(2))
        fragment = encode_compare(checklist, a, b)
        assert is_compare_link("#" + fragment) and is_compare_link(fragment)
        decoded = decode_compare(checklist, "https://example.org/page/#" + fragment)
        assert (decoded.a.answers, decoded.b.answers, decoded.dropped) == (decision.valid_answers(checklist, a), decision.valid_answers(checklist, b), ())


def test_bad_compare_links_are_read_tolerantly(fine_tuning: Checklist) -> None:
    decoded = decode_compare(fine_tuning, "#compare&a.style=yes&b.style=maybe&c.task=yes&knowledge=none&b.colour=red&a.style=no&%E0%A4%A")
    assert decoded.a.answers == {"style": "yes"} and decoded.b.answers == {}
    assert [(d.part, d.reason) for d in decoded.dropped] == [
        ("c.task=yes", "malformed"), ("knowledge=none", "malformed"), ("\ufffd%A", "malformed"),
        ("a.style=no", "repeated"), ("b.style=maybe", "unknown-option"), ("b.colour=red", "unknown-question"),
    ]  # fmt: skip
    assert not is_compare_link("#knowledge=none") and not is_compare_link("")
    assert decode_compare(fine_tuning, "").a.answers == {}


@pytest.mark.parametrize("checklist_id", sorted(SIZES))
def test_remembering_every_class_first_changes_nothing(checklist_id: str) -> None:
    from decision import whatif

    checklist = decision.load_checklist(checklist_id)
    sample = partial_sample(checklist, 60, seed=7) + [{}]
    whatif._memos.clear()
    fresh = [what_if(checklist, answers) for answers in sample]
    whatif._memos.clear()
    steps = whatif.remember_all(checklist)
    try:
        while True:
            next(steps)
    except StopIteration as done:
        assert done.value == {"fine-tuning": 384, "training-data": 192}[checklist_id]
    assert [what_if(checklist, answers) for answers in sample] == fresh
