"""Draw a checklist's rules as a Mermaid flowchart, from the same model the engine evaluates, so
the picture cannot drift from the decision. A plain function: no MkDocs import."""

from __future__ import annotations

from dataclasses import dataclass, field

from decision import Checklist
from decision.model import All, Any, AtLeast, Condition, Not, OneOf, Ref

__all__ = ["answer_text", "caveats_flowchart", "diagram_markdown", "mermaid_flowcharts", "mermaid_label", "outcomes_flowchart", "reading_direction"]


def mermaid_flowcharts(checklist: Checklist) -> list[str]:
    """The Mermaid sources that draw a checklist's rules: how the outcome is decided and, if the
    checklist has caveats, when each caveat is shown."""
    return [outcomes_flowchart(checklist)] + ([caveats_flowchart(checklist)] if checklist.caveats else [])


def outcomes_flowchart(checklist: Checklist) -> str:
    """Outcomes down the middle, in order: the first whose rule holds wins, the last is the
    default. Each rule is expanded into its criteria, and each criterion into the criteria and
    answers it is made of; a criterion used twice is drawn once."""
    drawing = _Drawing(checklist, expand=True)
    ruled = [f"rule {n} leads to {o.title}" for n, o in enumerate(checklist.outcomes, 1) if o.when is not None]
    default = [o.title for o in checklist.outcomes if o.when is None]
    drawing.title = f"How the checklist “{checklist.title}” decides its outcome"
    drawing.description = (
        f"The rules are tried in order and the first that holds decides: {', '.join(ruled)}"
        + (f", otherwise {default[0]}" if default else "")
        + ". Each rule is drawn with the criteria it combines, and each criterion with the answers it needs."
    )
    drawing.nodes.append('  start(["The first rule that holds decides"])')
    previous = "start"
    for number, outcome in enumerate(checklist.outcomes, 1):
        result = f"outcome{number}"
        drawing.nodes.append(f'  {result}(["{mermaid_label(outcome.title)}"]):::outcome')
        if outcome.when is None:
            drawing.edges.append(f"  {previous} -->|no| {result}" if previous != "start" else f"  start --> {result}")
            break
        rule = f"rule{number}"
        drawing.nodes.append(f'  {rule}{{"{mermaid_label(f"Rule {number}: {_ask(outcome.when)}")}"}}:::rule')
        drawing.edges.append(f"  {previous} -->|no| {rule}" if previous != "start" else f"  start --> {rule}")
        drawing.feed(outcome.when, rule)
        drawing.edges.append(f"  {rule} -->|yes| {result}")
        previous = rule
    return drawing.source()


def caveats_flowchart(checklist: Checklist) -> str:
    """Each caveat and the condition that shows it. Criteria appear by name only: the outcomes'
    flowchart expands them."""
    drawing = _Drawing(checklist, expand=False)
    drawing.title = f"When the checklist “{checklist.title}” shows each caveat"
    drawing.description = (
        f"Caveats: {', '.join(c.title for c in checklist.caveats)}. "
        "Each is drawn with the criteria and answers that show it."
    )
    for number, caveat in enumerate(checklist.caveats, 1):
        node = f"caveat{number}"
        drawing.nodes.append(f'  {node}(["{mermaid_label("Caveat: " + caveat.title)}"]):::caveat')
        drawing.feed(caveat.when, node)
    return drawing.source()


def diagram_markdown(checklist: Checklist) -> str:
    """What replaces a `<!-- checklist-diagram ID -->` marker: a sentence that says which way the
    drawings read (taken from the flowcharts themselves, so the words follow the layout), then one
    ```mermaid fence per flowchart, for pymdownx.superfences to hand to Mermaid."""
    sources = mermaid_flowcharts(checklist)
    directions = list(dict.fromkeys(reading_direction(source) for source in sources))
    caption = (
        f"Read {'it' if len(sources) == 1 else 'each diagram'} {' or '.join(directions)}: your answers make criteria "
        "met or not met, criteria combine into the rules, and the rules lead to the outcome or the caveat."
    )
    return f"\n{caption}\n" + "\n".join(f"\n```mermaid\n{source}```\n" for source in sources)


# Mermaid's flowchart directions, as a reader follows them.
_READING = {"LR": "from left to right", "RL": "from right to left", "TD": "from the top down", "TB": "from the top down", "BT": "from the bottom up"}


def reading_direction(source: str) -> str:
    """Which way a Mermaid flowchart reads, in words, from its `flowchart DIR` line. Raises
    ValueError for a source that does not start with one."""
    words = source.split(maxsplit=2)
    if len(words) < 2 or words[0] not in ("flowchart", "graph") or words[1] not in _READING:
        raise ValueError(f"not a Mermaid flowchart with a direction: {source[:40]!r}")
    return _READING[words[1]]


