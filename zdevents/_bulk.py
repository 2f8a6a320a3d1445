"""Bulk export: the pages of many selectors with bounded concurrency.

Each selector is read by one worker from its first page to its last, so its events keep
their order and come exactly once; workers hand whole pages to the consumer through a small
bounded queue, so memory stays at a few pages whatever the size of the export.

This module knows nothing of the client. It asks a *page source* for the pages of one query:
a function the client hands in (``PageSource``: ``(query, sleep) -> pages``, or
``AsyncPageSource``: ``query -> async pages``). Every wait of the sync source (retries,
pacing) goes through the ``sleep`` it is given, which is how a worker's wait ends at once
when its export ends; async workers are simply cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
)
from typing import Any, Literal, NamedTuple, TypeAlias

from ._constants import ASYNC_MAX_WORKERS
from ._event import Event
from ._identifier import Identifier
from ._query import FILTERS, EventQuery, make_query, shorten
from ._responses import Page
from ._selectors import spelled_kwargs
from .errors import NotFoundError, ZendeskError

logger = logging.getLogger("zdevents")

#: An identifier query (text or :class:`Identifier`), the text ``user_id:N`` or
#: ``profile_id:ID`` (the ``--identifiers-file`` spelling), or a mapping with one of
#: ``identifier``, ``profile_id``, ``user_id``, and optionally ``after`` (a cursor) and
#: ``start`` (that selector's own start).
Selector: TypeAlias = Identifier | str | Mapping[str, Any]

#: What to do when a selector's person does not exist (a 404). The callback's first
#: parameter is typed ``Any`` so that one written for the caller's own selectors (``str``
#: only, say) type-checks; it gets each selector exactly as it was given.
OnMissing: TypeAlias = Literal["raise", "skip"] | Callable[[Any, NotFoundError], object]

#: The pages of one query, waiting (between retries, for the rate limit) through ``sleep``.
PageSource: TypeAlias = Callable[[EventQuery, Callable[[float], None]], Iterator[Page]]
AsyncPageSource: TypeAlias = Callable[[EventQuery], AsyncIterator[Page]]


_SELECTOR_KEYS = ("identifier", "profile_id", "user_id", "after")
#: What a selector mapping may give for itself instead of the call: its own start.
_OWN_FILTERS = ("start",)
_FILTER_KEYS = tuple(FILTERS)


class Job(NamedTuple):
    """One selector of an export: its place in the list (from 1), as given, and its query."""

    number: int
    selector: Selector
    query: EventQuery

    def describe(self) -> str:
        # No identifier value: this goes into warnings, and identifiers hold emails.
        return f"selector {self.number} ({self.query.describe()})"


def plan(
    selectors: Iterable[Selector],
    concurrency: int,
    on_missing: OnMissing,
    filters: Mapping[str, Any],
) -> list[Job]:
    """Validate every selector, the filters and the options before anything is sent."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency={concurrency!r} must be a positive integer")
    if on_missing not in ("raise", "skip") and not callable(on_missing):
        raise ValueError(
            f"on_missing={shorten(on_missing)} must be 'raise', 'skip' or a function "
            "(selector, error) -> None"
        )
    if isinstance(selectors, str | Identifier | Mapping):
        raise TypeError("selectors must be an iterable of selectors, not a single one")
    jobs = []
    for number, selector in enumerate(selectors, 1):
        try:
            if isinstance(selector, Mapping):
                own = _selector_arguments(selector, filters)
                query = make_query(**{**filters, **own})
            elif isinstance(selector, str) and (spelled := spelled_kwargs(selector)):
                # The --identifiers-file spelling: user_id:N, profile_id:ID.
                query = make_query(**spelled, **filters)
            elif isinstance(selector, str | Identifier):
                query = make_query(identifier=selector, **filters)
            else:
                raise TypeError(
                    "a selector is an identifier query (str or Identifier) or a mapping, "
                    f"not {type(selector).__name__}"
                )
        except (TypeError, ValueError) as exc:
            kind = TypeError if isinstance(exc, TypeError) else ValueError
            raise kind(f"selector {number} ({shorten(selector)}): {exc}") from None
        jobs.append(Job(number, selector, query))
    return jobs


def _selector_arguments(selector: Mapping[Any, Any], filters: Mapping[str, Any]) -> dict[str, Any]:
    for key in selector:
        if key in _SELECTOR_KEYS:
            continue
        if key in _OWN_FILTERS and filters.get(key) is None:
            continue
        if key in _FILTER_KEYS:
            # Filters are arguments of the whole export; one per selector would be a second,
            # silently ignored or conflicting, value.
            given = key != "page_size" and filters.get(key) is not None
            conflict = f"is given both here and as {key}=" if given else "is not a selector key"
            raise ValueError(
                f"{key} {conflict}: filters apply to every selector, pass {key}= to the call"
            )
        raise ValueError(
            f"unknown key {shorten(key)}: a selector mapping takes one of identifier, "
            "profile_id, user_id, and optionally after (a cursor to resume from) and start "
            "(that selector's own start)"
        )
    return dict(selector)


