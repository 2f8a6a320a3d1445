"""The mirror's schema version 2: the migration from version 1, ``synced_at``/``changed_at``,
the ``people`` table and ``sync(client, db, ALL_USERS)``, against the real sandbox.

``data/sync-v1.db`` is a version-1 database made by zdevents 0.2's ``sync`` (the code of
main before schema 2) with ``data/make_sync_v1.py``: two people of two events each and one
person Zendesk does not know.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import zdevents
from tests._accounts import seed_people
from tests._mock import NOT_ONE_FILE, Recorder, client, event, not_one_file, page_body
from zdevents import _mirror, errors

V1 = Path(__file__).with_name("data") / "sync-v1.db"
V1_EVENT_COLUMNS = (
    "id, selector, source, type, description, created_at, created_utc, received_at, properties, raw"
)


def v1_copy(tmp_path: Path) -> Path:
    db = tmp_path / "v1.db"
    shutil.copyfile(V1, db)
    return db


def dump(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def schema(db: Path) -> set[tuple[Any, ...]]:
    """Each table's columns (name, type, NOT NULL, key) and each index's columns."""
    got: set[tuple[Any, ...]] = set()
    for kind, name in dump(db, "SELECT type, name FROM sqlite_schema WHERE sql IS NOT NULL"):
        if kind == "table":
            info = f"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{name}')"  # noqa: S608
            got.add((name, tuple(dump(db, info))))
        elif kind == "index":
            got.add((name, tuple(dump(db, f"SELECT name FROM pragma_index_info('{name}')"))))  # noqa: S608
    return got


def seed(sandbox: Any, people: int, events: int = 2) -> None:
    seed_people(sandbox, people, first_user=7000, events=events)


# --------------------------------------------------------------------------- migration


def test_a_version_1_database_is_migrated_keeping_every_row_and_mark(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    db = v1_copy(tmp_path)
    before = dump(db, f"SELECT {V1_EVENT_COLUMNS} FROM events ORDER BY id")  # noqa: S608
    state = dump(db, "SELECT * FROM sync_state ORDER BY selector")
    assert dump(db, "PRAGMA user_version") == [(1,)] and len(before) == 4
    # Nobody in the sandbox: the people of the v1 run are simply not found again (skip).
    report = zdevents.sync(
        zendesk_sandbox.client, db, ["coolbikes:rider:email:ann@example.com"], on_missing="skip"
    )
    assert len(report.skipped) == 1
    assert dump(db, "PRAGMA user_version") == [(2,)]
    assert dump(db, f"SELECT {V1_EVENT_COLUMNS} FROM events ORDER BY id") == before  # noqa: S608
    assert dump(db, "SELECT * FROM sync_state ORDER BY selector") == state
    stamps = dump(db, "SELECT DISTINCT synced_at, changed_at FROM events")
    assert len(stamps) == 1 and stamps[0][0] == stamps[0][1] and stamps[0][0].endswith("Z")
    # The migrated tables are those of a database made at version 2: the same columns
    # (name, type, NOT NULL, key) and the same indexes.
    fresh = tmp_path / "fresh.db"
    zdevents.sync(zendesk_sandbox.client, fresh, ["user_id:1"], on_missing="skip")
    assert schema(db) == schema(fresh)


def test_a_migration_that_fails_leaves_version_1_as_it_was(
    zendesk_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = v1_copy(tmp_path)
    before = dump(db, "SELECT * FROM events ORDER BY id")
    broken = (*_mirror._MIGRATION_1_TO_2[:-1], "INSERT INTO no_such_table VALUES (1)")
    monkeypatch.setattr(_mirror, "_MIGRATION_1_TO_2", broken)
    with pytest.raises(errors.SyncError):
        zdevents.sync(zendesk_sandbox.client, db, ["user_id:1"], on_missing="skip")
    assert dump(db, "PRAGMA user_version") == [(1,)]
    assert dump(db, "SELECT * FROM events ORDER BY id") == before
    names = {row[0] for row in dump(db, "SELECT name FROM sqlite_schema")}
    assert "people" not in names and "events_v1" not in names
    monkeypatch.undo()
    zdevents.sync(zendesk_sandbox.client, db, ["user_id:1"], on_missing="skip")
    assert dump(db, "PRAGMA user_version") == [(2,)]


def test_a_migration_keeps_the_users_own_views_indexes_and_triggers_on_events(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    # A warehouse user's view (and index, trigger) over the v1 mirror: renaming the table
    # to rebuild it would point the view at a table then dropped, and drop the others.
    db = v1_copy(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE VIEW recent AS SELECT id, created_utc FROM events;"
            "CREATE INDEX mine ON events (type);"
            "CREATE TABLE seen (id TEXT);"
            "CREATE TRIGGER noted AFTER INSERT ON events BEGIN"
            " INSERT INTO seen VALUES (new.id); END;"
        )
    seed(zendesk_sandbox, 1, events=1)
    zdevents.sync(zendesk_sandbox.client, db, ["user_id:7000"])
    assert dump(db, "PRAGMA user_version") == [(2,)]
    assert dump(db, "SELECT count(*) FROM recent") == [(5,)]
    names = {row[0] for row in dump(db, "SELECT name FROM sqlite_schema")}
    assert {"mine", "noted", "events_by_synced", "events_by_changed"} <= names
    assert len(dump(db, "SELECT id FROM seen")) == 1  # the trigger saw the new event
    stamps = dump(db, "SELECT count(*) FROM events WHERE synced_at = '' OR changed_at = ''")
    assert stamps == [(0,)]


# --------------------------------------------------------------------------- synced_at, changed_at


def test_changed_at_moves_only_when_an_events_content_changes(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    seed(zendesk_sandbox, 1)
    db = tmp_path / "m.db"
    first = zdevents.sync(zendesk_sandbox.client, db, ["user_id:7000"])
    assert (first.changed, first.rows_changed) == (2, 2)
    rows = dump(db, "SELECT id, synced_at, changed_at FROM events ORDER BY id")
    assert all(s == c for _, s, c in rows)
    again = zdevents.sync(zendesk_sandbox.client, db, ["user_id:7000"], full=True)
    assert (again.changed, again.unchanged) == (0, 2)
    assert dump(db, "SELECT id, synced_at, changed_at FROM events ORDER BY id") == rows
    # An event's text changes (here by hand, as Zendesk's own edits would): updated.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE events SET raw = '{}' WHERE id = ?", (rows[0][0],))
    third = zdevents.sync(zendesk_sandbox.client, db, ["user_id:7000"], full=True)
    assert (third.updated, third.changed) == (1, 1)
    after = dict((r[0], r[1:]) for r in dump(db, "SELECT id, synced_at, changed_at FROM events"))
    assert after[rows[0][0]][0] == rows[0][1]  # inserted when it was
    assert after[rows[0][0]][1] > rows[0][2]  # changed now
    newest = dump(db, "SELECT MAX(changed_at) FROM events")[0][0]
    with sqlite3.connect(db) as conn:
        since = conn.execute("SELECT id FROM events WHERE changed_at >= ?", (newest,)).fetchall()
    assert since == [(rows[0][0],)]


def test_stamps_never_go_back_even_if_the_clock_does(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "s.db")
    conn.execute("CREATE TABLE events (changed_at TEXT)")
    conn.execute("CREATE TABLE people (changed_at TEXT)")
    conn.execute("INSERT INTO people VALUES ('2999-01-01T00:00:00.000000Z')")
    stamper = _mirror.Stamper(conn)
    first, second = stamper.next(), stamper.next()
    assert "2999-01-01T00:00:00.000000Z" < first < second
    conn.close()


# --------------------------------------------------------------------------- ALL_USERS


def test_all_users_discovers_everyone_then_reads_only_the_changed_ones(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    seed(zendesk_sandbox, 4)
    db = tmp_path / "all.db"
    c = zendesk_sandbox.client
    first = zdevents.sync(c, db, zdevents.ALL_USERS)
    assert (first.people_inserted, first.discovery_requests) == (4, 1)
    assert first.inserted == 8 and len(first.selectors) == 4
    assert first.rows_changed == 12
    people = dump(db, "SELECT user_id, email, role, active FROM people ORDER BY user_id")
    assert people == [(7000 + n, f"p{n}@example.com", "end-user", 1) for n in range(4)]
    (cursor,) = dump(db, "SELECT cursor FROM people_export")[0]
    assert cursor
    # Nothing changed: one discovery request, no person row written.
    second = zdevents.sync(c, db, zdevents.ALL_USERS)
    assert (second.people_inserted, second.people_updated, second.rows_changed) == (0, 0, 0)
    assert second.discovery_requests == 1
    # A person deleted in Zendesk: kept, marked, and their events no longer read.
    zendesk_sandbox.change_user(7001, active=False)
    seed(zendesk_sandbox, 5, events=1)  # one new person, one more event each
    third = zdevents.sync(c, db, zdevents.ALL_USERS)
    assert (third.people_inserted, third.people_updated) == (1, 1)
    assert dump(db, "SELECT active FROM people WHERE user_id = 7001") == [(0,)]
    assert "user_id:7001" not in {s.selector for s in third.selectors}
    assert len(third.selectors) == 4 and third.inserted == 4


def test_sync_and_its_plan_read_more_people_than_one_statement_takes_in_chunks(
    zendesk_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One bound for both (SQLite's on '?'s), made small: five people take three statements.
    monkeypatch.setattr(zdevents._sync, "IDS_PER_STATEMENT", 2)
    seed(zendesk_sandbox, 4)
    db = tmp_path / "all.db"
    c = zendesk_sandbox.client
    assert zdevents.sync(c, db, zdevents.ALL_USERS).people_inserted == 4
    zendesk_sandbox.change_user(7001, active=False)
    seed(zendesk_sandbox, 5, events=1)
    plan = zdevents.plan_sync(c, db, zdevents.ALL_USERS)
    assert (plan.people, plan.new_people) == (4, 1)
    again = zdevents.sync(c, db, zdevents.ALL_USERS)
    assert (again.people_inserted, again.people_updated) == (1, 1)


def test_all_users_needs_an_admin_and_says_so(zendesk_sandbox: Any, tmp_path: Path) -> None:
    seed(zendesk_sandbox, 1)
    with (
        zdevents.Client(
            base_url=zendesk_sandbox.base_url,
            email=zendesk_sandbox.agent_email,
            api_token=zendesk_sandbox.api_token,
        ) as agent,
        pytest.raises(errors.PermissionDeniedError, match="admins only"),
    ):
        zdevents.sync(agent, tmp_path / "a.db", zdevents.ALL_USERS)


def test_progress_reports_carry_totals_and_a_view_of_the_runs(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    seed(zendesk_sandbox, 3, events=3)
    seen: list[zdevents.SyncReport] = []
    final = zdevents.sync(
        zendesk_sandbox.client,
        tmp_path / "p.db",
        [f"user_id:{7000 + n}" for n in range(3)],
        page_size=2,
        concurrency=1,
        progress=seen.append,
    )
    during = seen[:-1]
    assert [r.events for r in during] == sorted(r.events for r in during)
    assert during[-1].events == 9 and seen[-1] == final
    assert isinstance(final.selectors, tuple)
    assert not isinstance(during[0].selectors, tuple)
    assert [s.selector for s in during[0].selectors] == [f"user_id:{7000 + n}" for n in range(3)]
    assert final.changed == 9 and final.people_inserted == 0


def test_the_file_spelling_is_a_selector_of_sync_and_events_many(zendesk_sandbox: Any) -> None:
    seed(zendesk_sandbox, 2, events=1)
    c = zendesk_sandbox.client
    got = sorted((s, e.description) for s, e in c.events_many(["user_id:7000", "user_id:7001"]))
    assert got == [("user_id:7000", "0.0"), ("user_id:7001", "1.0")]
    with pytest.raises(ValueError, match="selector 1"):
        c.events_many(["user_id:x"])


# --------------------------------------------------------------------------- the docs page

DOC = Path(__file__).resolve().parents[2] / "docs" / "whole-account.md"
_BLOCK = re.compile(r"(<!-- skip: next[^>]*-->\n)?```python\n(.*?)```", re.S)


def test_the_whole_account_pages_python_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("duckdb")  # the page says what it needs: DuckDB's package
    monkeypatch.chdir(tmp_path)
    blocks = [code for skip, code in _BLOCK.findall(DOC.read_text()) if not skip]
    assert len(blocks) == 2
    names: dict[str, Any] = {}
    for code in blocks:
        exec(compile(code, str(DOC), "exec"), names)  # noqa: S102
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "4 True" and out[1] == "[]"  # the demo's users, 2 a page; none since
    # The warehouse holds every event of the mirror, its text exactly as stored.
    import duckdb

    stored = dump(names["mirror"], "SELECT id, raw, changed_at FROM events ORDER BY id")
    loaded = duckdb.connect(str(names["warehouse"])).execute(
        "SELECT id, raw, changed_at FROM events ORDER BY id"
    )
    assert loaded.fetchall() == stored and int(out[-1].strip("(),")) == len(stored)


# --------------------------------------------------------------------------- a hostile export


def _export_then_events(pages: list[dict[str, Any]]) -> Any:
    """A fake account: the user export answers ``pages`` in turn (the last one again and
    again), each user's events route one event (404 for user 3)."""
    served = iter(pages)
    last: list[dict[str, Any]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/v2/incremental/users/cursor":
            page = next(served, None)
            if page is not None:
                last[:] = [page]
            return httpx.Response(200, json=last[0])
        user = int(path.split("/")[4])
        if user == 3:
            return httpx.Response(404, json={"errors": [{"code": "NotFound", "title": "x"}]})
        return httpx.Response(200, json=page_body([event(user)], has_more=False))

    return handle


def _users(ids: list[int], cursor: str, end: bool, **fields: Any) -> dict[str, Any]:
    users = [{"id": i, "active": True, "updated_at": "2026-01-01T00:00:00Z", **fields} for i in ids]
    return {"users": users, "after_cursor": cursor, "end_of_stream": end}


def test_a_user_deleted_between_pages_is_kept_inactive_and_not_read(tmp_path: Path) -> None:
    rec = Recorder(
        _export_then_events([_users([1, 2, 3], "c1", False), _users([2], "c2", True, active=False)])
    )
    db = tmp_path / "h.db"
    with client(rec) as c:
        report = zdevents.sync(c, db, zdevents.ALL_USERS, on_missing="skip")
    assert dump(db, "SELECT user_id, active FROM people ORDER BY user_id") == [
        (1, 1), (2, 0), (3, 1),
    ]  # fmt: skip
    assert [s.selector for s in report.selectors] == ["user_id:1", "user_id:3"]
    assert [s.selector for s in report.skipped] == ["user_id:3"]  # gone by the time it was read
    assert dump(db, "SELECT cursor FROM people_export") == [("c2",)]
    assert report.people_inserted == 3 and report.people_updated == 1


def test_an_export_that_never_ends_stops_and_keeps_what_it_stored(tmp_path: Path) -> None:
    served = iter(range(10**6))

    def forever(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=_users([1], f"c{next(served)}", False))

    db = tmp_path / "h.db"
    with client(Recorder(forever)) as c, pytest.raises(errors.PaginationError):
        zdevents.sync(c, db, zdevents.ALL_USERS)
    # The pages stored before it gave up are kept, with the cursor to go on from.
    assert dump(db, "SELECT user_id FROM people") == [(1,)]
    assert dump(db, "SELECT cursor FROM people_export")[0][0].startswith("c")
    assert dump(db, "SELECT count(*) FROM events") == [(0,)]


def test_a_kept_cursor_refused_reads_again_from_the_newest_person(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with client(Recorder(_export_then_events([_users([1], "c1", True)]))) as c:
        zdevents.sync(c, db, zdevents.ALL_USERS)
    refused = httpx.Response(400, json={"errors": [{"code": "InvalidCursor", "title": "x"}]})
    rec = Recorder(refused, _export_then_events([_users([1, 5], "c9", True)]))
    with client(rec) as c:
        report = zdevents.sync(c, db, zdevents.ALL_USERS)
    assert rec.params(0) == {"cursor": "c1"}
    # From the newest updated_at kept (2026-01-01) minus the overlap (an hour).
    assert rec.params(1) == {"start_time": str(1767225600 - 3600)}
    assert report.people_inserted == 1
    assert dump(db, "SELECT cursor FROM people_export") == [("c9",)]


_MIGRATE = """
import os, signal, sqlite3, sys
from zdevents import _mirror
real_connect = sqlite3.connect
calls = 0

def kill_midway(*args, **kwargs):
    conn = real_connect(*args, **kwargs)

    def step():
        global calls
        calls += 1
        if calls == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
        return 0

    conn.set_progress_handler(step, 1000)
    return conn

_mirror.sqlite3.connect = kill_midway
_mirror.connect(sys.argv[1], sys.argv[1]).close()
"""


@pytest.mark.parametrize("step", [3, 1000])
def test_a_migration_killed_midway_leaves_version_1_whole(tmp_path: Path, step: int) -> None:
    # Enough rows that the migration runs thousands of SQLite steps; the process SIGKILLs
    # itself at one of them, inside the migration's transaction.
    db = v1_copy(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO events (id, selector, created_utc, raw) WITH RECURSIVE n(i) AS"
            " (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)"
            " SELECT 'e' || i, 'user_id:1', '2026-01-01T00:00:00.000000000Z', '{}' FROM n"
        )
    rows = dump(db, "SELECT count(*) FROM events")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    killed = subprocess.run(
        [sys.executable, "-c", _MIGRATE, str(db), str(step)], env=env, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    assert dump(db, "PRAGMA integrity_check") == [("ok",)]
    assert dump(db, "PRAGMA user_version") == [(1,)]
    assert dump(db, "SELECT count(*) FROM events") == rows
    columns = {row[0] for row in dump(db, "SELECT name FROM pragma_table_info('events')")}
    assert "synced_at" not in columns and "people" not in {
        row[0] for row in dump(db, "SELECT name FROM sqlite_schema")
    }
    # Opened again, it becomes version 2 with every row.
    _mirror.connect(str(db), str(db)).close()
    assert dump(db, "PRAGMA user_version") == [(2,)]
    assert dump(db, "SELECT count(*) FROM events") == rows
    assert dump(db, "SELECT count(*) FROM events WHERE synced_at = ''") == [(0,)]


@pytest.mark.timeout(30)  # the FIFO used to block the plan's open() forever
@pytest.mark.parametrize("kind", NOT_ONE_FILE)
def test_a_plan_of_a_database_that_is_not_one_regular_file_is_a_value_error_before_anything(
    tmp_path: Path, kind: str
) -> None:
    db = tmp_path / "events.db"
    not_one_file(db, kind, V1.read_bytes())
    before = sorted(p.name for p in tmp_path.iterdir())
    sent = Recorder(lambda r: httpx.Response(500))
    with client(sent) as c, pytest.raises(ValueError, match="database"):
        zdevents.plan_sync(c, db, zdevents.ALL_USERS)
    assert sent.requests == [] and sorted(p.name for p in tmp_path.iterdir()) == before
