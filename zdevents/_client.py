"""``Client`` and ``AsyncClient``: the public entry points.

Requests are built by the generated package (``_routes``), pages followed by ``_pagination``,
retries decided by ``_retry``, pacing by ``_ratelimit``, failures described by ``_failures``,
bytes read off the wire by ``_transport``; this module only sends.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import platform
import re
import ssl
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, Final, Self, TypeVar

import attrs
import httpx

from . import _bulk
from ._auth import Auth, StoredLoginAuth, login_store, resolve_auth
from ._bulk import Job, OnMissing, Selector
from ._config import ENV_HELP, base_url_of, env_settings, login_home, login_store_kind
from ._event import Event
from ._failures import describe_write_failure, error_from_response, transport_errors
from ._identifier import Identifier
from ._logs import guard
from ._pagination import PageRequest, Walk
from ._profiles import (
    Profile,
    async_fetch_profile,
    async_fetch_profiles,
    fetch_profile,
    fetch_profiles,
)
from ._query import MAX_PAGE_SIZE, EventQuery, make_query
from ._ratelimit import MAX_SECONDS, RateLimiter
from ._responses import Page, decode_page
from ._retry import Attempts, RetryPolicy
from ._routes import Request
from ._time import TimeInput
from ._track import Outcome, Stopped, TrackResult, async_track, async_track_many, track, track_many
from ._transport import (
    ACCEPT_ENCODING,
    ERROR_BODY_LIMIT,
    BodyReader,
    TooLarge,
    Undecodable,
    async_transport,
    deadline,
    past_deadline,
    rebuilt,
    sync_transport,
)
from ._version import __version__
from .errors import (
    AuthenticationError,
    BadResponseError,
    ClientClosedError,
    ConfigurationError,
    ZendeskError,
)

T = TypeVar("T")

logger = logging.getLogger("zdevents")

#: Never unlimited: 30 s for the whole response of one request, 10 s to connect.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: The largest page body taken, raw or decoded: a page of 100 events is rarely over 1 MB.
DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024
USER_AGENT = f"zdevents/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_ROUTE_WORD = re.compile(r"[a-z_]+|v[0-9]+")


class NotGiven:
    """The default of :meth:`Client.with_options` arguments: keep the current setting."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Final = NotGiven()


#: Sent with every request; a client's own pool has them as its default headers.
_FIXED_HEADERS: Final = {
    "Accept": "application/json",
    "Accept-Encoding": ACCEPT_ENCODING,
    "User-Agent": USER_AGENT,
}


#: Credentials a client is built with other than through its keywords (see with_auth).
_GIVEN_AUTH: ContextVar[Auth | None] = ContextVar("_GIVEN_AUTH", default=None)
C = TypeVar("C", bound="_BaseClient")


def with_auth(cls: Callable[..., C], auth: Auth | None, **options: Any) -> C:
    """``cls(**options)`` whose credentials are ``auth`` (a stored login, or none for the
    token requests of a login) rather than those its keywords describe."""
    token = _GIVEN_AUTH.set(auth)
    try:
        return cls(**options)
    finally:
        _GIVEN_AUTH.reset(token)


_CREDENTIAL_KEYS = ("email", "api_token", "oauth_token", "oauth_client_id")


def _longest(timeout: httpx.Timeout) -> float:
    """The longest wait of ``timeout`` (infinite if any is unbounded)."""
    waits = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    return math.inf if None in waits else max(w for w in waits if w is not None)


def _label(method: str, path: str) -> str:
    """The route of a request without the ids in its path, for INFO log records."""
    parts = [p if _ROUTE_WORD.fullmatch(p) else "{id}" for p in path.split("/") if p]
    return f"{method} /{'/'.join(parts)}"


def _timeout(value: object) -> tuple[httpx.Timeout, float | None]:
    """The httpx timeout and the bound for one whole response; every value finite-clamped."""

    def seconds(name: str, x: object) -> float | None:
        if x is None:
            return None
        if isinstance(x, bool) or not isinstance(x, int | float):
            raise TypeError(f"{name} must be a number of seconds, not {type(x).__name__}")
        if isinstance(x, int) and x > MAX_SECONDS:
            x = MAX_SECONDS  # 10**400 is past a float's range
        if math.isnan(x) or x <= 0:
            raise ValueError(f"{name}={x!r} must be a positive number of seconds")
        # Socket timeouts and sleeps overflow near 2**63 ns; nobody means more than this.
        return min(float(x), MAX_SECONDS)

    if isinstance(value, httpx.Timeout):
        parts = {
            k: seconds(f"timeout.{k}", getattr(value, k))
            for k in ("connect", "read", "write", "pool")
        }
        given = [x for x in parts.values() if x is not None]
        return httpx.Timeout(**parts), max(given) if given else None
    total = seconds("timeout", value)
    return httpx.Timeout(total), total


def _body_limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"max_body_size must be an int, not {type(value).__name__}")
    if value < 1024:
        raise ValueError(f"max_body_size={value!r} must be at least 1024 bytes")
    return value


@attrs.frozen
class _Settings:
    """A client's validated settings; :meth:`Client.with_options` evolves a copy."""

    timeout: httpx.Timeout
    total: float | None
    policy: RetryPolicy
    max_body_size: int


def _settings(
    timeout: object,
    max_retries: object,
    backoff_base: object,
    backoff_cap: object,
    max_retry_after: object,
    retry_budget: object,
    retry_writes: object,
    max_body_size: object,
) -> _Settings:
    httpx_timeout, total = _timeout(timeout)
    try:
        policy = RetryPolicy(
            max_retries,  # type: ignore[arg-type]
            backoff_base,
            backoff_cap,
            max_retry_after,
            retry_budget,
            retry_writes,  # type: ignore[arg-type]
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"invalid retry settings: {exc}") from None
    return _Settings(httpx_timeout, total, policy, _body_limit(max_body_size))


