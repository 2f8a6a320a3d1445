"""The client core: what ``Client`` and ``AsyncClient`` share, and the one way a request goes.

The options, each written once with its name, type, default and documentation (the
TypedDicts :class:`CallOptions`, :class:`BaseClientOptions`, :class:`ClientOptions`,
:class:`AsyncClientOptions`, which type the facades' ``**options``), and their validation
(:func:`client_options`, :func:`settings`); request preparation (:meth:`_Core.prepare`:
headers, credentials, the timeout left), and the send loop, once for threads
(:class:`SyncCore`) and once for asyncio (:class:`AsyncCore`): the ``Authorization`` header
and its renewal after a 401 (``_auth``), pacing (``_ratelimit``), the retry decision
(``_retry``), one deadline and a bounded body per response (``_transport``), and the status
mapping (``_failures``). A response is read once, into an :class:`Answer`, and decoded once
by the caller's ``decode``.

Endpoints (``_events``, ``_track``, ``_profiles``, ``_oauth``) are resources that hold a core
and call its public methods; ``Client``/``AsyncClient`` (``_client``) are facades over them.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import math
import platform
import re
import ssl
import time
from collections.abc import Callable, Container, Mapping
from contextvars import ContextVar
from typing import Annotated, Any, Final, TypedDict, TypeVar, get_type_hints

import attrs
import httpx

from ._auth import Auth, Scrubber, StoredLoginAuth, login_store, resolve_auth
from ._config import ENV_HELP, base_url_of, env_settings, login_home, login_store_kind
from ._constants import (
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_CAP,
    DEFAULT_CONNECT_TIMEOUT_SECONDS,
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_TIMEOUT_SECONDS,
    ERROR_BODY_LIMIT,
    MAX_SECONDS,
    MIN_BODY_SIZE,
)
from ._failures import (
    describe_write_failure,
    error_from_response,
    is_success,
    transport_errors,
)
from ._logs import guard
from ._pagination import Walk
from ._query import EventQuery
from ._ratelimit import RateLimiter
from ._retry import Attempts, RetryPolicy
from ._routes import Request
from ._transport import (
    ACCEPT_ENCODING,
    AsyncTransport,
    BodyReader,
    TooLarge,
    Transport,
    Undecodable,
    deadline,
    past_deadline,
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

USER_AGENT = f"zdevents/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_ROUTE_WORD = re.compile(r"[a-z_]+|v[0-9]+")

#: Sent with every request.
FIXED_HEADERS: Final = {
    "Accept": "application/json",
    "Accept-Encoding": ACCEPT_ENCODING,
    "User-Agent": USER_AGENT,
}


class Stopped(BaseException):
    """Raised in a wait once the caller that asked for it has ended (``track_many``'s
    workers; a BaseException, so that it is never taken for the outcome of a record)."""


class NotGiven:
    """The default of :meth:`Client.with_options` arguments: keep the current setting."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Final = NotGiven()

#: Credentials a client is built with other than through its keywords (see with_auth).
_GIVEN_AUTH: ContextVar[Auth | None] = ContextVar("_GIVEN_AUTH", default=None)
C = TypeVar("C")
F = TypeVar("F", bound=Callable[..., Any])


def with_auth(cls: Callable[..., C], auth: Auth | None, **options: Any) -> C:
    """``cls(**options)`` whose credentials are ``auth`` (a stored login, or none for the
    token requests of a login) rather than those its keywords describe."""
    token = _GIVEN_AUTH.set(auth)
    try:
        return cls(**options)
    finally:
        _GIVEN_AUTH.reset(token)


# --------------------------------------------------------------------------- options

#: Never unlimited: 30 s for the whole response of one request, 10 s to connect.
DEFAULT_TIMEOUT: Final = httpx.Timeout(
    DEFAULT_TIMEOUT_SECONDS, connect=DEFAULT_CONNECT_TIMEOUT_SECONDS
)


@attrs.frozen
class Default:
    """The value of an option that is not given: the ``Annotated`` mark of an option below
    (an option without one is ``None`` when not given)."""

    value: object


