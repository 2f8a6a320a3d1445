"""A user's strictly typed script type-checks, and a misspelt option is a type error.

Runs the real checkers in subprocesses: ``mypy --strict`` and basedpyright (strict through
the script's ``# pyright: strict`` comment), on ``typing/user_script.py`` and on small
scripts with mistakes a user makes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("typing") / "user_script.py"
BIN = Path(sys.executable).parent


def pyright(path: Path) -> subprocess.CompletedProcess[str]:
    exe = BIN / "basedpyright"
    if not exe.exists():
        found = shutil.which("basedpyright")
        if found is None:
            pytest.fail("basedpyright is not installed (it is in the dev extra)")
        exe = Path(found)
    return subprocess.run(
        [str(exe), "--pythonpath", sys.executable, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.xdist_group("mypy")
def test_a_users_script_with_every_public_name_passes_mypy_strict(mypy_strict: Any) -> None:
    done = mypy_strict(str(SCRIPT))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_a_users_script_with_every_public_name_passes_basedpyright_strict() -> None:
    done = pyright(SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors" in done.stdout


MISTAKES = {
    "misspelt option": 'Client(subdomian="coolbikes", oauth_token="t")',
    "misspelt from_env option": "Client.from_env(max_retires=2)",
    "misspelt async option": 'AsyncClient(subdomain="coolbikes", oauth_token="t", timout=3)',
    "option of the wrong type": 'Client(subdomain="coolbikes", oauth_token="t", max_retries="2")',
    "misspelt with_options option": "Client.from_env().with_options(timeuot=3)",
    "misspelt events filter": 'Client.from_env().events(user_id=1, sorce="shop")',
}


@pytest.mark.slow
@pytest.mark.xdist_group("mypy")
def test_each_of_a_users_mistakes_is_a_type_error(tmp_path: Path, mypy_strict: Any) -> None:
    # One mypy run for all of them: each mistake on its own line, each line must fail.
    names = sorted(MISTAKES)
    lines = ["from zdevents import AsyncClient, Client", ""]
    lines += [MISTAKES[name] for name in names]
    path = tmp_path / "mistakes.py"
    path.write_text("\n".join(lines) + "\n")
    done = mypy_strict(str(path))
    assert done.returncode == 1, done.stdout
    for number, name in enumerate(names, start=3):
        errors = [
            line
            for line in done.stdout.splitlines()
            if line.startswith(f"{path}:{number}: error:")
            or f"mistakes.py:{number}: error:" in line
        ]
        assert errors, f"{name} passed mypy: {done.stdout}"
        assert any("call-arg" in e or "arg-type" in e for e in errors), errors
