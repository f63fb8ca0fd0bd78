"""A checklist written out in Markdown, for readers and assistants who read the site as text
(`/llms.txt` and the pages' Markdown versions): every question with its option ids, every
criterion, outcome and caveat with its rule in words. Generated from the same model the engine
evaluates, so it cannot drift from the decision. A plain function: no MkDocs import."""

from __future__ import annotations

from collections.abc import Callable

from decision import Checklist, encode_answers
from decision.model import All, Any, AtLeast, Condition, Not, OneOf, Ref
from checklist_diagram import answer_text

__all__ = ["checklist_markdown", "condition_markdown"]

_INDENT = "    "  # Python-Markdown, which renders this text first, nests lists by four spaces


def checklist_markdown(checklist: Checklist, *, link: Callable[[str], str], page_url: str) -> str:
    """The checklist as Markdown. `link` turns a docs path (`learn/rag.md#x`) into a URL; `page_url`
    is the absolute URL of the checklist's page, where a share link opens the answers.

    Shape: a heading, how to apply the rules, then sections Questions (option ids and labels),
    Criteria, Outcomes (in order, the default last) and Caveats, each rule as a nested list."""
    example = {q.id: q.options[0].id for q in checklist.questions[:2]}
    lines = [
        f"# {checklist.title} Questions and rules" if checklist.title.endswith("?") else f"# {checklist.title}: questions and rules",
        "",
        checklist.description,
        "",
        f"Written out from the data of the checklist `{checklist.id}` each time the site is built, so it"
        f" decides exactly as the checklist at {page_url} does. To apply it:",
        "",
        "1. Answer each question with one of its option ids. A condition on a question left"
        " unanswered does not hold, and the result stays provisional until every question is answered.",
        "2. A criterion holds when its condition holds; a criterion may be made of other criteria.",
        "3. The outcomes are tried in order: the first whose rule holds is the result, and the last"
        " one applies when no rule holds.",
        "4. Every caveat whose condition holds is shown with the result.",
        f"5. To let a person see the result on the checklist's page, give the answers as a link: `{page_url}#{encode_answers(checklist, example)}`.",
        "",
        "## Questions",
        "",
    ]
    for number, question in enumerate(checklist.questions, 1):
        lines += [f"{number}. **{question.title}** (`{question.id}`): {question.text}" + (f" {question.help}" if question.help else "")]
        lines += [f"{_INDENT}- `{option.id}`: {option.label}" for option in question.options]
        lines += [f"{_INDENT}- Explained in [{question.title}]({link(question.guide)})", ""]
    lines += ["## Criteria", ""]
    for criterion in checklist.criteria:
        lines += [f"- **{criterion.title}** (`{criterion.id}`) holds when " + _rule(checklist, criterion.when, 1)]
    lines += ["", "## Outcomes, tried in order", ""]
    for number, outcome in enumerate(checklist.outcomes, 1):
        when = "when no rule above holds" if outcome.when is None else "when " + _rule(checklist, outcome.when, 1)
        lines += [f"{number}. **{outcome.title}** (`{outcome.id}`), {when}"]
        lines += [f"{_INDENT}- What it means: {outcome.summary} See [{outcome.title}]({link(outcome.guide)}).", ""]
    if checklist.caveats:
        lines += ["## Caveats, shown with the result", ""]
        for caveat in checklist.caveats:
            lines += [f"- **{caveat.title}** (`{caveat.id}`), when " + _rule(checklist, caveat.when, 1)]
            lines += [f"{_INDENT}- What it means: {caveat.summary} See [{caveat.title}]({link(caveat.guide)}).", ""]
    return "\n".join(lines).rstrip() + "\n"


def condition_markdown(checklist: Checklist, condition: Condition) -> str:
    """A condition in words, ids in code spans (`question` is `option`), one line: for a rule whose
    parts are answers or criteria. Nested operators are written with parentheses."""
    match condition:
        case OneOf(question=question, options=options):
            ids = " or ".join(f"`{option}`" for option in options)
            return f"`{question}` is {ids} ({answer_text(checklist, condition)})"
        case Ref(criterion=name):
            criterion = checklist.criterion(name)
            assert criterion is not None  # the loader checks every reference
            return f"criterion `{name}` holds ({criterion.title})"
        case Not(condition=inner):
            return f"not ({condition_markdown(checklist, inner)})"
        case All(conditions=parts) | Any(conditions=parts) | AtLeast(conditions=parts):
            return f"{_operator(condition)} (" + "; ".join(condition_markdown(checklist, part) for part in parts) + ")"
    raise TypeError(f"not a condition: {condition!r}")  # pragma: no cover - the loader forbids it


# --- helpers ------------------------------------------------------------------------------


def _operator(condition: All | Any | AtLeast) -> str:
    """How a rule made of several parts reads before its list of parts."""
    if isinstance(condition, All):
        return "all of these hold"
    if isinstance(condition, Any):
        return "at least one of these holds"
    return f"at least {condition.count} of these hold"


def _rule(checklist: Checklist, condition: Condition, depth: int) -> str:
    """A rule's text after "when": a one-line condition, or an operator followed by a nested list."""
    match condition:
        case All(conditions=parts) | Any(conditions=parts) | AtLeast(conditions=parts):
            indent = _INDENT * depth
            return f"{_operator(condition)}:\n" + "\n".join(f"{indent}- {_rule(checklist, part, depth + 1)}" for part in parts)
        case Not(condition=All() | Any() | AtLeast() as inner):
            return f"this does not hold: {_rule(checklist, inner, depth)}"
    return condition_markdown(checklist, condition) + "."
