"""The share-link codec: a readable fragment, a round trip, and tolerance of anything."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import decision
from tests.rules import QUESTIONS

CHECKLIST = decision.load_checklist("fine-tuning")
answer_sets = st.fixed_dictionaries({}, optional={q: st.sampled_from(opts) for q, opts in QUESTIONS.items()})


def test_fragment_is_readable_and_in_question_order(fine_tuning: decision.Checklist) -> None:
    assert decision.encode_answers(fine_tuning, {"style": "no", "knowledge": "changing"}) == "knowledge=changing&style=no"


@pytest.mark.parametrize(
    "link",
    [
        "https://example.org/guides/decide/checklist/#knowledge=changing&style=no",
        "#knowledge=changing&style=no",
        "knowledge=changing&style=no",
        "knowledge=changing;style=no",
        "#knowledge=chan%67ing&style=no",
    ],
)
def test_decodes_links_fragments_and_bare_fragments(fine_tuning: decision.Checklist, link: str) -> None:
    decoded = decision.decode_answers(fine_tuning, link)
    assert decoded.answers == {"knowledge": "changing", "style": "no"} and decoded.dropped == ()


DROPS = [
    ("colour=blue", "unknown-question"),
    ("style=maybe", "unknown-option"),
    ("style", "malformed"),
    ("=yes", "malformed"),
    ("style=%zz", "unknown-option"),
    ("<script>alert(1)</script>=yes", "unknown-question"),
]


@pytest.mark.parametrize(("part", "reason"), DROPS)
def test_bad_parts_are_dropped_and_reported_good_parts_kept(fine_tuning: decision.Checklist, part: str, reason: str) -> None:
    decoded = decision.decode_answers(fine_tuning, f"#task=yes&{part}&metric=no")
    assert decoded.answers == {"task": "yes", "metric": "no"}
    assert [d.reason for d in decoded.dropped] == [reason]


def test_first_of_repeated_answers_counts(fine_tuning: decision.Checklist) -> None:
    decoded = decision.decode_answers(fine_tuning, "#style=no&style=yes")
    assert decoded.answers == {"style": "no"} and decoded.dropped[0].reason == "repeated"


def test_a_huge_fragment_is_cut_short_not_fatal(fine_tuning: decision.Checklist) -> None:
    decoded = decision.decode_answers(fine_tuning, "#task=yes&" + "x=1&" * 5000)
    assert decoded.answers == {"task": "yes"}
    assert decoded.dropped[0].reason == "too-many" and len(decoded.dropped) == decision.share.MAX_PARTS
    assert all(len(d.part) <= 60 for d in decoded.dropped)


def test_a_url_without_fragment_has_no_answers(fine_tuning: decision.Checklist) -> None:
    assert decision.decode_answers(fine_tuning, "https://example.org/checklist/?style=yes").answers == {}


@given(answer_sets)
def test_encode_then_decode_is_the_identity(answers: dict[str, str]) -> None:
    checklist = CHECKLIST
    fragment = decision.encode_answers(checklist, answers)
    decoded = decision.decode_answers(checklist, "#" + fragment)
    assert decoded.answers == answers and decoded.dropped == ()


@settings(max_examples=500)
@given(st.text())
def test_any_text_decodes_without_an_exception(link: str) -> None:
    checklist = CHECKLIST
    decoded = decision.decode_answers(checklist, link)
    assert decision.valid_answers(checklist, decoded.answers) == decoded.answers


@settings(max_examples=500)
@given(st.lists(st.tuples(st.sampled_from([*QUESTIONS, "x", ""]), st.text(max_size=12)), max_size=12))
def test_any_pairs_decode_to_valid_answers_only(pairs: list[tuple[str, str]]) -> None:
    checklist = CHECKLIST
    decoded = decision.decode_answers(checklist, "#" + "&".join(f"{k}={v}" for k, v in pairs))
    assert all(v in QUESTIONS[k] for k, v in decoded.answers.items())


# Link-shaped text: real ids, separators, percent signs, HTML and any other characters.
_pieces = st.one_of(
    st.sampled_from([*QUESTIONS, *{o for opts in QUESTIONS.values() for o in opts}, "=", "&", ";", "#", "%", "%2", "%zz", "%3D", "%26",
                     "<script>", "</b>", '"', "'", "javascript:", "\u202e", "\x00", "https://example.org/checklist/"]),
    st.text(max_size=8),
)  # fmt: skip
link_text = st.lists(_pieces, max_size=40).map("".join)


@settings(max_examples=10_000, deadline=None)
@given(link_text)
def test_fuzz_any_link_decodes_to_valid_answers_and_short_readable_reports(link: str) -> None:
    checklist = CHECKLIST
    decoded = decision.decode_answers(checklist, link)
    assert decision.valid_answers(checklist, decoded.answers) == decoded.answers
    assert all(len(d.part) <= 60 and d.part.isprintable() for d in decoded.dropped)
    again = decision.decode_answers(checklist, "#" + decision.encode_answers(checklist, decoded.answers))
    assert again.answers == decoded.answers and again.dropped == ()
