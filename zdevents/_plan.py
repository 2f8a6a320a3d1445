"""``plan_sync``: what a :func:`~zdevents.sync` run will cost, without writing anything.

A run reads at least one page per person, so its requests are at least the people plus the
discovery's pages; at the account's rate limit (requests a minute) that is its shortest
time. With :data:`~zdevents.ALL_USERS` the people are those of the mirror plus what the
user export says changed since its kept cursor: the plan reads those pages (requests, but
no writes), and the rate limit Zendesk announces with them (``X-Rate-Limit``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import quote

import attrs

from ._bulk import Selector
from ._client import Client
from ._constants import USERS_EXPORT_RATE_LIMIT
from ._mirror import APPLICATION_ID, SCHEMA_VERSION
from ._sync import AllUsers, _database_problem, _Target, _target, id_chunks
from .errors import SyncSchemaError


@attrs.frozen
class SyncPlan:
    """What a :func:`~zdevents.sync` run of the same arguments needs at least.

    Attributes:
        people: the people whose events it reads.
        discovery_requests: pages of the user export read to find them (0 without
            ``ALL_USERS``); the plan sent them, and the run sends them again.
        requests: requests at least: a page per person, and the discovery's pages.
        rate_limit: requests a minute Zendesk announced (``X-Rate-Limit``), or ``None``.
        new_people: people the discovery found that the mirror does not hold yet.
    """

    people: int
    discovery_requests: int
    requests: int
    rate_limit: int | None
    new_people: int = 0

    def shortest_seconds(self, rate_limit: float | None = None) -> float | None:
        """The shortest time the run can take at ``rate_limit`` requests a minute (default:
        the announced one), the export's 10 a minute included; ``None`` without a limit."""
        limit = rate_limit if rate_limit is not None else self.rate_limit
        if limit is None or limit <= 0:
            return None
        events = self.requests - self.discovery_requests
        discovery = max(0, self.discovery_requests - 1) * 60 / USERS_EXPORT_RATE_LIMIT
        return discovery + events * 60 / limit


@contextlib.contextmanager
def _read_only(path: str) -> Iterator[sqlite3.Connection | None]:
    """The mirror at ``path`` opened read-only, or ``None`` if it does not exist yet or is
    of version 1 (it holds no people)."""
    if not os.path.exists(path):
        yield None
        return
    # A read-only connection to a WAL database creates its -wal and -shm files when they
    # are not there, and cannot remove them. Without a -wal file no connection has the
    # database open (the last one to close removes it), so the file alone holds it all:
    # read it as immutable, which creates nothing. Otherwise the files are there already.
    real = os.path.realpath(path)  # SQLite's files sit beside the real one
    immutable = not os.path.exists(real + "-wal")
    uri = f"file:{quote(real)}?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise SyncSchemaError(f"cannot read the database {path}: {exc}") from None
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
        if tables and app != APPLICATION_ID:
            raise SyncSchemaError(f"{path} is not a zdevents sync database")
        if version > SCHEMA_VERSION:
            raise SyncSchemaError(f"{path} has schema version {version}: upgrade zdevents")
        yield conn if version == SCHEMA_VERSION else None
    except sqlite3.Error as exc:
        raise SyncSchemaError(f"cannot read the database {path}: {exc}") from None
    finally:
        conn.close()


def plan_sync(
    client: Client,
    db: str | os.PathLike[str],
    selectors: Iterable[Selector] | AllUsers,
) -> SyncPlan:
    """What ``zdevents.sync(client, db, selectors)`` will cost at least, with nothing
    written: the people, the requests (one page per person, and the discovery's pages),
    the rate limit Zendesk announces, and :meth:`SyncPlan.shortest_seconds`.

    With :data:`~zdevents.ALL_USERS` it reads the user export from the cursor the mirror
    kept (requests, not writes: the run reads them again); otherwise it sends nothing.
    A ``db`` that :func:`~zdevents.sync` would refuse (a directory, a FIFO, a symlink to
    nothing, a file with several names) raises ``ValueError`` before anything is sent.

    >>> plan = zdevents.plan_sync(client, "events.db", zdevents.ALL_USERS)
    >>> plan.people, plan.requests, round(plan.shortest_seconds(700))
    (50000, 50050, 4580)
    """
    if not isinstance(client, Client):
        raise TypeError(f"plan_sync needs a zdevents.Client, not {type(client).__name__}")
    path = os.fspath(db)
    if not isinstance(path, str) or not path or path == ":memory:":
        raise ValueError("db must be the path of a file")
    # What sync refuses, the plan refuses too, before anything is opened: a FIFO would
    # block the open for ever.
    problem = _database_problem(path)
    if problem is not None:
        raise ValueError(problem)
    if not isinstance(selectors, AllUsers):
        if isinstance(selectors, str | Mapping):
            raise TypeError("selectors must be an iterable of selectors, not a single one")
        targets: dict[str, _Target] = {}
        for number, selector in enumerate(selectors, 1):
            target = _target(number, selector)
            targets.setdefault(target.key, target)
        return SyncPlan(len(targets), 0, len(targets), None)
    with _read_only(path) as conn:
        cursor = None
        active: dict[int, bool] = {}
        known = 0
        if conn is not None:
            row = conn.execute("SELECT cursor FROM people_export WHERE id = 1").fetchone()
            cursor = None if row is None else row[0]
            (known,) = conn.execute("SELECT count(*) FROM people WHERE active").fetchone()
        stream = client.users(cursor=cursor) if cursor else client.users()
        pages = 0
        limit = None
        changed: dict[int, bool] = {}
        for page in stream.pages():
            pages += 1
            if page.rate_limit is not None:
                limit = page.rate_limit.limit
            for user in page.users:
                changed[user.id] = user.active
        if conn is not None and changed:
            ids = list(changed)
            for chunk, marks in id_chunks(ids):
                active.update(
                    (uid, bool(on))
                    for uid, on in conn.execute(
                        f"SELECT user_id, active FROM people WHERE user_id IN ({marks})",  # noqa: S608
                        chunk,
                    )
                )
    people = known
    new = 0
    for uid, on in changed.items():
        was = active.get(uid)
        if was is None:
            new += 1
        people += int(on) - int(bool(was))
    return SyncPlan(people, pages, people + pages, limit, new)
