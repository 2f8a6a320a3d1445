"""A non-200 answer as the right exception: the status class, the three documented error
shapes and plain-text pages, ``Retry-After``, the request id, secrets scrubbed."""

from __future__ import annotations

import email.utils
import json
import math
import time
from typing import Any

import httpx

from . import errors
from ._config import Secret

__all__ = ["error_from_response", "parse_retry_after", "request_id_of"]

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


def request_id_of(response: httpx.Response) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value: str | None = response.headers.get(name)
        if value:
            # Zendesk has been seen sending the header twice; keep the first.
            return value.split(",")[0].strip()
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
