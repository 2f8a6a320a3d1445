"""Tracking events: what a track call may send, what it answers, and many calls at once.

Every rule Zendesk documents for a tracked event and its profile is checked here, before
anything is sent, as a ``ValueError`` naming the field (``event.source``,
``profile.identifiers[2].type``); a mapping of the wrong kind is a ``TypeError``. The body
is then built by the generated models (``_routes.build_track``) and sent by the client's one
primitive, so the write rule of ``_retry`` applies: a POST that may have reached Zendesk is
not sent again unless the client has ``retry_writes=True``.

:func:`track_many` and :func:`async_track_many` send many records with bounded concurrency
and yield one outcome per record, **in input order**: a :class:`TrackResult`, or the
exception that record met (its own ``ValueError``/``TypeError``, or a ``ZendeskError``), so
one bad record never stops the rest.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import datetime as dt
import difflib
import json
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import Any, TypeAlias, TypeVar

import attrs
from zendesk_events_api.models import TrackResult as TrackAnswer

from . import errors
from ._base_client import AsyncCore, Stopped, SyncCore
from ._constants import (
    ASYNC_MAX_WORKERS,
    IDENTIFIER_TYPE_LIMIT,
    MAX_IDENTIFIERS,
    NAME_LIMIT,
    RESERVED_SOURCE,
)
from ._event import described
from ._failures import Received
from ._identifier import Identifier
from ._query import check_profile_id, check_user_id, shorten
from ._routes import Request, build_track
from .errors import BadResponseError

T = TypeVar("T")


#: The keys a track record may have besides ``event``.
TARGET_KEYS = ("profile", "profile_id", "user_id")
#: The keys Zendesk defines in what a track request sends: ``EventInput``, ``ProfileInput``
#: and ``IdentifierInput`` of openapi/events.yaml (tests/contract/test_spec.py holds them
#: equal). Zendesk ignores any other key: ``propertys`` would store an event without its
#: properties, ``createdAt`` one dated when it arrived; so another key is refused.
EVENT_KEYS = ("source", "type", "description", "created_at", "properties")
PROFILE_KEYS = ("source", "type", "name", "identifiers", "attributes")
IDENTIFIER_KEYS = ("type", "value")
#: Keys of what Zendesk answers that it sets itself: an event or profile read back (``zdevents
#: events``, ``zdevents profile``) and tracked again has them, and each is refused, all at once,
#: so that one attempt says every key to remove. A profile's ``created_at`` is one of them.
_SET_BY_ZENDESK = ("id", "received_at", "created_at", "updated_at")
#: Where a profile's ``user_id`` goes instead.
_USER_ID_BESIDE = "give it beside the profile (track(..., user_id=) or the record's user_id)"

# RFC 3339 date-time, with a fraction of any length and a mandatory offset; the values
# themselves are checked by datetime below.
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})"
)


@attrs.frozen
class TrackResult:
    """Zendesk's answer to a tracked event (``202 Accepted``).

    Attributes:
        profile_id: the profile the event was stored on (found or created).
        user_id: the Zendesk user that profile belongs to (a string, as Zendesk sends
            ids), or ``None`` when the answer has none.
        status: ``"received"``.
    """

    profile_id: str
    user_id: str | None
    status: str


#: What :func:`track_many` yields for one record.
Outcome: TypeAlias = TrackResult | Exception


# --------------------------------------------------------------------------- validation


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{where} must be a mapping, not {type(value).__name__}")
    return value


def _closest(key: str, known: tuple[str, ...]) -> str | None:
    """The known key ``key`` most likely meant: the same in snake case (``createdAt``,
    ``Created-At``), else the nearest spelling (``propertys``), if any is near."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower().replace("-", "_").strip()
    if snake in known:
        return snake
    close = difflib.get_close_matches(snake, known, n=1, cutoff=0.6)
    return close[0] if close else None


def _only_known_keys(fields: Mapping[Any, Any], where: str, known: tuple[str, ...]) -> None:
    _no_key_zendesk_sets(fields, where, known)
    for key in fields:
        if key in known:
            continue
        shown = shorten(key, 60)
        hint = _closest(key, known) if isinstance(key, str) else None
        meant = f" (did you mean {hint!r}?)" if hint else ""
        raise ValueError(
            f"{where} has the key {shown}, which Zendesk does not define{meant}; "
            f"{where} takes {', '.join(known)}"
        )


