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
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from zdevents import Identifier

from . import _users
from ._ids import new_ulid
from ._nanos import format_ns, now_ns, parse_datetime_ns
from ._records import (
    INT64_MAX,
    INT64_MIN,
    MAX_IDENTIFIERS,
    MAX_PROFILES_PER_USER,
    RESERVED_SOURCE,
    EventRecord,
    ProfileChanges,
    ProfileSpec,
    RecordError,
    parse_record,
)

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
# Columns added since the first release: a --db file written by it gains them on open.
_ADDED_COLUMNS = (
    ("profiles", "name", "TEXT"),
    ("profiles", "attributes", "TEXT"),
    ("profiles", "created_at", "TEXT NOT NULL DEFAULT ''"),
    ("profiles", "updated_at", "TEXT NOT NULL DEFAULT ''"),
    ("identifiers", "rank", "INTEGER NOT NULL DEFAULT 0"),
)
_ADDED_INDEXES = """
CREATE INDEX IF NOT EXISTS identifiers_profile ON identifiers (profile_id, rank);
CREATE INDEX IF NOT EXISTS identifiers_value ON identifiers (id_type, value);
"""
# The last one serves the profile matching by a user-linking identifier (_linked_user), which
# names no source and type: without it, each new profile read the whole table.

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


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page to read: a selector (profile or user), filters and the cursor position."""

    profile_id: str | None = None
    user_id: int | None = None
    source: str | None = None
    type: str | None = None
    start_ns: int | None = None
    end_ns: int | None = None
    after_seq: int = 0
    limit: int = 100


@dataclass(frozen=True, slots=True)
class Tracked:
    """Where a stored (or already stored) event went."""

    profile_id: str
    user_id: int


class Store:
    """Profiles and events in SQLite (``path=None`` keeps them in memory).

    Its public methods take plain data (records as ``track`` takes them, ids); those that
    take the app's parsed records (``_add_parsed``, ``_put_profile``, ``_patch_profile``,
    ``_page``) are the sandbox's own."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        target = ":memory:" if path is None else os.fspath(path)
        if path is not None and os.path.exists(target) and not os.path.isfile(target):
            # SQLite would put its journal beside it: as root, beside /dev/null is in /dev.
            raise ValueError(f"--db {target}: not a regular file (a directory or a device?)")
        self._lock = threading.Lock()
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        try:
            with self._lock:
                self._db.executescript(_SCHEMA)
                self._add_columns()
                self._db.executescript(_users.SCHEMA)
                self._db.execute(_users.BACKFILL)
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
        self.path = None if path is None else os.fspath(path)

    def _add_columns(self) -> None:
        for table, column, declaration in _ADDED_COLUMNS:
            names = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if column not in names:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        self._db.executescript(_ADDED_INDEXES)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    # -- writing -----------------------------------------------------------------------------

    def add(self, records: Iterable[object]) -> list[str]:
        """Validate and store records in one transaction; return their profile ids.

        Raises ``RecordError`` (with ``index`` set) and stores nothing if any record is bad.
        """
        parsed: list[EventRecord] = []
        for index, record in enumerate(records):
            try:
                parsed.append(parse_record(record))
            except RecordError as exc:
                raise exc.at(index) from None
        return [tracked.profile_id for tracked in self._add_parsed(parsed, create_users=True)]

    def _add_parsed(self, records: Sequence[EventRecord], *, create_users: bool) -> list[Tracked]:
        """Store validated records in one transaction; say where each went.

        This is what an HTTP track does with a batch of one (``create_users=False``: a user
        id that owns no profile is a 404) and what seeds and ``add_event`` do
        (``create_users=True``). The profile is found by its id, or by source, type and any
        of its identifiers, or created; new identifiers, a name and attributes are added to
        it.

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
                cache: dict[tuple[object, ...], Tracked] = {}
                results: list[Tracked] = []
                rows: list[tuple[object, ...]] = []
                batch: dict[str, tuple[str, str, frozenset[str]]] = {}
                for index, record in enumerate(records):
                    key = (record.profile, record.profile_id, record.user_id)
                    tracked = cache.get(key)
                    if tracked is None:
                        try:
                            tracked = self._resolve(record, create_users=create_users)
                        except RecordError as exc:
                            raise exc.at(index) from None
                        cache[key] = tracked
                    results.append(tracked)
                    if self._is_stored(record, tracked.profile_id, batch, index):
                        continue
                    batch[record.event_id] = (tracked.profile_id, record.event_json, record.filled)
                    rows.append(
                        (
                            record.event_id,
                            tracked.profile_id,
                            tracked.user_id,
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
            return results

    def add_scale(self, people: int, events_each: int = 2) -> tuple[int, int]:
        """Store ``people`` new users, one profile each (``scale:person``, identified by the
        email ``person<N>@scale.example``) with ``events_each`` events, in one transaction of
        bulk inserts: what ``--seed scale:N`` loads, fast enough for 50,000 people. Returns
        the first and the last user id (consecutive)."""
        now = format_ns(now_ns())
        base_ns = parse_datetime_ns("2024-01-01T00:00:00Z") or 0
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                first = self._next_user_id()
                # Ids from the user id, which is new: a second scale seed gets other ones.
                profiles, identifiers, events = [], [], []
                for n in range(people):
                    user_id = first + n
                    profile_id = f"01HSCA{user_id:020d}"
                    profiles.append((profile_id, "scale", "person", user_id, now, now))
                    identifiers.append(
                        ("scale", "person", "email", f"person{user_id}@scale.example",
                         profile_id, 1)
                    )  # fmt: skip
                    for k in range(events_each):
                        created = base_ns + (user_id * events_each + k) * 1_000_000_000
                        event_id = f"01HSCE{user_id:016d}{k:04d}"
                        stamp = format_ns(created)
                        body = (
                            f'{{"id":"{event_id}","source":"scale","type":"visit",'
                            f'"description":"Visit {k + 1}","created_at":"{stamp}",'
                            f'"received_at":"{stamp}","properties":{{"n":{k}}}}}'
                        )
                        events.append(
                            (event_id, profile_id, user_id, "scale", "visit", created, body)
                        )
                db.executemany(
                    "INSERT INTO profiles (id, source, type, user_id, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    profiles,
                )
                db.executemany(
                    "INSERT INTO identifiers (source, type, id_type, value, profile_id, rank)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    identifiers,
                )
                db.executemany(
                    "INSERT INTO events"
                    " (event_id, profile_id, user_id, source, type, created_ns, body)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    events,
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        return first, first + people - 1

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
                code="DuplicateEventId",
            )
        if _content(stored_json, ignored) != _content(record.event_json, ignored):
            raise RecordError(
                f"event.id {record.event_id} is already stored with different content",
                index=index,
                code="DuplicateEventId",
            )
        return True

    def _resolve(self, record: EventRecord, *, create_users: bool) -> Tracked:
        """Find or create the record's profile (as Zendesk's track-event call does)."""
        db = self._db
        spec = record.profile
        if spec is None:
            assert record.profile_id is not None
            row = db.execute(
                "SELECT user_id FROM profiles WHERE id = ?", (record.profile_id,)
            ).fetchone()
            if row is None:
                raise RecordError(
                    f"profile {record.profile_id} not found", code="NotFound", status=404
                )
            return Tracked(record.profile_id, int(row[0]))
        if record.user_id is not None and not create_users and not self._has_user(record.user_id):
            raise RecordError(f"user {record.user_id} not found", code="NotFound", status=404)

        owners = {
            str(row[0])
            for id_type, value in spec.identifiers
            for row in db.execute(
                "SELECT profile_id FROM identifiers"
                " WHERE source = ? AND type = ? AND id_type = ? AND value = ?",
                (spec.source, spec.type, id_type, value),
            )
        }
        profile_id = spec.id
        if profile_id is not None:
            owners.discard(profile_id)
            if owners:
                raise RecordError(
                    "an identifier already belongs to another profile",
                    code="IdentifierConflict",
                    status=409,
                )
        elif len(owners) > 1:
            raise RecordError(
                "the identifiers belong to different profiles",
                code="IdentifierConflict",
                status=409,
            )
        elif owners:
            profile_id = owners.pop()

        now = format_ns(record.received_ns)
        existing = None
        if profile_id is not None:
            existing = db.execute(
                "SELECT source, type, user_id, name, attributes FROM profiles WHERE id = ?",
                (profile_id,),
            ).fetchone()
        if existing is not None:
            assert profile_id is not None
            if (existing[0], existing[1]) != (spec.source, spec.type):
                raise RecordError(
                    f"profile {profile_id} has source {existing[0]!r} and type {existing[1]!r}",
                    code="ProfileConflict",
                    status=409,
                )
            user_id = int(existing[2])
            if record.user_id is not None and record.user_id != user_id:
                raise RecordError(
                    f"profile {profile_id} belongs to user {user_id}",
                    code="ProfileConflict",
                    status=409,
                )
            self._update_profile(profile_id, spec, existing[3], existing[4], now)
        else:
            profile_id = profile_id or new_ulid(ms=record.received_ns // 1_000_000)
            user_id = record.user_id or self._linked_user(spec) or self._next_user_id()
            db.execute(
                "INSERT INTO profiles"
                " (id, source, type, user_id, name, attributes, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    profile_id,
                    spec.source,
                    spec.type,
                    user_id,
                    spec.name,
                    spec.attributes,
                    now,
                    now,
                ),
            )
            self._add_identifiers(profile_id, spec)
        return Tracked(profile_id, user_id)

    def _add_identifiers(self, profile_id: str, spec: ProfileSpec) -> bool:
        """Add the identifiers the profile lacks; whether there were any."""
        db = self._db
        known = {
            (str(row[0]), str(row[1]))
            for row in db.execute(
                "SELECT id_type, value FROM identifiers WHERE profile_id = ?", (profile_id,)
            )
        }
        new = [pair for pair in spec.identifiers if pair not in known]
        if not new:
            return False
        if len(known) + len(new) > MAX_IDENTIFIERS:
            raise RecordError(
                f"profile {profile_id} would have more than {MAX_IDENTIFIERS} identifiers",
                code="TooManyIdentifiers",
                # A valid body that conflicts with what is stored, as ProfileConflict: the
                # spec's 409, which says it (a 400 would be a body the schema refuses).
                status=409,
            )
        row = db.execute(
            "SELECT COALESCE(MAX(rank), 0) FROM identifiers WHERE profile_id = ?", (profile_id,)
        ).fetchone()
        first = int(row[0]) + 1
        db.executemany(
            "INSERT INTO identifiers (source, type, id_type, value, profile_id, rank)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (spec.source, spec.type, id_type, value, profile_id, first + n)
                for n, (id_type, value) in enumerate(new)
            ],
        )
        return True

    def _update_profile(
        self,
        profile_id: str,
        spec: ProfileSpec,
        name: str | None,
        attributes: str | None,
        now: str,
    ) -> None:
        # A track adds to a profile (identifiers, attribute keys, a name); it never removes.
        changed = self._add_identifiers(profile_id, spec)
        if spec.name is not None and spec.name != name:
            name, changed = spec.name, True
        if spec.attributes:
            merged = {**json.loads(attributes or "{}"), **json.loads(spec.attributes)}
            if _json(merged) != attributes:
                attributes, changed = _json(merged), True
        if changed:
            self._db.execute(
                "UPDATE profiles SET name = ?, attributes = ?, updated_at = ? WHERE id = ?",
                (name, attributes, now, profile_id),
            )

    def _linked_user(self, spec: ProfileSpec) -> int | None:
        for id_type, value in spec.identifiers:
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

    def _has_user(self, user_id: int) -> bool:
        # A Zendesk user outlives its profiles: deleting them all leaves the user (and the
        # user export still lists it), with no events.
        row = self._db.execute(
            "SELECT 1 FROM users WHERE id = ? UNION ALL"
            " SELECT 1 FROM profiles WHERE user_id = ? LIMIT 1",
            (user_id, user_id),
        ).fetchone()
        return row is not None

    # -- profile writes ------------------------------------------------------------------------

    def _put_profile(
        self,
        spec: ProfileSpec,
        *,
        query: tuple[str, str, str, str] | None = None,
        profile_id: str | None = None,
        user_id: int | None = None,
        received_ns: int,
    ) -> tuple[dict[str, Any], bool]:
        """Create or replace a profile (Zendesk's PUT): the one ``query`` selects
        (``source, type, id_type, value``; created if none, for ``user_id`` if given) or the
        one ``profile_id`` names (it must exist). Returns the profile and whether it was
        created. Everything the body leaves out is gone: name, attributes, identifiers (the
        query's own identifier is kept). Raises ``RecordError`` (404, 409)."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                result = self._put(spec, query, profile_id, user_id, format_ns(received_ns))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    def _put(
        self,
        spec: ProfileSpec,
        query: tuple[str, str, str, str] | None,
        profile_id: str | None,
        user_id: int | None,
        now: str,
    ) -> tuple[dict[str, Any], bool]:
        db = self._db
        identifiers = list(spec.identifiers)
        if query is not None:
            source, ptype, id_type, value = query
            if (spec.source, spec.type) != (source, ptype):
                raise RecordError(
                    f"the profile's source and type are not the identifier query's "
                    f"({source!r}, {ptype!r})",
                    code="ProfileMismatch",
                    status=409,
                )
            pair = (id_type, Identifier.normalize_value(id_type, value))
            if pair not in identifiers:
                identifiers.insert(0, pair)
            if len(identifiers) > MAX_IDENTIFIERS:
                raise RecordError(
                    f"the profile would have more than {MAX_IDENTIFIERS} identifiers",
                    code="TooManyIdentifiers",
                    status=409,
                )
            row = db.execute(
                "SELECT profile_id FROM identifiers"
                " WHERE source = ? AND type = ? AND id_type = ? AND value = ?",
                (source, ptype, *pair),
            ).fetchone()
            profile_id = None if row is None else str(row[0])
            if user_id is not None and not self._has_user(user_id):
                raise RecordError(f"user {user_id} not found", code="NotFound", status=404)
        existing = None
        if profile_id is not None:
            existing = db.execute(
                "SELECT source, type, user_id FROM profiles WHERE id = ?", (profile_id,)
            ).fetchone()
            if existing is None:
                raise RecordError(f"profile {profile_id} not found", code="NotFound", status=404)
            if (existing[0], existing[1]) != (spec.source, spec.type):
                raise RecordError(
                    f"profile {profile_id} has source {existing[0]!r} and type {existing[1]!r}",
                    code="ProfileMismatch",
                    status=409,
                )
            if user_id is not None and int(existing[2]) != user_id:
                raise RecordError(
                    f"profile {profile_id} belongs to another user",
                    code="ProfileConflict",
                    status=409,
                )
        self._check_owners(spec.source, spec.type, identifiers, profile_id)
        if existing is not None:
            assert profile_id is not None
            db.execute(
                "UPDATE profiles SET name = ?, attributes = ?, updated_at = ? WHERE id = ?",
                (spec.name, spec.attributes, now, profile_id),
            )
            db.execute("DELETE FROM identifiers WHERE profile_id = ?", (profile_id,))
            self._insert_identifiers(profile_id, spec.source, spec.type, identifiers, 1)
            created = False
        else:
            owner = user_id or self._linked_user(spec) or self._next_user_id()
            row = db.execute("SELECT COUNT(*) FROM profiles WHERE user_id = ?", (owner,)).fetchone()
            if int(row[0]) >= MAX_PROFILES_PER_USER:
                raise RecordError(
                    f"user {owner} has {MAX_PROFILES_PER_USER} profiles, the most a person "
                    "may have",
                    code="TooManyProfiles",
                    status=409,
                )
            profile_id = new_ulid()
            db.execute(
                "INSERT INTO profiles"
                " (id, source, type, user_id, name, attributes, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (profile_id, spec.source, spec.type, owner, spec.name, spec.attributes, now, now),
            )
            self._insert_identifiers(profile_id, spec.source, spec.type, identifiers, 1)
            created = True
        profile = self._profile(profile_id)
        assert profile is not None
        return profile, created

    def _check_owners(
        self,
        source: str,
        ptype: str,
        identifiers: Iterable[tuple[str, str]],
        profile_id: str | None,
    ) -> None:
        """All identifiers of a body belong to one profile: none may be another's."""
        for id_type, value in identifiers:
            row = self._db.execute(
                "SELECT profile_id FROM identifiers"
                " WHERE source = ? AND type = ? AND id_type = ? AND value = ?",
                (source, ptype, id_type, value),
            ).fetchone()
            if row is not None and str(row[0]) != profile_id:
                raise RecordError(
                    "an identifier already belongs to another profile",
                    code="IdentifierConflict",
                    status=409,
                )

    def _insert_identifiers(
        self,
        profile_id: str,
        source: str,
        ptype: str,
        identifiers: Sequence[tuple[str, str]],
        first: int,
    ) -> None:
        self._db.executemany(
            "INSERT INTO identifiers (source, type, id_type, value, profile_id, rank)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (source, ptype, id_type, value, profile_id, first + n)
                for n, (id_type, value) in enumerate(identifiers)
            ],
        )

    def _patch_profile(
        self, profile_id: str, changes: ProfileChanges, *, received_ns: int
    ) -> dict[str, Any]:
        """Merge ``changes`` into a profile (Zendesk's PATCH): the name if given, attribute
        keys (a ``None`` value removes the key), identifiers it lacks added; nothing else
        changes. Raises ``RecordError`` (404, 409)."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT source, type, name, attributes FROM profiles WHERE id = ?",
                    (profile_id,),
                ).fetchone()
                if row is None:
                    raise RecordError(
                        f"profile {profile_id} not found", code="NotFound", status=404
                    )
                source, ptype, name, attributes = row
                self._check_owners(source, ptype, changes.identifiers, profile_id)
                spec = ProfileSpec(source=source, type=ptype, identifiers=changes.identifiers)
                try:
                    changed = self._add_identifiers(profile_id, spec)
                except RecordError as exc:
                    raise RecordError(exc.message, code=exc.code, status=409) from None
                if changes.name_given and changes.name != name:
                    name, changed = changes.name, True
                if changes.attributes:
                    merged = json.loads(attributes or "{}")
                    for key, value in changes.attributes.items():
                        if value is None:
                            merged.pop(key, None)
                        else:
                            merged[key] = value
                    text = _json(merged)
                    if text != (attributes or "{}"):
                        attributes, changed = text, True
                if changed:
                    db.execute(
                        "UPDATE profiles SET name = ?, attributes = ?, updated_at = ? WHERE id = ?",
                        (name, attributes, format_ns(received_ns), profile_id),
                    )
                profile = self._profile(profile_id)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        assert profile is not None
        return profile

    def delete_profile(self, profile_id: str) -> int:
        """Delete a profile with its identifiers and events; how many events went. Raises
        ``RecordError``: 404 for no such profile, 403 for one of Zendesk's own."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT source FROM profiles WHERE id = ?", (profile_id,)
                ).fetchone()
                if row is None:
                    raise RecordError(
                        f"profile {profile_id} not found", code="NotFound", status=404
                    )
                if row[0] == RESERVED_SOURCE:
                    raise RecordError(
                        "Zendesk's own profiles (source 'zendesk') cannot be deleted",
                        code="ProfileNotDeletable",
                        status=403,
                    )
                gone = db.execute("DELETE FROM events WHERE profile_id = ?", (profile_id,))
                db.execute("DELETE FROM identifiers WHERE profile_id = ?", (profile_id,))
                db.execute("DELETE FROM profiles WHERE id = ?", (profile_id,))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return int(gone.rowcount)

    # -- reading -----------------------------------------------------------------------------

    def profile_by_identifier(
        self, source: str, ptype: str, id_type: str, value: str
    ) -> str | None:
        """The id of the profile an identifier query selects, or ``None``."""
        with self._lock:
            row = self._db.execute(
                "SELECT profile_id FROM identifiers"
                " WHERE source = ? AND type = ? AND id_type = ? AND value = ?",
                (source, ptype, id_type, Identifier.normalize_value(id_type, value)),
            ).fetchone()
        return None if row is None else str(row[0])

    def has_profile(self, profile_id: str) -> bool:
        """Whether a profile with this id exists."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM profiles WHERE id = ?", (profile_id,)).fetchone()
        return row is not None

    def has_user(self, user_id: int) -> bool:
        """Whether this user exists (it had a profile once)."""
        with self._lock:
            return self._has_user(user_id)

    def profile(self, profile_id: str) -> dict[str, Any] | None:
        """The profile as the Profiles API shows it, or ``None``."""
        with self._lock:
            return self._profile(profile_id)

    def profiles_of_user(self, user_id: int) -> list[dict[str, Any]]:
        """Every profile of the user, oldest first."""
        with self._lock:
            ids = [
                str(row[0])
                for row in self._db.execute(
                    "SELECT id FROM profiles WHERE user_id = ? ORDER BY created_at, id",
                    (user_id,),
                )
            ]
            return [profile for pid in ids if (profile := self._profile(pid)) is not None]

    def _profile(self, profile_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT source, type, user_id, name, attributes, created_at, updated_at"
            " FROM profiles WHERE id = ?",
            (profile_id,),
        ).fetchone()
        if row is None:
            return None
        source, ptype, user_id, name, attributes, created_at, updated_at = row
        identifiers = [
            {"type": str(id_type), "value": str(value)}
            for id_type, value in self._db.execute(
                "SELECT id_type, value FROM identifiers WHERE profile_id = ?"
                " ORDER BY rank, id_type, value",
                (profile_id,),
            )
        ]
        # Keys in the order of Zendesk's documented examples (alphabetical).
        profile: dict[str, Any] = {
            "attributes": json.loads(attributes) if attributes else {},
            "created_at": created_at,
            "id": profile_id,
            "identifiers": identifiers,
            "name": name,
            "source": source,
            "type": ptype,
            "updated_at": updated_at,
            "user_id": str(user_id),
        }
        # Profiles stored before the sandbox kept these times have none to show.
        return {key: value for key, value in profile.items() if value != ""}

    def _page(self, query: PageRequest) -> list[tuple[int, str]]:
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

    def users_page(
        self, *, after_seq: int | None, start_time: int | None, limit: int
    ) -> tuple[list[tuple[int, str]], int]:
        """A page of the incremental user export (see ``_users.export_page``)."""
        with self._lock:
            return _users.export_page(
                self._db, after_seq=after_seq, start_time=start_time, limit=limit
            )

    def change_user(self, user_id: int, **changes: Any) -> bool:
        """Change a user as an admin would (``name``, ``email``, ``external_id``, ``role``,
        ``active``); whether the user exists. The export shows it as changed."""
        now = format_ns(time.time_ns())[:19] + "Z"
        with self._lock:
            return _users.change_user(self._db, user_id, changes, now)

    def count_events(self) -> int:
        """How many events are stored."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(row[0])
