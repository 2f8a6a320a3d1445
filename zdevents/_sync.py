"""``sync``: a local SQLite copy of people's events, brought up to date run after run.

The database's tables and their migration are ``_mirror``'s. Why a run can be killed
anywhere and run again: Zendesk does not say in which order it pages events, so a mark
taken in the middle of a run could jump over events not read yet. The mark therefore moves
only when a selector's run completes; until then ``sync_state`` records that a run from a
given start is under way, and every page's rows are committed together with that record and
the cursor of the next page; a selector's last page completes its run in the same
transaction. A rerun goes on at each cursor (or, if a cursor is refused, reads again from
the recorded start) and upserts by id, which gives the rows an uninterrupted run would have
given, each once.

With :data:`ALL_USERS`, a run first discovers the account's users through the incremental
user export, from the cursor the last discovery kept (each page of users is committed with
the cursor of the next), and then syncs the events of every active one by user id.

Every step per page and per person costs the same however many people there are: the
counts are kept as totals as pages are stored, and a progress report is built from them
(its ``selectors`` a view of the runs, not a copy).
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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, TypeAlias, overload

import attrs

from . import _bulk
from ._bulk import Selector
from ._client import Client
from ._constants import (
    DEFAULT_CONCURRENCY,
    DEFAULT_OVERLAP,
    DEFAULT_PAGE_SIZE,
    MAX_OVERLAP_SECONDS,
)
from ._event import Event, described
from ._identifier import Identifier
from ._mirror import Stamper, connect, unusable
from ._query import EventQuery, make_filters, make_query, shorten
from ._responses import cursor_shows_secret, scrubbed
from ._selectors import spelled_kwargs
from ._time import TimeBound, TimeInput, time_bound
from ._users import User, UserPage
from .errors import (
    BadRequestError,
    BadResponseError,
    NotFoundError,
    SyncError,
    SyncLockedError,
    SyncSchemaError,
    ZendeskError,
)


class AllUsers:
    """The type of :data:`ALL_USERS` (``zdevents.types.AllUsers``): one instance only."""

    _instance: AllUsers | None = None

    def __new__(cls) -> AllUsers:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "zdevents.ALL_USERS"

    def __reduce__(self) -> str:
        return "ALL_USERS"


#: What :func:`sync` takes in place of a list of selectors to sync every user of the
#: account: discovered (and kept in the ``people`` table) through the incremental user
#: export, which needs an admin's credentials.
ALL_USERS = AllUsers()

#: What :func:`sync` takes as its people: selectors, or :data:`ALL_USERS`.
SyncSelectors: TypeAlias = Iterable[Selector] | AllUsers

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


def _total(name: str) -> Any:
    # A report built with its selectors only (not during a run) sums them.
    return attrs.Factory(
        lambda self: sum(getattr(s, name) for s in self.selectors), takes_self=True
    )


@attrs.frozen
class SyncReport:
    """The counts of one :func:`sync` run, in total and per selector (in the given order).

    ``inserted``: events new to the database; ``updated``: stored events whose text changed;
    ``unchanged``: events read again as they were stored (the overlap); ``changed``: the
    events rows this run inserted or updated. ``skipped``: the selectors skipped with
    ``on_missing="skip"``, and those with an event that cannot be stored (no id, a
    ``created_at`` that is no time): their run stays at that page. With
    :data:`ALL_USERS`: ``people_inserted`` and ``people_updated`` (rows of the ``people``
    table), ``discovery_requests`` (pages of the user export read); ``rows_changed`` counts
    the rows of both tables this run changed. ``completed``: the selectors whose run
    completed so far (all but the skipped ones at the end).

    In the reports given to ``progress`` while the run goes on, ``selectors`` is a view of
    the runs as they stand (reading it costs a report per person); the totals are exact.
    """

    database: str
    selectors: Sequence[SelectorReport]
    seconds: float
    inserted: int = _total("inserted")
    updated: int = _total("updated")
    unchanged: int = _total("unchanged")
    people_inserted: int = 0
    people_updated: int = 0
    discovery_requests: int = 0
    completed: int = 0

    @property
    def events(self) -> int:
        """Events read in this run."""
        return self.inserted + self.updated + self.unchanged

    @property
    def changed(self) -> int:
        """Events rows inserted or updated by this run."""
        return self.inserted + self.updated

    @property
    def rows_changed(self) -> int:
        """Rows of ``events`` and ``people`` this run inserted or updated."""
        return self.changed + self.people_inserted + self.people_updated

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
        elif isinstance(selector, str) and (spelled := spelled_kwargs(selector)):
            kwargs = spelled  # the --identifiers-file spelling: user_id:N, profile_id:ID
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
        kwargs = {"user_id": query.user_id}
    return _Target(key, selector, kwargs)


def _person_target(user_id: int) -> _Target:
    """The target of a discovered user: all their profiles' events, by user id."""
    return _Target(f"user_id:{user_id}", {"user_id": user_id}, {"user_id": user_id})


# --------------------------------------------------------------------------- the database