def _no_key_zendesk_sets(fields: Mapping[Any, Any], where: str, known: tuple[str, ...]) -> None:
    """Refuse, in one message, every key of ``fields`` that Zendesk sets itself (and a
    profile's ``user_id``, which goes beside it)."""
    if where not in ("event", "profile"):
        return  # an identifier has no key Zendesk sets
    own = [key for key in fields if key in _SET_BY_ZENDESK and key not in known]
    user_id = where == "profile" and "user_id" in fields
    if not own and not user_id:
        return
    if not own:
        raise ValueError(
            f"{where} has the key 'user_id', which it cannot be sent with: {_USER_ID_BESIDE}"
        )
    keys = ", ".join(repr(key) for key in own)
    them = "them" if len(own) > 1 else "it"
    message = (
        f"{where} has the key{'s' if len(own) > 1 else ''} {keys}, which Zendesk sets itself: "
        f"remove {them} (a tracked {where} gets its own)"
    )
    raise ValueError(message + (f"; and 'user_id': {_USER_ID_BESIDE}" if user_id else ""))


def _name(container: Mapping[str, Any], key: str, where: str, limit: int) -> str:
    value = container.get(key)
    field = f"{where}.{key}"
    if value is None:
        raise ValueError(f"{field} is required")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} must be a non-empty string, not {value!r:.60}")
    if len(value) > limit:
        raise ValueError(f"{field} is {len(value)} characters long; at most {limit} are allowed")
    return value


def _selector_part(container: Mapping[str, Any], key: str, where: str, limit: int) -> str:
    # Identifier queries split on ':', so a profile named with one could never be read back.
    value = _name(container, key, where, limit)
    if ":" in value:
        raise ValueError(f"{where}.{key} must not contain ':' (got {value!r:.60})")
    return value


def _optional_text(container: Mapping[str, Any], key: str, where: str) -> None:
    value = container.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}.{key} must be a string, not {type(value).__name__}")


def _created_at(value: object) -> str:
    """``created_at`` as sent: an aware ``datetime`` in RFC 3339 with every microsecond,
    or RFC 3339 text exactly as given (it may hold nanoseconds)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                "event.created_at is a naive datetime; give it a timezone "
                "(e.g. datetime(..., tzinfo=timezone.utc))"
            )
        try:
            moment = value.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise ValueError(f"event.created_at={value!r} is out of range in UTC") from None
        # Every microsecond, in UTC with Z: the form Zendesk's own examples use.
        return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    if isinstance(value, str):
        match = _RFC3339.fullmatch(value)
        if match is not None:
            year, month, day, hour, minute, second = map(int, match.groups()[:6])
            try:
                dt.datetime(year, month, day, hour, minute, second)
                offset = match[8]
                if offset not in "Zz" and (int(offset[1:3]) > 23 or int(offset[4:]) > 59):
                    raise ValueError(offset)
            except ValueError:
                pass
            else:
                return value
        raise ValueError(
            f"event.created_at={value!r:.60} is not an RFC 3339 date-time with an offset "
            "(e.g. 2020-01-31T00:44:07.000Z)"
        )
    raise ValueError(
        f"event.created_at must be an aware datetime or RFC 3339 text, not {type(value).__name__}"
    )


def check_event(event: object) -> dict[str, Any]:
    """The event as it is sent; raises ``ValueError`` naming the field that is wrong."""
    fields = dict(_mapping(event, "event"))
    _only_known_keys(fields, "event", EVENT_KEYS)
    if _name(fields, "source", "event", NAME_LIMIT) == RESERVED_SOURCE:
        raise ValueError(f"event.source {RESERVED_SOURCE!r} is reserved for Zendesk's own events")
    _name(fields, "type", "event", NAME_LIMIT)
    _optional_text(fields, "description", "event")
    if fields.get("created_at") is not None:
        fields["created_at"] = _created_at(fields["created_at"])
    if "properties" not in fields:
        # Zendesk's reference marks properties mandatory; an empty object costs nothing.
        fields["properties"] = {}
    elif not isinstance(fields["properties"], Mapping):
        found = type(fields["properties"]).__name__
        raise ValueError(f"event.properties must be an object (a mapping), not {found}")
    return fields


def check_identifiers(
    identifiers: object, source: str, profile_type: str, *, required: bool
) -> list[dict[str, Any]]:
    """A profile's ``identifiers`` as they are sent (``required``: at least one); raises
    ``ValueError`` naming the entry that is wrong. ``source`` and ``profile_type`` are the
    profile's: each identifier must make an identifier query that can be sent."""
    if identifiers is None or (isinstance(identifiers, list | tuple) and not identifiers):
        if not required and identifiers is not None:
            return []
        raise ValueError("profile.identifiers is required: a list of {'type', 'value'}")
    if not isinstance(identifiers, list | tuple):
        raise ValueError(
            f"profile.identifiers must be a list of {{'type', 'value'}}, "
            f"not {type(identifiers).__name__}"
        )
    if len(identifiers) > MAX_IDENTIFIERS:
        raise ValueError(
            f"profile.identifiers has {len(identifiers)} entries; "
            f"a profile has at most {MAX_IDENTIFIERS}"
        )
    for index, item in enumerate(identifiers):
        where = f"profile.identifiers[{index}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{where} must be a mapping with 'type' and 'value'")
        _only_known_keys(item, where, IDENTIFIER_KEYS)
        _selector_part(item, "type", where, IDENTIFIER_TYPE_LIMIT)
        value = item.get("value")
        if value is None:
            raise ValueError(f"{where}.value is required")
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            raise ValueError(f"{where}.value must be a non-empty string or an integer")
        # The profile must be found again by the identifier query of each of its
        # identifiers: the same rules as events() and profile() (no surrounding whitespace
        # or control characters, text that can be sent).
        try:
            Identifier(source, profile_type, item["type"], str(value))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    return [dict(item) for item in identifiers]


