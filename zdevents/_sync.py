"""``sync``: a local SQLite copy of people's events, brought up to date run after run.

The database (stdlib ``sqlite3``, WAL mode) has two tables:

- ``events``: one row per event id, with the selector it was first stored under, the
  fields as received (timestamps as text, ``properties`` as JSON text), ``created_utc``
  (``created_at`` spelt so that it sorts by time) and ``raw``, the event's JSON text;
- ``sync_state``: one row per selector and filter set: the high-water mark (the newest
  ``created_utc`` of its last completed run), when that run completed, and the run in
  progress, if any.

Why a run can be killed anywhere and run again: Zendesk does not say in which order it pages
events, so a mark taken in the middle of a run could jump over events not read yet. The mark
therefore moves only when a selector's run completes; until then ``sync_state`` records that
a run from a given start is under way, and every page's rows are committed together with
that record and the cursor of the next page; a selector's last page completes its run in
the same transaction. A rerun goes on at each cursor (or, if a cursor is refused, reads
again from the recorded start) and upserts by id, which gives the rows an uninterrupted run
would have given, each once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sqlite3
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Literal

import attrs

from . import _bulk
from ._bulk import Selector
from ._client import Client
from ._constants import DEFAULT_CONCURRENCY, DEFAULT_OVERLAP, DEFAULT_PAGE_SIZE
from ._event import Event, described
from ._identifier import Identifier
from ._query import EventQuery, make_query, shorten
from ._responses import cursor_shows_secret, scrubbed
from ._time import TimeBound, TimeInput, time_bound
from ._version import __version__
from .errors import (
    BadRequestError,
    BadResponseError,
    NotFoundError,
    SyncError,
    SyncLockedError,
    SyncSchemaError,
    ZendeskError,
)

#: The version of the tables below, kept in ``PRAGMA user_version``.
SCHEMA_VERSION = 1
#: ``PRAGMA application_id``: "zdev", so that another program's database is not mistaken
#: for an empty one of ours.
APPLICATION_ID = 0x7A646576

#: The longest overlap: what a ``timedelta`` holds.
_MAX_OVERLAP_SECONDS = int(dt.timedelta.max.total_seconds())

_SCHEMA = f"""
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
    raw         TEXT NOT NULL   -- the event's JSON text
);
CREATE INDEX events_by_selector ON events (selector, created_utc);
CREATE TABLE sync_state (
    selector       TEXT NOT NULL,
    filters        TEXT NOT NULL,  -- {{"source": ..., "type": ...}}
    high_water     TEXT,           -- newest created_utc of the last completed run
    completed_at   TEXT,           -- when that run completed (UTC)
    run_started_at TEXT,           -- a run under way (or interrupted): when it started,
    run_start      TEXT,           --   the created_at it reads from (NULL: the beginning),
    run_high       TEXT,           --   the newest created_utc it stored,
    run_cursor     TEXT,           --   the page it reads next ('': none left)
    PRIMARY KEY (selector, filters)
);
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SCHEMA_VERSION};
"""

OnMissing = Literal["raise", "skip"]

#: ``run_cursor`` of a run whose last page is stored (only completing it is left).
_READ_TO_THE_END = ""


@attrs.frozen
class SelectorReport:
    """What one run did for one selector.

    ``selector`` is the text stored in the ``selector`` columns (an identifier query with
    the value as Zendesk compares it, ``profile_id:ID`` or ``user_id:N``); ``start`` the
    ``created_at`` the run read from (``None``: from the beginning); ``high_water`` the mark
    after the run; ``skipped`` the error for which the selector was skipped, if it was.
    """

    selector: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    start: str | None = None
    high_water: str | None = None
    skipped: ZendeskError | None = None

    @property
    def events(self) -> int:
        """Events read in this run."""
        return self.inserted + self.updated + self.unchanged


@attrs.frozen
class SyncReport:
    """The counts of one :func:`sync` run, in total and per selector (in the given order).

    ``inserted``: events new to the database; ``updated``: stored events whose text changed;
    ``unchanged``: events read again as they were stored (the overlap). ``skipped``: the
    selectors skipped with ``on_missing="skip"``, and those with an event that cannot be
    stored (no id, a ``created_at`` that is no time): their run stays at that page.
    """

    database: str
    selectors: tuple[SelectorReport, ...]
    seconds: float

    @property
    def inserted(self) -> int:
        return sum(s.inserted for s in self.selectors)

    @property
    def updated(self) -> int:
        return sum(s.updated for s in self.selectors)

    @property
    def unchanged(self) -> int:
        return sum(s.unchanged for s in self.selectors)

    @property
    def events(self) -> int:
        """Events read in this run."""
        return sum(s.events for s in self.selectors)

    @property
    def skipped(self) -> tuple[SelectorReport, ...]:
        return tuple(s for s in self.selectors if s.skipped is not None)


# --------------------------------------------------------------------------- event texts


def _texts(event: Event) -> tuple[str, str | None]:
    """The event's JSON text and its properties' JSON text, both exactly as received."""
    props = event.raw_properties
    # Valid UTF-8: the response body was checked when it was decoded.
    return event.raw.decode(), None if props is None else props.decode()


def _stamp(event: Event, name: str, *, required: bool) -> str | None:
    """A timestamp field's text as received (``Event`` has the parsed datetimes only)."""
    return event._text(name, required=required)


