"""`python -m decision`: list, show and evaluate checklists; validate, start (`new`) and describe
(`schema`) checklist files."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .engine import AnswerTest, Assessment, answer_test_text, evaluate
from .errors import ChecklistError, DefinitionError, did_you_mean
from .loader import checklist_ids, load_checklist
from .messages import dropped_message
from .model import Checklist
from .scaffold import new_checklist
from .schema import SCHEMA_FILE, schema_text
from .share import decode_answers, encode_answers
from .validate import validate_paths, validate_shipped
from .whatif import WhatIf, change_phrase, what_if
from .compare import Comparison, compare, decode_compare, encode_compare, is_compare_link
from .share import Dropped

__all__ = ["main"]

USAGE_ERROR = 2


class _UsageError(Exception):
    """Bad input on the command line: one line for stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            raise _UsageError("a command is required: list, show, evaluate, validate, new or schema")
        return int(args.run(args))
    except _UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except DefinitionError as error:
        print(error, file=sys.stderr)
        return 1
    except ChecklistError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR


def _build_parser() -> _Parser:
    parser = _Parser(prog="python -m decision", description="Checklists that decide between prompting, RAG and fine-tuning.")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    listing = commands.add_parser("list", help="checklist ids and titles")
    listing.set_defaults(run=_list)

    show = commands.add_parser("show", help="a checklist's questions and options")
    show.add_argument("id", help="checklist id")
    show.set_defaults(run=_show)

    ev = commands.add_parser("evaluate", help="evaluate answers and explain the result")
    ev.add_argument("id", help="checklist id")
    ev.add_argument("--answer", "-a", action="append", default=[], metavar="QUESTION=OPTION", help="an answer (repeatable)")
    ev.add_argument("--link", metavar="URL", help="a share link or bare fragment whose answers to use (--answer overrides); a part not understood is an error")
    ev.add_argument("--format", choices=("text", "json"), default="text")
    ev.set_defaults(run=_evaluate)

    cmp = commands.add_parser("compare", help="compare two answer sets: differences, and the ones the outcomes hinge on")
    cmp.add_argument("id", help="checklist id")
    cmp.add_argument("--link", action="append", default=[], metavar="URL", help="a share link: give two (A, then B), or one compare link")
    cmp.add_argument("--format", choices=("text", "json"), default="text")
    cmp.set_defaults(run=_compare)

    check = commands.add_parser("validate", help="check checklist files and report every problem")
    check.add_argument("paths", nargs="*", metavar="PATH", help="checklist files or folders (default: every shipped checklist)")
    check.set_defaults(run=_validate)

    new = commands.add_parser("new", help="start a checklist: decision/checklists/ID.toml and docs/ID.md")
    new.add_argument("id", help="the new checklist's id (lowercase letters, digits and hyphens)")
    new.add_argument("--title", help="its title (default: made from the id)")
    new.set_defaults(run=_new)

    schema = commands.add_parser("schema", help="write the checklist format's JSON Schema")
    schema.add_argument("--output", "-o", default=str(SCHEMA_FILE), metavar="PATH", help="where to write it; - for stdout (default: %(default)s)")
    schema.set_defaults(run=_schema)
    return parser


# --- commands -------------------------------------------------------------------------------


def _list(args: argparse.Namespace) -> int:
    for checklist_id in checklist_ids():
        print(f"{checklist_id}\t{load_checklist(checklist_id).title}")
    return 0