def check_profile(profile: object) -> dict[str, Any]:
    """The profile as it is sent; raises ``ValueError`` naming the field that is wrong."""
    fields = dict(_mapping(profile, "profile"))
    _only_known_keys(fields, "profile", PROFILE_KEYS)
    source = _selector_part(fields, "source", "profile", NAME_LIMIT)
    if source == RESERVED_SOURCE:
        raise ValueError(
            f"profile.source {RESERVED_SOURCE!r} is reserved for Zendesk's own profiles"
        )
    profile_type = _selector_part(fields, "type", "profile", NAME_LIMIT)
    fields["identifiers"] = check_identifiers(
        fields.get("identifiers"), source, profile_type, required=True
    )
    _optional_text(fields, "name", "profile")
    attributes = fields.get("attributes")
    if attributes is not None and not isinstance(attributes, Mapping):
        raise ValueError(
            f"profile.attributes must be an object (a mapping), not {type(attributes).__name__}"
        )
    return fields


def track_request(
    event: object,
    *,
    profile: object = None,
    profile_id: object = None,
    user_id: object = None,
) -> Request:
    """Validate a track call's arguments and build its request; nothing is sent.

    Exactly one target: ``profile`` alone, ``profile_id`` alone, or ``user_id`` with
    ``profile``. Raises ``ValueError`` (or ``TypeError``) naming what is wrong.
    """
    if profile_id is not None and (profile is not None or user_id is not None):
        raise ValueError("profile_id takes no profile or user_id: give exactly one target")
    if profile_id is None and profile is None:
        if user_id is not None:
            raise ValueError("user_id needs profile too (the profile of that user to track on)")
        raise ValueError("give a target: profile, profile_id, or user_id with profile")
    fields = check_event(event)
    if profile_id is not None:
        request = build_track(fields, profile_id=check_profile_id(profile_id))
    else:
        uid = None if user_id is None else check_user_id(user_id)
        request = build_track(fields, profile=check_profile(profile), user_id=uid)
    encodable(request["json"], "the event or profile")
    return request


def encodable(body: object, what: str) -> None:
    """Raise ``ValueError`` if ``body`` cannot be sent as JSON; ``what`` names it."""
    try:
        # Encoded as httpx encodes a body: it would send NaN or a set as text no JSON
        # reader takes, or fail mid-request on text that is not Unicode.
        json.dumps(body, allow_nan=False, ensure_ascii=False).encode()
    except UnicodeEncodeError as exc:
        # Never the character itself: a lone surrogate cannot be printed either.
        found = ascii(exc.object[exc.start : exc.end])
        raise ValueError(
            f"{what} holds text that is not Unicode: a lone surrogate ({found}), "
            "which cannot be sent"
        ) from None
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} cannot be sent as JSON: {exc}") from None


