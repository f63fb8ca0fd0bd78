"""Issue 12, items 4 and 5: one set of rules reads a share link. The corpus of mangled links
(tests/share_links.toml) is read by the codec and by the CLI here, and by the page in Chromium in
tests/test_links_browser.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import decision
from decision.jsonapi import decode_json
from tests.share_corpus import CASES, KINDS, Case
from tests.sitekit import ROOT

CHECKLIST = decision.load_checklist("fine-tuning")


def test_the_corpus_holds_every_kind_of_the_issue() -> None:
    assert {case.kind for case in CASES} == KINDS
    assert len(CASES) >= 50
    for case in CASES:  # each case means valid answers, and its dropped parts have real reasons
        assert decision.valid_answers(CHECKLIST, case.answers) == case.answers, case.id
        assert all(reason in decision.share.DropReason.__args__ for _, reason in case.dropped), case.id


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_codec_reads_the_corpus(case: Case) -> None:
    decoded = decision.decode_answers(CHECKLIST, case.link)
    assert decoded.answers == case.answers
    assert [(d.part, d.reason) for d in decoded.dropped] == case.dropped
    assert decoded.anchor is case.anchor
    if case.outcome:
        assert decision.evaluate(CHECKLIST, decoded.answers).outcome == case.outcome
    # the canonical link of what was read reads back as exactly that, with nothing dropped
    again = decision.decode_answers(CHECKLIST, "#" + decision.encode_answers(CHECKLIST, decoded.answers))
    assert again.answers == case.answers and again.dropped == () and not again.anchor


def test_worker_api_reads_the_corpus_as_the_codec_does() -> None:
    for case in CASES:
        decoded = json.loads(decode_json("fine-tuning", case.link))
        assert decoded == {"answers": case.answers, "dropped": [{"part": p, "reason": r} for p, r in case.dropped], "anchor": case.anchor}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_cli_reads_the_corpus(case: Case) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "decision", "evaluate", "fine-tuning", "--link", case.link, "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    if case.dropped:
        # A link given on the command line on purpose: a part it cannot use is an error (exit 2),
        # one line per part, naming the part as the codec reports it (issue 18, item 5).
        assert result.returncode == 2, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == len(case.dropped), result.stderr
        for line, (part, _reason) in zip(lines, case.dropped, strict=True):
            assert line.startswith(f"error: --link: {part!r}: "), line
        return
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answers"] == case.answers
    assert data["link"] == "#" + decision.encode_answers(CHECKLIST, case.answers)
    if case.outcome:
        assert data["outcome"] == case.outcome
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("fragment", "problems"),
    [
        ("knowledge=changing&style=no", []),
        ("knowledge=Changing&style=no", ["write it as the page writes it: #knowledge=changing&style=no"]),
        ("style=no&knowledge=changing", ["write it as the page writes it: #knowledge=changing&style=no"]),
        ("knowledge=changing&style=perhaps", ["'style=perhaps': question 'style' has no option 'perhaps'; valid: yes, no"]),
    ],
)
def test_a_share_link_written_by_an_author_must_be_canonical(fragment: str, problems: list[str]) -> None:
    # A reader's mangled link is repaired; an author's link in a page must be exact (build error).
    from checklist_render import share_link_problems

    assert share_link_problems(CHECKLIST, fragment) == problems
