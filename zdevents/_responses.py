"""Turning an HTTP response into a Page or into the right exception.

Decoding is lenient where Zendesk's documentation is uncertain (three error shapes, plain-text
errors from the CDN, links as an array or an object, a missing ``meta``) and strict where a
wrong guess would lose data (``events`` must be a list of objects, ``has_more`` a boolean).
"""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qsl, urlsplit

import attrs
import httpx
from zendesk_events_api.models.link_item import LinkItem
from zendesk_events_api.models.meta import Meta
from zendesk_events_api.types import Unset

from . import errors
from ._config import Secret
from ._event import Event
from ._failures import error_from_response, request_id_of
from ._routes import AFTER_PARAM

__all__ = ["Page", "decode_page"]


@attrs.frozen
class Page:
    """One page of events.

    Attributes:
        events: the events of this page, in the order Zendesk sent them.
        has_more: whether Zendesk says more events follow.
        cursor: the cursor of the next page (``meta.after_cursor``, else the one in the next
            link), or ``None``. Pass it as ``events(..., after=cursor)`` to resume there.
        next_url: the absolute next link as Zendesk sent it, or ``None``.
        request_id: Zendesk's id of the request that returned this page.
    """

    events: list[Event]
    has_more: bool
    cursor: str | None
    next_url: str | None
    request_id: str | None = None

    def __len__(self) -> int:
        return len(self.events)


def decode_page(response: httpx.Response, secret: Secret | None = None) -> Page:
    """Decode a 200 into a :class:`Page`; raise the matching error for anything else."""
    if response.status_code != 200:
        raise error_from_response(response, secret)
    try:
        content = response.content
        body = _DECODER.decode(content.decode(json.detect_encoding(content), "surrogatepass"))
    except _NotFiniteError as exc:
        # The same body would come again: not worth a retry.
        raise errors.BadResponseError(
            f"the response holds a number JSON cannot carry ({exc}); it cannot be kept as sent"
        ) from None
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        # Truncated or garbled by a proxy: worth another try.
        raise errors.BadResponseError(
            f"the 200 response body is not valid JSON ({len(response.content)} bytes)",
            retryable=True,
        ) from None
    if not isinstance(body, dict):
        raise errors.BadResponseError(f"expected a JSON object, got {type(body).__name__}")
    raw_events = body.get("events")
    # set(map(type, ...)) runs in C: this check is on the per-event path.
    if not isinstance(raw_events, list) or not set(map(type, raw_events)) <= {dict}:
        raise errors.BadResponseError("the response has no 'events' list of objects")

    next_url = _next_link(body.get("links"))
    has_more, cursor = _meta(body.get("meta"))
    if cursor is None and next_url is not None:
        cursor = _cursor_in(next_url)
    if has_more is None:
        has_more = next_url is not None or cursor is not None
    return Page(
        events=list(map(Event, raw_events)),
        has_more=has_more,
        cursor=cursor,
        next_url=next_url,
        request_id=request_id_of(response),
    )


class _NotFiniteError(ValueError):
    pass


def _finite_float(text: str) -> float:
    # 1e400 would become inf, and be written back out as Infinity: not JSON.
    value = float(text)
    if math.isinf(value):
        raise _NotFiniteError(text)
    return value


def _not_finite(name: str) -> float:
    raise _NotFiniteError(name)  # NaN, Infinity, -Infinity: not JSON, though Python reads them


# Built once: json.loads with hooks would build a decoder for every page.
_DECODER = json.JSONDecoder(parse_float=_finite_float, parse_constant=_not_finite)


def _next_link(links: object) -> str | None:
    if links is None:
        return None
    items = links if isinstance(links, list) else [links]
    for item in items:
        if not isinstance(item, dict):
            raise errors.BadResponseError(f"unexpected 'links' in response: {links!r:.200}")
        try:
            link = LinkItem.from_dict(item)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise errors.BadResponseError(f"unexpected 'links' entry: {exc}") from None
        nxt = link.next_
        if isinstance(nxt, str) and nxt.strip():
            return nxt.strip()
        if not isinstance(nxt, str | None | Unset):
            raise errors.BadResponseError(f"'links.next' is not a string: {nxt!r:.200}")
    return None


def _meta(meta: object) -> tuple[bool | None, str | None]:
    if meta is None:
        return None, None
    if not isinstance(meta, dict):
        raise errors.BadResponseError(f"'meta' is not an object: {meta!r:.200}")
    try:
        parsed = Meta.from_dict(meta)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise errors.BadResponseError(f"unexpected 'meta': {exc}") from None
    has_more = None if isinstance(parsed.has_more, Unset) else parsed.has_more
    if has_more is not None and not isinstance(has_more, bool):
        raise errors.BadResponseError(f"'meta.has_more' is not a boolean: {has_more!r:.100}")
    cursor = parsed.after_cursor
    if isinstance(cursor, Unset) or cursor is None or cursor == "":
        return has_more, None
    if not isinstance(cursor, str):
        raise errors.BadResponseError(f"'meta.after_cursor' is not a string: {cursor!r:.100}")
    return has_more, cursor


def _cursor_in(url: str) -> str | None:
    try:
        query = urlsplit(url).query
    except ValueError:  # e.g. "Invalid IPv6 URL": a broken link, not a crash
        raise errors.BadResponseError(f"the next link is not a URL: {url!r:.200}") from None
    for name, value in parse_qsl(query):
        if name == AFTER_PARAM and value:
            return value
    return None