def record_arguments(record: object) -> dict[str, Any]:
    """The keyword arguments of ``track()`` in a track record: ``{"event": {...}}`` plus its
    target (``profile``; ``profile_id``; or ``user_id`` with ``profile``), as the sandbox's
    seed files hold them. Another key is a ``ValueError`` naming it."""
    fields = _mapping(record, "a track record")
    unknown = [str(key) for key in fields if key != "event" and key not in TARGET_KEYS]
    if unknown:
        raise ValueError(
            f"unknown key {shorten(unknown[0], 60)} in the record; it takes event plus profile, "
            "profile_id, or user_id with profile"
        )
    if "event" not in fields:
        raise ValueError("the record has no 'event'")
    return dict(fields)


def validate_record(record: Mapping[str, Any]) -> None:
    """Check a track record as :meth:`Client.track_many` would, without sending anything.

    Raises ``ValueError`` (or ``TypeError``) naming what is wrong: an unknown key, a missing
    ``event``, a target other than ``profile``, ``profile_id`` or ``user_id`` with
    ``profile``, or a field that breaks one of Zendesk's rules (see :meth:`Client.track`).

    >>> validate_record({"event": {"source": "shop"}, "profile_id": "01E1"})
    Traceback (most recent call last):
    ValueError: event.type is required
    """
    track_request(**record_arguments(record))


def decode_result(response: Received) -> TrackResult:
    """The :class:`TrackResult` of a 2xx answer to a track request."""
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        # As for a page: a body that is not JSON may be whole next time.
        raise BadResponseError(
            f"the {response.status_code} answer to a track request is not JSON "
            f"({len(response.content)} bytes)",
            kind="undecodable",
        ) from None
    if not isinstance(body, dict):
        raise BadResponseError("the answer to a track request is not a JSON object")
    # The spec's TrackResult, read by its generated model. The spec requires all three
    # fields, but an answer without a user id or a status is taken (Zendesk's examples
    # differ), and one without a profile id gets the message below: each starts as null.
    # The model does not check types; the values are checked here.
    answer = TrackAnswer.from_dict({"profile_id": None, "status": None, "user_id": None} | body)

    def text(name: str, value: object, *, required: bool) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # ids are documented as strings; numbers are taken too
        if isinstance(value, str) and value:
            return value
        if value is None and not required:
            return None
        # Described, never quoted: a server may echo the request's credentials there.
        raise BadResponseError(
            f"the answer to a track request has no valid {name!r} (got {described(value)})"
        )

    return TrackResult(
        profile_id=text("profile_id", answer.profile_id, required=True),  # type: ignore[arg-type]
        user_id=text("user_id", answer.user_id, required=False),
        status=text("status", answer.status, required=False) or "received",
    )


# --------------------------------------------------------------------------- sending


def track(
    core: SyncCore,
    event: object,
    *,
    profile: object = None,
    profile_id: object = None,
    user_id: object = None,
    sleep: Callable[[float], None] | None = None,
) -> TrackResult:
    """``Client.track``: validate, build, send with the write rule, decode; ``sleep``
    replaces the client's waits (``track_many`` ends them when it stops)."""
    request = track_request(event, profile=profile, profile_id=profile_id, user_id=user_id)
    return core.send(
        request["method"],
        request["url"],
        params=request["params"] or None,
        json=request["json"],
        decode=decode_result,
        sleep=sleep,
    )


async def async_track(
    core: AsyncCore,
    event: object,
    *,
    profile: object = None,
    profile_id: object = None,
    user_id: object = None,
    stop: asyncio.Event | None = None,
) -> TrackResult:
    """``AsyncClient.track``: the same as :func:`track`, awaited."""
    request = track_request(event, profile=profile, profile_id=profile_id, user_id=user_id)
    return await core.send(
        request["method"],
        request["url"],
        params=request["params"] or None,
        json=request["json"],
        decode=decode_result,
        stop=stop,
    )


def check_concurrency(concurrency: object) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency={concurrency!r} must be a positive integer")
    return concurrency