#: Ids per ``IN (...)`` of one statement: under SQLite's bound on ``?`` parameters (999 before
#: SQLite 3.32).
IDS_PER_STATEMENT = 500


def id_chunks(ids: Sequence[int]) -> Iterator[tuple[Sequence[int], str]]:
    """``ids`` in chunks of :data:`IDS_PER_STATEMENT`, each with its ``?,?,...`` marks."""
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        chunk = ids[start : start + IDS_PER_STATEMENT]
        yield chunk, ",".join("?" * len(chunk))


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
        self.stamps = Stamper(conn)
        # The run's totals, kept as pages are stored: a progress report reads them.
        self.inserted = self.updated = self.unchanged = 0
        self.people_inserted = self.people_updated = 0
        self.completed = 0
        self.discovery_requests = 0

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
            if inserts or updates:
                stamp = self.stamps.next()
            if inserts:
                self.conn.executemany(
                    "INSERT INTO events (id, selector, source, type, description, created_at,"
                    " created_utc, received_at, properties, raw, synced_at, changed_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(*row, stamp, stamp) for row in inserts],
                )
            if updates:
                self.conn.executemany(
                    "UPDATE events SET source = ?, type = ?, description = ?, created_at = ?,"
                    " created_utc = ?, received_at = ?, properties = ?, raw = ?,"
                    " changed_at = ? WHERE id = ?",
                    [(*row[:-1], stamp, row[-1]) for row in updates],
                )
            run.high = high
            if cursor == _READ_TO_THE_END:
                self._complete(run)
        run.cursor = cursor
        run.inserted += len(inserts)
        run.updated += len(updates)
        run.unchanged += unchanged
        self.inserted += len(inserts)
        self.updated += len(updates)
        self.unchanged += unchanged

    # ----------------------------------------------------------------------- people

    def export_cursor(self) -> str | None:
        """Where the last discovery stopped: the cursor of the next page of the export."""
        row = self.conn.execute("SELECT cursor FROM people_export WHERE id = 1").fetchone()
        return None if row is None else row[0]

    def newest_person(self) -> str | None:
        """The newest ``updated_at`` among the people (to start again if the cursor is
        refused)."""
        row = self.conn.execute("SELECT MAX(updated_at) FROM people").fetchone()
        return None if row is None else row[0]

    def store_people(self, page: UserPage, cursor: str | None) -> None:
        """A page of the user export and the cursor to go on from, in one transaction."""
        users: dict[int, User] = {user.id: user for user in page.users}  # the last wins
        ids = list(users)
        with self.transaction():
            stored: dict[int, str] = {}
            for chunk, marks in id_chunks(ids):
                stored.update(
                    self.conn.execute(
                        f"SELECT user_id, raw FROM people WHERE user_id IN ({marks})",  # noqa: S608
                        chunk,
                    ).fetchall()
                )
            inserts, updates = [], []
            for user in users.values():
                raw = user.raw.decode()
                # fmt: off
                row = (
                    user.name, user.email, user.external_id, user.role, int(user.active),
                    user.created_at or None, user.updated_at or None, raw,
                )
                # fmt: on
                if user.id not in stored:
                    inserts.append((user.id, *row))
                elif stored[user.id] != raw:
                    updates.append((*row, user.id))
            if inserts or updates:
                stamp = self.stamps.next()
            if inserts:
                self.conn.executemany(
                    "INSERT INTO people (user_id, name, email, external_id, role, active,"
                    " created_at, updated_at, raw, synced_at, changed_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(*row, stamp, stamp) for row in inserts],
                )
            if updates:
                self.conn.executemany(
                    "UPDATE people SET name = ?, email = ?, external_id = ?, role = ?,"
                    " active = ?, created_at = ?, updated_at = ?, raw = ?, changed_at = ?"
                    " WHERE user_id = ?",
                    [(*row[:-1], stamp, row[-1]) for row in updates],
                )
            self.conn.execute(
                "INSERT INTO people_export (id, cursor, end_of_stream, updated_at)"
                " VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor,"
                " end_of_stream = excluded.end_of_stream, updated_at = excluded.updated_at",
                (cursor, int(page.end_of_stream), _now()),
            )
        self.people_inserted += len(inserts)
        self.people_updated += len(updates)
        self.discovery_requests += 1

    def active_people(self) -> list[int]:
        """The user ids of the people not deleted, in id order."""
        return [
            row[0]
            for row in self.conn.execute("SELECT user_id FROM people WHERE active ORDER BY user_id")
        ]

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
        self.completed += 1

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
                f"overlap={shorten(overlap)} is too large: at most {MAX_OVERLAP_SECONDS:,} "
                "seconds (a timedelta's range)"
            ) from None
    if overlap < dt.timedelta(0):
        raise ValueError(f"overlap={overlap} must not be negative")
    return overlap


