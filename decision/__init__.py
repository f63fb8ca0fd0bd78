"""Decide between prompting, RAG and fine-tuning: checklists as data, a pure evaluator that
explains itself, and a tolerant share-link codec. Standard library only (CPython 3.11+, Pyodide)."""

from __future__ import annotations

from .engine import Assessment, AssessmentDict, CriterionResult, evaluate, referenced_criteria, valid_answers
from .errors import ChecklistError, DefinitionError, Problem, UnknownChecklistError
from .loader import checklist_ids, load_all, load_checklist, parse_checklist
from .model import Checklist, Question
from .share import DecodedLink, Dropped, decode_answers, encode_answers

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "AssessmentDict",
    "Checklist",
    "ChecklistError",
    "CriterionResult",
    "DecodedLink",
    "DefinitionError",
    "Dropped",
    "Problem",
    "Question",
    "UnknownChecklistError",
    "checklist_ids",
    "decode_answers",
    "encode_answers",
    "evaluate",
    "load_all",
    "load_checklist",
    "parse_checklist",
    "referenced_criteria",
    "valid_answers",
]