# --------------------------------------------------------------------------- times


def _bound(text: str) -> TimeBound:
    try:
        return time_bound("created_at", text, end=False)[1]
    except (TypeError, ValueError):
        raise BadResponseError(
            f"event field 'created_at' is not a timestamp (got {_shown(text)})"
        ) from None


def _shown(text: str) -> str:
    """A server's text in a message: quoted whole when short, else only described. Never
    cut: a server may echo the credentials there, and the scrubber (applied to the whole
    message) knows them whole, not the part that a cut leaves."""
    return repr(text) if len(text) <= _QUOTED else described(text)


#: The longest server text quoted in a message.
_QUOTED = 100

_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z")


def _utc(created: str) -> str:
    """``created_at`` as UTC with nine fractional digits: text that sorts by time.

    Zendesk sends 0 to 9 digits and ``Z`` or an offset, so the text as received does not.
    """
    if _UTC.fullmatch(created):
        return created
    try:
        whole, nanos = _bound(created)
    except BadResponseError:
        # No offset: UTC, as Event.created_at (and so `zdevents events`) reads it; the text
        # is stored as received.
        try:
            whole, nanos = time_bound("created_at", created + "Z", end=False)[1]
        except (TypeError, ValueError):
            raise BadResponseError(
                f"event field 'created_at' is not a timestamp (got {_shown(created)})"
            ) from None
    return f"{whole.isoformat(timespec='seconds')}.{nanos:09d}Z"


def _later(a: str | None, b: str) -> str:
    """The later of a mark (or none) and a ``_utc`` text."""
    return b if a is None or b > a else a


def _format(moment: dt.datetime, nanos: int) -> str:
    # isoformat, not strftime: %Y drops the leading zeros of years before 1000 on glibc.
    text = moment.isoformat(timespec="seconds")
    return f"{text}.{nanos:09d}Z" if nanos else f"{text}Z"


def _behind(mark: str, overlap: dt.timedelta) -> str | None:
    """``mark`` minus ``overlap`` as RFC 3339 text (``None``: before year 1, so everything)."""
    whole, nanos = _bound(mark)
    total = nanos - (overlap // dt.timedelta(microseconds=1)) * 1000
    seconds, nanos = divmod(total, 1_000_000_000)
    try:
        return _format(whole + dt.timedelta(seconds=seconds), nanos)
    except OverflowError:
        return None


def _earlier(a: str | None, b: str | None) -> str | None:
    """The earlier of two start bounds; ``None`` (from the beginning) is the earliest."""
    if a is None or b is None:
        return None
    return a if _bound(a) <= _bound(b) else b


def _now() -> str:
    return _format(dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0), 0)


# --------------------------------------------------------------------------- selectors


@attrs.frozen
class _Target:
    key: str  # the selector text stored in the database
    original: Selector
    kwargs: dict[str, Any]


