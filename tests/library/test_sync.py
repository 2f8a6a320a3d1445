"""``zdevents.sync``: a SQLite copy of people's events, against the real sandbox."""

from __future__ import annotations

import base64
import datetime as dt
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import zdevents
from tests._mock import (
    API_TOKEN,
    EMAIL,
    NOT_ONE_FILE,
    Recorder,
    client,
    event,
    not_one_file,
    page_body,
)
from zdevents import errors


def _ts(moment: dt.datetime, nanos: int = 123456789) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


BASE = dt.datetime(2024, 3, 1, 12, 0, 0)


def person(n: int, times: list[dt.datetime], *, type: str = "login") -> list[dict[str, Any]]:
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
                "type": type,
                "description": f"event {i}",
                "created_at": _ts(moment, 100 + i),
                "properties": {"i": i, "price": 62.5, "name": "é"},
            },
        }
        for i, moment in enumerate(times)
    ]


def minutes(first: int, count: int) -> list[dt.datetime]:
    return [BASE + dt.timedelta(minutes=first + i) for i in range(count)]


def sel(n: int) -> str:
    return f"shop:customer:email:p{n}@example.com"


def rows(db: Path) -> dict[str, tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return {
            row[0]: row[1:]
            for row in conn.execute(
                "SELECT id, selector, source, type, description, created_at, received_at,"
                " properties, raw FROM events"
            )
        }


def state(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT selector, filters, high_water, completed_at IS NOT NULL, run_started_at,"
            " run_start FROM sync_state ORDER BY selector, filters"
        ).fetchall()


def served(sandbox: Any, n: int) -> dict[str, dict[str, Any]]:
    return {e.id: e.to_dict() for e in sandbox.client.events(identifier=sel(n))}


def test_first_sync_stores_every_event_as_received(zendesk_sandbox: Any, tmp_path: Path) -> None:
    zendesk_sandbox.add_events(person(0, minutes(0, 25)) + person(1, minutes(0, 5)))
    db = tmp_path / "events.db"
    report = zdevents.sync(zendesk_sandbox.client, db, [sel(0), {"user_id": 1001}], page_size=10)
    assert (report.inserted, report.updated, report.unchanged) == (30, 0, 0)
    assert [s.selector for s in report.selectors] == [sel(0), "user_id:1001"]
    assert [s.inserted for s in report.selectors] == [25, 5]
    stored = rows(db)
    first, second = served(zendesk_sandbox, 0), served(zendesk_sandbox, 1)
    assert set(stored) == set(first) | set(second)
    for event_id, obj in {**first, **second}.items():
        selector, source, type_, description, created, received, properties, raw = stored[event_id]
        assert selector == (sel(0) if event_id in first else "user_id:1001")
        assert json.loads(raw) == obj
        assert (source, type_, description) == (obj["source"], obj["type"], obj["description"])
        assert (created, received) == (obj["created_at"], obj["received_at"])
        assert json.loads(properties) == obj["properties"]
    newest = max(obj["created_at"] for obj in served(zendesk_sandbox, 0).values())
    assert state(db)[0][2] == newest
    assert all(s[3] and s[4] is None for s in state(db))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2


def test_second_sync_picks_up_exactly_the_new_events(zendesk_sandbox: Any, tmp_path: Path) -> None:
    zendesk_sandbox.add_events(person(0, minutes(0, 200)))
    db = tmp_path / "events.db"
    client = zendesk_sandbox.client
    zdevents.sync(client, db, [sel(0)])
    before = rows(db)
    # The last hour before the mark is read again: minutes 140..199, 60 events.
    new = person(0, minutes(200, 7))
    for record in new:
        record["event"]["description"] = "new " + record["event"]["description"]
    zendesk_sandbox.add_events(new)
    requests = zendesk_sandbox.request_count
    report = zdevents.sync(client, db, [sel(0)])
    assert zendesk_sandbox.request_count - requests == 1  # 67 events: one page, not three
    assert (report.inserted, report.updated, report.unchanged) == (7, 0, 60)
    assert report.selectors[0].start == _ts(BASE + dt.timedelta(minutes=199 - 60), 100 + 199)
    after = rows(db)
    assert set(after) - set(before) == {
        i for i, obj in served(zendesk_sandbox, 0).items() if obj["description"].startswith("new")
    }
    assert all(after[i] == before[i] for i in before)


def test_backdated_event_inside_the_overlap_is_picked_up_and_full_catches_the_rest(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    zendesk_sandbox.add_events(person(0, minutes(0, 120)))
    db = tmp_path / "events.db"
    client = zendesk_sandbox.client
    zdevents.sync(client, db, [sel(0)])
    inside = person(0, [BASE + dt.timedelta(minutes=100)], type="late")  # 19 min behind
    outside = person(0, [BASE + dt.timedelta(minutes=10)], type="very_late")  # 109 min
    zendesk_sandbox.add_events(inside + outside)
    report = zdevents.sync(client, db, [sel(0)], overlap=dt.timedelta(minutes=30))
    assert report.inserted == 1
    assert sorted(r[2] for r in rows(db).values()).count("late") == 1
    assert "very_late" not in {r[2] for r in rows(db).values()}  # behind the overlap
    report = zdevents.sync(client, db, [sel(0)], full=True)
    assert (report.inserted, report.updated, report.unchanged) == (1, 0, 121)
    assert set(rows(db)) == set(served(zendesk_sandbox, 0))


def test_a_changed_event_is_updated_and_counted(zendesk_sandbox: Any, tmp_path: Path) -> None:
    zendesk_sandbox.add_events(person(0, minutes(0, 5)))
    db = tmp_path / "events.db"
    zdevents.sync(zendesk_sandbox.client, db, [sel(0)])
    original = rows(db)
    some_id = sorted(original)[2]
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE events SET raw = '{}', type = 'x' WHERE id = ?", (some_id,))
    report = zdevents.sync(zendesk_sandbox.client, db, [sel(0)])
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 4)
    assert rows(db) == original


def test_start_is_a_floor_and_filters_have_their_own_state(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    zendesk_sandbox.add_events(person(0, minutes(0, 30)) + person(0, minutes(0, 4), type="buy"))
    db = tmp_path / "events.db"
    client = zendesk_sandbox.client
    start = _ts(BASE + dt.timedelta(minutes=20), 0)
    report = zdevents.sync(client, db, [sel(0)], start=start)
    assert report.inserted == 10
    report = zdevents.sync(client, db, [sel(0)], source="shop", type="buy")
    assert report.inserted == 4
    assert [(s[1], s[2]) for s in state(db)] == [
        ('{"source": "shop", "type": "buy"}', _ts(BASE + dt.timedelta(minutes=3), 103)),
        ('{"source": null, "type": null}', _ts(BASE + dt.timedelta(minutes=29), 129)),
    ]


def test_bulk_skips_an_unknown_person_and_goes_on(zendesk_sandbox: Any, tmp_path: Path) -> None:
    for n in range(4):
        zendesk_sandbox.add_events(person(n, minutes(0, 15 + n)))
    db = tmp_path / "events.db"
    people = [sel(0), sel(9), {"user_id": 1001}, {"profile_id": "NOSUCHPROFILE"}, sel(2), sel(3)]
    with pytest.raises(errors.NotFoundError):
        zdevents.sync(zendesk_sandbox.client, tmp_path / "other.db", people, page_size=5)
    report = zdevents.sync(
        zendesk_sandbox.client, db, people, page_size=5, concurrency=3, on_missing="skip"
    )
    assert [s.selector for s in report.skipped] == [sel(9), "profile_id:NOSUCHPROFILE"]
    assert all(isinstance(s.skipped, errors.NotFoundError) for s in report.skipped)
    expected: set[str] = set()
    for n in range(4):
        expected |= set(served(zendesk_sandbox, n))
    assert set(rows(db)) == expected
    assert report.inserted + report.unchanged == len(expected)
    # No state for people never found; completed state for the others.
    assert sorted(s[0] for s in state(db)) == sorted([sel(0), "user_id:1001", sel(2), sel(3)])
    assert all(s[3] and s[4] is None for s in state(db))


def test_a_second_sync_waits_or_is_refused(zendesk_sandbox: Any, tmp_path: Path) -> None:
    zendesk_sandbox.add_events(person(0, minutes(0, 30)))
    db = tmp_path / "events.db"
    client = zendesk_sandbox.client
    holding, release = threading.Event(), threading.Event()

    def hold(report: zdevents.SyncReport) -> None:
        holding.set()
        assert release.wait(30)

    first: list[zdevents.SyncReport] = []
    thread = threading.Thread(
        target=lambda: first.append(
            zdevents.sync(client, db, [sel(0)], page_size=10, progress=hold)
        )
    )
    thread.start()
    try:
        assert holding.wait(30)
        with pytest.raises(
            errors.SyncLockedError, match=r"another zdevents sync is using .*events\.db"
        ):
            zdevents.sync(client, db, [sel(0)])
        with pytest.raises(errors.SyncLockedError):
            zdevents.sync(client, db, [sel(0)], wait=0.2)
        waiting: list[zdevents.SyncReport] = []
        second = threading.Thread(
            target=lambda: waiting.append(zdevents.sync(client, db, [sel(0)], wait=None))
        )
        second.start()
        second.join(0.3)
        assert second.is_alive() and not waiting  # it waits for the first
    finally:
        release.set()
        thread.join(30)
    second.join(30)
    assert first[0].inserted == 30
    assert (waiting[0].inserted, waiting[0].unchanged) == (0, 30)


def test_another_schema_version_or_a_foreign_database_is_refused(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    zendesk_sandbox.add_events(person(0, minutes(0, 3)))
    db = tmp_path / "events.db"
    zdevents.sync(zendesk_sandbox.client, db, [sel(0)])
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 7")
    with pytest.raises(errors.SyncSchemaError, match=r"schema version 7.*version 2"):
        zdevents.sync(zendesk_sandbox.client, db, [sel(0)])
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (x)")
    with pytest.raises(errors.SyncSchemaError, match="not a zdevents sync database"):
        zdevents.sync(zendesk_sandbox.client, foreign, [sel(0)])
    with sqlite3.connect(foreign) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_schema")] == ["notes"]
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(errors.SyncError):
        zdevents.sync(zendesk_sandbox.client, garbage, [sel(0)])


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [
        ({"selectors": []}, ValueError),
        ({"selectors": sel(0)}, TypeError),
        ({"selectors": ["nope"]}, ValueError),
        ({"selectors": [{"user_id": 1, "source": "x"}]}, ValueError),
        ({"type": "login"}, ValueError),
        ({"start": "2020-01-01T00:00:00"}, ValueError),
        ({"overlap": -1}, ValueError),
        ({"overlap": "1h"}, TypeError),
        ({"page_size": 101}, ValueError),
        ({"concurrency": 0}, ValueError),
        ({"on_missing": "ignore"}, ValueError),
        ({"db": ":memory:"}, ValueError),
    ],
)
def test_bad_arguments_fail_before_anything(
    zendesk_sandbox: Any, tmp_path: Path, kwargs: dict[str, Any], exc: type[Exception]
) -> None:
    args: dict[str, Any] = {"db": tmp_path / "events.db", "selectors": [sel(0)], **kwargs}
    with pytest.raises(exc):
        zdevents.sync(zendesk_sandbox.client, **args)
    assert list(tmp_path.iterdir()) == []
    assert zendesk_sandbox.request_count == 0


def test_public_names() -> None:
    assert zdevents.sync.__module__ == "zdevents"
    assert zdevents.SyncReport.__module__ == "zdevents"
    assert issubclass(errors.SyncLockedError, errors.SyncError)
    assert issubclass(errors.SyncError, errors.ZendeskError)
    assert zdevents.sync.__doc__ and ">>>" in zdevents.sync.__doc__


def _settled_request_count(sandbox: Any) -> int:
    """The sandbox's request count once it has not moved for 0.3 s (at most 5 s)."""
    count, deadline = sandbox.request_count, time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.3)
        if sandbox.request_count == count:
            return count
        count = sandbox.request_count
    return count


def test_an_interrupted_run_goes_on_at_its_next_page(zendesk_sandbox: Any, tmp_path: Path) -> None:
    zendesk_sandbox.add_events(person(0, minutes(0, 50)))
    db = tmp_path / "events.db"
    client = zendesk_sandbox.client
    calls = 0

    def stop_after_three_pages(report: zdevents.SyncReport) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        zdevents.sync(client, db, [sel(0)], page_size=10, progress=stop_after_three_pages)
    assert len(rows(db)) == 30
    [(_, _, mark, completed, run_started, run_start)] = state(db)
    assert (mark, completed, run_start) == (None, False, None) and run_started is not None
    # The interrupted run's reader may still be finishing the page it had asked for (on a
    # busy machine it is counted after sync has raised): count from when the count settles.
    requests = _settled_request_count(zendesk_sandbox)
    report = zdevents.sync(client, db, [sel(0)], page_size=10)
    assert zendesk_sandbox.request_count - requests == 2  # pages 4 and 5, not 1 to 5
    assert (report.inserted, report.unchanged) == (20, 0)
    assert set(rows(db)) == set(served(zendesk_sandbox, 0))
    assert state(db)[0][2] == _ts(BASE + dt.timedelta(minutes=49), 149)


def test_an_interrupted_bulk_run_goes_on_where_each_person_stopped(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    for n in range(3):
        zendesk_sandbox.add_events(person(n, minutes(0, 30)))
    db = tmp_path / "events.db"
    client = zendesk_sandbox.client
    people = [sel(0), sel(1), sel(2)]
    calls = 0

    def interrupt(report: zdevents.SyncReport) -> None:
        nonlocal calls
        calls += 1
        if calls == 8:  # person 0's six pages and two of person 1's are stored
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        zdevents.sync(client, db, people, page_size=5, concurrency=1, progress=interrupt)
    first, second, third = state(db)
    assert first[2:5] == (_ts(BASE + dt.timedelta(minutes=29), 129), True, None)  # completed
    assert second[2] is None and second[4] is not None  # under way, at its third page
    assert third[2] is None and third[4] is not None  # under way, not begun
    assert len(rows(db)) == 40
    requests = zendesk_sandbox.request_count
    report = zdevents.sync(client, db, people, page_size=5, concurrency=1)
    # Person 0 is read from its mark minus the overlap (6 pages); person 1 goes on at its
    # cursor (4 pages); person 2 from the start (6 pages).
    assert zendesk_sandbox.request_count - requests == 16
    assert [(s.inserted, s.unchanged) for s in report.selectors] == [(0, 30), (20, 0), (30, 0)]
    assert set(rows(db)) == set().union(*(served(zendesk_sandbox, n) for n in range(3)))


def test_created_utc_sorts_by_time_whatever_the_spelling(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    spellings = [
        "2024-03-01T12:00:05Z",
        "2024-03-01T12:00:05.5Z",
        "2024-03-01T12:00:05.123456789Z",
        "2024-03-01T13:00:04+02:00",  # 11:00:04 UTC: the earliest, though it sorts last as text
        "2024-03-01T12:00:05.05Z",
    ]
    records = person(0, minutes(0, len(spellings)))
    for record, text in zip(records, spellings, strict=True):
        record["event"]["created_at"] = text
    zendesk_sandbox.add_events(records)
    db = tmp_path / "events.db"
    zdevents.sync(zendesk_sandbox.client, db, [sel(0)])
    with sqlite3.connect(db) as conn:
        ordered = conn.execute("SELECT created_at, created_utc FROM events ORDER BY created_utc")
        assert list(ordered) == [
            ("2024-03-01T13:00:04+02:00", "2024-03-01T11:00:04.000000000Z"),
            ("2024-03-01T12:00:05Z", "2024-03-01T12:00:05.000000000Z"),
            ("2024-03-01T12:00:05.05Z", "2024-03-01T12:00:05.050000000Z"),
            ("2024-03-01T12:00:05.123456789Z", "2024-03-01T12:00:05.123456789Z"),
            ("2024-03-01T12:00:05.5Z", "2024-03-01T12:00:05.500000000Z"),
        ]
    assert state(db)[0][2] == "2024-03-01T12:00:05.500000000Z"
    # The next run reads from the mark minus the overlap, to the nanosecond.
    report = zdevents.sync(zendesk_sandbox.client, db, [sel(0)], overlap=0.4)
    assert report.selectors[0].start == "2024-03-01T12:00:05.100000000Z"
    assert (report.inserted, report.unchanged) == (0, 2)


def test_the_last_page_completes_the_run_in_its_transaction(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    zendesk_sandbox.add_events(person(0, minutes(0, 30)))
    db = tmp_path / "events.db"
    calls = 0

    def stop_after_the_last_page(report: zdevents.SyncReport) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:  # right after the third and last page was stored
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        zdevents.sync(
            zendesk_sandbox.client, db, [sel(0)], page_size=10, progress=stop_after_the_last_page
        )
    [(_, _, mark, completed, run_started, _)] = state(db)
    assert (mark, completed, run_started) == (_ts(BASE + dt.timedelta(minutes=29), 129), True, None)
    assert len(rows(db)) == 30


def test_a_refused_cursor_reads_the_run_again_from_its_start(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    zendesk_sandbox.add_events(person(0, minutes(0, 30)))
    db = tmp_path / "events.db"
    client = zendesk_sandbox.client

    def interrupt(report: zdevents.SyncReport) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        zdevents.sync(client, db, [sel(0)], page_size=10, progress=interrupt)
    with sqlite3.connect(db) as conn:  # as if the cursor had expired
        conn.execute("UPDATE sync_state SET run_cursor = 'bm90LWEtY3Vyc29y'")
    report = zdevents.sync(client, db, [sel(0)], page_size=10)
    assert (report.inserted, report.unchanged) == (20, 10)
    assert set(rows(db)) == set(served(zendesk_sandbox, 0))
    assert state(db)[0][2:5] == (_ts(BASE + dt.timedelta(minutes=29), 129), True, None)


def test_a_cursor_echoing_the_credentials_is_never_stored(tmp_path: Path) -> None:
    basic = base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()
    rec = Recorder(
        page_body([event(1)], cursor=basic, has_more=True),
        httpx.Response(500),  # the run stops here: its progress is what was stored
    )
    db = tmp_path / "events.db"
    with client(rec, max_retries=0) as c, pytest.raises(zdevents.errors.ServerError):
        zdevents.sync(c, db, [{"user_id": 1}])
    assert rec.calls == 2  # the second request did carry the cursor
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("events"))
    assert event(1)["id"].encode() in stored  # the first page was kept
    assert basic.encode() not in stored and basic.rstrip("=").encode() not in stored


# --------------------------------------------------------------------------- issue 20


def _now_ts(offset: dt.timedelta = dt.timedelta(0)) -> str:
    moment = dt.datetime.now(dt.UTC).replace(tzinfo=None) + offset
    return _ts(moment)


def test_an_event_dated_in_the_future_does_not_freeze_the_mark(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    records = person(0, minutes(0, 5))
    records[-1]["event"]["created_at"] = "2099-01-01T00:00:00.000000000Z"  # a wrong clock
    zendesk_sandbox.add_events(records)
    db = tmp_path / "events.db"
    client = zendesk_sandbox.client
    first = zdevents.sync(client, db, [sel(0)])
    assert first.inserted == 5
    # The mark is never ahead of when the run began: not 2099.
    [(_, _, mark, _, _, _)] = state(db)
    with sqlite3.connect(db) as conn:
        (completed,) = conn.execute("SELECT completed_at FROM sync_state").fetchone()
    assert mark < "2099" and mark <= completed.replace("Z", ".000000000Z")
    # An event sent after that run, dated now, is found by the next incremental run.
    new = person(0, minutes(10, 1))
    new[0]["event"]["created_at"] = _now_ts()
    zendesk_sandbox.add_events(new)
    second = zdevents.sync(client, db, [sel(0)])
    assert second.inserted == 1
    assert (second.unchanged, len(rows(db))) == (1, 6)  # the 2099 event is read again


def test_a_mark_frozen_in_the_future_by_an_earlier_version_is_read_from_the_floor(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    zendesk_sandbox.add_events(person(0, minutes(0, 5)))
    db = tmp_path / "events.db"
    client = zendesk_sandbox.client
    zdevents.sync(client, db, [sel(0)])
    with sqlite3.connect(db) as conn:  # what the earlier versions left after a 2099 event
        conn.execute("UPDATE sync_state SET high_water = '2099-01-01T00:00:00.000000000Z'")
    new = person(0, minutes(600, 1))
    zendesk_sandbox.add_events(new)
    report = zdevents.sync(client, db, [sel(0)])
    assert (report.inserted, report.unchanged) == (1, 5)
    assert report.selectors[0].start is None  # from the floor: everything, once
    assert report.selectors[0].high_water == _ts(BASE + dt.timedelta(minutes=600), 100)


def _served_by_user(pages: dict[str, list[dict[str, Any]]]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        user = request.url.path.split("/")[-2]
        return httpx.Response(200, json=page_body(pages[user], has_more=False))

    return handler


def test_a_created_at_without_an_offset_is_stored_as_received_and_read_as_utc(
    tmp_path: Path,
) -> None:
    naive = event(1, created_at="2020-02-28T18:13:01.5")
    handler = _served_by_user({"1": [event(0), naive]})
    db = tmp_path / "events.db"
    with client(handler) as c:
        report = zdevents.sync(c, db, [{"user_id": 1}])
        assert (report.inserted, report.skipped) == (2, ())
        # As Event.created_at reads it (and `zdevents events` exports it): UTC.
        assert (
            zdevents.Event(json.dumps(naive))
            .created_at.isoformat()
            .startswith("2020-02-28T18:13:01.500000+00:00")
        )
        with sqlite3.connect(db) as conn:
            stored = conn.execute(
                "SELECT created_at, created_utc FROM events WHERE id = ?", (naive["id"],)
            ).fetchone()
        assert stored == ("2020-02-28T18:13:01.5", "2020-02-28T18:13:01.500000000Z")
        # The mark moved, so the next run is incremental, not stuck.
        again = zdevents.sync(c, db, [{"user_id": 1}])
        assert again.selectors[0].start is not None and again.skipped == ()


def test_an_event_that_is_no_time_skips_that_person_only_and_says_why(tmp_path: Path) -> None:
    bad = event(2, created_at="next tuesday")
    handler = _served_by_user({"1": [event(0), bad], "2": [event(1)]})
    db = tmp_path / "events.db"
    with client(handler) as c:
        report = zdevents.sync(c, db, [{"user_id": 1}, {"user_id": 2}])
        assert [s.selector for s in report.skipped] == ["user_id:1"]
        skipped = report.skipped[0].skipped
        assert isinstance(skipped, errors.BadResponseError)
        assert "created_at" in str(skipped) and "next tuesday" in str(skipped)
        assert report.selectors[1].inserted == 1  # the other person goes on
        assert set(rows(db)) == {event(1)["id"]}
        # Their run stays where it stopped: a rerun tries that page again, and says so again.
        again = zdevents.sync(c, db, [{"user_id": 1}, {"user_id": 2}])
        assert [s.selector for s in again.skipped] == ["user_id:1"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("overlap", 1e20), ("overlap", 10**30), ("overlap", 10**400), ("wait", 10**400),
     ("overlap", 99999999999 * 86400)],
)  # fmt: skip
def test_overflowing_numbers_are_value_errors_naming_the_option(
    tmp_path: Path, name: str, value: Any
) -> None:
    with client(lambda r: httpx.Response(500)) as c, pytest.raises(ValueError, match=name):
        zdevents.sync(c, tmp_path / "events.db", [{"user_id": 1}], **{name: value})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", NOT_ONE_FILE)
def test_a_database_that_is_not_one_regular_file_is_a_value_error_before_anything(
    tmp_path: Path, kind: str
) -> None:
    db = tmp_path / "events.db"
    not_one_file(db, kind)
    before = sorted(p.name for p in tmp_path.iterdir())
    with client(lambda r: httpx.Response(500)) as c, pytest.raises(ValueError, match="database"):
        zdevents.sync(c, db, [{"user_id": 1}])
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_database_in_a_missing_folder_is_a_value_error_before_anything(tmp_path: Path) -> None:
    with client(lambda r: httpx.Response(500)) as c, pytest.raises(ValueError, match="folder"):
        zdevents.sync(c, tmp_path / "missing" / "events.db", [{"user_id": 1}])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "created",
    [
        "".join(f"&#{ord(c)};" for c in API_TOKEN),  # HTML entities: 216 characters
        "x" * 90 + API_TOKEN,  # the token past where a quote was cut
    ],
)
def test_a_created_at_that_echoes_the_token_shows_no_part_of_it_in_the_report(
    tmp_path: Path, created: str
) -> None:
    # The reason quoted the value cut to 100 characters: the scrubber did not know the
    # cut token, and the report showed its first 9 to 19 characters.
    import html

    body = page_body([event(1, created_at=created)], has_more=False)
    with client(Recorder(body)) as c:
        report = zdevents.sync(c, str(tmp_path / "e.db"), [{"user_id": 1}])
    (skipped,) = report.skipped
    text = str(skipped.skipped)
    assert "is not a timestamp" in text
    for view in (text, html.unescape(text)):
        assert not any(API_TOKEN[i : i + 6] in view for i in range(len(API_TOKEN) - 5)), view
