"""The dlt source: resources ``people``, ``events`` and ``profiles`` over the public API.

The incremental rule is that of :func:`zdevents.sync`: each person reads from their own
high-water mark (the newest ``created_at`` of their last completed read, never later than
the moment that read began) less an overlap, and never before ``start``. The marks live in
the ``events`` resource's dlt state as ``{"marks": {person: seconds since the epoch}}``: one
small int a person (whole seconds, rounded down: the overlap re-reads what the rounding
leaves out), so 50,000 people cost about 1.6 MB of state before dlt compresses it. dlt commits
the state with the load package of the run that moved it, so a run that fails or is killed
leaves the marks where the last completed run put them; the rerun reads the same events
again, and ``write_disposition="merge"`` on ``id`` stores each once.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import attrs
import dlt
from dlt.common.schema.typing import TTableSchemaColumns
from dlt.extract import DltResource, DltSource

import zdevents
from zdevents import Client, Event, Identifier, Profile, limits
from zdevents.errors import BadResponseError, NotFoundError

#: The name of the source: dlt's config and secrets sections (``sources.zdevents.*``) and
#: its state.
SOURCE_NAME = "zdevents"

_log = logging.getLogger("zdevents.dlt")

#: Settings read from dlt's config (``config.toml``, ``SOURCES__ZDEVENTS__SUBDOMAIN``, ...).
_CONFIG_NAMES = ("subdomain", "base_url", "oauth_scope")
#: Credentials read from dlt's secrets (``secrets.toml``, the environment in dlt's naming).
_SECRET_NAMES = ("email", "api_token", "oauth_token", "oauth_client_id", "oauth_client_secret")


def _columns(spec: Mapping[str, tuple[str, bool]]) -> TTableSchemaColumns:
    """Column hints, made afresh for each resource (dlt writes into the dicts it is given)."""
    return {
        name: {"data_type": data_type, "nullable": nullable}  # type: ignore[typeddict-item]
        for name, (data_type, nullable) in spec.items()
    }


_TEXT = ("text", True)

#: The events table: typed columns beside the raw JSON; ``properties`` is one JSON column
#: (dlt would otherwise flatten it into a column per key, or a child table per list).
EVENT_COLUMNS: dict[str, tuple[str, bool]] = {
    "id": ("text", False),
    "person": ("text", False),
    "source": _TEXT,
    "type": _TEXT,
    "description": _TEXT,
    "created_at": ("timestamp", False),
    "created_at_text": ("text", False),
    "received_at": ("timestamp", True),
    "received_at_text": _TEXT,
    "properties": ("json", True),
    "raw": ("text", False),
}

PROFILE_COLUMNS: dict[str, tuple[str, bool]] = {
    "id": ("text", False),
    "person": ("text", False),
    "source": _TEXT,
    "type": _TEXT,
    "name": _TEXT,
    "user_id": _TEXT,
    "identifiers": ("json", True),
    "attributes": ("json", True),
    "created_at": ("timestamp", True),
    "updated_at": ("timestamp", True),
    "raw": ("text", False),
}

PEOPLE_COLUMNS: dict[str, tuple[str, bool]] = {
    "person": ("text", False),
    "user_id": ("bigint", True),
    "profile_id": _TEXT,
    "identifier": _TEXT,
    "name": _TEXT,
    "email": _TEXT,
    "external_id": _TEXT,
    "role": _TEXT,
    "active": ("bool", True),
    "created_at": _TEXT,
    "updated_at": _TEXT,
    "raw": _TEXT,
}


@attrs.define
class LoadReport:
    """What the source read, filled in while dlt extracts (pass one to
    :func:`zendesk_events` to read it after ``pipeline.run``).

    ``people``: how many people the events resource read; ``events``: events read (the
    overlap included; the merge on ``id`` keeps each once); ``skipped``: the people skipped,
    by person, with the reason (unknown to Zendesk, or an event that cannot be stored).
    """

    people: int = 0
    events: int = 0
    skipped: dict[str, str] = attrs.field(factory=dict)


# --------------------------------------------------------------------------- people


def _person(number: int, selector: Any) -> tuple[str, dict[str, Any]]:
    """A selector's key (how it is named in the tables and the state) and its mapping."""
    try:
        if isinstance(selector, str):
            # The --identifiers-file spellings too: user_id:N, profile_id:ID.
            selector = zdevents.parse_selector(selector)
        if isinstance(selector, Identifier):
            selector = {"identifier": selector}
        if not isinstance(selector, Mapping) or len(selector) != 1:
            raise ValueError(
                "a selector is an identifier query or a mapping with exactly one of "
                "identifier, profile_id, user_id"
            )
        ((kind, value),) = selector.items()
        if kind == "identifier":
            ident = value if isinstance(value, Identifier) else Identifier.parse(value)
            return str(Identifier(*ident.matching_key())), {"identifier": ident}
        if kind == "user_id":
            if isinstance(value, bool) or not str(value).isdigit():
                raise ValueError(f"user_id {value!r} is not a positive whole number")
            return f"user_id:{int(value)}", {"user_id": int(value)}
        if kind == "profile_id":
            if not isinstance(value, str) or not value:
                raise ValueError("profile_id must be non-empty text")
            return f"profile_id:{value}", {"profile_id": value}
        raise ValueError(f"unknown selector kind {kind!r}")
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"selector {number} ({selector!r}): {exc}") from None


