"""Checklist definitions: every shipped one loads; each class of mistake names file and key."""

from __future__ import annotations

import pytest

import decision

pytestmark = pytest.mark.any_checklists  # the format, and whichever checklists are shipped

SOURCE = "checklists/demo.toml"

VALID = '''
id = "demo"
title = "Demo"
description = "A small checklist."
page = "demo.md"

[[questions]]
id = "size"
title = "Size"
text = "How big is it?"
guide = "learn/size.md#size"
options = [{ id = "small", label = "Small" }, { id = "large", label = "Large" }]

[[criteria]]
id = "big"
title = "It is big"
guide = "learn/size.md"
when = { question = "size", in = ["large"] }

[[outcomes]]
id = "grow"
title = "Grow"
summary = "Grow it."
guide = "guidance/grow.md"
when = { criterion = "big" }

[[outcomes]]
id = "wait"
title = "Wait"
summary = "Wait."
guide = "guidance/wait.md"

[[caveats]]
id = "careful"
title = "Careful"
summary = "Be careful."
guide = "guidance/grow.md#careful"
when = { not = { criterion = "big" } }
'''

# (class of mistake, text replaced, replacement, expected key, words in the message)
MISTAKES = [
    ("malformed file", 'title = "Demo"', 'title = "Demo', "", "not valid TOML"),
    ("unknown key, with a suggestion", 'summary = "Grow it."', 'sumary = "Grow it."', "outcomes[0] (grow).sumary", "did you mean 'summary'"),
    ("missing text", 'title = "Size"\n', "", "questions[0] (size).title", "is missing"),
    ("empty text", 'summary = "Wait."', 'summary = "  "', "outcomes[1] (wait).summary", "non-empty string"),
    ("missing guide link", 'guide = "guidance/grow.md#careful"\n', "", "caveats[0] (careful).guide", "is missing"),
    ("malformed guide link", 'guide = "guidance/wait.md"', 'guide = "https://example.org/wait"', "outcomes[1] (wait).guide", "docs page path"),
    ("duplicate id", 'id = "wait"', 'id = "grow"', "outcomes[1] (grow).id", "duplicate id 'grow': outcomes[0] (grow) already has it"),
    ("duplicate option id", '{ id = "large"', '{ id = "small"', "questions[0] (size).options[1] (small).id", "duplicate id 'small'"),
    ("id not a slug", 'id = "careful"', 'id = "Be Careful"', "caveats[0] (Be Careful).id", "not a slug"),
    ("id differs from the file name", 'id = "demo"', 'id = "other"', "id", "must equal the file name 'demo'"),
    ("rule names a missing question", 'question = "size"', 'question = "sise"', "criteria[0] (big).when.question", "unknown question 'sise' (did you mean 'size'?)"),
    ("rule names a missing option", 'in = ["large"]', 'in = ["huge"]', "criteria[0] (big).when.in[0]", "no option 'huge'"),
    ("rule names a missing criterion", '{ criterion = "big" }\n\n[[outcomes]]', '{ criterion = "bigg" }\n\n[[outcomes]]', "outcomes[0] (grow).when.criterion", "unknown criterion 'bigg'"),
    ("malformed condition", 'when = { not = { criterion = "big" } }', 'when = { question = "size" }', "caveats[0] (careful).when", "exactly one form"),
    ("at_least out of range", 'when = { question = "size", in = ["large"] }', 'when = { at_least = 3, of = [{ question = "size", in = ["large"] }] }', "criteria[0] (big).when.at_least", "from 1 to 1"),
    ("default outcome with a rule", 'guide = "guidance/wait.md"', 'guide = "guidance/wait.md"\nwhen = { criterion = "big" }', "outcomes[1] (wait).when", "must not have a 'when'"),
    ("outcome without a rule", 'when = { criterion = "big" }\n\n[[outcomes]]', '\n[[outcomes]]', "outcomes[0] (grow).when", "is missing"),
    ("criterion refers to itself", 'when = { question = "size", in = ["large"] }', 'when = { criterion = "big" }', "criteria[0] (big).when", "refers to itself"),
    ("question with one option", ', { id = "large", label = "Large" }', "", "questions[0] (size).options", "at least two options"),
    ("question without options", 'options = [{ id = "small", label = "Small" }, { id = "large", label = "Large" }]', "", "questions[0] (size).options", "is missing"),
]


def test_the_valid_fixture_loads() -> None:
    checklist = decision.parse_checklist(VALID, SOURCE)
    assert checklist.id == "demo" and [o.id for o in checklist.outcomes] == ["grow", "wait"]