class CallOptions(TypedDict, total=False):
    """The options of the calls a client makes: keyword arguments of both clients (with
    the rest of :class:`ClientOptions`) and of :meth:`Client.with_options`, whose copy
    keeps the client's setting of each option not given.

    ``Default(...)`` beside an option's type is its value when a client is made without
    it (made of the constants of :mod:`zdevents.limits`); an option without one is
    ``None`` then.
    """

    timeout: Annotated[float | httpx.Timeout | None, Default(DEFAULT_TIMEOUT)]
    """Seconds for the whole response of one request, headers and body (or an
    ``httpx.Timeout``, whose largest value bounds the whole response); 30 s, and 10 s to
    connect, by default; ``None``: no bound. Values over 30 days count as 30 days."""
    max_retries: Annotated[int, Default(DEFAULT_MAX_RETRIES)]
    """Retries of one request after a transient failure (4; 0 disables)."""
    backoff_base: Annotated[float, Default(DEFAULT_BACKOFF_BASE)]
    """Seconds of the first backoff, doubled at each retry (0.5)."""
    backoff_cap: Annotated[float, Default(DEFAULT_BACKOFF_CAP)]
    """The longest backoff in seconds (8)."""
    max_retry_after: Annotated[float, Default(DEFAULT_MAX_RETRY_AFTER)]
    """A ``Retry-After`` (or a rate-limit pause) longer than this many seconds raises at
    once (60)."""
    retry_budget: float | None
    """Seconds one call may take, retries and waits included (no bound by default); a
    request in flight gets at most what is left of it."""
    retry_writes: Annotated[bool, Default(False)]
    """Also retry a write (``POST``) that may have reached Zendesk (a 5xx, a timeout, a
    dropped connection after sending). Off by default: Zendesk has no idempotency key, so
    a retried write may store an event twice. A 429 and a refused connection are retried
    either way."""
    max_body_size: Annotated[int, Default(DEFAULT_MAX_BODY_SIZE)]
    """The largest response body in bytes, compressed or decoded (64 MiB); a larger page
    raises :class:`~zdevents.errors.BadResponseError`, read in bounded memory, not
    retried."""


class BaseClientOptions(CallOptions, total=False):
    """The options both clients take, but ``http_client`` (:class:`ClientOptions` and
    :class:`AsyncClientOptions` add it): the account, the credentials, the per-call
    options of :class:`CallOptions`, and the pool's.

    Credentials: ``email`` with ``api_token``, ``oauth_token``, or ``oauth_client_id``
    with ``oauth_client_secret`` (giving two kinds is a
    :class:`~zdevents.errors.ConfigurationError`). Account: ``subdomain`` or ``base_url``.
    """

    subdomain: str | None
    """The account's subdomain (``coolbikes`` for coolbikes.zendesk.com)."""
    base_url: str | None
    """Instead of ``subdomain``, the API origin (plain ``http://`` only for loopback hosts,
    e.g. the sandbox)."""
    email: str | None
    """The agent's email, with ``api_token``."""
    api_token: str | None
    """An API token (Admin Center > Apps and integrations > Zendesk API)."""
    oauth_token: str | None
    """Instead of ``email``/``api_token``, an OAuth access token, used as it is: zdevents
    cannot renew it (tokens of clients made since 2026-04-30 expire after 30 minutes by
    default)."""
    oauth_client_id: str | None
    """With ``oauth_client_secret``, OAuth client credentials (a confidential client; cron,
    CI): a token is minted, cached and minted again shortly before it expires, one mint at
    a time for the client and its :meth:`~zdevents.Client.with_options` copies."""
    oauth_client_secret: str | None
    """The secret of that client."""
    oauth_scope: str | None
    """The scope asked for with client credentials (``"read write"``)."""
    rate_limit: float | None
    """Requests a minute this client stays under (shared by every call, thread and task of
    the client, and by its :meth:`~zdevents.Client.with_options` copies); none by
    default."""
    verify: Annotated[bool | str | ssl.SSLContext, Default(True)]
    """TLS verification: ``True``, a CA bundle path or an ``ssl.SSLContext``."""
    trust_env: Annotated[bool, Default(True)]
    """Use the environment's proxies (``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) and
    ``SSL_CERT_FILE``; loopback hosts never go through a proxy."""


class ClientOptions(BaseClientOptions, total=False):
    """The options of :class:`~zdevents.Client` and :meth:`~zdevents.Client.from_env`: those
    of :class:`BaseClientOptions`, and ``http_client``.

    >>> options: ClientOptions = {"timeout": 5, "max_retries": 0}
    >>> client = Client.from_env(**options)
    """

    http_client: httpx.Client | None
    """Your own ``httpx.Client`` (zdevents will not close it; its proxies and TLS settings
    are its own, so ``verify`` and ``trust_env`` are not taken beside it, and ``timeout``
    then bounds each read, not the whole response)."""


