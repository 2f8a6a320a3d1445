"""The Profile read from Zendesk, and the two answers that carry profiles.

Like :class:`~zdevents.Event`, a profile keeps its JSON text exactly as received and decodes
it only when a field is read, so that a field Zendesk spells differently from the
documentation fails where it is used (a ``BadResponseError`` naming it), not before.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import msgspec

from ._base_client import AsyncCore, SyncCore
from ._event import described, reduced, scrubbed_repr, shown_value, with_scrubber
from ._failures import Received
from ._identifier import Identifier
from ._jsontext import NotFiniteError, compact_bytes, element_spans, member_spans, strict_decoder
from ._query import make_query
from ._routes import Request, build_profile_request, build_profiles_request
from ._time import parse_timestamp
from .errors import BadResponseError


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
    :class:`Identifier`) and ``profile_id``, checked as ``events()`` checks them."""
    if identifier is not None and profile_id is not None:
        raise ValueError("give exactly one of identifier and profile_id (got both)")
    if identifier is None and profile_id is None:
        raise ValueError("give exactly one of identifier and profile_id (got none)")
    query = make_query(identifier, profile_id)
    return build_profile_request(identifier=query.identifier, profile_id=query.profile_id)


def profiles_request(user_id: int | str) -> Request:
    """The request for the profiles of the Zendesk user ``user_id``."""
    if user_id is None:
        raise ValueError("give user_id: the Zendesk user whose profiles to read")
    uid = make_query(user_id=user_id).user_id
    assert uid is not None
    return build_profiles_request(uid)


class Profiles:
    """The profile routes of a :class:`~zdevents.Client`, holding its core."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

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


class AsyncProfiles:
    """The profile routes of an :class:`~zdevents.AsyncClient`, holding its core."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

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
