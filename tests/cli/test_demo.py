"""``make demo`` (scripts/demo.py) runs from start to end and exits 0."""

from __future__ import annotations

import importlib.util
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# A sandbox and a dozen real commands, each its own process: the slowest test of the edit
# loop, so `make test` runs it and `make test-fast` does not.
@pytest.mark.slow
def test_demo_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "--output-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "CREATED_AT" in out and "bike_rental_booked" in out
    assert "Stopped the sandbox" in out
    # It logged in through the browser flow, used the stored login, and logged out.
    assert "zdevents auth login --no-browser" in out and "Logged in to http://127.0.0.1:" in out
    assert "credentials: stored login" in out and "Logged out of" in out
    assert not list((tmp_path / "zdevents-home" / "logins").glob("*.json"))
    # It ends by saying where the command it ran lives; the line printed there runs.
    venv_bin = Path(sys.prefix) / "bin"
    assert f". {venv_bin / 'activate'}" in out or ". .venv/bin/activate" in out
    shown = next(line.split()[0] for line in out.splitlines() if line.endswith("zdevents --help"))
    assert Path(shown).name == "zdevents"
    helped = subprocess.run(
        [str(ROOT / shown) if not Path(shown).is_absolute() else shown, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert helped.returncode == 0 and "usage: zdevents" in helped.stdout
    events = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    booked = [e for e in events if e["type"] == "bike_rental_booked"]
    assert [e["created_at"] for e in booked] == ["2020-02-28T18:13:28.175841347Z"]
    assert all("2020-02-23" <= e["created_at"][:10] <= "2020-02-29" for e in events)


def test_outside_a_virtual_environment_the_hint_names_the_python_that_ran_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "python -m zdevents" named an interpreter that may not exist (Debian has python3
    # only), or another one without zdevents.
    spec = importlib.util.spec_from_file_location("demo_script", ROOT / "scripts" / "demo.py")
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    monkeypatch.setattr(sys, "prefix", sys.base_prefix)
    assert demo.how_to_run_it() == (
        f"To run zdevents yourself: {shlex.quote(sys.executable)} -m zdevents --help"
    )
