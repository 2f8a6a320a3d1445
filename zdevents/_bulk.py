"""Bulk export: the events of many selectors with bounded concurrency.

Each selector is read by one worker from its first page to its last, so its events keep
their order and come exactly once; workers hand whole pages to the consumer through a small
bounded queue, so memory stays at a few pages whatever the size of the export. All workers
share the client's connection pool and rate limiter. The first error stops the export and is
raised with a note naming the selector.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from ._event import Event
from ._identifier import Identifier
from ._query import EventQuery, make_query
from ._responses import Page

if TYPE_CHECKING:
    from ._client import AsyncClient, Client

__all__ = ["Selector", "Stopped", "async_events_many", "events_many", "plan"]

#: An identifier query (text or :class:`Identifier`) or a mapping with one of
#: ``identifier``, ``profile_id``, ``user_id``.
Selector: TypeAlias = Identifier | str | Mapping[str, Any]

_DONE = object()


class _Delivery(NamedTuple):
    selector: Selector
    page: Page


def plan(
    selectors: Iterable[Selector], concurrency: int, filters: Mapping[str, Any]
) -> list[tuple[Selector, EventQuery]]:
    """Validate every selector and the filters before anything is sent."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency={concurrency!r} must be a positive integer")
    if isinstance(selectors, str | Identifier):
        raise TypeError("selectors must be an iterable of selectors, not a single one")
    planned = []
    for number, selector in enumerate(selectors, 1):
        try:
            if isinstance(selector, Mapping):
                query = make_query(**selector, **filters)
            else:
                query = make_query(identifier=selector, **filters)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"selector {number} ({selector!r}): {exc}") from None
        planned.append((selector, query))
    return planned


class Stopped(Exception):
    """Raised inside a bulk-export worker whose export has ended (break, error, exit)."""


def events_many(
    client: Client, planned: list[tuple[Selector, EventQuery]], concurrency: int
) -> Iterator[tuple[Selector, Event]]:
    """Threads: ``concurrency`` daemon workers, each paging through one selector at a time.

    Daemon threads and a shared ``stop`` event, rather than a ThreadPoolExecutor: an early
    break, the first error or the end of the program must not wait for workers that sleep
    through a ``Retry-After`` (their waits end at once) or hold a page nobody will take.
    """
    pages: queue.Queue[object] = queue.Queue(maxsize=2 * concurrency)
    stop = threading.Event()
    todo = iter(planned)
    todo_lock = threading.Lock()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                pages.put(item, timeout=0.1)
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
            selector, query = job
            try:
                for page in client._stream(query)._pages(stop):
                    if not hand_over(_Delivery(selector, page)):
                        return
            except Stopped:
                return
            except Exception as exc:
                exc.add_note(f"while exporting the events of {selector!r}")
                hand_over(exc)
                return
        hand_over(_DONE)

    workers = [
        threading.Thread(target=work, name=f"zdevents-export-{n}", daemon=True)
        for n in range(min(concurrency, len(planned)))
    ]
    for worker in workers:
        worker.start()
    try:
        running = len(workers)
        while running:
            item = pages.get()
            if item is _DONE:
                running -= 1
            elif isinstance(item, _Delivery):
                for event in item.page.events:
                    yield item.selector, event
            else:
                assert isinstance(item, BaseException)
                raise item
    finally:
        # Also on an early break: workers stop at their next wait or page; a request in
        # flight ends within the client's timeout.
        stop.set()


async def async_events_many(
    client: AsyncClient, planned: list[tuple[Selector, EventQuery]], concurrency: int
) -> AsyncIterator[tuple[Selector, Event]]:
    """asyncio: ``concurrency`` worker tasks pulling selectors from one shared list."""
    pages: asyncio.Queue[object] = asyncio.Queue(maxsize=2 * concurrency)
    todo = iter(planned)

    async def work() -> None:
        for selector, query in todo:
            try:
                async for page in client._stream(query).pages():
                    await pages.put(_Delivery(selector, page))
            except Exception as exc:
                exc.add_note(f"while exporting the events of {selector!r}")
                await pages.put(exc)
                return
        await pages.put(_DONE)

    workers = [asyncio.create_task(work()) for _ in range(min(concurrency, len(planned)))]
    try:
        running = len(workers)
        while running:
            item = await pages.get()
            if item is _DONE:
                running -= 1
            elif isinstance(item, _Delivery):
                for event in item.page.events:
                    yield item.selector, event
            else:
                assert isinstance(item, BaseException)
                raise item
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
