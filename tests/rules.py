"""DOMAIN.md's rules for the `fine-tuning` checklist, written out independently of the TOML
definition: the oracle the engine (in CPython and in Pyodide) is checked against."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping

QUESTIONS: dict[str, tuple[str, ...]] = {
    "knowledge": ("none", "stable", "changing"),
    "style": ("yes", "no"),
    "format": ("yes", "no"),
    "latency": ("yes", "no"),
    "examples": ("none", "under-100", "100-1000", "over-1000"),
    "task": ("yes", "no"),
    "metric": ("yes", "no"),
    "prompting": ("not-tried", "good-enough", "insufficient"),
    "maintenance": ("yes", "no"),
}


def expected(answers: Mapping[str, str]) -> tuple[str, list[str]]:
    """(outcome id, caveat ids) per DOMAIN.md. Unanswered questions count as not met."""
    a = answers.get
    readiness = sum([a("examples") == "over-1000", a("task") == "yes", a("metric") == "yes", a("prompting") == "insufficient"])
    adds_value = "yes" in (a("style"), a("format"), a("latency"))
    fine_tuning = readiness >= 3 and adds_value and a("prompting") in ("not-tried", "insufficient")
    rag = a("knowledge") in ("stable", "changing")
    outcome = "rag-and-fine-tuning" if fine_tuning and rag else "fine-tuning" if fine_tuning else "rag" if rag else "prompting"
    caveats = []
    if fine_tuning and a("maintenance") == "no":
        caveats.append("maintenance")
    if fine_tuning and a("prompting") == "not-tried":
        caveats.append("baseline")
    if adds_value and readiness < 3 and a("prompting") != "good-enough":
        caveats.append("not-first-step")
    return outcome, caveats


def every_complete_answer_set() -> Iterator[dict[str, str]]:
    for combo in itertools.product(*QUESTIONS.values()):
        yield dict(zip(QUESTIONS, combo))
