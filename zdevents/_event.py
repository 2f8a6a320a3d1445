"""The Event read from Zendesk: the JSON object as received, with typed accessors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zendesk_events_api.models.event import Event as _GeneratedEvent

from .errors import BadResponseError

__all__ = ["Event"]


class Event:
    """One event on a profile.

    ``id``, ``source``, ``type``, ``description`` (text as received), ``created_at``,
    ``received_at`` (aware UTC datetimes, truncated to microseconds) and ``properties`` (a
    dict) are decoded one field at a time, when read: a timestamp is parsed only if it is
    read, and a malformed field raises ``BadResponseError`` only when that field is read.
    Timestamps are parsed by the generated model. Fields Zendesk left out, or sent as
    ``null``, are ``None`` (``properties``: an empty dict).

    ``to_dict()`` gives back the object exactly as received: nanosecond timestamp text and
    unknown fields included.

    >>> e = Event({"type": "login", "created_at": "2020-06-10T01:24:58.143324138Z"})
    >>> e.created_at.isoformat()
    '2020-06-10T01:24:58.143324+00:00'
    >>> e.to_dict()["created_at"]
    '2020-06-10T01:24:58.143324138Z'
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw

    def _text(self, name: str) -> str | None:
        value = self._raw.get(name)
        if value is None or isinstance(value, str):
            return value
        raise BadResponseError(f"event field {name!r} is not a string: {value!r:.100}")

    def _time(self, name: str) -> dt.datetime | None:
        value = self._raw.get(name)
        if value is None:
            return None
        try:
            # The generated model given just this field: only this timestamp is parsed.
            moment = getattr(_GeneratedEvent.from_dict({name: value}), name)
            if moment.tzinfo is None:  # Zendesk sends UTC; an offset-less time is taken as such
                return moment.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
            return moment.astimezone(dt.UTC)  # type: ignore[no-any-return]
        except (TypeError, ValueError, AttributeError, OverflowError):
            # OverflowError: e.g. 9999-12-31T23:59:59-23:59 is past datetime's range in UTC.
            raise BadResponseError(
                f"event field {name!r} is not an RFC 3339 timestamp: {value!r:.100}"
            ) from None

    @property
    def id(self) -> str | None:
        """The event's id (a ULID), or ``None`` when Zendesk left it out."""
        return self._text("id")

    @property
    def source(self) -> str | None:
        """The application that sent the event, e.g. ``"coolbike"`` or ``"zendesk"``."""
        return self._text("source")

    @property
    def type(self) -> str | None:
        """The event's name, e.g. ``"bike_rental_booked"``."""
        return self._text("type")

    @property
    def description(self) -> str | None:
        """Human-readable text (Zendesk-generated events send ``""``)."""
        return self._text("description")

    @property
    def created_at(self) -> dt.datetime | None:
        """When the event happened, as an aware UTC datetime (microsecond precision)."""
        return self._time("created_at")

    @property
    def received_at(self) -> dt.datetime | None:
        """When Zendesk received the event, as an aware UTC datetime."""
        return self._time("received_at")

    @property
    def properties(self) -> dict[str, Any]:
        """The event's free-form JSON properties (the dict inside :meth:`to_dict`)."""
        value = self._raw.get("properties")
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise BadResponseError(f"event field 'properties' is not an object: {value!r:.100}")
        return value

    def to_dict(self) -> dict[str, Any]:
        """The JSON object exactly as received (the same dict; copy it before changing it)."""
        return self._raw

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Event) and other._raw == self._raw

    __hash__ = None  # type: ignore[assignment]  # mutable dict inside

    def __repr__(self) -> str:
        raw = self._raw
        return (
            f"Event(id={raw.get('id')!r}, source={raw.get('source')!r}, "
            f"type={raw.get('type')!r}, created_at={raw.get('created_at')!r})"
        )
