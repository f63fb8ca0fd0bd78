"""What would change the result: for the current answers, every smallest set of answer changes
that gives each other outcome. Exact, and for any checklist: the outcome of every candidate is
computed by `evaluate`, so the rules live in one place.

A *change* sets one question (answered or not) to a different option; a change set changes each
of its questions once. For each outcome other than the current one, the result lists every change
set with the fewest changes that makes `evaluate` return that outcome ([] when none does).

How the search stays small (each step keeps it exact):
- Options a question's rules cannot tell apart are one *class*. The engine reads an answer only
  through `{question, in}` conditions, so two options that are in exactly the same of those
  conditions (of the rules the outcomes depend on) give the same outcome everywhere; an option in
  none of them gives the same outcome as no answer at all. Only one option per class is evaluated,
  and an option in the class of the current answer (or of no answer) is never a change worth
  making: a set holding it would reach the same outcome without it, with one change fewer.
- Only the questions an outcome's rule, or the rule of an outcome before it (first match wins),
  refers to, directly or through criteria, can be in one of its smallest sets: the others cannot
  change which of those rules hold. The rest are not searched for it.
- Sets are tried by increasing size, k = 1, 2, ...; an outcome found at size k is not searched
  further (no superset of a smallest set is listed), and the search ends when every outcome is
  found or no question is left to add.
- Outcomes are remembered per checklist by each question's class (at most 100,000 of them), so
  the next answer's search mostly looks up what the last one evaluated.
- Bounds for larger checklists: at most `max_candidates` change sets looked at, so at most that
  many calls of `evaluate` (a size is searched whole or not at all, so the result does not depend
  on what was remembered; outcomes left unsearched are reported in `WhatIf.unsearched`, never as
  unreachable), and at most `max_sets` sets listed per outcome (`WhatIf.total` keeps the real
  number, and `WhatIf.changes` every change in any smallest set, listed or not).
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass

from .engine import evaluate, valid_answers
from .model import All, Any, AtLeast, Checklist, Condition, Not, OneOf, Ref

__all__ = ["MAX_CANDIDATES", "MAX_SETS", "ChangeSet", "WhatIf", "change_phrase", "remember_all", "what_if", "what_if_steps"]

MAX_SETS = 20
"""Smallest sets listed per outcome; `WhatIf.total` says how many there are in all."""
MAX_CANDIDATES = 20_000
"""Change sets one `what_if` may look at (the shipped checklists need at most a few hundred)."""

ChangeSet = tuple[tuple[str, str], ...]
"""(question id, option id) pairs, one per changed question, in question order."""


@dataclass(frozen=True)
class WhatIf:
    """The smallest change sets per other outcome, and how the search was bounded."""

    outcome: str
    """The current outcome."""
    sets: dict[str, list[ChangeSet]]
    """Every other outcome, in checklist order -> its smallest change sets ([] when none reaches
    it, or when it was not searched: see `unsearched`), at most `max_sets` of them."""
    total: dict[str, int]
    """Outcome -> how many smallest sets there are (more than listed when capped)."""
    changes: dict[str, list[tuple[str, str]]]
    """Outcome -> every change in one of its smallest sets (listed or not), in question and option order."""
    unsearched: tuple[str, ...]
    """Outcomes whose search stopped at the evaluation budget: reachable or not, unknown."""
    candidates: int
    """How many change sets were looked at (each costs at most one `evaluate`)."""

    def size(self, outcome_id: str) -> int:
        """The smallest number of changes that gives `outcome_id`; 0 when none does (or unsearched)."""
        found = self.sets.get(outcome_id)
        return len(found[0]) if found else 0

    def to_json(self) -> dict[str, list[list[list[str]]]]:
        """The CLI's and the worker's form: {OUTCOME: [[[QUESTION, OPTION], ...], ...]}."""
        return {outcome: [[[q, o] for q, o in change_set] for change_set in sets] for outcome, sets in self.sets.items()}


def what_if(
    checklist: Checklist,
    answers: Mapping[str, str],
    *,
    max_sets: int | None = MAX_SETS,
    max_candidates: int = MAX_CANDIDATES,
) -> WhatIf:
    """For `answers` (question id -> option id; invalid ones are ignored, as by `evaluate`), every
    smallest change set per other outcome. `max_sets=None` lists them all. Raises nothing for any
    answers; the method and its bounds are described in this module's docstring."""
    search = what_if_steps(checklist, answers, max_sets=max_sets, max_candidates=max_candidates)
    while True:
        try:
            next(search)
        except StopIteration as done:
            result: WhatIf = done.value
            return result


