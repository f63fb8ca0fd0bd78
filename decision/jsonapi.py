"""JSON in, JSON out: the surface the browser's worker calls (strings cross the JS boundary,
so no Python object leaks into JavaScript). Returns ids only; the page holds the words."""

from __future__ import annotations

import json
from functools import lru_cache

from .engine import evaluate
from .loader import load_checklist
from .model import Checklist
from .share import decode_answers, encode_answers

__all__ = ["decode_json", "evaluate_json", "forget_checklists", "rehearse", "warm_up"]


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