def mermaid_label(text: str) -> str:
    """Text made safe inside a double-quoted Mermaid label (entity codes, one line)."""
    text = " ".join(text.split())
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text


def answer_text(checklist: Checklist, condition: OneOf) -> str:
    """An answer condition in the reader's words: "Question title: Option label or Option label".
    Also used by the Markdown rendering for assistants (checklist_markdown.py)."""
    question = checklist.question(condition.question)
    assert question is not None  # the loader checks every reference
    labels = [o.label for o in question.options if o.id in condition.options]
    return f"{question.title}: " + " or ".join(labels)


# --- helpers ------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Text for an accTitle or accDescr line: one line, without Mermaid's statement separator."""
    return " ".join(text.replace(";", ",").replace("#", "").split())


def _ask(condition: Condition) -> str:
    """A rule's diamond asks whether its condition holds, in the words of its top operator (whose
    parts point straight at the diamond)."""
    match condition:
        case All():
            return "do all of these hold?"
        case Any():
            return "does any of these hold?"
        case AtLeast(count=n):
            return f"do at least {n} of these hold?"
        case Not():
            return "does this not hold?"
    return "does this hold?"


@dataclass
class _Drawing:
    checklist: Checklist
    expand: bool
    """Draw each criterion's own condition too (else a criterion is a named box)."""
    title: str = ""
    description: str = ""
    """What the drawing shows, in words: the diagram's accessible name and description."""
    nodes: list[str] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)
    drawn: dict[str, str] = field(default_factory=dict)  # criterion id -> node id
    count: int = 0

    def source(self) -> str:
        styles = ["  classDef outcome stroke-width:3px", "  classDef rule stroke-width:2px", "  classDef caveat stroke-dasharray:4 3"]
        words = [f"  accTitle: {_plain(self.title)}", f"  accDescr: {_plain(self.description)}"]
        return "\n".join(["flowchart TD", *words, *self.nodes, *self.edges, *styles]) + "\n"

    def feed(self, condition: Condition, target: str) -> None:
        """Draw what `condition` is made of, with arrows into `target` (a rule or a caveat): an
        operator at the top feeds its parts straight in, since the target names the operator."""
        match condition:
            case All(conditions=parts) | Any(conditions=parts) | AtLeast(conditions=parts) if target.startswith("rule"):
                for part in parts:
                    self.edges.append(f"  {self.node(part)} --> {target}")
            case Not(condition=inner) if target.startswith("rule"):
                self.edges.append(f"  {self.node(inner)} --> {target}")
            case _:
                self.edges.append(f"  {self.node(condition)} --> {target}")

    def node(self, condition: Condition) -> str:
        """The node that stands for `condition`, drawn (with its parts) if not drawn yet."""
        match condition:
            case Ref(criterion=name):
                return self._criterion(name)
            case OneOf():
                return self._new(f'[/"{mermaid_label(self._answer(condition))}"/]', "answer")
            case All(conditions=parts):
                return self._operator("all of", parts)
            case Any(conditions=parts):
                return self._operator("any of", parts)
            case AtLeast(count=count, conditions=parts):
                return self._operator(f"at least {count} of", parts)
            case Not(condition=inner):
                return self._operator("not", (inner,))
        raise TypeError(f"not a condition: {condition!r}")  # pragma: no cover - the loader forbids it

    def _criterion(self, name: str) -> str:
        if name in self.drawn:
            return self.drawn[name]
        criterion = self.checklist.criterion(name)
        assert criterion is not None  # the loader checks every reference
        node = f"c_{name.replace('-', '_')}"
        self.drawn[name] = node
        if isinstance(criterion.when, OneOf) and self.expand:  # an answer alone: one box, the answer under the title
            label = f"{mermaid_label(criterion.title)}<br/><i>{mermaid_label(self._answer(criterion.when))}</i>"
            self.nodes.append(f'  {node}["{label}"]')
        else:
            self.nodes.append(f'  {node}["{mermaid_label(criterion.title)}"]')
            if self.expand:
                self.edges.append(f"  {self.node(criterion.when)} --> {node}")
        return node

    def _operator(self, word: str, parts: tuple[Condition, ...]) -> str:
        node = self._new(f'{{{{"{word}"}}}}', "op")
        for part in parts:
            self.edges.append(f"  {self.node(part)} --> {node}")
        return node

    def _answer(self, condition: OneOf) -> str:
        return answer_text(self.checklist, condition)

    def _new(self, shape: str, prefix: str) -> str:
        self.count += 1
        node = f"{prefix}{self.count}"
        self.nodes.append(f"  {node}{shape}")
        return node
