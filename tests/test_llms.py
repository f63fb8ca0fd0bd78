"""`/llms.txt` and the Markdown versions of the pages (mkdocs-llmstxt, fed by hooks/llms.py): every
page in the navigation listed with its description, every checklist's questions and rules written
out from its data, and nothing that points off the site or fetches anything."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import decision
from decision.model import All, AtLeast, Condition, Criterion, Not, Outcome
from decision.model import Any as AnyOf
from tests.sitekit import ROOT, build, copy_project

SITE_URL = "http://127.0.0.1:8000/"  # what the `site` fixture builds with
LINK = re.compile(r"^- \[(?P<title>[^\]]+)\]\((?P<url>[^)\s]+)\)(?:: (?P<description>.+))?$", re.MULTILINE)


def nav_paths(nav: list[Any]) -> list[str]:
    """Every docs path in mkdocs.yml's `nav`, in order."""
    paths: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        paths += nav_paths(value) if isinstance(value, list) else [value]
    return paths


def front_matter(path: str) -> dict[str, Any]:
    text = (ROOT / "docs" / path).read_text()
    return yaml.safe_load(text.split("---\n")[1]) if text.startswith("---\n") else {}


def markdown_url(path: str) -> str:
    """The absolute URL of a docs page's Markdown version (directory URLs: `learn/rag.md` is
    `learn/rag/index.md`)."""
    stem = path.removesuffix(".md")
    return SITE_URL + ("index.md" if stem == "index" else f"{stem.removesuffix('/index')}/index.md")


def mkdocs_yml() -> dict[str, Any]:
    """mkdocs.yml, read with MkDocs' own YAML loader (its `!ENV` and `!!python/name` tags)."""
    from mkdocs.utils.yaml import get_yaml_loader

    return yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=get_yaml_loader())


@pytest.fixture(scope="module")
def nav() -> list[Any]:
    return mkdocs_yml()["nav"]


def test_llms_txt_lists_every_page_with_its_description(site: Path, nav: list[Any]) -> None:
    text = (site / "llms.txt").read_text()
    config = mkdocs_yml()
    # The llms.txt form: an H1 with the site's name, a summary quote, then H2 sections of link lists.
    assert text.startswith(f"# {config['site_name']}\n\n> {config['site_description']}\n"), text[:300]
    assert re.findall(r"^## .+$", text, re.MULTILINE)[-1] == "## Checklists"
    listed = {m["url"]: m for m in LINK.finditer(text)}
    for path in nav_paths(nav):
        entry = listed.get(markdown_url(path))
        assert entry is not None, f"{path} is not in /llms.txt"
        assert entry["description"] == " ".join(front_matter(path)["description"].split()), path
        assert (site / markdown_url(path).removeprefix(SITE_URL)).is_file(), path
    print(f"\n/llms.txt: {len(text.splitlines())} lines, {len(listed)} links, {len(nav_paths(nav))} pages")


def leaves(condition: Condition | None) -> list[Condition]:
    """The parts of a rule written on one line each: answers, criteria, and "not" of either."""
    match condition:
        case All(conditions=parts) | AnyOf(conditions=parts) | AtLeast(conditions=parts):
            return [leaf for part in parts for leaf in leaves(part)]
        case Not(condition=All() | AnyOf() | AtLeast() as inner):
            return leaves(inner)
        case None:
            return []
    return [condition]


def rules_text(site: Path, checklist: decision.Checklist) -> str:
    """A checklist's questions and rules, found through /llms.txt."""
    title = f"[{checklist.title} (questions and rules)]("
    lines = [line for line in (site / "llms.txt").read_text().splitlines() if line.startswith(f"- {title}")]
    assert len(lines) == 1, f"{checklist.id} is not listed in /llms.txt"
    url = lines[0].split(title, 1)[1].split(")", 1)[0]
    assert url.startswith(SITE_URL) and url.endswith(".md"), url
    return (site / url.removeprefix(SITE_URL)).read_text()


