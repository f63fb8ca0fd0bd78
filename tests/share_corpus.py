"""The corpus of share links (tests/share_links.toml): cases, and how each consumer is given a link."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).with_name("share_links.toml")

# Every kind of mangling named in issue 12, item 4, and the siblings added with them.
KINDS = {
    "canonical", "bare-fragment", "empty", "whitespace", "percent-23", "re-encoded", "plus", "upper-case", "utm-tail",
    "double-hash", "hash-bang", "hash-question", "hash-slash", "trailing-punctuation", "html-escaped", "quoted-printable",
    "unusable", "anchor",
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    kind: str
    link: str
    answers: dict[str, str]
    dropped: list[tuple[str, str]] = field(default_factory=list)
    anchor: bool = False
    outcome: str | None = None
    page: bool = True

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.link.strip()[:70]}"

    def page_path(self) -> str | None:
        """The link as the page test opens it, relative to the site's root; None when a browser
        cannot open it as pasted (a bare fragment, text around it that is not part of a URL)."""
        if not self.page:
            return None
        if self.link.startswith("#"):
            return "checklist/" + self.link
        at = self.link.find("checklist/")
        return self.link[at:] if at >= 0 else None


def load_cases() -> list[Case]:
    """The corpus's cases; raises ValueError naming the case at fault for an unknown key or kind."""
    cases = []
    for number, raw in enumerate(tomllib.loads(CORPUS.read_text(encoding="utf-8"))["case"], 1):
        unknown = set(raw) - set(Case.__dataclass_fields__)
        if unknown or raw.get("kind") not in KINDS:
            raise ValueError(f"{CORPUS.name}: case {number}: unknown key(s) {sorted(unknown)} or kind {raw.get('kind')!r}")
        cases.append(Case(**{**raw, "dropped": [tuple(pair) for pair in raw.get("dropped", [])]}))
    return cases


CASES = load_cases()
PAGE_CASES = [case for case in CASES if case.page_path() is not None]
