"""Two assessments side by side: which answers differ, and which of those differences change the
outcome, computed with `evaluate` (the rules live in one place). Also the compare link, which
carries both answer sets in one fragment: `compare&a.knowledge=changing&b.knowledge=none`.

Definitions (A and B are the two answer sets; "taking over" a question from B into A sets A's
answer to B's, or removes it when B left the question unanswered):
- `differences`: the questions whose answers differ (answered differently, or answered on one
  side only), in question order.
- `a_to_b`: when the outcomes differ, every smallest set of differences that, taken over from B
  into A, gives A B's outcome (taking over all of them always does). `b_to_a` likewise the other
  way. Both are empty when the outcomes agree.
- `decisive`: the differences in at least one of those smallest sets, either way: the answers
  the two outcomes hinge on. Empty when the outcomes agree.
- `alone`: for each difference, (A's outcome changes when A takes over just that answer, B's
  outcome changes when B takes over just A's answer).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict
from urllib.parse import unquote

from .engine import Assessment, AssessmentDict, evaluate, valid_answers
from .model import Checklist
from .share import DecodedLink, Dropped, _shorten, decode_answers, encode_answers  # _shorten: one way to show a dropped part

__all__ = [
    "COMPARE_MARK",
    "MAX_SUBSETS",
    "CompareLink",
    "Comparison",
    "ComparisonDict",
    "compare",
    "decode_compare",
    "encode_compare",
    "is_compare_link",
]

COMPARE_MARK = "compare"
"""The first part of a compare link's fragment."""
MAX_SUBSETS = 5_000
"""Subsets of differences tried per direction; beyond it the search stops at the size reached
(`Comparison.capped`). A checklist needs more than 12 differing questions to get there."""


class ComparisonDict(TypedDict):
    a: AssessmentDict
    b: AssessmentDict
    differences: list[str]
    decisive: list[str]
    a_to_b: list[list[str]]
    b_to_a: list[list[str]]
    alone: dict[str, list[bool]]
    capped: bool


@dataclass(frozen=True)
class Comparison:
    a: Assessment
    b: Assessment
    differences: tuple[str, ...]
    decisive: tuple[str, ...]
    a_to_b: tuple[tuple[str, ...], ...]
    b_to_a: tuple[tuple[str, ...], ...]
    alone: dict[str, tuple[bool, bool]]
    capped: bool
    """True when a search stopped at MAX_SUBSETS before it found its smallest sets."""

    def to_dict(self) -> ComparisonDict:
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "differences": list(self.differences),
            "decisive": list(self.decisive),
            "a_to_b": [list(s) for s in self.a_to_b],
            "b_to_a": [list(s) for s in self.b_to_a],
            "alone": {q: list(flags) for q, flags in self.alone.items()},
            "capped": self.capped,
        }


def compare(checklist: Checklist, answers_a: Mapping[str, str], answers_b: Mapping[str, str]) -> Comparison:
    """Compare two answer sets (question id -> option id; invalid answers are ignored, as by
    `evaluate`). The definitions are in this module's docstring. Raises nothing for any answers."""
    a, b = valid_answers(checklist, answers_a), valid_answers(checklist, answers_b)
    result_a, result_b = evaluate(checklist, a), evaluate(checklist, b)
    differences = tuple(q.id for q in checklist.questions if a.get(q.id) != b.get(q.id))
    alone = {
        q: (evaluate(checklist, _take(a, b, (q,))).outcome != result_a.outcome, evaluate(checklist, _take(b, a, (q,))).outcome != result_b.outcome)
        for q in differences
    }
    a_to_b: tuple[tuple[str, ...], ...] = ()
    b_to_a: tuple[tuple[str, ...], ...] = ()
    capped = False
    if result_a.outcome != result_b.outcome:
        a_to_b, capped_a = _smallest(checklist, a, b, differences, result_b.outcome)
        b_to_a, capped_b = _smallest(checklist, b, a, differences, result_a.outcome)
        capped = capped_a or capped_b
    decisive = tuple(q for q in differences if any(q in s for s in a_to_b + b_to_a))
    return Comparison(result_a, result_b, differences, decisive, a_to_b, b_to_a, alone, capped)


def _take(into: dict[str, str], source: dict[str, str], questions: tuple[str, ...]) -> dict[str, str]:
    """`into` with `source`'s answers (or no answer, where `source` has none) for `questions`."""
    taken = dict(into)
    for q in questions:
        if q in source:
            taken[q] = source[q]
        else:
            taken.pop(q, None)
    return taken


def _smallest(checklist: Checklist, into: dict[str, str], source: dict[str, str], differences: tuple[str, ...], target: str) -> tuple[tuple[tuple[str, ...], ...], bool]:
    tried = 0
    for size in range(1, len(differences) + 1):
        found = []
        for subset in itertools.combinations(differences, size):
            tried += 1
            if tried > MAX_SUBSETS:
                return tuple(found), True
            if evaluate(checklist, _take(into, source, subset)).outcome == target:
                found.append(subset)
        if found:
            return tuple(found), False
    return (), False  # pragma: no cover - taking over every difference always gives the target


# --- the compare link -----------------------------------------------------------------------


@dataclass(frozen=True)
class CompareLink:
    a: DecodedLink
    b: DecodedLink
    dropped: tuple[Dropped, ...]
    """Every part not used, of either side or of neither, as it appeared in the link."""


def is_compare_link(link: str) -> bool:
    """True when a link's fragment (or a bare fragment) starts with the compare mark."""
    _, hash_mark, after = link.partition("#")
    fragment = after if hash_mark else link
    return fragment.replace(";", "&").split("&", 1)[0].strip() == COMPARE_MARK


def encode_compare(checklist: Checklist, answers_a: Mapping[str, str], answers_b: Mapping[str, str]) -> str:
    """The compare fragment (without '#'): the mark, then A's valid answers and B's, each part
    prefixed with its side, `a.` or `b.`."""
    parts = [COMPARE_MARK]
    for side, answers in (("a", answers_a), ("b", answers_b)):
        fragment = encode_answers(checklist, answers)
        parts += [f"{side}.{part}" for part in fragment.split("&") if part]
    return "&".join(parts)


def decode_compare(checklist: Checklist, link: str) -> CompareLink:
    """Both answer sets of a compare link (a URL, a '#fragment' or a bare fragment). Each side is
    read by `decode_answers`, so the share-link rules apply to it unchanged; a part of neither
    side is dropped as malformed. Tolerant: raises nothing."""
    _, hash_mark, after = link.partition("#")
    fragment = after if hash_mark else link
    parts = [p for p in fragment.replace(";", "&").split("&") if p.strip()]
    if parts and parts[0].strip() == COMPARE_MARK:
        parts = parts[1:]
    sides: dict[str, list[str]] = {"a": [], "b": []}
    dropped: list[Dropped] = []
    for part in parts:
        side, dot, rest = part.partition(".")
        if dot and side.strip() in sides:
            sides[side.strip()].append(rest)
        else:
            dropped.append(Dropped(_shorten(unquote(part)), "malformed"))
    decoded = {side: decode_answers(checklist, "#" + "&".join(found)) for side, found in sides.items()}
    for side in ("a", "b"):
        dropped += [Dropped(f"{side}.{d.part}" if d.reason != "too-many" else d.part, d.reason) for d in decoded[side].dropped]
    return CompareLink(decoded["a"], decoded["b"], tuple(dropped))