class Stopped(BaseException):
    """Raised inside a bulk-export worker whose export has ended (break, error, exit).

    A ``BaseException``, as ``asyncio.CancelledError`` is: no ``except Exception`` on the way
    (the fetch loop's, a user's code in between) may take it for a failure and go on."""


class _Delivery(NamedTuple):
    selector: Selector
    page: Page


class _Missing(NamedTuple):
    job: Job
    error: NotFoundError


_DONE = object()


def _failed(job: Job, exc: Exception) -> Exception:
    if isinstance(exc, ZendeskError):
        exc.selector = job.selector
    # The whole selector, unlike the warning of a skip: an exception goes to the caller alone.
    exc.add_note(
        f"while exporting the events of selector {job.number} ({shorten(job.selector, 200)})"
    )
    return exc


def _report_missing(on_missing: OnMissing, missing: _Missing) -> None:
    # In the consumer, not in a worker: a callback runs in the caller's thread or task, in
    # order with the pages around it, and what it raises ends the export.
    if callable(on_missing):
        on_missing(missing.job.selector, missing.error)
    else:
        logger.warning("skipped %s: %s", missing.job.describe(), missing.error)
        logger.debug("skipped selector %d: %s", missing.job.number, shorten(missing.job.selector))


def pages_many(
    source: PageSource, jobs: list[Job], concurrency: int, on_missing: OnMissing
) -> Generator[tuple[Selector, Page], None, None]:
    """Threads: ``concurrency`` daemon workers, each paging through one selector at a time.

    Daemon threads and a shared ``stop`` event, rather than a ThreadPoolExecutor: an early
    break, the first error or the end of the program must not wait for workers that sleep
    through a ``Retry-After`` (their waits end at once) or hold a page nobody will take.
    """
    count = min(concurrency, len(jobs))
    # No jobs, no workers: nothing is ever put, and a maxsize of 0 is never reached.
    deliveries: queue.Queue[object] = queue.Queue(maxsize=2 * count)
    stop = threading.Event()
    todo = iter(jobs)
    todo_lock = threading.Lock()

    def sleep(seconds: float) -> None:
        if stop.wait(seconds):
            raise Stopped

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                deliveries.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        while not stop.is_set():
            with todo_lock:
                job = next(todo, None)
            if job is None:
                break
            try:
                for page in source(job.query, sleep):
                    if not hand_over(_Delivery(job.selector, page)):
                        return
            except Stopped:
                return
            except NotFoundError as exc:
                if on_missing == "raise":
                    hand_over(_failed(job, exc))
                    return
                if not hand_over(_Missing(job, exc)):
                    return
            except Exception as exc:
                hand_over(_failed(job, exc))
                return
        hand_over(_DONE)

    workers = [
        threading.Thread(target=work, name=f"zdevents-export-{n}", daemon=True)
        for n in range(count)
    ]
    for worker in workers:
        worker.start()
    try:
        running = len(workers)
        while running:
            item = deliveries.get()
            if item is _DONE:
                running -= 1
            elif isinstance(item, _Delivery):
                yield item.selector, item.page
            elif isinstance(item, _Missing):
                _report_missing(on_missing, item)
            else:
                assert isinstance(item, Exception)
                raise item
    finally:
        # Also on an early break: workers stop at their next wait or page; a request in
        # flight ends within the client's timeout.
        stop.set()


def events_many(
    pages: Generator[tuple[Selector, Page], None, None],
) -> Iterator[tuple[Selector, Event]]:
    """The events of :func:`pages_many`; closing this closes the export."""
    with contextlib.closing(pages):
        for selector, page in pages:
            for event in page.events:
                yield selector, event


async def async_pages_many(
    source: AsyncPageSource, jobs: list[Job], concurrency: int, on_missing: OnMissing
) -> AsyncGenerator[tuple[Selector, Page], None]:
    """asyncio: ``concurrency`` worker tasks (at most ``ASYNC_MAX_WORKERS``) pulling
    selectors from one shared list."""
    count = min(concurrency, ASYNC_MAX_WORKERS, len(jobs))
    deliveries: asyncio.Queue[object] = asyncio.Queue(maxsize=2 * count)
    todo = iter(jobs)

    async def work() -> None:
        for job in todo:
            try:
                async for page in source(job.query):
                    await deliveries.put(_Delivery(job.selector, page))
            except NotFoundError as exc:
                if on_missing == "raise":
                    await deliveries.put(_failed(job, exc))
                    return
                await deliveries.put(_Missing(job, exc))
            except Exception as exc:
                await deliveries.put(_failed(job, exc))
                return
        await deliveries.put(_DONE)

    workers = [asyncio.create_task(work()) for _ in range(count)]
    try:
        running = len(workers)
        while running:
            item = await deliveries.get()
            if item is _DONE:
                running -= 1
            elif isinstance(item, _Delivery):
                yield item.selector, item.page
            elif isinstance(item, _Missing):
                _report_missing(on_missing, item)
            else:
                assert isinstance(item, Exception)
                raise item
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


async def async_events_many(
    pages: AsyncGenerator[tuple[Selector, Page], None],
) -> AsyncIterator[tuple[Selector, Event]]:
    """The events of :func:`async_pages_many`; closing this closes the export."""
    async with contextlib.aclosing(pages):
        async for selector, page in pages:
            for event in page.events:
                yield selector, event
