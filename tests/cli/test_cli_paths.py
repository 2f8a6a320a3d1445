"""Files are the files the user named, and only theirs (issue 20): every path option of every
command (``--output``, ``--resume``, ``--db``, ``--failed``) at a device, FIFO, socket,
directory or dangling symlink; locks that follow the real file through symlinks and hard
links; a lock that never collides with an output or a file of the user's. The real
executable in subprocesses; special files are made in ``tmp_path`` (never ``/dev``)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli._helpers import (
    USER,
    demo,
    no_traceback,
    person,
    run,
    run_process,
    selector,
    state_of,
)

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="os.mknod of a device needs root")
KINDS = ["fifo", "socket", pytest.param("device", marks=needs_root), "directory", "dangling",
         "loop"]  # fmt: skip


@contextlib.contextmanager
def special(kind: str, path: Path) -> Iterator[list[bytes]]:
    """Make ``path`` a ``kind`` of file that is not a regular one; for a FIFO and a socket a
    reader collects whatever is written (the list it yields)."""
    received: list[bytes] = []
    threads: list[threading.Thread] = []
    server = None
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        server.listen(1)
        server.settimeout(30)

        def serve() -> None:
            with contextlib.suppress(OSError):
                conn, _ = server.accept()
                with conn:
                    received.append(b"".join(iter(lambda: conn.recv(65536), b"")))

        threads.append(threading.Thread(target=serve, daemon=True))
    elif kind == "device":
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    elif kind == "directory":
        path.mkdir()
    elif kind == "dangling":
        path.symlink_to(path.parent / "nowhere")
    elif kind == "loop":
        path.symlink_to(path.parent / "loop-b")
        (path.parent / "loop-b").symlink_to(path)
    for thread in threads:
        thread.start()
    try:
        yield received
    finally:
        if server is not None:
            # shutdown() wakes a thread blocked in accept() (close() alone does not).
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)
            server.close()
        for thread in threads:
            thread.join(timeout=10)


def same_kind(kind: str, path: Path) -> bool:
    """Whether ``path`` is still what :func:`special` made."""
    mode = os.lstat(path).st_mode
    return {
        "fifo": stat.S_ISFIFO,
        "socket": stat.S_ISSOCK,
        "device": stat.S_ISCHR,
        "directory": stat.S_ISDIR,
        "dangling": stat.S_ISLNK,
        "loop": stat.S_ISLNK,
    }[kind](mode)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@contextlib.contextmanager
def holding(lock: Path) -> Iterator[None]:
    """Hold ``lock`` (flock) as another zdevents run would, from this process."""
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- --resume


@pytest.mark.parametrize("kind", KINDS)
def test_a_resume_state_that_is_not_a_regular_file_is_refused_before_any_request(
    zendesk_sandbox: Any, tmp_path: Path, kind: str
) -> None:
    zendesk_sandbox.add_events(person(0, 3))
    state = tmp_path / "STATE"
    out = tmp_path / "out.jsonl"
    with special(kind, state):
        before, sent = _names(tmp_path), zendesk_sandbox.request_count
        # A FIFO used to be opened for reading: the run hung for good.
        result = run(zendesk_sandbox, "events", "--identifier", selector(0), "-o", str(out),
                     "--resume", str(state), timeout=30)  # fmt: skip
        assert result.returncode == 2, result.stderr
        no_traceback(result)
        assert f"cannot use --resume {state}" in result.stderr
        assert zendesk_sandbox.request_count == sent
        assert _names(tmp_path) == before  # no output, no lock, no temporary file
        assert same_kind(kind, state)


@demo
def test_two_runs_through_a_symlinked_state_exclude_each_other(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    real, link = tmp_path / "real.state", tmp_path / "link.state"
    out = tmp_path / "out.jsonl"
    args = ["events", "--user-id", USER, "-o", str(out), "--limit", "5", "--resume"]
    first = run(zendesk_sandbox, *args, str(real))
    assert first.returncode == 0, first.stderr
    link.symlink_to(real)
    saved = real.read_bytes()
    # Another run holds the lock of the real state; this one comes through the symlink.
    with holding(tmp_path / "real.state.lock"):
        result = run(zendesk_sandbox, *args, str(link))
    assert result.returncode == 2, result.stderr
    assert "is in use by another zdevents run" in result.stderr
    assert real.read_bytes() == saved


@demo
def test_a_state_with_a_second_name_is_refused(zendesk_sandbox: Any, tmp_path: Path) -> None:
    state, other = tmp_path / "a.state", tmp_path / "b.state"
    out = tmp_path / "out.jsonl"
    args = ["events", "--user-id", USER, "-o", str(out), "--resume"]
    first = run(zendesk_sandbox, *args, str(state), "--limit", "5")
    assert first.returncode == 0, first.stderr
    os.link(state, other)
    saved = state.read_bytes()
    for name in (state, other):  # each name takes its own lock: neither may go on
        result = run(zendesk_sandbox, *args, str(name), "--limit", "5")
        assert result.returncode == 2, result.stderr
        assert "has 2 names (hard links)" in result.stderr
    assert state.read_bytes() == saved and os.path.samefile(state, other)


@demo
def test_an_output_named_as_the_state_lock_is_refused(zendesk_sandbox: Any, tmp_path: Path) -> None:
    state = tmp_path / "X"
    out = tmp_path / "X.lock"
    result = run(zendesk_sandbox, "events", "--user-id", USER, "-o", str(out),
                 "--resume", str(state))  # fmt: skip
    # It used to say "wrote N events", exit 0, then delete its own output as the lock.
    assert result.returncode == 2, result.stderr
    no_traceback(result)
    assert "is the lock file of --resume" in result.stderr
    assert _names(tmp_path) == []


@demo
def test_a_file_of_the_users_named_as_the_lock_is_neither_taken_nor_removed(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    state = tmp_path / "X"
    mine = tmp_path / "X.lock"
    mine.write_text("my notes\n")
    out = tmp_path / "out.jsonl"
    result = run(zendesk_sandbox, "events", "--user-id", USER, "-o", str(out),
                 "--resume", str(state))  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "is not a zdevents lock" in result.stderr
    assert mine.read_text() == "my notes\n"
    assert not out.exists() and not state.exists()


@demo
def test_a_resumed_export_removes_only_its_own_lock(zendesk_sandbox: Any, tmp_path: Path) -> None:
    state, out = tmp_path / "X", tmp_path / "out.jsonl"
    result = run(zendesk_sandbox, "events", "--user-id", USER, "-o", str(out),
                 "--resume", str(state))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _names(tmp_path) == ["X", "out.jsonl"]
    assert state_of(state)["done"] is True


# --------------------------------------------------------------------------- --db


def _sync(sandbox: Any, db: Path | str, *more: str, timeout: float = 60, runner: Any = run) -> Any:
    return runner(sandbox, "sync", "--db", str(db), "--identifier", selector(0), *more,
                  timeout=timeout)  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_a_database_that_is_not_a_regular_file_is_refused_before_any_request(
    zendesk_sandbox: Any, tmp_path: Path, kind: str
) -> None:
    zendesk_sandbox.add_events(person(0, 3))
    db = tmp_path / "events.db"
    with special(kind, db):
        before, sent = _names(tmp_path), zendesk_sandbox.request_count
        result = _sync(zendesk_sandbox, db, timeout=30)
        assert result.returncode == 2, result.stderr
        no_traceback(result)
        assert "run the same command again" not in result.stderr
        assert zendesk_sandbox.request_count == sent
        # Nothing beside it: no lock, no -wal or -journal (as root next to /dev/null, in /dev).
        assert _names(tmp_path) == before
        assert same_kind(kind, db)


def test_two_syncs_through_a_hard_link_exclude_each_other_and_the_database_stays_whole(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    zendesk_sandbox.add_events(person(0, 30))
    db, other = tmp_path / "events.db", tmp_path / "same.db"
    first = _sync(zendesk_sandbox, db)
    assert first.returncode == 0, first.stderr
    os.link(db, other)
    results = [None, None]

    def sync(i: int, name: Path) -> None:
        # Two processes at once (one process runs one zdevents at a time).
        results[i] = _sync(zendesk_sandbox, name, "--full", runner=run_process)

    threads = [threading.Thread(target=sync, args=(i, n)) for i, n in enumerate((db, other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        assert result is not None
        assert result.returncode == 2, result.stderr
        assert "has 2 names (hard links)" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if "-wal" in p.name) == []
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (30,)
    finally:
        conn.close()


def test_a_sync_through_a_symlink_takes_the_lock_of_the_real_database(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    zendesk_sandbox.add_events(person(0, 3))
    real, link = tmp_path / "real.db", tmp_path / "link.db"
    first = _sync(zendesk_sandbox, real)
    assert first.returncode == 0, first.stderr
    link.symlink_to(real)
    with holding(tmp_path / "real.db.lock"):
        result = _sync(zendesk_sandbox, link)
    assert result.returncode == 2, result.stderr
    assert "another zdevents sync is using" in result.stderr
    # Through the link, SQLite's journal goes beside the real file.
    done = _sync(zendesk_sandbox, link)
    assert done.returncode == 0, done.stderr
    assert _names(tmp_path) == ["link.db", "real.db", "real.db.lock"]


def test_a_file_that_is_not_a_database_is_a_usage_error_without_rerun_advice(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("not a database, but my notes\n" * 100)
    result = _sync(zendesk_sandbox, db)
    assert result.returncode == 2, result.stderr
    no_traceback(result)
    assert "is not a SQLite database" in result.stderr
    assert "run the same command again" not in result.stderr
    assert db.read_text() == "not a database, but my notes\n" * 100


# --------------------------------------------------------------------------- --failed


@pytest.mark.parametrize("kind", ["fifo", "socket", pytest.param("device", marks=needs_root)])
def test_failed_at_a_device_fifo_or_socket_is_written_to_not_replaced(
    zendesk_sandbox: Any, tmp_path: Path, kind: str
) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(r) + "\n" for r in person(0, 2)))
    failed = tmp_path / "failed"
    with special(kind, failed) as received:
        reader = None
        if kind == "fifo":
            reader = threading.Thread(target=lambda: received.append(failed.read_bytes()))
            reader.start()
        result = run(zendesk_sandbox, "track", str(records), "--failed", str(failed),
                     timeout=30)  # fmt: skip
        if reader is not None:
            reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert same_kind(kind, failed)  # never renamed over: as root, /dev/null stays a device
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert b"".join(received) == b""  # every record was accepted: nothing failed


@pytest.mark.parametrize("kind", ["fifo", pytest.param("device", marks=needs_root), "directory"])
def test_a_sandbox_database_that_is_not_a_regular_file_is_refused_leaving_nothing_beside_it(
    tmp_path: Path, kind: str
) -> None:
    db = tmp_path / "store.db"
    with special(kind, db):
        before = _names(tmp_path)
        # The sandbox, a server owning its streams and signals, in a subprocess.
        result = run_process(None, "sandbox", "--db", str(db), "--port", "0", timeout=30)
        assert result.returncode == 2, result.stderr
        assert "--db" in result.stderr and "Traceback" not in result.stderr
        assert _names(tmp_path) == before  # no store.db-journal (as root: in /dev)
        assert same_kind(kind, db)


@demo
def test_an_output_that_is_a_loop_of_symlinks_is_refused_and_the_links_stay(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    with special("loop", out):
        result = run(zendesk_sandbox, "events", "--user-id", USER, "-o", str(out))
        assert result.returncode == 2, result.stderr
        no_traceback(result)
        assert "cannot write --output" in result.stderr
        assert same_kind("loop", out)
        assert _names(tmp_path) == ["loop-b", "out.jsonl"]


# --------------------------------------------------------------------------- files in use


@demo
@pytest.mark.parametrize("name", ["events.db.lock", "events.db"])
def test_an_output_never_replaces_a_running_syncs_database_or_lock(
    zendesk_sandbox: Any, tmp_path: Path, name: str
) -> None:
    # `-o events.db.lock` renamed a new file over the lock a running sync holds: a second
    # sync then locked that file and ran beside the first; `-o events.db` replaced the
    # database under it.
    db, target = tmp_path / "events.db", tmp_path / name
    db.write_bytes(b"")
    records = tmp_path / "r.jsonl"
    records.write_text('{"event": {"source": "s", "type": "t"}, "profile_id": "p"}\n')
    with holding(tmp_path / "events.db.lock"):
        before = os.stat(target)
        for args in (
            ["events", "--user-id", USER, "-o", str(target)],
            ["events", "--user-id", USER, "-o", str(target), "--resume", str(tmp_path / "s")],
            ["track", str(records), "--failed", str(target)],
        ):
            result = run(zendesk_sandbox, *args)
            no_traceback(result)
            assert result.returncode == 2, result.stderr
            assert "in use by another zdevents run" in result.stderr
            assert os.path.samestat(os.stat(target), before)
    assert zendesk_sandbox.request_count == 0
    assert _names(tmp_path) == ["events.db", "events.db.lock", "r.jsonl"]


@demo
def test_two_exports_with_different_states_never_share_an_output(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    from zdevents.cli._export import Plan, open_sink

    out = tmp_path / "out.jsonl"

    def plan(state: str | None) -> Plan:
        return Plan(selector={"user_id": USER}, people=None, filters={}, fmt="jsonl",
                    output=str(out), resume=None if state is None else str(tmp_path / state),
                    limit=None, quiet=True, verbose=False, skip_missing=False,
                    concurrency=1)  # fmt: skip

    # A resumable export under way: its output published at its first checkpoint, then
    # written in place; another --resume STATE, or none, must not write the same file.
    first = open_sink(plan("a.state"))
    try:
        second = open_sink(plan("b.state"))  # opened before the first one's checkpoint
        assert first.atomic is not None and second.atomic is not None
        first.atomic.file.write(b"{}\n")
        first.atomic.publish()
        with pytest.raises(OSError, match="in use by another zdevents run"):
            second.atomic.publish()  # would rename over what the first one writes in place
        second.discard()
        for state in ("c.state", None):
            args = ["events", "--user-id", USER, "-o", str(out)]
            result = run(zendesk_sandbox, *args, *(["--resume", state] if state else []))
            no_traceback(result)
            assert result.returncode == 2, result.stderr
            assert f"--output {out}" in result.stderr and "in use" in result.stderr
        assert out.read_bytes() == b"{}\n"
    finally:
        first.close()


def test_two_tracks_given_the_same_failed_file_exclude_each_other(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    # Each run replaced --failed with its own at the end (or, stopped, deleted it): the
    # records the other run did not get accepted were in no file.
    failed = tmp_path / "failed.jsonl"
    failed.write_text('{"event": {"source": "s", "type": "t"}, "error": "another run"}\n')
    link = tmp_path / "link.jsonl"
    link.symlink_to(failed)
    records = tmp_path / "r.jsonl"
    records.write_text('{"event": {"source": "s", "type": "t"}, "profile_id": "p"}\n')
    from zdevents.cli._track import _FailedFile

    other = _FailedFile(str(failed))  # another track, under way, as it holds its --failed
    try:
        for name in (failed, link):
            result = run(zendesk_sandbox, "track", str(records), "--failed", str(name))
            no_traceback(result)
            assert result.returncode == 2, result.stderr
            assert f"--failed {name} is in use by another zdevents run" in result.stderr
    finally:
        other.file.write(b'{"event": {"source": "s", "type": "t"}, "error": "another run"}\n')
        other.commit()
    assert zendesk_sandbox.request_count == 0
    assert "another run" in failed.read_text()
    done = run(zendesk_sandbox, "track", str(records), "--failed", str(link))
    assert done.returncode == 1, done.stderr  # profile p does not exist
    assert _names(tmp_path) == ["failed.jsonl", "link.jsonl", "r.jsonl"]  # no lock left
    assert json.loads(failed.read_text())["profile_id"] == "p"
