"""``forget``: erase a person at Zendesk and in every local mirror, and keep a record of it.

Zendesk deletes events only with their profile, so forgetting a person is: find their
profiles (one by identifier query or id, or every profile of a Zendesk user), read how many
events each holds (and their ids), delete each profile, then purge the person's rows from
each mirror that ``sync`` keeps (every table: events, people, sync state), one transaction
per database under the sync's own lock, so that the next sync does not bring them back.

What can stop half-way is made to be finished by running the same call again: a mirror
locked by a running sync is reported as pending, and what it still has to lose (event and
profile ids, and hashes of the selectors the person's rows were stored under, never an
identifier's value) waits in a file under ``ZDEVENTS_HOME`` until a later run purges it.
Each run that erases something appends one line to the erasure log: when, what kind of
request, the ids and the counts, never an identifier's value or a name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import sqlite3
import stat
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs

from ._client import Client
from ._config import login_home
from ._identifier import Identifier
from ._mirror import APPLICATION_ID
from ._profiles import Profile
from ._query import make_query
from ._sync import _database_problem, _locked, _try_lock
from ._version import __version__
from .errors import APIError, BadResponseError, NotFoundError, SyncError

#: The erasure log's and the pending purges' file names under ``ZDEVENTS_HOME``.
LOG_NAME = "erasures.jsonl"
PENDING_NAME = "forget-pending.json"
#: Zendesk's own profiles: it may refuse to delete them.
_ZENDESK_SOURCE = "zendesk"


@attrs.frozen
class ForgottenProfile:
    """One profile of the person: ``id``, ``source``, ``type``, ``events`` (how many it
    held), ``deleted`` (by this run), ``refused`` (why Zendesk kept it, else ``None``)."""

    id: str
    source: str
    type: str
    events: int
    deleted: bool = False
    refused: str | None = None


@attrs.frozen
class MirrorPurge:
    """One mirror: ``path``, ``rows`` (by table: purged, or to purge when not ``purged``),
    ``purged``, and ``problem`` (why not, e.g. a sync holding its lock), else ``None``."""

    path: str
    rows: Mapping[str, int]
    purged: bool = False
    problem: str | None = None

    @property
    def total(self) -> int:
        """Rows in every table."""
        return sum(self.rows.values())


@attrs.frozen
class ForgetReport:
    """What :func:`forget` found and did.

    ``request`` is the kind of selector given (``"identifier"``, ``"profile_id"`` or
    ``"user_id"``, never its value); ``user_ids`` the Zendesk users of the profiles;
    ``profiles`` and ``mirrors`` one entry each. ``dry_run``: nothing was changed;
    ``cancelled``: the confirmation said no, and nothing was changed. ``log_problem``: why
    the erasure log could not be appended to (a full disk), else ``None``: what the report
    says was erased was, but the log lacks its line.
    """

    request: str
    user_ids: tuple[str, ...]
    profiles: tuple[ForgottenProfile, ...]
    mirrors: tuple[MirrorPurge, ...]
    dry_run: bool = False
    cancelled: bool = False
    log_problem: str | None = None

    @property
    def events(self) -> int:
        """Events of the profiles found (deleted, or to delete)."""
        return sum(p.events for p in self.profiles)

    @property
    def complete(self) -> bool:
        """Everything that could be erased was: each profile deleted (or refused by Zendesk,
        as its own) and each mirror purged. ``False`` for a dry run or a cancelled one."""
        if self.dry_run or self.cancelled:
            return False
        zendesk = all(p.deleted or p.refused for p in self.profiles)
        return zendesk and all(m.purged for m in self.mirrors)

    @property
    def pending(self) -> tuple[MirrorPurge, ...]:
        """The mirrors still to purge (run the same call again when their sync is over)."""
        if self.dry_run or self.cancelled:
            return ()
        return tuple(m for m in self.mirrors if not m.purged)


# --------------------------------------------------------------------------- what to purge


@attrs.frozen
class _Targets:
    """The rows of a person in a mirror: selectors (as ``sync`` stores them) and ids."""

    selectors: frozenset[str] = frozenset()
    selector_hashes: frozenset[str] = frozenset()
    event_ids: frozenset[str] = frozenset()
    profile_ids: frozenset[str] = frozenset()
    user_ids: frozenset[str] = frozenset()

    def union(self, other: _Targets) -> _Targets:
        return _Targets(
            *(getattr(self, f.name) | getattr(other, f.name) for f in attrs.fields(_Targets))
        )

    def selector_matches(self, selector: object) -> bool:
        if not isinstance(selector, str):
            return False
        return selector in self.selectors or _digest(selector) in self.selector_hashes

    def stored(self) -> dict[str, list[str]]:
        """What a pending purge keeps on disk: ids, and selectors only as hashes."""
        hashes = self.selector_hashes | {_digest(s) for s in self.selectors}
        return {
            "selector_hashes": sorted(hashes),
            "event_ids": sorted(self.event_ids),
            "profile_ids": sorted(self.profile_ids),
            "user_ids": sorted(self.user_ids),
        }

    @classmethod
    def loaded(cls, data: Mapping[str, Any]) -> _Targets:
        def texts(name: str) -> frozenset[str]:
            value = data.get(name, [])
            return frozenset(v for v in value if isinstance(v, str))

        return cls(
            selector_hashes=texts("selector_hashes"),
            event_ids=texts("event_ids"),
            profile_ids=texts("profile_ids"),
            user_ids=texts("user_ids"),
        )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _identifier_key(source: str, kind: str, key: str, value: object) -> str | None:
    """The selector text ``sync`` stores for an identifier query (the value as Zendesk
    compares it), or ``None`` for one that cannot be a query."""
    try:
        return str(Identifier(*Identifier(source, kind, key, str(value)).matching_key()))
    except ValueError:
        return None


def _profile_selectors(profile: Profile) -> set[str]:
    keys = {f"profile_id:{profile.id}"}
    for item in profile.identifiers:
        key = _identifier_key(
            profile.source, profile.type, str(item.get("type")), item.get("value")
        )
        if key is not None:
            keys.add(key)
    return keys


# --------------------------------------------------------------------------- mirrors


def _mirror_path(db: str | os.PathLike[str]) -> str:
    path = os.fspath(db)
    if not isinstance(path, str) or not path or path == ":memory:":
        raise ValueError("a mirror is a sync database file given by its path")
    problem = _database_problem(path)
    if problem is not None:
        raise ValueError(problem)
    if not os.path.exists(path):
        raise ValueError(f"the mirror {path} does not exist (give the --db of a sync)")
    with _reading(path):  # a sync database: refused before anything is sent
        pass
    return path


@contextlib.contextmanager
def _reading(path: str) -> Iterator[sqlite3.Connection]:
    """A read-only connection that leaves every file of the mirror as it was (a dry run
    changes nothing, not even a byte): while no sync holds the mirror's lock and its journal
    is empty, nothing can change it, so SQLite is told so (``immutable``) and creates no
    shared-memory file; otherwise an ordinary read-only one (a running sync has those files
    anyway). The lock file is never created here: no sync has run where it is missing."""
    real = os.path.realpath(path)
    try:
        fd: int | None = os.open(real + ".lock", os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        fd = None
    try:
        still = fd is not None and _try_lock(fd) and not _journal_holds_pages(real)
        conn = _open(path, read_only=True, immutable=still)
        try:
            yield conn
        finally:
            conn.close()
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock


def _journal_holds_pages(real: str) -> bool:
    try:
        return os.path.getsize(real + "-wal") > 0
    except OSError:
        return False


def _open(path: str, *, read_only: bool, immutable: bool = False) -> sqlite3.Connection:
    real = os.path.realpath(path)
    try:
        if read_only:
            mode = "mode=ro&immutable=1" if immutable else "mode=ro"
            uri = f"file:{urllib.parse.quote(real)}?{mode}"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        else:
            conn = sqlite3.connect(real, isolation_level=None, timeout=30)
        app = conn.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.Error as exc:
        raise SyncError(f"cannot read the mirror {path}: {exc}") from None
    if app != APPLICATION_ID:
        conn.close()
        raise ValueError(f"{path} is not a zdevents sync database")
    return conn


def _tables(conn: sqlite3.Connection) -> dict[str, set[str]]:
    names = [
        str(row[0])
        for row in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: {str(row[1]) for row in conn.execute("SELECT * FROM pragma_table_info(?)", (name,))}
        for name in names
    }


def _predicate(table: str, columns: set[str]) -> str | None:
    """Which rows of ``table`` are the person's, in SQL over the functions of :func:`_bind`:
    a selector the person's rows were stored under; an event, profile or user id of theirs
    (``events.id``, ``people.id``, any ``profile_id`` and ``user_id`` column)."""
    tests = []
    if "selector" in columns:
        tests.append("zd_selector(selector)")
    if table == "events" and "id" in columns:
        tests.append("zd_event(id)")
    if table in ("people", "users") and "id" in columns:
        tests.append("zd_user(id)")
    if "user_id" in columns:
        tests.append("zd_user(user_id)")
    if "profile_id" in columns:
        tests.append("zd_profile(profile_id)")
    return " OR ".join(tests) or None


def _bind(conn: sqlite3.Connection, targets: _Targets) -> None:
    def member(values: frozenset[str]) -> Callable[[object], bool]:
        return lambda value: value is not None and str(value) in values

    conn.create_function("zd_selector", 1, targets.selector_matches, deterministic=True)
    conn.create_function("zd_event", 1, member(targets.event_ids), deterministic=True)
    conn.create_function("zd_user", 1, member(targets.user_ids), deterministic=True)
    conn.create_function("zd_profile", 1, member(targets.profile_ids), deterministic=True)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count(conn: sqlite3.Connection, targets: _Targets) -> dict[str, int]:
    _bind(conn, targets)
    counts: dict[str, int] = {}
    for table, columns in _tables(conn).items():
        where = _predicate(table, columns)
        if where is not None:
            sql = f"SELECT COUNT(*) FROM {_quoted(table)} WHERE {where}"  # noqa: S608 -- names from the schema
            counts[table] = int(conn.execute(sql).fetchone()[0])
    return counts


def count_rows(path: str, targets: _Targets) -> dict[str, int]:
    """The person's rows in the mirror, by table (read only: no lock needed)."""
    try:
        with _reading(path) as conn:
            return _count(conn, targets)
    except sqlite3.Error as exc:
        raise SyncError(f"cannot read the mirror {path}: {exc}") from None