def _target(number: int, selector: Selector) -> _Target:
    try:
        if isinstance(selector, Mapping):
            names = set(selector)
            allowed = {"identifier", "profile_id", "user_id"}
            if len(names) != 1 or not names <= allowed:
                raise ValueError(
                    "a selector mapping has exactly one of identifier, profile_id, user_id "
                    "(filters are arguments of sync)"
                )
            kwargs = dict(selector)
        else:
            kwargs = {"identifier": selector}
        query = make_query(**kwargs)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"selector {number} ({selector!r}): {exc}") from None
    if query.identifier is not None:
        ident = query.identifier
        key = str(Identifier(*ident.matching_key()))
        kwargs = {"identifier": ident}
    elif query.profile_id is not None:
        key = f"profile_id:{query.profile_id}"
    else:
        key = f"user_id:{query.user_id}"
    return _Target(key, selector, kwargs)


# --------------------------------------------------------------------------- the database


def _database_problem(path: str) -> str | None:
    """Why ``path`` cannot be a sync database, or ``None``: it must be a regular file with
    one name, or not exist yet.

    SQLite keeps a database's journal (``-wal``, ``-shm``) beside the name it was opened
    by: a database reached through two hard links has two journals, and a run through one
    name after a run through the other, killed, corrupts it for good. Symlinks are fine
    (the real file's name is used). A device, FIFO or socket is no database, and SQLite
    would put its journal and our lock beside it (as root: in ``/dev``)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return f"the database {path} is a symlink to nothing"
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            return f"the folder of the database {path} ({folder}) does not exist"
        return None
    except OSError as exc:
        return f"the database {path} cannot be used: {exc.strerror}"
    if stat.S_ISDIR(st.st_mode):
        return f"the database {path} is a directory"
    if not stat.S_ISREG(st.st_mode):
        return f"the database {path} is a device, FIFO or socket, not a file"
    if st.st_nlink > 1:
        return (
            f"the database {path} has {st.st_nlink} names (hard links); SQLite keeps a journal "
            "beside each name, so runs through different names would corrupt it: give it "
            "one name (copy it with `sqlite3 FILE .backup COPY`)"
        )
    return None


@contextlib.contextmanager
def _locked(path: str, wait: float | None) -> Iterator[None]:
    """Hold ``PATH.lock`` for the whole run: one sync at a time per database.

    A lock on a file of its own, taken with ``flock``: the kernel drops it when the holder
    dies, even by SIGKILL, so no stale lock survives a crash. (Not on the database file
    itself: SQLite's own locks live there, and on NFS ``flock`` is emulated with them.)
    ``path`` is the database's real name (symlinks resolved), so every name of it takes
    the same lock.
    """
    lock_path = path + ".lock"
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        # The folder cannot be written (permissions, a read-only disk): running again will
        # not help, and SQLite could not write its journal there either.
        raise SyncSchemaError(
            f"cannot create the lock file {lock_path}: {exc.strerror}; the database's folder "
            "must be writable"
        ) from None
    try:
        deadline = None if wait is None else time.monotonic() + wait
        while not _try_lock(fd):
            if deadline is not None and time.monotonic() >= deadline:
                raise SyncLockedError(
                    f"another zdevents sync is using {path} (it holds {lock_path}); "
                    "try again when it has finished"
                )
            time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


#: SQLite's answers that no rerun changes: not a database, a damaged one, no permission.
_PERMANENT = {
    sqlite3.SQLITE_NOTADB: "is not a SQLite database",
    sqlite3.SQLITE_CORRUPT: "is damaged",
    sqlite3.SQLITE_READONLY: "cannot be written",
    sqlite3.SQLITE_CANTOPEN: "cannot be opened",
    sqlite3.SQLITE_PERM: "cannot be opened",
}


def _unusable(path: str, exc: sqlite3.Error) -> SyncError:
    """A ``SyncSchemaError`` for what makes ``path`` unusable as it is (running again will
    not help); a ``SyncError`` otherwise (a full disk, a busy or failing device)."""
    what = _PERMANENT.get(getattr(exc, "sqlite_errorcode", -1) & 0xFF)
    if what is not None:
        return SyncSchemaError(f"the database {path} {what} ({exc}); give --db another file")
    return SyncError(f"cannot use the database {path}: {exc}")


def _connect(real: str, path: str) -> sqlite3.Connection:
    """Open (or create) a sync database of this schema version; refuse anything else.
    ``real``: the file to open (symlinks resolved, so that SQLite's journal lives beside
    it); ``path``: its name in messages."""
    try:
        conn = sqlite3.connect(real, isolation_level=None, timeout=30)
    except sqlite3.Error as exc:
        raise _unusable(path, exc) from None
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_schema")]
        if app == 0 and version == 0 and not tables:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("COMMIT")
        elif app != APPLICATION_ID:
            raise SyncSchemaError(
                f"{path} is not a zdevents sync database (it holds other tables); "
                "give --db a new file"
            )
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
        raise _unusable(path, exc) from None
    except BaseException:
        conn.close()
        raise
    return conn


@attrs.frozen
class _State:
    """A ``sync_state`` row."""

    high_water: str | None = None
    run_started_at: str | None = None
    run_start: str | None = None
    run_high: str | None = None
    run_cursor: str | None = None
    completed_at: str | None = None


@attrs.define
class _Run:
    """One selector's run: its counts, its newest ``created_at``, where it stands.

    ``resumed``: it goes on with a run that stopped before it completed (same start);
    ``cursor``: the page that run would have read next, when it was read page by page.
    """

    target: _Target
    start: str | None
    resumed: bool = False
    cursor: str | None = None
    high: str | None = None
    done: bool = False  # completed: its mark moved
    mark: str | None = None  # the mark after it completed
    pages: int = 0  # pages read in this attempt
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: ZendeskError | None = None


class _Writer:
    """All database writes of one sync; each method is one transaction."""

    def __init__(self, conn: sqlite3.Connection, filters: str) -> None:
        self.conn = conn
        self.filters = filters

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def states(self) -> dict[str, _State]:
        """The ``sync_state`` rows of this filter set, by selector."""
        rows = self.conn.execute(
            "SELECT selector, high_water, run_started_at, run_start, run_high, run_cursor,"
            " completed_at FROM sync_state WHERE filters = ?",
            (self.filters,),
        )
        return {row[0]: _State(*row[1:]) for row in rows}

    def begin(self, runs: Iterable[_Run]) -> None:
        """Record that a run of each selector is under way (a resumed one keeps its record)."""
        started = _now()
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO sync_state (selector, filters, run_started_at, run_start)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (selector, filters) DO UPDATE SET"
                " run_started_at = excluded.run_started_at, run_start = excluded.run_start,"
                " run_high = NULL, run_cursor = NULL",
                [
                    (run.target.key, self.filters, started, run.start)
                    for run in runs
                    if not run.resumed
                ],
            )

    def store(self, run: _Run, events: list[Event], cursor: str | None) -> None:
        """A page of the run and its progress (its newest ``created_at`` and the cursor of
        the next page), in one transaction; with the cursor ``_READ_TO_THE_END`` (its last
        page) the run is completed in it too."""
        rows: dict[str, tuple[str | None, ...]] = {}
        high = run.high
        for event in events:
            # id and created_at: a BadResponseError when Zendesk left them out.
            created = _stamp(event, "created_at", required=True)
            assert created is not None
            raw, properties = _texts(event)
            utc = _utc(created)
            high = _later(high, utc)
            # fmt: off
            rows[event.id] = (
                event.source, event.type, event.description,
                created, utc, _stamp(event, "received_at", required=False), properties, raw,
            )
            # fmt: on
        marks = ",".join("?" * len(rows))
        ids = list(rows)
        with self.transaction():
            self.conn.execute(
                "UPDATE sync_state SET run_high = ?, run_cursor = ?"
                " WHERE selector = ? AND filters = ?",
                (high, cursor, run.target.key, self.filters),
            )
            stored = (
                dict(
                    self.conn.execute(
                        f"SELECT id, raw FROM events WHERE id IN ({marks})",  # noqa: S608 - '?'s
                        ids,
                    ).fetchall()
                )
                if ids
                else {}
            )
            inserts, updates = [], []
            unchanged = 0
            for event_id, row in rows.items():
                if event_id not in stored:
                    inserts.append((event_id, run.target.key, *row))
                elif stored[event_id] != row[-1]:
                    updates.append((*row, event_id))
                else:
                    unchanged += 1
            # Each statement lets go of the GIL, and getting it back behind busy worker
            # threads costs up to a switch interval: no statement that has nothing to do.
            if inserts:
                self.conn.executemany(
                    "INSERT INTO events (id, selector, source, type, description, created_at,"
                    " created_utc, received_at, properties, raw)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    inserts,
                )
            if updates:
                self.conn.executemany(
                    "UPDATE events SET source = ?, type = ?, description = ?, created_at = ?,"
                    " created_utc = ?, received_at = ?, properties = ?, raw = ? WHERE id = ?",
                    updates,
                )
            run.high = high
            if cursor == _READ_TO_THE_END:
                self._complete(run)
        run.cursor = cursor
        run.inserted += len(inserts)
        run.updated += len(updates)
        run.unchanged += unchanged

    def _complete(self, run: _Run) -> None:
        """Move the mark and close the run (inside a transaction)."""
        key = run.target.key
        old, started = self.conn.execute(
            "SELECT high_water, run_started_at FROM sync_state WHERE selector = ? AND filters = ?",
            (key, self.filters),
        ).fetchone()
        ceiling = None if started is None else _utc(started)
        if old is not None and ceiling is not None and old > ceiling:
            old = None  # a mark from the future, left by an earlier version: not kept
        mark = old if run.high is None else _later(old, run.high)
        if mark is not None and ceiling is not None and mark > ceiling:
            # Never ahead of when the run began (our clock): an event dated in the future (a
            # sender's wrong clock) is stored, but the next run still reads from the run's
            # start minus the overlap, so later events are not jumped over.
            mark = ceiling
        self.conn.execute(
            "UPDATE sync_state SET high_water = ?, completed_at = ?,"
            " run_started_at = NULL, run_start = NULL, run_high = NULL, run_cursor = NULL"
            " WHERE selector = ? AND filters = ?",
            (mark, _now(), key, self.filters),
        )
        run.done, run.mark = True, mark

    def complete(self, run: _Run) -> None:
        """Complete a run whose pages are all stored."""
        with self.transaction():
            self._complete(run)

    def skip(self, run: _Run) -> None:
        """Close the run of a selector Zendesk does not know; its mark stays."""
        key = run.target.key
        with self.transaction():
            # Nothing of it was read: no row for a selector never synced.
            self.conn.execute(
                "DELETE FROM sync_state WHERE selector = ? AND filters = ?"
                " AND high_water IS NULL AND completed_at IS NULL",
                (key, self.filters),
            )
            self.conn.execute(
                "UPDATE sync_state SET run_started_at = NULL, run_start = NULL,"
                " run_high = NULL, run_cursor = NULL WHERE selector = ? AND filters = ?",
                (key, self.filters),
            )


# --------------------------------------------------------------------------- sync


def _overlap_of(overlap: dt.timedelta | float) -> dt.timedelta:
    if isinstance(overlap, bool) or not isinstance(overlap, dt.timedelta | int | float):
        raise TypeError("overlap must be a timedelta or a number of seconds")
    if not isinstance(overlap, dt.timedelta):
        if overlap != overlap or overlap in (float("inf"), float("-inf")):
            raise ValueError(f"overlap={overlap!r} is not a number of seconds")
        try:
            overlap = dt.timedelta(seconds=overlap)
        except OverflowError:
            raise ValueError(
                f"overlap={shorten(overlap)} is too large: at most {_MAX_OVERLAP_SECONDS:,} "
                "seconds (a timedelta's range)"
            ) from None
    if overlap < dt.timedelta(0):
        raise ValueError(f"overlap={overlap} must not be negative")
    return overlap


def sync(
    client: Client,
    db: str | os.PathLike[str],
    selectors: Iterable[Selector],
    *,
    source: str | None = None,
    type: str | None = None,
    start: TimeInput | None = None,
    overlap: dt.timedelta | float = DEFAULT_OVERLAP,
    full: bool = False,
    page_size: int = DEFAULT_PAGE_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_missing: OnMissing = "raise",
    wait: float | None = 0.0,
    progress: Callable[[SyncReport], None] | None = None,
) -> SyncReport:
    """Bring the SQLite database ``db`` up to date with the events of ``selectors``.

    ``selectors`` are those of :meth:`Client.events_many`: identifier queries (text or
    :class:`Identifier`) and mappings with one of ``identifier``, ``profile_id``,
    ``user_id``; they are read ``concurrency`` at a time through the bulk exporter.
    ``source`` and ``type`` filter; each selector and filter set has its own row in
    ``sync_state``.

    A selector's first run reads from ``start`` (or from the beginning); each later run
    from its high-water mark (the newest ``created_at`` stored by its last completed run,
    but never later than the moment that run began: an event dated in the future does not
    hold the mark there) minus ``overlap`` (a ``timedelta`` or seconds; one hour by
    default), and never before ``start``. A ``created_at`` without an offset is UTC, as
    :attr:`Event.created_at` reads it; a selector with an event that cannot be stored (no
    id, a ``created_at`` that is no time) is skipped and reported, whatever
    ``on_missing``, and the others go on. ``full=True`` reads everything from ``start``
    again. Events are upserted by id: new ones inserted, changed ones updated, the rest left
    alone; nothing is deleted. Each page's rows are committed with the selector's progress,
    so a
    run killed at any point, even by SIGKILL, and run again ends with exactly the rows an
    uninterrupted run gives: each selector goes on at the page where it stopped.

    ``on_missing="skip"`` skips (and reports) a selector Zendesk does not know (404) and
    goes on with the others; ``"raise"`` (the default) raises its
    :class:`~zdevents.errors.NotFoundError`. Another sync holding ``db`` raises
    :class:`~zdevents.errors.SyncLockedError` after ``wait`` seconds (``None``: wait as long
    as it takes); a database of another schema version, or not made by zdevents,
    :class:`~zdevents.errors.SyncSchemaError`. ``progress`` is called with the counts so
    far after each commit. Invalid arguments raise ``ValueError`` or ``TypeError`` before
    anything is opened or sent; so does a ``db`` that is a directory, a device, a FIFO, a
    socket, a symlink to nothing, or a file with several names (hard links: SQLite keeps a
    journal beside each name).

    >>> report = zdevents.sync(client, "events.db",
    ...                        ["coolbikes:rider:email:jdoe@example.com", {"user_id": 85211553}])
    >>> report.inserted, report.updated, report.unchanged
    (120, 0, 4)
    """
    if not isinstance(client, Client):
        raise TypeError(f"sync needs a zdevents.Client, not {client.__class__.__name__}")
    path = os.fspath(db)
    if not isinstance(path, str):
        raise TypeError("db must be a path given as text")
    if path == ":memory:" or not path:
        raise ValueError("db must be a file: an in-memory database keeps nothing")
    if on_missing not in ("raise", "skip"):
        raise ValueError(f"on_missing={on_missing!r} must be 'raise' or 'skip'")
    if wait is not None:
        try:
            valid = isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0
            valid = valid and float(wait) >= 0  # an int past a float's range overflows
        except OverflowError:
            valid = False
        if not valid:
            raise ValueError(
                f"wait={shorten(wait)} must be a number of seconds, at least 0, or None"
            )
        wait = float(wait)
    gap = _overlap_of(overlap)
    if isinstance(selectors, str | Identifier | Mapping):
        raise TypeError("selectors must be an iterable of selectors, not a single one")
    targets: dict[str, _Target] = {}
    for number, selector in enumerate(selectors, 1):
        target = _target(number, selector)
        targets.setdefault(target.key, target)
    if not targets:
        raise ValueError("no selectors to sync")
    # Validates the filters, page size and concurrency before anything is opened.
    floor = make_query(user_id=1, source=source, type=type, start=start, page_size=page_size)
    _bulk.plan([], concurrency, on_missing, {})
    filters = json.dumps({"source": floor.source, "type": floor.type}, sort_keys=True)

    problem = _database_problem(path)
    if problem is not None:
        raise ValueError(problem)

    began = time.monotonic()
    real = os.path.realpath(path)
    with _locked(real, wait):
        conn = _connect(real, path)
        try:
            writer = _Writer(conn, filters)
            runs = _plan_runs(writer.states(), targets, floor.start, gap, full)
            return _run(client, path, writer, runs, floor, concurrency, on_missing, began, progress)
        except sqlite3.Error as exc:
            unusable = _unusable(path, exc)
            if isinstance(unusable, SyncSchemaError):  # damaged, read-only: a rerun won't help
                raise unusable from None
            raise SyncError(f"writing the database {path} failed: {exc}") from None
        finally:
            conn.close()


def _plan_runs(
    states: dict[str, _State],
    targets: dict[str, _Target],
    floor: str | None,
    gap: dt.timedelta,
    full: bool,
) -> list[_Run]:
    runs = []
    for key, target in targets.items():
        st = states.get(key, _State())
        begin = floor
        # A mark ahead of when its run completed was set by a version that let a future
        # date move it (and froze the person's sync): not trusted, read from the floor.
        trusted = (
            st.completed_at is None
            or st.high_water is None
            or (st.high_water <= _utc(st.completed_at))
        )
        if not full and st.high_water is not None and trusted:
            behind = _behind(st.high_water, gap)
            if behind is not None and (floor is None or _bound(behind) > _bound(floor)):
                begin = behind
        if full or st.run_started_at is None:
            runs.append(_Run(target, begin))
        elif _earlier(begin, st.run_start) == st.run_start:
            # An earlier run stopped before it completed: go on with it, from its start
            # (or its next page).
            runs.append(_Run(target, st.run_start, True, st.run_cursor, st.run_high))
        else:
            # It stopped, and this one must read from further back: a new run.
            runs.append(_Run(target, begin))
    return runs


def _report(path: str, runs: Iterable[_Run], began: float) -> SyncReport:
    return SyncReport(
        database=path,
        selectors=tuple(
            SelectorReport(
                selector=run.target.key,
                inserted=run.inserted,
                updated=run.updated,
                unchanged=run.unchanged,
                start=run.start,
                high_water=run.mark,
                skipped=run.skipped,
            )
            for run in runs
        ),
        seconds=time.monotonic() - began,
    )


def _run(
    client: Client,
    path: str,
    writer: _Writer,
    runs: list[_Run],
    floor: EventQuery,
    concurrency: int,
    on_missing: OnMissing,
    began: float,
    progress: Callable[[SyncReport], None] | None,
) -> SyncReport:
    writer.begin(runs)

    def notify() -> None:
        if progress is not None:
            progress(_report(path, runs, began))

    _read(client, writer, runs, floor, concurrency, on_missing, notify)
    report = _report(path, runs, began)
    if progress is not None:
        progress(report)
    return report


def _read(
    client: Client,
    writer: _Writer,
    runs: list[_Run],
    floor: EventQuery,
    concurrency: int,
    on_missing: OnMissing,
    notify: Callable[[], None],
) -> None:
    """Every run through the bulk exporter, a page at a time: each page is stored with the
    cursor of the next (a rerun goes on there), and a selector's last page completes its
    run in the same transaction."""
    by_selector: dict[int, _Run] = {}

    def skipped(selector: object, error: NotFoundError) -> None:
        run = by_selector[id(selector)]
        run.skipped = error
        writer.skip(run)

    pending = []
    for run in runs:
        if run.cursor == _READ_TO_THE_END:
            writer.complete(run)  # stopped after its last page was stored
        else:
            pending.append(run)
    while pending:
        handles = []
        for run in pending:
            # A selector object of our own, so that the export's answers map back by
            # identity; each reads from its own start, and goes on at its own cursor.
            handle: dict[str, Any] = {**run.target.kwargs, "start": run.start, "after": run.cursor}
            by_selector[id(handle)] = run
            handles.append(handle)
            run.pages = 0
        pages = client.pages_many(
            handles,
            concurrency=concurrency,
            on_missing=skipped if on_missing == "skip" else "raise",
            source=floor.source,
            type=floor.type,
            page_size=floor.page_size,
        )
        try:
            for selector, page in pages:
                run = by_selector[id(selector)]
                if run.skipped is not None:
                    continue  # an event of theirs could not be stored: the rest waits too
                run.pages += 1
                cursor = page.cursor if page.has_more else _READ_TO_THE_END
                if page.has_more and cursor_shows_secret(page):
                    # A hostile server echoed the credentials as the cursor: never stored; a
                    # rerun reads this person's run again from its start instead.
                    cursor = None
                try:
                    writer.store(run, page.events, cursor)
                except BadResponseError as exc:
                    # An event without an id, or with a created_at that is no time at all:
                    # this person is skipped and reported, their run left at this page (a
                    # rerun tries it again); everyone else goes on.
                    run.skipped = BadResponseError(scrubbed(page, str(exc)))
                    continue
                notify()
            return
        except BadRequestError as exc:
            refused = by_selector.get(id(getattr(exc, "selector", None)))
            if refused is None or refused.cursor is None or refused.pages:
                raise
            # Its saved cursor is refused (too old?): read that run again from its start;
            # the others go on from where they are.
            refused.cursor = None
            pending = [r for r in pending if not r.done and r.skipped is None]
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()
