"""Files and processes (issue 10): special --output paths, symlinks, ``-o -``, the state lock,
an unusable or failing --resume state, signals, and the inputs that used to be tracebacks.
All against the real executable and a running sandbox; device nodes and FIFOs are made in
``tmp_path`` (never ``/dev``)."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli._helpers import (
    USER,
    ZDEVENTS,
    cli_env,
    demo,
    jsonl,
    library_events,
    no_traceback,
    person,
    popen,
    run,
    run_meanwhile,
    selector,
    tamper_state,
    wait_for_requests,
    without_notice,
)
from tests.cli._helpers import resume_args as _args
from tests.cli._helpers import state_of as _state
from tests.cli._helpers import wait_for_checkpoint as _wait_for_checkpoint


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".tmp"))


# --------------------------------------------------------------------------- special outputs


@demo
def test_fifo_output_is_streamed_to_its_reader_and_stays_a_fifo(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run(zendesk_sandbox, "events", "--user-id", USER, "--output", str(fifo))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert jsonl(received[0].decode()) == library_events(zendesk_sandbox, user_id=USER)
    assert temp_files(tmp_path) == []


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="os.mknod of a device needs root")


@needs_root
@demo
def test_character_device_output_is_written_not_replaced(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    result = run(zendesk_sandbox, "events", "--user-id", USER, "-o", str(null))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert os.lstat(null).st_rdev == os.makedev(1, 3)
    assert temp_files(tmp_path) == []


@needs_root
@demo
def test_full_device_output_fails_with_one_line_and_stays_a_device(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    full = tmp_path / "full"
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # what /dev/full is
    result = run(zendesk_sandbox, "events", "--user-id", USER, "-o", str(full))
    assert result.returncode == 1
    no_traceback(result)
    assert f"writing {full} failed" in result.stderr
    assert stat.S_ISCHR(os.lstat(full).st_mode)


@demo
def test_unix_socket_output_is_connected_to(zendesk_sandbox: Any, tmp_path: Path) -> None:
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    server.settimeout(30)
    received = bytearray()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    result = run(zendesk_sandbox, "events", "--user-id", USER, "-o", str(path))
    thread.join(timeout=30)
    server.close()
    assert result.returncode == 0, result.stderr
    assert stat.S_ISSOCK(os.lstat(path).st_mode)
    assert jsonl(received.decode()) == library_events(zendesk_sandbox, user_id=USER)


@demo
def test_symlinked_output_writes_the_target_and_keeps_the_link(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "events.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    result = run(zendesk_sandbox, "events", "--user-id", USER, "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert jsonl(target.read_text()) == library_events(zendesk_sandbox, user_id=USER)
    assert temp_files(tmp_path) == []


@demo
def test_dash_is_standard_output(zendesk_sandbox: Any, tmp_path: Path) -> None:
    result = run(zendesk_sandbox, "events", "--user-id", USER, "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == library_events(zendesk_sandbox, user_id=USER)
    assert list(tmp_path.iterdir()) == []


@demo
def test_resume_into_a_special_file_is_refused(zendesk_sandbox: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run(zendesk_sandbox, "events", "--user-id", USER, "-o", str(fifo),
                 "--resume", str(tmp_path / "state"))  # fmt: skip
    assert result.returncode == 2
    no_traceback(result)
    assert "regular file" in result.stderr
    assert zendesk_sandbox.request_count == 0


# --------------------------------------------------------------------------- the resume state


def test_a_second_run_on_a_state_in_use_exits_2_and_touches_nothing(
    slow_sandbox: Any, tmp_path: Path
) -> None:
    out, state = tmp_path / "out.jsonl", tmp_path / "state"
    slow_sandbox.latency = 0.2  # still running when the second run starts
    first = popen(slow_sandbox, *_args(out, state))
    _wait_for_checkpoint(state, 30, first)
    second = run(slow_sandbox, *_args(out, state))
    assert second.returncode == 2
    no_traceback(second)
    assert "in use by another zdevents run" in second.stderr
    assert first.poll() is None  # the test proves nothing if the first run had ended
    slow_sandbox.latency = 0  # the rest of its pages need not wait
    # The second run sent nothing, and the first one finishes undisturbed: every event once.
    _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert slow_sandbox.request_count == _state(state)["pages"]
    assert jsonl(out.read_text()) == library_events(slow_sandbox, identifier=selector(0))
    assert _state(state)["done"] is True
    assert not Path(str(state) + ".lock").exists()
    assert temp_files(tmp_path) == []


def test_state_in_a_missing_folder_is_refused_before_any_request(
    slow_sandbox: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    result = run(slow_sandbox, *_args(out, tmp_path / "missing" / "state"))
    assert result.returncode == 2
    no_traceback(result)
    assert "--resume" in result.stderr and "No such file or directory" in result.stderr
    assert slow_sandbox.request_count == 0
    assert out.read_text() == "old\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_state_in_an_unwritable_folder_is_refused_before_any_request(
    slow_sandbox: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = run(slow_sandbox, *_args(tmp_path / "out.jsonl", folder / "state"))
    finally:
        folder.chmod(0o700)
    assert result.returncode == 2
    assert "Permission denied" in result.stderr
    assert slow_sandbox.request_count == 0


def _break_folder(folder: Path) -> Path:
    """Move ``folder`` away and put a plain file in its place: nothing can be created there."""
    moved = folder.with_name(folder.name + "-moved")
    folder.rename(moved)
    folder.write_text("not a folder\n")
    return moved


def test_a_failing_first_checkpoint_keeps_the_old_output(slow_sandbox: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    folder = tmp_path / "states"
    folder.mkdir()
    slow_sandbox.latency = 0.5  # time to break the folder during the first request
    moved: list[Path] = []

    def break_it() -> None:
        wait_for_requests(slow_sandbox, 1)
        moved.append(_break_folder(folder))

    result = run_meanwhile(slow_sandbox, *_args(out, folder / "state"), meanwhile=break_it)
    err = result.stderr
    assert result.returncode == 1
    assert "saving --resume" in err and "Traceback" not in err
    assert out.read_text() == "old\n"
    assert temp_files(tmp_path) == []
    assert not (moved[0] / "state").exists()


def test_a_failing_later_checkpoint_keeps_the_previous_one(
    slow_sandbox: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    folder = tmp_path / "states"
    folder.mkdir()
    state = folder / "state"
    moved: list[Path] = []

    def break_it() -> None:
        _wait_for_checkpoint(state, 30)
        moved.append(_break_folder(folder))

    result = run_meanwhile(slow_sandbox, *_args(out, state), meanwhile=break_it)
    err = result.stderr
    assert result.returncode == 1
    assert "saving --resume" in err and "run the same command again to resume" in err
    saved = _state(moved[0] / "state")
    assert saved["events"] >= 30 and saved["done"] is False
    # Put the folder back: the rerun goes on from the last good checkpoint, exactly once.
    folder.unlink()
    moved[0].rename(folder)
    (folder / "state.lock").unlink(missing_ok=True)
    again = run(slow_sandbox, *_args(out, state))
    assert again.returncode == 0, again.stderr
    assert jsonl(out.read_text()) == library_events(slow_sandbox, identifier=selector(0))
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("events", "2"), ("events", None), ("cursor", ""), ("done", "false"), ("offset", 1.5)],
)
def test_a_tampered_state_is_a_one_line_usage_error(
    slow_sandbox: Any, tmp_path: Path, field: str, value: object
) -> None:
    out, state = tmp_path / "out.jsonl", tmp_path / "state"
    proc = popen(slow_sandbox, *_args(out, state))
    _wait_for_checkpoint(state, 30, proc)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    tamper_state(state, field, value)
    before = out.read_bytes()
    requests = slow_sandbox.request_count
    result = run(slow_sandbox, *_args(out, state))
    assert result.returncode == 2
    no_traceback(result)
    assert f'"{field}"' in result.stderr and "delete it to start over" in result.stderr
    assert out.read_bytes() == before
    assert slow_sandbox.request_count == requests


# --------------------------------------------------------------------------- signals


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_no_signal_leaves_a_temporary_file(
    zendesk_sandbox_factory: Any, tmp_path: Path, signum: int
) -> None:
    # Pages of one event: checkpoints (and their fsyncs) all the time, so that signals at
    # random moments land in every step of a checkpoint, the first one included. 250 pages
    # of at least 3 ms each: the export takes longer than the 0.6 s in which a signal may
    # come (more pages would only lengthen the part no signal reaches).
    sandbox = zendesk_sandbox_factory(latency=0.003)
    sandbox.add_events(person(0, 250))
    expected = library_events(sandbox, identifier=selector(0))
    rng = random.Random(signum)
    for attempt in range(6):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        out, state = folder / "out.jsonl", folder / "state"
        args = ["events", "--identifier", selector(0), "--page-size", "1",
                "--output", str(out), "--resume", str(state)]  # fmt: skip
        before = sandbox.request_count
        proc = popen(sandbox, *args)
        deadline = time.monotonic() + 30
        while sandbox.request_count == before:  # the export is under way (imports are done)
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.6))
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (0, 128 + signum), err
        assert "Traceback" not in err
        assert temp_files(folder) == [], err
        assert not Path(str(state) + ".lock").exists()
        if proc.returncode:
            again = run(sandbox, *args)
            assert again.returncode == 0, again.stderr
        assert jsonl(out.read_text()) == expected


# --------------------------------------------------------------------------- no tracebacks


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--profile-id", b"\xff"), ("--source", b"caf\xe9"), ("--identifier", b"a:b:email:\xff")],
)
def test_non_utf8_arguments_are_a_one_line_usage_error(
    zendesk_sandbox: Any, flag: str, value: bytes
) -> None:
    # In-process, with the argument as a process gets it from bytes (surrogate escapes).
    args = ["events", flag, os.fsdecode(value)]
    if flag == "--source":
        args += ["--user-id", USER]
    result = run(zendesk_sandbox, *args)
    err = result.stderr
    assert result.returncode == 2, err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert f"argument {flag}:" in err and "not valid UTF-8" in err
    assert result.stdout == ""
    assert zendesk_sandbox.request_count == 0


def test_non_utf8_type_is_a_usage_error(zendesk_sandbox: Any) -> None:
    result = run(zendesk_sandbox, "events", "--user-id", USER, "--source", "x",
                 "--type", os.fsdecode(b"\xff"))  # fmt: skip
    assert result.returncode == 2
    assert "argument --type:" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["1e10", "inf", "nan", "0", "-1"])
def test_absurd_timeouts_are_a_one_line_usage_error(zendesk_sandbox: Any, value: str) -> None:
    result = run(zendesk_sandbox, "events", "--user-id", USER, "--timeout", value)
    assert result.returncode == 2
    no_traceback(result)
    assert "argument --timeout:" in result.stderr
    assert zendesk_sandbox.request_count == 0


def _shell(sandbox: Any, redirect: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI with a shell redirection applied (``>&-`` closes stdout)."""
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {redirect}', "sh", *ZDEVENTS, *args],
        env=cli_env(sandbox),
        capture_output=True,
        timeout=60,
        check=False,
    )


