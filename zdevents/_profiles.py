"""The Profile read from Zendesk, the answers that carry profiles, and the profile routes:
read, create or replace (PUT), merge (PATCH) and delete.

Like :class:`~zdevents.Event`, a profile keeps its JSON text exactly as received and decodes
it only when a field is read, so that a field Zendesk spells differently from the
documentation fails where it is used (a ``BadResponseError`` naming it), not before.

Writes are checked before anything is sent, with the rules and limits ``track`` applies to a
profile (``ValueError`` naming the field). PUT, PATCH and DELETE are idempotent, so they are
retried as reads are; a DELETE that meets a 404 after a retry that followed a lost answer
or a 5xx was deleted by that earlier attempt, and counts as done (after a 429 or a refused
connection, which did nothing, the 404 is the id's own).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import msgspec

from ._base_client import AsyncCore, SyncCore
from ._event import described, reduced, scrubbed_repr, shown_value, with_scrubber
from ._failures import Received, may_have_been_processed
from ._identifier import Identifier
from ._jsontext import NotFiniteError, compact_bytes, element_spans, member_spans, strict_decoder
from ._query import check_identifier, check_profile_id, check_user_id
from ._routes import (
    Request,
    build_profile_delete,
    build_profile_patch,
    build_profile_put,
    build_profile_request,
    build_profiles_request,
)
from ._time import parse_timestamp
from ._track import check_identifiers, check_profile, encodable
from .errors import BadResponseError, NotFoundError, ZendeskError


class Profile:
    """A Zendesk user profile, holding its JSON text exactly as Zendesk sent it.

    Always present on read (a missing or ``null`` one raises
    :class:`~zdevents.errors.BadResponseError` when read): ``id``, ``source``, ``type``.
    Optional (``None`` when absent or ``null``): ``name``, ``user_id`` (a string; a number
    is given as its digits), ``created_at`` and ``updated_at`` (aware UTC datetimes).
    ``identifiers`` is a list of ``{"type", "value"}`` dicts (``[]`` when absent),
    ``attributes`` a dict (``{}`` when absent or ``null``). A field of the wrong type raises
    ``BadResponseError`` when it is read. ``Profile(data)`` takes JSON text or a mapping
    (encoded as compact JSON), for tests and profiles built by hand.

    :attr:`raw` is the profile's JSON text as received; :meth:`to_dict` decodes it afresh
    on every call (unknown fields included), so the caller owns what it gets. Equality and
    hash are those of :attr:`raw`.

    >>> p = Profile(b'{"id": "01E1", "source": "shop", "type": "customer", "identifiers": []}')
    >>> p.source, p.identifiers
    ('shop', [])
    """

    __slots__ = ("_fields", "_raw", "_secret")  # _secret: as for an Event
    _fields: dict[str, bytes] | None

    def __init__(self, data: bytes | str | Mapping[str, Any]) -> None:
        if isinstance(data, str):
            data = data.encode()
        elif isinstance(data, Mapping):
            data = compact_bytes(dict(data))
        if not isinstance(data, bytes):
            raise TypeError(f"Profile() takes JSON text or a mapping, not {type(data).__name__}")
        self._raw = data
        self._fields = None

    @property
    def raw(self) -> bytes:
        """The profile's JSON text, exactly as received."""
        return self._raw

    def to_dict(self) -> dict[str, Any]:
        """``json.loads(profile.raw)``: a new dict on every call."""
        value = _loads(self._raw)
        if not isinstance(value, dict):
            raise BadResponseError(f"the profile is not a JSON object ({described(value)})")
        return value

    def _get(self, name: str) -> Any:
        """The value of member ``name`` (``None`` when absent), decoded from its own text
        only: a field that cannot be decoded fails where it is read, not elsewhere."""
        fields = self._fields
        if fields is None:
            fields = self._fields = _member_texts(self._raw)
        text = fields.get(name)
        return None if text is None else _loads(text)

    def _text(self, name: str, *, required: bool) -> str | None:
        value = self._get(name)
        if isinstance(value, str):
            return value
        if value is None:
            if required:
                raise BadResponseError(f"the profile has no {name!r}, which Zendesk always sends")
            return None
        raise BadResponseError(f"profile field {name!r} is not a string ({described(value)})")

    def _time(self, name: str) -> dt.datetime | None:
        text = self._text(name, required=False)
        if text is None:
            return None
        try:
            return parse_timestamp(text)
        except (ValueError, OverflowError):
            pass  # raised below, without the parser's message (it quotes the text)
        raise BadResponseError(
            f"profile field {name!r} is not an RFC 3339 timestamp ({described(text)})"
        )

    @property
    def id(self) -> str:
        """The profile's id (a ULID)."""
        return self._text("id", required=True)  # type: ignore[return-value]

    @property
    def source(self) -> str:
        """The application the profile belongs to, e.g. ``"coolbikes"``."""
        return self._text("source", required=True)  # type: ignore[return-value]

    @property
    def type(self) -> str:
        """The kind of profile, e.g. ``"rider"``."""
        return self._text("type", required=True)  # type: ignore[return-value]

    @property
    def name(self) -> str | None:
        """The person's name, or ``None``."""
        return self._text("name", required=False)

    @property
    def user_id(self) -> str | None:
        """The Zendesk user the profile belongs to (Zendesk sends ids as strings)."""
        value = self._get("user_id")
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return self._text("user_id", required=False)

    @property
    def identifiers(self) -> list[dict[str, Any]]:
        """The profile's identifiers, ``[{"type": "email", "value": "..."}, ...]``: a new
        list on every read."""
        value = self._get("identifiers")
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise BadResponseError(
                f"profile field 'identifiers' is not a list of objects ({described(value)})"
            )
        return value

    @property
    def attributes(self) -> dict[str, Any]:
        """Free-form JSON about the person: a new dict on every read (``{}`` when absent)."""
        value = self._get("attributes")
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise BadResponseError(
                f"profile field 'attributes' is not an object ({described(value)})"
            )
        return value

    @property
    def created_at(self) -> dt.datetime | None:
        """When the profile was created, as an aware UTC datetime, or ``None``."""
        return self._time("created_at")

    @property
    def updated_at(self) -> dt.datetime | None:
        """When the profile last changed, as an aware UTC datetime, or ``None``."""
        return self._time("updated_at")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Profile):
            return NotImplemented
        return other._raw == self._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        try:
            fields = self.to_dict()
        except BadResponseError:
            # Never the text: it holds the name and identifiers.
            return f"Profile(<undecodable, {len(self._raw)} bytes>)"
        # No identifiers or name: they are people's emails and names.
        shown = ", ".join(
            f"{name}={shown_value(fields[name])}"
            for name in ("id", "source", "type")
            if name in fields
        )
        return scrubbed_repr(f"Profile({shown})", self)

    def __reduce__(self) -> tuple[Any, ...]:
        return reduced(self, self._raw)