@pytest.mark.parametrize(("kind", "old", "new", "key", "words"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_names_file_and_key(kind: str, old: str, new: str, key: str, words: str) -> None:
    assert old in VALID, "the fixture no longer contains the text this case replaces"
    with pytest.raises(decision.DefinitionError) as raised:
        decision.parse_checklist(VALID.replace(old, new, 1), SOURCE)
    problems = raised.value.problems
    assert any(p.file == SOURCE and p.key == key and words in p.message for p in problems), "\n".join(map(str, problems))
    assert str(raised.value).startswith(SOURCE + ":")


def test_every_problem_is_reported_at_once() -> None:
    broken = VALID.replace('title = "Size"', 'titel = "Size"').replace('in = ["large"]', 'in = ["huge"]').replace('id = "wait"', 'id = "grow"')
    with pytest.raises(decision.DefinitionError) as raised:
        decision.parse_checklist(broken, SOURCE)
    keys = {p.key for p in raised.value.problems}
    assert {"questions[0] (size).titel", "questions[0] (size).title", "criteria[0] (big).when.in[0]", "outcomes[1] (grow).id"} <= keys


def test_a_duplicate_option_says_where_the_first_is_and_does_not_leak() -> None:
    broken = VALID.replace('{ id = "large"', '{ id = "small"').replace('in = ["large"]', 'in = ["huge"]')
    with pytest.raises(decision.DefinitionError) as raised:
        decision.parse_checklist(broken, SOURCE)
    assert [str(p) for p in raised.value.problems] == [
        f"{SOURCE}: questions[0] (size).options[1] (small).id: duplicate id 'small': questions[0] (size).options[0] (small) already has it",
        f"{SOURCE}: criteria[0] (big).when.in[0]: question 'size' has no option 'huge'; valid: small",
    ]


def test_an_unknown_tone_names_the_valid_ones_and_the_nearest() -> None:
    with pytest.raises(decision.DefinitionError) as raised:
        decision.parse_checklist(VALID.replace('guide = "guidance/wait.md"', 'guide = "guidance/wait.md"\ntone = "warn"'), SOURCE)
    assert str(raised.value) == f"{SOURCE}: outcomes[1] (wait).tone: unknown tone 'warn' (did you mean 'warning'?); valid: success, info, warning"


def test_tone_defaults_to_info() -> None:
    from decision.spec import DEFAULT_TONE, TONES

    assert DEFAULT_TONE == "info" in TONES
    assert {o.tone for o in decision.parse_checklist(VALID, SOURCE).outcomes} == {"info"}


@pytest.mark.parametrize("checklist_id", decision.checklist_ids())
def test_every_shipped_checklist_is_valid(checklist_id: str) -> None:
    checklist = decision.load_checklist(checklist_id)
    assert checklist.id == checklist_id and checklist.questions and checklist.outcomes


def test_unknown_checklist_lists_the_valid_ones() -> None:
    with pytest.raises(decision.UnknownChecklistError, match=f"; valid: {', '.join(decision.checklist_ids())}$"):
        decision.load_checklist("nope")


@pytest.mark.parametrize(
    ("added", "message"),
    [
        ('also = "guidance/next.md"', "outcomes[1] (wait).also_text: is missing: the words of the 'also' link (e.g. 'Where you can fine-tune today')"),
        ('also_text = "Next"', "outcomes[1] (wait).also: is missing: 'also_text' names a link, 'also' is the page it leads to"),
        ('also = "next"\nalso_text = "Next"', "outcomes[1] (wait).also: 'next' must be a docs page path like 'learn/rag.md' or 'learn/rag.md#anchor'"),
    ],
)
def test_an_also_link_needs_its_page_and_its_words(added: str, message: str) -> None:
    # issue 13: an outcome may point to a second page (the fine-tuning outcomes to where-to-fine-tune/)
    with pytest.raises(decision.DefinitionError) as raised:
        decision.parse_checklist(VALID.replace('guide = "guidance/wait.md"', f'guide = "guidance/wait.md"\n{added}'), SOURCE)
    assert str(raised.value) == f"{SOURCE}: {message}"


def test_an_also_link_is_read() -> None:
    checklist = decision.parse_checklist(VALID.replace('guide = "guidance/wait.md"', 'guide = "guidance/wait.md"\nalso = "guidance/next.md#now"\nalso_text = "Next"'), SOURCE)
    assert [(o.also, o.also_text) for o in checklist.outcomes] == [("", ""), ("guidance/next.md#now", "Next")]
