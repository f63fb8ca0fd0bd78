"""Check checklist files, given as paths or the shipped ones, and collect every problem of all of
them: what `python -m decision validate` reports, and what the site build shows. In a checkout of
the project, their links into docs/ and the share links written in its pages are checked too,
with the build's messages (docs_links.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .docs_links import docs_problems, read_docs
from .errors import DefinitionError, Problem
from .loader import checklist_ids, load_checklist, parse_checklist
from .model import Checklist

__all__ = ["PROJECT_DOCS", "Report", "validate_paths", "validate_shipped"]

PROJECT_DOCS = Path(__file__).resolve().parent.parent / "docs"
"""docs/ beside the package in a checkout of the project (absent when installed from a wheel)."""


@dataclass(frozen=True)
class Report:
    files: tuple[str, ...]
    """Every file checked, as named in the problems."""
    problems: tuple[Problem, ...]
    pages: int = 0
    """How many docs pages the links were checked against (0: no docs/ to check against)."""

    @property
    def summary(self) -> str:
        """One line: how many files, how many problems in how many of them."""
        files = f"{len(self.files)} checklist file{'s' if len(self.files) != 1 else ''}"
        if not self.problems:
            links = f" and {'its' if len(self.files) == 1 else 'their'} links into docs/" if self.pages else ""
            return f"{files}{links} checked: no problems"
        broken = len({p.file for p in self.problems if p.file in self.files})
        count = len(self.problems)
        pages = len({p.file for p in self.problems if p.file not in self.files})
        in_pages = f", and in {pages} docs page{'s' if pages != 1 else ''}" if pages else ""
        return f"{count} problem{'s' if count != 1 else ''} in {broken} of {files}{in_pages}"


def validate_shipped(docs: Path | None = PROJECT_DOCS) -> Report:
    """Every checklist shipped in the package (decision/checklists/*.toml), and (when `docs` is
    a folder) their links into it and the share links in its pages."""
    files, problems, checklists = [], [], {}
    for checklist_id in checklist_ids():
        files.append(f"decision/checklists/{checklist_id}.toml")
        try:
            checklists[checklist_id] = load_checklist(checklist_id)
        except DefinitionError as error:
            problems.extend(error.problems)
    return _with_docs(Report(tuple(files), tuple(problems)), checklists, docs)


def validate_paths(paths: Iterable[str], docs: Path | None = PROJECT_DOCS) -> Report:
    """Files as given on a command line (a folder stands for the .toml files in it). A path that
    cannot be read is a problem of its own, not an exception. When `docs` is a folder, the links
    of the valid files of its project into it, and the share links in its pages to those
    checklists, are checked (a file outside the project is checked on its own)."""
    files: list[str] = []
    problems: list[Problem] = []
    checklists: dict[str, Checklist] = {}
    for given in paths:
        for source in _expand(given, problems):
            files.append(source)
            try:
                checklist = parse_checklist(Path(source).read_bytes(), source)
                if docs is not None and Path(source).resolve().is_relative_to(docs.resolve().parent):
                    checklists.setdefault(checklist.id, checklist)  # a file of this project: its links too
            except OSError as error:
                problems.append(Problem(source, "", f"cannot be read: {error.strerror or error}"))
            except DefinitionError as error:
                problems.extend(error.problems)
    return _with_docs(Report(tuple(files), tuple(problems)), checklists, docs)


def _with_docs(report: Report, checklists: dict[str, Checklist], docs: Path | None) -> Report:
    if docs is None or not docs.is_dir() or not checklists:
        return report
    pages = read_docs(docs)
    return Report(report.files, report.problems + tuple(docs_problems(checklists, pages)), len(pages))


def _expand(given: str, problems: list[Problem]) -> list[str]:
    folder = Path(given)
    if not folder.is_dir():
        return [given]
    found = sorted(str(folder / p.name) for p in folder.iterdir() if p.name.endswith(".toml"))
    if not found:
        problems.append(Problem(given, "", "is a folder with no .toml files in it"))
    return found
