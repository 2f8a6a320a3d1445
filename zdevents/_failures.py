"""What went wrong, as the right exception: a non-2xx answer (the status class, the three
documented error shapes and plain-text pages, ``Retry-After``, the request id) or a transport
failure (and whether the request may have been sent). Everything quoted from the server is
decoded first, then scrubbed of secrets, and bounded.

Only descriptions live here; whether a failure is worth another try is ``_retry``'s call.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import math
import time
from collections.abc import Iterator
from typing import Any, Protocol, TypeAlias

import httpx
from zendesk_events_api.models import (
    ErrorItem,
    ErrorListBody,
    ErrorObjectBody,
    ErrorsArrayBody,
    ErrorStringBody,
)

from . import errors
from ._config import Secret


def is_success(status: int) -> bool:
    """Whether ``status`` is a success: the one place that says so (any 2xx)."""
    return 200 <= status < 300


class Received(Protocol):
    """A response as the decoders read it: read once, its body whole and decoded. The
    client core's :class:`~zdevents._base_client.Answer`, or an ``httpx.Response``."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> httpx.Headers: ...

    @property
    def content(self) -> bytes: ...

    @property
    def reason_phrase(self) -> str: ...


_REQUEST_ID_HEADERS = ("x-request-id", "x-zendesk-request-id", "cf-ray")
_STATUS_CLASSES: dict[int, type[errors.APIError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    429: errors.RateLimitError,
}
#: The most characters quoted from one header (request id, location, reason phrase).
_HEADER_QUOTE = 120


def _quoted(value: str | None, secret: Secret | None, limit: int = _HEADER_QUOTE) -> str | None:
    """A server-sent text made safe to show: printable, bounded, scrubbed."""
    if not value:
        return None
    text = "".join(c if c.isprintable() else " " for c in value).strip()
    if secret is not None:
        text = secret.scrub_text(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text or None


def request_id_of(response: Received, secret: Secret | None = None) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value: str | None = response.headers.get(name)
        if value:
            # Zendesk has been seen sending the header twice; keep the first.
            return _quoted(value.split(",")[0], secret, 100)
    return None


def _scrubbed(value: Any, secret: Secret | None, depth: int = 0) -> Any:
    """A decoded JSON value with every string (keys too) scrubbed."""
    if secret is None:
        return value
    if isinstance(value, str):
        return secret.scrub_text(value)
    if depth > 20:
        return "…"
    if isinstance(value, dict):
        return {
            secret.scrub_text(str(k)): _scrubbed(v, secret, depth + 1) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrubbed(v, secret, depth + 1) for v in value]
    return value


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


#: The error shapes of the spec's ``ErrorBody``, in the order its ``anyOf`` lists them.
_ERROR_SHAPES = (ErrorsArrayBody, ErrorObjectBody, ErrorListBody, ErrorStringBody)
_ErrorBody: TypeAlias = ErrorsArrayBody | ErrorObjectBody | ErrorListBody | ErrorStringBody


def _error_body(body: object) -> _ErrorBody | None:
    """``body`` in the first of the error shapes it fits (the generated models), or ``None``."""
    for shape in _ERROR_SHAPES:
        try:
            return shape.from_dict(body)  # type: ignore[arg-type]  # a non-object: TypeError
        except (TypeError, ValueError, AttributeError, KeyError):
            continue
    return None


def _error_items(body: object) -> list[dict[str, Any]]:
    """The errors of a decoded error body, each as a mapping (``APIError.errors``)."""
    parsed = _error_body(body)
    if isinstance(parsed, ErrorStringBody):
        if not isinstance(parsed.error, str):
            return []
        item: dict[str, Any] = {"title": parsed.error}
        if isinstance(parsed.description, str):
            item["detail"] = parsed.description
        return [item]
    if isinstance(parsed, ErrorsArrayBody):
        found: ErrorItem | list[ErrorItem | str] = parsed.errors
    elif parsed is not None:
        found = parsed.error
    else:
        return []
    return [
        item.to_dict() if isinstance(item, ErrorItem) else {"title": str(item)}
        for item in (found if isinstance(found, list) else [found])
    ]


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
    response: Received, secret: Secret | None = None
) -> errors.APIError | errors.BadResponseError:
    """Build the exception for a non-200 answer; works for any status and any body."""
    status = response.status_code
    if is_success(status):
        return errors.BadResponseError(f"expected 200, got {status}")
    request_id = request_id_of(response, secret)
    content = response.content
    body_text: str | None = None
    try:
        items = _error_items(json.loads(content))
    except (ValueError, RecursionError):
        items = []
    # A proxy may echo the request's Authorization header in its error page, in any
    # escaping: what is shown is scrubbed after decoding.
    items = _scrubbed(items[:100], secret)
    if not items:
        # Not JSON, or JSON in none of the documented shapes: the text is all there is.
        body_text = _decoded(content[:2000])[:500].strip() or None
        if body_text and secret is not None:
            body_text = secret.scrub_text(body_text)
    # httpx gives "" for a status without a reason phrase (520, 599).
    reason = _quoted(response.reason_phrase, secret)
    if items:
        detail = "; ".join(_describe(item) for item in items[:5])
    elif body_text:
        detail = " ".join(body_text.split())[:200]
    else:
        detail = "no details in the response"
    message = f"HTTP {status}{' ' + reason if reason else ''}: {detail}"
    if 300 <= status < 400:
        location = _quoted(response.headers.get("location"), secret)
        message += f" (redirect to {location!r} not followed)" if location else ""
    if request_id:
        message += f" [request id {request_id}]"
    if secret is not None:
        message = secret.scrub_text(message)
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
    return cls(message, **kwargs)


def _decoded(content: bytes) -> str:
    # UTF-16 and UTF-32 bodies too; anything else reads as UTF-8.
    return content.decode(json.detect_encoding(content), "replace")


@contextlib.contextmanager
def transport_errors(what: str, secret: Secret, status: int | None = None) -> Iterator[None]:
    """httpx's exceptions as ours; ``status`` is set while the body of an answer is read.

    ``sent`` says whether the request may have reached the server: not for a refused or
    failed connection (TLS included), a pool or connect timeout, or a proxy refusing the
    tunnel; yes for anything after the request was written.
    """
    # `from None`: httpx exceptions carry the request, whose headers hold the credentials.
    try:
        yield
    except httpx.TimeoutException as exc:
        sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
        raise errors.APITimeoutError(
            f"{what} timed out ({type(exc).__name__})", sent=sent
        ) from None
    except TimeoutError:  # asyncio.timeout: the whole response took too long
        raise errors.APITimeoutError(f"{what} timed out (the whole response)") from None
    except httpx.DecodingError as exc:
        raise errors.BadResponseError(
            _safe(f"{what}: undecodable body ({exc})", secret), kind="undecodable"
        ) from None
    except httpx.RequestError as exc:
        if status is not None and is_success(status):
            # The page was on its way: a cut-short body, not an unreachable server.
            raise errors.BadResponseError(
                f"{what}: the {status} response body was cut short ({type(exc).__name__})",
                kind="truncated",
            ) from None
        sent = status is not None or not isinstance(
            exc, httpx.ConnectError | httpx.ProxyError | httpx.UnsupportedProtocol
        )
        text = _safe(f"{what} failed: {type(exc).__name__}: {exc}", secret)
        raise errors.APIConnectionError(text, sent=sent) from None


def _safe(text: str, secret: Secret) -> str:
    return secret.scrub_text(text[:500])


#: A 4xx that does not say the request was refused: a proxy or load balancer may answer 408
#: after it passed the request on.
_UNDECIDED_4XX = frozenset({408})


def may_have_been_processed(error: errors.ZendeskError) -> bool:
    """Whether the request that failed with ``error`` may have been acted on by the server:
    it was sent and got no answer, a 5xx (a CDN's 52x included), a 408, or an answer whose
    body was broken. Not for a refused connection, another 4xx or a 429."""
    if isinstance(error, errors.APIConnectionError):
        return error.sent
    if isinstance(error, errors.APIError):
        return error.status_code >= 500 or error.status_code in _UNDECIDED_4XX
    return isinstance(error, errors.BadResponseError)


def provably_not_received(error: errors.ZendeskError) -> bool:
    """Whether the request that failed with ``error`` certainly did not reach the server, or
    was certainly not acted on: a connection never made, or a 429 (refused before any work).
    The only failures after which a write is sent again by default."""
    if isinstance(error, errors.APIConnectionError):
        return not error.sent
    if isinstance(error, errors.APIError):
        return error.status_code == 429
    return False


POSSIBLY_STORED = "; the request was sent, so the event may or may not have been stored"


def describe_write_failure(error: errors.ZendeskError) -> None:
    """Say in ``error``'s message that a write may have taken effect, where it may have."""
    if not may_have_been_processed(error) or not error.args:
        return
    message = f"{error.args[0]}{POSSIBLY_STORED}"
    # Every ZendeskError is built from its message alone.
    error.args = (message,)
    if isinstance(error, errors.APIError):
        error.message = message