def purge(path: str, targets: _Targets, wait: float | None) -> dict[str, int]:
    """Delete the person's rows from every table of the mirror in one transaction, holding
    the sync's lock (``SyncLockedError`` after ``wait`` seconds); the rows deleted."""
    with _locked(os.path.realpath(path), wait):
        conn = _open(path, read_only=False)
        try:
            _bind(conn, targets)
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("BEGIN IMMEDIATE")
            try:
                deleted: dict[str, int] = {}
                for table, columns in _tables(conn).items():
                    where = _predicate(table, columns)
                    if where is not None:
                        sql = f"DELETE FROM {_quoted(table)} WHERE {where}"  # noqa: S608 -- names from the schema
                        deleted[table] = conn.execute(sql).rowcount
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            # The deleted rows must not live on in the file's free space (secure_delete is
            # off by default in many SQLite builds) nor in the journal's older frames: the
            # pages were zeroed above; the checkpoint writes them back and empties the WAL.
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return deleted
        except sqlite3.Error as exc:
            raise SyncError(f"purging the mirror {path} failed: {exc}") from None
        finally:
            conn.close()


# --------------------------------------------------------------------------- pending purges


class _Pending:
    """Purges a locked mirror still owes, by request and mirror, in ``ZDEVENTS_HOME``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def _read(self) -> dict[str, Any]:
        try:
            # Non-blocking: a FIFO in its place fails here instead of waiting for a writer.
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SyncError(f"cannot read the pending purges {self.path}: {exc}") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise SyncError(
                    f"the pending purges {self.path} is not a file (a directory, FIFO or "
                    "device): move it away"
                )
            with os.fdopen(fd, encoding="utf-8", closefd=False) as f:
                data = json.load(f)
        except (OSError, ValueError) as exc:
            raise SyncError(f"cannot read the pending purges {self.path}: {exc}") from None
        finally:
            os.close(fd)
        return data if isinstance(data, dict) else {}

    def owed(self, mirror: str) -> _Targets:
        """What the mirror still owes, by any request: a later run on the mirror purges it,
        whatever it asks (the operator may come back with another selector, or another
        person)."""
        owed = _Targets()
        for entries in self._read().values():
            entry = entries.get(os.path.realpath(mirror)) if isinstance(entries, dict) else None
            if isinstance(entry, dict):
                owed = owed.union(_Targets.loaded(entry))
        return owed

    def update(self, request: str, owed: Mapping[str, _Targets]) -> None:
        """Record what each mirror owes for ``request``; under a lock of its own (as
        :meth:`settle`), so that two runs at once do not lose each other's entries."""
        os.makedirs(os.path.dirname(self.path) or ".", mode=0o700, exist_ok=True)
        with _locked(self.path, None):
            data = self._read()
            entries = data.setdefault(request, {})
            for mirror, targets in owed.items():
                entries[os.path.realpath(mirror)] = targets.stored()
            self._save(data)

    def settle(self, purged: Mapping[str, _Targets]) -> None:
        """Each mirror purged of these targets owes none of them any more, whichever request
        recorded them; what another run recorded meanwhile (not purged) stays."""
        os.makedirs(os.path.dirname(self.path) or ".", mode=0o700, exist_ok=True)
        with _locked(self.path, None):
            data = self._read()
            for mirror, targets in purged.items():
                real = os.path.realpath(mirror)
                done = targets.stored()
                for entries in data.values():
                    entry = entries.get(real) if isinstance(entries, dict) else None
                    if isinstance(entry, dict) and all(
                        set(values) <= set(done.get(name, ()))
                        for name, values in _Targets.loaded(entry).stored().items()
                    ):
                        entries.pop(real)
            self._save(data)

    def _save(self, data: dict[str, Any]) -> None:
        for name in [name for name, each in data.items() if not each]:
            data.pop(name)
        if not data:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            return
        _write_private(self.path, json.dumps(data, sort_keys=True).encode())