def what_if_steps(
    checklist: Checklist,
    answers: Mapping[str, str],
    *,
    max_sets: int | None = MAX_SETS,
    max_candidates: int = MAX_CANDIDATES,
    step: int = 16,
) -> Generator[None, None, WhatIf]:
    """`what_if` in slices: yields after every `step` candidates, returns the `WhatIf`. The browser's
    worker runs it a slice at a time, so that a new answer's outcome never waits for it."""
    given = valid_answers(checklist, answers)
    current = evaluate(checklist, given).outcome
    order = {q.id: i for i, q in enumerate(checklist.questions)}
    by_question = _conditions_by_question(checklist)
    classes = _option_classes(checklist, by_question)
    alternatives = {q: [c for c in classes[q] if c.signature != _signature(by_question[q], given.get(q))] for q in order}
    relevant = _relevant_questions(checklist)
    wanted = [o.id for o in checklist.outcomes if o.id != current]
    memo = _memo(checklist)
    state = [_signature(by_question[q], given.get(q)) for q in order]
    found: dict[str, list[tuple[tuple[str, _Class], ...]]] = {}
    tried = 0
    unsearched: tuple[str, ...] = ()
    for size in itertools.count(1):
        searching = [o for o in wanted if o not in found]
        pool = sorted({q for o in searching for q in relevant[o] if alternatives[q]}, key=order.__getitem__)
        if not searching or size > len(pool):
            break
        if tried + _level_cost([len(alternatives[q]) for q in pool], size) > max_candidates:
            unsearched = tuple(searching)
            break
        level: dict[str, list[tuple[tuple[str, _Class], ...]]] = {}
        for questions in itertools.combinations(pool, size):
            positions = [order[q] for q in questions]
            for choice in itertools.product(*(alternatives[q] for q in questions)):
                signatures = state.copy()
                for position, picked in zip(positions, choice):
                    signatures[position] = picked.signature
                key = tuple(signatures)
                outcome = memo.get(key)
                if outcome is None:
                    outcome = memo[key] = evaluate(checklist, {**given, **{q: c.options[0] for q, c in zip(questions, choice)}}).outcome
                if outcome in searching:
                    level.setdefault(outcome, []).append(tuple(zip(questions, choice)))
                tried += 1
                if tried % step == 0:
                    yield
        found.update(level)
    sets: dict[str, list[ChangeSet]] = {}
    total: dict[str, int] = {}
    changes: dict[str, list[tuple[str, str]]] = {}
    for outcome in wanted:
        class_sets = found.get(outcome, [])
        total[outcome] = sum(_product([len(c.options) for _, c in cs]) for cs in class_sets)
        listed = itertools.chain.from_iterable(_expand(cs) for cs in class_sets)
        sets[outcome] = list(itertools.islice(listed, max_sets))
        union = {(q, o) for cs in class_sets for q, c in cs for o in c.options}
        changes[outcome] = sorted(union, key=lambda qo: (order[qo[0]], _option_index(checklist, *qo)))
    return WhatIf(current, sets, total, changes, unsearched, tried)


def remember_all(checklist: Checklist, limit: int = 5_000) -> Generator[None, None, int]:
    """Evaluate, once, every combination of option classes (see above) when there are at most
    `limit` of them, so that later `what_if` calls only look outcomes up. Yields after each
    evaluation (the worker runs it in slices at idle); returns how many were evaluated (0 when
    there are more than `limit`: then `what_if` remembers as it goes)."""
    by_question = _conditions_by_question(checklist)
    classes = _option_classes(checklist, by_question)
    choices = [[(None, _signature(by_question[q.id], None))] + [(c.options[0], c.signature) for c in classes[q.id]] for q in checklist.questions]
    choices = [list({signature: (option, signature) for option, signature in reversed(found)}.values()) for found in choices]
    if _product([len(c) for c in choices]) > limit:
        return 0
    memo = _memo(checklist)
    count = 0
    for combo in itertools.product(*choices):
        key = tuple(signature for _, signature in combo)
        if key not in memo:
            answers = {q.id: option for q, (option, _) in zip(checklist.questions, combo) if option is not None}
            memo[key] = evaluate(checklist, answers).outcome
            count += 1
            yield
    return count


_MEMO_LIMIT = 100_000
_memos: dict[Checklist, dict[tuple[int, ...], str]] = {}


