"""Turning an HTTP response into a Page or into the right exception.

Decoding is lenient where Zendesk's documentation is uncertain (three error shapes, plain-text
errors from the CDN, links as an array or an object, a missing ``meta``) and strict where a
wrong guess would lose data (``events`` must be a list of objects, ``has_more`` a boolean).
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs
import httpx
from zendesk_events_api.models.link_item import LinkItem
from zendesk_events_api.models.meta import Meta
from zendesk_events_api.types import Unset

from . import errors
from ._config import Secret
from ._event import Event
from ._routes import AFTER_PARAM

__all__ = ["Page", "decode_page", "error_from_response", "parse_retry_after"]

_REQUEST_ID_HEADERS = ("x-request-id", "x-zendesk-request-id", "cf-ray")
_STATUS_CLASSES: dict[int, type[errors.APIError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    429: errors.RateLimitError,
}
# Transient by nature; 501, 505 and the like are not worth another try.
_RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504, *range(520, 528)})


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


def request_id_of(response: httpx.Response) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value: str | None = response.headers.get(name)
        if value:
            # Zendesk has been seen sending the header twice; keep the first.
            return value.split(",")[0].strip()
    return None


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


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP-date; ``None`` if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    # A header sent twice arrives joined ("1, 1"), as Zendesk does with X-Request-Id; an
    # HTTP-date has a comma too, but its first part is never a number.
    first = value.split(",")[0].strip()
    try:
        seconds = float(first)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def _error_items(body: object) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    found = body.get("errors", body.get("error"))
    if isinstance(found, dict):
        return [found]
    if isinstance(found, list):
        return [item if isinstance(item, dict) else {"title": str(item)} for item in found]
    if isinstance(found, str):
        item: dict[str, Any] = {"title": found}
        if isinstance(body.get("description"), str):
            item["detail"] = body["description"]
        return [item]
    return []


def _describe(item: dict[str, Any]) -> str:
    code = item.get("code")
    words = [
        str(item[key])
        for key in ("title", "detail", "description", "message")
        if isinstance(item.get(key), str | int | float) and str(item[key]).strip()
    ]
    text = ": ".join(dict.fromkeys(words)) or "no details"
    return f"{code}: {text}" if isinstance(code, str) and code else text


def error_from_response(
    response: httpx.Response, secret: Secret | None = None
) -> errors.APIError | errors.BadResponseError:
    """Build the exception for a non-200 answer; works for any status and any body."""
    status = response.status_code
    if 200 <= status < 300:
        return errors.BadResponseError(f"expected 200, got {status}")
    request_id = request_id_of(response)
    # A proxy may echo the request's Authorization header in its error page.
    content = secret.scrub(response.content) if secret is not None else response.content
    body_text: str | None = None
    try:
        items = _error_items(json.loads(content))
    except (ValueError, RecursionError):
        items = []
    if not items:
        # Not JSON, or JSON in none of the documented shapes: the text is all there is.
        body_text = content[:500].decode("utf-8", "replace").strip() or None
    reason = _reason_phrase(response)
    if items:
        detail = "; ".join(_describe(item) for item in items[:5])
    elif body_text:
        detail = " ".join(body_text.split())[:200]
    else:
        detail = "no details in the response"
    message = f"HTTP {status}{' ' + reason if reason else ''}: {detail}"
    if 300 <= status < 400:
        location = response.headers.get("location")
        message += f" (redirect to {location!r} not followed)" if location else ""
    if request_id:
        message += f" [request id {request_id}]"
    kwargs: dict[str, Any] = {
        "status_code": status,
        "errors": items,
        "request_id": request_id,
        "body": body_text,
        "retry_after": parse_retry_after(response.headers.get("retry-after")),
    }
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = errors.ServerError if 500 <= status <= 599 else errors.APIError
    exc = cls(message, **kwargs)
    exc.retryable = status in _RETRYABLE_STATUSES
    return exc


def _reason_phrase(response: httpx.Response) -> str:
    # httpx's reason_phrase falls back to the status table; non-IANA codes have none.
    try:
        return response.reason_phrase
    except ValueError:
        return ""