_OPTIONS_DOC = """
        Args:
            subdomain: the account's subdomain (``coolbikes`` for coolbikes.zendesk.com).
            base_url: instead of ``subdomain``, the API origin (plain ``http://`` only for
                loopback hosts, e.g. the sandbox).
            email: the agent's email, with ``api_token``.
            api_token: an API token (Admin Center > Apps and integrations > Zendesk API).
            oauth_token: instead of ``email``/``api_token``, an OAuth access token, used as
                it is: zdevents cannot renew it (tokens of clients made since 2026-04-30
                expire after 30 minutes by default).
            oauth_client_id: with ``oauth_client_secret``, OAuth client credentials (a
                confidential client; cron, CI): a token is minted, cached and minted again
                shortly before it expires, one mint at a time for the client and its
                :meth:`with_options` copies.
            oauth_client_secret: the secret of that client.
            oauth_scope: the scope asked for with client credentials (``"read write"``).
            timeout: seconds for the whole response of one request, headers and body (or an
                ``httpx.Timeout``, whose largest value bounds the whole response); 30 s, and
                10 s to connect, by default. Values over 30 days count as 30 days.
            max_retries: retries of one request after a transient failure (4; 0 disables).
            backoff_base: seconds of the first backoff, doubled at each retry (0.5).
            backoff_cap: the longest backoff in seconds (8).
            max_retry_after: a ``Retry-After`` (or a rate-limit pause) longer than this
                many seconds raises at once (60).
            retry_budget: seconds one call may take, retries and waits included (no bound
                by default); a request in flight gets at most what is left of it.
            retry_writes: also retry a write (``POST``) that may have reached Zendesk (a
                5xx, a timeout, a dropped connection after sending). Off by default:
                Zendesk has no idempotency key, so a retried write may store an event
                twice. A 429 and a refused connection are retried either way.
            rate_limit: requests a minute this client stays under (shared by every call,
                thread and task of the client, and by its :meth:`with_options` copies).
            max_body_size: the largest response body in bytes, compressed or decoded
                (64 MiB); a larger page raises :class:`~zdevents.errors.BadResponseError`,
                read in bounded memory, not retried.
            verify: TLS verification: ``True``, a CA bundle path or an ``ssl.SSLContext``.
            trust_env: use the environment's proxies (``HTTPS_PROXY``, ``ALL_PROXY``,
                ``NO_PROXY``) and ``SSL_CERT_FILE``; loopback hosts never go through a proxy.
"""


