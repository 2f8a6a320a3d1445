"""The events routes as a resource holding the client core: one query's pages
(:class:`EventStream`, :class:`AsyncEventStream`) and many people's (through ``_bulk``).

Pages are requested as ``_pagination.Walk`` says, sent by the core's one send loop, and
decoded once by ``_responses.decode_page``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterable, Iterator

from . import _bulk
from ._base_client import Answer, AsyncCore, SyncCore
from ._bulk import OnMissing, Selector
from ._constants import DEFAULT_PAGE_SIZE
from ._event import Event
from ._identifier import Identifier
from ._pagination import PageRequest
from ._query import FILTERS, EventFilters, EventQuery, check_filters, make_query
from ._responses import Page, decode_page


def event_query(
    identifier: Identifier | str | None,
    profile_id: str | None,
    user_id: int | str | None,
    *,
    after: str | None,
    limit: int | None,
    filters: EventFilters,
    where: str,
) -> EventQuery:
    """The validated query of ``events()`` (``where`` names it in a ``TypeError``)."""
    check_filters(filters, where)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise TypeError(f"limit must be an int, not {limit.__class__.__name__}")
        if limit < 1:
            raise ValueError(f"limit={limit!r} must be a positive number of events")
        page_size = filters.get("page_size", DEFAULT_PAGE_SIZE)
        if isinstance(page_size, int) and not isinstance(page_size, bool):
            # No page holds more than is needed.
            filters = {**filters, "page_size": min(page_size, limit)}
    return make_query(identifier, profile_id, user_id, after=after, **filters)


def _stream_repr(stream: object, query: EventQuery, limit: int | None, base_url: object) -> str:
    # The selector as EventQuery.describe shows it: an identifier's value is left out.
    parts = [query.describe()]
    for name in FILTERS:
        if name == "page_size":
            continue
        value = getattr(query, name)
        if value is not None:
            parts.append(f"{name}={value!r}")
    if query.after is not None:
        parts.append("after=<cursor>")
    if limit is not None:
        parts.append(f"limit={limit}")
    return f"<{type(stream).__name__} {', '.join(parts)} from {str(base_url)!r}>"


class Events:
    """The events routes of a :class:`~zdevents.Client`."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def stream(self, query: EventQuery, limit: int | None = None) -> EventStream:
        return EventStream(self, query, limit)

    def fetch(self, request: PageRequest, sleep: Callable[[float], None] | None = None) -> Page:
        """One page, sent by the core's send loop."""
        secret = self._core.scrubber

        def decode(answer: Answer) -> Page:
            return decode_page(answer, secret)

        return self._core.send(
            "GET", request.url, params=request.params, decode=decode, sleep=sleep
        )

    def _page_source(self, query: EventQuery, sleep: Callable[[float], None]) -> Iterator[Page]:
        # What bulk export asks for (_bulk.PageSource): its workers wait through `sleep`.
        return EventStream(self, query)._pages(sleep)

    def pages_many(
        self,
        selectors: Iterable[Selector],
        concurrency: int,
        on_missing: OnMissing,
        filters: EventFilters,
        where: str = "Client.pages_many",
    ) -> Generator[tuple[Selector, Page], None, None]:
        check_filters(filters, where)
        jobs = _bulk.plan(selectors, concurrency, on_missing, filters)
        return _bulk.pages_many(self._page_source, jobs, concurrency, on_missing)

    def events_many(
        self,
        selectors: Iterable[Selector],
        concurrency: int,
        on_missing: OnMissing,
        filters: EventFilters,
    ) -> Iterator[tuple[Selector, Event]]:
        pages = self.pages_many(selectors, concurrency, on_missing, filters, "Client.events_many")
        return _bulk.events_many(pages)


class AsyncEvents:
    """The events routes of an :class:`~zdevents.AsyncClient`."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    def stream(self, query: EventQuery, limit: int | None = None) -> AsyncEventStream:
        return AsyncEventStream(self, query, limit)

    async def fetch(self, request: PageRequest) -> Page:
        secret = self._core.scrubber

        def decode(answer: Answer) -> Page:
            return decode_page(answer, secret)

        return await self._core.send("GET", request.url, params=request.params, decode=decode)

    def _page_source(self, query: EventQuery) -> AsyncIterator[Page]:
        # What bulk export asks for (_bulk.AsyncPageSource); its workers are cancelled.
        return AsyncEventStream(self, query).pages()

    def pages_many(
        self,
        selectors: Iterable[Selector],
        concurrency: int,
        on_missing: OnMissing,
        filters: EventFilters,
        where: str = "AsyncClient.pages_many",
    ) -> AsyncGenerator[tuple[Selector, Page], None]:
        check_filters(filters, where)
        jobs = _bulk.plan(selectors, concurrency, on_missing, filters)
        return _bulk.async_pages_many(self._page_source, jobs, concurrency, on_missing)

    def events_many(
        self,
        selectors: Iterable[Selector],
        concurrency: int,
        on_missing: OnMissing,
        filters: EventFilters,
    ) -> AsyncIterator[tuple[Selector, Event]]:
        pages = self.pages_many(
            selectors, concurrency, on_missing, filters, "AsyncClient.events_many"
        )
        return _bulk.async_events_many(pages)


class EventStream:
    """The events of one query: iterate for events, or call :meth:`pages` for pages.

    Lazy: nothing is sent before iteration starts, and only one page is held at a time.
    Each iteration starts again from the first page. Made by :meth:`Client.events`, not
    constructed by users (its constructor takes the client's own parts).
    """

    def __init__(self, events: Events, query: EventQuery, limit: int | None = None) -> None:
        self._events = events
        self._query = query
        self._limit = limit

    @property
    def query(self) -> EventQuery:
        """The validated query this stream reads."""
        return self._query

    def pages(self) -> Iterator[Page]:
        """Yield one :class:`Page` at a time, following the cursor to the end. With a
        ``limit``, pages stop once they hold that many events; the last is whole, so that
        its cursor stays a correct place to resume."""
        return self._pages()

    def _pages(self, sleep: Callable[[float], None] | None = None) -> Iterator[Page]:
        # `sleep` lets a bulk export end its workers' waits at once (see _bulk).
        walk = self._events._core.walk(self._query)
        request: PageRequest | None = walk.first
        left = self._limit
        while request is not None:
            page = self._events.fetch(request, sleep)
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
        return _stream_repr(self, self._query, self._limit, self._events._core.base_url)


class AsyncEventStream:
    """The events of one query for ``async for``; :meth:`pages` for pages. Made by
    :meth:`AsyncClient.events`, not constructed by users (as :class:`EventStream`)."""

    def __init__(self, events: AsyncEvents, query: EventQuery, limit: int | None = None) -> None:
        self._events = events
        self._query = query
        self._limit = limit

    @property
    def query(self) -> EventQuery:
        """The validated query this stream reads."""
        return self._query

    async def pages(self) -> AsyncIterator[Page]:
        """Yield one :class:`Page` at a time, following the cursor to the end (with a
        ``limit``, as :meth:`EventStream.pages` does)."""
        walk = self._events._core.walk(self._query)
        request: PageRequest | None = walk.first
        left = self._limit
        while request is not None:
            page = await self._events.fetch(request)
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
        return _stream_repr(self, self._query, self._limit, self._events._core.base_url)