def _check_records(records: object) -> Iterable[object]:
    if isinstance(records, Mapping | str | bytes) or not isinstance(records, Iterable):
        raise TypeError(
            "records must be an iterable of track records ({'event': ..., 'profile': ...}), "
            f"not {type(records).__name__}"
        )
    return records


def _noted(exc: Exception, index: int) -> Exception:
    exc.add_note(f"track record {index}")
    return exc


def track_many(
    core: SyncCore, records: Iterable[Mapping[str, Any]], concurrency: int
) -> Iterator[Outcome]:
    """Threads: at most ``concurrency`` records in flight, outcomes yielded in input order.

    A record is taken from ``records`` only when a worker is free to send it, and only
    while the caller asks for an outcome (at most ``2 * concurrency`` ahead of the one
    yielded), so a lazy iterable of any length is sent in bounded memory and a caller that
    stops asking (even without closing) starts nothing more. Closing returns once those in
    flight have ended (within the client's timeout; their waits end at once).
    """
    concurrency = check_concurrency(concurrency)
    todo = iter(_check_records(records))
    return _track_threads(core, todo, concurrency)


def _track_threads(core: SyncCore, todo: Iterator[object], concurrency: int) -> Iterator[Outcome]:
    # A closed client raises here, at the first outcome asked for: not once per record read.
    core.check_open(core.name)
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        if stop.wait(seconds):
            raise Stopped

    def one(record: object) -> TrackResult:
        return track(core, **record_arguments(record), sleep=sleep)

    pool = concurrent.futures.ThreadPoolExecutor(concurrency, thread_name_prefix="zdevents-track")
    # In input order, started or done; never one waiting for a worker.
    window: collections.deque[concurrent.futures.Future[TrackResult]] = collections.deque()
    index = 0
    more = True
    delivering = False
    pulled: object = _END
    future: concurrent.futures.Future[TrackResult] | None = None
    try:
        while True:
            running = [f for f in window if not f.done()]
            # Records start only here, while the caller asks for an outcome, and only as many
            # as there are free workers: once it stops asking (a break, with the generator
            # still referenced), no record starts that had not started already.
            while more and len(running) < concurrency and len(window) < 2 * concurrency:
                # `pulled` and `future` say, if an interruption lands here, whether the record
                # taken was submitted (see below).
                future = None
                pulled = next(todo, _END)
                if pulled is _END:
                    more = False
                    break
                future = pool.submit(one, pulled)
                window.append(future)
                pulled = _END
                running.append(future)
            if not window:
                return
            head = window[0]
            if not head.done():
                concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
                continue
            # The head leaves the window only once it is delivered, so that an interruption
            # while its outcome is made still drains it (below), and one thrown in at the
            # yield does not deliver it twice.
            outcome = _outcome(head, index)
            delivering = True
            yield outcome
            delivering = False
            window.popleft()
            index += 1
    except GeneratorExit:
        raise
    except BaseException as interrupt:
        stop.set()
        loose = pulled is not _END and future is None  # taken, never submitted
        if pulled is not _END and future is not None and (not window or window[-1] is not future):
            window.append(future)  # submitted, not in the window yet
        if delivering:
            window.popleft()
            index += 1
        # Interrupted while waiting for an outcome (Ctrl-C, a signal raised as an exception)
        # or by an exception thrown in where one was yielded: nothing more starts, the
        # requests on the wire end (their waits at once), and every record started still
        # gets its outcome - "not sent" for one stopped while it waited - before the
        # interruption goes on. The caller can tell what was sent from what was not.
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        while window:
            yield _outcome(window.popleft(), index)
            index += 1
        if loose:
            yield _noted(errors.APIConnectionError(NOT_SENT, sent=False), index)
        raise interrupt from None
    finally:
        # Stopped early: waits end at once, and this returns once the requests on the wire
        # have ended (within the client's timeout), so that nothing is sent after the caller
        # moved on.
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)


#: The end of the records (``next(todo, _END)``).
_END = object()


#: The outcome of a record stopped before it was sent: while it waited for the rate limit,
#: or before it was sent again after a failure that shows it was not received (a 429, a
#: refused connection; with ``retry_writes=True`` an earlier attempt may have been stored).
NOT_SENT = "not sent: track_many was stopped while this record waited to be sent"


