"""The mirror's SQLite schema (version 2), opening it, and the migration from version 1.

Tables:

- ``events``: one row per event id, with the selector it was first stored under, the fields
  as received (timestamps as text, ``properties`` as JSON text), ``created_utc``
  (``created_at`` spelt so that it sorts by time), ``raw`` (the event's JSON text),
  ``synced_at`` (when the row was inserted) and ``changed_at`` (when its content last
  changed: ``synced_at`` until it does);
- ``sync_state``: one row per selector and filter set: the high-water mark, when its last
  run completed, and the run in progress, if any (see ``_sync``);
- ``people``: the users the incremental user export found (``sync(..., ALL_USERS)``): id,
  name, email, external id, role, active, Zendesk's ``created_at``/``updated_at``, the
  user's JSON text, and ``synced_at``/``changed_at`` as for events;
- ``people_export``: one row: the export's cursor, where the next discovery goes on.

``synced_at`` and ``changed_at`` are UTC text with microseconds (``2026-12-07T09:44:26.123456Z``),
which sorts by time, strictly increasing from one commit to the next (even if the clock
steps back): ``WHERE changed_at > :last`` (``:last`` the largest value a load took) picks
out exactly the rows changed since.

A version-1 database (made by zdevents 0.2) is migrated when it is opened, in one
transaction: its rows get the time of the migration as ``synced_at`` and ``changed_at``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from ._version import __version__
from .errors import SyncError, SyncSchemaError

#: The version of the tables below, kept in ``PRAGMA user_version``.
SCHEMA_VERSION = 2
#: ``PRAGMA application_id``: "zdev", so that another program's database is not mistaken
#: for an empty one of ours.
APPLICATION_ID = 0x7A646576

_EVENTS = """
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    selector    TEXT NOT NULL,  -- whose events: the selector that stored it first
    source      TEXT,
    type        TEXT,
    description TEXT,
    created_at  TEXT,           -- timestamps: the text as received
    created_utc TEXT NOT NULL,  -- created_at in UTC with 9 digits: sorts by time
    received_at TEXT,
    properties  TEXT,           -- JSON text
    raw         TEXT NOT NULL,  -- the event's JSON text
    synced_at   TEXT NOT NULL,  -- when the row was inserted (UTC, microseconds)
    changed_at  TEXT NOT NULL   -- when its content last changed (synced_at until then)
);
CREATE INDEX events_by_selector ON events (selector, created_utc);
"""
_EVENTS_BY_STAMPS = """
CREATE INDEX events_by_synced ON events (synced_at);
CREATE INDEX events_by_changed ON events (changed_at);
"""

_SYNC_STATE = """
CREATE TABLE sync_state (
    selector       TEXT NOT NULL,
    filters        TEXT NOT NULL,  -- {"source": ..., "type": ...}
    high_water     TEXT,           -- newest created_utc of the last completed run
    completed_at   TEXT,           -- when that run completed (UTC)
    run_started_at TEXT,           -- a run under way (or interrupted): when it started,
    run_start      TEXT,           --   the created_at it reads from (NULL: the beginning),
    run_high       TEXT,           --   the newest created_utc it stored,
    run_cursor     TEXT,           --   the page it reads next ('': none left)
    PRIMARY KEY (selector, filters)
);
"""

_PEOPLE = """
CREATE TABLE people (
    user_id     INTEGER PRIMARY KEY,
    name        TEXT,
    email       TEXT,
    external_id TEXT,
    role        TEXT,           -- end-user, agent, admin
    active      INTEGER NOT NULL,  -- 0 once the user is deleted: their events are not read
    created_at  TEXT,           -- Zendesk's, as received
    updated_at  TEXT,           -- Zendesk's, as received
    raw         TEXT NOT NULL,  -- the user's JSON text as the export sent it
    synced_at   TEXT NOT NULL,
    changed_at  TEXT NOT NULL
);
CREATE INDEX people_by_synced ON people (synced_at);
CREATE INDEX people_by_changed ON people (changed_at);
CREATE TABLE people_export (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    cursor        TEXT,             -- after_cursor of the last page stored
    end_of_stream INTEGER NOT NULL, -- whether that page ended the export
    updated_at    TEXT NOT NULL
);
"""

#: Version 1 to 2, one statement after another inside one transaction. The columns are
#: added in place (not by rebuilding the table): a rename would point the user's own views
#: at a table then dropped, and drop their indexes and triggers with it.
_MIGRATION_1_TO_2 = (
    "ALTER TABLE events ADD COLUMN synced_at TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE events ADD COLUMN changed_at TEXT NOT NULL DEFAULT ''",
    "UPDATE events SET synced_at = :now, changed_at = :now",
    *(s for s in _EVENTS_BY_STAMPS.split(";") if s.strip()),
    *(s for s in _PEOPLE.split(";") if s.strip()),
    "PRAGMA user_version = 2",
)


def _statements(*scripts: str) -> list[str]:
    return [s for script in scripts for s in script.split(";") if s.strip()]


def stamp_text(moment: dt.datetime) -> str:
    """A ``synced_at``/``changed_at`` value: UTC with microseconds."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Stamper:
    """The ``synced_at``/``changed_at`` of each commit: now, but always later than the last
    one stored (a clock that steps back must not make a load miss rows)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        last = ""
        for table in ("events", "people"):
            (value,) = conn.execute(f"SELECT MAX(changed_at) FROM {table}").fetchone()  # noqa: S608
            last = max(last, value or "")
        self._last = last

    def next(self) -> str:
        now = stamp_text(dt.datetime.now(dt.UTC))
        if now <= self._last:
            previous = dt.datetime.strptime(self._last, "%Y-%m-%dT%H:%M:%S.%fZ")
            now = stamp_text((previous + dt.timedelta(microseconds=1)).replace(tzinfo=dt.UTC))
        self._last = now
        return now


#: SQLite's answers that no rerun changes: not a database, a damaged one, no permission.
_PERMANENT = {
    sqlite3.SQLITE_NOTADB: "is not a SQLite database",
    sqlite3.SQLITE_CORRUPT: "is damaged",
    sqlite3.SQLITE_READONLY: "cannot be written",
    sqlite3.SQLITE_CANTOPEN: "cannot be opened",
    sqlite3.SQLITE_PERM: "cannot be opened",
}


def unusable(path: str, exc: sqlite3.Error) -> SyncError:
    """A ``SyncSchemaError`` for what makes ``path`` unusable as it is (running again will
    not help); a ``SyncError`` otherwise (a full disk, a busy or failing device)."""
    what = _PERMANENT.get(getattr(exc, "sqlite_errorcode", -1) & 0xFF)
    if what is not None:
        return SyncSchemaError(f"the database {path} {what} ({exc}); give --db another file")
    return SyncError(f"cannot use the database {path}: {exc}")


def migrate_1_to_2(conn: sqlite3.Connection) -> None:
    """Bring a version-1 database to version 2, all or nothing."""
    now = stamp_text(dt.datetime.now(dt.UTC))
    conn.execute("BEGIN IMMEDIATE")
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version == 1:  # another process may have migrated it while we waited
            for statement in _MIGRATION_1_TO_2:
                conn.execute(statement, {"now": now} if ":now" in statement else {})
    except BaseException:
        if conn.in_transaction:  # SQLite rolls back by itself on some errors (a full disk)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def connect(real: str, path: str) -> sqlite3.Connection:
    """Open (or create) a mirror of this schema version, migrating a version-1 one; refuse
    anything else. ``real``: the file to open (symlinks resolved, so that SQLite's journal
    lives beside it); ``path``: its name in messages."""
    try:
        conn = sqlite3.connect(real, isolation_level=None, timeout=30)
    except sqlite3.Error as exc:
        raise unusable(path, exc) from None
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_schema")]
        if app == 0 and version == 0 and not tables:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            for statement in _statements(_EVENTS, _EVENTS_BY_STAMPS, _SYNC_STATE, _PEOPLE):
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        elif app != APPLICATION_ID:
            raise SyncSchemaError(
                f"{path} is not a zdevents sync database (it holds other tables); "
                "give --db a new file"
            )
        elif version == 1:
            conn.execute("PRAGMA journal_mode = WAL")
            migrate_1_to_2(conn)
        elif version != SCHEMA_VERSION:
            advice = (
                "upgrade zdevents to use it"
                if version > SCHEMA_VERSION
                else "sync into a new file with --full"
            )
            raise SyncSchemaError(
                f"{path} has schema version {version}, but zdevents {__version__} reads "
                f"version {SCHEMA_VERSION}; {advice}"
            )
        else:
            conn.execute("PRAGMA journal_mode = WAL")
        # Durable against a killed process at every commit; a power cut may lose the last
        # commits, which leaves an earlier consistent state that a rerun completes.
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as exc:
        conn.close()
        raise unusable(path, exc) from None
    except BaseException:
        conn.close()
        raise
    return conn
