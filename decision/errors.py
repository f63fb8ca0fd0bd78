"""The one error family of the decision package: every definition mistake names its file and key."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["ChecklistError", "DefinitionError", "Problem", "UnknownChecklistError", "did_you_mean", "nearest", "table_key"]


class ChecklistError(Exception):
    """Base class for every error the decision package raises."""


@dataclass(frozen=True)
class Problem:
    """One mistake in a checklist definition: where it is, and what is wrong."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}" if self.key else f"{self.file}: {self.message}"


class DefinitionError(ChecklistError, ValueError):
    """A checklist definition is invalid. Carries *every* problem found, not only the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownChecklistError(ChecklistError, LookupError):
    """No checklist has the requested id."""

    def __init__(self, checklist_id: str, known: Iterable[str]) -> None:
        self.checklist_id = checklist_id
        self.known = tuple(known)
        super().__init__(f"unknown checklist {checklist_id!r}{did_you_mean(checklist_id, self.known) if self.known else '; valid: (none)'}")


def nearest(word: str, choices: Sequence[str]) -> str | None:
    """The choice closest to `word` (difflib's ratio of at least 0.6), or None when none is close."""
    close = difflib.get_close_matches(word, list(dict.fromkeys(choices)), n=1)
    return close[0] if close else None


def did_you_mean(word: str, choices: Sequence[str], *, prefix: str = "") -> str:
    """The tail every message about a wrong name ends with: ` (did you mean 'x'?); valid: a, b`.
    Choices are listed once each, in their order; `prefix` goes before each name (e.g. '#')."""
    unique = list(dict.fromkeys(choices))
    close = nearest(word, unique)
    hint = f" (did you mean '{prefix}{close}'?)" if close else ""
    return f"{hint}; valid: {', '.join(prefix + c for c in unique)}" if unique else hint


def table_key(kind: str, index: int, item_id: object = None) -> str:
    """How messages name an item of an array of tables: `questions[1] (change)`, so that the
    author need not count tables (the id is left out while it is not a usable string)."""
    return f"{kind}[{index}] ({item_id})" if isinstance(item_id, str) and item_id.strip() else f"{kind}[{index}]"
