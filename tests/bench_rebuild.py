"""Part of `make bench`: how long `mkdocs build --strict` takes after an author's edit, with a warm
`.cache`, for three kinds of edit (issue 16):

- a page edit (a paragraph added to docs/index.md),
- a checklist wording change (an option's label in decision/checklists/fine-tuning.toml),
- a checklist rule change (a new option id on a question, used in a criterion's condition).

Each edit is new content (a fresh token per repetition), so no cache holds its result already;
the build before it ran on the same copy, so the cache is warm for everything the edit leaves
alone. The copy is a temporary one (tests/sitekit.copy_project), its `.cache` the project's own.
Besides the wall time, the CPU time of the build and its children (Node included): on a shared
machine the wall time also counts the other processes, the CPU time does not.

Run just this part: `.venv/bin/python -m tests.bench rebuild [--reps 3] [--from DIR]`; `--from`
copies the project's parts from another checkout (e.g. `git archive` of an earlier commit), so
that before and after are measured with the same method on the same machine."""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from tests.sitekit import ROOT, build, copy_project

__all__ = ["EDITS", "main", "rebuild_times"]

CHECKLIST = Path("decision/checklists/fine-tuning.toml")
LABEL = 'label = "Yes, and it rarely changes'
RULE = 'when = { question = "knowledge", in = ["stable", "changing"'
OPTIONS = '{ id = "changing", label = "Yes, and it changes often or must always be current", if = "answers needed your own knowledge that changes often" },'
"""The line after which a rule change adds an option (tests/test_authorloop.py uses it too)."""


def _edit(project: Path, path: Path, old: str, new: str) -> None:
    file = project / path
    text = file.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise SystemExit(f"bench rebuild: {path} no longer holds {old!r} exactly once; update tests/bench_rebuild.py")
    file.write_text(text.replace(old, new), encoding="utf-8")


def page_edit(project: Path, token: str) -> None:
    """A paragraph added to a page."""
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as page:
        page.write(f"\n\nAn author's edit {token}.\n")


def wording_change(project: Path, token: str) -> None:
    """An option's label reworded: no id, no condition changes."""
    _edit(project, CHECKLIST, LABEL, f"{LABEL} {token}")


def rule_change(project: Path, token: str) -> None:
    """A new option on the `knowledge` question, and the criterion `rag-advised` holds for it too."""
    option = f"bench-{token}"
    _edit(project, CHECKLIST, OPTIONS, f'{OPTIONS}\n  {{ id = "{option}", label = "A bench answer" }},')
    _edit(project, CHECKLIST, RULE, f'{RULE}, "{option}"')


EDITS: dict[str, Callable[[Path, str], None]] = {"page_edit": page_edit, "checklist_wording": wording_change, "checklist_rule": rule_change}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def rebuild_times(reps: int, source_root: Path = ROOT) -> dict[str, dict[str, float]]:
    """Seconds of `mkdocs build --strict` after each kind of edit, wall and CPU: "page_edit",
    "checklist_wording", "checklist_rule" (and the same with "_cpu") -> median, min, max, n.
    Raises SystemExit if a build fails or the checklist no longer has the text an edit changes."""
    times: dict[str, list[float]] = {name: [] for name in EDITS} | {f"{name}_cpu": [] for name in EDITS}
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project", source_root)
        site = Path(tmp) / "site"
        first = build(project, site)  # warms the cache for the copy as it is
        if first.returncode:
            raise SystemExit(f"bench rebuild: the first build failed:\n{first.stderr}")
        for rep in range(reps):
            for name, edit in EDITS.items():
                edit(project, uuid.uuid4().hex[:12])
                start, cpu = time.perf_counter(), _children_cpu()
                done = build(project, site)
                times[name].append(time.perf_counter() - start)
                times[f"{name}_cpu"].append(_children_cpu() - cpu)
                if done.returncode:
                    raise SystemExit(f"bench rebuild: the build after a {name} failed:\n{done.stderr}")
                print(f"rebuild rep {rep + 1}: {name} {times[name][-1]:.2f} s (CPU {times[name + '_cpu'][-1]:.2f} s)", file=sys.stderr)
    return {name: {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)} for name, v in times.items()}


def table(times: dict[str, dict[str, float]]) -> str:
    """One line per kind of edit, for the bench's table."""
    return "\n".join(
        f"{'(h) rebuild after a ' + name.replace('_', ' '):<40} {t['median']:6.2f} s  ({t['min']:.2f}–{t['max']:.2f}, n={t['n']})"
        f"   CPU {times[name + '_cpu']['median']:.2f} s"
        for name, t in times.items()
        if not name.endswith("_cpu")
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench rebuild")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--from", dest="source_root", type=Path, default=ROOT, help="a checkout to copy the project from")
    parser.add_argument("--out", type=Path, default=None, help="also write the times as JSON here")
    args = parser.parse_args(argv)
    times = rebuild_times(args.reps, args.source_root.resolve())
    if args.out is not None:
        args.out.write_text(json.dumps({"rebuild_s": times}, indent=2) + "\n")
    print(table(times))
    return 0



if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