class _BaseClient:
    _http: Any

    _own_http: bool
    _fixed_headers: bool  # whether self._http sends _FIXED_HEADERS by itself

    def __init__(
        self,
        *,
        subdomain: str | None,
        base_url: str | None,
        email: str | None,
        api_token: str | None,
        oauth_token: str | None,
        oauth_client_id: str | None,
        oauth_client_secret: str | None,
        oauth_scope: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        backoff_base: float,
        backoff_cap: float,
        max_retry_after: float,
        retry_budget: float | None,
        retry_writes: bool,
        rate_limit: float | None,
        max_body_size: int,
        verify: bool | str | ssl.SSLContext,
        trust_env: bool,
    ) -> None:
        self._settings = _settings(
            timeout, max_retries, backoff_base, backoff_cap, max_retry_after,
            retry_budget, retry_writes, max_body_size,
        )  # fmt: skip
        self.base_url = base_url_of(subdomain, base_url)
        auth = _GIVEN_AUTH.get()
        if auth is None:
            auth = resolve_auth(
                email=email, api_token=api_token, oauth_token=oauth_token,
                oauth_client_id=oauth_client_id, oauth_client_secret=oauth_client_secret,
                oauth_scope=oauth_scope,
            )  # fmt: skip
        self._auth = auth
        self._auth_kind = auth.kind
        #: Every secret in use (tokens rotate): what errors and log records are scrubbed of.
        self._authorization = auth.scrubber
        guard(self._authorization)
        self._email = email if self._auth_kind == "api_token" else None
        self._limiter = RateLimiter(rate_limit)
        self._verify = verify
        self._trust_env = trust_env

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        subdomain: str | None = None,
        base_url: str | None = None,
        email: str | None = None,
        api_token: str | None = None,
        oauth_token: str | None = None,
        oauth_client_id: str | None = None,
        oauth_client_secret: str | None = None,
        oauth_scope: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_retry_after: float = 60.0,
        retry_budget: float | None = None,
        retry_writes: bool = False,
        rate_limit: float | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        verify: bool | str | ssl.SSLContext = True,
        trust_env: bool = True,
    ) -> Self:
        """A client configured from ``ZENDESK_SUBDOMAIN`` or ``ZENDESK_BASE_URL`` (not both)
        and credentials of exactly one kind: ``ZENDESK_OAUTH_CLIENT_ID`` with
        ``ZENDESK_OAUTH_CLIENT_SECRET`` (and ``ZENDESK_OAUTH_SCOPE``), ``ZENDESK_OAUTH_TOKEN``,
        or ``ZENDESK_EMAIL`` with ``ZENDESK_API_TOKEN``; with none of them, the login
        ``zdevents auth login`` stored for the account (under ``ZDEVENTS_HOME``, by default
        ``~/.config/zdevents``), refreshed as it nears expiry.

        ``environ`` replaces ``os.environ``. The other arguments are the client's own (see
        below); an account (``subdomain``/``base_url``) or credentials given here replace
        those of the environment. Raises :class:`~zdevents.errors.ConfigurationError`
        naming what is missing, or naming the variables of two kinds of credentials.
        """
        given = {"subdomain": subdomain, "base_url": base_url, "email": email}
        given |= {"api_token": api_token, "oauth_token": oauth_token}
        given |= {"oauth_client_id": oauth_client_id, "oauth_client_secret": oauth_client_secret}
        given |= {"oauth_scope": oauth_scope}
        explicit = {k: v for k, v in given.items() if v is not None}
        # An explicit argument replaces the whole group it belongs to (account or credentials).
        own_credentials = any(
            v is not None
            for v in (email, api_token, oauth_token, oauth_client_id, oauth_client_secret)
        )
        settings = env_settings(
            environ,
            account=subdomain is None and base_url is None,
            credentials=not own_credentials,
        )
        account: dict[str, Any] = {**settings, **explicit}
        if not own_credentials and not any(k in settings for k in _CREDENTIAL_KEYS):
            url = base_url_of(account.get("subdomain"), account.get("base_url"))
            store = login_store(login_home(environ), url, login_store_kind(environ))
            if not store.exists():
                raise ConfigurationError(f"no Zendesk credentials: {ENV_HELP}")
            if oauth_scope is not None:
                # A login's scopes were granted at login: they cannot change per client.
                raise ConfigurationError(
                    "oauth_scope applies to client credentials; the stored login has the "
                    "scopes granted when it was made: run `zdevents auth login --scope S` "
                    "to change them"
                )
            auth: Auth | None = StoredLoginAuth(store)
        else:
            auth = None
        return with_auth(
            cls,
            auth,
            **account,
            timeout=timeout,
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            max_retry_after=max_retry_after,
            retry_budget=retry_budget,
            retry_writes=retry_writes,
            rate_limit=rate_limit,
            max_body_size=max_body_size,
            verify=verify,
            trust_env=trust_env,
        )

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        backoff_base: float | NotGiven = NOT_GIVEN,
        backoff_cap: float | NotGiven = NOT_GIVEN,
        max_retry_after: float | NotGiven = NOT_GIVEN,
        retry_budget: float | NotGiven | None = NOT_GIVEN,
        retry_writes: bool | NotGiven = NOT_GIVEN,
        max_body_size: int | NotGiven = NOT_GIVEN,
    ) -> Self:
        """A client of the same class with other settings for some calls, sharing this
        one's connection pool, credentials and rate limiter (the openai-python pattern).

        >>> fast = client.with_options(timeout=5, max_retries=0)

        Closing the copy does not close this client's pool.
        """
        old = self._settings
        policy = old.policy
        settings = _settings(
            old.timeout if isinstance(timeout, NotGiven) else timeout,
            policy.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            policy.backoff_base if isinstance(backoff_base, NotGiven) else backoff_base,
            policy.backoff_cap if isinstance(backoff_cap, NotGiven) else backoff_cap,
            policy.max_retry_after if isinstance(max_retry_after, NotGiven) else max_retry_after,
            policy.budget if isinstance(retry_budget, NotGiven) else retry_budget,
            policy.retry_writes if isinstance(retry_writes, NotGiven) else retry_writes,
            old.max_body_size if isinstance(max_body_size, NotGiven) else max_body_size,
        )
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy._settings = settings
        copy._own_http = False  # the pool stays the original's to close
        return copy

    def _query(
        self,
        identifier: Identifier | str | None,
        profile_id: str | None,
        user_id: int | str | None,
        *,
        source: str | None,
        type: str | None,
        start: TimeInput | None,
        end: TimeInput | None,
        page_size: int,
        after: str | None,
        limit: int | None,
    ) -> EventQuery:
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int):
                raise TypeError(f"limit must be an int, not {limit.__class__.__name__}")
            if limit < 1:
                raise ValueError(f"limit={limit!r} must be a positive number of events")
            if isinstance(page_size, int) and not isinstance(page_size, bool):
                # No page holds more than is needed.
                page_size = min(page_size, limit)
        return make_query(
            identifier, profile_id, user_id,
            source=source, type=type, start=start, end=end, page_size=page_size, after=after,
        )  # fmt: skip

    def _jobs(
        self,
        selectors: Iterable[Selector],
        concurrency: int,
        on_missing: OnMissing,
        filters: Mapping[str, Any],
    ) -> list[Job]:
        # events_many and pages_many of both clients: every selector checked before sending.
        return _bulk.plan(selectors, concurrency, on_missing, filters)

    def _prepare(
        self,
        method: str,
        url: httpx.URL | str,
        params: Mapping[str, Any] | None,
        json: object,
        attempts: Attempts,
        authorization: str | None,
    ) -> tuple[httpx.Request, float | None]:
        """The one place a request gets its headers, credentials included (``None``: the
        token endpoint, where the client authenticates in the body), and the seconds its
        whole response may take."""
        if isinstance(url, str):
            url = self.base_url.copy_with(path=self.base_url.path.rstrip("/") + url)
        headers = {} if authorization is None else {"Authorization": authorization}
        if not self._fixed_headers:
            # A pool passed in gets the fixed headers with each request; our own pool has
            # them as its defaults, which spares httpx a merge of four headers per request.
            headers.update(_FIXED_HEADERS)
        seconds = attempts.time_left(self._settings.total)
        timeout = self._settings.timeout
        if seconds is not None and seconds < _longest(timeout):
            # No single socket operation may wait longer than the whole response may.
            timeout = httpx.Timeout(
                **{k: None if v is None else min(v, seconds) for k, v in timeout.as_dict().items()}
            )
        request = self._http.build_request(
            method, url, params=params, json=json, headers=headers, timeout=timeout
        )
        return request, seconds

    def _attempts(
        self, method: str, url: httpx.URL | str, *, idempotent: bool = False
    ) -> tuple[str, Attempts]:
        path = url if isinstance(url, str) else url.path
        write = method.upper() in _WRITE_METHODS and not idempotent
        attempts = self._settings.policy.start(_label(method, path), self._limiter, write=write)
        return f"{method} {path}", attempts

    def _failed(self, error: ZendeskError, method: str, idempotent: bool = False) -> ZendeskError:
        if method.upper() in _WRITE_METHODS and not idempotent:
            describe_write_failure(error)
        return error

    def _check_open(self) -> None:
        if self._http.is_closed:
            raise ClientClosedError(
                f"this {type(self).__name__} is closed: make a new one, or use it inside its "
                "`with` block"
            )

    def _walk(self, query: EventQuery) -> Walk:
        return Walk(query, self.base_url)

    def __repr__(self) -> str:
        who = f", email={self._email!r}" if self._email else ""
        return (
            f"{type(self).__name__}(base_url={str(self.base_url)!r}, auth={self._auth_kind!r}{who})"
        )