def _show(args: argparse.Namespace) -> int:
    checklist = load_checklist(args.id)
    print(f"{checklist.title} ({checklist.id})\n{checklist.description}\n")
    for number, question in enumerate(checklist.questions, 1):
        print(f"{number}. {question.text}  [{question.id}]")
        for option in question.options:
            print(f"     {option.id:<14} {option.label}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    checklist = load_checklist(args.id)
    answers: dict[str, str] = {}
    if args.link is not None:
        decoded = decode_answers(checklist, args.link)
        if decoded.dropped:  # a link given on purpose: evaluating without part of it would mislead
            raise _UsageError("\nerror: ".join(f"--link: {dropped_message(checklist, d)}" for d in decoded.dropped))
        answers.update(decoded.answers)
    for raw in args.answer:
        question_id, option_id = _parse_answer(checklist, raw)
        answers[question_id] = option_id
    assessment = evaluate(checklist, answers)
    changes = what_if(checklist, answers)
    if args.format == "json":
        print(json.dumps({**assessment.to_dict(), "link": "#" + encode_answers(checklist, answers), **_what_if_json(changes)}, indent=2))
    else:
        print(_report(checklist, assessment) + "\n\n" + _what_if_report(checklist, changes))
    return 0


def _validate(args: argparse.Namespace) -> int:
    report = validate_paths(args.paths) if args.paths else validate_shipped()
    for problem in report.problems:
        print(problem)
    print(report.summary)
    return 1 if report.problems else 0


def _new(args: argparse.Namespace) -> int:
    package = Path(__file__).resolve().parent
    title = args.title if args.title is not None else args.id.replace("-", " ").capitalize()
    checklists, docs = Path(_shown(package / "checklists")), Path(_shown(package.parent / "docs"))  # as messages show them
    written = new_checklist(args.id, title, checklists=checklists, docs=docs)
    toml, page = _shown(written.checklist), _shown(written.page)
    print(f"wrote {toml}\nwrote {page}\n")
    print("Next:")
    print(f"  1. add the page to `nav` in mkdocs.yml:   - {title.strip()}: {args.id}.md")
    print(f"  2. edit {toml} and {page} (questions, rules, texts; a guide link's #anchor must exist on its page)")
    print(f"  3. check as you go:   python -m decision validate {toml}")
    print(f"  4. look at it:        make serve   (then open /{args.id}/)")
    return 0


def _schema(args: argparse.Namespace) -> int:
    if args.output == "-":
        sys.stdout.write(schema_text())
        return 0
    try:
        Path(args.output).write_text(schema_text(), encoding="utf-8")
    except OSError as error:
        raise _UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
    print(f"wrote {_shown(Path(args.output))}")
    return 0


# --- helpers --------------------------------------------------------------------------------


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(absolute)


def _parse_answer(checklist: Checklist, raw: str) -> tuple[str, str]:
    question_id, equals, option_id = raw.partition("=")
    question_ids = ", ".join(q.id for q in checklist.questions)
    if not equals or not question_id or not option_id:
        raise _UsageError(f"malformed --answer {raw!r}: expected QUESTION=OPTION; questions: {question_ids}")
    question = checklist.question(question_id)
    if question is None:
        raise _UsageError(f"unknown question {question_id!r} in --answer {raw!r}{did_you_mean(question_id, [q.id for q in checklist.questions])}")
    if question.option(option_id) is None:
        raise _UsageError(f"unknown option {option_id!r} for question {question_id!r}{did_you_mean(option_id, [o.id for o in question.options])}")
    return question_id, option_id


def _tests_lines(checklist: Checklist, heading: str, tests: tuple[AnswerTest, ...]) -> list[str]:
    """Direct question tests as the page words them: question title and option labels."""
    if not tests:
        return []
    lines = [heading]
    for test in tests:
        mark = "met    " if test.met else "not met"
        lines.append(f"  [{mark}] {answer_test_text(checklist, test)}")
    return lines + [""]


def _report(checklist: Checklist, assessment: Assessment) -> str:
    outcome = next(o for o in checklist.outcomes if o.id == assessment.outcome)
    lines = [checklist.title, "", f"Outcome: {outcome.title} [{outcome.id}]" + (" (provisional)" if assessment.provisional else "")]
    lines += [f"  {outcome.summary}", f"  See: {outcome.guide}", ""]
    for caveat in (c for c in checklist.caveats if c.id in assessment.caveats):
        lines += [f"Caveat: {caveat.title} [{caveat.id}]", f"  {caveat.summary}", f"  See: {caveat.guide}", ""]
    lines += _tests_lines(checklist, "Answers that decided the outcome:", assessment.tests)
    for caveat_id, _, tests in assessment.caveat_reasons:
        lines += _tests_lines(checklist, f"Answers that show the caveat [{caveat_id}]:", tests)
    lines.append("Criteria:")
    for criterion, result in zip(checklist.criteria, assessment.criteria):
        mark = "met    " if result.met else "not met"
        lines.append(f"  [{mark}] {criterion.title} [{criterion.id}]")
    if assessment.missing:
        lines += ["", "Unanswered (the outcome may change): " + ", ".join(assessment.missing)]
    lines += ["", "Share: #" + encode_answers(checklist, dict(assessment.answers))]
    return "\n".join(lines)


# --- what would change the result, and compare (issue 14) -----------------------------------------


def _what_if_json(changes: WhatIf) -> dict[str, object]:
    """The JSON keys `evaluate` adds: `what_if` (the contract), and how it was bounded."""
    extra: dict[str, object] = {"what_if": changes.to_json()}
    more = {o: n for o, n in changes.total.items() if n > len(changes.sets[o])}
    if more:
        extra["what_if_total"] = more
    if changes.unsearched:
        extra["what_if_unsearched"] = list(changes.unsearched)
    return extra


def _what_if_report(checklist: Checklist, changes: WhatIf) -> str:
    lines = ["What would change the result:"]
    for outcome in (o for o in checklist.outcomes if o.id in changes.sets):
        sets = changes.sets[outcome.id]
        if outcome.id in changes.unsearched:
            lines.append(f"  {outcome.title} [{outcome.id}]: not worked out (the checklist is too large to search)")
        elif not sets:
            lines.append(f"  {outcome.title} [{outcome.id}]: no change of answers leads there")
        else:
            size = len(sets[0])
            lines.append(f"  {outcome.title} [{outcome.id}] would become the recommendation with {size} change{'s' * (size > 1)}, if:")
            for change_set in sets:
                words = " and ".join(change_phrase(checklist, q, o) for q, o in change_set)
                lines.append(f"    - {words}  ({', '.join(f'{q}={o}' for q, o in change_set)})")
            if changes.total[outcome.id] > len(sets):
                more = changes.total[outcome.id] - len(sets)
                lines.append(f"    … and {more} more set{'s' * (more > 1)} of {size} change{'s' * (size > 1)}")
    return "\n".join(lines)


def _compare(args: argparse.Namespace) -> int:
    checklist = load_checklist(args.id)
    if len(args.link) == 1 and is_compare_link(args.link[0]):
        decoded = decode_compare(checklist, args.link[0])
        sides, dropped = (decoded.a.answers, decoded.b.answers), list(decoded.dropped)
    elif len(args.link) == 2:
        a, b = (decode_answers(checklist, link) for link in args.link)
        sides = (a.answers, b.answers)
        dropped = [Dropped(f"{side}.{d.part}", d.reason) for side, link in zip("ab", (a, b)) for d in link.dropped]
    else:
        raise _UsageError("compare needs two --link (A, then B) or one compare link (#compare&a.QUESTION=OPTION&b.QUESTION=OPTION)")
    for part in dropped:
        print(f"warning: ignored {part.part!r} in the link ({part.reason})", file=sys.stderr)
    result = compare(checklist, *sides)
    link = "#" + encode_compare(checklist, *sides)
    if args.format == "json":
        print(json.dumps({**result.to_dict(), "link": link}, indent=2))
    else:
        print(_compare_report(checklist, result, link))
    return 0


def _compare_report(checklist: Checklist, result: Comparison, link: str) -> str:
    title = {o.id: o.title for o in checklist.outcomes}
    lines = [checklist.title, ""]
    for side, assessment in (("A", result.a), ("B", result.b)):
        note = " (provisional)" if assessment.provisional else ""
        caveats = f"; caveats: {', '.join(assessment.caveats)}" if assessment.caveats else ""
        lines.append(f"{side}: {title[assessment.outcome]} [{assessment.outcome}]{note}{caveats}")
    lines += ["", "Answers (A | B):"]
    answers_a, answers_b = dict(result.a.answers), dict(result.b.answers)
    for question in checklist.questions:
        mark = "*" if question.id in result.decisive else "≠" if question.id in result.differences else " "
        lines.append(f" {mark} {question.id:<16} {answers_a.get(question.id, '-'):<14} | {answers_b.get(question.id, '-')}")
    lines.append("")
    if result.a.outcome == result.b.outcome:
        lines.append(f"Both give the same outcome; {len(result.differences)} answer(s) differ (≠).")
    else:
        lines.append("The outcomes differ; marked * are the answers they hinge on:")
        for name, sets in (("A would give B's outcome with B's answers to", result.a_to_b), ("B would give A's outcome with A's answers to", result.b_to_a)):
            lines.append(f"  {name}: " + " or ".join("{" + ", ".join(s) + "}" for s in sets))
    lines += ["", "Compare link: " + link]
    return "\n".join(lines)
