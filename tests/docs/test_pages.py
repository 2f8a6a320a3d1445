"""The rules of the documentation that the build and the example runs cannot see: every
block is either run or says why not, and the README stays short and inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sybil import Document
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, FencedCodeBlockLexer

from tests.docs._examples import CONSOLE, NOT_RUN, PYTHON, ROOT, SHELLS

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
README = ROOT / "README.md"

#: About 150 lines (the issue's bound), with a little room.
README_MAX_LINES = 160


def _id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _document(path: Path) -> Document:
    return Document(path.read_text(encoding="utf-8"), str(path))


def _fences(path: Path) -> list[tuple[int, str]]:
    document = _document(path)
    lexer = FencedCodeBlockLexer(language=r".*", mapping={"language": "info"})
    return [
        (document.line_column(region.start).split(",")[0], region.lexemes["info"].strip())
        for region in lexer(document)
    ]


def _skips(path: Path) -> list[str]:
    document = _document(path)
    return [region.lexemes["arguments"] for region in DirectiveInHTMLCommentLexer("skip")(document)]


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_every_block_names_a_language_that_is_run_or_is_data(page: Path) -> None:
    run = {PYTHON, CONSOLE, *SHELLS}
    unknown = [
        (line, info)
        for line, info in _fences(page)
        if info not in run
        and info not in NOT_RUN
        and not re.fullmatch(r'python\s+title="[\w.-]+"', info)
    ]
    assert unknown == [], (
        f"{_id(page)}: blocks whose language is neither run ({sorted(run)}) nor data "
        f"({list(NOT_RUN)}): {unknown}"
    )


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_every_skipped_block_says_it_is_illustrative_and_why(page: Path) -> None:
    for arguments in _skips(page):
        assert re.fullmatch(r'(next|start) "illustrative: [^"]+"|end', arguments.strip()), (
            f'{_id(page)}: <!-- skip: {arguments} --> must read <!-- skip: next "illustrative: '
            'why" --> (see CONTRIBUTING.md)'
        )


def test_the_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES


def _prose(text: str) -> str:
    """The README without its code blocks and code spans (where URLs are only text)."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)
    return re.sub(r"`[^`\n]*`", "", text)


def test_the_readme_links_only_inside_the_repository() -> None:
    prose = _prose(README.read_text(encoding="utf-8"))
    assert not re.search(r"[a-z][a-z0-9+.-]*://|www\.|mailto:", prose, re.IGNORECASE), (
        "README.md links outside the repository (or holds a URL GitHub would link)"
    )
    targets = re.findall(r"\]\(([^)\s]+)\)", prose)
    assert targets, "README.md links into the docs"
    for target in targets:
        path = (ROOT / target.split("#", 1)[0]).resolve()
        assert path.is_relative_to(ROOT) and path.exists(), (
            f"README.md: {target} is not a file here"
        )


def test_the_readme_starts_with_the_set_up_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"^```\w*\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands[:3] == ["make demo", "make test", "make test-fast"]
