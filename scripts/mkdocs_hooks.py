"""MkDocs hooks of the documentation site (``hooks:`` in mkdocs.yml; ``make docs``).

1. ``<!-- zdevents-help: COMMAND -->`` on a line of its own is replaced by the help text of
   ``zdevents COMMAND --help``, rendered by the command line's own parser at build time, so
   the pages of the command line cannot drift from it. Every command the parser has (``auth``
   and each of its actions too) must be included on some page: a command without one is a
   warning, which ``mkdocs build --strict`` turns into a failed build.
2. The pages that ``make bench`` and ``make mutation`` write (``performance.md``,
   ``mutation.md``) are committed by whoever runs those targets; until a page exists, a
   placeholder saying which target writes it stands in for it, so that the build and its
   links hold. A committed page always wins over the placeholder.
3. Every public name of ``zdevents`` (``zdevents.__all__``) has an entry in the API
   reference (``docs/reference.md``); one without is a warning, so a failed build.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import re
from collections.abc import Iterator
from typing import Any

log = logging.getLogger("mkdocs.plugins.zdevents")

#: The help is wrapped as on a terminal of this width, whatever the build's terminal is.
HELP_COLUMNS = "88"

HELP_MARKER = re.compile(r"^<!-- zdevents-help: ([a-z][a-z -]*?) -->[ \t]*$", re.MULTILINE)

#: Pages written by a make target, and that target.
GENERATED_PAGES = {
    "performance.md": ("Performance", "make bench"),
    "mutation.md": ("Mutation scores", "make mutation"),
}

_included: set[str] = set()


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> Iterator[str]:
    """Every command path of the parser (``events``, ``auth``, ``auth login``, ...)."""
    seen: set[int] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if id(sub) in seen:  # an alias of a command already listed
                    continue
                seen.add(id(sub))
                path = f"{prefix}{name}"
                yield path
                yield from _commands(sub, f"{path} ")


def _parser() -> argparse.ArgumentParser:
    from zdevents.cli._main import build_parser

    return build_parser()


@contextlib.contextmanager
def _columns(width: str) -> Iterator[None]:
    # argparse wraps at shutil.get_terminal_size(), which reads COLUMNS first.
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = width
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


def help_text(command: str) -> str:
    """What ``zdevents COMMAND --help`` prints, run in this process by the CLI itself."""
    from zdevents.cli import main

    argv = [*command.split(), "--help"] if command else ["--help"]
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n")
    # `zdevents sandbox` hands its arguments to the sandbox's own parser, which prints to
    # the process's sys.stdout: catch that too.
    direct = io.StringIO()
    with _columns(HELP_COLUMNS), contextlib.redirect_stdout(direct):
        try:
            status = main(argv, stdout=out, stderr=err, environ={"COLUMNS": HELP_COLUMNS})
        except SystemExit as exit_:  # the sandbox's parser exits after its help
            status = exit_.code if isinstance(exit_.code, int) else 1
    out.flush()
    err.flush()
    text = out.buffer.getvalue().decode("utf-8") + direct.getvalue()  # type: ignore[attr-defined]
    if status != 0 or not text.strip():
        problem = err.buffer.getvalue().decode("utf-8", "replace").strip()  # type: ignore[attr-defined]
        raise ValueError(f"zdevents {command} --help exited {status}: {problem}")
    return text.rstrip()


def on_startup(command: str, dirty: bool) -> None:
    _included.clear()
    _referenced.clear()


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for name, (title, target) in GENERATED_PAGES.items():
        if files.get_file_from_path(name) is None:
            files.append(
                File.generated(
                    config,
                    name,
                    content=(
                        f"# {title}\n\n"
                        f"Not measured on this checkout yet: `{target}` writes this page "
                        "(with the date, the machine and its load), and the page it writes is "
                        "committed in place of this note. `CONTRIBUTING.md` in the repository says "
                        "what it measures.\n"
                    ),
                )
            )
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    def include(match: re.Match[str]) -> str:
        command = " ".join(match.group(1).split())
        _included.add(command)
        shown = f"zdevents {command} --help" if command else "zdevents --help"
        return f"```text\n$ {shown}\n{help_text(command)}\n```"

    return HELP_MARKER.sub(include, markdown)


#: The API reference page: every public name of ``zdevents`` has a ``::: zdevents.NAME``.
REFERENCE = "reference.md"
REFERENCE_ENTRY = re.compile(r"^::: zdevents\.(\w+)\s*$", re.MULTILINE)

_referenced: set[str] = set()


def on_page_read_source(page: Any, config: Any) -> None:
    if page.file.src_uri == REFERENCE:
        text = page.file.content_string
        _referenced.update(REFERENCE_ENTRY.findall(text))


def on_post_build(config: Any) -> None:
    import zdevents

    for name in sorted(set(zdevents.__all__) - _referenced - {"__version__"}):
        log.warning(
            "the public name zdevents.%s is not in the API reference: add `::: zdevents.%s` "
            "to docs/%s",
            name,
            name,
            REFERENCE,
        )
    missing = [c for c in _commands(_parser()) if c not in _included]
    for command in missing:
        log.warning(
            "the command `zdevents %s` has no page: add `<!-- zdevents-help: %s -->` to its "
            "page under docs/cli/",
            command,
            command,
        )
