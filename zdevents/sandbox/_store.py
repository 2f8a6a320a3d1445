"""SQLite storage for profiles and events.

Each event's JSON text is stored exactly as it will be served, next to indexed columns for
the filters, so a page is a single indexed query whose rows are spliced into the response.
One connection guarded by a lock serves both the server thread and the caller's thread.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._ids import new_ulid
from ._records import (
    INT64_MAX,
    INT64_MIN,
    EventRecord,
    RecordError,
    normalize_identifier_value,
    parse_record,
)

__all__ = ["EventQuery", "Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    type TEXT NOT NULL,
    user_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS profiles_user ON profiles (user_id);
CREATE TABLE IF NOT EXISTS identifiers (
    source TEXT NOT NULL,
    type TEXT NOT NULL,
    id_type TEXT NOT NULL,
    value TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    PRIMARY KEY (source, type, id_type, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    profile_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    type TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_profile ON events (profile_id, seq);
CREATE INDEX IF NOT EXISTS events_user ON events (user_id, seq);
"""

# Identifier types that Zendesk syncs to the user's identities: two profiles sharing one of
# these belong to the same person, so a new profile joins that person's user id.
_USER_LINKING_TYPES = frozenset(
    {"email", "phone_number", "external_id", "twitter", "facebook", "sdk"}
)
_FIRST_GENERATED_USER_ID = 1_000_001


def _clamp(ns: int) -> int:
    # Filters may name any year 1..9999; stored times fit in SQLite's signed 64 bits.
    return min(max(ns, INT64_MIN), INT64_MAX)


