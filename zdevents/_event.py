"""The Event read from Zendesk: the JSON object as received, with typed accessors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zendesk_events_api.models.event import Event as _GeneratedEvent
from zendesk_events_api.types import Unset

from ._time import parse_timestamp
from .errors import BadResponseError

__all__ = ["Event"]


class Event:
    """One event on a profile.

    ``id``, ``source``, ``type``, ``description``, ``created_at``, ``received_at`` (aware UTC
    datetimes, truncated to microseconds) and ``properties`` (a dict) are read from the JSON
    object on first use, through the generated model; nothing is parsed for fields that are
    never read. Fields Zendesk left out are ``None`` (``properties``: an empty dict).

    ``to_dict()`` gives back the object exactly as received: nanosecond timestamp text and
    unknown fields included.

    >>> e = Event({"type": "login", "created_at": "2020-06-10T01:24:58.143324138Z"})
    >>> e.created_at.isoformat()
    '2020-06-10T01:24:58.143324+00:00'
    >>> e.to_dict()["created_at"]
    '2020-06-10T01:24:58.143324138Z'
    """

    __slots__ = ("_model", "_raw")

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw
        self._model: _GeneratedEvent | None = None

    def _parsed(self) -> _GeneratedEvent:
        if self._model is None:
            try:
                self._model = _GeneratedEvent.from_dict(self._raw)
            except (TypeError, ValueError, AttributeError, KeyError) as exc:
                raise BadResponseError(
                    f"event {self._raw.get('id')!r} is malformed: {exc}"
                ) from None
        return self._model

    def _text(self, name: str, attribute: str | None = None) -> str | None:
        # The generated model renames fields that clash with Python names (type -> type_).
        value = getattr(self._parsed(), attribute or name)
        if isinstance(value, Unset) or value is None:
            return None
        if not isinstance(value, str):
            raise BadResponseError(f"event field {name!r} is not a string: {value!r}")
        return value

    def _time(self, name: str) -> dt.datetime | None:
        value = getattr(self._parsed(), name)
        if isinstance(value, Unset):
            return None
        try:
            return parse_timestamp(value.isoformat())
        except (OverflowError, ValueError):
            # e.g. 9999-12-31T23:59:59-23:59, which is past datetime's range in UTC.
            raise BadResponseError(f"event field {name!r} is out of range: {value!r}") from None

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
        return self._text("type", "type_")

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
        """The event's free-form JSON properties."""
        value = self._parsed().properties
        return {} if isinstance(value, Unset) else value.additional_properties

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
