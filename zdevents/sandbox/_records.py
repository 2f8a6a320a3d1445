"""Validation of track-event bodies and records, the one path for HTTP writes, seeds and
``Sandbox.add_event``.

The body of Zendesk's ``POST .../events`` is ``{"profile": {...}, "event": {...}}`` (the
profile is left out when the path names a profile id). A *record* (a seed line, an argument
of ``add_event``, a line of ``zdevents track``) is the same body plus its target: the profile
alone, ``"profile_id"`` alone, or ``"user_id"`` with the profile. Records are trusted a little
more than HTTP bodies: they may give ``event.id``, ``event.received_at``, ``profile.id``,
``zendesk`` as a source (Zendesk's own events) and a user id not seen before (it is created).
Validation happens before anything is stored, so a bad record is reported without touching
the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zdevents import Identifier

from ._ids import new_ulid
from ._nanos import format_ns, now_ns, parse_datetime_ns

# SQLite integers are signed 64-bit, and so are Zendesk's user ids: the one definition of
# the bounds for the sandbox. Nanoseconds since the epoch in that range cover 1677..2262.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_INT64_DIGITS = len(str(INT64_MAX))
MIN_YEAR, MAX_YEAR = 1678, 2261  # event times: whole years within the int64 nanoseconds

# Zendesk's documented limits (custom data introduction: "hard limits").
NAME_LIMIT = 40  # characters of an event's or a profile's source and type
IDENTIFIER_TYPE_LIMIT = 60
MAX_IDENTIFIERS = 20  # per profile
RESERVED_SOURCE = "zendesk"  # no profile may be created, no event tracked with it
# The client's read-only event fields: the sandbox sets them on an HTTP write.
_READ_ONLY_EVENT_FIELDS = ("id", "received_at")


class RecordError(ValueError):
    """A track-event body or record that the sandbox cannot store.

    ``index`` is the record's position in the batch it came in, when known; ``code`` and
    ``status`` are what the HTTP route answers (400, or 404 for a profile or user that does
    not exist).
    """

    def __init__(
        self,
        message: str,
        *,
        index: int | None = None,
        code: str = "InvalidRequest",
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.index = index
        self.code = code
        self.status = status

    def at(self, index: int) -> RecordError:
        """The same error, naming the record's position in its batch."""
        return RecordError(self.message, index=index, code=self.code, status=self.status)


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    """The profile of a track body: how to find it (or what to create)."""

    source: str
    type: str
    identifiers: tuple[tuple[str, str], ...]
    name: str | None = None
    attributes: str | None = None  # JSON text of an object (hashable, unlike a dict)
    # Records only: a fixed profile id, and the legacy ``profile.user_id`` of old seeds.
    id: str | None = None
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A validated track: its target and its event, ready for the store.

    Exactly one target: ``profile`` (found or created by its identifiers), ``profile_id``
    (that profile must exist), or ``user_id`` with ``profile``.
    """

    profile: ProfileSpec | None
    profile_id: str | None
    user_id: int | None
    event_id: str
    event_source: str
    event_type: str
    created_ns: int
    received_ns: int
    event_json: str
    # The event fields the sandbox filled in (id, created_at, received_at) because the record
    # left them out: they differ between loads of the same record.
    filled: frozenset[str] = frozenset()


def load_json(text: str | bytes) -> object:
    """Decode JSON text; too deep or too long numbers are a ``RecordError``, not a crash."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc.msg}", code="InvalidJSON") from None
    except RecursionError:
        raise RecordError("invalid JSON: nested too deeply", code="InvalidJSON") from None
    except (ValueError, UnicodeDecodeError):
        # Python refuses integers of more than 4,300 digits, and text that is not UTF-8.
        message = "invalid JSON: a number has too many digits, or the text is not UTF-8"
        raise RecordError(message, code="InvalidJSON") from None


