"""Authoring tools: `validate`, `new`, the JSON Schema (generated from the engine's own description
of the format), the rules drawn as a diagram, and the authors' walk-through, followed for real."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import decision
from decision.model import All, Any as AnyOf, AtLeast, Condition, Not, OneOf, Ref
from decision.schema import SCHEMA_FILE, SCHEMA_URL, checklist_schema, schema_text
from decision.spec import TABLES
from tests.sitekit import ROOT, build, copy_project
from tests.test_definitions import MISTAKES, SOURCE, VALID


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`python -m decision …` with `decision` imported from `cwd` (the project or a copy of it)."""
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([sys.executable, "-m", "decision", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=60)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


# --- validate -------------------------------------------------------------------------------

# Five different mistakes in one file: each must be named, in one run.
FIVE_MISTAKES = [
    ('title = "Size"', 'titel = "Size"', "questions[0] (size).titel: unknown key (did you mean 'title'?)"),
    ('{ id = "large", label = "Large" }', '{ id = "Large", label = "Large" }', "questions[0] (size).options[1] (Large).id: 'Large' is not a slug"),
    ('in = ["large"]', 'in = ["huge"]', "criteria[0] (big).when.in[0]: question 'size' has no option 'huge'; valid: small, Large"),
    ('guide = "guidance/wait.md"', 'guide = "https://example.org/wait"', "outcomes[1] (wait).guide: 'https://example.org/wait' must be a docs page path"),
    ('when = { not = { criterion = "big" } }', 'when = { not = { criterion = "bog" } }', "caveats[0] (careful).when.not.criterion: unknown criterion 'bog' (did you mean 'big'?)"),
]


@pytest.mark.any_checklists
def test_validate_without_paths_checks_every_shipped_checklist() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines() == [f"{len(decision.checklist_ids())} checklist files and their links into docs/ checked: no problems"]


def test_validate_reports_every_mistake_of_a_file_in_one_run(tmp_path: Path) -> None:
    text = VALID
    for old, new, _ in FIVE_MISTAKES:
        assert old in text
        text = text.replace(old, new, 1)
    (tmp_path / "demo.toml").write_text(text)
    result = run("validate", "demo.toml", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr == ""
    lines = result.stdout.splitlines()
    for _, _, expected in FIVE_MISTAKES:
        assert any(line.startswith("demo.toml: ") and expected in line for line in lines), (expected, result.stdout)
    assert lines[-1] == f"{len(lines) - 1} problems in 1 of 1 checklist file"


BAD_FILES = [
    # (what, file name, bytes or None for no file, expected line)
    ("missing file", "gone.toml", None, "gone.toml: cannot be read: No such file or directory"),
    ("not UTF-8", "latin.toml", b'title = "caf\xe9"\n', "latin.toml: not UTF-8 text"),
    ("not TOML", "broken.toml", b'title = "x\n', "broken.toml: not valid TOML"),
    ("a folder of nothing", "empty", b"", "empty: is a folder with no .toml files in it"),
]


@pytest.mark.parametrize(("what", "name", "content", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_validate_turns_unreadable_input_into_a_problem_line(tmp_path: Path, what: str, name: str, content: bytes | None, expected: str) -> None:
    if content == b"":
        (tmp_path / name).mkdir()
    elif content is not None:
        (tmp_path / name).write_bytes(content)
    result = run("validate", name, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[0].startswith(expected), result.stdout


def test_validate_takes_a_folder_and_several_paths(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "demo.toml").write_text(VALID)
    (tmp_path / "lists" / "other.toml").write_text(VALID)  # its id is not its file name
    result = run("validate", "lists", str(ROOT / "decision" / "checklists" / "fine-tuning.toml"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "lists/other.toml: id: 'demo' must equal the file name 'other'",
        "1 problem in 1 of 3 checklist files",
    ]


def test_the_build_shows_the_same_report(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    toml = project / "decision" / "checklists" / "training-data.toml"
    toml.write_text(toml.read_text().replace('id = "quantity"', 'id = "Quantity"').replace("at_least = 3", "at_least = 9").replace("guide =", "gide =", 1))
    report = run("validate", cwd=project)
    assert report.returncode == 1
    problems = report.stdout.splitlines()[:-1]
    assert len(problems) >= 3 and all(line.startswith("decision/checklists/training-data.toml: ") for line in problems)
    built = build(project, tmp_path / "site")
    assert built.returncode != 0 and "\n".join(problems) in built.stderr


# --- new ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("authoring") / "project")


def _kinds(condition: Condition) -> set[str]:
    match condition:
        case OneOf():
            return {"question/in"}
        case Ref():
            return {"criterion"}
        case Not(condition=inner):
            return {"not"} | _kinds(inner)
        case All(conditions=parts) | AnyOf(conditions=parts) | AtLeast(conditions=parts):
            name = {All: "all", AnyOf: "any", AtLeast: "at_least/of"}[type(condition)]
            return {name}.union(*(_kinds(p) for p in parts))
    raise TypeError(condition)


def test_new_writes_a_valid_commented_checklist_and_its_page(project: Path) -> None:
    result = run("new", "pilot-check", "--title", 'Is the "pilot" ready?', cwd=project)
    assert result.returncode == 0, result.stderr
    toml = project / "decision" / "checklists" / "pilot-check.toml"
    page = project / "docs" / "pilot-check.md"
    assert result.stdout.startswith("wrote decision/checklists/pilot-check.toml\nwrote docs/pilot-check.md\n")
    assert toml.read_text().startswith("#:schema ../checklist.schema.json\n")
    checklist = decision.parse_checklist(toml.read_bytes(), "decision/checklists/pilot-check.toml")
    assert checklist.title == 'Is the "pilot" ready?' and checklist.page == "pilot-check.md"
    rules = [c.when for c in checklist.criteria] + [o.when for o in checklist.outcomes if o.when] + [c.when for c in checklist.caveats]
    assert set().union(*(_kinds(r) for r in rules)) == {"question/in", "all", "any", "at_least/of", "not", "criterion"}
    text = page.read_text()
    assert "\n<!-- checklist pilot-check -->\n" in text and "\n<!-- checklist-diagram pilot-check -->\n" in text
    assert 'title: "Is the \\"pilot\\" ready?"' in text
    assert run("validate", "decision/checklists/pilot-check.toml", cwd=project).returncode == 0


REFUSALS = [
    # (why, arguments, words in the one line on stderr)
    ("not a slug: capitals and spaces", ["new", "My List"], "'My List' is not a valid id"),
    ("not a slug: underscore", ["new", "my_list"], "'my_list' is not a valid id"),
    ("not a slug: leading hyphen", ["new", "--", "-list"], "'-list' is not a valid id"),
    ("the checklist exists", ["new", "fine-tuning"], "decision/checklists/fine-tuning.toml already exists"),
    ("the page exists", ["new", "faq"], "docs/faq.md already exists"),
    ("an empty title", ["new", "blank", "--title", "  "], "title: must be a non-empty string"),
    ("a title of two lines", ["new", "twolines", "--title", "a\nb"], "the title must be one line"),
]


@pytest.mark.parametrize(("why", "args", "words"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_new_refuses_and_writes_nothing(project: Path, why: str, args: list[str], words: str) -> None:
    before = files_under(project)
    result = run(*args, cwd=project)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], result.stderr
    assert files_under(project) == before


# --- the schema -----------------------------------------------------------------------------


def test_the_committed_schema_is_the_generated_one() -> None:
    assert SCHEMA_FILE.read_text() == schema_text(), "stale: run `python -m decision schema`"


def test_the_schema_command_regenerates_it(tmp_path: Path) -> None:
    result = run("schema", "--output", str(tmp_path / "out.json"))
    assert result.returncode == 0 and (tmp_path / "out.json").read_text() == schema_text()
    assert json.loads(run("schema", "-o", "-").stdout) == checklist_schema()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.mark.any_checklists
@pytest.mark.parametrize("checklist_id", decision.checklist_ids())
def test_every_shipped_checklist_names_the_schema_and_passes_it(validator: jsonschema.Draft7Validator, checklist_id: str) -> None:
    path = ROOT / "decision" / "checklists" / f"{checklist_id}.toml"
    first = path.read_text().splitlines()[0]
    assert first == "#:schema ../checklist.schema.json" and (path.parent / first.split()[1]).resolve() == SCHEMA_FILE
    assert list(validator.iter_errors(tomllib.loads(path.read_text()))) == []


# Mistakes a schema cannot see, and the words of its description that say so.
BEYOND_THE_SCHEMA = {
    "id differs from the file name": "the id equals the file name",
    "duplicate id": "ids are unique among their siblings",
    "duplicate option id": "ids are unique among their siblings",
    "rule names a missing question": "names a question, option or criterion that exists",
    "rule names a missing option": "names a question, option or criterion that exists",
    "rule names a missing criterion": "names a question, option or criterion that exists",
    "at_least out of range": "'at_least' is at most the number of conditions in 'of'",
    "default outcome with a rule": "every outcome but the last has a 'when' and the last has none",
    "outcome without a rule": "every outcome but the last has a 'when' and the last has none",
    "criterion refers to itself": "criteria do not refer to themselves",
}
PARSED_MISTAKES = [m for m in MISTAKES if m[0] != "malformed file"]  # a schema sees data, not text


@pytest.mark.parametrize(("kind", "old", "new"), [m[:3] for m in PARSED_MISTAKES], ids=[m[0] for m in PARSED_MISTAKES])
def test_the_schema_rejects_each_invalid_fixture_or_says_why_it_cannot(validator: jsonschema.Draft7Validator, kind: str, old: str, new: str) -> None:
    data = tomllib.loads(VALID.replace(old, new, 1))
    if kind in BEYOND_THE_SCHEMA:
        assert validator.is_valid(data)
        assert BEYOND_THE_SCHEMA[kind] in validator.schema["description"]
    else:
        assert not validator.is_valid(data)


# Where each table of spec.py sits in the valid fixture, so that one description drives both checks.
PLACES = {"checklist": "", "question": "questions[0]", "option": "questions[0].options[0]", "criterion": "criteria[0]", "outcome": "outcomes[1]", "caveat": "caveats[0]"}
FIELDS = [(table.name, field.key, field.required) for table in TABLES.values() for field in table.fields]


def _toml(value: Any) -> str:
    """Enough of a TOML writer for the fixture: every table inline."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)


def _at(data: dict[str, Any], place: str) -> dict[str, Any]:
    for part in filter(None, place.split(".")):
        name, _, index = part.partition("[")
        data = data[name][int(index.rstrip("]"))]
    return data


def _loader_keys(data: dict[str, Any]) -> dict[str, str]:
    text = "\n".join(f"{k} = {_toml(v)}" for k, v in data.items())
    try:
        decision.parse_checklist(text, SOURCE)
    except decision.DefinitionError as error:
        return {re.sub(r" \([^)]*\)", "", p.key): p.message for p in error.problems}  # keys without the items' ids
    return {}


@pytest.mark.parametrize(("table", "key", "required"), FIELDS, ids=[f"{t}.{k}" for t, k, _ in FIELDS])
def test_loader_and_schema_agree_on_each_key(validator: jsonschema.Draft7Validator, table: str, key: str, required: bool) -> None:
    where = f"{PLACES[table]}.{key}".lstrip(".")
    without = tomllib.loads(VALID)
    _at(without, PLACES[table]).pop(key, None)
    problems = _loader_keys(without)
    assert ("is missing" in problems.get(where, "")) is required, problems
    assert validator.is_valid(without) is not required
    extra = tomllib.loads(VALID)
    _at(extra, PLACES[table])[key + "x"] = "?"
    assert _loader_keys(extra)[where + "x"].startswith("unknown key") and not validator.is_valid(extra)


# --- the diagram ----------------------------------------------------------------------------


LABELS = [
    ("plain", "A strict format", "A strict format"),
    ("quotes", 'The "house" style', "The #quot;house#quot; style"),
    ("hash and angle brackets", "#1 <b>", "#35;1 #lt;b#gt;"),
    ("line breaks", "one\n  two", "one two"),
]


@pytest.mark.parametrize(("what", "text", "label"), LABELS, ids=[x[0] for x in LABELS])
def test_mermaid_labels_are_quoted_safely(what: str, text: str, label: str) -> None:
    from checklist_diagram import mermaid_label

    assert mermaid_label(text) == label


@pytest.mark.any_checklists
@pytest.mark.parametrize("checklist_id", decision.checklist_ids())
def test_the_diagram_draws_every_rule_in_order(checklist_id: str) -> None:
    from checklist_diagram import outcomes_flowchart

    checklist = decision.load_checklist(checklist_id)
    source = outcomes_flowchart(checklist)
    defined = re.findall(r"^  (\w+)[\[({]", source, re.MULTILINE)
    assert len(defined) == len(set(defined)), "a node is drawn twice"
    for left, right in re.findall(r"^  (\w+) -->(?:\|[^|]*\|)? (\w+)$", source, re.MULTILINE):
        assert left in defined and right in defined
    positions = [source.index(f'outcome{i}(["{o.title}"])') for i, o in enumerate(checklist.outcomes, 1)]
    assert positions == sorted(positions)
    rules = [o for o in checklist.outcomes if o.when is not None]
    assert len(re.findall(r"^  rule\d+\{", source, re.MULTILINE)) == len(rules)
    for count in {c.when.count for c in checklist.criteria if isinstance(c.when, AtLeast)}:
        assert f'{{{{"at least {count} of"}}}}' in source


def test_the_built_pages_show_the_diagram_and_the_schema(site: Path) -> None:
    html = (site / "checklist" / "index.html").read_text()
    assert '<pre class="mermaid"><code>flowchart TD' in html and "at least 3 of" in html
    assert "checklist-diagram" not in html
    assert (site / SCHEMA_URL).read_text() == schema_text()


@pytest.mark.any_checklists
def test_unknown_checklist_in_a_diagram_marker_fails_the_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    page = project / "docs" / "faq.md"
    page.write_text(page.read_text() + "\n<!-- checklist-diagram fine-tunin -->\n")
    result = build(project, tmp_path / "out")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    valid = ", ".join(sorted(p.stem for p in (project / "decision" / "checklists").glob("*.toml")))
    assert f"faq.md: unknown checklist 'fine-tunin' in a checklist-diagram marker (did you mean 'fine-tuning'?); valid: {valid}" in result.stderr


# --- the authors' walk-through, as written on its page ---------------------------------------

GUIDE = ROOT / "docs" / "authors" / "index.md"
BLOCK = re.compile(r"^```\w*[ \t]*\{(?P<attrs>[^}]*)\}\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
# The typos the guide describes in words (step 3), and whose report it shows.
TYPOS = [('title = "The data"', 'titel = "The data"'), ('in = ["yes"] }\n', 'in = ["yse"] }\n'), ('{ criterion = "owned" }] }', '{ criterion = "owner" }] }')]


def walkthrough_steps() -> list[tuple[str, str, str]]:
    """(kind, title attribute, body) of each marked block of the guide, in order."""
    steps = []
    for match in BLOCK.finditer(GUIDE.read_text()):
        kind = next((c[len(".walkthrough-"):] for c in match["attrs"].split() if c.startswith(".walkthrough-")), None)
        title = re.search(r'title="([^"]*)"', match["attrs"])
        if kind:
            steps.append((kind, title[1] if title else "", match["body"]))
    return steps


def test_the_guide_has_a_walkthrough() -> None:
    kinds = [kind for kind, _, _ in walkthrough_steps()]
    assert kinds.count("run") >= 2 and {"output", "nav", "append", "mistakes"} <= set(kinds)


def test_the_walkthrough_publishes_a_checklist(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    replay_walkthrough(project)
    result = build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    html = (tmp_path / "site" / "use-case-ready" / "index.html").read_text()
    assert 'data-checklist="use-case-ready"' in html and '<pre class="mermaid">' in html
    assert 'href="./#goal=yes&amp;data=partly&amp;owner=no"' in html  # the share link, checked and kept


def replay_walkthrough(project: Path) -> None:
    """Follow the authors' walk-through in a copy of the project, checking each output it shows."""
    last: subprocess.CompletedProcess[str] | None = None
    for kind, title, body in walkthrough_steps():
        if kind == "run":
            for line in body.splitlines():
                command = shlex.split(line)
                assert command[:3] == ["python", "-m", "decision"], line
                last = run(*command[3:], cwd=project)
                assert last.returncode == 0, (line, last.stdout, last.stderr)
        elif kind == "output":
            assert last is not None and last.stdout == body, "the guide shows other output than the command gives"
        elif kind == "nav":
            config = project / "mkdocs.yml"
            entries = body.split("nav:\n", 1)[1]
            config.write_text(config.read_text().replace("\nnav:\n", "\nnav:\n" + entries, 1))
        elif kind == "append":
            target = project / title
            target.write_text(target.read_text() + body)
        elif kind == "mistakes":
            toml = next((project / "decision" / "checklists").glob("use-case-ready.toml"))
            good = toml.read_text()
            broken = good
            for old, new in TYPOS:
                assert old in broken
                broken = broken.replace(old, new, 1)
            toml.write_text(broken)
            shown = run("validate", str(toml.relative_to(project)), cwd=project)
            toml.write_text(good)
            assert shown.returncode == 1 and shown.stdout == body
