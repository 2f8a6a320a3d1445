"""Ctrl-C while the ``zdevents`` command starts (its modules still importing) ends it quietly
with status 130, as Ctrl-C does later (issue 20): no traceback.

A real SIGINT at a known moment: a ``sitecustomize`` in a temporary folder makes the process
send itself SIGINT when a given module starts to import.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli._helpers import ZDEVENTS, cli_env
from zdevents.cli._main import build_parser
from zdevents.cli._parser import COMMANDS, examples_of

SITECUSTOMIZE = """
import importlib.abc, os, signal, sys

class _InterruptAt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == os.environ["ZDEVENTS_TEST_INTERRUPT_AT"]:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, _InterruptAt())
"""


@pytest.mark.parametrize(
    "module",
    ["httpx", "msgspec", "zdevents._client", "zdevents.cli._main", "zdevents.cli._profiles"],
)
@pytest.mark.parametrize("how", ["command", "python -m"])
def test_ctrl_c_while_the_command_starts_exits_130_quietly(
    tmp_path: Path, module: str, how: str
) -> None:
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = cli_env(ZDEVENTS_TEST_INTERRUPT_AT=module)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    command = ZDEVENTS if how == "command" else [sys.executable, "-m", "zdevents"]
    # A command's help: it imports that command's module and the library (--version and
    # zdevents --help import neither).
    result = subprocess.run(
        [*command, "profile", "--help"], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 130, result.stderr
    assert result.stderr == "" and result.stdout == ""


def test_the_library_imported_by_a_program_keeps_its_ctrl_c(tmp_path: Path) -> None:
    # Only the command is quiet: a program that imports zdevents gets its KeyboardInterrupt.
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = cli_env(ZDEVENTS_TEST_INTERRUPT_AT="zdevents._client")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    script = (
        "try:\n    import zdevents\n    zdevents.Client\n"
        "except KeyboardInterrupt:\n    print('caught')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout == "caught\n", result.stderr


#: What the library's requests need: a command that sends none must not import them.
HEAVY = ("httpx", "httpcore", "msgspec", "zendesk_events_api", "zdevents._client")


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_neither_the_library_nor_a_command(args: list[str]) -> None:
    script = (
        "import sys\n"
        "from zdevents.cli import main\n"
        f"status = main({args!r})\n"
        f"print(status, sorted(m for m in sys.modules if m.startswith({HEAVY!r})"
        " or m.startswith('zdevents.cli._') and m.endswith(('_events', '_sync', '_track', "
        "'_auth', '_export', '_profiles', '_forget'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=cli_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "0 []"


def test_the_public_names_load_on_first_use_and_stay_listed() -> None:
    script = (
        "import sys, zdevents\n"
        "before = 'httpx' in sys.modules\n"
        "listed = set(zdevents.__all__) <= set(dir(zdevents))\n"
        "print(before, listed, zdevents.Page.__module__, zdevents.Client.__module__,"
        " 'httpx' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=cli_env(), capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["False", "True", "zdevents", "zdevents", "True"], result.stderr


def test_the_registry_holds_each_commands_help_line_and_first_example() -> None:
    # What `zdevents --help` shows without importing the commands' modules is what the
    # modules themselves say: their help line, and the first example of their help.
    full = build_parser()
    (action,) = [a for a in full._actions if isinstance(a, argparse._SubParsersAction)]
    lines = {choice.dest: choice.help for choice in action._choices_actions}
    assert list(action.choices) == list(COMMANDS)
    for name, parser in action.choices.items():
        assert lines[name] == COMMANDS[name].help, name
        mine = [e for e in examples_of(parser.epilog) if e.split()[1:2] == [name]]
        assert mine[:1] == [COMMANDS[name].example], name
