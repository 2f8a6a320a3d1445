"""The ASGI application that serves the spec's three GET routes.

It is plain ASGI rather than a framework app: a page is one indexed query whose stored JSON
texts are spliced into the body, and fault injection needs to send status codes, headers and
partial bodies that frameworks smooth over.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

from ._cursor import decode_cursor, encode_cursor
from ._faults import FaultInjector
from ._ids import new_ulid
from ._ratelimit import RateDecision, RateLimiter
from ._records import INT64_MAX
from ._store import EventQuery, Store
from ._times import parse_filter_ns

__all__ = ["SandboxApp", "Settings"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100
# The spec's pattern, applied the way JSON Schema applies patterns (a search, not a full
# match), so that the sandbox and schemathesis agree on which identifiers are well formed.
_IDENTIFIER_PATTERN = re.compile(r"^[^:]+:[^:]+:[^:]+:.+$")
_DIGITS = re.compile(r"[0-9]+")
_KNOWN_PARAMETERS = (
    "identifier",
    "filter[source]",
    "filter[type]",
    "filter[start_time]",
    "filter[end_time]",
    "page[size]",
    "page[after]",
)
_JSON = (b"content-type", b"application/json; charset=utf-8")
_TEXT = (b"content-type", b"text/plain; charset=utf-8")


@dataclass(slots=True)
class Settings:
    """What the running app checks and injects; a test may change it between requests."""

    email: str
    api_token: str
    oauth_token: str | None = None
    # Zendesk answers 403 to users who are not agents; this one has valid credentials but no
    # right to read events, so clients can meet PermissionDeniedError.
    end_user_email: str | None = None
    latency: float = 0.0
    rate_limiter: RateLimiter | None = None
    faults: FaultInjector | None = None
    retry_after: int = 1
    request_count: int = field(default=0)


class _Problem(Exception):
    """A 4xx answer, raised from deep inside request parsing."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def _errors(status: int, code: str, title: str, detail: str | None = None) -> _Problem:
    item: dict[str, str] = {"code": code, "title": title, "id": new_ulid()}
    if detail:
        item["detail"] = detail
    return _Problem(status, {"errors": [item]})


