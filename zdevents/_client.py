"""``Client`` and ``AsyncClient``: the public entry points.

Requests are built by the generated package (``_routes``), pages followed by ``_pagination``,
retries decided by ``_retry``, pacing by ``_ratelimit``; this module only sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import platform
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, Self, TypeVar

import httpx

from . import _bulk
from ._bulk import Job, OnMissing, Selector
from ._config import authorization, base_url_of, env_settings
from ._event import Event
from ._identifier import Identifier
from ._pagination import PageRequest, Walk
from ._query import MAX_PAGE_SIZE, EventQuery, make_query
from ._ratelimit import RateLimiter
from ._responses import Page, decode_page
from ._retry import RetryPolicy
from ._time import TimeInput
from ._version import __version__
from .errors import APIConnectionError, APITimeoutError, BadResponseError, ZendeskError

__all__ = ["AsyncClient", "AsyncEventStream", "Client", "EventStream"]

StreamT = TypeVar("StreamT")
ManyT = TypeVar("ManyT")
PagesManyT = TypeVar("PagesManyT")

#: Never unlimited: 30 s to read a page, 10 s to connect.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
USER_AGENT = f"zdevents/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"


@contextlib.contextmanager
def _transport_errors(what: str, status: int | None = None) -> Iterator[None]:
    """httpx's exceptions as ours; ``status`` is set while the body of an answer is read."""
    # `from None`: httpx exceptions carry the request, whose headers hold the credentials.
    try:
        yield
    except httpx.TimeoutException as exc:
        raise APITimeoutError(f"{what} timed out ({type(exc).__name__})") from None
    except httpx.DecodingError as exc:
        raise BadResponseError(f"{what}: undecodable body ({exc})", retryable=True) from None
    except httpx.RequestError as exc:
        if status == 200:
            # The page was on its way: a cut-short body, not an unreachable server.
            raise BadResponseError(
                f"{what}: the 200 response body was cut short ({type(exc).__name__})",
                retryable=True,
            ) from None
        raise APIConnectionError(f"{what} failed: {type(exc).__name__}: {exc}") from None