def _is_all_users(people: object) -> bool:
    return people is zdevents.ALL_USERS


class _Shared:
    """What the resources of one source share: one client (one pool, one rate limiter,
    so that a 429 pauses every request once), opened on first use and closed when no
    resource uses it; and the people, discovered once."""

    def __init__(
        self,
        client: Client | None,
        people: list[tuple[str, dict[str, Any]]] | None,
        full: bool,
    ) -> None:
        self._given = client
        self._client: Client | None = client
        self._users = 0
        self._lock = threading.Lock()
        self._people = people
        self.full = full
        self.discovered: list[dict[str, Any]] | None = None
        self.next_cursor: str | None = None

    @contextmanager
    def client(self) -> Iterator[Client]:
        with self._lock:
            if self._client is None:
                self._client = client_from_config()
            self._users += 1
            client = self._client
        try:
            yield client
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0 and self._given is None and self._client is not None:
                    self._client.close()
                    self._client = None

    def people(self, client: Client) -> list[tuple[str, dict[str, Any]]]:
        """The people to read: those given, or every active user of the account."""
        with self._lock:
            if self._people is None:
                self._people = self._discover(client)
            return self._people

    def _discover(self, client: Client) -> list[tuple[str, dict[str, Any]]]:
        """Every active user, through the incremental user export: the first run reads all
        of them, later runs only those created or changed since the export's cursor (kept
        in the source's state with the ids of the active users; ``full`` starts over). The
        changed users become the rows of ``people``."""
        state = dlt.current.source_state().setdefault("discovery", {})
        if self.full:
            state.clear()
        active = set(state.get("active", ()))
        cursor = state.get("cursor")
        self.discovered = []
        pages = client.users(cursor=cursor)
        for page in pages.pages():
            for user in page.users:
                (active.add if user.active else active.discard)(user.id)
                self.discovered.append(
                    {
                        "person": f"user_id:{user.id}",
                        "user_id": user.id,
                        "name": user.name,
                        "email": user.email,
                        "external_id": user.external_id,
                        "role": user.role,
                        "active": user.active,
                        "created_at": user.created_at,
                        "updated_at": user.updated_at,
                        "raw": user.raw.decode(),
                    }
                )
            if page.after_cursor is not None:
                cursor = page.after_cursor
        # Sorted ints: about 11 bytes a person in the state.
        state["active"] = sorted(active)
        # The cursor moves once the people rows are out (people_rows): a load without the
        # people resource must not start the next discovery after users it never wrote.
        self.next_cursor = cursor
        return [(f"user_id:{uid}", {"user_id": uid}) for uid in state["active"]]