def _write_private(path: str, content: bytes) -> None:
    """Replace ``path`` atomically with ``content``, readable by its owner only."""
    os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _log_problem(path: str) -> str | None:
    """Why ``path`` cannot be the erasure log (a directory, a FIFO, a device), else
    ``None``; asked before anything is deleted, so that the erasure gets its record."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"the erasure log {path} cannot be used: {exc.strerror}"
    if stat.S_ISDIR(st.st_mode):
        return f"the erasure log {path} is a directory, not a file"
    if not stat.S_ISREG(st.st_mode):
        return f"the erasure log {path} is a device, FIFO or socket, not a file"
    return None


def _append_log(path: str, record: Mapping[str, Any]) -> None:
    """One line appended with one write (``O_APPEND``), synced, the file owner-only. A FIFO
    put in its place meanwhile fails at once (``O_NONBLOCK``) instead of waiting for a
    reader."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, mode=0o700, exist_ok=True)
    line = json.dumps(record, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if os.write(fd, line) != len(line):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)
    finally:
        os.close(fd)


def _log_record(report: ForgetReport, at: dt.datetime) -> dict[str, Any]:
    """The erasure log's line: ids and counts, never an identifier's value or a name."""
    return {
        "at": at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "zdevents": __version__,
        "request": report.request,
        "user_ids": list(report.user_ids),
        "profiles_deleted": [p.id for p in report.profiles if p.deleted],
        "profiles_kept": [{"id": p.id, "reason": p.refused} for p in report.profiles if p.refused],
        "events_deleted": sum(p.events for p in report.profiles if p.deleted),
        "mirrors": [
            {"database": m.path, "purged": m.purged, "rows": dict(m.rows)}
            | ({"problem": m.problem} if m.problem else {})
            for m in report.mirrors
        ],
        "complete": report.complete,
    }


