"""``--since DURATION`` on ``events`` and ``sync``: a start relative to now, in the duration
syntax of ``--overlap``, against a sandbox holding events of an hour, two days and ten days
ago."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli._helpers import jsonl, run
from zdevents.cli import _numbers as numbers

PERSON = "shop:customer:email:since@example.com"
AGES = {"hour": dt.timedelta(hours=1), "days2": dt.timedelta(days=2),
        "days10": dt.timedelta(days=10)}  # fmt: skip


@pytest.fixture
def sandbox(zendesk_sandbox: Any) -> Any:
    now = dt.datetime.now(dt.UTC)
    profile = {"source": "shop", "type": "customer",
               "identifiers": [{"type": "email", "value": "since@example.com"}]}  # fmt: skip
    zendesk_sandbox.add_events(
        {
            "profile": profile,
            "event": {
                "source": "shop",
                "type": name,
                "created_at": (now - age).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "properties": {},
            },
        }
        for name, age in AGES.items()
    )
    return zendesk_sandbox


def test_since_is_now_minus_the_duration_to_the_second() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    text = numbers.since("1d12h")
    after = dt.datetime.now(dt.UTC)
    moment = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert before - dt.timedelta(hours=36) <= moment <= after - dt.timedelta(hours=36)


@pytest.mark.parametrize(
    ("text", "message"),
    [("7", "not a duration"), ("7x", "not a duration"), ("-1d", "not a duration"),
     ("1000000d", "before the year 1"), ("9" * 400 + "d", "too long")],
)  # fmt: skip
def test_a_bad_since_names_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        numbers.since(text)


@pytest.mark.parametrize(("since", "types"), [("12h", ["hour"]), ("7d", ["hour", "days2"])])
def test_events_since_reads_only_the_recent_events(
    sandbox: Any, since: str, types: list[str]
) -> None:
    result = run(sandbox, "events", "--identifier", PERSON, "--since", since)
    assert result.returncode == 0, result.stderr
    assert sorted(e["type"] for e in jsonl(result.stdout)) == sorted(types)


def test_sync_since_stores_only_the_recent_events(sandbox: Any, tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    result = run(sandbox, "sync", "--db", str(db), "--identifier", PERSON, "--since", "7d", "-q")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        stored = sorted(
            json.loads(raw)["type"] for (raw,) in conn.execute("SELECT raw FROM events")
        )
    assert stored == ["days2", "hour"]


@pytest.mark.parametrize("command", [["events", "--identifier", PERSON], ["sync", "--db", "x.db",
                                     "--identifier", PERSON]])  # fmt: skip
def test_since_and_start_together_are_a_usage_error(command: list[str]) -> None:
    result = run(None, *command, "--since", "7d", "--start", "2020-01-01")
    assert result.returncode == 2
    assert "argument --start: not allowed with argument --since" in result.stderr


def test_since_cannot_be_resumed(zendesk_sandbox: Any, tmp_path: Path) -> None:
    # A resumed run would read another window than the first one.
    out, state = tmp_path / "out.jsonl", tmp_path / "state"
    args = ["--output", str(out), "--resume", str(state)]
    result = run(zendesk_sandbox, "events", "--identifier", PERSON, "--since", "7d", *args)
    assert result.returncode == 2
    assert "--since is relative to now" in result.stderr and "--start TIME" in result.stderr
    assert not out.exists() and not state.exists()
    assert zendesk_sandbox.request_count == 0
