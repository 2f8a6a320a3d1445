"""The help texts: an example of every command at the top, and in each command's help only
options that command has (every example there is parsed by the parser it names)."""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Iterator

import pytest

from tests.cli._helpers import run
from zdevents.cli._main import build_parser
from zdevents.cli._parser import examples_of
from zdevents.sandbox._command import build_parser as build_sandbox_parser

_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def _children(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for name, child in _children(parser).items():
        if (*path, name) == ("sandbox",):
            # Its options are the sandbox's own parser's (parsed there when it runs).
            yield ("sandbox",), build_sandbox_parser("zdevents sandbox")
            continue
        yield from _commands(child, (*path, name))


COMMANDS = dict(_commands(build_parser()))


def _resolve(words: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """The command an example runs (its longest known prefix) and the rest of its words."""
    path: tuple[str, ...] = ()
    while words and (*path, words[0]) in COMMANDS:
        path, words = (*path, words[0]), words[1:]
    return path, words


def _example_argv(example: str) -> list[str]:
    """The arguments of an example, up to a shell operator (``>``, ``|``) if any."""
    lexer = shlex.shlex(example.replace("\\\n", " "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = list(lexer)
    assert words[0] == "zdevents", example
    operators = [i for i, word in enumerate(words) if set(word) <= set(lexer.punctuation_chars)]
    return words[1 : operators[0] if operators else None]


def test_the_top_level_help_shows_an_example_of_every_command() -> None:
    result = run(None, "--help")
    assert result.returncode == 0
    shown = {_example_argv(e)[0] for e in examples_of(result.stdout)}
    assert shown == set(_children(build_parser())), "a command without an example in its help"


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: " ".join(("zdevents", *p)))
def test_every_help_epilog_names_only_options_its_command_has(path: tuple[str, ...]) -> None:
    parser = COMMANDS[path]
    epilog = parser.epilog or ""
    examples = examples_of(epilog)
    prose = epilog
    for example in examples:
        argv = _example_argv(example)
        command, rest = _resolve(argv)
        # An example in a command's help is of that command (the top level's: of any).
        assert command[: len(path)] == path, f"{example!r} in the help of {path}"
        flags = set(_FLAG.findall(example))
        assert flags <= set(COMMANDS[command]._option_string_actions), example
        # And it parses: no flag misspelt, no combination the command refuses.
        try:
            COMMANDS[command].parse_args(rest)
        except SystemExit as exc:  # pragma: no cover - the message is on stderr
            raise AssertionError(f"{example!r} does not parse") from exc
        for line in example.splitlines():
            prose = prose.replace(line.strip(), "")
    assert set(_FLAG.findall(prose)) <= set(parser._option_string_actions), path
