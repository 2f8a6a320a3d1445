"""Leaving a ``track_many`` loop early while still holding the generator: no record starts
that had not started when the caller stopped asking (issue 20), threads and tasks alike.

The server answers the first record at once and holds every other until the test lets it
go. When the first outcome comes back, the records taken from the input are the first and
at most one per worker (not a read-ahead window waiting for workers); once the held ones
are let go, nothing else may be sent.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from typing import Any

import httpx
import pytest

from tests._mock import async_client, client
from zdevents import errors

ACCEPTED = {"profile_id": "01E1", "status": "received"}
CONCURRENCY = 2
#: At most the records started when the first outcome is yielded: the first, then one per
#: worker.
STARTED = 1 + CONCURRENCY


class Records:
    """100 track records, counting how many were taken."""

    def __init__(self) -> None:
        self.taken = 0

    def __iter__(self) -> Any:
        for n in range(100):
            self.taken += 1
            yield {"event": {"source": "s", "type": f"t{n}"}, "profile_id": "01E1"}


def _wait_for(condition: Any) -> None:
    """Wait for ``condition()`` (a safety bound only: the test fails on what it then sees)."""
    deadline = time.monotonic() + 30
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def _workers_idle(others: set[threading.Thread]) -> bool:
    # A ThreadPoolExecutor worker with nothing to do blocks in its queue: its innermost
    # Python frame is _worker itself. Only this test's workers: a worker another test of
    # the same process left behind may never be idle (the wait would run out its bound).
    frames = sys._current_frames()
    workers = [
        t for t in threading.enumerate() if t.name.startswith("zdevents-track") and t not in others
    ]
    return all(frames[t.ident].f_code.co_name == "_worker" for t in workers if t.ident in frames)


def test_leaving_a_track_many_loop_early_starts_no_more_records() -> None:
    arrived: list[str] = []
    release = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        arrived.append(request.content.decode())
        if len(arrived) > 1:
            release.wait(30)
        return httpx.Response(202, json=ACCEPTED)

    todo = Records()
    others = set(threading.enumerate())
    with client(handler) as c:
        outcomes = c.track_many(todo, concurrency=CONCURRENCY)
        for _ in outcomes:
            break  # the generator is still referenced: never closed, never collected
        taken = todo.taken
        _wait_for(lambda: len(arrived) >= min(taken, STARTED))
        release.set()
        # Settled: two polls apart, every worker waits for work.
        _wait_for(lambda: _workers_idle(others) and (time.sleep(0.05) or _workers_idle(others)))
        # Sent: the first and those the free workers had started; none that waited for one.
        assert len(arrived) <= STARTED, f"{len(arrived) - STARTED} more records were sent"
        assert len(arrived) == taken  # every record taken had started
        outcomes.close()  # type: ignore[attr-defined]
    assert len(arrived) == taken


def test_leaving_an_async_track_many_loop_early_starts_no_more_records() -> None:
    arrived: list[str] = []

    async def main() -> None:
        release = asyncio.Event()

        async def handler(request: httpx.Request) -> httpx.Response:
            arrived.append(request.content.decode())
            if len(arrived) > 1:
                await release.wait()
            return httpx.Response(202, json=ACCEPTED)

        recorder: Any = type("Handler", (), {"handle_async": staticmethod(handler)})()
        todo = Records()
        async with async_client(recorder) as c:
            outcomes = c.track_many(todo, concurrency=CONCURRENCY)
            async for _ in outcomes:
                break  # still referenced
            taken = todo.taken
            release.set()
            # Settled: no task but this one has anything left to do.
            for _ in range(1000):
                others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
                if not any(not t.done() for t in others):
                    break
                await asyncio.sleep(0.01)
            assert len(arrived) <= STARTED, f"{len(arrived) - STARTED} more records were sent"
            assert len(arrived) == taken
            await outcomes.aclose()  # type: ignore[attr-defined]

    asyncio.run(main())


def test_an_interrupted_track_many_still_gives_the_outcome_of_every_record_it_started() -> None:
    # Six a minute, four workers: the first record goes at once, the next three wait 10, 20
    # and 30 s for their slots. Interrupted there, those three were never sent: each gets a
    # "not sent" outcome, then the interruption goes on.
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content.decode())
        return httpx.Response(202, json=ACCEPTED)

    todo = Records()
    with client(handler, rate_limit=6) as c:
        outcomes = c.track_many(todo, concurrency=4)
        first = next(outcomes)
        _wait_for(lambda: _workers_waiting(3))
        rest = []
        with pytest.raises(KeyboardInterrupt):
            rest.append(outcomes.throw(KeyboardInterrupt()))  # type: ignore[attr-defined]
            rest.extend(outcomes)
    assert first.profile_id == "01E1" and len(sent) == 1
    assert todo.taken == 4
    assert len(rest) == 3
    for outcome in rest:
        assert isinstance(outcome, errors.APIConnectionError) and not outcome.sent
        assert str(outcome).startswith("not sent")


def _workers_waiting(count: int) -> bool:
    # Workers paused for the rate limit wait in track_many's sleep (a threading.Event).
    frames = sys._current_frames()
    waiting = 0
    for thread in threading.enumerate():
        frame = frames.get(thread.ident or 0) if thread.name.startswith("zdevents-track") else None
        while frame is not None:
            if frame.f_code.co_name == "sleep" and "_track" in frame.f_code.co_filename:
                waiting += 1
                break
            frame = frame.f_back
    return waiting >= count


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, asyncio.CancelledError])
def test_an_interrupted_async_track_many_still_gives_the_outcome_of_every_record_it_started(
    interrupt: type[BaseException],
) -> None:
    # The twin of the threads' test: the async track_many dropped the records it had
    # started (cancelled, no outcome), so a caller could not tell sent from not sent.
    sent: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content.decode())
        return httpx.Response(202, json=ACCEPTED)

    recorder: Any = type("Handler", (), {"handle_async": staticmethod(handler)})()
    todo = Records()
    rest: list[Any] = []

    async def main() -> Any:
        async with async_client(recorder, rate_limit=6) as c:
            outcomes: Any = c.track_many(todo, concurrency=4)
            first = await outcomes.__anext__()
            for _ in range(100):  # the three others take their slots and wait
                await asyncio.sleep(0)
            with pytest.raises(interrupt):
                rest.append(await outcomes.athrow(interrupt()))
                async for outcome in outcomes:
                    rest.append(outcome)
            return first

    first = asyncio.run(main())
    assert first.profile_id == "01E1" and len(sent) == 1
    assert todo.taken == 4
    assert len(rest) == 3
    for outcome in rest:
        assert isinstance(outcome, errors.APIConnectionError) and not outcome.sent
        assert str(outcome).startswith("not sent")