def _json_bytes(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class SandboxApp:
    """ASGI app serving the Events API read routes from a ``Store``."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        settings = self.settings
        limiter = settings.rate_limiter
        request_id = uuid.uuid4().hex
        base_headers: Headers = [(b"x-request-id", request_id.encode())]
        # Answers that do not count against the limit still show where it stands.
        uncounted = [*base_headers, *(_rate_headers(limiter.peek()) if limiter else [])]
        route = _route(scope.get("raw_path") or scope["path"].encode())
        if route is None:
            body: dict[str, Any] = {"error": "InvalidEndpoint", "description": "Not found"}
            await _respond(send, 404, uncounted, _json_bytes(body))
            return
        if scope["method"] != "GET":
            headers = [*uncounted, (b"allow", b"GET")]
            body = {"error": "MethodNotAllowed", "description": "Only GET is supported"}
            await _respond(send, 405, headers, _json_bytes(body))
            return

        settings.request_count += 1
        if settings.latency > 0:
            await asyncio.sleep(settings.latency)
        caller = self._caller(scope)
        if caller is None:
            headers = [*uncounted, (b"www-authenticate", b'Basic realm="Web Password"')]
            body = {
                "error": [
                    {
                        "code": "MissingOrInvalidAuthentication",
                        "title": "Missing or invalid authentication",
                    }
                ]
            }
            await _respond(send, 401, headers, _json_bytes(body))
            return

        if caller == "end_user":
            body = {
                "errors": [
                    {
                        "code": "PermissionDenied",
                        "title": "You do not have access to this resource",
                        "id": new_ulid(),
                    }
                ]
            }
            await _respond(send, 403, uncounted, _json_bytes(body))
            return

        fault = settings.faults.draw() if settings.faults is not None else None
        if fault is not None and fault != "truncate":
            await self._serve_fault(fault, scope, send, uncounted)
            return

        headers = list(base_headers)
        if limiter is not None:
            decision = limiter.hit()
            headers += _rate_headers(decision)
            if not decision.allowed:
                headers.append((b"retry-after", str(decision.retry_after).encode()))
                body = {"error": [{"code": "TooManyRequests", "title": "Too many requests"}]}
                await _respond(send, 429, headers, _json_bytes(body))
                return

        try:
            payload = self._page(scope, route)
        except _Problem as problem:
            await _respond(send, problem.status, headers, _json_bytes(problem.body))
            return
        if fault == "truncate":
            assert settings.faults is not None
            settings.faults.record(fault)
            await _send_truncated(send, headers, payload)
            return
        await _respond(send, 200, headers, payload)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _caller(self, scope: Scope) -> str | None:
        """``"agent"``, ``"end_user"`` (valid but not allowed to read), or ``None`` (401)."""
        settings = self.settings
        header = _header(scope, b"authorization")
        if header is None:
            return None
        scheme, _, credentials = header.partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "bearer":
            token = settings.oauth_token
            return (
                "agent" if token is not None and hmac.compare_digest(credentials, token) else None
            )
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        if not sep or not hmac.compare_digest(password.encode(), settings.api_token.encode()):
            return None
        if user.lower() == f"{settings.email}/token".lower():
            return "agent"
        end_user = settings.end_user_email
        if end_user is not None and user.lower() == f"{end_user}/token".lower():
            return "end_user"
        return None

    async def _serve_fault(self, fault: str, scope: Scope, send: Send, headers: Headers) -> None:
        settings = self.settings
        assert settings.faults is not None
        settings.faults.record(fault)
        if fault == "drop":
            await _drop_connection(send)
            return
        if fault == "429":
            retry = [(b"retry-after", str(settings.retry_after).encode())]
            body = {"error": [{"code": "TooManyRequests", "title": "Too many requests"}]}
            await _respond(send, 429, headers + retry, _json_bytes(body))
        elif fault == "500":
            body = {"errors": [{"code": "InternalError", "title": "Internal server error"}]}
            await _respond(send, 500, headers, _json_bytes(body))
        elif fault == "503":
            await _respond(send, 503, headers, b"Service Unavailable", content_type=_TEXT)
        else:  # 520: what Cloudflare answers when the origin misbehaves
            await _respond(send, int(fault), headers, b"error code: 520", content_type=_TEXT)

    # -- the events routes ---------------------------------------------------------------------

    def _page(self, scope: Scope, route: tuple[str, str | None]) -> bytes:
        kind, path_value = route
        params = _query(scope)
        query = EventQuery(**self._selector(kind, path_value, params))
        query = _filters(query, params)
        size = _page_size(params.get("page[size]"))
        after = params.get("page[after]")
        after_seq = 0
        if after is not None:
            decoded = decode_cursor(after, self.store.cursor_secret)
            if decoded is None:
                raise _errors(
                    400,
                    "InvalidPaginationParameter",
                    "Invalid pagination cursor",
                    "page[after] is not a cursor this server issued",
                )
            after_seq = decoded
        rows = self.store.page(
            EventQuery(
                profile_id=query.profile_id,
                user_id=query.user_id,
                source=query.source,
                type=query.type,
                start_ns=query.start_ns,
                end_ns=query.end_ns,
                after_seq=after_seq,
                limit=size + 1,
            )
        )
        has_more = len(rows) > size
        rows = rows[:size]
        # With nothing new, the same position goes back, so a client can poll from it.
        cursor = encode_cursor(rows[-1][0], self.store.cursor_secret) if rows else after
        next_url = _next_url(scope, params, size, cursor) if has_more and cursor else ""
        return b"".join(
            (
                b'{"events":[',
                ",".join(body for _, body in rows).encode(),
                b'],"links":[{"next":',
                json.dumps(next_url).encode(),
                b'}],"meta":{"after_cursor":',
                json.dumps(cursor).encode(),
                b',"has_more":',
                b"true" if has_more else b"false",
                b"}}",
            )
        )

    def _selector(
        self, kind: str, path_value: str | None, params: dict[str, str]
    ) -> dict[str, Any]:
        if kind == "identifier":
            identifier = params.get("identifier")
            if identifier is None or not _IDENTIFIER_PATTERN.search(identifier):
                raise _errors(
                    400,
                    "InvalidIdentifier",
                    "Identifier query is not valid",
                    "identifier must look like source:type:identifier_type:identifier_value",
                )
            source, ptype, id_type, value = identifier.split(":", 3)
            profile_id = self.store.profile_by_identifier(source, ptype, id_type, value)
            if profile_id is None:
                _check_filters(params)
                raise _errors(404, "NotFound", "Profile not found")
            return {"profile_id": profile_id}
        assert path_value is not None
        if kind == "profile":
            if not path_value:
                raise _errors(400, "InvalidProfileId", "Profile id is not valid")
            if not self.store.has_profile(path_value):
                _check_filters(params)
                raise _errors(404, "NotFound", "Profile not found")
            return {"profile_id": path_value}
        user_id = int(path_value) if _DIGITS.fullmatch(path_value) else 0
        if not 1 <= user_id <= INT64_MAX:
            message = "You passed an invalid value for the user_id attribute. must be an integer"
            raise _Problem(400, {"error": {"title": "Invalid attribute", "message": message}})
        if not self.store.has_user(user_id):
            _check_filters(params)
            raise _errors(404, "NotFound", "User not found")
        return {"user_id": user_id}


def _route(raw_path: bytes) -> tuple[str, str | None] | None:
    """``(kind, path parameter)`` for the three routes, else ``None``."""
    parts = raw_path.split(b"/")
    if len(parts) == 5 and parts[:5] == [b"", b"api", b"v2", b"user_profiles", b"events"]:
        return ("identifier", None)
    if len(parts) != 6 or parts[:3] != [b"", b"api", b"v2"] or parts[5] != b"events":
        return None
    if parts[3] == b"user_profiles":
        kind = "profile"
    elif parts[3] == b"users":
        kind = "user"
    else:
        return None
    try:
        value = unquote(parts[4].decode("ascii"), errors="strict")
    except UnicodeDecodeError:
        return None
    return (kind, value)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _query(scope: Scope) -> dict[str, str]:
    """The known query parameters; a repeated one is a 400 (it can only be a mistake)."""
    try:
        pairs = parse_qsl(
            bytes(scope.get("query_string", b"")).decode("ascii"),
            keep_blank_values=True,
            errors="strict",
        )
    except UnicodeDecodeError:
        raise _errors(400, "InvalidParameter", "Query string is not valid UTF-8") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name not in _KNOWN_PARAMETERS:
            continue  # Zendesk ignores parameters it does not know
        if name in params:
            raise _errors(400, "InvalidParameter", f"{name} may be given only once")
        params[name] = value
    return params


def _check_filters(params: dict[str, str]) -> None:
    """Validate filters before answering 404, so a bad request is a 400 whatever it selects."""
    _filters(EventQuery(), params)
    _page_size(params.get("page[size]"))


def _filters(query: EventQuery, params: dict[str, str]) -> EventQuery:
    source = params.get("filter[source]")
    event_type = params.get("filter[type]")
    if source == "":
        raise _errors(400, "InvalidFilter", "filter[source] must not be empty")
    if event_type == "":
        raise _errors(400, "InvalidFilter", "filter[type] must not be empty")
    if event_type is not None and source is None:
        raise _errors(
            400,
            "InvalidFilter",
            "filter[type] requires filter[source]",
            "an event type is only unique within its source",
        )
    start_ns = end_ns = None
    if "filter[start_time]" in params:
        start_ns = parse_filter_ns(params["filter[start_time]"], end=False)
        if start_ns is None:
            raise _errors(400, "StartTimestampNotValid", "Start timestamp is not valid")
    if "filter[end_time]" in params:
        end_ns = parse_filter_ns(params["filter[end_time]"], end=True)
        if end_ns is None:
            raise _errors(400, "EndTimestampNotValid", "End timestamp is not valid")
    return EventQuery(
        profile_id=query.profile_id,
        user_id=query.user_id,
        source=source,
        type=event_type,
        start_ns=start_ns,
        end_ns=end_ns,
    )


def _page_size(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_SIZE
    size = int(raw) if _DIGITS.fullmatch(raw) and len(raw) < 10 else 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise _errors(
            400,
            "InvalidPaginationParameter",
            "Invalid page size",
            f"page[size] must be an integer from 1 to {MAX_PAGE_SIZE}",
        )
    return size


def _next_url(scope: Scope, params: dict[str, str], size: int, cursor: str) -> str:
    """An absolute link to the next page, built from the request's own scheme and host."""
    host = _header(scope, b"host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    path = bytes(scope.get("raw_path") or scope["path"].encode()).decode("ascii")
    pairs = [(name, params[name]) for name in _KNOWN_PARAMETERS[:5] if name in params]
    pairs += [("page[size]", str(size)), ("page[after]", cursor)]
    return f"{scope.get('scheme', 'http')}://{host}{path}?{urlencode(pairs, quote_via=quote)}"


def _rate_headers(decision: RateDecision) -> Headers:
    return [
        (b"x-rate-limit", str(decision.limit).encode()),
        (b"x-rate-limit-remaining", str(decision.remaining).encode()),
    ]


async def _respond(
    send: Send,
    status: int,
    headers: Headers,
    body: bytes,
    *,
    content_type: tuple[bytes, bytes] = _JSON,
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [content_type, (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _transport(send: Send) -> asyncio.BaseTransport | None:
    # ASGI has no way to drop a connection. uvicorn's `send` is a bound method of its
    # request cycle, which holds the socket's transport; other servers get the fallback.
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    return transport if isinstance(transport, asyncio.BaseTransport) else None


async def _drop_connection(send: Send) -> None:
    """Close the socket without sending a single byte of response."""
    transport = _transport(send)
    if transport is None:
        raise ConnectionAbortedError("sandbox fault injection: dropped connection")
    transport.close()
    # Let the server see the disconnect before the app returns, so it does not answer 500.
    for _ in range(3):
        await asyncio.sleep(0)


async def _send_truncated(send: Send, headers: Headers, body: bytes) -> None:
    """Promise ``len(body)`` bytes, send about half of them, then close the connection."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [_JSON, (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
    transport = _transport(send)
    if transport is not None:
        transport.close()  # close() flushes what was written before closing
        for _ in range(3):
            await asyncio.sleep(0)
    # Returning with the body incomplete makes uvicorn close the connection in any case.
