"""``zdevents events --resume``: interrupted for real (SIGINT, SIGKILL, a failing server) in
the middle of an export, then run again; every event must appear exactly once."""

from __future__ import annotations

import csv
import io
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli._helpers import (
    EVENTS,
    cli_env,
    jsonl,
    library_events,
    person,
    popen,
    run,
    selector,
)
from tests.cli._helpers import resume_args as _args
from tests.cli._helpers import state_of as _state
from tests.cli._helpers import wait_for_checkpoint as _wait_for_checkpoint


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"]
)
def test_interrupted_jsonl_export_resumes_exactly_once(
    slow_sandbox: Any, tmp_path: Path, sig: signal.Signals
) -> None:
    out, state = tmp_path / "events.jsonl", tmp_path / "events.state"
    proc = popen(slow_sandbox, *_args(out, state))
    _wait_for_checkpoint(state, 50, proc)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=30)
    expected_status = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -9}[sig]
    assert proc.returncode == expected_status, stderr
    if sig != signal.SIGKILL:
        assert "run the same command again to resume" in stderr
        assert "Traceback" not in stderr
    saved = _state(state)
    assert not saved["done"] and 50 <= saved["events"] < EVENTS
    if sig == signal.SIGKILL:
        # A crash mid-write: a torn line after the checkpoint must be dropped on resume.
        with out.open("ab") as f:
            f.write(b'{"id":"torn-wri')

    again = run(slow_sandbox, *_args(out, state))
    assert again.returncode == 0, again.stderr
    events = jsonl(out.read_text())
    assert events == library_events(slow_sandbox, identifier=selector(0))
    assert len({e["id"] for e in events}) == EVENTS
    assert _state(state)["done"] is True

    before = out.read_bytes()
    third = run(slow_sandbox, *_args(out, state))
    assert third.returncode == 0
    assert "already complete" in third.stderr
    assert out.read_bytes() == before


def test_interrupted_csv_export_keeps_one_header(slow_sandbox: Any, tmp_path: Path) -> None:
    out, state = tmp_path / "events.csv", tmp_path / "events.state"
    proc = popen(slow_sandbox, *_args(out, state, "csv"))
    _wait_for_checkpoint(state, 30, proc)
    proc.kill()
    proc.communicate(timeout=30)
    again = run(slow_sandbox, *_args(out, state, "csv"))
    assert again.returncode == 0, again.stderr
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0][0] == "id" and sum(row[0] == "id" for row in rows) == 1
    expected = library_events(slow_sandbox, identifier=selector(0))
    assert [row[0] for row in rows[1:]] == [e["id"] for e in expected]


def test_export_cut_by_server_failures_resumes(slow_sandbox: Any, tmp_path: Path) -> None:
    out, state = tmp_path / "events.jsonl", tmp_path / "events.state"
    proc = popen(slow_sandbox, *_args(out, state), "--max-retries", "0")
    _wait_for_checkpoint(state, 40, proc)
    slow_sandbox.set_faults("503=1")
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "HTTP 503" in stderr and "run the same command again to resume" in stderr
    slow_sandbox.set_faults(None)
    again = run(slow_sandbox, *_args(out, state))
    assert again.returncode == 0, again.stderr
    assert jsonl(out.read_text()) == library_events(slow_sandbox, identifier=selector(0))


def test_state_of_another_command_is_refused(slow_sandbox: Any, tmp_path: Path) -> None:
    out, state = tmp_path / "events.jsonl", tmp_path / "events.state"
    first = run(slow_sandbox, *_args(out, state), "--limit", "15")
    assert first.returncode == 0, first.stderr
    assert len(out.read_text().splitlines()) == 15
    before = out.read_bytes()
    other = run(slow_sandbox, *_args(out, state), "--source", "shop")
    assert other.returncode == 2
    assert "differs in: limit, source" in other.stderr
    assert out.read_bytes() == before
    assert slow_sandbox.request_count == 2  # only the first command's pages


