"""The CLI contract: `python -m decision list | show | evaluate`, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.sitekit import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "decision", *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_list_shows_ids_and_titles() -> None:
    result = run("list")
    assert result.returncode == 0
    assert "fine-tuning\tPrompting, RAG or fine-tuning?" in result.stdout.splitlines()


def test_show_lists_questions_and_options() -> None:
    result = run("show", "fine-tuning")
    assert result.returncode == 0
    assert "[knowledge]" in result.stdout and "over-1000" in result.stdout


def test_evaluate_json_contract() -> None:
    result = run(
        "evaluate", "fine-tuning", "--format", "json",
        "--link", "https://example.org/decide/checklist/#knowledge=changing&style=yes&examples=over-1000&task=yes&metric=yes",
        "--answer", "prompting=not-tried", "--answer", "maintenance=no", "--answer", "format=no", "--answer", "latency=no",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["checklist"] == "fine-tuning"
    assert data["outcome"] == "rag-and-fine-tuning"
    assert data["caveats"] == ["maintenance", "baseline"]
    assert data["missing"] == [] and data["provisional"] is False


def test_later_answers_override_the_link() -> None:
    data = json.loads(run("evaluate", "fine-tuning", "--format", "json", "--link", "#knowledge=changing", "-a", "knowledge=none").stdout)
    assert data["answers"]["knowledge"] == "none" and data["outcome"] == "prompting"


def test_text_report_explains() -> None:
    result = run("evaluate", "fine-tuning", "--answer", "knowledge=stable")
    assert result.returncode == 0
    assert "Outcome: Add retrieval (RAG) [rag] (provisional)" in result.stdout
    assert "[met    ] Retrieval is advised" in result.stdout and "Unanswered" in result.stdout


def test_the_json_fields_are_the_documented_ones() -> None:
    from decision.engine import AnswerTestDict, AssessmentDict

    data = json.loads(run("evaluate", "training-data", "--format", "json", "-a", "rights=unclear").stdout)
    # the assessment's fields, the share link, and what would change the result (issue 14)
    assert set(data) == set(AssessmentDict.__annotations__) | {"link", "what_if"}
    readme = (ROOT / "README.md").read_text()
    assert '"what_if"' in readme and "`what_if_total`" in readme
    for key in [*(k for k in data if k != "what_if"), *AnswerTestDict.__annotations__]:
        assert f"`{key}`" in (AssessmentDict.__doc__ or "") + (AnswerTestDict.__doc__ or "") and f"`{key}`" in readme, key
    assert data["caveat_reasons"]["licensing"]["tests"] == [{"question": "rights", "options": ["unclear", "no"], "met": True}]


def test_the_text_report_names_the_answers_a_rule_tests_directly() -> None:
    result = run("evaluate", "training-data", "-a", "rights=unclear")
    assert "Answers that show the caveat [licensing]:\n  [met    ] Right to use: Not sure or No" in result.stdout


BAD = [
    (("evaluate", "nope"), "unknown checklist 'nope'; valid: ", "fine-tuning"),
    (("show", "nope"), "unknown checklist 'nope'", "fine-tuning"),
    (("evaluate", "fine-tuning", "-a", "colour=blue"), "unknown question 'colour'", "knowledge, style"),
    (("evaluate", "fine-tuning", "-a", "style=maybe"), "unknown option 'maybe' for question 'style'", "valid: yes, no"),
    (("evaluate", "fine-tuning", "-a", "style"), "malformed --answer 'style'", "QUESTION=OPTION"),
    (("evaluate", "fine-tuning", "-a", "style=yse"), "unknown option 'yse' for question 'style' (did you mean 'yes'?)", "valid: yes, no"),
    (("evaluate", "fine-tuning", "--link", "#style=yse&task=yes"), "--link: 'style=yse': question 'style' has no option 'yse' (did you mean 'yes'?)", "valid: yes, no"),
    (("evaluate", "fine-tuning", "--link", "#styel=yes"), "--link: 'styel=yes': the checklist 'fine-tuning' has no question 'styel' (did you mean 'style'?)", "valid: knowledge, style"),
    (("evaluate", "fine-tuning", "--format", "xml"), "invalid choice: 'xml'", "text"),
    (("frobnicate",), "invalid choice: 'frobnicate'", "evaluate"),
    ((), "a command is required", "list"),
]


@pytest.mark.parametrize(("args", "names", "lists"), BAD)
def test_bad_input_exits_2_with_one_line(args: tuple[str, ...], names: str, lists: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and names in lines[0] and lists in lines[0], result.stderr
    assert "Traceback" not in result.stderr


# --- what would change the result, and compare (issue 14) -------------------------------------


def test_evaluate_json_carries_what_if() -> None:
    from decision.whatif import what_if

    result = run("evaluate", "fine-tuning", "--format", "json", "--link", "#style=yes&examples=over-1000")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    checklist = __import__("decision").load_checklist("fine-tuning")
    assert data["what_if"] == what_if(checklist, {"style": "yes", "examples": "over-1000"}).to_json()
    assert list(data["what_if"]) == ["rag-and-fine-tuning", "fine-tuning", "rag"]
    assert data["what_if"]["fine-tuning"] == [[["task", "yes"], ["prompting", "insufficient"]], [["metric", "yes"], ["prompting", "insufficient"]]]
    assert data["what_if"]["rag"] == [[["knowledge", "stable"]], [["knowledge", "changing"]]]
    assert "what_if_total" not in data and "what_if_unsearched" not in data


def test_evaluate_text_says_what_would_change_the_result() -> None:
    result = run("evaluate", "fine-tuning", "-a", "style=yes", "-a", "examples=over-1000")
    assert result.returncode == 0, result.stderr
    text = result.stdout.split("What would change the result:", 1)[1]
    assert "Fine-tune a model [fine-tuning] would become the recommendation with 2 changes, if:" in text
    assert "the task were strictly defined and good prompts had been measured and fell short  (task=yes, prompting=insufficient)" in text
    assert "Add retrieval (RAG) [rag] would become the recommendation with 1 change, if:" in text
    # a checklist without `if` phrases reads from its labels and titles
    other = run("evaluate", "training-data", "-a", "quantity=under-100")
    assert "you answered “" in other.stdout.split("What would change the result:", 1)[1]


def test_compare_two_links_and_a_compare_link() -> None:
    a, b = "#knowledge=none&style=yes&examples=over-1000&task=yes&metric=yes&prompting=insufficient", "knowledge=stable&style=no&examples=over-1000&task=yes&metric=yes&prompting=insufficient&bad=1"
    result = run("compare", "fine-tuning", "--link", a, "--link", b, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["a"]["outcome"], data["b"]["outcome"]) == ("fine-tuning", "rag")
    assert data["differences"] == data["decisive"] == ["knowledge", "style"] and data["a_to_b"] == [["knowledge", "style"]]
    assert "warning: ignored 'b.bad=1' in the link (unknown-question)" in result.stderr
    again = run("compare", "fine-tuning", "--link", "https://example.org/checklist/" + data["link"])
    assert again.returncode == 0 and "Compare link: " + data["link"] in again.stdout
    assert " * knowledge" in again.stdout
    wrong = run("compare", "fine-tuning", "--link", a)
    assert wrong.returncode == 2 and "compare needs two --link" in wrong.stderr


def test_the_what_if_report_counts_what_it_leaves_out_in_the_right_number() -> None:
    from decision import load_checklist
    from decision.cli import _what_if_report
    from decision.whatif import WhatIf

    one, two = (("knowledge", "stable"),), (("style", "yes"), ("examples", "over-1000"))
    changes = WhatIf(
        outcome="prompting", sets={"rag": [one], "fine-tuning": [two], "rag-and-fine-tuning": [two]},
        total={"rag": 2, "fine-tuning": 4, "rag-and-fine-tuning": 1},
        changes={"rag": list(one), "fine-tuning": list(two), "rag-and-fine-tuning": list(two)}, unsearched=(), candidates=0,
    )  # fmt: skip
    text = _what_if_report(load_checklist("fine-tuning"), changes)
    assert "    … and 1 more set of 1 change" in text.splitlines()
    assert "    … and 3 more sets of 2 changes" in text.splitlines()
    assert text.count("more set") == 2


def test_output_cut_short_by_its_reader_is_not_an_error_of_ours() -> None:
    # `python -m decision … | head`: the reader closes the pipe (here before anything is written)
    child = subprocess.Popen([sys.executable, "-m", "decision", "evaluate", "fine-tuning", "-a", "style=yes"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=60) == 1
    assert stderr == "", stderr