class AsyncClientOptions(BaseClientOptions, total=False):
    """The options of :class:`~zdevents.AsyncClient` and its ``from_env``: those of
    :class:`BaseClientOptions`, and ``http_client``."""

    http_client: httpx.AsyncClient | None
    """Your own ``httpx.AsyncClient``, as for :class:`ClientOptions`."""


# mutmut: `_defaults` and `spelt_out` run only while the package is imported, before mutmut
# switches a mutant on, so no mutant of theirs could ever fail a test; tests of the options
# and of the spelt-out signatures (tests/library/test_client.py) cover what they build.
def _defaults(options: type) -> dict[str, Any]:  # pragma: no mutate block
    """Each option of the TypedDict ``options`` and its value when not given."""
    hints = get_type_hints(options, include_extras=True)
    marks = {name: getattr(hint, "__metadata__", ()) for name, hint in hints.items()}
    return {
        name: next((m.value for m in marks[name] if isinstance(m, Default)), None) for name in hints
    }


#: Every option of a client, and its value when not given.
DEFAULTS: Final = _defaults(ClientOptions)
_CALL_NAMES: Final = tuple(_defaults(CallOptions))
_ACCOUNT_NAMES = ("subdomain", "base_url")
_SECRET_NAMES = ("email", "api_token", "oauth_token", "oauth_client_id", "oauth_client_secret")
_CREDENTIAL_NAMES = (*_SECRET_NAMES, "oauth_scope")


def spelt_out(options: type, *, default: object = None) -> Callable[[F], F]:  # pragma: no mutate block  # noqa: E501  # fmt: skip
    """Give a function that takes ``**options: Unpack[options]`` a signature with each
    option spelt out, keyword-only with its default (or ``default`` for all of them), for
    what reads signatures at run time: ``help()``, ``inspect.signature``, a notebook's
    completions. Type checkers and the docs read the ``Unpack``."""
    hints = get_type_hints(options)
    defaults = _defaults(options)

    def spell(function: F) -> F:
        own = inspect.signature(function)
        fixed = [p for p in own.parameters.values() if p.kind is not p.VAR_KEYWORD]
        keyword = inspect.Parameter.KEYWORD_ONLY
        spelt = [
            inspect.Parameter(
                name,
                keyword,
                default=defaults[name] if default is None else default,
                annotation=hint,
            )
            for name, hint in hints.items()
        ]
        function.__signature__ = own.replace(parameters=[*fixed, *spelt])  # type: ignore[attr-defined]
        return function

    return spell


def _check_names(given: Mapping[str, object], known: Container[str], where: str) -> None:
    """A ``TypeError`` naming ``where`` for a keyword that is no option (as Python's own)."""
    for name in given:
        if name not in known:
            raise TypeError(f"{where}() got an unexpected keyword argument {name!r}")


def client_options(given: Mapping[str, object], where: str, kind: type) -> dict[str, Any]:
    """Every option of the client ``where`` names, whose ``http_client`` is of ``kind``
    (``httpx.Client`` or ``httpx.AsyncClient``): those ``given``, the defaults for the
    others."""
    _check_names(given, DEFAULTS, where)
    options = {**DEFAULTS, **given}
    _check_tls(options)
    _check_http_client(options, kind)
    return options


def _check_tls(options: Mapping[str, Any]) -> None:
    """``verify`` and ``trust_env`` of the types httpx takes: httpx reads any value as true
    or false, so ``verify=1`` or ``trust_env="no"`` would pass silently for another."""
    verify = options["verify"]
    if not isinstance(verify, bool | str | ssl.SSLContext):
        raise TypeError(
            "verify must be True, False, a CA bundle path or an ssl.SSLContext, "
            f"not {type(verify).__name__}"
        )
    if not isinstance(options["trust_env"], bool):
        raise TypeError(
            f"trust_env must be True or False, not {type(options['trust_env']).__name__}"
        )


