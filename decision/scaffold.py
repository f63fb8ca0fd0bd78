"""`python -m decision new ID`: a commented starting checklist and the docs page that shows it,
both valid as written, so that the first build passes and the author changes one thing at a time."""

from __future__ import annotations

import datetime
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ChecklistError, DefinitionError
from .loader import SLUG, parse_checklist

__all__ = ["ScaffoldError", "Written", "checklist_text", "new_checklist", "page_text"]


class ScaffoldError(ChecklistError, ValueError):
    """The scaffold cannot be written (bad id or title, a file already there): nothing was written."""


@dataclass(frozen=True)
class Written:
    checklist: Path
    page: Path


def new_checklist(checklist_id: str, title: str, *, checklists: Path, docs: Path) -> Written:
    """Write `checklists/ID.toml` and `docs/ID.md`, or neither: refuses an id that is not a slug,
    and never overwrites a file."""
    if not SLUG.match(checklist_id):
        raise ScaffoldError(f"{checklist_id!r} is not a valid id: use lowercase letters, digits and hyphens, e.g. 'vendor-choice'")
    if "\n" in title.strip() or "\r" in title:
        raise ScaffoldError("the title must be one line")
    toml, page = checklist_text(checklist_id, title), page_text(checklist_id, title)
    target = Written(checklists / f"{checklist_id}.toml", docs / f"{checklist_id}.md")
    try:
        parse_checklist(toml, str(target.checklist))
    except DefinitionError as error:  # only a title can make the template invalid
        raise ScaffoldError(str(error).replace("\n", "; ")) from None
    for path in (target.checklist, target.page):
        if path.exists():
            raise ScaffoldError(f"{path} already exists; choose another id, or edit that file")
        if not path.parent.is_dir():
            raise ScaffoldError(f"{path.parent} is not a folder: `new` works in a checkout of the project")
    _create(target.checklist, toml)
    try:
        _create(target.page, page)
    except BaseException:
        target.checklist.unlink()
        raise
    return target


def checklist_text(checklist_id: str, title: str) -> str:
    return _CHECKLIST.replace("{ID}", checklist_id).replace('"{TITLE}"', _quoted(title)).lstrip("\n")


def page_text(checklist_id: str, title: str) -> str:
    page = _PAGE.replace("{ID}", checklist_id).replace('"{TITLE}"', _quoted(title)).replace("{TITLE}", title.strip())
    return page.replace("{TODAY}", datetime.date.today().isoformat()).lstrip("\n")


# --- helpers ------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A string both TOML and YAML read back as `text` (JSON's escapes are valid in both)."""
    return json.dumps(text.strip(), ensure_ascii=False)


def _create(path: Path, text: str) -> None:
    """Write the whole file under a temporary name, then link it into place: the file appears
    complete or not at all, and an existing one is never replaced (link fails if it exists)."""
    handle, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.link(scratch, path)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; choose another id, or edit that file") from None
    finally:
        os.unlink(scratch)


# --- the templates ------------------------------------------------------------------------
# The example is generic on purpose: replace it. It shows each kind of condition once.

