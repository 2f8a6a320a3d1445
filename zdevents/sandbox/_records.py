"""Validation of track-event records (the body of Zendesk's POST .../events).

A record is ``{"profile": {...}, "event": {...}, "user_id"?: ...}``. Validation happens before
anything is stored so that a bad seed line is reported without touching the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zdevents import Identifier

from ._ids import new_ulid
from ._times import format_ns, now_ns, parse_datetime_ns

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "EventRecord",
    "RecordError",
    "normalize_identifier_value",
    "parse_record",
    "parse_user_id",
]

# SQLite integers are signed 64-bit, and so are Zendesk's user ids: the one definition of
# the bounds for the sandbox. Nanoseconds since the epoch in that range cover 1677..2262.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class RecordError(ValueError):
    """A track-event record that the sandbox cannot store.

    ``index`` is the record's position in the batch it came in, when known.
    """

    def __init__(self, message: str, *, index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A validated record, ready for the store."""

    profile_source: str
    profile_type: str
    profile_id: str | None
    identifiers: tuple[tuple[str, str], ...]
    user_id: int | None
    event_id: str
    event_source: str
    event_type: str
    created_ns: int
    event_json: str
    # The event fields the sandbox filled in (id, created_at, received_at) because the record
    # left them out: they differ between loads of the same record.
    filled: frozenset[str] = frozenset()


def normalize_identifier_value(identifier_type: str, value: str) -> str:
    """The stored form of an identifier value (emails compare case-insensitively)."""
    return Identifier.normalize_value(identifier_type, value)


def _name(container: Mapping[str, Any], key: str, where: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value:
        raise RecordError(f"{where}.{key} must be a non-empty string")
    return value


def _selector_part(container: Mapping[str, Any], key: str, where: str) -> str:
    # Identifier queries split on ':', so a ':' here would make the profile unreachable.
    value = _name(container, key, where)
    if ":" in value:
        raise RecordError(f"{where}.{key} may not contain ':'")
    return value


def parse_user_id(value: object) -> int:
    """A positive integer user id from an int or a string of digits."""
    if isinstance(value, bool):
        raise RecordError("user_id must be a positive integer")
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= INT64_MAX:
        raise RecordError("user_id must be a positive integer")
    return value


def _identifiers(profile: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    raw = profile.get("identifiers")
    if not isinstance(raw, list) or not raw:
        raise RecordError("profile.identifiers must be a non-empty array of {type, value}")
    result: list[tuple[str, str]] = []
    for index, item in enumerate(raw):
        where = f"profile.identifiers[{index}]"
        if not isinstance(item, Mapping):
            raise RecordError(f"{where} must be an object")
        id_type = _selector_part(item, "type", where)
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise RecordError(f"{where}.value must be a string or a number")
        text = str(value)
        if not text:
            raise RecordError(f"{where}.value must not be empty")
        pair = (id_type, normalize_identifier_value(id_type, text))
        if pair not in result:
            result.append(pair)
    return tuple(result)


def parse_record(record: object, *, received_ns: int | None = None) -> EventRecord:
    """Validate ``record`` and fill in what Zendesk would (event id, received_at, created_at).

    The event's own fields, including unknown ones and every timestamp digit, are kept
    verbatim in ``event_json``.
    """
    if not isinstance(record, Mapping):
        raise RecordError("a record must be a JSON object with 'profile' and 'event'")
    profile = record.get("profile")
    if not isinstance(profile, Mapping):
        raise RecordError("profile must be an object")
    event = record.get("event")
    if not isinstance(event, Mapping):
        raise RecordError("event must be an object")

    profile_id = profile.get("id")
    if profile_id is not None and (not isinstance(profile_id, str) or not profile_id):
        raise RecordError("profile.id must be a non-empty string")
    raw_user = record.get("user_id", profile.get("user_id"))
    user_id = None if raw_user is None else parse_user_id(raw_user)

    event_source = _name(event, "source", "event")
    event_type = _name(event, "type", "event")
    if "properties" in event and not isinstance(event["properties"], Mapping):
        raise RecordError("event.properties must be an object")
    description = event.get("description")
    if description is not None and not isinstance(description, str):
        raise RecordError("event.description must be a string or null")
    event_id = event.get("id")
    if event_id is not None and (not isinstance(event_id, str) or not event_id):
        raise RecordError("event.id must be a non-empty string")

    now = now_ns() if received_ns is None else received_ns
    filled: dict[str, Any] = {}
    if event_id is None:
        event_id = new_ulid(ms=now // 1_000_000)
        filled["id"] = event_id
    filled.update(event)
    created_at = event.get("created_at")
    if created_at is None:
        filled["created_at"] = format_ns(now)
        created_ns = now
    else:
        parsed = parse_datetime_ns(created_at) if isinstance(created_at, str) else None
        if parsed is None:
            raise RecordError("event.created_at must be an RFC 3339 date-time")
        if not INT64_MIN <= parsed <= INT64_MAX:
            raise RecordError("event.created_at must be between 1677 and 2262")
        created_ns = parsed
    if "received_at" not in event:
        filled["received_at"] = format_ns(now)

    try:
        event_json = json.dumps(filled, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        event_json.encode()
    except ValueError as exc:  # NaN, or a lone surrogate that UTF-8 cannot carry
        raise RecordError(f"event cannot be stored as JSON: {exc}") from None
    return EventRecord(
        profile_source=_selector_part(profile, "source", "profile"),
        profile_type=_selector_part(profile, "type", "profile"),
        profile_id=profile_id,
        identifiers=_identifiers(profile),
        user_id=user_id,
        event_id=event_id,
        event_source=event_source,
        event_type=event_type,
        created_ns=created_ns,
        event_json=event_json,
        filled=frozenset(key for key in filled if key not in event),
    )