def _check_http_client(options: Mapping[str, Any], kind: type) -> None:
    """Check a caller's ``http_client``: of ``kind``, and given without ``verify`` or
    ``trust_env``, which it would ignore (it has its own proxies and TLS settings: a
    ``trust_env=False`` beside it would still let the environment's proxy see the requests)."""
    http_client = options["http_client"]
    if http_client is None:
        return
    if not isinstance(http_client, kind):
        raise TypeError(
            f"http_client must be an httpx.{kind.__name__}, not {type(http_client).__name__}"
        )
    for name in ("verify", "trust_env"):
        if options[name] is not True:
            raise ValueError(
                f"{name}={options[name]!r} cannot go with http_client, which uses its own: "
                f"give it to your httpx.{kind.__name__} instead"
            )


def from_env(cls: type[C], environ: Mapping[str, str] | None, options: Mapping[str, object]) -> C:
    """``Client.from_env``: ``cls`` built from the environment and ``options`` (the
    account or credentials among them replace those of the environment)."""
    _check_names(options, DEFAULTS, f"{cls.__name__}.from_env")
    if environ is not None and not isinstance(environ, Mapping):
        raise TypeError(
            f"environ must be a mapping like os.environ (or None), not {type(environ).__name__}"
        )
    explicit = {
        k: v
        for k, v in options.items()
        if k in (*_ACCOUNT_NAMES, *_CREDENTIAL_NAMES) and v is not None
    }
    # An explicit argument replaces the whole group it belongs to (account or credentials).
    own_credentials = any(options.get(k) is not None for k in _SECRET_NAMES)
    found = env_settings(
        environ,
        account=all(options.get(k) is None for k in _ACCOUNT_NAMES),
        credentials=not own_credentials,
    )
    account: dict[str, Any] = {**found, **explicit}
    auth: Auth | None = None
    if not own_credentials and not any(k in found for k in _SECRET_NAMES[:4]):
        url = base_url_of(account.get("subdomain"), account.get("base_url"))
        store = login_store(login_home(environ), url, login_store_kind(environ))
        if not store.exists():
            raise ConfigurationError(f"no Zendesk credentials: {ENV_HELP}")
        if options.get("oauth_scope") is not None:
            # A login's scopes were granted at login: they cannot change per client.
            raise ConfigurationError(
                "oauth_scope applies to client credentials; the stored login has the "
                "scopes granted when it was made: run `zdevents auth login --scope S` "
                "to change them"
            )
        auth = StoredLoginAuth(store)
    rest = {k: v for k, v in options.items() if k not in (*_ACCOUNT_NAMES, *_CREDENTIAL_NAMES)}
    return with_auth(cls, auth, **account, **rest)


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
    if value < MIN_BODY_SIZE:
        raise ValueError(f"max_body_size={value!r} must be at least {MIN_BODY_SIZE} bytes")
    return value


@attrs.frozen
class Settings:
    """A client's validated per-call settings; :meth:`Client.with_options` evolves a copy."""

    #: The options of :class:`CallOptions` these settings were made from, each of them.
    options: Mapping[str, object]
    timeout: httpx.Timeout
    total: float | None
    policy: RetryPolicy
    max_body_size: int

    def evolve(self, given: Mapping[str, object], where: str) -> Settings:
        """These settings with the options in ``given`` (a :class:`NotGiven` one: kept);
        ``where`` names the call for an unknown option's ``TypeError``."""
        _check_names(given, _CALL_NAMES, where)
        changed = {k: v for k, v in given.items() if not isinstance(v, NotGiven)}
        return settings({**self.options, **changed})


def settings(options: Mapping[str, object]) -> Settings:
    """The one validation of the per-call options (``options`` has each of
    :class:`CallOptions`, and may have others, left out)."""
    given = {name: options[name] for name in _CALL_NAMES}
    httpx_timeout, total = _timeout(given["timeout"])
    try:
        policy = RetryPolicy(
            given["max_retries"],  # type: ignore[arg-type]
            given["backoff_base"],
            given["backoff_cap"],
            given["max_retry_after"],
            given["retry_budget"],
            given["retry_writes"],  # type: ignore[arg-type]
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"invalid retry settings: {exc}") from None
    return Settings(given, httpx_timeout, total, policy, _body_limit(given["max_body_size"]))


# --------------------------------------------------------------------------- answers


