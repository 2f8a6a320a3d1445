"""dlt is an extra: zdevents, its command line and its sandbox work without it, and
``zdevents load`` says how to get it. (Not skipped when dlt is missing: that is the case.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli._helpers import run, without_notice

_ROOT = Path(__file__).resolve().parents[2]


def test_importing_zdevents_its_command_line_and_sandbox_imports_no_dlt() -> None:
    code = (
        "import sys, io, zdevents, zdevents.cli, zdevents.sandbox, zdevents.limits\n"
        "from zdevents.cli import main\n"
        "main(['load', '--help'], stdout=io.StringIO(), stderr=io.StringIO())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dlt', 'duckdb')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=_ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_load_without_dlt_names_the_extra_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dlt", None)  # `import dlt` raises ImportError
    people = tmp_path / "people.txt"
    people.write_text("user_id:1\n")
    result = run(None, "load", "--identifiers-file", str(people), cwd=tmp_path)
    assert result.returncode == 2
    assert without_notice(result.stderr) == (
        "zdevents: error: zdevents load needs dlt: pip install 'zdevents[dlt]'\n"
    )
    assert list(tmp_path.iterdir()) == [people]
