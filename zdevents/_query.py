"""Validation of ``events()`` arguments: every mistake is a ValueError before any request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, Unpack
from urllib.parse import quote

import attrs

from ._constants import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_URL_TEXT,
    MIN_PAGE_SIZE,
    USER_ID_BOUND,
)
from ._identifier import Identifier, check_encodable
from ._time import TimeInput, time_bound

#: What the text arguments of one query may take of the URL once percent-encoded (httpx
#: refuses longer URLs with ``InvalidURL``, at iteration).
MAX_QUERY_TEXT = MAX_URL_TEXT


class EventFilters(TypedDict, total=False):
    """The filters of the events routes, keyword arguments of :meth:`Client.events`,
    :meth:`Client.events_many` and :meth:`Client.pages_many` (and their asyncio twins).

    Attributes:
        source: only events of this source (``"shopify"``).
        type: only events of this type within ``source`` (needs ``source``).
        start: events created at or after this moment: a ``date``, an aware ``datetime``
            or an ISO 8601 string (inclusive).
        end: events created at or before this moment (inclusive; a date as ``end``
            includes that whole UTC day); ``start`` after ``end`` is a ``ValueError``.
        page_size: events a request, 1..100 (100, the fewest requests, by default).
    """

    source: str | None
    type: str | None
    start: TimeInput | None
    end: TimeInput | None
    page_size: int


#: Each filter of :class:`EventFilters` and the argument of the generated request builders
#: it becomes (whose wire name, ``filter[...]``/``page[...]``, the spec gives).
FILTERS: dict[str, str] = {
    "source": "filtersource",
    "type": "filtertype",
    "start": "filterstart_time",
    "end": "filterend_time",
    "page_size": "pagesize",
}


def check_filters(filters: Mapping[str, object], where: str) -> None:
    """A ``TypeError`` naming ``where`` for a keyword that is no filter (as Python's own)."""
    for name in filters:
        if name not in FILTERS:
            raise TypeError(f"{where}() got an unexpected keyword argument {name!r}")


def shorten(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters: an error message quotes a value, it does
    not carry 64 KB of it."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-1]}"


@attrs.frozen(kw_only=True)
class EventQuery:
    """A validated query: one selector, the filters as wire text, the page size, and the
    cursor to start at (``None``: the first page). ``EventStream.query`` gives it; its
    repr shows neither an identifier's value nor a cursor. Its fields are keyword-only, as
    every selector of zdevents is."""

    identifier: Identifier | None
    profile_id: str | None
    user_id: int | None
    source: str | None
    type: str | None
    start: str | None
    end: str | None
    page_size: int
    # A cursor is the server's text: it may echo what it was sent (identifiers, credentials).
    after: str | None = attrs.field(
        default=None, repr=lambda v: "None" if v is None else f"<cursor of {len(v)} characters>"
    )

    def describe(self) -> str:
        """A short name for the selector, for logs and error messages (no filters)."""
        if self.identifier is not None:
            return f"identifier {_cut(self.identifier.source)}:{_cut(self.identifier.type)}:..."
        if self.profile_id is not None:
            return f"profile {_cut(self.profile_id)}"
        return f"user {self.user_id}"


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _optional_text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {value.__class__.__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    check_encodable(name, value)
    return value


def _check_length(texts: dict[str, str | None]) -> None:
    # quote(safe="") encodes at least as much as httpx does: an upper bound of the URL's share.
    sizes = {name: len(quote(text, safe="")) for name, text in texts.items() if text is not None}
    if sum(sizes.values()) > MAX_QUERY_TEXT:
        longest = max(sizes, key=sizes.__getitem__)
        raise ValueError(
            f"{longest} is too long: {sizes[longest]:,} characters once percent-encoded; "
            f"the text arguments of one query may take {MAX_QUERY_TEXT:,} together "
            "(URLs are limited to 64 KiB)"
        )


def _user_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"user_id must be an int, not {value.__class__.__name__}")
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit():
            raise ValueError(f"user_id={shorten(value)} is not a positive integer")
        if len(value.lstrip("0")) > 19:  # and int() refuses strings of over 4,300 digits
            raise ValueError(
                f"user_id has {len(value):,} digits; it must be a positive integer of at most"
                " 64 bits"
            )
        value = int(value)
    if not 1 <= value < USER_ID_BOUND:
        shown = repr(value) if value.bit_length() <= 64 else f"a {value.bit_length()}-bit number"
        raise ValueError(f"user_id={shown} is not a positive integer of at most 64 bits")
    return value


def _identifier(value: object) -> Identifier:
    if isinstance(value, Identifier):
        return value
    if isinstance(value, str):
        return Identifier.parse(value)
    raise TypeError(f"identifier must be a str or Identifier, not {value.__class__.__name__}")


def _profile_id(value: object) -> str:
    profile = _optional_text("profile_id", value)
    assert profile is not None
    # "." and ".." would be resolved as path segments and reach another route.
    if "/" in profile or profile in (".", "..") or profile != profile.strip():
        raise ValueError(f"profile_id={shorten(profile)} is not a profile id")
    return profile


# One selector value checked on its own, as events() checks it (a route that takes one
# selector, a selector of a file): the same rules and messages as make_query's.


def check_identifier(value: object) -> Identifier:
    """An identifier query (text or :class:`Identifier`), parsed and within a URL's share."""
    ident = _identifier(value)
    _check_length({"identifier": str(ident)})
    return ident


def check_profile_id(value: object) -> str:
    """A profile id that is one path segment, within a URL's share."""
    profile = _profile_id(value)
    _check_length({"profile_id": profile})
    return profile


def check_user_id(value: object) -> int:
    """A Zendesk user id (an int, or its digits), 1 to 2**63 - 1."""
    return _user_id(value)


def make_query(
    identifier: Identifier | str | None = None,
    profile_id: str | None = None,
    user_id: int | str | None = None,
    *,
    source: str | None = None,
    type: str | None = None,
    start: TimeInput | None = None,
    end: TimeInput | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> EventQuery:
    """Check the arguments of ``events()`` and turn them into an :class:`EventQuery`."""
    chosen = [
        name
        for name, value in (
            ("identifier", identifier),
            ("profile_id", profile_id),
            ("user_id", user_id),
        )
        if value is not None
    ]
    if len(chosen) != 1:
        got = ", ".join(chosen) if chosen else "none"
        raise ValueError(f"give exactly one of identifier, profile_id, user_id (got {got})")

    ident = None if identifier is None else _identifier(identifier)
    profile = None if profile_id is None else _profile_id(profile_id)
    uid = None if user_id is None else _user_id(user_id)
    source_text, type_text, start_text, end_text = _checked_filters(
        source, type, start, end, page_size
    )

    if after is not None:
        if not isinstance(after, str) or not after.strip():
            raise ValueError(
                f"after={shorten(after)} must be a non-empty cursor string (Page.cursor)"
            )
        check_encodable("after", after)

    _check_length(
        {
            "identifier": None if ident is None else str(ident),
            "profile_id": profile,
            "source": source_text,
            "type": type_text,
            "after": after,
        }
    )

    return EventQuery(
        identifier=ident,
        profile_id=profile,
        user_id=uid,
        source=source_text,
        type=type_text,
        start=start_text,
        end=end_text,
        page_size=page_size,
        after=after,
    )


def make_filters(
    *,
    source: str | None = None,
    type: str | None = None,
    start: TimeInput | None = None,
    end: TimeInput | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> EventQuery:
    """The filters of ``events()`` checked on their own, as :func:`make_query` checks them:
    a query that selects nobody (``sync`` checks its filters before it knows whose events
    it reads)."""
    source_text, type_text, start_text, end_text = _checked_filters(
        source, type, start, end, page_size
    )
    _check_length({"source": source_text, "type": type_text})
    return EventQuery(
        identifier=None,
        profile_id=None,
        user_id=None,
        source=source_text,
        type=type_text,
        start=start_text,
        end=end_text,
        page_size=page_size,
    )


def validate_filters(**filters: Unpack[EventFilters]) -> None:
    """Check the filters of :meth:`Client.events` (:class:`~zdevents.types.EventFilters`)
    as every events method would, on their own: no client, no person, nothing sent.

    Raises ``ValueError`` (or ``TypeError``) naming what is wrong, in the words of
    ``events()``; a keyword that is no filter is a ``TypeError``, as Python's own.

    >>> validate_filters(type="bike_rental_booked")
    Traceback (most recent call last):
    ValueError: type needs source too: Zendesk filters types within one source
    """
    check_filters(filters, "validate_filters")
    make_filters(**filters)


def _checked_filters(
    source: object, type: object, start: TimeInput | None, end: TimeInput | None, page_size: object
) -> tuple[str | None, str | None, str | None, str | None]:
    """Source, type, start and end as wire text; the page size checked."""
    source_text = _optional_text("source", source)
    type_text = _optional_text("type", type)
    if type_text is not None and source_text is None:
        raise ValueError("type needs source too: Zendesk filters types within one source")

    start_text = end_text = None
    if start is not None:
        start_text, start_key = time_bound("start", start)
    if end is not None:
        end_text, end_key = time_bound("end", end, end=True)
    if start is not None and end is not None and start_key > end_key:
        raise ValueError(f"start ({start_text}) is after end ({end_text})")

    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise TypeError(f"page_size must be an int, not {page_size.__class__.__name__}")
    if not MIN_PAGE_SIZE <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size={page_size} is outside {MIN_PAGE_SIZE}..{MAX_PAGE_SIZE}")
    return source_text, type_text, start_text, end_text
