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


def _fences(path: Path) -> list[tuple[str, str, bool]]:
    """Each fenced block: its line, its info string, and whether a skip directive marks it
    (``skip: next`` just before it, or inside ``skip: start`` ... ``skip: end``)."""
    document = _document(path)
    skips = sorted(
        (region.start, region.end, region.lexemes["arguments"].split()[0])
        for region in DirectiveInHTMLCommentLexer("skip")(document)
    )
    lexer = FencedCodeBlockLexer(language=r".*", mapping={"language": "info"})
    blocks = []
    for region in lexer(document):
        before = [skip for skip in skips if skip[1] <= region.start]
        marked = (
            bool(before)
            and (
                (
                    before[-1][2] == "next"
                    # (the directive's region ends before its closing -->)
                    and re.fullmatch(r"\s*(-->)?\s*", document.text[before[-1][1] : region.start])
                )
                or before[-1][2] == "start"
            )
        )
        line = document.line_column(region.start).split(",")[0]
        blocks.append((line, region.lexemes["info"].strip(), marked))
    return blocks


def _skips(path: Path) -> list[str]:
    document = _document(path)
    return [region.lexemes["arguments"] for region in DirectiveInHTMLCommentLexer("skip")(document)]


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_every_block_names_a_language_that_is_run_or_is_data(page: Path) -> None:
    """Python and shell blocks run; data and output never do; a block of another language
    (TypeScript, say) runs elsewhere or not at all, so it is marked illustrative."""
    run = {PYTHON, CONSOLE, *SHELLS}
    unknown = [
        (line, info)
        for line, info, marked in _fences(page)
        if info not in run
        and info not in NOT_RUN
        and not re.fullmatch(r'python\s+title="[\w.-]+"', info)
        and not (info and marked)
    ]
    assert unknown == [], (
        f"{_id(page)}: blocks neither run ({sorted(run)}), nor data ({list(NOT_RUN)}), nor "
        f"of another language marked illustrative: {unknown}"
    )


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_a_skip_directive_stands_before_a_block_that_would_run(page: Path) -> None:
    """Sybil's `skip: next` skips the next example; before a data block (text, json, ...),
    which is no example, it would skip the next block that runs instead."""
    nexts = [(line, info) for line, info, marked in _fences(page) if marked and info in NOT_RUN]
    assert nexts == [], f"{_id(page)}: a skip directive before a data block: {nexts}"


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