# --------------------------------------------------------------------------- the run


def _request(
    identifier: Identifier | str | None, profile_id: str | None, user_id: int | str | None
) -> tuple[str, str, dict[str, Any]]:
    """The kind of request, its selector text (as ``sync`` stores it) and the checked
    selector; exactly one of the three."""
    query = make_query(identifier, profile_id, user_id)
    if query.identifier is not None:
        ident = query.identifier
        return "identifier", str(Identifier(*ident.matching_key())), {"identifier": ident}
    if query.profile_id is not None:
        return "profile_id", f"profile_id:{query.profile_id}", {"profile_id": query.profile_id}
    return "user_id", f"user_id:{query.user_id}", {"user_id": query.user_id}


def _profiles(client: Client, kind: str, selector: dict[str, Any]) -> list[Profile]:
    try:
        if kind == "user_id":
            found = client.profiles(user_id=selector["user_id"])
        else:
            found = [client.profile(**selector)]
    except NotFoundError:
        return []  # gone already (a second run), or never there
    unique: dict[str, Profile] = {}
    for profile in found:
        unique.setdefault(profile.id, profile)  # a server listing one twice: deleted once
        # Deleting is for good: a profile that is not the one asked for (a server's bug)
        # stops the run before anything is deleted.
        if kind == "user_id" and profile.user_id not in (None, str(selector["user_id"])):
            raise BadResponseError(
                f"Zendesk listed profile {profile.id} of another user ({profile.user_id}) "
                "among the user's profiles; nothing was deleted"
            )
        if kind == "profile_id" and profile.id != selector["profile_id"]:
            raise BadResponseError(
                f"Zendesk answered with profile {profile.id} for another id; nothing was deleted"
            )
    return list(unique.values())


