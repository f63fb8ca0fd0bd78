"""The one error family of the decision package: every definition mistake names its file and key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["ChecklistError", "DefinitionError", "Problem", "UnknownChecklistError"]


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
        super().__init__(f"unknown checklist {checklist_id!r}; valid: {', '.join(self.known) or '(none)'}")