def test_fresh_resume_replaces_an_old_output(slow_sandbox: Any, tmp_path: Path) -> None:
    out, state = tmp_path / "events.jsonl", tmp_path / "events.state"
    out.write_text("old content\n")
    result = run(slow_sandbox, *_args(out, state))
    assert result.returncode == 0, result.stderr
    assert len(jsonl(out.read_text())) == EVENTS


AGAIN = "run the same command again"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("failure", ["401", "503"])
def test_fresh_resume_failing_before_its_first_page_changes_no_file(
    slow_sandbox: Any, tmp_path: Path, fmt: str, failure: str
) -> None:
    out, state = tmp_path / f"keep.{fmt}", tmp_path / "keep.state"
    out.write_bytes(b"PRECIOUS\n")
    env = cli_env(slow_sandbox)
    if failure == "401":
        env["ZENDESK_API_TOKEN"] = "wrong"
    else:
        slow_sandbox.set_faults("503=1")
    result = run(slow_sandbox, *_args(out, state, fmt), "--max-retries", "0", env=env)
    assert result.returncode == 1, result.stderr
    assert f"HTTP {failure}" in result.stderr
    # Nothing was saved, so there is nothing to resume: the message must not promise it.
    assert AGAIN not in result.stderr
    assert out.read_bytes() == b"PRECIOUS\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no state, no temp file


def test_fresh_resume_interrupted_in_its_first_request_changes_no_file(
    zendesk_sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = zendesk_sandbox_factory(latency=5)
    sandbox.add_events(person(0, 20))
    out, state = tmp_path / "keep.jsonl", tmp_path / "keep.state"
    out.write_bytes(b"PRECIOUS\n")
    proc = popen(sandbox, *_args(out, state))
    deadline = time.monotonic() + 30
    while sandbox.request_count == 0:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no request"
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and AGAIN not in stderr
    assert out.read_bytes() == b"PRECIOUS\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_resume_hint_only_for_failures_a_rerun_can_fix(slow_sandbox: Any, tmp_path: Path) -> None:
    out, state = tmp_path / "events.jsonl", tmp_path / "events.state"
    proc = popen(slow_sandbox, *_args(out, state))
    _wait_for_checkpoint(state, 30, proc)
    proc.kill()
    proc.communicate(timeout=30)
    # A checkpoint exists, but a rerun with wrong credentials gets the same 401 again.
    wrong = run(slow_sandbox, *_args(out, state), env=cli_env(slow_sandbox, ZENDESK_API_TOKEN="x"))
    assert wrong.returncode == 1
    assert "HTTP 401" in wrong.stderr and AGAIN not in wrong.stderr
    again = run(slow_sandbox, *_args(out, state))
    assert again.returncode == 0, again.stderr
    assert jsonl(out.read_text()) == library_events(slow_sandbox, identifier=selector(0))


def test_a_torn_last_journal_line_is_dropped_on_resume(slow_sandbox: Any, tmp_path: Path) -> None:
    out, state = tmp_path / "events.jsonl", tmp_path / "events.state"
    proc = popen(slow_sandbox, *_args(out, state))
    _wait_for_checkpoint(state, 30, proc)
    proc.kill()
    proc.communicate(timeout=30)
    saved = _state(state)
    # A crash in the middle of appending a record: were it believed, the offset past the end
    # of the output would be refused and the events count would be wrong.
    torn = b'{"events":9999,"pages":999,"offset":99999,"cur'
    with state.open("ab") as f:
        f.write(torn)
    assert _state(state)["events"] == saved["events"]
    again = run(slow_sandbox, *_args(out, state))
    assert again.returncode == 0, again.stderr
    events = jsonl(out.read_text())
    assert events == library_events(slow_sandbox, identifier=selector(0))
    assert torn not in state.read_bytes()
    assert _state(state)["done"] is True and _state(state)["events"] == EVENTS
