"""The Event read from Zendesk: the JSON text exactly as received, with typed accessors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

import msgspec

from ._jsontext import NotFiniteError, compact_bytes, member_spans, strict_decoder
from ._time import parse_timestamp
from .errors import BadResponseError

T = TypeVar("T")
_MISSING: Any = msgspec.UNSET
_UTC = dt.UTC
_fromisoformat = dt.datetime.fromisoformat


class _Head(msgspec.Struct):
    """The fields an Event reads, decoded in one pass over its text; the rest is skipped.

    ``properties`` stays text (its exact span), so that it can be written as received.
    """

    id: Any = _MISSING
    source: Any = _MISSING
    type: Any = _MISSING
    description: Any = _MISSING
    created_at: Any = _MISSING
    received_at: Any = _MISSING
    properties: msgspec.Raw = msgspec.Raw(b"")  # empty: absent


_HEAD = msgspec.json.Decoder(_Head)


def described(value: object) -> str:
    """What a value read from a response is, without its text.

    Messages and reprs describe server values rather than quote them: a server may echo
    the request (a credential, a person's email or name) in any field, and an event or a
    profile, which outlive the client, hold no scrubber to take it out again.
    """
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"{len(value)} bytes"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return f"an object of {len(value)} members"
    return f"a {type(value).__name__}"


class Scrubber(Protocol):
    """What the reprs use of a client's secret (``_config.Secret``)."""

    def scrub_text(self, text: str) -> str: ...


def with_scrubber(items: list[T], secret: Scrubber | None) -> list[T]:
    """``items`` (events or profiles a client read), each given the client's scrubber for
    its repr."""
    if secret is not None:
        for item in items:
            item._secret = secret  # type: ignore[attr-defined]
    return items


class _ReprAsScrubbed:
    """What stands in for the scrubber of the client that read an item once the item is
    pickled or copied (a credential cannot be): the item's repr as that scrubber made it.
    Without it an unpickled or copied event would show an echoed credential in its id,
    source or type."""

    __slots__ = ("_shown",)

    def __init__(self, shown: str) -> None:
        self._shown = shown

    def scrub_text(self, text: str) -> str:
        return self._shown  # only ever asked for the repr of the item it came with

    def __reduce__(self) -> tuple[Any, ...]:
        return (_ReprAsScrubbed, (self._shown,))


def restore(cls: type[T], raw: bytes, shown: str | None) -> T:
    """An item unpickled (or copied): its text, and its repr as the reading client made it."""
    item = cls(raw)  # type: ignore[call-arg]
    if shown is not None:
        item._secret = _ReprAsScrubbed(shown)  # type: ignore[attr-defined]
    return item


def reduced(item: object, raw: bytes) -> tuple[Any, ...]:
    """``__reduce__`` of an event or a profile: the text, and, if a client read it, its repr
    as that client's scrubber made it - never the scrubber (a Secret cannot be pickled)."""
    secret = getattr(item, "_secret", None)
    return (restore, (type(item), raw, None if secret is None else repr(item)))


def scrubbed_repr(text: str, item: object) -> str:
    """A repr made safe with the scrubber of the client that read ``item``, if any."""
    secret: Scrubber | None = getattr(item, "_secret", None)
    return text if secret is None else secret.scrub_text(text)


def shown_value(value: object, *, timestamp: bool = False) -> str:
    """A field in a repr: a string (an id, a source, a type; a ``timestamp`` only when it
    is one) as it is, anything else only :func:`described` (a list or an object there may
    hold a person's data, a text where a time should be may be an echo of the request)."""
    if isinstance(value, str):
        if not timestamp:
            return repr(value)
        try:
            parse_timestamp(value)
        except (ValueError, OverflowError):
            pass
        else:
            return repr(value)
    return f"<{described(value)}>"


_HEAD_FIELDS = ("id", "source", "type", "description", "created_at", "received_at")


class Event:
    """One event on a profile, holding its JSON text exactly as Zendesk sent it.

    Always present on read (Zendesk sends them; one that is missing or ``null`` raises
    :class:`~zdevents.errors.BadResponseError` when read): ``id``, ``source``, ``type``
    (``str``), ``created_at`` (an aware UTC ``datetime``). Optional (``None`` when left out
    or ``null``): ``description``, ``received_at``. ``properties`` is a dict (``{}`` when
    left out). A field of the wrong type raises ``BadResponseError`` when that field is
    read, not before.

    :attr:`raw` is the event's JSON text as ``bytes``, byte for byte as it stood in the
    response body (number spellings, escapes, key order, duplicate keys, spacing);
    :meth:`to_dict` is ``json.loads(event.raw)`` (a number too large for a float, such as
    ``1e400``, is kept in :attr:`raw` but raises ``BadResponseError`` here).
    :attr:`properties` and :meth:`to_dict` are decoded afresh from :attr:`raw` on every
    call: the caller owns what it gets and can change it without changing the event. An
    event is immutable, so it is hashable; equality and hash are those of :attr:`raw` (the
    same text, not merely equal JSON).

    ``Event(data)`` takes JSON text (``bytes``/``str``) or a mapping (encoded as compact
    JSON), for tests and for events built by hand.

    >>> e = Event(b'{"type": "login", "created_at": "2020-06-10T01:24:58.143324138Z"}')
    >>> e.created_at.isoformat()
    '2020-06-10T01:24:58.143324+00:00'
    >>> e.to_dict()["created_at"]
    '2020-06-10T01:24:58.143324138Z'
    """

    # _secret: the scrubber of the client that read the event (set by the page decoder,
    # unset for an event built by hand), so that its repr never shows an echoed credential.
    __slots__ = ("_head", "_raw", "_secret")

    def __init__(self, data: bytes | str | Mapping[str, Any]) -> None:
        if isinstance(data, bytes):
            self._raw = data
        elif isinstance(data, str):
            self._raw = data.encode()
        elif isinstance(data, Mapping):
            self._raw = compact_bytes(dict(data))
        else:
            raise TypeError(f"Event() takes JSON text or a mapping, not {type(data).__name__}")
        self._head: _Head | None = None

    @property
    def raw(self) -> bytes:
        """The event's JSON text, exactly as received."""
        return self._raw

    def _fields(self) -> _Head:
        head = self._head
        if head is None:
            try:
                head = _HEAD.decode(self._raw)
            except (msgspec.DecodeError, RecursionError):
                # msgspec refuses lone surrogate escapes ("\ud800"), which JSON allows.
                head = _head_slowly(self._raw)
            self._head = head
        return head

    def _text(self, name: str, *, required: bool) -> str | None:
        value = getattr(self._fields(), name)
        if isinstance(value, str):
            return value
        if value is _MISSING or value is None:
            if required:
                what = "has no" if value is _MISSING else "has a null"
                raise BadResponseError(f"the event {what} {name!r}, which Zendesk always sends")
            return None
        raise BadResponseError(f"event field {name!r} is not a string ({described(value)})")

    def _time(self, name: str, *, required: bool) -> dt.datetime | None:
        text = self._text(name, required=required)
        if text is None:
            return None
        try:
            return parse_timestamp(text)
        except (ValueError, OverflowError):
            pass  # raised below, without the parser's message (it quotes the text)
        # OverflowError: e.g. 9999-12-31T23:59:59-23:59 is past datetime's range in UTC.
        raise BadResponseError(
            f"event field {name!r} is not an RFC 3339 timestamp ({described(text)})"
        )

    @property
    def id(self) -> str:
        """The event's id (a ULID)."""
        return self._text("id", required=True)  # type: ignore[return-value]

    @property
    def source(self) -> str:
        """The application that sent the event, e.g. ``"coolbike"`` or ``"zendesk"``."""
        return self._text("source", required=True)  # type: ignore[return-value]

    @property
    def type(self) -> str:
        """The event's name, e.g. ``"bike_rental_booked"``."""
        return self._text("type", required=True)  # type: ignore[return-value]

    @property
    def created_at(self) -> dt.datetime:
        """When the event happened, as an aware UTC datetime (microsecond precision)."""
        # Inlined for the common case (text ending in Z): this is read once per event in
        # most loops, and each call level costs as much as the parse itself.
        text = (self._head or self._fields()).created_at
        if text.__class__ is str:
            try:
                moment = _fromisoformat(text)
            except ValueError:
                pass
            else:
                if moment.tzinfo is _UTC:
                    return moment
        return self._time("created_at", required=True)  # type: ignore[return-value]

    @property
    def description(self) -> str | None:
        """Human-readable text (Zendesk-generated events send ``""``), or ``None``."""
        return self._text("description", required=False)

    @property
    def received_at(self) -> dt.datetime | None:
        """When Zendesk received the event, as an aware UTC datetime, or ``None``."""
        return self._time("received_at", required=False)

    @property
    def raw_properties(self) -> bytes | None:
        """The JSON text of ``properties`` exactly as received, or ``None`` when absent."""
        value = self._fields().properties
        return bytes(value) if len(value) else None

    @property
    def properties(self) -> dict[str, Any]:
        """The event's free-form JSON properties: a new dict on every read (``{}`` when
        absent or ``null``); changing it changes nothing in the event."""
        text = self.raw_properties
        value = None if text is None else _loads(text)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise BadResponseError(
                f"event field 'properties' is not an object ({described(value)})"
            )
        return value

    def to_dict(self) -> dict[str, Any]:
        """``json.loads(event.raw)``: a new dict on every call, nanosecond timestamp text
        and unknown fields included."""
        value = _loads(self._raw)
        if not isinstance(value, dict):
            raise BadResponseError(f"the event is not a JSON object ({described(value)})")
        return value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Event):
            return NotImplemented
        return other._raw == self._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        try:
            head = self._fields()
        except BadResponseError:
            return f"Event(<undecodable, {len(self._raw)} bytes>)"
        shown = ", ".join(
            f"{name}={shown_value(getattr(head, name), timestamp=name == 'created_at')}"
            for name in ("id", "source", "type", "created_at")
            if getattr(head, name) is not _MISSING
        )
        return scrubbed_repr(f"Event({shown})", self)

    def __reduce__(self) -> tuple[Any, ...]:
        return reduced(self, self._raw)


def _loads(text: bytes) -> Any:
    try:
        return strict_decoder.decode(text.decode())
    except NotFiniteError as exc:
        problem = f"holds a number JSON cannot carry ({exc})"
    except (ValueError, RecursionError) as exc:
        problem = f"is not valid JSON ({exc})"
    # Raised outside the handler: the decoder's exception, which would be its context,
    # holds the whole text (JSONDecodeError.doc), and an event's text may echo a secret.
    raise BadResponseError(f"the event {problem}")


def _head_slowly(raw: bytes) -> _Head:
    """The fields by the standard library, for the JSON msgspec refuses."""
    problem: str | None = None
    try:
        text = raw.decode()
        spans = member_spans(text)
    except NotFiniteError as exc:
        problem = f"holds a number JSON cannot carry ({exc})"
    except (ValueError, RecursionError) as exc:
        problem = f"is not a valid JSON object ({exc})"
    if problem is not None:
        raise BadResponseError(f"the event {problem}")  # outside the handler, as in _loads
    values: dict[str, Any] = {}
    for name, start, end in spans:
        if name == "properties":
            values[name] = msgspec.Raw(text[start:end].encode())
        elif name in _HEAD_FIELDS:
            values[name] = json.loads(text[start:end])
    return _Head(**values)