def _json_body(response: httpx.Response) -> Any:
    """The JSON of a token-endpoint or token answer (an object), else BadResponseError."""
    if response.status_code == 204 or not response.content:
        return {}
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        raise BadResponseError("the OAuth answer is not JSON", kind="undecodable") from None
    if not isinstance(body, dict):
        raise BadResponseError("the OAuth answer is not a JSON object")
    return body


def _body_error(what: str, status: int, exc: Exception, limit: int) -> Exception:
    if isinstance(exc, TooLarge):
        return BadResponseError(
            f"{what}: the {status} response body is over max_body_size ({limit} bytes)",
            kind="too_large",
        )
    return BadResponseError(f"{what}: {exc}", kind="undecodable")


def _reader(response: httpx.Response, limit: int) -> BodyReader:
    status = response.status_code
    cap = limit if 200 <= status < 300 else min(limit, ERROR_BODY_LIMIT)
    # A response built in memory (httpx.MockTransport) comes read and decoded already.
    encoding = None if response.is_stream_consumed else response.headers.get("content-encoding")
    return BodyReader(encoding, cap)


class Client(_BaseClient):
    """A synchronous Events API client; safe to share between threads.

    >>> client = Client(subdomain="coolbikes", email="devs@coolbikes.com", api_token="...")
    >>> for event in client.events(identifier="coolbikes:rider:email:jdoe@example.com",
    ...                            start="2020-02-23", end="2020-02-29"):
    ...     print(event.type, event.created_at)

    Credentials: ``email`` with ``api_token``, or ``oauth_token`` (giving both is a
    :class:`~zdevents.errors.ConfigurationError`). Account: ``subdomain`` or ``base_url``.
    Every argument is keyword-only; see ``__init__``.
    """

    def __init__(
        self,
        *,
        subdomain: str | None = None,
        base_url: str | None = None,
        email: str | None = None,
        api_token: str | None = None,
        oauth_token: str | None = None,
        oauth_client_id: str | None = None,
        oauth_client_secret: str | None = None,
        oauth_scope: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_retry_after: float = 60.0,
        retry_budget: float | None = None,
        retry_writes: bool = False,
        rate_limit: float | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        verify: bool | str | ssl.SSLContext = True,
        trust_env: bool = True,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            subdomain=subdomain, base_url=base_url, email=email, api_token=api_token,
            oauth_token=oauth_token, oauth_client_id=oauth_client_id,
            oauth_client_secret=oauth_client_secret, oauth_scope=oauth_scope, timeout=timeout,
            max_retries=max_retries, backoff_base=backoff_base, backoff_cap=backoff_cap,
            max_retry_after=max_retry_after, retry_budget=retry_budget,
            retry_writes=retry_writes, rate_limit=rate_limit, max_body_size=max_body_size,
            verify=verify, trust_env=trust_env,
        )  # fmt: skip
        self._own_http = self._fixed_headers = http_client is None
        #: Our own pool's transport, sent to directly (see _send_raw); None for a pool passed in.
        self._transport: httpx.HTTPTransport | None = None
        if http_client is None:
            self._transport = sync_transport(self.base_url, verify=verify, trust_env=trust_env)
        self._http: httpx.Client = http_client or httpx.Client(
            headers=_FIXED_HEADERS,
            transport=self._transport,
            timeout=self._settings.timeout,
            follow_redirects=False,
            trust_env=False,  # the transport above already applied what the environment says
        )

    def events(
        self,
        *,
        identifier: Identifier | str | None = None,
        profile_id: str | None = None,
        user_id: int | str | None = None,
        source: str | None = None,
        type: str | None = None,
        start: TimeInput | None = None,
        end: TimeInput | None = None,
        page_size: int = MAX_PAGE_SIZE,
        after: str | None = None,
        limit: int | None = None,
    ) -> EventStream:
        """The events of one profile or user, across every page, lazily.

        Give exactly one of ``identifier`` (an :class:`Identifier` or its text),
        ``profile_id`` or ``user_id``. Filters: ``source``; ``type`` (needs ``source``);
        ``start`` and ``end`` (inclusive; a ``date``, an aware ``datetime`` or an ISO 8601
        string; a date as ``end`` includes that whole UTC day); ``page_size`` (1..100).
        ``after`` resumes at a cursor taken from :attr:`Page.cursor`. ``limit`` stops after
        that many events, and no page beyond them is fetched. Invalid arguments raise
        ``ValueError`` here, before any request.
        """
        query = self._query(
            identifier, profile_id, user_id,
            source=source, type=type, start=start, end=end, page_size=page_size, after=after,
            limit=limit,
        )  # fmt: skip
        return EventStream(self, query, limit)

    # -- tracking events and reading profiles (the logic is in _track and _profiles) --------

    def track(
        self,
        event: Mapping[str, Any],
        *,
        profile: Mapping[str, Any] | None = None,
        profile_id: str | None = None,
        user_id: int | str | None = None,
    ) -> TrackResult:
        """Track one event; returns Zendesk's answer (``profile_id``, ``user_id``, ``status``).

        ``event``: ``source`` and ``type`` (at most 40 characters each), optional
        ``description``, ``created_at`` (an aware ``datetime``, sent in UTC with every
        microsecond, or RFC 3339 text, sent as given) and ``properties`` (an object).
        Exactly one target: ``profile`` alone (``source``, ``type``, ``identifiers`` as
        ``[{"type", "value"}]``, optional ``name`` and ``attributes``; found by source, type
        and any identifier, or created), ``profile_id``, or ``user_id`` with ``profile``.
        Invalid arguments raise ``ValueError`` naming the field, before anything is sent.

        Not retried after it may have reached Zendesk (a 5xx, a timeout, a dropped
        connection) unless the client has ``retry_writes=True``: the error says the event
        may or may not have been stored. A 429 and a refused connection are retried.

        >>> client.track({"source": "coolbike", "type": "bike_rental_booked"},
        ...              profile={"source": "coolbikes", "type": "rider",
        ...                       "identifiers": [{"type": "email", "value": "jdoe@example.com"}]})
        TrackResult(profile_id='01E1G0NJSQPNPZRV096JXKXFAA', user_id='85211553', status='received')
        """
        return track(self, event, profile=profile, profile_id=profile_id, user_id=user_id)

    def track_many(
        self, records: Iterable[Mapping[str, Any]], *, concurrency: int = 8
    ) -> Iterator[Outcome]:
        """Track many records, ``concurrency`` at a time (worker threads sharing this
        client's pool and rate limiter), yielding one outcome per record **in input order**:
        a :class:`TrackResult`, or the exception that record met (``ValueError``/``TypeError``
        for an invalid record, else a :class:`~zdevents.errors.ZendeskError`), with a note
        ``track record N`` (0-based). One bad record never stops the rest.

        A record is ``{"event": {...}}`` plus its target as :meth:`track` takes it:
        ``"profile"``, ``"profile_id"``, or ``"user_id"`` with ``"profile"`` (the format of
        the sandbox's seed files). Records are read lazily, at most ``2 * concurrency``
        ahead of the outcome yielded; stopping early sends no record not yet started.

        >>> for record, outcome in zip(records, client.track_many(records)):
        ...     if isinstance(outcome, Exception):
        ...         print("failed:", outcome)
        """
        return track_many(self, records, concurrency)

    def profile(
        self, *, identifier: Identifier | str | None = None, profile_id: str | None = None
    ) -> Profile:
        """The profile selected by ``identifier`` (an identifier query or an
        :class:`Identifier`) or by ``profile_id``, exactly one of them. An unknown one is a
        :class:`~zdevents.errors.NotFoundError`.

        >>> client.profile(identifier="coolbikes:rider:email:jdoe@example.com").id
        '01E1G0NJSQPNPZRV096JXKXFAA'
        """
        return fetch_profile(self, identifier, profile_id)

    def profiles(self, *, user_id: int | str) -> list[Profile]:
        """The profiles of the Zendesk user ``user_id``, in the order Zendesk sends them."""
        return fetch_profiles(self, user_id)

    def events_many(
        self,
        selectors: Iterable[Selector],
        *,
        concurrency: int = 8,
        on_missing: OnMissing = "raise",
        source: str | None = None,
        type: str | None = None,
        start: TimeInput | None = None,
        end: TimeInput | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[tuple[Selector, Event]]:
        """The events of many people, ``concurrency`` at a time, as ``(selector, event)``,
        from worker threads.

        A selector is an identifier query (text or :class:`Identifier`) or a mapping with one
        of ``identifier``, ``profile_id``, ``user_id``, and optionally ``after``: a cursor
        (:attr:`Page.cursor`) to resume that selector from. The filters are arguments of the
        call and apply to every selector; a mapping that repeats one is a ``ValueError``.
        Every selector is validated before anything is sent. Each selector's events come in
        order and exactly once; selectors interleave. Workers share this client's pool and
        rate limiter; one page per worker is held at a time.

        ``on_missing`` says what a 404 (no such person) does: ``"raise"`` (the default) stops
        the export at the first error, like any other error; ``"skip"`` logs a warning on the
        ``zdevents`` logger and goes on; a function ``(selector, error) -> None`` is called
        instead of logging (in the thread or task that iterates). An error that stops the
        export is raised with ``.selector`` set to the selector whose export failed.

        >>> people = ["coolbikes:rider:email:a@example.com", {"user_id": 85211553}]
        >>> for selector, event in client.events_many(people, concurrency=20):
        ...     print(selector, event.type)
        """
        filters = {"source": source, "type": type, "start": start, "end": end}
        jobs = self._jobs(selectors, concurrency, on_missing, {**filters, "page_size": page_size})
        return _bulk.events_many(_bulk.pages_many(self._page_source, jobs, concurrency, on_missing))

    def pages_many(
        self,
        selectors: Iterable[Selector],
        *,
        concurrency: int = 8,
        on_missing: OnMissing = "raise",
        source: str | None = None,
        type: str | None = None,
        start: TimeInput | None = None,
        end: TimeInput | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[tuple[Selector, Page]]:
        """:meth:`events_many` a page at a time: ``(selector, page)``, same arguments.

        This is the way to checkpoint a bulk export: once a page's events are stored, keep
        ``page.cursor`` for its selector; ``page.has_more`` false means that selector is done.
        To resume, pass each unfinished selector as a mapping with its cursor,
        ``{"user_id": 85211553, "after": cursor}`` (``after=None``: from the start), and leave
        out the finished ones; every event then comes exactly once across the two runs. (A
        page with more to come but no cursor, which Zendesk does not send, cannot be resumed
        after: keep the selector's previous cursor and drop what came since.)
        """
        filters = {"source": source, "type": type, "start": start, "end": end}
        jobs = self._jobs(selectors, concurrency, on_missing, {**filters, "page_size": page_size})
        return _bulk.pages_many(self._page_source, jobs, concurrency, on_missing)

    def _page_source(self, query: EventQuery, sleep: Callable[[float], None]) -> Iterator[Page]:
        # What bulk export asks for (_bulk.PageSource): its workers wait through `sleep`.
        return EventStream(self, query)._pages(sleep)

    def _fetch(self, request: PageRequest, sleep: Callable[[float], None] | None = None) -> Page:
        def decode(response: httpx.Response) -> Page:
            return decode_page(response, self._authorization)

        return self._send("GET", request.url, params=request.params, decode=decode, sleep=sleep)

    def _send(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        params: Mapping[str, Any] | None = None,
        json: object = None,
        decode: Callable[[httpx.Response], T],
        sleep: Callable[[float], None] | None = None,
        authorize: bool = True,
    ) -> T:
        """Send one request with the client's retry policy and return ``decode(response)``.

        The primitive every call goes through (pages, and writes such as track): ``url``
        is absolute or a path under ``base_url``; ``params`` the query; ``json`` the body.
        ``decode`` runs inside the retry loop on a fully read 2xx response (its body
        decoded, at most ``max_body_size``); it may raise a ``ZendeskError``, which is then
        retried like any other failure (``decode=lambda r: r`` takes the response as is).
        Non-2xx answers raise their :mod:`zdevents.errors` class. A write (``POST``) that
        may have reached Zendesk is not sent again unless the client has
        ``retry_writes=True``; its error says the event may or may not have been stored.
        """
        self._check_open()
        what, attempts = self._attempts(method, url, idempotent=not authorize)
        # Looked up per call, not bound as a default: tests replace this module's `time`.
        sleep = sleep or time.sleep
        renewed = False
        while True:
            # Outside the try: a token request has had its own retries.
            header = self._auth.header(self._token_send) if authorize else None
            wait = self._limiter.reserve()
            if wait > 0:
                attempts.check_pacing(wait)
                sleep(wait)
            try:
                request, seconds = self._prepare(method, url, params, json, attempts, header)
                response = self._exchange(request, what, seconds)
                self._limiter.observe(response.headers)
                logger.debug("%s %s -> %d", method, request.url, response.status_code)
                if not 200 <= response.status_code < 300:
                    raise self._auth.explain(error_from_response(response, self._authorization))
                return decode(response)
            except AuthenticationError:
                if header is None or renewed or not self._auth.renewable:
                    raise
                # The token died early (revoked, or rotated by another process): renew
                # once and send again once; a second 401 is the caller's.
                renewed = True
                logger.info("%s: 401, renewing the OAuth token once", what)
                self._auth.renew(self._token_send, header)
                continue
            except ZendeskError as exc:
                wait = attempts.wait_before_retry(self._failed(exc, method, not authorize))
            sleep(wait)

    def _token_send(self, request: Request) -> Any:
        # A token request: no Authorization header (the client authenticates in the body),
        # retried like a read (a refresh that failed on the way changed nothing we keep).
        return self._send(
            request["method"],
            request["url"],
            json=request["json"],
            decode=_json_body,
            authorize=False,
        )

    def _exchange(self, request: httpx.Request, what: str, seconds: float | None) -> httpx.Response:
        secret, limit = self._authorization, self._settings.max_body_size
        with transport_errors(what, secret), deadline(seconds):
            response = self._send_raw(request)
            try:
                status = response.status_code
                with transport_errors(what, secret, status):
                    reader = _reader(response, limit)
                    chunks = [response.content] if response.is_stream_consumed else None
                    for chunk in chunks or response.iter_raw():
                        reader.feed(chunk)
                        if past_deadline():
                            raise httpx.ReadTimeout("the whole response took too long")
                    body = reader.finish()
            except (TooLarge, Undecodable) as exc:
                if 200 <= status < 300:
                    raise _body_error(what, status, exc, limit) from None
                body = b""  # an error's details are lost, not its status
            finally:
                response.close()
        return rebuilt(response, body)

    def _send_raw(self, request: httpx.Request) -> httpx.Response:
        """The response to ``request``, its body not read yet.

        Our own pool is sent to through its transport: it has no auth, cookies to keep,
        redirects to follow or event hooks, so ``httpx.Client.send`` would only add work to
        every page (its cookie jar alone costs tens of µs), and its INFO record of each URL
        would hold the query (identifiers). A pool passed in goes through its client.
        """
        transport = self._transport
        if transport is None:
            return self._http.send(request, stream=True)
        self._check_open()
        response = transport.handle_request(request)
        response.request = request
        return response

    def close(self) -> None:
        """Close the connection pool (not a ``http_client`` you passed in, nor the pool of
        the client a :meth:`with_options` copy came from)."""
        if self._own_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class EventStream:
    """The events of one query: iterate for events, or call :meth:`pages` for pages.

    Lazy: nothing is sent before iteration starts, and only one page is held at a time.
    Each iteration starts again from the first page.
    """

    def __init__(self, client: Client, query: EventQuery, limit: int | None = None) -> None:
        self._client = client
        self._query = query
        self._limit = limit

    @property
    def query(self) -> EventQuery:
        return self._query

    def pages(self) -> Iterator[Page]:
        """Yield one :class:`Page` at a time, following the cursor to the end. With a
        ``limit``, pages stop once they hold that many events; the last is whole, so that
        its cursor stays a correct place to resume."""
        return self._pages()

    def _pages(self, sleep: Callable[[float], None] | None = None) -> Iterator[Page]:
        # `sleep` lets a bulk export end its workers' waits at once (see _bulk).
        walk = self._client._walk(self._query)
        request: PageRequest | None = walk.first
        left = self._limit
        while request is not None:
            page = self._client._fetch(request, sleep)
            yield page
            if left is not None:
                left -= len(page.events)
                if left <= 0:
                    return
            request = walk.advance(page)

    def __iter__(self) -> Iterator[Event]:
        left = self._limit
        for page in self.pages():
            if left is not None and len(page.events) >= left:
                yield from page.events[:left]
                return
            if left is not None:
                left -= len(page.events)
            yield from page.events

    def __repr__(self) -> str:
        return _stream_repr(self, self._query, self._limit, self._client)


def _stream_repr(stream: object, query: EventQuery, limit: int | None, client: _BaseClient) -> str:
    # The selector as EventQuery.describe shows it: an identifier's value is left out.
    parts = [query.describe()]
    for name in ("source", "type", "start", "end"):
        value = getattr(query, name)
        if value is not None:
            parts.append(f"{name}={value!r}")
    if query.after is not None:
        parts.append("after=<cursor>")
    if limit is not None:
        parts.append(f"limit={limit}")
    return f"<{type(stream).__name__} {', '.join(parts)} from {str(client.base_url)!r}>"


class AsyncClient(_BaseClient):
    """The asyncio twin of :class:`Client`: same arguments, ``async for`` iteration.

    >>> async with AsyncClient.from_env() as client:
    ...     async for event in client.events(user_id=85211553):
    ...         print(event.type)

    Concurrent iterations of one client share its connection pool and its rate limiter.
    """

    def __init__(
        self,
        *,
        subdomain: str | None = None,
        base_url: str | None = None,
        email: str | None = None,
        api_token: str | None = None,
        oauth_token: str | None = None,
        oauth_client_id: str | None = None,
        oauth_client_secret: str | None = None,
        oauth_scope: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_retry_after: float = 60.0,
        retry_budget: float | None = None,
        retry_writes: bool = False,
        rate_limit: float | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        verify: bool | str | ssl.SSLContext = True,
        trust_env: bool = True,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            subdomain=subdomain, base_url=base_url, email=email, api_token=api_token,
            oauth_token=oauth_token, oauth_client_id=oauth_client_id,
            oauth_client_secret=oauth_client_secret, oauth_scope=oauth_scope, timeout=timeout,
            max_retries=max_retries, backoff_base=backoff_base, backoff_cap=backoff_cap,
            max_retry_after=max_retry_after, retry_budget=retry_budget,
            retry_writes=retry_writes, rate_limit=rate_limit, max_body_size=max_body_size,
            verify=verify, trust_env=trust_env,
        )  # fmt: skip
        self._own_http = self._fixed_headers = http_client is None
        self._http: httpx.AsyncClient = http_client or httpx.AsyncClient(
            headers=_FIXED_HEADERS,
            transport=async_transport(self.base_url, verify=verify, trust_env=trust_env),
            timeout=self._settings.timeout,
            follow_redirects=False,
            trust_env=False,  # the transport above already applied what the environment says
        )

    def events(
        self,
        *,
        identifier: Identifier | str | None = None,
        profile_id: str | None = None,
        user_id: int | str | None = None,
        source: str | None = None,
        type: str | None = None,
        start: TimeInput | None = None,
        end: TimeInput | None = None,
        page_size: int = MAX_PAGE_SIZE,
        after: str | None = None,
        limit: int | None = None,
    ) -> AsyncEventStream:
        """The events of one profile or user for ``async for``; the arguments are those of
        :meth:`Client.events`."""
        query = self._query(
            identifier, profile_id, user_id,
            source=source, type=type, start=start, end=end, page_size=page_size, after=after,
            limit=limit,
        )  # fmt: skip
        return AsyncEventStream(self, query, limit)

    # -- tracking events and reading profiles (the logic is in _track and _profiles) --------

    async def track(
        self,
        event: Mapping[str, Any],
        *,
        profile: Mapping[str, Any] | None = None,
        profile_id: str | None = None,
        user_id: int | str | None = None,
    ) -> TrackResult:
        """Track one event; the arguments and the retry rule are those of
        :meth:`Client.track`."""
        return await async_track(
            self, event, profile=profile, profile_id=profile_id, user_id=user_id
        )

    def track_many(
        self, records: Iterable[Mapping[str, Any]], *, concurrency: int = 8
    ) -> AsyncIterator[Outcome]:
        """Track many records for ``async for`` (worker tasks, at most 20 as for
        :meth:`events_many`), one outcome per record in input order, as
        :meth:`Client.track_many` does."""
        return async_track_many(self, records, concurrency)

    async def profile(
        self, identifier: Identifier | str | None = None, profile_id: str | None = None
    ) -> Profile:
        """The profile selected by ``identifier`` or ``profile_id`` (see
        :meth:`Client.profile`)."""
        return await async_fetch_profile(self, identifier, profile_id)

    async def profiles(self, user_id: int | str) -> list[Profile]:
        """The profiles of the Zendesk user ``user_id``."""
        return await async_fetch_profiles(self, user_id)

    def events_many(
        self,
        selectors: Iterable[Selector],
        *,
        concurrency: int = 8,
        on_missing: OnMissing = "raise",
        source: str | None = None,
        type: str | None = None,
        start: TimeInput | None = None,
        end: TimeInput | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[tuple[Selector, Event]]:
        """The events of many people, ``concurrency`` at a time, as ``(selector, event)``,
        from worker tasks, for ``async for``.

        A selector is an identifier query (text or :class:`Identifier`) or a mapping with one
        of ``identifier``, ``profile_id``, ``user_id``, and optionally ``after``: a cursor
        (:attr:`Page.cursor`) to resume that selector from. The filters are arguments of the
        call and apply to every selector; a mapping that repeats one is a ``ValueError``.
        Every selector is validated before anything is sent. Each selector's events come in
        order and exactly once; selectors interleave. Workers share this client's pool and
        rate limiter; one page per worker is held at a time. At most 20 tasks run whatever
        ``concurrency`` asks for: beyond that, httpcore's async connection pool spends more
        per request than the extra tasks save.

        ``on_missing`` says what a 404 (no such person) does: ``"raise"`` (the default) stops
        the export at the first error, like any other error; ``"skip"`` logs a warning on the
        ``zdevents`` logger and goes on; a function ``(selector, error) -> None`` is called
        instead of logging (in the thread or task that iterates). An error that stops the
        export is raised with ``.selector`` set to the selector whose export failed.

        >>> people = ["coolbikes:rider:email:a@example.com", {"user_id": 85211553}]
        >>> for selector, event in client.events_many(people, concurrency=20):
        ...     print(selector, event.type)
        """
        filters = {"source": source, "type": type, "start": start, "end": end}
        jobs = self._jobs(selectors, concurrency, on_missing, {**filters, "page_size": page_size})
        return _bulk.async_events_many(
            _bulk.async_pages_many(self._page_source, jobs, concurrency, on_missing)
        )

    def pages_many(
        self,
        selectors: Iterable[Selector],
        *,
        concurrency: int = 8,
        on_missing: OnMissing = "raise",
        source: str | None = None,
        type: str | None = None,
        start: TimeInput | None = None,
        end: TimeInput | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[tuple[Selector, Page]]:
        """:meth:`events_many` a page at a time: ``(selector, page)``, same arguments.

        This is the way to checkpoint a bulk export: once a page's events are stored, keep
        ``page.cursor`` for its selector; ``page.has_more`` false means that selector is done.
        To resume, pass each unfinished selector as a mapping with its cursor,
        ``{"user_id": 85211553, "after": cursor}`` (``after=None``: from the start), and leave
        out the finished ones; every event then comes exactly once across the two runs. (A
        page with more to come but no cursor, which Zendesk does not send, cannot be resumed
        after: keep the selector's previous cursor and drop what came since.)
        """
        filters = {"source": source, "type": type, "start": start, "end": end}
        jobs = self._jobs(selectors, concurrency, on_missing, {**filters, "page_size": page_size})
        return _bulk.async_pages_many(self._page_source, jobs, concurrency, on_missing)

    def _page_source(self, query: EventQuery) -> AsyncIterator[Page]:
        # What bulk export asks for (_bulk.AsyncPageSource); its workers are cancelled.
        return AsyncEventStream(self, query).pages()

    async def _fetch(self, request: PageRequest) -> Page:
        def decode(response: httpx.Response) -> Page:
            return decode_page(response, self._authorization)

        return await self._send("GET", request.url, params=request.params, decode=decode)

    async def _send(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        params: Mapping[str, Any] | None = None,
        json: object = None,
        decode: Callable[[httpx.Response], T],
        authorize: bool = True,
        stop: asyncio.Event | None = None,
    ) -> T:
        """The asyncio twin of :meth:`Client._send`, with the same policy (``stop``: once
        set, a wait ends at once with ``Stopped``, so that ``track_many`` can end the waits
        of a stopped run)."""
        self._check_open()

        async def sleep(seconds: float) -> None:
            if stop is None:
                await asyncio.sleep(seconds)
                return
            sleeper = asyncio.ensure_future(asyncio.sleep(seconds))
            stopper = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait((sleeper, stopper), return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                stopper.cancel()
            if stop.is_set():
                raise Stopped

        what, attempts = self._attempts(method, url, idempotent=not authorize)
        renewed = False
        while True:
            header = await self._auth.aheader(self._token_send) if authorize else None
            wait = self._limiter.reserve()
            if wait > 0:
                attempts.check_pacing(wait)
                await sleep(wait)
            try:
                request, seconds = self._prepare(method, url, params, json, attempts, header)
                response = await self._exchange(request, what, seconds)
                self._limiter.observe(response.headers)
                logger.debug("%s %s -> %d", method, request.url, response.status_code)
                if not 200 <= response.status_code < 300:
                    raise self._auth.explain(error_from_response(response, self._authorization))
                return decode(response)
            except AuthenticationError:
                if header is None or renewed or not self._auth.renewable:
                    raise
                renewed = True
                logger.info("%s: 401, renewing the OAuth token once", what)
                await self._auth.arenew(self._token_send, header)
                continue
            except ZendeskError as exc:
                wait = attempts.wait_before_retry(self._failed(exc, method, not authorize))
            await sleep(wait)

    async def _token_send(self, request: Request) -> Any:
        return await self._send(
            request["method"],
            request["url"],
            json=request["json"],
            decode=_json_body,
            authorize=False,
        )

    async def _exchange(
        self, request: httpx.Request, what: str, seconds: float | None
    ) -> httpx.Response:
        secret, limit = self._authorization, self._settings.max_body_size
        with transport_errors(what, secret):
            async with asyncio.timeout(seconds):
                response = await self._http.send(request, stream=True)
                try:
                    status = response.status_code
                    with transport_errors(what, secret, status):
                        reader = _reader(response, limit)
                        if response.is_stream_consumed:
                            reader.feed(response.content)
                        else:
                            async for chunk in response.aiter_raw():
                                reader.feed(chunk)
                        body = reader.finish()
                except (TooLarge, Undecodable) as exc:
                    if 200 <= status < 300:
                        raise _body_error(what, status, exc, limit) from None
                    body = b""
                finally:
                    await response.aclose()
        return rebuilt(response, body)

    async def close(self) -> None:
        """Close the connection pool (not a ``http_client`` you passed in, nor the pool of
        the client a :meth:`with_options` copy came from)."""
        if self._own_http:
            await self._http.aclose()

    aclose = close

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class AsyncEventStream:
    """The events of one query for ``async for``; :meth:`pages` for pages."""

    def __init__(self, client: AsyncClient, query: EventQuery, limit: int | None = None) -> None:
        self._client = client
        self._query = query
        self._limit = limit

    @property
    def query(self) -> EventQuery:
        return self._query

    async def pages(self) -> AsyncIterator[Page]:
        """Yield one :class:`Page` at a time, following the cursor to the end (with a
        ``limit``, as :meth:`EventStream.pages` does)."""
        walk = self._client._walk(self._query)
        request: PageRequest | None = walk.first
        left = self._limit
        while request is not None:
            page = await self._client._fetch(request)
            yield page
            if left is not None:
                left -= len(page.events)
                if left <= 0:
                    return
            request = walk.advance(page)

    async def __aiter__(self) -> AsyncIterator[Event]:
        left = self._limit
        async for page in self.pages():
            events = page.events if left is None else page.events[:left]
            for event in events:
                yield event
            if left is not None:
                left -= len(events)
                if left <= 0:
                    return

    def __repr__(self) -> str:
        return _stream_repr(self, self._query, self._limit, self._client)


Client.__init__.__doc__ = "A synchronous client; ``http_client`` is your own ``httpx.Client``\n"
Client.__init__.__doc__ += "        (zdevents will not close it).\n" + _OPTIONS_DOC
AsyncClient.__init__.__doc__ = "An asyncio client; ``http_client`` is your own\n"
AsyncClient.__init__.__doc__ += "        ``httpx.AsyncClient`` (zdevents will not close it).\n"
AsyncClient.__init__.__doc__ += _OPTIONS_DOC
vars(_BaseClient)["from_env"].__func__.__doc__ += _OPTIONS_DOC