def _loads(text: bytes) -> Any:
    try:
        return strict_decoder.decode(text.decode())
    except NotFiniteError as exc:
        problem = f"holds a number JSON cannot carry ({exc})"
    except (ValueError, RecursionError) as exc:
        problem = f"is not valid JSON ({exc})"
    # Raised outside the handler: the decoder's exception (its context) holds the text.
    raise BadResponseError(f"the profile {problem}")


_MEMBERS = msgspec.json.Decoder(dict[str, msgspec.Raw])


def _member_texts(raw: bytes) -> dict[str, bytes]:
    """The text of each member of a profile, the last of a repeated name (as ``json.loads``
    keeps it); values are not decoded."""
    try:
        return {name: bytes(value) for name, value in _MEMBERS.decode(raw).items()}
    except (msgspec.DecodeError, RecursionError):
        pass
    # What msgspec refuses (a lone surrogate escape, which JSON allows): the exact spans.
    try:
        text = raw.decode()
        return {name: text[a:b].encode() for name, a, b in member_spans(text)}
    except (ValueError, RecursionError) as exc:
        problem = f"is not a valid JSON object ({exc})"
    raise BadResponseError(f"the profile {problem}")  # outside the handler, as in _loads


def _members(response: Received) -> tuple[str, dict[str, tuple[int, int]]]:
    content = response.content
    try:
        text = content.decode(json.detect_encoding(content))
        spans = {name: (start, end) for name, start, end in member_spans(text)}
    except (UnicodeError, ValueError, RecursionError):
        raise BadResponseError(
            f"the {response.status_code} response body is not a JSON object ({len(content)} bytes)"
        ) from None
    return text, spans