def _outcome(future: concurrent.futures.Future[TrackResult], index: int) -> Outcome:
    try:
        return future.result()
    except (Stopped, concurrent.futures.CancelledError):
        # Only once the iteration was interrupted: stop is set for nothing else while an
        # outcome is still awaited.
        return _noted(errors.APIConnectionError(NOT_SENT, sent=False), index)
    except Exception as exc:
        return _noted(exc, index)


def async_track_many(
    core: AsyncCore, records: Iterable[Mapping[str, Any]], concurrency: int
) -> AsyncIterator[Outcome]:
    """asyncio: at most ``concurrency`` records in flight (and at most
    ``ASYNC_MAX_WORKERS``, as for an async export: httpcore's async pool slows down past
    that many connections), outcomes in input order, read ahead and stopped early as
    :func:`track_many` is."""
    concurrency = min(check_concurrency(concurrency), ASYNC_MAX_WORKERS)
    todo = iter(_check_records(records))
    return _track_tasks(core, todo, concurrency)


async def _track_tasks(
    core: AsyncCore, todo: Iterator[object], concurrency: int
) -> AsyncIterator[Outcome]:
    core.check_open(core.name)  # as for threads: raised once, before any record is read
    # As the threads' sleep: once the run is stopped, a wait ends at once (Stopped) and the
    # record it held back is not sent.
    stop = asyncio.Event()

    async def one(record: object) -> TrackResult:
        return await async_track(core, **record_arguments(record), stop=stop)

    window: collections.deque[asyncio.Task[TrackResult]] = collections.deque()
    index = 0
    more = True
    try:
        while True:
            running = [task for task in window if not task.done()]
            started = False
            # As for threads: records start only while the caller asks for an outcome.
            while more and len(running) < concurrency and len(window) < 2 * concurrency:
                record = next(todo, _END)
                if record is _END:
                    more = False
                    break
                task = asyncio.ensure_future(one(record))
                window.append(task)
                running.append(task)
                started = True
            if started:
                # Let the new tasks begin now, not in whatever the caller awaits next.
                await asyncio.sleep(0)
            if not window:
                return
            head = window[0]
            if not head.done():
                await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                continue
            # Delivered once it leaves the window: an interruption thrown in at the yield
            # does not deliver it twice.
            window.popleft()
            index += 1
            yield _task_outcome(head, index - 1)
    except GeneratorExit:
        raise
    except BaseException as interrupt:
        # Interrupted (a cancellation, Ctrl-C, an exception thrown in at a yield): as with
        # threads, nothing more starts, the requests on the wire end (their waits at once),
        # and every record started gets its outcome - "not sent" for one stopped while it
        # waited - before the interruption goes on.
        stop.set()
        if window:
            await asyncio.wait(window)
        while window:
            yield _task_outcome(window.popleft(), index)
            index += 1
        raise interrupt from None
    finally:
        stop.set()
        for task in window:
            task.cancel()
        await asyncio.gather(*window, return_exceptions=True)


def _task_outcome(task: asyncio.Task[TrackResult], index: int) -> Outcome:
    try:
        return task.result()
    except (Stopped, asyncio.CancelledError):
        return _noted(errors.APIConnectionError(NOT_SENT, sent=False), index)
    except Exception as exc:
        return _noted(exc, index)


# --------------------------------------------------------------------------- the resources


class Track:
    """The track routes of a :class:`~zdevents.Client`, holding its core."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def send(
        self, event: object, *, profile: object, profile_id: object, user_id: object
    ) -> TrackResult:
        return track(self._core, event, profile=profile, profile_id=profile_id, user_id=user_id)

    def many(self, records: Iterable[Mapping[str, Any]], concurrency: int) -> Iterator[Outcome]:
        return track_many(self._core, records, concurrency)


class AsyncTrack:
    """The track routes of an :class:`~zdevents.AsyncClient`, holding its core."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    async def send(
        self, event: object, *, profile: object, profile_id: object, user_id: object
    ) -> TrackResult:
        return await async_track(
            self._core, event, profile=profile, profile_id=profile_id, user_id=user_id
        )

    def many(
        self, records: Iterable[Mapping[str, Any]], concurrency: int
    ) -> AsyncIterator[Outcome]:
        return async_track_many(self._core, records, concurrency)