def client_from_config() -> Client:
    """A client from dlt's config and secrets (``sources.zdevents.*``), falling back on
    zdevents' own precedence (:meth:`Client.from_env`: the environment, then the stored
    login). Credentials given through dlt replace those of the environment as a whole."""
    options: dict[str, Any] = {}
    for name in _CONFIG_NAMES:
        value: object = dlt.config.get(f"sources.{SOURCE_NAME}.{name}")
        if value is not None:
            options[name] = str(value)
    for name in _SECRET_NAMES:
        value = dlt.secrets.get(f"sources.{SOURCE_NAME}.{name}")
        if value is not None:
            options[name] = str(value)
    return Client.from_env(**options)


# --------------------------------------------------------------------------- times


def _floor(start: dt.date | dt.datetime | str | None) -> dt.datetime | None:
    if start is None:
        return None
    if isinstance(start, str):
        try:
            start = (
                dt.date.fromisoformat(start)
                if len(start) == len("YYYY-MM-DD")
                else dt.datetime.fromisoformat(start)
            )
        except ValueError:
            raise ValueError(f"start={start!r} is not an ISO 8601 date or time") from None
    if isinstance(start, dt.datetime):
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime (with a UTC offset)")
        return start.astimezone(dt.UTC)
    if isinstance(start, dt.date):
        return dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC)
    raise TypeError(f"start must be a date, an aware datetime or ISO 8601 text, not {start!r}")


def _overlap(overlap: dt.timedelta | float) -> dt.timedelta:
    if isinstance(overlap, bool) or not isinstance(overlap, dt.timedelta | int | float):
        raise TypeError("overlap must be a timedelta or a number of seconds")
    if not isinstance(overlap, dt.timedelta):
        if overlap != overlap or abs(overlap) == float("inf"):
            raise ValueError(f"overlap={overlap!r} is not a number of seconds")
        overlap = dt.timedelta(seconds=overlap)
    if overlap < dt.timedelta(0):
        raise ValueError(f"overlap={overlap} must not be negative")
    return overlap


def _rfc3339(moment: dt.datetime) -> str:
    # The fraction of a second too: a start of 12:00:30.5 must not read 12:00:30.1.
    moment = moment.astimezone(dt.UTC)
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def _start_of(
    mark: int | None, floor: dt.datetime | None, overlap: dt.timedelta
) -> dt.datetime | None:
    if mark is None:
        return floor
    try:
        behind = dt.datetime.fromtimestamp(mark, dt.UTC) - overlap
    except (OverflowError, OSError):
        return floor  # an overlap back past year 1: from the floor (or the beginning)
    return behind if floor is None or behind > floor else floor


# --------------------------------------------------------------------------- rows


#: The integers dlt's JSON writer (and a BIGINT or JSON column) can hold.
_LOWEST, _HIGHEST = -(2**63), 2**64 - 1


def _storable(value: object) -> bool:
    """Whether dlt can write ``value``: JSON as received may hold an integer past 64 bits
    or a lone surrogate (``"\\ud800"``), which dlt's writer refuses, failing the whole
    run, and every rerun, over one event."""
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return True
    if isinstance(value, int):
        return _LOWEST <= value <= _HIGHEST
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(map(_storable, value))
    return False