@demo
def test_closed_stdout_is_a_one_line_error(zendesk_sandbox: Any) -> None:
    result = _shell(zendesk_sandbox, ">&-", "events", "--user-id", USER)
    err = without_notice(result.stderr.decode())
    assert result.returncode == 2, err
    assert "standard output is closed" in err and len(err.splitlines()) == 1
    assert zendesk_sandbox.request_count == 0


@demo
def test_closed_stdout_with_an_output_file_works(zendesk_sandbox: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = _shell(zendesk_sandbox, ">&-", "events", "--user-id", USER, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert jsonl(out.read_text()) == library_events(zendesk_sandbox, user_id=USER)


@demo
def test_closed_stderr_keeps_errors_out_of_stdout(zendesk_sandbox: Any) -> None:
    bad = _shell(zendesk_sandbox, "2>&-", "events", "--user-id", USER, "--type", "x")
    assert bad.returncode == 2
    assert bad.stdout == b""
    missing = _shell(zendesk_sandbox, "2>&-", "events", "--user-id", "999999")
    assert missing.returncode == 1
    assert missing.stdout == b""
    good = _shell(zendesk_sandbox, "2>&-", "events", "--user-id", USER)
    assert good.returncode == 0
    assert jsonl(good.stdout.decode()) == library_events(zendesk_sandbox, user_id=USER)


def test_closed_stderr_keeps_tracks_summary_out_of_stdout(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    # With fd 2 closed, sys.stderr is None and print(file=None) wrote the summary to
    # standard output, which track keeps empty.
    records = tmp_path / "r.jsonl"
    good = {"event": {"source": "s", "type": "t"}, "profile": person(0, 1)[0]["profile"]}
    bad = {"event": {"source": "s", "type": "t"}, "profile_id": "01NOSUCHPROFILE"}
    records.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    failed = tmp_path / "failed.jsonl"
    result = _shell(zendesk_sandbox, "2>&-", "track", str(records), "--failed", str(failed))
    assert result.returncode == 1
    assert result.stdout == b""
    assert [json.loads(line)["profile_id"] for line in failed.read_text().splitlines()] == [
        "01NOSUCHPROFILE"
    ]


def test_track_from_a_closed_standard_input_is_a_usage_error(zendesk_sandbox: Any) -> None:
    # `zdevents track - <&-` said "unexpected AttributeError" (sys.stdin is None), exit 1.
    result = _shell(zendesk_sandbox, "<&-", "track", "-")
    err = without_notice(result.stderr.decode())
    assert result.returncode == 2, err
    assert "cannot read standard input: it is closed" in err and "unexpected" not in err
    assert zendesk_sandbox.request_count == 0
