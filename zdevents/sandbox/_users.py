"""The sandbox's Zendesk users, for the incremental user export.

A user is made with the first profile that names its user id (as tracking makes one in
Zendesk), by a trigger on the store's ``profiles`` table, so every way the store writes
(tracking, seeding, a ``--db`` file of an older sandbox: back-filled when opened) keeps the
users too. The first ``email`` and ``external_id`` identifier of the user's profiles become
its email and external id. Each change of a user takes the next change number (``seq``):
the export pages in that order, and a cursor is the last number it served, so an export
that goes on from a cursor sees exactly the users changed since.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id          INTEGER PRIMARY KEY,
    name        TEXT,
    email       TEXT,
    external_id TEXT,
    role        TEXT NOT NULL DEFAULT 'end-user',
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    seq         INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_seq ON users (seq);
CREATE TRIGGER IF NOT EXISTS users_of_profiles AFTER INSERT ON profiles BEGIN
    INSERT OR IGNORE INTO users (id, name, created_at, updated_at, seq)
    VALUES (
        NEW.user_id, NEW.name, substr(NEW.created_at, 1, 19) || 'Z',
        substr(NEW.created_at, 1, 19) || 'Z',
        (SELECT COALESCE(MAX(seq), 0) + 1 FROM users)
    );
END;
CREATE TRIGGER IF NOT EXISTS users_of_identifiers AFTER INSERT ON identifiers
WHEN NEW.id_type IN ('email', 'external_id') BEGIN
    UPDATE users SET
        email = CASE WHEN NEW.id_type = 'email' THEN NEW.value ELSE email END,
        external_id = CASE WHEN NEW.id_type = 'external_id' THEN NEW.value ELSE external_id END,
        updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
        seq = (SELECT MAX(seq) + 1 FROM users)
    WHERE id = (SELECT user_id FROM profiles WHERE id = NEW.profile_id)
        AND ((NEW.id_type = 'email' AND email IS NULL)
             OR (NEW.id_type = 'external_id' AND external_id IS NULL));
END;
"""

#: The users of profiles written before the table existed (an older sandbox's --db file).
BACKFILL = """
INSERT OR IGNORE INTO users (id, created_at, updated_at, seq)
SELECT user_id, substr(MIN(created_at), 1, 19) || 'Z', substr(MIN(created_at), 1, 19) || 'Z',
       (SELECT COALESCE(MAX(seq), 0) FROM users) + ROW_NUMBER() OVER (ORDER BY user_id)
FROM profiles WHERE user_id NOT IN (SELECT id FROM users) GROUP BY user_id
"""

_COLUMNS = "seq, id, name, email, external_id, role, active, created_at, updated_at"


def _user_json(row: tuple[Any, ...]) -> str:
    _, uid, name, email, external_id, role, active, created, updated = row
    return json.dumps(
        {
            "id": uid,
            "name": name,
            "email": email,
            "external_id": external_id,
            "role": role,
            "active": bool(active),
            "created_at": created,
            "updated_at": updated,
            "url": f"/api/v2/users/{uid}.json",
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def export_page(
    db: sqlite3.Connection, *, after_seq: int | None, start_time: int | None, limit: int
) -> tuple[list[tuple[int, str]], int]:
    """Up to ``limit`` users as ``(seq, json)``, in change order: those changed after
    ``after_seq``, or (a new export) those updated at or after ``start_time``; and the
    newest change number."""
    if after_seq is not None:
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM users WHERE seq > ? ORDER BY seq LIMIT ?",  # noqa: S608
            (after_seq, limit),
        ).fetchall()
    else:
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM users"  # noqa: S608 - constants
            " WHERE CAST(strftime('%s', updated_at) AS INTEGER) >= ? ORDER BY seq LIMIT ?",
            (start_time or 0, limit),
        ).fetchall()
    (newest,) = db.execute("SELECT COALESCE(MAX(seq), 0) FROM users").fetchone()
    return [(row[0], _user_json(row)) for row in rows], int(newest)


def change_user(
    db: sqlite3.Connection,
    user_id: int,
    changes: dict[str, Any],
    now: str,
) -> bool:
    """Change a user's ``name``, ``email``, ``external_id``, ``role`` or ``active`` (as
    an admin would); whether the user exists."""
    allowed = {"name", "email", "external_id", "role", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"a user has no field {sorted(unknown)[0]!r} to change")
    sets = ", ".join(f"{name} = ?" for name in changes)
    values = [int(v) if name == "active" else v for name, v in changes.items()]
    cursor = db.execute(
        f"UPDATE users SET {sets}{', ' if sets else ''}updated_at = ?,"  # noqa: S608 - names above
        " seq = (SELECT MAX(seq) + 1 FROM users) WHERE id = ?",
        (*values, now, user_id),
    )
    return cursor.rowcount > 0
