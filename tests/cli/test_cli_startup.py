"""Ctrl-C while the ``zdevents`` command starts (its modules still importing) ends it quietly
with status 130, as Ctrl-C does later (issue 20): no traceback.

A real SIGINT at a known moment: a ``sitecustomize`` in a temporary folder makes the process
send itself SIGINT when a given module starts to import.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli._helpers import ZDEVENTS, cli_env

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
    "module", ["httpx", "msgspec", "zdevents._client", "zdevents.cli._main", "zdevents.cli._track"]
)
@pytest.mark.parametrize("how", ["command", "python -m"])
def test_ctrl_c_while_the_command_starts_exits_130_quietly(
    tmp_path: Path, module: str, how: str
) -> None:
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = cli_env(ZDEVENTS_TEST_INTERRUPT_AT=module)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    command = ZDEVENTS if how == "command" else [sys.executable, "-m", "zdevents"]
    result = subprocess.run(
        [*command, "--version"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 130, result.stderr
    assert result.stderr == "" and result.stdout == ""


def test_the_library_imported_by_a_program_keeps_its_ctrl_c(tmp_path: Path) -> None:
    # Only the command is quiet: a program that imports zdevents gets its KeyboardInterrupt.
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = cli_env(ZDEVENTS_TEST_INTERRUPT_AT="zdevents._client")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    script = "try:\n    import zdevents\nexcept KeyboardInterrupt:\n    print('caught')\n"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout == "caught\n", result.stderr
