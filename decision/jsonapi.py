"""JSON in, JSON out: the surface the browser's worker calls (strings cross the JS boundary,
so no Python object leaks into JavaScript). Returns ids only; the page holds the words."""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from functools import lru_cache
from typing import TypeVar, cast

from .engine import evaluate
from .loader import load_checklist
from .model import Checklist
from .share import decode_answers, encode_answers
from .compare import compare, decode_compare, encode_compare, is_compare_link
from .whatif import remember_all, what_if_steps

__all__ = ["WarmJob", "WhatIfJob", "compare_json", "decode_compare_json", "decode_json", "evaluate_json", "forget_checklists", "rehearse", "warm_up", "warm_what_if"]


@lru_cache(maxsize=None)
def _checklist(checklist_id: str) -> Checklist:
    return load_checklist(checklist_id)


def evaluate_json(checklist_id: str, answers_json: str) -> str:
    """Evaluate a JSON object of answers; the assessment as JSON, plus the share fragment."""
    checklist = _checklist(checklist_id)
    raw = json.loads(answers_json)
    answers = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    assessment = evaluate(checklist, answers)
    return json.dumps({**assessment.to_dict(), "fragment": encode_answers(checklist, answers)})


def decode_json(checklist_id: str, link: str) -> str:
    """Decode a share link: the valid answers, each dropped part with its reason id, and whether
    the fragment is an in-page anchor rather than answers (`decision.share`, the one set of rules)."""
    decoded = decode_answers(_checklist(checklist_id), link)
    dropped = [{"part": d.part, "reason": d.reason} for d in decoded.dropped]
    return json.dumps({"answers": decoded.answers, "dropped": dropped, "anchor": decoded.anchor})


def warm_up(checklist_id: str) -> None:
    """Load (and cache) a checklist, so that the first real evaluation is as fast as the rest."""
    evaluate(_checklist(checklist_id), {})


def forget_checklists() -> None:
    """Drop the loaded checklists; the next request reads them again from the package data. The
    build calls it before it takes the engine's memory snapshot (hooks/pyodide_tools.mjs), so
    that the snapshot holds the engine's code and no checklist: the worker reads the checklists
    from the wheel it unpacks after a restore, and a checklist edit needs no new snapshot."""
    _checklist.cache_clear()


def rehearse(checklist_id: str) -> int:
    """Evaluate the answer sets a reader passes through, one option at a time, question by
    question; returns how many. A worker restored from a memory snapshot runs this at idle: its
    interpreter has barely run, so the browser's JavaScript engine has not yet optimised the
    WebAssembly code that evaluating takes, and the reader's first answers would wait for that."""
    checklist = _checklist(checklist_id)
    answers: dict[str, str] = {}
    evaluate_json(checklist_id, "{}")
    for question in checklist.questions:
        for option in question.options:
            answers[question.id] = option.id
            evaluate_json(checklist_id, json.dumps(answers))
    return 1 + sum(len(question.options) for question in checklist.questions)


# --- what would change the result, and compare (issue 14) -------------------------------------


def _answers(answers_json: str) -> dict[str, str]:
    raw = json.loads(answers_json)
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


T = TypeVar("T")


def _work_for(steps: Generator[None, None, T], ms: float) -> T | None:
    """Advances `steps` for about `ms` milliseconds: its return value once it has finished, else
    None (the worker's jobs, run a slice at a time; neither returns None when done)."""
    end = time.perf_counter() + ms / 1000
    try:
        while time.perf_counter() < end:
            next(steps)
    except StopIteration as done:
        return cast(T, done.value)
    return None


class WhatIfJob:
    """`what_if` for the worker, run a slice at a time so that an answer's outcome never waits
    behind it: `step(ms)` works for about `ms` milliseconds, then returns None, or the result as
    JSON once done: {outcome, what_if: {OUTCOME: [[[Q, O], ...], ...]}, changes: {OUTCOME: [[Q, O], ...]},
    total: {OUTCOME: n}, unsearched: [OUTCOME, ...]}."""

    def __init__(self, checklist_id: str, answers_json: str) -> None:
        self._search = what_if_steps(_checklist(checklist_id), _answers(answers_json), step=4)

    def step(self, ms: float) -> str | None:
        result = _work_for(self._search, ms)
        if result is not None:
            return json.dumps({
                "outcome": result.outcome, "what_if": result.to_json(),
                "changes": {o: [list(c) for c in cs] for o, cs in result.changes.items()},
                "total": result.total, "unsearched": list(result.unsearched),
            })  # fmt: skip
        return None


def compare_json(checklist_id: str, answers_a_json: str, answers_b_json: str) -> str:
    """`compare` of two JSON objects of answers, as JSON (ComparisonDict), plus the compare fragment."""
    checklist = _checklist(checklist_id)
    a, b = _answers(answers_a_json), _answers(answers_b_json)
    return json.dumps({**compare(checklist, a, b).to_dict(), "fragment": encode_compare(checklist, a, b)})


def decode_compare_json(checklist_id: str, link: str) -> str:
    """Decode a compare link: each side's valid answers, and every dropped part with its reason id;
    `compare` is false when the link is not a compare link at all."""
    checklist = _checklist(checklist_id)
    decoded = decode_compare(checklist, link)
    return json.dumps({
        "compare": is_compare_link(link), "a": decoded.a.answers, "b": decoded.b.answers,
        "dropped": [{"part": d.part, "reason": d.reason} for d in decoded.dropped],
    })  # fmt: skip


class WarmJob:
    """Evaluates every class of answers once, so that later what-ifs only look outcomes up
    (decision.whatif.remember_all), a slice at a time: `step(ms)` returns None until done, then
    how many were evaluated. The worker runs it at idle; the snapshot is made after one ran."""

    def __init__(self, checklist_id: str) -> None:
        self._steps = remember_all(_checklist(checklist_id))

    def step(self, ms: float) -> int | None:
        return _work_for(self._steps, ms)


def warm_what_if(checklist_id: str) -> int:
    """WarmJob in one go (for the snapshot, made at build time); how many were evaluated."""
    job = WarmJob(checklist_id)
    while (done := job.step(1000)) is None:
        pass
    return done
