"""The share-link codec: answers <-> URL fragment (`knowledge=changing&style=no`).

Decoding is tolerant: whatever it cannot use is dropped and reported, never raised. It is the one
set of rules that reads a link, in every consumer: the CLI (`--link`), the page (its worker calls
`decode_json`) and the tests (`tests/share_links.toml`, a corpus of mangled links and what they mean).

Links reach readers through mail clients, chat apps and documents that change them. What a person
would still read as an answer is repaired and used (not reported: the canonical link the reader
ends up with shows it); what cannot be used is dropped and reported. The repairs, in order:

1. the whole link is trimmed; HTML-escaped `&amp;`/`&#38;` and `&#35;` (from HTML mail) are undone;
2. the fragment starts after the first `#`, or after a `%23` (`#` percent-encoded, also twice as
   `%2523`) when there is no `#`; a URL with neither has no fragment, and text that is not a URL
   (`knowledge=changing`) is a bare fragment;
3. the fragment is percent-decoded until it no longer changes (at most three times), so a fully
   re-encoded fragment (`knowledge%3Dchanging%26style%3Dyes`) reads as the plain one;
4. leading `#`, `!`, `?`, `/` (`##…`, `#!…`, `#?…`, `#/…`) are skipped;
5. parts are separated by `&`, `;` or `?` (a `?utm_source=…` tail glued onto the fragment is
   a part of its own, reported as not an answer);
6. in each key and value, whitespace of any kind (also no-break and zero-width spaces, from
   `%20`, `%0A`, `%09`, a line wrapped by a mail client) is removed, leading and trailing `+` and
   prose punctuation (`.` `,` `:` `;` `!` `)` `]` `>` `'` `"`, typographic quotes, Markdown's `*`,
   `_`, `` ` ``, `/`) are stripped, and the result is lower-cased: ids are lower-case slugs
   (`decision.spec.SLUG_PATTERN`), so none of this can turn one valid id into another;
7. a value written `3D<option>` (quoted-printable mail encodes `=` as `=3D`) is read as `<option>`.

A fragment that is one word without `=` and is not a question id (`#how-it-decides`, `#fn:1`) is an
in-page anchor, not answers: `DecodedLink.anchor` is true and nothing is reported as dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import quote, unquote

from .engine import valid_answers
from .model import Checklist

__all__ = ["MAX_PARTS", "DecodedLink", "Dropped", "DropReason", "decode_answers", "encode_answers"]

DropReason = Literal["malformed", "unknown-question", "unknown-option", "repeated", "too-many"]
MAX_PARTS = 200
"""Parts of a fragment looked at; the rest are dropped in one go (a link is never that long)."""
_SHOWN = 60
_DECODE_ROUNDS = 3

_ENTITIES = re.compile(r"&(?:(?P<amp>amp|#0*38|#x0*26)|(?P<hash>num|#0*35|#x0*23));", re.IGNORECASE)
_FRAGMENT_MARK = re.compile(r"#|%(?:25)*23", re.IGNORECASE)
_LEADING_MARKS = "#!?/"
_SEPARATORS = re.compile(r"[&;?]")
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_EDGE = "+.,:;!?'\"()[]{}<>`*_/\\\u201c\u201d\u2018\u2019\u00ab\u00bb"
_QUOTED_PRINTABLE_EQUALS = "3d"


@dataclass(frozen=True)
class Dropped:
    """A part of a link that was not used, shortened for display, with the reason why."""

    part: str
    reason: DropReason


@dataclass(frozen=True)
class DecodedLink:
    """What a link means: valid answers in question order, the parts not used, and whether the
    fragment is an in-page anchor (one word, no `=`, not a question id) rather than answers."""

    answers: dict[str, str]
    dropped: tuple[Dropped, ...]
    anchor: bool = False


def encode_answers(checklist: Checklist, answers: Mapping[str, str]) -> str:
    """The fragment (without '#') for the valid answers, in question order."""
    return "&".join(_pair(q, o) for q, o in valid_answers(checklist, answers).items())


@lru_cache(maxsize=4096)
def _pair(question_id: str, option_id: str) -> str:
    # one `question=option` part, percent-encoded; kept, since the same ids come back on every answer
    return f"{quote(question_id, safe='-')}={quote(option_id, safe='-')}"


def decode_answers(checklist: Checklist, link: str) -> DecodedLink:
    """Answers from a share link, a '#fragment' or a bare fragment, repaired as the module's
    docstring lists (the rules, in order); never raises. Shapes: `answers` maps question id to
    option id; each `Dropped.part` is at most 60 printable characters."""
    fragment = _fragment(link)
    answers: dict[str, str] = {}
    dropped: list[Dropped] = []
    parts = [p for p in _SEPARATORS.split(fragment) if _clean(p)]
    if len(parts) == 1 and "=" not in parts[0] and checklist.question(_clean(parts[0])) is None:
        return DecodedLink({}, (), anchor=True)
    if len(parts) > MAX_PARTS:
        dropped.append(Dropped(f"{len(parts) - MAX_PARTS} more parts", "too-many"))
        parts = parts[:MAX_PARTS]
    for part in parts:
        key, equals, value = part.partition("=")
        question_id, option_id = _clean(key), _clean(value)
        question = checklist.question(question_id)
        if question is not None and question.option(option_id) is None and option_id.startswith(_QUOTED_PRINTABLE_EQUALS):
            unwrapped = option_id[len(_QUOTED_PRINTABLE_EQUALS) :]
            option_id = unwrapped if question.option(unwrapped) is not None else option_id
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
            dropped.append(Dropped(_shorten(part.strip()), reason))
    return DecodedLink(valid_answers(checklist, answers), tuple(dropped))


def _fragment(link: str) -> str:
    """The fragment of a link, percent-decoded, HTML entities undone, leading marks skipped."""
    text = _unescape(link.strip())
    mark = _FRAGMENT_MARK.search(text)
    if mark is not None:
        fragment = text[mark.end() :]
    elif "://" in text or text.startswith(("/", ".")):
        return ""
    else:
        fragment = text
    for _ in range(_DECODE_ROUNDS):
        decoded = _unescape(unquote(fragment))
        if decoded == fragment:
            break
        fragment = decoded
    return fragment.lstrip(_LEADING_MARKS + " \t\r\n")


def _unescape(text: str) -> str:
    return _ENTITIES.sub(lambda m: "&" if m.group("amp") else "#", text)


def _clean(text: str) -> str:
    """A key or value as a person reads it: no whitespace, no prose punctuation around it, lower case."""
    return _SPACE.sub("", text).strip(_EDGE).lower()


def _shorten(text: str) -> str:
    printable = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)
    return printable if len(printable) <= _SHOWN else printable[: _SHOWN - 1] + "\N{HORIZONTAL ELLIPSIS}"