@pytest.mark.parametrize("checklist_id", decision.checklist_ids())
def test_each_checklist_is_written_out_from_its_data(site: Path, checklist_id: str) -> None:
    from checklist_markdown import condition_markdown

    checklist = decision.load_checklist(checklist_id)
    text = rules_text(site, checklist)
    for question in checklist.questions:
        assert f"**{question.title}** (`{question.id}`): {question.text}" in text, question.id
        for option in question.options:
            assert f"- `{option.id}`: {option.label}\n" in text, (question.id, option.id)
    # Every rule, in words, in its place: criteria by id, then outcomes in the order they are tried.
    items: list[Criterion | Outcome] = [*checklist.criteria, *checklist.outcomes, *checklist.caveats]
    rules = text.index("\n## Criteria\n")
    positions = [text.index(f"**{item.title}** (`{item.id}`)", rules) for item in items]
    assert positions == sorted(positions)
    for item in items:
        for condition in leaves(item.when):
            assert condition_markdown(checklist, condition) in text, (item.id, condition)
    assert f"**{checklist.outcomes[-1].title}** (`{checklist.outcomes[-1].id}`), when no rule above holds" in text
    # The checklist's page says where its rules are, in place of the form.
    page = checklist.page.removesuffix(".md")
    page_md = (site / ("index.md" if page == "index" else f"{page}/index.md")).read_text()
    assert f"/checklist-{checklist.id}.md)" in page_md and "data-checklist" not in page_md


def test_nothing_points_off_the_site_or_fetches(site: Path) -> None:
    """The Markdown files hold no HTML that would fetch anything, and every link of /llms.txt and
    of the rules files that points into the site leads to a file that exists."""
    texts = {p: p.read_text() for p in [site / "llms.txt", *site.rglob("*.md")]}
    assert len(texts) > 20
    for path, text in texts.items():
        assert not re.search(r"<(img|script|iframe|link|object|embed|style|source)\b", text, re.IGNORECASE), path
    generated = [site / "llms.txt", *site.rglob("checklist-*.md")]
    for path in generated:
        for url in re.findall(r"\]\(([^)\s]+)\)", texts[path]):
            assert url.startswith(SITE_URL), (path, url)
            target = site / url.removeprefix(SITE_URL).partition("#")[0]
            assert (target / "index.html" if url.partition("#")[0].endswith("/") else target).is_file(), (path, url)


def test_llms_sections_name_every_page_without_a_description() -> None:
    from llms_index import MissingDescription, llms_sections

    nav = [{"Home": "index.md"}, {"Learn": [{"A": "learn/a.md"}, "learn/b.md", {"Deeper": [{"C": "learn/c.md"}]}]}, {"Out": "https://example.org/"}]
    described = {"index.md": "Home page.", "learn/a.md": "About  a.\n", "learn/c.md": "About c."}
    with pytest.raises(MissingDescription, match=r"missing in: docs/learn/b\.md$"):
        llms_sections(nav, described.get)
    sections = llms_sections(nav, {**described, "learn/b.md": "About b."}.get)
    assert sections == {
        "Overview": [{"index.md": "Home page."}],
        "Learn": [{"learn/a.md": "About a."}, {"learn/b.md": "About b."}],
        "Learn / Deeper": [{"learn/c.md": "About c."}],
    }


def test_front_matter_that_is_not_yaml_fails_the_build_by_name(tmp_path: Path) -> None:
    """MkDocs itself drops front matter it cannot parse, silently (the page loses its title and
    description): the build fails instead, naming the page."""
    project = copy_project(tmp_path / "project")
    page = project / "docs" / "faq.md"
    page.write_text(re.sub(r"^description: .*$", "description: Short answers: the ones we hear most.", page.read_text(), count=1, flags=re.MULTILINE))
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "docs/faq.md: its front matter is not valid YAML (quote a value that holds ': ')" in result.stderr, result.stderr[-2000:]
