"""``zdevents sync``: the real executable in subprocesses, against a running sandbox."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli._helpers import ZDEVENTS
from tests.cli._helpers import run as run_cli

BASE = dt.datetime(2024, 3, 1, 12, 0, 0)


def env_for(sandbox: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    env.update(
        ZENDESK_BASE_URL=sandbox.base_url,
        ZENDESK_EMAIL=sandbox.email,
        ZENDESK_API_TOKEN=sandbox.api_token,
    )
    return env


def run(
    sandbox: Any, *args: str, timeout: float = 60, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``zdevents sync *args``, in-process."""
    return run_cli(None, "sync", *args, env=env_for(sandbox), timeout=timeout, input=stdin)


def popen(sandbox: Any, *args: str) -> subprocess.Popen[str]:
    """``zdevents sync *args`` in a subprocess: to interrupt it, or to run two at once."""
    return subprocess.Popen(
        [*ZDEVENTS, "sync", *args],
        env=env_for(sandbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def records(n: int, first: int, count: int, tag: str = "") -> list[dict[str, Any]]:
    profile = {
        "source": "shop",
        "type": "customer",
        "identifiers": [{"type": "email", "value": f"p{n}@example.com"}],
    }
    return [
        {
            "profile": profile,
            "user_id": 1000 + n,
            "event": {
                "source": "shop",
                "type": "visit",
                "description": f"{tag}{i}",
                "created_at": (BASE + dt.timedelta(seconds=i)).isoformat() + f".{i:09d}Z",
                "properties": {"n": n, "i": i},
            },
        }
        for i in range(first, first + count)
    ]


def sel(n: int) -> str:
    return f"shop:customer:email:p{n}@example.com"


def table(db: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every event row, and the state without its clock times."""
    with sqlite3.connect(db) as conn:
        # Every column but when the row was written (synced_at, changed_at).
        events = conn.execute(
            "SELECT id, selector, source, type, description, created_at, created_utc,"
            " received_at, properties, raw FROM events ORDER BY id"
        ).fetchall()
        state = conn.execute(
            "SELECT selector, filters, high_water, completed_at IS NOT NULL, run_started_at,"
            " run_start, run_high, run_cursor FROM sync_state ORDER BY selector"
        ).fetchall()
    return events, state


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def test_first_sync_then_only_the_new_events(zendesk_sandbox: Any, tmp_path: Path) -> None:
    zendesk_sandbox.add_events(records(0, 0, 150))
    db = tmp_path / "events.db"
    first = run(zendesk_sandbox, "--db", str(db), "--identifier", sel(0), "--page-size", "50")
    assert first.returncode == 0, first.stderr
    assert "150 inserted, 0 updated, 0 unchanged" in first.stderr
    zendesk_sandbox.add_events(records(0, 150, 3, tag="new"))
    second = run(zendesk_sandbox, "--db", str(db), "--identifier", sel(0), "--overlap", "10s", "-v")
    assert second.returncode == 0, second.stderr
    # The mark is second 149; seconds 140..152 are read: 10 stored events and the 3 new ones.
    assert "synced 1 person" in second.stderr
    assert f"{sel(0)}: 3 inserted, 0 updated, 10 unchanged" in second.stderr
    assert "read from 2024-03-01T12:02:19.000000149Z" in second.stderr
    # The same person by user id is another selector (its first run reads everything), and
    # its events are stored once.
    by_user = run(zendesk_sandbox, "--db", str(db), "--user-id", "1000")
    assert by_user.returncode == 0, by_user.stderr
    assert "0 inserted, 0 updated, 153 unchanged" in by_user.stderr
    quiet = run(zendesk_sandbox, "--db", str(db), "--identifier", sel(0), "-q")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    events, _ = table(db)
    assert len(events) == 153


def test_bulk_sync_skips_an_unknown_person_with_exit_3(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    for n in range(3):
        zendesk_sandbox.add_events(records(n, 0, 20 + n))
    people = tmp_path / "people.txt"
    people.write_text(
        f"# our people\n{sel(0)}\n\nshop:customer:email:nobody@example.com\nuser_id:1001\n"
        f"profile_id:NOSUCHPROFILE\nshop:customer:email:P2@EXAMPLE.COM\n"
    )
    db = tmp_path / "events.db"
    result = run(
        zendesk_sandbox, "--db", str(db), "--identifiers-file", str(people), "--concurrency", "2"
    )
    no_traceback(result)
    assert result.returncode == 3, result.stderr
    assert "skipped shop:customer:email:nobody@example.com: HTTP 404" in result.stderr
    assert "skipped profile_id:NOSUCHPROFILE: HTTP 404" in result.stderr
    assert "synced 3 of 5 people" in result.stderr and "63 inserted" in result.stderr
    events, state = table(db)
    assert len(events) == 63
    assert [row[0] for row in state] == [sel(0), sel(2), "user_id:1001"]
    again = run(
        zendesk_sandbox, "--db", str(db), "--identifiers-file", "-", stdin=people.read_text()
    )
    assert again.returncode == 3 and "0 inserted, 0 updated, 63 unchanged" in again.stderr
    bad = run(
        zendesk_sandbox, "--db", str(db), "--identifiers-file", "-", stdin=f"{sel(0)}\nnope\n"
    )
    assert bad.returncode == 2 and "standard input, line 2" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--identifier", "a:b:c"], "must have four parts"),
        (["--user-id", "1", "--overlap", "an hour"], "--overlap"),
        (["--user-id", "1", "--type", "x"], "type needs source"),
        (["--user-id", "1", "--start", "2020-01-01T00:00:00"], "add Z or an offset"),
        (["--user-id", "1", "--page-size", "101"], "argument --page-size: '101' is outside 1..100"),
        (["--user-id", "1", "--page-size", "0"], "argument --page-size: '0' is outside 1..100"),
        (["--identifiers-file", "/nonexistent/people.txt"], "cannot read --identifiers-file"),
        (["--user-id", "1", "--db", "/nonexistent/events.db"], "does not exist"),
    ],
)
def test_usage_errors_exit_2_before_any_request(
    zendesk_sandbox: Any, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(zendesk_sandbox, "--db", str(tmp_path / "events.db"), *args)
    no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert zendesk_sandbox.request_count == 0
    assert not (tmp_path / "events.db").exists()


def test_an_unusable_database_exits_2_naming_the_version(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    zendesk_sandbox.add_events(records(0, 0, 3))
    db = tmp_path / "events.db"
    assert run(zendesk_sandbox, "--db", str(db), "--identifier", sel(0)).returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 3")
    result = run(zendesk_sandbox, "--db", str(db), "--identifier", sel(0))
    no_traceback(result)
    assert result.returncode == 2
    assert "schema version 3" in result.stderr and "upgrade zdevents" in result.stderr


def test_two_syncs_on_one_database(zendesk_sandbox_factory: Any, tmp_path: Path) -> None:
    sandbox = zendesk_sandbox_factory(latency=0.05)
    sandbox.add_events(records(0, 0, 200))
    db = tmp_path / "events.db"
    args = ["--db", str(db), "--identifier", sel(0), "--page-size", "10"]
    first = popen(sandbox, *args)
    try:
        deadline = time.monotonic() + 30
        while not _stored(db):  # the first one is under way
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        sandbox.latency = 1.0  # a second a page from now on: the first one stays busy
        second = run(sandbox, *args)
        sandbox.latency = 0.0
        no_traceback(second)
        assert second.returncode == 2
        assert "another zdevents sync is using" in second.stderr
        assert first.poll() is None  # the second one ended while the first was still going
    finally:
        _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert "200 inserted" in err
    events, state = table(db)
    assert len(events) == 200 and state[0][3] == 1


def _wait_for_progress(db: Path, proc: subprocess.Popen[str]) -> None:
    """Until the run under way has stored a batch (or ended)."""
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                if conn.execute(
                    "SELECT 1 FROM sync_state WHERE run_started_at IS NOT NULL"
                    " AND run_high IS NOT NULL"
                ).fetchone():
                    return
        except sqlite3.Error:
            pass
        time.sleep(0.01)


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("bulk", [False, True], ids=["one-person", "bulk"])
def test_killed_at_random_points_and_run_again_ends_exact(
    zendesk_sandbox_factory: Any, tmp_path: Path, bulk: bool
) -> None:
    sandbox = zendesk_sandbox_factory(latency=0.03)
    rng = random.Random(os.environ.get("SYNC_KILL_SEED", "14"))
    people = 3 if bulk else 1
    for n in range(people):
        # Zendesk does not say in which order it pages events: here not by created_at.
        shuffled = records(n, 0, 240 // people)
        rng.shuffle(shuffled)
        sandbox.add_events(shuffled)
    file = tmp_path / "people.txt"
    file.write_text("".join(f"{sel(n)}\n" for n in range(people)))
    who = (
        ["--identifiers-file", str(file), "--concurrency", "2"]
        if bulk
        else ["--identifier", sel(0)]
    )

    def args(db: Path) -> list[str]:
        return ["--db", str(db), *who, "--page-size", "10", "--overlap", "30s", "-q"]

    db = tmp_path / "killed.db"
    added = kills = cut_short = 0
    for round_ in range(12):
        # Every other run reads everything again (--full) and is killed once it has stored
        # a page or more, so kills land all along a long run; the others are killed at a
        # random moment, also while starting up or after they finished. Each run goes on
        # with what the killed one before it left.
        full = round_ % 2 == 0
        proc = popen(sandbox, *args(db), *(["--full"] if full else []))
        if full:
            _wait_for_progress(db, proc)
        time.sleep(rng.uniform(0.0, 0.4) if full else rng.uniform(0.0, 1.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
        if db.exists() and _stored(db):
            _, state = table(db)
            cut_short += any(row[4] is not None for row in state)  # a run left open
        if round_ % 3 == 1:
            # New events between runs, some of them behind the newest stored one.
            n = rng.randrange(people)
            sandbox.add_events(records(n, 240 // people - 20 + added * 3, 25, tag=f"r{round_}-"))
            added += 1
    assert kills >= 6, "the runs ended before they could be killed"
    assert cut_short >= 3, "too few runs were killed in the middle"
    final = run(sandbox, *args(db))
    assert final.returncode == 0, final.stderr

    reference = tmp_path / "reference.db"
    assert run(sandbox, *args(reference)).returncode == 0
    killed_events, killed_state = table(db)
    reference_events, reference_state = table(reference)
    assert killed_events == reference_events  # each event once, as an uninterrupted run has it
    assert len({row[0] for row in killed_events}) == len(killed_events)
    assert killed_state == reference_state  # marks equal, no run left open
    assert all(row[4] is None and row[7] is None for row in killed_state)


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["sync", "--overlap", "99999999999d"], "--overlap"),
        (["sync", "--overlap", "9" * 400 + "s"], "--overlap"),
        (["sync", "--timeout", "1e308"], "--timeout"),
        (["sync", "--rate-limit", "1e308"], "--rate-limit"),
        (["sync", "--max-retries", "9" * 30], "--max-retries"),
        (["sync", "--page-size", "9" * 30], "--page-size"),
        (["events", "--timeout", "1e308"], "--timeout"),
        (["events", "--rate-limit", "inf"], "--rate-limit"),
        (["events", "--max-retries", "9" * 30], "--max-retries"),
        (["events", "--page-size", "9" * 30], "--page-size"),
    ],
)
def test_numbers_out_of_range_exit_2_naming_the_option(
    zendesk_sandbox: Any, tmp_path: Path, args: list[str], flag: str
) -> None:
    command, *options = args
    where = ["--db", str(tmp_path / "e.db")] if command == "sync" else []
    result = run_cli(
        None, command, *where, "--user-id", "1000", *options, env=env_for(zendesk_sandbox)
    )
    no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert f"argument {flag}:" in result.stderr and "unexpected" not in result.stderr
    assert zendesk_sandbox.request_count == 0


def test_a_person_with_an_event_that_is_no_time_is_skipped_with_the_reason_exit_3(
    hostile: Any,
    tmp_path: Path,
) -> None:
    def answer(n: int, auth: str) -> tuple[int, bytes]:
        naive = {"id": "e1", "source": "s", "type": "t", "created_at": "2020-01-01T00:00:00"}
        bad = {"id": "e2", "source": "s", "type": "t", "created_at": "next tuesday"}
        return 200, json.dumps({"events": [naive, bad], "meta": {"has_more": False}}).encode()

    url = hostile(answer)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    env.update(ZENDESK_BASE_URL=url, ZENDESK_EMAIL="a@example.com", ZENDESK_API_TOKEN="t0ken")
    db = tmp_path / "events.db"
    result = run_cli(None, "sync", "--db", str(db), "--user-id", "1", env=env)
    no_traceback(result)
    assert result.returncode == 3, result.stderr
    assert "skipped user_id:1: event field 'created_at' is not a timestamp" in result.stderr
    assert "next tuesday" in result.stderr


def test_a_damaged_database_exits_2_without_rerun_advice(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    zendesk_sandbox.add_events(records(0, 0, 300))
    db = tmp_path / "events.db"
    first = run(zendesk_sandbox, "--db", str(db), "--identifier", sel(0))
    assert first.returncode == 0, first.stderr
    data = bytearray(db.read_bytes())
    page = 4096
    data[2 * page : len(data) - page] = b"\xa5" * (len(data) - 3 * page)  # keep the schema page
    db.write_bytes(bytes(data))
    zendesk_sandbox.add_events(records(0, 300, 5))
    again = run(zendesk_sandbox, "--db", str(db), "--identifier", sel(0), "--full")
    no_traceback(again)
    assert again.returncode == 2, again.stderr
    assert "is damaged" in again.stderr
    assert "run the same command again" not in again.stderr