def decode_profile(response: Received) -> Profile:
    """The profile of a ``{"profile": {...}}`` answer."""
    text, spans = _members(response)
    span = spans.get("profile")
    if span is None or text[span[0]] != "{":
        raise BadResponseError("the response has no 'profile' object")
    return Profile(text[span[0] : span[1]].encode())


def decode_profiles(response: Received) -> list[Profile]:
    """The profiles of a ``{"profiles": [...]}`` answer, in the order sent."""
    text, spans = _members(response)
    span = spans.get("profiles")
    if span is None or text[span[0]] != "[":
        raise BadResponseError("the response has no 'profiles' list")
    items = element_spans(text, *span)
    if any(text[start] != "{" for start, _ in items):
        raise BadResponseError("the response's 'profiles' list holds something else than objects")
    return [Profile(text[start:end].encode()) for start, end in items]


# --------------------------------------------------------------------------- requests


def profile_request(identifier: Identifier | str | None, profile_id: str | None) -> Request:
    """The request for one profile; exactly one of ``identifier`` (a query or an
    :class:`Identifier`) and ``profile_id``, checked as ``events()`` checks them (that there
    is exactly one, by the request's builder)."""
    return build_profile_request(
        identifier=None if identifier is None else check_identifier(identifier),
        profile_id=None if profile_id is None else check_profile_id(profile_id),
    )


def profiles_request(user_id: int | str) -> Request:
    """The request for the profiles of the Zendesk user ``user_id``."""
    if user_id is None:
        raise ValueError("give user_id: the Zendesk user whose profiles to read")
    return build_profiles_request(check_user_id(user_id))


def put_request(
    profile: object,
    *,
    identifier: Identifier | str | None = None,
    profile_id: str | None = None,
    user_id: int | str | None = None,
) -> Request:
    """Check a create-or-replace and build its request; nothing is sent.

    Exactly one target: ``identifier`` (optionally with ``user_id``) or ``profile_id``
    alone. ``profile`` is checked as ``track`` checks one; with ``identifier`` its
    ``source`` and ``type`` must be the query's.
    """
    if profile_id is not None:
        if identifier is not None or user_id is not None:
            raise ValueError("profile_id takes no identifier or user_id: give exactly one target")
    elif identifier is None:
        if user_id is not None:
            raise ValueError("user_id needs identifier too (the profile of that user to write)")
        raise ValueError("give a target: identifier (optionally with user_id), or profile_id")
    fields = check_profile(profile)
    if profile_id is not None:
        request = build_profile_put(fields, profile_id=check_profile_id(profile_id))
    else:
        ident = check_identifier(identifier)
        for name in ("source", "type"):
            if fields[name] != getattr(ident, name):
                raise ValueError(
                    f"profile.{name} {fields[name]!r:.60} is not the identifier query's "
                    f"{name} {getattr(ident, name)!r:.60}"
                )
        uid = None if user_id is None else check_user_id(user_id)
        request = build_profile_put(fields, identifier=ident, user_id=uid)
    encodable(request["json"], "the profile")
    return request


#: What a merge may send: the fields that change, and those Zendesk ignores there.
_PATCH_KEYS = ("name", "attributes", "identifiers", "source", "type", "user_id")


def check_changes(changes: object, identifier: Identifier | None = None) -> dict[str, Any]:
    """The changes of a merge as they are sent; raises ``ValueError`` naming the field."""
    if not isinstance(changes, Mapping):
        raise TypeError(f"changes must be a mapping, not {type(changes).__name__}")
    fields = dict(changes)
    unknown = [str(key) for key in fields if key not in _PATCH_KEYS]
    if unknown:
        raise ValueError(
            f"profile.{unknown[0]} cannot be merged: a merge changes name and attributes "
            "and adds identifiers"
        )
    name = fields.get("name")
    if name is not None and not isinstance(name, str):
        raise ValueError(f"profile.name must be a string, not {type(name).__name__}")
    if "attributes" in fields and not isinstance(fields["attributes"], Mapping):
        found = type(fields["attributes"]).__name__
        raise ValueError(f"profile.attributes must be an object (a mapping), not {found}")
    if "identifiers" in fields:
        # The source and type only serve the identifier rules: a merge ignores them.
        source = identifier.source if identifier is not None else "any"
        kind = identifier.type if identifier is not None else "any"
        fields["identifiers"] = check_identifiers(
            fields["identifiers"], source, kind, required=False
        )
    return fields