def _refusal(entry: ForgottenProfile, exc: APIError) -> str | None:
    """Why Zendesk kept its own profile (any client error but those that say nothing about
    the profile: authentication, not found, rate limit), else ``None``: not a refusal."""
    status = exc.status_code or 0
    if entry.source != _ZENDESK_SOURCE or not 400 <= status < 500 or status in (401, 404, 429):
        return None
    return f"Zendesk keeps its own profile (HTTP {status})"


def _events_of(client: Client, profile: Profile) -> list[str]:
    try:
        return [event.id for event in client.events(profile_id=profile.id)]
    except NotFoundError:
        return []


def forget(
    client: Client,
    *,
    identifier: Identifier | str | None = None,
    profile_id: str | None = None,
    user_id: int | str | None = None,
    mirrors: Iterable[str | os.PathLike[str]] = (),
    dry_run: bool = False,
    log: str | os.PathLike[str] | None = None,
    wait: float | None = 0.0,
    confirm: Callable[[ForgetReport], bool] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ForgetReport:
    """Erase a person at Zendesk and from each mirror of ``sync``: an erasure request under
    GDPR or CCPA.

    The person is given by exactly one of ``identifier`` (the one profile an identifier
    query selects), ``profile_id``, or ``user_id`` (every profile of that Zendesk user).
    Each profile's events are counted, then the profile is deleted with them; Zendesk's own
    profile (source ``zendesk``) is kept if Zendesk refuses to delete it, and the report
    says so. Then the person's rows leave every table of each mirror in ``mirrors`` (one
    transaction per database, under the lock ``sync`` takes: another sync holding it is
    waited for ``wait`` seconds, ``None`` for as long as it takes), so that the next sync
    does not bring them back.

    ``confirm``, when given, is called with the plan (what would be erased) before anything
    changes; a false answer cancels the run. ``dry_run=True`` returns the plan and changes
    nothing. A run that changed something appends a line to the erasure log (``log``, else
    ``erasures.jsonl`` under ``ZDEVENTS_HOME`` of ``environ`` or the process): when, the
    kind of request, ids and counts; never an identifier's value or a name.

    A mirror that could not be purged (a sync holding it) is reported in
    :attr:`ForgetReport.pending`; running the same call again finishes it, even though
    Zendesk has nothing left to find. Invalid arguments (and a mirror that is not a sync
    database) raise ``ValueError`` before anything is deleted; Zendesk's failures raise
    :class:`~zdevents.errors.ZendeskError`.

    >>> report = zdevents.forget(client, user_id=85211553, mirrors=["events.db"])
    >>> report.complete, report.events
    (True, 120)
    """
    if not isinstance(client, Client):
        raise TypeError(f"forget needs a zdevents.Client, not {client.__class__.__name__}")
    kind, request_key, selector = _request(identifier, profile_id, user_id)
    if isinstance(mirrors, str | os.PathLike):
        raise TypeError("mirrors must be a list of database paths, not a single one")
    paths = list(dict.fromkeys(_mirror_path(db) for db in mirrors))
    home = login_home(environ)
    log_path = os.fspath(log) if log is not None else os.path.join(home, LOG_NAME)
    if not dry_run and (problem := _log_problem(log_path)) is not None:
        raise ValueError(problem)
    pending = _Pending(os.path.join(home, PENDING_NAME))
    request_id = _digest(request_key)

    profiles = _profiles(client, kind, selector)
    event_ids: dict[str, list[str]] = {p.id: _events_of(client, p) for p in profiles}
    users = {uid for p in profiles if (uid := p.user_id) is not None}
    if kind == "user_id":
        users.add(str(selector["user_id"]))
    selectors = {request_key}
    for profile in profiles:
        selectors |= _profile_selectors(profile)
    # A user's own rows (their selector, their people row) go only when the whole user is
    # forgotten: one profile's events are found by their ids wherever they were stored.
    whole_users = frozenset(users if kind == "user_id" else ())
    selectors |= {f"user_id:{uid}" for uid in whole_users}
    found = _Targets(
        selectors=frozenset(selectors),
        event_ids=frozenset(i for ids in event_ids.values() for i in ids),
        profile_ids=frozenset(event_ids),
        user_ids=whole_users,
    )
    targets = {path: found.union(pending.owed(path)) for path in paths}
    planned = [ForgottenProfile(p.id, p.source, p.type, len(event_ids[p.id])) for p in profiles]
    plan = ForgetReport(
        request=kind,
        user_ids=tuple(sorted(users)),
        profiles=tuple(planned),
        mirrors=tuple(MirrorPurge(path, count_rows(path, targets[path])) for path in paths),
        dry_run=dry_run,
    )
    if dry_run:
        return plan
    if confirm is not None and not confirm(plan):
        return attrs.evolve(plan, cancelled=True)

    # What the mirrors owe is on disk before anything is deleted: a failure half-way (at
    # Zendesk, or a mirror locked) leaves it for the rerun, which Zendesk can no longer tell.
    if paths:
        pending.update(request_id, dict(targets))
    done: list[ForgottenProfile] = []
    try:
        for entry in planned:
            try:
                client.delete_profile(profile_id=entry.id)
            except NotFoundError:
                pass  # deleted meanwhile (another run): gone all the same
            except APIError as exc:
                reason = _refusal(entry, exc)
                if reason is None:
                    raise
                done.append(attrs.evolve(entry, refused=reason))
                continue
            done.append(attrs.evolve(entry, deleted=True))
    except BaseException:
        if any(p.deleted for p in done):
            # What went before the failure is erased: the log says so now (the rerun no
            # longer sees those profiles at Zendesk).
            stopped = "not purged yet: the run stopped at Zendesk; run it again"
            partial = attrs.evolve(
                plan,
                profiles=(*done, *planned[len(done) :]),
                mirrors=tuple(attrs.evolve(m, problem=stopped) for m in plan.mirrors),
            )
            with contextlib.suppress(OSError):
                _append_log(log_path, _log_record(partial, dt.datetime.now(dt.UTC)))
        raise
    purged: list[MirrorPurge] = []
    settled: dict[str, _Targets] = {}
    for path in paths:
        try:
            rows = purge(path, targets[path], wait)
        except SyncError as exc:
            # Locked by a sync, or failing (a full disk, even after the rows went: the file
            # still holds their bytes): pending, and the other mirrors and the log go on.
            try:
                left = count_rows(path, targets[path])
            except (SyncError, ValueError):
                left = {}
            purged.append(MirrorPurge(path, left, problem=str(exc)))
            continue
        purged.append(MirrorPurge(path, rows, purged=True))
        settled[path] = targets[path]
    if settled:
        pending.settle(settled)
    report = attrs.evolve(plan, profiles=tuple(done), mirrors=tuple(purged))
    if done or any(m.total for m in purged) or paths:
        try:
            _append_log(log_path, _log_record(report, dt.datetime.now(dt.UTC)))
        except OSError as exc:
            # Erased all the same: the report is the caller's record of it now.
            problem = f"the erasure log {log_path} could not be written: {exc.strerror}"
            report = attrs.evolve(report, log_problem=problem)
    return report
