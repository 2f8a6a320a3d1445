"""The ASGI application that serves the Events and Profiles API routes of the spec.

It is plain ASGI rather than a framework app: a page is one indexed query whose stored JSON
texts are spliced into the body, and fault injection needs to send status codes, headers and
partial bodies that frameworks smooth over.

Routes: reading events (``GET``) and tracking an event (``POST``) by identifier, profile id
or user id; reading a profile by identifier or id, and a user's profiles; creating or
replacing a profile (``PUT``) by identifier (for a user) or id, merging into one (``PATCH``)
by identifier or id, and deleting one with its events (``DELETE``); the cursor-based
incremental user export (admins only, with its own per-minute limit).
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
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, unquote, urlencode

from ._cursor import decode_cursor, encode_cursor
from ._ids import new_ulid
from ._nanos import now_ns, parse_filter_ns
from ._oauth import Refused
from ._quota import QuotaState
from ._records import (
    INT64_MAX,
    RecordError,
    load_json,
    parse_profile_changes,
    parse_profile_write,
    parse_track,
)
from ._settings import Settings
from ._store import PageRequest, Store

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100
MAX_BODY_BYTES = 1 << 20  # one event per request; Zendesk documents no size, this is ample
# The spec's pattern, applied the way JSON Schema applies patterns (a search, not a full
# match), so that the sandbox and schemathesis agree on which identifiers are well formed.
_IDENTIFIER_PATTERN = re.compile(r"^[^:]+:[^:]+:[^:]+:.+$")
_DIGITS = re.compile(r"[0-9]+")
_USER_ID_DIGITS = len(str(INT64_MAX))
_FILTER_PARAMETERS = (
    "filter[source]",
    "filter[type]",
    "filter[start_time]",
    "filter[end_time]",
)
_KNOWN_PARAMETERS = (
    "identifier",
    *_FILTER_PARAMETERS,
    "page[size]",
    "page[after]",
    *("start_time", "cursor", "per_page"),  # the user export's
)
_USERS_EXPORT_PATHS = (
    b"/api/v2/incremental/users/cursor",
    b"/api/v2/incremental/users/cursor.json",
)
DEFAULT_USERS_PER_PAGE = 1000
MAX_USERS_PER_PAGE = 1000
#: A new user export starts at least this far in the past (Zendesk: a minute).
_EXPORT_LAG_SECONDS = 60
#: What a user export's cursor is bound to (it pages all users, whatever the start time).
_USERS_BINDING = b'["users_export"]'

_JSON = (b"content-type", b"application/json; charset=utf-8")
_TEXT = (b"content-type", b"text/plain; charset=utf-8")

# Route name -> the methods it answers.
_METHODS = {
    "identifier_events": ("GET", "POST"),
    "profile_events": ("GET", "POST"),
    "user_events": ("GET", "POST"),
    "identifier_profile": ("GET", "PUT", "PATCH"),
    "profile": ("GET", "PUT", "PATCH", "DELETE"),
    "user_profiles": ("GET", "PUT"),
    "users_export": ("GET",),
}
# The OAuth routes (exact paths) -> the methods each answers.
_OAUTH_METHODS = {
    b"/oauth/authorizations/new": ("GET",),
    b"/oauth/tokens": ("POST",),
    b"/api/v2/oauth/tokens/current.json": ("GET", "DELETE"),
}
# Faults answered before the request is handled (a write is then not stored).
_FAULTS_BEFORE = frozenset({"429", "500", "503", "520", "drop"})


class _Problem(Exception):
    """A 4xx answer, raised from deep inside request parsing."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


class _Disconnected(Exception):
    """The client went away before its request body arrived."""


def _errors(status: int, code: str, title: str, detail: str | None = None) -> _Problem:
    item: dict[str, str] = {"code": code, "title": title, "id": new_ulid()}
    if detail:
        item["detail"] = detail
    return _Problem(status, {"errors": [item]})


