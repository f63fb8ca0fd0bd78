"""Messages about share links, for authors and CLI users: what was not understood, what is valid,
and the nearest valid value. Built from the codec's `Dropped` records; the codec itself stays
tolerant and says only *why* it dropped a part (a reason id)."""

from __future__ import annotations

from urllib.parse import unquote

from .errors import did_you_mean
from .model import Checklist
from .share import MAX_PARTS, Dropped

__all__ = ["dropped_message"]


def dropped_message(checklist: Checklist, dropped: Dropped) -> str:
    """One sentence on a dropped part of a share link, e.g. `'testset=yse': question 'testset'
    has no option 'yse' (did you mean 'yes'?); valid: yes, no`. A reason this function does not
    know (the codec may gain some) is named by its id."""
    part = dropped.part
    key, _, value = part.partition("=")
    question_id, option_id = unquote(key).strip(), unquote(value).strip()
    question = checklist.question(question_id)
    match dropped.reason:
        case "unknown-option" if question is not None:
            valid = [o.id for o in question.options]
            return f"{part!r}: question {question_id!r} has no option {option_id!r}{did_you_mean(option_id, valid)}"
        case "unknown-question":
            valid = [q.id for q in checklist.questions]
            return f"{part!r}: the checklist {checklist.id!r} has no question {question_id!r}{did_you_mean(question_id, valid)}"
        case "malformed":
            return f"{part!r}: not an answer; write QUESTION=OPTION, e.g. {_example(checklist)!r}"
        case "repeated":
            return f"{part!r}: question {question_id!r} is answered earlier in the link; only the first answer counts"
        case "too-many":
            return f"{part!r}: a link is read up to {MAX_PARTS} parts; the rest were left out"
    return f"{part!r} ({dropped.reason})"


def _example(checklist: Checklist) -> str:
    question = checklist.questions[0]
    return f"{question.id}={question.options[0].id}"