def parse_user_id(value: object) -> int:
    """A positive integer user id from an int or a string of digits."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        # Checked before int(): Python refuses to convert more than 4,300 digits.
        value = int(value) if len(value) <= _INT64_DIGITS else 0
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= INT64_MAX:
        raise RecordError("user_id must be a positive integer", code="InvalidUserId")
    return value


def _name(container: Mapping[str, Any], key: str, where: str, limit: int) -> str:
    value = container.get(key)
    if value is None:
        raise RecordError(f"{where}.{key} is required", code="MissingField")
    if not isinstance(value, str) or not value:
        raise RecordError(f"{where}.{key} must be a non-empty string", code="InvalidField")
    if len(value) > limit:
        code = f"Invalid{where.capitalize()}{key.capitalize()}Length"
        raise RecordError(f"{where}.{key} is longer than {limit} characters", code=code)
    return value


def _selector_part(container: Mapping[str, Any], key: str, where: str, limit: int) -> str:
    # Identifier queries split on ':', so a ':' here would make the profile unreachable.
    value = _name(container, key, where, limit)
    if ":" in value:
        raise RecordError(f"{where}.{key} may not contain ':'", code="InvalidField")
    return value


def _identifiers(profile: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    raw = profile.get("identifiers")
    if not isinstance(raw, list) or not raw:
        raise RecordError(
            "profile.identifiers must be a non-empty array of {type, value}",
            code="MissingIdentifiers",
        )
    if len(raw) > MAX_IDENTIFIERS:
        raise RecordError(
            f"profile.identifiers has {len(raw)} entries; a profile has at most {MAX_IDENTIFIERS}",
            code="TooManyIdentifiers",
        )
    result: list[tuple[str, str]] = []
    for index, item in enumerate(raw):
        where = f"profile.identifiers[{index}]"
        if not isinstance(item, Mapping):
            raise RecordError(f"{where} must be an object", code="InvalidField")
        id_type = _selector_part(item, "type", where, IDENTIFIER_TYPE_LIMIT)
        value = item.get("value")
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON Schema's integer: 7.0 is one
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise RecordError(f"{where}.value must be a string or a number", code="InvalidField")
        text = str(value)
        if not text:
            raise RecordError(f"{where}.value must not be empty", code="InvalidField")
        pair = (id_type, Identifier.normalize_value(id_type, text))
        if pair not in result:
            result.append(pair)
    return tuple(result)


def _profile(raw: object, *, trusted: bool) -> ProfileSpec:
    if not isinstance(raw, Mapping):
        raise RecordError("profile must be an object", code="InvalidField")
    source = _selector_part(raw, "source", "profile", NAME_LIMIT)
    if source == RESERVED_SOURCE and not trusted:
        raise RecordError(
            f"profile.source {RESERVED_SOURCE!r} is reserved for Zendesk's own profiles",
            code="ReservedSource",
        )
    ptype = _selector_part(raw, "type", "profile", NAME_LIMIT)
    identifiers = _identifiers(raw)
    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        raise RecordError("profile.name must be a string", code="InvalidField")
    attributes = raw.get("attributes")
    if attributes is not None and not isinstance(attributes, Mapping):
        raise RecordError("profile.attributes must be an object", code="InvalidField")
    profile_id = user_id = None
    if trusted:
        profile_id = raw.get("id")
        if profile_id is not None and (not isinstance(profile_id, str) or not profile_id):
            raise RecordError("profile.id must be a non-empty string", code="InvalidField")
        if raw.get("user_id") is not None:
            user_id = parse_user_id(raw["user_id"])
    return ProfileSpec(
        source=source,
        type=ptype,
        identifiers=identifiers,
        name=name,
        attributes=None if attributes is None else _json_text(attributes, "profile.attributes"),
        id=profile_id,
        user_id=user_id,
    )


def _json_text(value: object, what: str) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        text.encode()
    except RecursionError:
        raise RecordError(f"{what} is nested too deeply", code="InvalidJSON") from None
    except ValueError as exc:  # NaN, or a lone surrogate that UTF-8 cannot carry
        raise RecordError(f"{what} cannot be stored as JSON: {exc}", code="InvalidJSON") from None
    return text


def _profile_id(value: object) -> str:
    if not isinstance(value, str) or not value or "/" in value:
        raise RecordError("profile_id must be a non-empty string", code="InvalidProfileId")
    return value


def parse_track(
    body: object,
    *,
    trusted: bool,
    profile_id: str | None = None,
    user_id: int | None = None,
    received_ns: int | None = None,
) -> EventRecord:
    """Validate a track body (``trusted=False``, the target from the path) or a record
    (``trusted=True``, the target from its keys); fill in what Zendesk would (event id,
    ``received_at``, ``created_at`` when missing).

    The event's own fields, including unknown ones and every timestamp digit, are kept
    verbatim in ``event_json``.
    """
    if not isinstance(body, Mapping):
        raise RecordError(
            "the body must be a JSON object with 'event' and 'profile'", code="InvalidJSON"
        )
    if trusted:
        if body.get("profile_id") is not None:
            profile_id = _profile_id(body["profile_id"])
        if body.get("user_id") is not None:
            user_id = parse_user_id(body["user_id"])
        if profile_id is not None and (user_id is not None or body.get("profile") is not None):
            raise RecordError(
                "give one target: profile, profile_id, or user_id with profile",
                code="InvalidTarget",
            )
    profile: ProfileSpec | None = None
    if profile_id is None:
        if body.get("profile") is None:
            raise RecordError("profile is required", code="MissingField")
        profile = _profile(body["profile"], trusted=trusted)
        if user_id is None:
            user_id = profile.user_id
    # A body sent to a profile id may carry a profile anyway (Zendesk's own sample does); the
    # path decides, and the profile is not used.
    event = body.get("event")
    if event is None:
        raise RecordError("event is required", code="MissingField")
    if not isinstance(event, Mapping):
        raise RecordError("event must be an object", code="InvalidField")
    event_source = _name(event, "source", "event", NAME_LIMIT)
    if event_source == RESERVED_SOURCE and not trusted:
        raise RecordError(
            f"event.source {RESERVED_SOURCE!r} is reserved for Zendesk's own events",
            code="ReservedSource",
        )
    event_type = _name(event, "type", "event", NAME_LIMIT)
    if "properties" in event and not isinstance(event["properties"], Mapping):
        raise RecordError("event.properties must be an object", code="InvalidProperties")
    description = event.get("description")
    if description is not None and not isinstance(description, str):
        raise RecordError("event.description must be a string", code="InvalidField")
    fields = dict(event)
    if not trusted:
        for key in _READ_ONLY_EVENT_FIELDS:
            fields.pop(key, None)
    event_id = fields.get("id")
    if event_id is not None and (not isinstance(event_id, str) or not event_id):
        raise RecordError("event.id must be a non-empty string", code="InvalidField")

    now = now_ns() if received_ns is None else received_ns
    filled: dict[str, Any] = {}
    if event_id is None:
        event_id = new_ulid(ms=now // 1_000_000)
        filled["id"] = event_id
    filled.update(fields)
    created_at = fields.get("created_at")
    if created_at is None:
        filled["created_at"] = format_ns(now)
        created_ns = now
    else:
        parsed = parse_datetime_ns(created_at) if isinstance(created_at, str) else None
        if parsed is None:
            raise RecordError(
                "event.created_at must be an RFC 3339 date-time", code="InvalidTimestamp"
            )
        # The spec's conservative span, the whole years inside 64-bit nanoseconds.
        if not MIN_YEAR <= int(created_at[:4]) <= MAX_YEAR:
            raise RecordError(
                f"event.created_at must be in the years {MIN_YEAR} to {MAX_YEAR}",
                code="InvalidTimestamp",
            )
        created_ns = parsed
    if "received_at" not in fields:
        filled["received_at"] = format_ns(now)

    event_json = _json_text(filled, "event")
    return EventRecord(
        profile=profile,
        profile_id=profile_id,
        user_id=user_id,
        event_id=event_id,
        event_source=event_source,
        event_type=event_type,
        created_ns=created_ns,
        received_ns=now,
        event_json=event_json,
        filled=frozenset(key for key in filled if key not in fields),
    )


def parse_record(record: object, *, received_ns: int | None = None) -> EventRecord:
    """Validate a record: a seed line or an argument of ``Sandbox.add_event``."""
    if not isinstance(record, Mapping):
        raise RecordError("a record must be a JSON object with 'event' and its target")
    return parse_track(record, trusted=True, received_ns=received_ns)


# --------------------------------------------------------------------------- profile writes

#: Profiles one Zendesk user may have (the plans' "profiles per person").
MAX_PROFILES_PER_USER = 20


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    """The body of a merge (PATCH): what changes, and identifiers to add."""

    name_given: bool
    name: str | None
    attributes: dict[str, Any]
    identifiers: tuple[tuple[str, str], ...]


def _body_profile(body: object) -> Mapping[str, Any]:
    if not isinstance(body, Mapping) or not isinstance(body.get("profile"), Mapping):
        raise RecordError("the body must be a JSON object with a 'profile' object")
    profile: Mapping[str, Any] = body["profile"]
    return profile


def parse_profile_write(body: object) -> ProfileSpec:
    """Validate the body of a create-or-replace (PUT): the whole profile, as a track's."""
    return _profile(_body_profile(body), trusted=False)


def parse_profile_changes(body: object) -> ProfileChanges:
    """Validate the body of a merge (PATCH): ``name``, ``attributes``, ``identifiers``;
    ``source``, ``type`` and ``user_id`` are ignored."""
    profile = _body_profile(body)
    name = profile.get("name")
    if name is not None and not isinstance(name, str):
        raise RecordError("profile.name must be a string", code="InvalidField")
    attributes = profile.get("attributes", {})
    if not isinstance(attributes, Mapping):
        raise RecordError("profile.attributes must be an object", code="InvalidField")
    _json_text(attributes, "profile.attributes")
    identifiers: tuple[tuple[str, str], ...] = ()
    if profile.get("identifiers") is not None and profile["identifiers"] != []:
        identifiers = _identifiers(profile)
    elif "identifiers" in profile and profile["identifiers"] is None:
        raise RecordError("profile.identifiers must be an array", code="InvalidField")
    return ProfileChanges(
        name_given="name" in profile,
        name=name,
        attributes=dict(attributes),
        identifiers=identifiers,
    )
