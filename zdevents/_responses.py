"""Turning an HTTP response into a Page or into the right exception.

A 200 body is decoded once, by msgspec, into the exact text of each event (``msgspec.Raw``:
a span of the body, not a parse of it) and the few fields pagination needs; events are
decoded further only when a field is read. What msgspec refuses although the standard
library reads it (lone surrogate escapes), and every malformed body, go through the
standard library (``_jsontext``) so that errors and edge cases are the same as ever.

``NaN`` and ``Infinity`` are not JSON: a page holding one is a ``BadResponseError``. A
number too large for a float (``1e400``) is valid JSON text and is kept as sent in
``Event.raw`` (an export writes it exactly); turning it into a Python value
(``Event.to_dict()``, ``.properties``) raises ``BadResponseError``. Looking for such numbers
in every page would cost a second pass over the body, as long as the decoding itself.

Decoding is lenient where Zendesk's documentation is uncertain (links as an array or an
object, a missing ``meta``) and strict where a wrong guess would lose data (``events`` must
be a list of objects, ``has_more`` a boolean).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import attrs
import httpx
import msgspec

from . import errors
from ._config import Secret
from ._constants import MAX_URL_TEXT
from ._event import Event, Scrubber, described, restore, scrubbed_repr, with_scrubber
from ._failures import Received, error_from_response, request_id_of
from ._jsontext import NotFiniteError, element_spans, member_spans, strict_decoder
from ._routes import AFTER_PARAM

#: A cursor (percent-encoded) or next link longer than this is refused: httpx refuses URLs
#: over 64 KiB, and a cursor saved by ``--resume`` must stay usable.
MAX_LINK_BYTES = MAX_URL_TEXT


class _Link(msgspec.Struct):
    next: str | None = None


class _Meta(msgspec.Struct):
    has_more: bool | None = None
    after_cursor: str | None = None


class _Body(msgspec.Struct):
    events: list[msgspec.Raw]
    links: list[_Link] | _Link | None = None
    meta: _Meta | None = None


_BODY = msgspec.json.Decoder(_Body)
_OBJECT_START = ord("{")


@attrs.frozen
class RateLimit:
    """Zendesk's per-minute request budget, from one response's headers.

    Attributes:
        limit: requests a minute (``X-Rate-Limit``).
        remaining: requests left in this minute (``X-Rate-Limit-Remaining``), or ``None``.
    """

    limit: int
    remaining: int | None


class Headers(Mapping[str, str]):
    """Response headers, read-only, names case-insensitive (a repeated header's values are
    joined with ``", "``, as httpx does); :meth:`get_list` gives each value."""

    # _secret: the scrubber of the client that read the response (set by the page decoder),
    # so that the repr never shows a header that echoes the credentials.
    __slots__ = ("_headers", "_secret")

    def __init__(self, headers: httpx.Headers | Mapping[str, str] | None = None) -> None:
        # A response's own headers are wrapped, not copied: nothing else changes them.
        self._headers = headers if isinstance(headers, httpx.Headers) else httpx.Headers(headers)
        self._secret: Scrubber | None = None

    def __getitem__(self, name: str) -> str:
        return self._headers[name]

    def __contains__(self, name: object) -> bool:
        return name in self._headers

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)

    def get_list(self, name: str) -> list[str]:
        """Every value of header ``name``, in order."""
        return self._headers.get_list(name)

    def __repr__(self) -> str:
        return scrubbed_repr(f"Headers({dict(self._headers.items())!r})", self)

    def __reduce__(self) -> tuple[Any, ...]:
        # The headers, and the repr as the reading client's scrubber made it: never the
        # scrubber (a credential cannot be pickled).
        shown = None if self._secret is None else repr(self)
        return (restore, (Headers, self._headers.multi_items(), shown))


_NO_HEADERS = Headers()


@attrs.frozen(repr=False)
class Page:
    """One page of events; iterate over it for its events.

    Attributes:
        events: the events of this page, in the order Zendesk sent them.
        has_more: whether Zendesk says more events follow.
        cursor: the cursor of the next page (``meta.after_cursor``, else the one in the next
            link), or ``None``. Pass it as ``events(..., after=cursor)`` to resume there.
        next_url: the absolute next link as Zendesk sent it, or ``None``.
        request_id: Zendesk's id of the request that returned this page.
        headers: the response headers (read-only, case-insensitive).
    """

    events: list[Event]
    has_more: bool
    cursor: str | None
    next_url: str | None
    request_id: str | None = None
    headers: Headers = _NO_HEADERS
    # Set by the decoder when the cursor spells the reading client's credentials (a hostile
    # server's echo): the repr then describes it rather than show it.
    _secret_cursor: bool = attrs.field(init=False, default=False, eq=False)

    @property
    def rate_limit(self) -> RateLimit | None:
        """The rate limit Zendesk announced with this page, or ``None`` without an
        ``X-Rate-Limit`` header (or with one that is not a number)."""
        return rate_limit_of(self.headers)

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __repr__(self) -> str:
        cursor = self.cursor if self.cursor is None or len(self.cursor) <= 40 else (
            self.cursor[:39] + "…"
        )  # fmt: skip
        shown = f"<{described(self.cursor)}>" if self._secret_cursor else repr(cursor)
        return (
            f"Page({len(self.events)} events, has_more={self.has_more}, "
            f"cursor={shown}, request_id={self.request_id!r})"
        )


def rate_limit_of(headers: Headers) -> RateLimit | None:
    """The rate limit announced in ``headers`` (``X-Rate-Limit``), or ``None``."""
    limit = _count(headers.get("x-rate-limit"))
    if limit is None:
        return None
    return RateLimit(limit, _count(headers.get("x-rate-limit-remaining")))


def cursor_shows_secret(page: Page) -> bool:
    """Whether the page's cursor holds a credential of the client that read it (a hostile
    server echoing it): such a cursor is never stored."""
    return page._secret_cursor


def scrubbed(page: Page, text: str) -> str:
    """``text`` (about ``page``) scrubbed of the credentials of the client that read it."""
    secret = page.headers._secret
    return text if secret is None else secret.scrub_text(text)


def _count(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def decode_page(response: Received, secret: Secret | None = None) -> Page:
    """Decode a 200 into a :class:`Page`; raise the matching error for anything else."""
    if response.status_code != 200:
        raise error_from_response(response, secret)
    body = _utf8(response.content)
    try:
        parsed = _BODY.decode(body)
        raws = list(map(bytes, parsed.events))
    except (msgspec.DecodeError, RecursionError):
        # Whatever msgspec refuses, the standard library judges (and explains).
        events, next_url, has_more, cursor = _decode_slowly(body)
        with_scrubber(events, secret)
    else:
        for raw in raws:
            if raw[0] != _OBJECT_START:
                raise errors.BadResponseError("the response has no 'events' list of objects")
        events = with_scrubber(list(map(Event, raws)), secret)
        next_url = _next_of(parsed.links)
        meta = parsed.meta
        has_more, cursor = (None, None) if meta is None else (meta.has_more, meta.after_cursor)
    if not cursor:
        cursor = None if next_url is None else _cursor_in(next_url)
    _check_length(cursor, next_url)
    if has_more is None:
        has_more = next_url is not None or cursor is not None
    page = Page(
        events=events,
        has_more=has_more,
        cursor=cursor,
        next_url=next_url,
        request_id=request_id_of(response, secret),
        headers=with_scrubber([Headers(response.headers)], secret)[0],
    )
    if cursor is not None and secret is not None and secret.shows_in(cursor):
        object.__setattr__(page, "_secret_cursor", True)
    return page


def _utf8(content: bytes) -> bytes:
    """The body as UTF-8, checked: msgspec does not check the text of what it skips."""
    if content.isascii() and b"\x00" not in content[:4]:  # NULs there: UTF-16 or UTF-32
        return content
    encoding = json.detect_encoding(content)
    try:
        if encoding == "utf-8":
            content.decode()
            return content
        # A BOM, UTF-16 or UTF-32 (which JSON once allowed): events are kept as UTF-8.
        return content.decode(encoding).encode()
    except UnicodeError:
        # Garbled on the way, most likely (a proxy, a cut): worth another try.
        raise errors.BadResponseError(
            f"the 200 response body is not valid {encoding.upper()} ({len(content)} bytes)",
            retryable=True,
        ) from None


def _not_finite(exc: NotFiniteError) -> errors.BadResponseError:
    # The same body would come again: not worth a retry.
    return errors.BadResponseError(
        f"the response holds a number JSON cannot carry ({exc}); it cannot be kept as sent"
    )


def _decode_slowly(body: bytes) -> tuple[list[Event], str | None, bool | None, str | None]:
    """The page by the standard library: the same result as the fast path where both
    read a body, and the reference for every error."""
    text = body.decode()  # checked by _utf8
    try:
        members = member_spans(text)
    except (ValueError, RecursionError):
        try:
            whole = strict_decoder.decode(text)
        except NotFiniteError as exc:
            raise _not_finite(exc) from None
        except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
            # Truncated or garbled by a proxy: worth another try.
            raise errors.BadResponseError(
                f"the 200 response body is not valid JSON ({len(body)} bytes)", retryable=True
            ) from None
        raise errors.BadResponseError(
            f"expected a JSON object, got {type(whole).__name__}"
        ) from None
    fields: dict[str, tuple[int, int]] = {name: (start, end) for name, start, end in members}
    if "events" not in fields or text[fields["events"][0]] != "[":
        raise errors.BadResponseError("the response has no 'events' list of objects")
    spans = element_spans(text, *fields["events"])
    if any(text[start] != "{" for start, _ in spans):
        raise errors.BadResponseError("the response has no 'events' list of objects")
    events = [Event(text[start:end].encode()) for start, end in spans]
    value: dict[str, Any] = {
        name: json.loads(text[start:end])
        for name, (start, end) in fields.items()
        if name != "events"
    }
    next_url = _next_of(_shape(value.get("links"), list[_Link] | _Link | None, "links"))
    meta = _shape(value.get("meta"), _Meta | None, "meta")
    if meta is None:
        return events, next_url, None, None
    return events, next_url, meta.has_more, meta.after_cursor


def _shape(value: Any, kind: Any, name: str) -> Any:
    try:
        return msgspec.convert(value, kind, strict=True)
    except msgspec.ValidationError as exc:
        raise errors.BadResponseError(f"unexpected {name!r} in the response: {exc}") from None


def _next_of(links: list[_Link] | _Link | None) -> str | None:
    if links is None:
        return None
    for link in links if isinstance(links, list) else (links,):
        if link.next is not None and link.next.strip():
            return link.next.strip()
    return None


def _check_length(cursor: str | None, next_url: str | None) -> None:
    for what, text in (("cursor", cursor), ("next link", next_url)):
        if text is not None and not _encodable(text):
            # A lone surrogate ("\\ud800" in the JSON) cannot go into a URL.
            raise errors.BadResponseError(f"the {what} is not valid text (a lone surrogate)")
    if next_url is not None and len(next_url) > MAX_LINK_BYTES:
        raise errors.BadResponseError(
            f"the next link is {len(next_url):,} characters long; refusing it (limit "
            f"{MAX_LINK_BYTES:,})"
        )
    if cursor is not None and (
        len(cursor) > MAX_LINK_BYTES or len(quote(cursor, safe="")) > MAX_LINK_BYTES
    ):
        raise errors.BadResponseError(
            f"the cursor is {len(cursor):,} characters long; refusing it (limit "
            f"{MAX_LINK_BYTES:,} once URL-encoded)"
        )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _cursor_in(url: str) -> str | None:
    if len(url) > MAX_LINK_BYTES:
        return None  # refused by _check_length
    try:
        query = urlsplit(url).query
    except ValueError:  # e.g. "Invalid IPv6 URL": a broken link, not a crash
        raise errors.BadResponseError(
            f"the next link is not a URL ({len(url):,} characters)"
        ) from None
    for name, value in parse_qsl(query):
        if name == AFTER_PARAM and value:
            return value
    return None
