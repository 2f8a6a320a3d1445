"""The test suite's own set-up as the Makefile runs it: ``--dist loadgroup`` really sends the
tests of one ``xdist_group`` to one worker, and the scheduler of tests/_xdist.py a module's
tests too (the node toolchains and the docs examples rely on
it: under pytest 9.2, pytest-xdist 3.8 silently stopped grouping, pytest-dev/pytest-xdist#1386)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests._xdist import scope_of

_GROUPED = """
import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    pass
"""

_FREE = """
import pytest


@pytest.mark.parametrize("n", range(6))
def test_free(n):
    pass
"""

_RESULT = re.compile(r"^\[(gw\d+)\] \[\s*\d+%\] PASSED (\S+)\s*$", re.M)


def test_loadgroup_runs_a_group_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_a_grouped.py").write_text(_GROUPED, encoding="utf-8")
    (tmp_path / "test_b_grouped.py").write_text(_GROUPED, encoding="utf-8")
    (tmp_path / "test_free.py").write_text(_FREE, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    command = ["-n", "2", "--dist", "loadgroup", "-v", "-p", "xdist", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *command, str(tmp_path)],
        cwd=tmp_path,
        # Only xdist: the other plugins installed here (schemathesis, hypothesis, ...) only
        # cost start-up time, in each worker.
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    workers: dict[str, set[str]] = {}
    for worker, test in _RESULT.findall(result.stdout):
        workers.setdefault("grouped" if "grouped" in test else test, set()).add(worker)
    assert len(_RESULT.findall(result.stdout)) == 18, result.stdout
    # Twelve tests in two files, all on one worker (and their ids say their group).
    assert len(workers["grouped"]) == 1, result.stdout
    grouped = [test for _, test in _RESULT.findall(result.stdout) if "grouped" in test]
    assert len(grouped) == 12 and all(test.endswith("@together") for test in grouped)


_CONFTEST = """
from tests._xdist import pytest_xdist_make_scheduler
"""


def test_the_makefile_scheduler_keeps_a_modules_tests_and_a_group_on_one_worker(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_a_grouped.py").write_text(_GROUPED, encoding="utf-8")
    (tmp_path / "test_b_grouped.py").write_text(_GROUPED, encoding="utf-8")
    (tmp_path / "test_free.py").write_text(_FREE, encoding="utf-8")
    (tmp_path / "test_other.py").write_text(_FREE.replace("test_free", "test_other"), "utf-8")
    (tmp_path / "conftest.py").write_text(_CONFTEST, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    command = ["-n", "2", "--dist", "loadgroup", "--no-loadscope-reorder", "-v", "-p", "xdist"]
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *command, "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": str(root)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    workers: dict[str, set[str]] = {}
    for worker, test in _RESULT.findall(result.stdout):
        unit = "grouped" if "grouped" in test else test.split("::")[0]
        workers.setdefault(unit, set()).add(worker)
    assert len(_RESULT.findall(result.stdout)) == 24, result.stdout
    assert set(workers) == {"grouped", "test_free.py", "test_other.py"}, result.stdout
    assert all(len(found) == 1 for found in workers.values()), workers


def test_contract_runs_and_examples_are_handed_out_one_by_one() -> None:
    assert scope_of("tests/cli/test_cli.py::test_version") == "tests/cli/test_cli.py"
    assert scope_of("tests/cli/test_cli.py::test_x[a::b]") == "tests/cli/test_cli.py"
    assert scope_of("tests/contract/test_node.py::test_x@node") == "node"
    contract = "tests/contract/test_contract.py::test_sandbox_meets_the_spec[*]"
    assert scope_of(contract) == contract
    assert scope_of("docs/cli/events.md::sybil:docs,line:6@docs-examples") == "docs-examples"
    assert scope_of("tests/library/test_q.py::test_at[a@b]") == "tests/library/test_q.py"