class _BaseClient(Generic[StreamT, ManyT, PagesManyT]):
    def __init__(
        self,
        *,
        subdomain: str | None = None,
        base_url: str | None = None,
        email: str | None = None,
        api_token: str | None = None,
        oauth_token: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_retry_after: float = 60.0,
        retry_budget: float | None = None,
        rate_limit: float | None = None,
        verify: bool | str = True,
    ) -> None:
        self.base_url = base_url_of(subdomain, base_url)
        self._auth_kind, self._authorization = authorization(email, api_token, oauth_token)
        self._email = email if self._auth_kind == "api_token" else None
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        try:
            self._policy = RetryPolicy(
                max_retries, backoff_base, backoff_cap, max_retry_after, retry_budget
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid retry settings: {exc}") from None
        self._limiter = RateLimiter(rate_limit)
        self._verify = verify

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Self:
        """A client configured from ``ZENDESK_SUBDOMAIN`` or ``ZENDESK_BASE_URL``, plus
        ``ZENDESK_EMAIL`` with ``ZENDESK_API_TOKEN``, or ``ZENDESK_OAUTH_TOKEN``.

        Keyword arguments are passed on; an account (``subdomain``/``base_url``) or credentials
        given here replace those of the environment. Raises
        :class:`~zdevents.errors.ConfigurationError` naming what is missing.
        """
        settings: dict[str, Any] = env_settings(environ)
        # An explicit argument replaces the whole group it belongs to (account or credentials).
        for group in (("subdomain", "base_url"), ("email", "api_token", "oauth_token")):
            if any(name in options for name in group):
                for name in group:
                    settings.pop(name, None)
        return cls(**{**settings, **options})

    def events(
        self,
        identifier: Identifier | str | None = None,
        profile_id: str | None = None,
        user_id: int | str | None = None,
        *,
        source: str | None = None,
        type: str | None = None,
        start: TimeInput | None = None,
        end: TimeInput | None = None,
        page_size: int = MAX_PAGE_SIZE,
        after: str | None = None,
    ) -> StreamT:
        """The events of one profile or user, across every page, lazily: an
        :class:`EventStream` from :class:`Client`, an :class:`AsyncEventStream` (for
        ``async for``) from :class:`AsyncClient`.

        Give exactly one of ``identifier`` (an :class:`Identifier` or its text),
        ``profile_id`` or ``user_id``. Filters: ``source``; ``type`` (needs ``source``);
        ``start`` and ``end`` (inclusive; a ``date``, an aware ``datetime`` or an ISO 8601
        string; a date as ``end`` includes that whole UTC day); ``page_size`` (1..100).
        ``after`` resumes at a cursor taken from :attr:`Page.cursor`. Invalid arguments raise
        ``ValueError`` here, before any request.
        """
        query = make_query(
            identifier, profile_id, user_id,
            source=source, type=type, start=start, end=end, page_size=page_size, after=after,
        )  # fmt: skip
        return self._stream(query)

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
    ) -> ManyT:
        """The events of many people, ``concurrency`` at a time, as ``(selector, event)``:
        an iterator from :class:`Client` (worker threads), an async iterator from
        :class:`AsyncClient` (worker tasks).

        A selector is an identifier query (text or :class:`Identifier`) or a mapping with one
        of ``identifier``, ``profile_id``, ``user_id``, and optionally ``after``: a cursor
        (:attr:`Page.cursor`) to resume that selector from. The filters are arguments of the
        call and apply to every selector; a mapping that repeats one is a ``ValueError``.
        Every selector is validated before anything is sent. Each selector's events come in
        order and exactly once; selectors interleave. Workers share this client's pool and
        rate limiter; one page per worker is held at a time. :class:`AsyncClient` runs at most
        20 tasks whatever ``concurrency`` asks for: beyond that, httpcore's async connection
        pool spends more per request than the extra tasks save.

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
        jobs = _bulk.plan(selectors, concurrency, on_missing, {**filters, "page_size": page_size})
        return self._many_events(jobs, concurrency, on_missing)

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
    ) -> PagesManyT:
        """:meth:`events_many` a page at a time: ``(selector, page)``, same arguments.

        This is the way to checkpoint a bulk export: once a page's events are stored, keep
        ``page.cursor`` for its selector; ``page.has_more`` false means that selector is done.
        To resume, pass each unfinished selector as a mapping with its cursor,
        ``{"user_id": 85211553, "after": cursor}`` (``after=None``: from the start), and leave
        out the finished ones; every event then comes exactly once across the two runs. (A
        page with more to come but no cursor, which Zendesk does not send, cannot be resumed
        after: keep the selector's previous cursor and drop what came since.)

        >>> for selector, page in client.pages_many(people, concurrency=20):
        ...     store(page.events); cursors[str(selector)] = page.cursor
        """
        filters = {"source": source, "type": type, "start": start, "end": end}
        jobs = _bulk.plan(selectors, concurrency, on_missing, {**filters, "page_size": page_size})
        return self._many(jobs, concurrency, on_missing)

    def _stream(self, query: EventQuery) -> StreamT:
        raise NotImplementedError

    def _many(self, jobs: list[Job], concurrency: int, on_missing: OnMissing) -> PagesManyT:
        raise NotImplementedError

    def _many_events(self, jobs: list[Job], concurrency: int, on_missing: OnMissing) -> ManyT:
        raise NotImplementedError

    def _build(self, request: PageRequest) -> httpx.Request:
        """The one place a request gets its headers, credentials included."""
        headers = {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "Authorization": self._authorization.reveal(),
        }
        http: httpx.Client | httpx.AsyncClient = self._http  # type: ignore[attr-defined]
        return http.build_request(
            "GET", request.url, params=request.params, headers=headers, timeout=self._timeout
        )

    def _walk(self, query: EventQuery) -> Walk:
        return Walk(query, self.base_url)

    def __repr__(self) -> str:
        who = f", email={self._email!r}" if self._email else ""
        return (
            f"{type(self).__name__}(base_url={str(self.base_url)!r}, auth={self._auth_kind!r}{who})"
        )


class Client(
    _BaseClient["EventStream", Iterator[tuple[Selector, Event]], Iterator[tuple[Selector, Page]]]
):
    """A synchronous Events API client; safe to share between threads.

    >>> client = Client(subdomain="coolbikes", email="devs@coolbikes.com", api_token="...")
    >>> for event in client.events(identifier="coolbikes:rider:email:jdoe@example.com",
    ...                            start="2020-02-23", end="2020-02-29"):
    ...     print(event.type, event.created_at)

    Credentials: ``email`` with ``api_token``, or ``oauth_token``. Account: ``subdomain`` or
    ``base_url`` (plain ``http://`` only for loopback hosts). ``timeout`` (seconds or an
    ``httpx.Timeout``; 30 s by default), ``max_retries`` (4; 0 disables), ``backoff_base`` and
    ``backoff_cap`` (seconds), ``max_retry_after`` (a longer ``Retry-After`` raises at once),
    ``retry_budget`` (seconds one page may take, retries included), ``rate_limit`` (requests a
    minute, to stay below the account's limit), ``verify`` (TLS), ``http_client`` (your own
    ``httpx.Client``; zdevents will not close it).
    """

    def __init__(self, *, http_client: httpx.Client | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._own_http = http_client is None
        self._http = http_client or httpx.Client(
            timeout=self._timeout,
            verify=self._verify,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
        )

    def _stream(self, query: EventQuery) -> EventStream:
        return EventStream(self, query)

    def _many(
        self, jobs: list[Job], concurrency: int, on_missing: OnMissing
    ) -> Iterator[tuple[Selector, Page]]:
        return _bulk.pages_many(self._page_source, jobs, concurrency, on_missing)

    def _many_events(
        self, jobs: list[Job], concurrency: int, on_missing: OnMissing
    ) -> Iterator[tuple[Selector, Event]]:
        return _bulk.events_many(_bulk.pages_many(self._page_source, jobs, concurrency, on_missing))

    def _page_source(self, query: EventQuery, sleep: Callable[[float], None]) -> Iterator[Page]:
        # What bulk export asks for (_bulk.PageSource): its workers wait through `sleep`.
        return self._stream(query)._pages(sleep)

    def _fetch(self, request: PageRequest, sleep: Callable[[float], None] | None = None) -> Page:
        what = f"GET {request.path}"
        # Looked up per call, not bound as a default: tests replace this module's `time`.
        sleep = sleep or time.sleep
        attempts = self._policy.start(what, self._limiter)
        while True:
            wait = self._limiter.reserve()
            if wait > 0:
                attempts.check_pacing(wait)
                sleep(wait)
            try:
                with _transport_errors(what):
                    response = self._http.send(self._build(request), stream=True)
                try:
                    with _transport_errors(what, response.status_code):
                        response.read()
                finally:
                    response.close()
                self._limiter.observe(response.headers)
                return decode_page(response, self._authorization)
            except ZendeskError as exc:
                wait = attempts.wait_before_retry(exc)
            sleep(wait)

    def close(self) -> None:
        """Close the connection pool (not a ``http_client`` you passed in)."""
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

    def __init__(self, client: Client, query: EventQuery) -> None:
        self._client = client
        self._query = query

    @property
    def query(self) -> EventQuery:
        return self._query

    def pages(self) -> Iterator[Page]:
        """Yield one :class:`Page` at a time, following the cursor to the end."""
        return self._pages()

    def _pages(self, sleep: Callable[[float], None] | None = None) -> Iterator[Page]:
        walk = self._client._walk(self._query)
        request: PageRequest | None = walk.first
        while request is not None:
            page = self._client._fetch(request, sleep)
            yield page
            request = walk.advance(page)

    def __iter__(self) -> Iterator[Event]:
        for page in self.pages():
            yield from page.events


class AsyncClient(
    _BaseClient[
        "AsyncEventStream",
        AsyncIterator[tuple[Selector, Event]],
        AsyncIterator[tuple[Selector, Page]],
    ]
):
    """The asyncio twin of :class:`Client`: same arguments, ``async for`` iteration.

    >>> async with AsyncClient.from_env() as client:
    ...     async for event in client.events(user_id=85211553):
    ...         print(event.type)

    Concurrent iterations of one client share its connection pool and its rate limiter.
    """

    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._own_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=self._timeout,
            verify=self._verify,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
        )

    def _stream(self, query: EventQuery) -> AsyncEventStream:
        return AsyncEventStream(self, query)

    def _many(
        self, jobs: list[Job], concurrency: int, on_missing: OnMissing
    ) -> AsyncIterator[tuple[Selector, Page]]:
        return _bulk.async_pages_many(self._page_source, jobs, concurrency, on_missing)

    def _many_events(
        self, jobs: list[Job], concurrency: int, on_missing: OnMissing
    ) -> AsyncIterator[tuple[Selector, Event]]:
        return _bulk.async_events_many(
            _bulk.async_pages_many(self._page_source, jobs, concurrency, on_missing)
        )

    def _page_source(self, query: EventQuery) -> AsyncIterator[Page]:
        # What bulk export asks for (_bulk.AsyncPageSource); its workers are cancelled.
        return self._stream(query).pages()

    async def _fetch(self, request: PageRequest) -> Page:
        what = f"GET {request.path}"
        attempts = self._policy.start(what, self._limiter)
        while True:
            wait = self._limiter.reserve()
            if wait > 0:
                attempts.check_pacing(wait)
                await asyncio.sleep(wait)
            try:
                with _transport_errors(what):
                    response = await self._http.send(self._build(request), stream=True)
                try:
                    with _transport_errors(what, response.status_code):
                        await response.aread()
                finally:
                    await response.aclose()
                self._limiter.observe(response.headers)
                return decode_page(response, self._authorization)
            except ZendeskError as exc:
                wait = attempts.wait_before_retry(exc)
            await asyncio.sleep(wait)

    async def close(self) -> None:
        """Close the connection pool (not a ``http_client`` you passed in)."""
        if self._own_http:
            await self._http.aclose()

    aclose = close

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class AsyncEventStream:
    """The events of one query for ``async for``; :meth:`pages` for pages."""

    def __init__(self, client: AsyncClient, query: EventQuery) -> None:
        self._client = client
        self._query = query

    @property
    def query(self) -> EventQuery:
        return self._query

    async def pages(self) -> AsyncIterator[Page]:
        """Yield one :class:`Page` at a time, following the cursor to the end."""
        walk = self._client._walk(self._query)
        request: PageRequest | None = walk.first
        while request is not None:
            page = await self._client._fetch(request)
            yield page
            request = walk.advance(page)

    async def __aiter__(self) -> AsyncIterator[Event]:
        async for page in self.pages():
            for event in page.events:
                yield event
