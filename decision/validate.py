"""Check checklist files, given as paths or the shipped ones, and collect every problem of all of
them: what `python -m decision validate` reports, and what the site build shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import DefinitionError, Problem
from .loader import checklist_ids, load_checklist, parse_checklist

__all__ = ["Report", "validate_paths", "validate_shipped"]


@dataclass(frozen=True)
class Report:
    files: tuple[str, ...]
    """Every file checked, as named in the problems."""
    problems: tuple[Problem, ...]

    @property
    def summary(self) -> str:
        """One line: how many files, how many problems in how many of them."""
        files = f"{len(self.files)} checklist file{'s' if len(self.files) != 1 else ''}"
        if not self.problems:
            return f"{files} checked: no problems"
        broken = len({p.file for p in self.problems})
        count = len(self.problems)
        return f"{count} problem{'s' if count != 1 else ''} in {broken} of {files}"


def validate_shipped() -> Report:
    """Every checklist shipped in the package (decision/checklists/*.toml)."""
    files, problems = [], []
    for checklist_id in checklist_ids():
        files.append(f"decision/checklists/{checklist_id}.toml")
        try:
            load_checklist(checklist_id)
        except DefinitionError as error:
            problems.extend(error.problems)
    return Report(tuple(files), tuple(problems))


def validate_paths(paths: Iterable[str]) -> Report:
    """Files as given on a command line (a folder stands for the .toml files in it). A path that
    cannot be read is a problem of its own, not an exception."""
    files: list[str] = []
    problems: list[Problem] = []
    for given in paths:
        for source in _expand(given, problems):
            files.append(source)
            try:
                parse_checklist(Path(source).read_bytes(), source)
            except OSError as error:
                problems.append(Problem(source, "", f"cannot be read: {error.strerror or error}"))
            except DefinitionError as error:
                problems.extend(error.problems)
    return Report(tuple(files), tuple(problems))


def _expand(given: str, problems: list[Problem]) -> list[str]:
    folder = Path(given)
    if not folder.is_dir():
        return [given]
    found = sorted(str(folder / p.name) for p in folder.iterdir() if p.name.endswith(".toml"))
    if not found:
        problems.append(Problem(given, "", "is a folder with no .toml files in it"))
    return found