def sync(
    client: Client,
    db: str | os.PathLike[str],
    selectors: SyncSelectors,
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
    :class:`Identifier`), the texts ``user_id:N`` and ``profile_id:ID``, and mappings with
    one of ``identifier``, ``profile_id``, ``user_id``; they are read ``concurrency`` at a
    time through the bulk exporter. :data:`ALL_USERS` instead syncs every user of the
    account: the run first reads the users created or changed since the last discovery
    (:meth:`Client.users`, from the cursor kept in the ``people_export`` table; admins
    only) into the ``people`` table, then syncs the events of every active person by user
    id (deleted users are kept, and their events no longer read).
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
    discover = selectors is ALL_USERS
    targets: dict[str, _Target] = {}
    if not isinstance(selectors, AllUsers):
        if isinstance(selectors, str | Identifier | Mapping):
            raise TypeError("selectors must be an iterable of selectors, not a single one")
        for number, selector in enumerate(selectors, 1):
            target = _target(number, selector)
            targets.setdefault(target.key, target)
        if not targets:
            raise ValueError("no selectors to sync")
    # The filters, page size and concurrency, checked before anything is opened.
    floor = make_filters(source=source, type=type, start=start, page_size=page_size)
    _bulk.plan([], concurrency, on_missing, {})
    filters = json.dumps({"source": floor.source, "type": floor.type}, sort_keys=True)

    problem = _database_problem(path)
    if problem is not None:
        raise ValueError(problem)

    began = time.monotonic()
    real = os.path.realpath(path)
    with _locked(real, wait):
        conn = connect(real, path)
        try:
            writer = _Writer(conn, filters)
            if discover:
                _discover(client, writer, gap)
                targets = {
                    t.key: t for t in (_person_target(uid) for uid in writer.active_people())
                }
            runs = _plan_runs(writer.states(), targets, floor.start, gap, full)
            return _run(client, path, writer, runs, floor, concurrency, on_missing, began, progress)
        except sqlite3.Error as exc:
            failure = unusable(path, exc)
            if isinstance(failure, SyncSchemaError):  # damaged, read-only: a rerun won't help
                raise failure from None
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


def _selector_report(run: _Run) -> SelectorReport:
    return SelectorReport(
        selector=run.target.key,
        inserted=run.inserted,
        updated=run.updated,
        unchanged=run.unchanged,
        start=run.start,
        high_water=run.mark,
        skipped=run.skipped,
    )


class _RunsView(Sequence[SelectorReport]):
    """The runs as :class:`SelectorReport` values, made when read (a progress report's
    ``selectors``: building one per person for every page would cost the square)."""

    def __init__(self, runs: list[_Run]) -> None:
        self._runs = runs

    def __len__(self) -> int:
        return len(self._runs)

    @overload
    def __getitem__(self, index: int) -> SelectorReport: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[SelectorReport]: ...

    def __getitem__(self, index: int | slice) -> SelectorReport | Sequence[SelectorReport]:
        if isinstance(index, slice):
            return tuple(_selector_report(run) for run in self._runs[index])
        return _selector_report(self._runs[index])

    def __repr__(self) -> str:
        return f"<{len(self._runs):,} selectors as they stand>"


def _report(
    path: str, writer: _Writer, selectors: Sequence[SelectorReport], began: float
) -> SyncReport:
    return SyncReport(
        database=path,
        selectors=selectors,
        seconds=time.monotonic() - began,
        inserted=writer.inserted,
        updated=writer.updated,
        unchanged=writer.unchanged,
        people_inserted=writer.people_inserted,
        people_updated=writer.people_updated,
        discovery_requests=writer.discovery_requests,
        completed=writer.completed,
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
    view = _RunsView(runs)

    def notify() -> None:
        if progress is not None:
            progress(_report(path, writer, view, began))

    _read(client, writer, runs, floor, concurrency, on_missing, notify)
    report = _report(path, writer, tuple(map(_selector_report, runs)), began)
    if progress is not None:
        progress(report)
    return report


def _discover(client: Client, writer: _Writer, gap: dt.timedelta) -> None:
    """Read the users created or changed since the last discovery into ``people``, a page
    (and the cursor after it) per transaction."""
    cursor = writer.export_cursor()
    try:
        _discover_from(client, writer, cursor, None)
    except BadRequestError:
        if cursor is None or writer.discovery_requests:
            raise
        # The kept cursor is refused (too old?): from the newest user kept, minus the
        # overlap, which reads again what may have changed since.
        newest = writer.newest_person()
        start = 0
        if newest:
            with contextlib.suppress(ValueError):
                moment = dt.datetime.fromisoformat(newest.replace("Z", "+00:00"))
                start = max(0, int((moment - gap).timestamp()))
        _discover_from(client, writer, None, start)


def _discover_from(client: Client, writer: _Writer, cursor: str | None, start: int | None) -> None:
    stream = client.users(cursor=cursor) if cursor else client.users(start_time=start)
    for page in stream.pages():
        # An end page's cursor is where the next discovery starts; without one, the next
        # discovery goes on from the last cursor kept.
        writer.store_people(page, page.after_cursor or cursor)
        cursor = page.after_cursor or cursor


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
