"""The share-link codec: answers <-> URL fragment (`knowledge=changing&style=no`).

Decoding is tolerant: whatever it cannot use is dropped and reported, never raised."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from .engine import valid_answers
from .model import Checklist

__all__ = ["MAX_PARTS", "DecodedLink", "Dropped", "DropReason", "decode_answers", "encode_answers"]

DropReason = Literal["malformed", "unknown-question", "unknown-option", "repeated", "too-many"]
MAX_PARTS = 200
"""Parts of a fragment looked at; the rest are dropped in one go (a link is never that long)."""
_SHOWN = 60


@dataclass(frozen=True)
class Dropped:
    """A part of a link that was not used, shortened for display, with the reason why."""

    part: str
    reason: DropReason


@dataclass(frozen=True)
class DecodedLink:
    answers: dict[str, str]
    dropped: tuple[Dropped, ...]


def encode_answers(checklist: Checklist, answers: Mapping[str, str]) -> str:
    """The fragment (without '#') for the valid answers, in question order."""
    return "&".join(f"{quote(q, safe='-')}={quote(o, safe='-')}" for q, o in valid_answers(checklist, answers).items())


def decode_answers(checklist: Checklist, link: str) -> DecodedLink:
    """Answers from a share link, a '#fragment' or a bare fragment."""
    _, hash_mark, after = link.partition("#")
    fragment = after if hash_mark else ("" if "://" in link or link.startswith(("/", ".")) else link)
    answers: dict[str, str] = {}
    dropped: list[Dropped] = []
    parts = [p for p in fragment.replace(";", "&").split("&") if p.strip()]
    if len(parts) > MAX_PARTS:
        dropped.append(Dropped(f"{len(parts) - MAX_PARTS} more parts", "too-many"))
        parts = parts[:MAX_PARTS]
    for part in parts:
        key, equals, value = part.partition("=")
        question_id, option_id = unquote(key).strip(), unquote(value).strip()
        question = checklist.question(question_id)
        reason: DropReason | None = None
        if not equals or not question_id or not option_id:
            reason = "malformed"
        elif question is None:
            reason = "unknown-question"
        elif question.option(option_id) is None:
            reason = "unknown-option"
        elif question_id in answers:
            reason = "repeated"
        if reason is None:
            answers[question_id] = option_id
        else:
            dropped.append(Dropped(_shorten(unquote(part)), reason))
    return DecodedLink(valid_answers(checklist, answers), tuple(dropped))


def _shorten(text: str) -> str:
    printable = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)
    return printable if len(printable) <= _SHOWN else printable[: _SHOWN - 1] + "\N{HORIZONTAL ELLIPSIS}"