def _content(event_json: str, ignored: frozenset[str]) -> str:
    # Canonical JSON (sorted keys; 1, 1.0 and true stay distinct) without the ignored fields.
    event = json.loads(event_json)
    for key in ignored:
        event.pop(key, None)
    return json.dumps(event, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class EventQuery:
    """One page request: a selector (profile or user), filters and the cursor position."""

    profile_id: str | None = None
    user_id: int | None = None
    source: str | None = None
    type: str | None = None
    start_ns: int | None = None
    end_ns: int | None = None
    after_seq: int = 0
    limit: int = 100


class Store:
    """Profiles and events in SQLite (``path=None`` keeps them in memory)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        target = ":memory:" if path is None else os.fspath(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        try:
            with self._lock:
                self._db.executescript(_SCHEMA)
                row = self._db.execute(
                    "SELECT value FROM meta WHERE key = 'cursor_secret'"
                ).fetchone()
                if row is None:
                    secret = os.urandom(32)
                    self._db.execute(
                        "INSERT INTO meta (key, value) VALUES ('cursor_secret', ?)", (secret,)
                    )
                else:
                    secret = bytes(row[0])
        except BaseException:
            self._db.close()
            raise
        # Kept in the database so that cursors stay valid when a --db file is reopened.
        self.cursor_secret: bytes = secret

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    # -- writing -----------------------------------------------------------------------------

    def add(self, records: Iterable[object]) -> list[str]:
        """Validate and store track-event records in one transaction; return profile ids.

        Raises ``RecordError`` (with ``index`` set) and stores nothing if any record is bad.
        """
        parsed: list[EventRecord] = []
        for index, record in enumerate(records):
            try:
                parsed.append(parse_record(record))
            except RecordError as exc:
                raise RecordError(exc.message, index=index) from None
        return self.add_parsed(parsed)

    def add_parsed(self, records: Sequence[EventRecord]) -> list[str]:
        """Store already validated records in one transaction; return their profile ids.

        An event whose id is already stored (or earlier in ``records``) is skipped when it is
        the same event, so re-seeding a ``--db`` file with the same seed does not duplicate
        its events: same profile, same fields, apart from the timestamps the sandbox fills
        in for a record that leaves them out. The same id with other content is a
        ``RecordError`` naming the record. An event without an id gets a new one each time
        it is loaded, so loading such a record again stores it again.
        """
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                cache: dict[tuple[object, ...], tuple[str, int]] = {}
                profile_ids: list[str] = []
                rows: list[tuple[object, ...]] = []
                batch: dict[str, tuple[str, str, frozenset[str]]] = {}
                for index, record in enumerate(records):
                    key = (
                        record.profile_source,
                        record.profile_type,
                        record.profile_id,
                        record.identifiers,
                        record.user_id,
                    )
                    resolved = cache.get(key)
                    if resolved is None:
                        try:
                            resolved = self._resolve_profile(record)
                        except RecordError as exc:
                            raise RecordError(exc.message, index=index) from None
                        cache[key] = resolved
                    profile_id, user_id = resolved
                    profile_ids.append(profile_id)
                    if self._is_stored(record, profile_id, batch, index):
                        continue
                    batch[record.event_id] = (profile_id, record.event_json, record.filled)
                    rows.append(
                        (
                            record.event_id,
                            profile_id,
                            user_id,
                            record.event_source,
                            record.event_type,
                            record.created_ns,
                            record.event_json,
                        )
                    )
                db.executemany(
                    "INSERT INTO events"
                    " (event_id, profile_id, user_id, source, type, created_ns, body)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return profile_ids

    def _is_stored(
        self,
        record: EventRecord,
        profile_id: str,
        batch: dict[str, tuple[str, str, frozenset[str]]],
        index: int,
    ) -> bool:
        """Whether the record's event is stored already (or earlier in the batch).

        Raises ``RecordError`` if its id is taken by a different event.
        """
        earlier = batch.get(record.event_id)
        if earlier is None:
            row = self._db.execute(
                "SELECT profile_id, body FROM events WHERE event_id = ?", (record.event_id,)
            ).fetchone()
            if row is None:
                return False
            earlier = (str(row[0]), str(row[1]), frozenset())
        stored_profile, stored_json, stored_filled = earlier
        ignored = record.filled | stored_filled
        if stored_profile != profile_id:
            raise RecordError(
                f"event.id {record.event_id} is already stored for profile {stored_profile}",
                index=index,
            )
        if _content(stored_json, ignored) != _content(record.event_json, ignored):
            raise RecordError(
                f"event.id {record.event_id} is already stored with different content",
                index=index,
            )
        return True

    def _resolve_profile(self, record: EventRecord) -> tuple[str, int]:
        """Find or create the record's profile (as Zendesk's track-event call does)."""
        db = self._db
        source, ptype = record.profile_source, record.profile_type
        owners = {
            row[0]
            for id_type, value in record.identifiers
            for row in db.execute(
                "SELECT profile_id FROM identifiers"
                " WHERE source = ? AND type = ? AND id_type = ? AND value = ?",
                (source, ptype, id_type, value),
            )
        }
        profile_id = record.profile_id
        if profile_id is not None:
            owners.discard(profile_id)
            if owners:
                raise RecordError("an identifier already belongs to another profile")
        elif len(owners) > 1:
            raise RecordError("the identifiers belong to different profiles")
        elif owners:
            profile_id = owners.pop()

        existing = None
        if profile_id is None:
            profile_id = new_ulid()
        else:
            existing = db.execute(
                "SELECT source, type, user_id FROM profiles WHERE id = ?", (profile_id,)
            ).fetchone()
        if existing is not None:
            if (existing[0], existing[1]) != (source, ptype):
                raise RecordError(
                    f"profile {profile_id} has source {existing[0]!r} and type {existing[1]!r}"
                )
            user_id = int(existing[2])
            if record.user_id is not None and record.user_id != user_id:
                raise RecordError(f"profile {profile_id} belongs to user {user_id}")
        else:
            user_id = record.user_id or self._linked_user(record) or self._next_user_id()
            db.execute(
                "INSERT INTO profiles (id, source, type, user_id) VALUES (?, ?, ?, ?)",
                (profile_id, source, ptype, user_id),
            )
        db.executemany(
            "INSERT OR IGNORE INTO identifiers (source, type, id_type, value, profile_id)"
            " VALUES (?, ?, ?, ?, ?)",
            [(source, ptype, id_type, value, profile_id) for id_type, value in record.identifiers],
        )
        return profile_id, user_id

    def _linked_user(self, record: EventRecord) -> int | None:
        for id_type, value in record.identifiers:
            if id_type not in _USER_LINKING_TYPES:
                continue
            row = self._db.execute(
                "SELECT p.user_id FROM identifiers i JOIN profiles p ON p.id = i.profile_id"
                " WHERE i.id_type = ? AND i.value = ? LIMIT 1",
                (id_type, value),
            ).fetchone()
            if row is not None:
                return int(row[0])
        return None

    def _next_user_id(self) -> int:
        row = self._db.execute("SELECT MAX(user_id) FROM profiles").fetchone()
        highest = row[0] if row and row[0] is not None else 0
        return max(int(highest) + 1, _FIRST_GENERATED_USER_ID)

    # -- reading -----------------------------------------------------------------------------

    def profile_by_identifier(
        self, source: str, ptype: str, id_type: str, value: str
    ) -> str | None:
        """The id of the profile an identifier query selects, or ``None``."""
        with self._lock:
            row = self._db.execute(
                "SELECT profile_id FROM identifiers"
                " WHERE source = ? AND type = ? AND id_type = ? AND value = ?",
                (source, ptype, id_type, normalize_identifier_value(id_type, value)),
            ).fetchone()
        return None if row is None else str(row[0])

    def has_profile(self, profile_id: str) -> bool:
        """Whether a profile with this id exists."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM profiles WHERE id = ?", (profile_id,)).fetchone()
        return row is not None

    def has_user(self, user_id: int) -> bool:
        """Whether any profile belongs to this user id."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM profiles WHERE user_id = ? LIMIT 1", (user_id,)
            ).fetchone()
        return row is not None

    def page(self, query: EventQuery) -> list[tuple[int, str]]:
        """Up to ``query.limit`` ``(seq, json)`` rows after ``query.after_seq``, by seq."""
        clauses: list[str] = []
        params: list[object] = []
        if query.profile_id is not None:
            clauses.append("profile_id = ?")
            params.append(query.profile_id)
        if query.user_id is not None:
            clauses.append("user_id = ?")
            params.append(query.user_id)
        if query.source is not None:
            clauses.append("source = ?")
            params.append(query.source)
        if query.type is not None:
            clauses.append("type = ?")
            params.append(query.type)
        if query.start_ns is not None:
            clauses.append("created_ns >= ?")
            params.append(_clamp(query.start_ns))
        if query.end_ns is not None:
            clauses.append("created_ns <= ?")
            params.append(_clamp(query.end_ns))
        clauses.append("seq > ?")
        params.append(query.after_seq)
        params.append(query.limit)
        sql = f"SELECT seq, body FROM events WHERE {' AND '.join(clauses)} ORDER BY seq LIMIT ?"  # noqa: S608 -- only fixed clause texts are interpolated
        with self._lock:
            return [(int(seq), str(body)) for seq, body in self._db.execute(sql, params)]

    def count_events(self) -> int:
        """How many events are stored."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(row[0])
