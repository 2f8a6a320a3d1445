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


def pyright(*paths: Path) -> subprocess.CompletedProcess[str]:
    exe = BIN / "basedpyright"
    if not exe.exists():
        found = shutil.which("basedpyright")
        if found is None:
            pytest.fail("basedpyright is not installed (it is in the dev extra)")
        exe = Path(found)
    return subprocess.run(
        [str(exe), "--pythonpath", sys.executable, *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


MISTAKES = {
    "misspelt option": 'Client(subdomian="coolbikes", oauth_token="t")',
    "misspelt from_env option": "Client.from_env(max_retires=2)",
    "misspelt async option": 'AsyncClient(subdomain="coolbikes", oauth_token="t", timout=3)',
    "option of the wrong type": 'Client(subdomain="coolbikes", oauth_token="t", max_retries="2")',
    "misspelt with_options option": "Client.from_env().with_options(timeuot=3)",
    "misspelt events filter": 'Client.from_env().events(user_id=1, sorce="shop")',
    "client option given to with_options": "Client.from_env().with_options(rate_limit=5)",
    "async pool given to Client": "Client.from_env(http_client=httpx.AsyncClient())",
    "sync pool given to AsyncClient": "AsyncClient(http_client=httpx.Client())",
}
#: The line of the first mistake in the file that :func:`mistakes` writes.
FIRST_MISTAKE_LINE = 4


def mistakes(folder: Path) -> tuple[Path, list[str]]:
    """A script with each of :data:`MISTAKES` on a line of its own, and their names in the
    order of those lines (from :data:`FIRST_MISTAKE_LINE`)."""
    names = sorted(MISTAKES)
    lines = ["import httpx", "from zdevents import AsyncClient, Client", ""]
    lines += [MISTAKES[name] for name in names]
    path = folder / "mistakes.py"
    path.write_text("\n".join(lines) + "\n")
    return path, names


# One run of each checker for both files (each run costs seconds): the user's script
# passes, and each mistake is an error on its own line.


@pytest.mark.slow
@pytest.mark.xdist_group("mypy")  # mypy_strict's cache (tests/conftest.py)
def test_mypy_strict_passes_a_users_script_and_fails_each_of_a_users_mistakes(
    tmp_path: Path, mypy_strict: Any
) -> None:
    path, names = mistakes(tmp_path)
    done = mypy_strict(str(SCRIPT), str(path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert not [line for line in done.stdout.splitlines() if SCRIPT.name in line], done.stdout
    for number, name in enumerate(names, start=FIRST_MISTAKE_LINE):
        errors = [
            line for line in done.stdout.splitlines() if f"mistakes.py:{number}: error:" in line
        ]
        assert errors, f"{name} passed mypy: {done.stdout}"
        assert any("call-arg" in e or "arg-type" in e for e in errors), errors


@pytest.mark.slow
def test_basedpyright_strict_passes_a_users_script_and_fails_each_of_a_users_mistakes(
    tmp_path: Path,
) -> None:
    path, names = mistakes(tmp_path)
    done = pyright(SCRIPT, path)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert not [line for line in lines if f"{SCRIPT.name}:" in line and " - error: " in line]
    assert f"{len(names)} errors" in done.stdout, done.stdout
    for number, name in enumerate(names, start=FIRST_MISTAKE_LINE):
        assert any(f"mistakes.py:{number}:" in line and " - error: " in line for line in lines), (
            f"{name} passed basedpyright: {done.stdout}"
        )
