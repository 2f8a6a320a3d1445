"""``zdevents completion bash|zsh|fish``: each script is produced from the parser, and the
bash one loads in a real bash and completes commands, flags and choices."""

from __future__ import annotations

import argparse
import errno
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli._helpers import run
from zdevents.cli import main
from zdevents.cli._completion import SHELLS
from zdevents.cli._main import build_parser


def commands() -> list[str]:
    [action] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return list(action.choices)


@pytest.mark.parametrize("shell", SHELLS)
def test_each_shell_gets_a_script_naming_every_command_and_flag(shell: str) -> None:
    result = run(None, "completion", shell)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    script = result.stdout
    # fish names a flag without its dashes (-l since).
    for word in (*commands(), "since", "identifiers-file", "check"):
        assert word in script, word


@pytest.mark.parametrize("shell", SHELLS)
def test_each_script_is_read_by_its_shell_without_a_syntax_error(shell: str) -> None:
    # A machine without the shell (a fresh CI runner has no zsh or fish) says so in the
    # report, rather than passing without having looked.
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed here")
    script = run(None, "completion", shell).stdout
    check = subprocess.run([shell, "-n"], input=script, capture_output=True, text=True,
                           timeout=60, check=False)  # fmt: skip
    assert check.returncode == 0, check.stderr


BASH_COMPLETE = r"""
source "$1"
complete_words() {
    COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
    local function=$(complete -p zdevents | sed -E 's/.* -F ([^ ]+) .*/\1/')
    "$function" zdevents "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
    echo "${COMPREPLY[*]}"
}
complete_words zdevents ev
complete_words zdevents events --si
complete_words zdevents completion ''
complete_words zdevents auth lo
complete_words zdevents events --format ''
"""


def test_the_bash_script_loads_in_bash_and_completes(tmp_path: Path) -> None:
    script = tmp_path / "zdevents.bash"
    script.write_text(run(None, "completion", "bash").stdout)
    syntax = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True,
                            timeout=60, check=False)  # fmt: skip
    assert syntax.returncode == 0, syntax.stderr
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", BASH_COMPLETE, "bash",
                           str(script)], capture_output=True, text=True, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "events",
        "--since",
        "bash zsh fish",
        "login logout",
        "jsonl json csv table",
    ]


def test_without_shtab_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "shtab", None)  # import shtab: ModuleNotFoundError
    result = run(None, "completion", "bash")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "zdevents: error: completion needs the shtab package: pip install 'zdevents[completion]'\n"
    )


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed here")
def test_the_fish_script_completes_in_a_real_fish(tmp_path: Path) -> None:
    script = tmp_path / "zdevents.fish"
    script.write_text(run(None, "completion", "fish").stdout)
    done = subprocess.run(
        ["fish", "--no-config", "-c",
         f"source {script}; complete -C 'zdevents ev'; complete -C 'zdevents events --si'"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [line.split("\t")[0] for line in done.stdout.splitlines()] == ["events", "--since"]


class _FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    ("stdout", "message"),
    [(None, "standard output is closed"),
     (_FullDisk(), "cannot write the script to standard output: No space left on device")],
)  # fmt: skip
def test_a_script_that_cannot_be_written_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, stdout: io.StringIO | None, message: str
) -> None:
    # zdevents completion bash >&- (stdout is None in Python), or > a full disk.
    monkeypatch.setattr(sys, "stdout", None)
    err = io.StringIO()
    status = main(["completion", "bash"], stdout=stdout, stderr=err, environ={})
    assert status == 1
    assert err.getvalue().startswith(f"zdevents: error: {message}")
    assert err.getvalue().count("\n") == 1