def _text_of(raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise BadResponseError("an event's JSON text is not UTF-8") from None


def _marks(state: dict[str, Any], source: str | None, type: str | None) -> dict[str, int]:
    """The marks of one filter set (as ``zdevents sync`` keeps a mark per selector and
    filters): a run of one event type must not move the mark a run of every type reads
    from. Without filters ``state["marks"]``; with, ``state["filtered"][filters]``."""
    if source is None and type is None:
        marks: dict[str, int] = state.setdefault("marks", {})
        return marks
    filters = json.dumps({"source": source, "type": type}, sort_keys=True)
    filtered: dict[str, dict[str, int]] = state.setdefault("filtered", {})
    return filtered.setdefault(filters, {})


def _event_row(person: str, event: Event) -> dict[str, Any]:
    data = event.to_dict()
    created = event.created_at  # raises BadResponseError when it is no time
    received = event.received_at
    row = {
        "id": event.id,
        "person": person,
        "source": event.source,
        "type": event.type,
        "description": event.description,
        "created_at": created,
        "created_at_text": data["created_at"],
        "received_at": received,
        "received_at_text": data.get("received_at"),
        "properties": event.properties,
        "raw": _text_of(event.raw),
    }
    if not all(_storable(row[name]) for name in ("id", "created_at_text")):
        raise BadResponseError("an event id or created_at holds text that is not Unicode")
    for name in ("source", "type", "description", "received_at_text", "properties"):
        if not _storable(row[name]):
            # Left out rather than failing every run: raw keeps it exactly.
            _log.warning("event %s: %s cannot be stored; raw keeps it", event.id, name)
            row[name] = None
    return row


def _profile_row(person: str, profile: Profile) -> dict[str, Any]:
    return {
        "id": profile.id,
        "person": person,
        "source": profile.source,
        "type": profile.type,
        "name": profile.name,
        "user_id": profile.user_id,
        "identifiers": profile.identifiers,
        "attributes": profile.attributes,
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
        "raw": profile.raw.decode(),
    }


# --------------------------------------------------------------------------- the source


def zendesk_events(
    people: Iterable[Any] | None = None,
    *,
    all_users: bool = False,
    client: Client | None = None,
    source: str | None = None,
    type: str | None = None,
    start: dt.date | dt.datetime | str | None = None,
    overlap: dt.timedelta | float = limits.DEFAULT_OVERLAP,
    full: bool = False,
    page_size: int = limits.DEFAULT_PAGE_SIZE,
    concurrency: int = limits.DEFAULT_CONCURRENCY,
    report: LoadReport | None = None,
) -> DltSource:
    """A dlt source of the events (and people and profiles) of ``people``.

    ``people``: selectors as :meth:`Client.events_many` takes them (identifier queries, or
    mappings with one of ``identifier``, ``profile_id``, ``user_id``); or ``all_users=True``
    (or ``zdevents.ALL_USERS`` as ``people``) for every user of the account, discovered
    through the incremental user export. ``client``: a :class:`~zdevents.Client` (kept
    open); without one, a client is made from dlt's config and secrets
    (``sources.zdevents.subdomain`` / ``base_url``, and one kind of credentials:
    ``oauth_client_id`` + ``oauth_client_secret``, ``oauth_token``, or ``email`` +
    ``api_token``), or, when dlt has none, from zdevents' own precedence
    (:meth:`Client.from_env`: the environment, then the stored login).

    ``source``, ``type`` filter the events; ``start`` is the earliest ``created_at`` read.
    Each person's later runs read from their own high-water mark less ``overlap`` (one hour
    by default); ``full=True`` reads everything from ``start`` again (for events backdated
    further than the overlap). A person Zendesk does not know, or with an event that cannot
    be stored, is skipped: logged on the ``zdevents.dlt`` logger and in ``report``; their
    mark stays. Every other error stops the run (dlt raises ``PipelineStepFailed``), and
    nothing of it is committed: the rerun reads the same again.
    """
    if all_users or _is_all_users(people):
        if people is not None and not _is_all_users(people):
            raise ValueError("give people or all_users=True, not both")
        planned: list[tuple[str, dict[str, Any]]] | None = None
    else:
        if people is None:
            raise ValueError("give people (a list of selectors) or all_users=True")
        if isinstance(people, str | Identifier | Mapping):
            raise TypeError("people must be an iterable of selectors, not a single one")
        unique: dict[str, dict[str, Any]] = {}
        for number, selector in enumerate(people, 1):
            key, mapping = _person(number, selector)
            unique.setdefault(key, mapping)
        if not unique:
            raise ValueError("no people to load")
        planned = list(unique.items())
    floor = _floor(start)
    gap = _overlap(overlap)
    zdevents.validate_filters(source=source, type=type, page_size=page_size)
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency={concurrency!r} must be a whole number, at least 1")
    shared = _Shared(client, planned, full)
    seen = report if report is not None else LoadReport()

    def skip(person: str, reason: str) -> None:
        seen.skipped[person] = reason
        _log.warning("skipped %s: %s", person, reason)

    def people_rows() -> Iterator[list[dict[str, Any]]]:
        with shared.client() as c:
            everyone = shared.people(c)
        if shared.discovered is not None:
            yield shared.discovered
            if shared.next_cursor is not None:
                dlt.current.source_state().setdefault("discovery", {})["cursor"] = (
                    shared.next_cursor
                )
            return
        rows = []
        for key, mapping in everyone:
            ((kind, value),) = mapping.items()
            rows.append({"person": key, kind: str(value) if kind == "identifier" else value})
        yield rows

    def events_rows() -> Iterator[list[dict[str, Any]]]:
        marks = _marks(dlt.current.resource_state(), source, type)
        began = int(dt.datetime.now(dt.UTC).timestamp())
        with shared.client() as c:
            everyone = shared.people(c)
            handles: list[dict[str, Any]] = []
            keys: dict[int, str] = {}
            for key, mapping in everyone:
                if marks.get(key, began) > began:
                    # A mark ahead of our clock (a clock that was wrong, a state edited
                    # by hand): not trusted, so that events before it are not jumped
                    # over; this person is read from the floor and gets a new mark.
                    del marks[key]
                begin = _start_of(None if full else marks.get(key), floor, gap)
                handle = {**mapping, "start": None if begin is None else _rfc3339(begin)}
                keys[id(handle)] = key
                handles.append(handle)
            seen.people += len(handles)
            highs: dict[str, int] = {}
            stopped: set[str] = set()

            def missing(selector: object, error: NotFoundError) -> None:
                key = keys[id(selector)]
                stopped.add(key)
                skip(key, str(error))

            pages = c.pages_many(
                handles,
                concurrency=concurrency,
                on_missing=missing,
                source=source,
                type=type,
                page_size=page_size,
            )
            try:
                for selector, page in pages:
                    key = keys[id(selector)]
                    if key in stopped:
                        continue
                    try:
                        rows = [_event_row(key, event) for event in page.events]
                    except BadResponseError as exc:
                        # This person is skipped and their mark stays (a rerun tries
                        # again); everyone else goes on.
                        stopped.add(key)
                        skip(key, str(exc))
                        continue
                    for row in rows:
                        second = int(row["created_at"].timestamp())
                        if second > highs.get(key, -(2**62)):
                            highs[key] = second
                    seen.events += len(rows)
                    if rows:
                        yield rows
                    if not page.has_more:
                        # Read to the end: the mark moves, never past when this read began
                        # (an event dated in the future must not hide later ones).
                        high = highs.get(key)
                        if high is not None:
                            old = marks.get(key)
                            marks[key] = min(began, high if old is None else max(old, high))
            finally:
                close: Callable[[], None] | None = getattr(pages, "close", None)
                if close is not None:
                    close()

    def profiles_rows() -> Iterator[list[dict[str, Any]]]:
        with shared.client() as c:
            everyone = shared.people(c)

            def read(item: tuple[str, dict[str, Any]]) -> tuple[str, list[Profile] | str]:
                key, mapping = item
                ((kind, value),) = mapping.items()
                try:
                    if kind == "user_id":
                        return key, c.profiles(user_id=value)
                    if kind == "identifier":
                        return key, [c.profile(identifier=value)]
                    return key, [c.profile(profile_id=value)]
                except NotFoundError as exc:
                    return key, str(exc)

            with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
                for key, found in pool.map(read, everyone):
                    if isinstance(found, str):
                        skip(key, found)
                    elif found:
                        yield [_profile_row(key, p) for p in found]

    resources: list[DltResource] = [
        dlt.resource(
            people_rows,
            name="people",
            write_disposition="merge",
            primary_key="person",
            columns=_columns(PEOPLE_COLUMNS),
        ),
        dlt.resource(
            events_rows,
            name="events",
            write_disposition="merge",
            primary_key="id",
            columns=_columns(EVENT_COLUMNS),
        ),
        dlt.resource(
            profiles_rows,
            name="profiles",
            write_disposition="merge",
            primary_key="id",
            columns=_columns(PROFILE_COLUMNS),
        ),
    ]

    @dlt.source(name=SOURCE_NAME, max_table_nesting=0)
    def zdevents_source() -> list[DltResource]:
        return resources

    return zdevents_source()


__all__ = ["SOURCE_NAME", "LoadReport", "client_from_config", "zendesk_events"]