def patch_request(
    changes: object,
    *,
    identifier: Identifier | str | None = None,
    profile_id: str | None = None,
) -> Request:
    """Check a merge and build its request (that it has exactly one target, by the builder);
    nothing is sent."""
    ident = None if identifier is None else check_identifier(identifier)
    request = build_profile_patch(
        check_changes(changes, ident),
        identifier=ident,
        profile_id=None if profile_id is None else check_profile_id(profile_id),
    )
    encodable(request["json"], "the changes")
    return request


def delete_request(profile_id: object) -> Request:
    """Check a delete and build its request."""
    if profile_id is None:
        raise ValueError("give profile_id: the profile to delete, with its events")
    return build_profile_delete(check_profile_id(profile_id))


def _no_body(_: Received) -> None:
    return None


class _Retried:
    """Whether a call was sent again after an attempt that may have been acted on (an
    answer lost, a 5xx): not after a 429 or a refused connection, which did nothing
    (``on_retry`` of the core's send)."""

    def __init__(self) -> None:
        self.happened = False

    def __call__(self, failure: ZendeskError) -> None:
        if may_have_been_processed(failure):
            self.happened = True


def _gone(exc: NotFoundError, retried: _Retried) -> None:
    """A 404 to a DELETE sent again after an attempt that may have deleted it (its answer
    lost): deleted. A 404 after attempts that did nothing is the id's own."""
    if not retried.happened:
        raise exc


class Profiles:
    """The profile routes of a :class:`~zdevents.Client`, holding its core."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def _write(self, request: Request) -> Profile:
        written = self._core.send(
            request["method"], request["url"], params=request["params"] or None,
            json=request["json"], decode=decode_profile, idempotent=True,
        )  # fmt: skip
        return with_scrubber([written], self._core.scrubber)[0]

    def get(self, identifier: Identifier | str | None, profile_id: str | None) -> Profile:
        request = profile_request(identifier, profile_id)
        profile = self._core.send(
            request["method"], request["url"], params=request["params"], decode=decode_profile
        )
        return with_scrubber([profile], self._core.scrubber)[0]

    def list(self, user_id: int | str) -> list[Profile]:
        request = profiles_request(user_id)
        profiles = self._core.send(
            request["method"], request["url"], params=request["params"], decode=decode_profiles
        )
        return with_scrubber(profiles, self._core.scrubber)

    def put(self, profile: object, **target: Any) -> Profile:
        return self._write(put_request(profile, **target))

    def patch(self, changes: object, **target: Any) -> Profile:
        return self._write(patch_request(changes, **target))

    def delete(self, profile_id: object) -> None:
        request = delete_request(profile_id)
        retried = _Retried()
        try:
            self._core.send(
                request["method"], request["url"], decode=_no_body, idempotent=True,
                on_retry=retried,
            )  # fmt: skip
        except NotFoundError as exc:
            _gone(exc, retried)


class AsyncProfiles:
    """The profile routes of an :class:`~zdevents.AsyncClient`, holding its core."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    async def _write(self, request: Request) -> Profile:
        written = await self._core.send(
            request["method"], request["url"], params=request["params"] or None,
            json=request["json"], decode=decode_profile, idempotent=True,
        )  # fmt: skip
        return with_scrubber([written], self._core.scrubber)[0]

    async def get(self, identifier: Identifier | str | None, profile_id: str | None) -> Profile:
        request = profile_request(identifier, profile_id)
        profile = await self._core.send(
            request["method"], request["url"], params=request["params"], decode=decode_profile
        )
        return with_scrubber([profile], self._core.scrubber)[0]

    async def list(self, user_id: int | str) -> list[Profile]:
        request = profiles_request(user_id)
        profiles = await self._core.send(
            request["method"], request["url"], params=request["params"], decode=decode_profiles
        )
        return with_scrubber(profiles, self._core.scrubber)

    async def put(self, profile: object, **target: Any) -> Profile:
        return await self._write(put_request(profile, **target))

    async def patch(self, changes: object, **target: Any) -> Profile:
        return await self._write(patch_request(changes, **target))

    async def delete(self, profile_id: object) -> None:
        request = delete_request(profile_id)
        retried = _Retried()
        try:
            await self._core.send(
                request["method"], request["url"], decode=_no_body, idempotent=True,
                on_retry=retried,
            )  # fmt: skip
        except NotFoundError as exc:
            _gone(exc, retried)