@attrs.frozen(slots=True)
class Answer:
    """A response read once: status, headers, and the body whole and decoded (at most
    ``max_body_size``; an error's at most ``ERROR_BODY_LIMIT``, or empty if it was not
    readable). What every ``decode`` of :meth:`SyncCore.send` is given."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    reason_phrase: str

    def json(self) -> Any:
        """The body as JSON (as ``httpx.Response.json``)."""
        return json.loads(self.content)


_FRAMING = ("content-encoding", "content-length", "transfer-encoding")


def _answer(response: httpx.Response, body: bytes) -> Answer:
    received = response.headers
    headers = received
    length = received.get("content-length")
    if (
        "content-encoding" in received
        or "transfer-encoding" in received
        or (length is not None and length != str(len(body)))
    ):
        # The body is decoded already: headers that describe its framing no longer hold.
        headers = httpx.Headers(
            [(k, v) for k, v in received.multi_items() if k.lower() not in _FRAMING]
        )
    return Answer(response.status_code, headers, body, response.reason_phrase)


def json_body(answer: Answer) -> Any:
    """The JSON of a token-endpoint or token answer (an object), else BadResponseError."""
    if answer.status_code == 204 or not answer.content:
        return {}
    try:
        body = json.loads(answer.content)
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
    cap = limit if is_success(response.status_code) else min(limit, ERROR_BODY_LIMIT)
    # A response built in memory (httpx.MockTransport) comes read and decoded already.
    encoding = None if response.is_stream_consumed else response.headers.get("content-encoding")
    return BodyReader(encoding, cap)


# --------------------------------------------------------------------------- the core


class _Pool:
    """The connection pool a core and its :meth:`~_Core.with_settings` copies share."""

    def __init__(self, transport: Any, http_client: Any) -> None:
        self.transport = transport  # ours, or None for a pool passed in
        self.http_client = http_client  # a caller's httpx client, or None
        self.closed = False

    def is_closed(self) -> bool:
        if self.http_client is not None:
            return bool(self.http_client.is_closed)
        return self.closed


class _Core:
    """What the sync and the asyncio core share: account, credentials, settings, limiter."""

    _pool: _Pool

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.settings = settings(options)
        self.base_url = base_url_of(options["subdomain"], options["base_url"])
        auth = _GIVEN_AUTH.get()
        if auth is None:
            auth = resolve_auth(**{name: options[name] for name in _CREDENTIAL_NAMES})
        self.auth = auth
        #: Every secret in use (tokens rotate): what errors and log records are scrubbed of.
        self.scrubber: Scrubber = auth.scrubber
        guard(self.scrubber)
        self.email = options["email"] if auth.kind == "api_token" else None
        self.limiter = RateLimiter(options["rate_limit"])
        self.owner = True  # whether close() closes the pool

    def with_settings(self, settings: Settings) -> Any:
        """A copy with other settings, sharing the pool, credentials and rate limiter; its
        ``close`` leaves the pool open."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.settings = settings
        copy.owner = False
        return copy

    def walk(self, query: EventQuery) -> Walk:
        """The pages of ``query``, one request at a time (sans-IO)."""
        return Walk(query, self.base_url)

    def check_open(self, name: str) -> None:
        if self._pool.is_closed():
            raise ClientClosedError(
                f"this {name} is closed: make a new one, or use it inside its `with` block"
            )

    def prepare(
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
        headers = dict(FIXED_HEADERS)
        if authorization is not None:
            headers["Authorization"] = authorization
        seconds = attempts.time_left(self.settings.total)
        timeout = self.settings.timeout
        if seconds is not None and seconds < _longest(timeout):
            # No single socket operation may wait longer than the whole response may.
            timeout = httpx.Timeout(
                **{k: None if v is None else min(v, seconds) for k, v in timeout.as_dict().items()}
            )
        client = self._pool.http_client
        if client is not None:
            request: httpx.Request = client.build_request(
                method, url, params=params, json=json, headers=headers, timeout=timeout
            )
        else:
            request = httpx.Request(
                method,
                url,
                params=params,
                json=json,
                headers=headers,
                extensions={"timeout": timeout.as_dict()},
            )
        return request, seconds

    def attempts(
        self, method: str, url: httpx.URL | str, *, idempotent: bool = False
    ) -> tuple[str, Attempts]:
        path = url if isinstance(url, str) else url.path
        write = method.upper() in _WRITE_METHODS and not idempotent
        attempts = self.settings.policy.start(_label(method, path), self.limiter, write=write)
        return f"{method} {path}", attempts

    @staticmethod
    def failed(error: ZendeskError, method: str, idempotent: bool = False) -> ZendeskError:
        if method.upper() in _WRITE_METHODS and not idempotent:
            describe_write_failure(error)
        return error

    def describe(self, name: str) -> str:
        who = f", email={self.email!r}" if self.email else ""
        return f"{name}(base_url={str(self.base_url)!r}, auth={self.auth.kind!r}{who})"


class SyncCore(_Core):
    """The core of a :class:`~zdevents.Client`: sends with threads' blocking I/O."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        super().__init__(options)
        http_client: httpx.Client | None = options["http_client"]
        transport = None
        if http_client is None:
            transport = Transport(
                self.base_url, verify=options["verify"], trust_env=options["trust_env"]
            )
        self._pool = _Pool(transport, http_client)
        self.owner = http_client is None
        self.name = "Client"

    def send(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        params: Mapping[str, Any] | None = None,
        json: object = None,
        decode: Callable[[Answer], T],
        sleep: Callable[[float], None] | None = None,
        authorize: bool = True,
        idempotent: bool = False,
        on_retry: Callable[[ZendeskError], None] | None = None,
    ) -> T:
        """Send one request with the client's retry policy and return ``decode(answer)``.

        The primitive every call goes through (pages, writes, token requests): ``url`` is
        absolute or a path under ``base_url``; ``params`` the query; ``json`` the body.
        ``decode`` runs inside the retry loop on a 2xx :class:`Answer`; it may raise a
        ``ZendeskError``, which is then retried like any other failure. Non-2xx answers
        raise their :mod:`zdevents.errors` class. A write (``POST``) that may have reached
        Zendesk is not sent again unless the client has ``retry_writes=True``; its error
        says the event may or may not have been stored. ``authorize=False``: a token
        request (no ``Authorization`` header, retried like a read). ``idempotent``: a write
        that gives the same result however often it is sent (PUT, PATCH, DELETE of a
        profile), retried like a read. ``on_retry`` is called with the failure before each
        wait for a retry.
        """
        self.check_open(self.name)
        idempotent = idempotent or not authorize
        what, attempts = self.attempts(method, url, idempotent=idempotent)
        # Looked up per call, not bound as a default: tests replace this module's `time`.
        sleep = sleep or time.sleep
        renewed = False
        while True:
            # Outside the try: a token request has had its own retries.
            header = self.auth.header(self.token_send) if authorize else None
            wait = self.limiter.reserve()
            if wait > 0:
                attempts.check_pacing(wait)
                sleep(wait)
            try:
                request, seconds = self.prepare(method, url, params, json, attempts, header)
                answer = self._exchange(request, what, seconds)
                self.limiter.observe(answer.headers)
                logger.debug("%s %s -> %d", method, request.url, answer.status_code)
                if not is_success(answer.status_code):
                    raise self.auth.explain(error_from_response(answer, self.scrubber))
                return decode(answer)
            except AuthenticationError:
                if header is None or renewed or not self.auth.renewable:
                    raise
                # The token died early (revoked, or rotated by another process): renew
                # once and send again once; a second 401 is the caller's.
                renewed = True
                logger.info("%s: 401, renewing the OAuth token once", what)
                self.auth.renew(self.token_send, header)
                continue
            except ZendeskError as exc:
                wait = attempts.wait_before_retry(self.failed(exc, method, idempotent))
                failure = exc
            if on_retry is not None:
                on_retry(failure)
            sleep(wait)

    def token_send(self, request: Request) -> Any:
        """A token request: no ``Authorization`` header (the client authenticates in the
        body), retried like a read (a refresh that failed on the way changed nothing we
        keep); its JSON object."""
        return self.send(
            request["method"], request["url"], json=request["json"], decode=json_body,
            authorize=False,
        )  # fmt: skip

    def _open(self, request: httpx.Request) -> httpx.Response:
        """The response to ``request``, its body not read yet.

        Our own pool is sent to through its transport (httpx's public transport interface):
        it has no auth, cookies to keep, redirects to follow or event hooks, and
        ``httpx.Client.send`` would log each URL, query (identifiers) included, at INFO. A
        pool passed in goes through its client.
        """
        pool = self._pool
        if pool.http_client is not None:
            response: httpx.Response = pool.http_client.send(request, stream=True)
            return response
        self.check_open(self.name)
        return pool.transport.handle_request(request)  # type: ignore[no-any-return]

    def _exchange(self, request: httpx.Request, what: str, seconds: float | None) -> Answer:
        secret, limit = self.scrubber, self.settings.max_body_size
        with transport_errors(what, secret), deadline(seconds):
            response = self._open(request)
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
                if is_success(status):
                    raise _body_error(what, status, exc, limit) from None
                body = b""  # an error's details are lost, not its status
            finally:
                response.close()
        return _answer(response, body)

    def close(self) -> None:
        if not self.owner:
            return
        pool = self._pool
        if pool.transport is not None and not pool.closed:
            pool.closed = True
            pool.transport.close()


class AsyncCore(_Core):
    """The core of an :class:`~zdevents.AsyncClient`: the same policy, awaited."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        super().__init__(options)
        http_client: httpx.AsyncClient | None = options["http_client"]
        transport = None
        if http_client is None:
            transport = AsyncTransport(
                self.base_url, verify=options["verify"], trust_env=options["trust_env"]
            )
        self._pool = _Pool(transport, http_client)
        self.owner = http_client is None
        self.name = "AsyncClient"

    async def send(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        params: Mapping[str, Any] | None = None,
        json: object = None,
        decode: Callable[[Answer], T],
        authorize: bool = True,
        stop: asyncio.Event | None = None,
        idempotent: bool = False,
        on_retry: Callable[[ZendeskError], None] | None = None,
    ) -> T:
        """The asyncio twin of :meth:`SyncCore.send`, with the same policy (``stop``: once
        set, a wait ends at once with :class:`Stopped`, so that ``track_many`` can end the
        waits of a stopped run)."""
        self.check_open(self.name)

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

        idempotent = idempotent or not authorize
        what, attempts = self.attempts(method, url, idempotent=idempotent)
        renewed = False
        while True:
            header = await self.auth.aheader(self.token_send) if authorize else None
            wait = self.limiter.reserve()
            if wait > 0:
                attempts.check_pacing(wait)
                await sleep(wait)
            try:
                request, seconds = self.prepare(method, url, params, json, attempts, header)
                answer = await self._exchange(request, what, seconds)
                self.limiter.observe(answer.headers)
                logger.debug("%s %s -> %d", method, request.url, answer.status_code)
                if not is_success(answer.status_code):
                    raise self.auth.explain(error_from_response(answer, self.scrubber))
                return decode(answer)
            except AuthenticationError:
                if header is None or renewed or not self.auth.renewable:
                    raise
                renewed = True
                logger.info("%s: 401, renewing the OAuth token once", what)
                await self.auth.arenew(self.token_send, header)
                continue
            except ZendeskError as exc:
                wait = attempts.wait_before_retry(self.failed(exc, method, idempotent))
                failure = exc
            if on_retry is not None:
                on_retry(failure)
            await sleep(wait)

    async def token_send(self, request: Request) -> Any:
        """The asyncio twin of :meth:`SyncCore.token_send`."""
        return await self.send(
            request["method"], request["url"], json=request["json"], decode=json_body,
            authorize=False,
        )  # fmt: skip

    async def _open(self, request: httpx.Request) -> httpx.Response:
        pool = self._pool
        if pool.http_client is not None:
            response: httpx.Response = await pool.http_client.send(request, stream=True)
            return response
        self.check_open(self.name)
        return await pool.transport.handle_async_request(request)  # type: ignore[no-any-return]

    async def _exchange(self, request: httpx.Request, what: str, seconds: float | None) -> Answer:
        secret, limit = self.scrubber, self.settings.max_body_size
        # The deadline bounds every socket operation of our own pool; asyncio.timeout also
        # bounds what a pool passed in does (and DNS, and waiting for a connection).
        with transport_errors(what, secret), deadline(seconds):
            async with asyncio.timeout(seconds):
                response = await self._open(request)
                try:
                    status = response.status_code
                    with transport_errors(what, secret, status):
                        reader = _reader(response, limit)
                        if response.is_stream_consumed:
                            reader.feed(response.content)
                        else:
                            async for chunk in response.aiter_raw():
                                reader.feed(chunk)
                                if past_deadline():
                                    raise httpx.ReadTimeout("the whole response took too long")
                        body = reader.finish()
                except (TooLarge, Undecodable) as exc:
                    if is_success(status):
                        raise _body_error(what, status, exc, limit) from None
                    body = b""
                finally:
                    await response.aclose()
        return _answer(response, body)

    async def close(self) -> None:
        if not self.owner:
            return
        pool = self._pool
        if pool.transport is not None and not pool.closed:
            pool.closed = True
            await pool.transport.aclose()
