"""The very wheel the site ships, inside real Pyodide under Node: same answers, same results."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

import decision
from tests.sitekit import ROOT
from tests.rules import QUESTIONS, every_complete_answer_set

pytestmark = pytest.mark.pyodide

LINKS = [
    "#knowledge=changing&style=no",
    "https://example.org/guides/decide/checklist/#style=yes&format=maybe&x=1",
    "#%zz&&=&style=%79es&<b>x</b>=1",
    "#" + "task=yes&" * 300,
    "#knowledge=st\u00e4ble&prompting=not-tried;metric=yes",
]


def corpus() -> list[dict[str, object]]:
    rng = random.Random(20261125)
    complete = list(every_complete_answer_set())
    cases: list[dict[str, object]] = [{"checklist": "fine-tuning", "answers": a} for a in complete]
    for _ in range(300):  # partial answer sets
        cases.append({"checklist": "fine-tuning", "answers": {q: rng.choice(o) for q, o in QUESTIONS.items() if rng.random() < 0.6}})
    for checklist_id in decision.checklist_ids():
        checklist = decision.load_checklist(checklist_id)
        for _ in range(50):
            answers = {q.id: rng.choice(q.options).id for q in checklist.questions if rng.random() < 0.8}
            cases.append({"checklist": checklist_id, "answers": answers})
    cases += [{"checklist": "fine-tuning", "link": link} for link in LINKS]
    return cases


def run_cpython(cases: list[dict[str, object]]) -> list[object]:
    results: list[object] = []
    for case in cases:
        checklist = decision.load_checklist(str(case["checklist"]))
        if "link" in case:
            decoded = decision.decode_answers(checklist, str(case["link"]))
            fragment = decision.encode_answers(checklist, decoded.answers)
            results.append({"answers": decoded.answers, "dropped": [[d.part, d.reason] for d in decoded.dropped], "fragment": fragment})
        else:
            results.append(decision.evaluate(checklist, case["answers"]).to_dict())  # type: ignore[arg-type]
    return results


def test_same_results_in_cpython_and_pyodide(built_wheel: Any, tmp_path: Path) -> None:
    """In the pinned Pyodide, with the very wheel and the trimmed stdlib that the site ships."""
    from site_runtime import trimmed_stdlib

    stdlib = trimmed_stdlib(ROOT, built_wheel, tmp_path)
    cases = corpus()
    assert len(cases) > 2600
    process = subprocess.run(
        ["node", str(ROOT / "tests" / "pyodide_run.mjs"), str(built_wheel.path), str(stdlib)],
        input=json.dumps(cases), capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert process.returncode == 0, process.stderr[-3000:]
    pyodide = json.loads(process.stdout)
    assert pyodide["python"].startswith("3.14")
    expected = json.loads(json.dumps(run_cpython(cases), sort_keys=True))
    assert pyodide["results"] == expected