def _memo(checklist: Checklist) -> dict[tuple[int, ...], str]:
    """Outcomes already evaluated for this checklist, by what the rules can see of the answers
    (each question's class): exact, since `evaluate` cannot tell apart answers of one class."""
    memo = _memos.setdefault(checklist, {})
    if len(memo) > _MEMO_LIMIT:
        memo.clear()
    return memo


def change_phrase(checklist: Checklist, question_id: str, option_id: str) -> str:
    """A change in words, to end "… would become the recommendation if": the option's `if` text
    when the checklist gives one, else 'you answered “LABEL” to “QUESTION TITLE”'. Raises
    KeyError for an unknown question or option."""
    question = checklist.question(question_id)
    option = question.option(option_id) if question is not None else None
    if question is None or option is None:
        raise KeyError(f"{question_id}={option_id}: no such question and option in checklist {checklist.id!r}")
    return option.if_text or f"you answered \u201c{option.label}\u201d to \u201c{question.title}\u201d"


# --- the parts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Class:
    """Options of one question that every rule the outcomes depend on treats alike."""

    options: tuple[str, ...]
    signature: int


def _outcome_conditions(checklist: Checklist) -> list[Condition]:
    return [o.when for o in checklist.outcomes if o.when is not None]


def _answer_conditions(checklist: Checklist, condition: Condition, seen: set[str] | None = None) -> Iterator[OneOf]:
    """Every `{question, in}` condition a condition depends on, through criteria too."""
    seen = set() if seen is None else seen
    match condition:
        case OneOf():
            yield condition
        case All(conditions=parts) | Any(conditions=parts) | AtLeast(conditions=parts):
            for part in parts:
                yield from _answer_conditions(checklist, part, seen)
        case Not(condition=inner):
            yield from _answer_conditions(checklist, inner, seen)
        case Ref(criterion=name):
            criterion = checklist.criterion(name)
            if name not in seen and criterion is not None:
                seen.add(name)
                yield from _answer_conditions(checklist, criterion.when, seen)


def _conditions_by_question(checklist: Checklist) -> dict[str, list[OneOf]]:
    by_question: dict[str, list[OneOf]] = {q.id: [] for q in checklist.questions}
    for condition in _outcome_conditions(checklist):
        for leaf in _answer_conditions(checklist, condition):
            if leaf.question in by_question and leaf not in by_question[leaf.question]:
                by_question[leaf.question].append(leaf)
    return by_question


def _signature(leaves: list[OneOf], option: str | None) -> int:
    """Which of a question's conditions an answer (None: no answer) is in, as bits."""
    return sum(1 << i for i, leaf in enumerate(leaves) if option in leaf.options)


def _option_classes(checklist: Checklist, by_question: dict[str, list[OneOf]]) -> dict[str, list[_Class]]:
    """Each question's options grouped by the rules' view of them, in option order."""
    classes: dict[str, list[_Class]] = {}
    for question in checklist.questions:
        groups: dict[int, list[str]] = {}
        for option in question.options:
            groups.setdefault(_signature(by_question[question.id], option.id), []).append(option.id)
        classes[question.id] = [_Class(tuple(options), signature) for signature, options in groups.items()]
    return classes


def _relevant_questions(checklist: Checklist) -> dict[str, frozenset[str]]:
    """Outcome -> the questions its rule or an earlier outcome's rule refers to."""
    relevant: dict[str, frozenset[str]] = {}
    so_far: set[str] = set()
    for outcome in checklist.outcomes:
        if outcome.when is not None:
            so_far |= {leaf.question for leaf in _answer_conditions(checklist, outcome.when)}
        relevant[outcome.id] = frozenset(so_far)
    return relevant


def _level_cost(counts: list[int], size: int) -> int:
    """How many change sets of `size` questions there are: the elementary symmetric polynomial."""
    sums = [1] + [0] * size
    for count in counts:
        for k in range(size, 0, -1):
            sums[k] += sums[k - 1] * count
    return sums[size]


def _product(numbers: list[int]) -> int:
    result = 1
    for n in numbers:
        result *= n
    return result


def _expand(class_set: tuple[tuple[str, _Class], ...]) -> Iterator[ChangeSet]:
    questions = [q for q, _ in class_set]
    for options in itertools.product(*(c.options for _, c in class_set)):
        yield tuple(zip(questions, options))


def _option_index(checklist: Checklist, question_id: str, option_id: str) -> int:
    question = checklist.question(question_id)
    assert question is not None
    return next(i for i, o in enumerate(question.options) if o.id == option_id)