def _json_bytes(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class ASGIApp(Protocol):
    """The sandbox as an ASGI application (``create_app``), over its ``store``."""

    store: Store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection (``http`` or ``lifespan``)."""


class SandboxApp:
    """ASGI app serving the Events and Profiles API routes from a ``Store``."""

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
        quota = settings.quota
        request_id = uuid.uuid4().hex
        base_headers: Headers = [(b"x-request-id", request_id.encode())]
        # Answers that do not count against the limit still show where it stands.
        uncounted = [*base_headers, *(_rate_headers(quota.peek()) if quota else [])]
        raw_path = bytes(scope.get("raw_path") or scope["path"].encode())
        if raw_path in _OAUTH_METHODS:
            await self._oauth(raw_path, scope, receive, send, uncounted)
            return
        route = _route(raw_path)
        if route is None:
            body: dict[str, Any] = {"error": "InvalidEndpoint", "description": "Not found"}
            await _respond(send, 404, uncounted, _json_bytes(body))
            return
        name, path_value = route
        method = scope["method"]
        if method not in _METHODS[name]:
            headers = [*uncounted, (b"allow", ", ".join(_METHODS[name]).encode())]
            body = {"error": "MethodNotAllowed", "description": f"{method} is not supported here"}
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

        if name == "users_export" and caller != "admin":
            body = {
                "error": {
                    "title": "Forbidden",
                    "message": "You do not have access to this page. Please contact the "
                    "account owner.",
                }
            }
            await _respond(send, 403, uncounted, _json_bytes(body))
            return

        write = method != "GET"
        missing = self._missing_scope(scope, "write" if write else "read")
        if missing is not None:
            # Zendesk's answer to a token without the scope a route needs.
            body = {
                "error": "Forbidden",
                "description": f"You are missing the following required scopes: {missing}",
            }
            await _respond(send, 403, uncounted, _json_bytes(body))
            return
        injector = settings.injector
        fault = injector.draw() if injector is not None else None
        if fault == "store-then-500" and not write:
            fault = None  # a fault of writes only: a read that draws it is served normally
        if fault in _FAULTS_BEFORE:
            await self._serve_fault(fault, send, uncounted)
            return

        headers = list(base_headers)
        if quota is not None:
            decision = quota.hit()
            headers += _rate_headers(decision)
            if not decision.allowed:
                headers.append((b"retry-after", str(decision.retry_after).encode()))
                body = {"error": [{"code": "TooManyRequests", "title": "Too many requests"}]}
                await _respond(send, 429, headers, _json_bytes(body))
                return
        export_quota = settings.export_quota
        if name == "users_export" and export_quota is not None:
            decision = export_quota.hit()
            if not decision.allowed:
                # The incremental exports' own limit: the rest of the minute to wait.
                limited = [*headers, (b"retry-after", str(decision.retry_after).encode())]
                body = {
                    "error": [
                        {
                            "code": "TooManyRequests",
                            "title": "Too many requests to the incremental export",
                        }
                    ]
                }
                await _respond(send, 429, limited, _json_bytes(body))
                return

        try:
            if method == "POST":
                raw = await _read_body(receive, settings.request_timeout)
                status, payload = 202, self._track(name, path_value, raw)
            elif write:
                raw = await _read_body(receive, settings.request_timeout)
                status, payload = self._profile_write(method, name, path_value, scope, raw)
            else:
                status, payload = 200, self._read(name, path_value, scope)
        except _Problem as problem:
            await _respond(send, problem.status, headers, _json_bytes(problem.body))
            return
        except _Disconnected:
            return
        if fault is not None and injector is not None:
            injector.record(fault)
            if fault == "truncate":
                await _send_truncated(send, status, headers, payload)
                return
            # store-then-500: stored, yet the client learns nothing of it.
            body = {"errors": [{"code": "InternalError", "title": "Internal server error"}]}
            await _respond(send, 500, headers, _json_bytes(body))
            return
        await _respond(send, status, headers, payload)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _caller(self, scope: Scope) -> str | None:
        """``"admin"``, ``"agent"`` (reads events, not the user export), ``"end_user"``
        (valid but not allowed to read), or ``None`` (401)."""
        settings = self.settings
        header = _header(scope, b"authorization")
        if header is None:
            return None
        # Bytes throughout: a header may carry any byte, and compare_digest refuses
        # non-ASCII text.
        scheme, _, credentials = header.partition(b" ")
        credentials = credentials.strip()
        if scheme.lower() == b"bearer":
            if not credentials:
                return None
            return "admin" if settings.oauth.grant_of(credentials) is not None else None
        if scheme.lower() != b"basic":
            return None
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        if not sep or not password:
            return None
        if not hmac.compare_digest(password.encode(), settings.api_token.encode()):
            return None
        if user.lower() == f"{settings.email}/token".lower():
            return "admin"
        agent = settings.agent_email
        if agent is not None and user.lower() == f"{agent}/token".lower():
            return "agent"
        end_user = settings.end_user_email
        if end_user is not None and user.lower() == f"{end_user}/token".lower():
            return "end_user"
        return None

    def _bearer(self, scope: Scope) -> bytes | None:
        header = _header(scope, b"authorization") or b""
        scheme, _, credentials = header.partition(b" ")
        return credentials.strip() if scheme.lower() == b"bearer" and credentials.strip() else None

    def _missing_scope(self, scope: Scope, needed: str) -> str | None:
        token = self._bearer(scope)
        grant = None if token is None else self.settings.oauth.grant_of(token)
        if grant is None or needed in grant.scopes:
            return None  # basic auth, and the static bearer, may do everything
        return needed

    async def _oauth(
        self, raw_path: bytes, scope: Scope, receive: Receive, send: Send, headers: Headers
    ) -> None:
        """``/oauth/authorizations/new``, ``/oauth/tokens`` and ``current.json``."""
        method = scope["method"]
        allowed = _OAUTH_METHODS[raw_path]
        oauth = self.settings.oauth
        if method not in allowed:
            extra = [*headers, (b"allow", ", ".join(allowed).encode())]
            body = {"error": "MethodNotAllowed", "description": f"{method} is not supported here"}
            await _respond(send, 405, extra, _json_bytes(body))
            return
        try:
            if raw_path == b"/oauth/authorizations/new":
                pairs = parse_qsl(
                    bytes(scope.get("query_string", b"")).decode("latin-1"),
                    keep_blank_values=True,
                )
                status, location, _ = oauth.authorize(dict(pairs))
                assert location is not None
                await _respond(send, status, [*headers, (b"location", location.encode())], b"")
                return
            if raw_path == b"/oauth/tokens":
                failure = oauth.take_failure()
                if failure is not None:
                    problem = {"errors": [{"code": "InternalError", "title": "Try again"}]}
                    await _respond(send, failure, headers, _json_bytes(problem))
                    return
                raw = await _read_body(receive, self.settings.request_timeout)
                answer = oauth.token(raw)
                await _respond(
                    send, 200, [*headers, (b"cache-control", b"no-store")], _json_bytes(answer)
                )
                return
        except _Disconnected:
            return
        except _Problem as problem:
            await _respond(send, problem.status, headers, _json_bytes(problem.body))
            return
        except Refused as refused:
            oauth.refused[refused.body["error"]] += 1
            await _respond(send, refused.status, headers, _json_bytes(refused.body))
            return
        # current.json: the bearer token this request carries.
        token = self._bearer(scope)
        grant = None if token is None else oauth.grant_of(token)
        if token is None or grant is None:
            unknown = {
                "error": [
                    {
                        "code": "MissingOrInvalidAuthentication",
                        "title": "Missing or invalid authentication",
                    }
                ]
            }
            await _respond(send, 401, headers, _json_bytes(unknown))
            return
        if method == "DELETE":
            oauth.revoke(token)  # the configured static token is not revocable
            await _respond(send, 204, headers, b"")
            return
        await _respond(send, 200, headers, _json_bytes(oauth.describe(grant)))

    async def _serve_fault(self, fault: str, send: Send, headers: Headers) -> None:
        settings = self.settings
        assert settings.injector is not None
        settings.injector.record(fault)
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

    # -- writes --------------------------------------------------------------------------------

    def _track(self, name: str, path_value: str | None, raw: bytes) -> bytes:
        """Store the event of a track body; the 202 body, or a ``_Problem``."""
        received = now_ns()
        try:
            if name == "profile_events":
                assert path_value is not None
                profile_id = _path_profile_id(path_value)
                body = load_json(raw)
                record = parse_track(
                    body, trusted=False, profile_id=profile_id, received_ns=received
                )
            elif name == "user_events":
                assert path_value is not None
                user_id = _path_user_id(path_value)
                body = load_json(raw)
                record = parse_track(body, trusted=False, user_id=user_id, received_ns=received)
            else:
                record = parse_track(load_json(raw), trusted=False, received_ns=received)
            (tracked,) = self.store._add_parsed([record], create_users=False)
        except RecordError as exc:
            raise _errors(exc.status, exc.code, exc.message) from None
        return _json_bytes(
            {
                "profile_id": tracked.profile_id,
                "status": "received",
                "user_id": str(tracked.user_id),
            }
        )

    def _profile_write(
        self, method: str, name: str, path_value: str | None, scope: Scope, raw: bytes
    ) -> tuple[int, bytes]:
        """A PUT, PATCH or DELETE of a profile: its status and body, or a ``_Problem``."""
        received = now_ns()
        store = self.store
        try:
            if method == "DELETE":
                assert path_value is not None
                store.delete_profile(_path_profile_id(path_value))
                return 204, b""
            profile_id = None if name != "profile" else _path_profile_id(path_value or "")
            user_id = None if name != "user_profiles" else _path_user_id(path_value or "")
            query = None
            if profile_id is None:
                query = self._identifier_parts(_query(scope))
            if method == "PATCH":
                changes = parse_profile_changes(load_json(raw))
                if profile_id is None:
                    assert query is not None
                    profile_id = store.profile_by_identifier(*query)
                    if profile_id is None:
                        raise _errors(404, "NotFound", "Profile not found")
                profile = store._patch_profile(profile_id, changes, received_ns=received)
                return 200, _json_bytes({"profile": profile})
            spec = parse_profile_write(load_json(raw))
            profile, created = store._put_profile(
                spec, query=query, profile_id=profile_id, user_id=user_id, received_ns=received
            )
        except RecordError as exc:
            raise _errors(exc.status, exc.code, exc.message) from None
        return (201 if created else 200), _json_bytes({"profile": profile})

    # -- reads ---------------------------------------------------------------------------------

    def _read(self, name: str, path_value: str | None, scope: Scope) -> bytes:
        params = _query(scope)
        if name == "users_export":
            return self._users_export(scope, params)
        if name.endswith("_events"):
            return self._page(scope, name, path_value, params)
        if name == "identifier_profile":
            profile_id = self._by_identifier(params)
            profile = None if profile_id is None else self.store.profile(profile_id)
            if profile is None:
                raise _errors(404, "NotFound", "Profile not found")
            return _json_bytes({"profile": profile})
        assert path_value is not None
        if name == "profile":
            profile = self.store.profile(_path_profile_id(path_value))
            if profile is None:
                raise _errors(404, "NotFound", "Profile not found")
            return _json_bytes({"profile": profile})
        user_id = _path_user_id(path_value)
        if not self.store.has_user(user_id):
            raise _errors(404, "NotFound", "User not found")
        profiles = self.store.profiles_of_user(user_id)
        return _json_bytes({"profiles": profiles})

    def _users_export(self, scope: Scope, params: dict[str, str]) -> bytes:
        size = _bounded_number(
            params.get("per_page"), "per_page", DEFAULT_USERS_PER_PAGE, MAX_USERS_PER_PAGE
        )
        secret = self.store.cursor_secret
        cursor = params.get("cursor")
        after_seq = start_time = None
        raw = params.get("start_time")
        if raw is not None:
            # Checked even beside a cursor (which it then does not change): a malformed
            # parameter is a 400 wherever it is.
            # Any Unix time of 64 bits, as the spec says (the length first: Python refuses to
            # convert more than 4,300 digits).
            digits = _DIGITS.fullmatch(raw) is not None and len(raw) <= _USER_ID_DIGITS
            start_time = int(raw) if digits and int(raw) <= INT64_MAX else -1
            if start_time < 0:
                raise _errors(400, "InvalidValue", "start_time must be Unix seconds")
        if cursor is not None:
            after_seq = decode_cursor(cursor, secret, _USERS_BINDING)
            if after_seq is None:
                raise _errors(
                    400,
                    "InvalidPaginationParameter",
                    "Invalid cursor",
                    "cursor is not a cursor this server issued for the user export",
                )
            start_time = None  # an export that goes on pages by its cursor alone
        elif start_time is None:
            raise _errors(400, "InvalidValue", "start_time or cursor is required", "start_time")
        elif start_time > self.settings.token_clock() - _EXPORT_LAG_SECONDS:
            raise _errors(
                400,
                "InvalidValue",
                "Too recent start_time",
                "use a start_time older than one minute",
            )
        rows, newest = self.store.users_page(
            after_seq=after_seq, start_time=start_time, limit=size + 1
        )
        more = len(rows) > size
        rows = rows[:size]
        # The last user served; with none, where the account stands now (or the cursor
        # given): the next export goes on from there.
        last = rows[-1][0] if rows else (after_seq if after_seq is not None else newest)
        after = encode_cursor(last, secret, _USERS_BINDING)
        after_url = f"{self._base(scope)}/api/v2/incremental/users/cursor.json?cursor={after}"
        users = ",".join(body for _, body in rows)
        return (
            f'{{"users":[{users}],"after_cursor":{json.dumps(after)},'
            f'"after_url":{json.dumps(after_url)},"before_cursor":null,"before_url":null,'
            f'"end_of_stream":{"false" if more else "true"}}}'
        ).encode()

    def _by_identifier(self, params: dict[str, str]) -> str | None:
        return self.store.profile_by_identifier(*self._identifier_parts(params))

    def _identifier_parts(self, params: dict[str, str]) -> tuple[str, str, str, str]:
        identifier = params.get("identifier")
        if identifier is None or not _IDENTIFIER_PATTERN.search(identifier):
            raise _errors(
                400,
                "InvalidIdentifier",
                "Identifier query is not valid",
                "identifier must look like source:type:identifier_type:identifier_value",
            )
        source, ptype, id_type, value = identifier.split(":", 3)
        return source, ptype, id_type, value

    def _page(
        self, scope: Scope, name: str, path_value: str | None, params: dict[str, str]
    ) -> bytes:
        selector = self._selector(name, path_value, params)
        query = _filters(selector, params)
        size = _page_size(params.get("page[size]"))
        # The cursor is bound to the route, the profile or user it selected, and the
        # filters (by their meaning: 2020-02-23 and 2020-02-23T00:00:00Z are one bound).
        binding = json.dumps(
            [
                name,
                query.profile_id,
                query.user_id,
                query.source,
                query.type,
                query.start_ns,
                query.end_ns,
            ]
        ).encode()
        after = params.get("page[after]")
        after_seq = 0
        if after is not None:
            decoded = decode_cursor(after, self.store.cursor_secret, binding)
            if decoded is None:
                raise _errors(
                    400,
                    "InvalidPaginationParameter",
                    "Invalid pagination cursor",
                    "page[after] is not a cursor this server issued for this query "
                    "(the same route, selector and filters)",
                )
            after_seq = decoded
        rows = self.store._page(
            PageRequest(
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
        secret = self.store.cursor_secret
        cursor = encode_cursor(rows[-1][0], secret, binding) if rows else after
        next_url = self._next_url(scope, params, size, cursor) if has_more and cursor else ""
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

    def _selector(self, name: str, path_value: str | None, params: dict[str, str]) -> PageRequest:
        if name == "identifier_events":
            profile_id = self._by_identifier(params)
            if profile_id is None:
                _check_filters(params)
                raise _errors(404, "NotFound", "Profile not found")
            return PageRequest(profile_id=profile_id)
        assert path_value is not None
        if name == "profile_events":
            profile_id = _path_profile_id(path_value)
            if not self.store.has_profile(profile_id):
                _check_filters(params)
                raise _errors(404, "NotFound", "Profile not found")
            return PageRequest(profile_id=profile_id)
        user_id = _path_user_id(path_value)
        if not self.store.has_user(user_id):
            _check_filters(params)
            raise _errors(404, "NotFound", "User not found")
        return PageRequest(user_id=user_id)

    def _base(self, scope: Scope) -> str:
        """The address the sandbox serves on, for links (never from the ``Host`` header: a
        client could make it point anywhere)."""
        base = self.settings.base_url
        if base is None:
            host, port = scope.get("server") or ("127.0.0.1", 80)
            host = f"[{host}]" if ":" in host else host
            base = f"{scope.get('scheme', 'http')}://{host}:{port}"
        return base

    def _next_url(self, scope: Scope, params: dict[str, str], size: int, cursor: str) -> str:
        """An absolute link to the next page, on the address the sandbox serves on.

        Never from the ``Host`` header: a client could make it point anywhere.
        """
        base = self._base(scope)
        path = bytes(scope.get("raw_path") or scope["path"].encode()).decode("ascii")
        pairs = [(name, params[name]) for name in _KNOWN_PARAMETERS[:5] if name in params]
        pairs += [("page[size]", str(size)), ("page[after]", cursor)]
        return f"{base}{path}?{urlencode(pairs, quote_via=quote)}"


def _route(raw_path: bytes) -> tuple[str, str | None] | None:
    """``(route name, path parameter)`` for the served routes, else ``None``."""
    if raw_path in _USERS_EXPORT_PATHS:
        return ("users_export", None)
    parts = raw_path.split(b"/")
    if parts[:3] != [b"", b"api", b"v2"] or len(parts) not in (4, 5, 6):
        return None
    rest = parts[3:]
    if rest == [b"user_profiles"]:
        return ("identifier_profile", None)
    if rest == [b"user_profiles", b"events"]:
        return ("identifier_events", None)
    if len(rest) == 1 or rest[0] not in (b"user_profiles", b"users"):
        return None
    if len(rest) == 3:
        if rest[2] == b"events":
            name = "profile_events" if rest[0] == b"user_profiles" else "user_events"
        elif rest == [b"users", rest[1], b"profiles"]:
            name = "user_profiles"
        else:
            return None
    elif rest[0] == b"user_profiles":
        name = "profile"
    else:
        return None
    try:
        value = unquote(rest[1].decode("ascii"), errors="strict")
    except UnicodeDecodeError:
        return None
    return (name, value)


def _path_profile_id(value: str) -> str:
    if not value:
        raise _errors(400, "InvalidProfileId", "Profile id is not valid")
    return value


def _path_user_id(value: str) -> int:
    # The length is checked first: Python refuses to convert more than 4,300 digits.
    digits = _DIGITS.fullmatch(value) is not None and len(value) <= _USER_ID_DIGITS
    user_id = int(value) if digits else 0
    if not 1 <= user_id <= INT64_MAX:
        message = "You passed an invalid value for the user_id attribute. must be an integer"
        raise _Problem(400, {"error": {"title": "Invalid attribute", "message": message}})
    return user_id


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
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
    _filters(PageRequest(), params)
    _page_size(params.get("page[size]"))


def _filters(selector: PageRequest, params: dict[str, str]) -> PageRequest:
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
    return PageRequest(
        profile_id=selector.profile_id,
        user_id=selector.user_id,
        source=source,
        type=event_type,
        start_ns=start_ns,
        end_ns=end_ns,
    )


def _bounded_number(raw: str | None, name: str, default: int, largest: int) -> int:
    if raw is None:
        return default
    value = int(raw) if _DIGITS.fullmatch(raw) and len(raw) < 10 else 0
    if not 1 <= value <= largest:
        raise _errors(
            400,
            "InvalidPaginationParameter",
            f"Invalid {name}",
            f"{name} must be an integer from 1 to {largest}",
        )
    return value


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


async def _read_body(receive: Receive, timeout: float) -> bytes:
    """The request body, bounded in size and in time (a slow sender is a 408)."""

    async def read() -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = bytes(message.get("body", b""))
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _errors(
                    413, "PayloadTooLarge", f"The body is larger than {MAX_BODY_BYTES} bytes"
                )
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    try:
        return await asyncio.wait_for(read(), timeout)
    except TimeoutError:
        raise _errors(408, "RequestTimeout", "The body did not arrive in time") from None


def _rate_headers(decision: QuotaState) -> Headers:
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
            # A 204 has no body, so no content headers either.
            "headers": headers
            if status == 204
            else [content_type, (b"content-length", str(len(body)).encode()), *headers],
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


async def _send_truncated(send: Send, status: int, headers: Headers, body: bytes) -> None:
    """Promise ``len(body)`` bytes, send about half of them, then close the connection."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
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