_CHECKLIST = '''
#:schema ../checklist.schema.json
# Written by `python -m decision new {ID}`: a working example to change into your own checklist.
# Check it as you go with `python -m decision validate decision/checklists/{ID}.toml`; the
# build (`make serve`) also checks that every guide link points at a page and anchor that exist.
# The guide for authors is the site's "For authors" section (docs/authors/index.md).
#
# Ids (of the checklist, questions, options, criteria, outcomes and caveats) are a contract: share
# links carry question and option ids, so do not rename them once the checklist is published.

id = "{ID}"
title = "{TITLE}"
description = "Three questions about a use case: is the goal agreed, is the data there, and does someone own the result?"
page = "{ID}.md"  # the docs page with the marker <!-- checklist {ID} -->

# --- questions: shown in this order; each has one answer out of its options --------------------

[[questions]]
id = "goal"
title = "An agreed goal"  # short: used in the "Learn more" link
text = "Is the goal of the use case written down and agreed by the people who will use it?"
help = "Optional help under the question. Texts like this one may use **Markdown**."
guide = "{ID}.md#goal"  # a docs page, or a page and an anchor on it
options = [{ id = "yes", label = "Yes" }, { id = "no", label = "No" }]

[[questions]]
id = "data"
title = "The data"
text = "Is the data the use case needs available?"
guide = "{ID}.md#data"
options = [
  { id = "yes", label = "Yes, all of it" },
  { id = "partly", label = "Part of it" },
  { id = "no", label = "No" },
]

[[questions]]
id = "owner"
title = "An owner"
text = "Is there one person who owns the result and can decide?"
guide = "{ID}.md#owner"
options = [{ id = "yes", label = "Yes" }, { id = "no", label = "No" }]

# --- criteria: named conditions. The result lists them as met or not met. ------------------------
# A condition ("when") takes one of six forms:
#   { question = "q", in = ["a", "b"] }   the answer to q is a or b (unanswered: not met)
#   { all = [ ... ] }                     every condition in the list holds
#   { any = [ ... ] }                     at least one holds
#   { at_least = 2, of = [ ... ] }        at least 2 of them hold
#   { not = { ... } }                     the condition does not hold
#   { criterion = "c" }                   the criterion c (defined here) holds

[[criteria]]
id = "goal-agreed"
title = "The goal is agreed"
guide = "{ID}.md#goal"
when = { question = "goal", in = ["yes"] }

[[criteria]]
id = "data-available"
title = "At least part of the data is available"
guide = "{ID}.md#data"
when = { question = "data", in = ["yes", "partly"] }

[[criteria]]
id = "owned"
title = "Someone owns the result"
guide = "{ID}.md#owner"
when = { question = "owner", in = ["yes"] }

[[criteria]]
id = "mostly-ready"
title = "At least two of the three hold"
guide = "{ID}.md#how-it-decides"
when = { at_least = 2, of = [{ criterion = "goal-agreed" }, { criterion = "data-available" }, { criterion = "owned" }] }

# --- outcomes: the first whose "when" holds wins; the last has no "when" and is the default -------
# tone: how the page presents the result: "success" (go ahead), "info" (neutral, the default) or
# "warning" (stop and fix something first). The page shows it as a word and an icon, not colour alone.

[[outcomes]]
id = "go"
title = "Go ahead"
summary = "The goal is agreed, all the data is there and someone owns the result."
guide = "{ID}.md#go"
tone = "success"
when = { all = [{ criterion = "goal-agreed" }, { question = "data", in = ["yes"] }, { criterion = "owned" }] }

[[outcomes]]
id = "pilot"
title = "Start with a small pilot"
summary = "Most of what you need is in place. Try it on a small scale while you close the gap."
guide = "{ID}.md#pilot"
tone = "info"
when = { criterion = "mostly-ready" }

[[outcomes]]
id = "wait"
title = "Not yet"
summary = "Too much is missing. Agree the goal, find the data and an owner first."
guide = "{ID}.md#wait"
tone = "warning"

# --- caveats: every caveat whose "when" holds is shown beside the outcome -------------------------

[[caveats]]
id = "no-owner"
title = "Nobody owns the result"
summary = "Without an owner, nobody decides when the result is good enough."
guide = "{ID}.md#no-owner"
when = { not = { criterion = "owned" } }

[[caveats]]
id = "check-data"
title = "Check that the data fits the goal"
summary = "Part of the data is missing, or the goal is not agreed yet: what you have may not be what you need."
guide = "{ID}.md#check-data"
when = { any = [{ question = "data", in = ["partly"] }, { not = { criterion = "goal-agreed" } }] }
'''

_PAGE = '''
---
title: "{TITLE}"
description: Three questions about a use case that say whether to go ahead, start with a pilot or wait, with the reasons why.
last_reviewed: {TODAY}
---

# {TITLE} {#{ID}}

Written by `python -m decision new {ID}`. Replace this text: say who the checklist is for, what it
asks and what it answers. Everything runs in the reader's browser, and the page's address keeps the
answers after the `#`, so the reader can share the result.

<!-- checklist {ID} -->

## The questions {#questions}

### An agreed goal {#goal}

Why the goal matters, and how to tell whether it is agreed.

### The data {#data}

What data the use case needs, and what "part of it" means.

### An owner {#owner}

Who should own the result, and what they decide.

## How the checklist decides {#how-it-decides}

The first outcome whose rule holds wins. This diagram is drawn from the rules at build time:

<!-- checklist-diagram {ID} -->

## What the result means {#results}

### Go ahead {#go}

Next steps when everything is in place.

### Start with a small pilot {#pilot}

How to run a pilot while you close the gap.

### Not yet {#wait}

What to do first.

### Nobody owns the result {#no-owner}

Why an owner matters.

### Check that the data fits the goal {#check-data}

How to check the data against the goal.
'''
