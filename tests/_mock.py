"""Helpers for unit tests that talk to an ``httpx.MockTransport`` instead of Zendesk."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx

from zdevents import AsyncClient, Client

SUBDOMAIN = "coolbikes"
BASE = "https://coolbikes.zendesk.com"
EMAIL = "devs@coolbikes.com"
API_TOKEN = "6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv"
OAUTH_TOKEN = "oauth-0123456789abcdefSECRET"

Handler = Callable[[httpx.Request], httpx.Response]


def event(n: int, **extra: Any) -> dict[str, Any]:
    """A documented-looking event, distinct for each ``n``."""
    raw: dict[str, Any] = {
        "id": f"01E24ET0G1PHQ8QVNYRYM4Q{n:03d}",
        "type": "bike_rental_booked",
        "source": "coolbike",
        "description": f"event {n}",
        "created_at": f"2020-02-28T18:13:{n % 60:02d}.175841347Z",
        "received_at": f"2020-02-28T18:13:{n % 60:02d}.175842838Z",
        "properties": {"n": n},
    }
    raw.update(extra)
    return raw


def page_body(
    events: Iterable[dict[str, Any]] = (),
    *,
    next: str | None = None,
    cursor: str | None = None,
    has_more: bool | None = None,
    links: str = "array",
) -> dict[str, Any]:
    """A 200 body; ``links`` is ``"array"`` (documented), ``"object"`` or ``"none"``."""
    body: dict[str, Any] = {"events": list(events)}
    if links == "array":
        body["links"] = [{"next": next or ""}]
    elif links == "object":
        body["links"] = {"next": next, "prev": None}
    meta: dict[str, Any] = {}
    if cursor is not None:
        meta["after_cursor"] = cursor
    if has_more is not None:
        meta["has_more"] = has_more
    if meta:
        body["meta"] = meta
    return body


def ok(body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body, headers=headers)


class Recorder:
    """A MockTransport handler that answers from a list (or a function) and keeps every request."""

    def __init__(self, *answers: httpx.Response | Handler | dict[str, Any] | BaseException):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.url}")
        answer = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, dict):
            return ok(answer)
        if isinstance(answer, httpx.Response):
            # A Response can be read once; hand out a fresh copy each time.
            return httpx.Response(
                answer.status_code, headers=answer.headers, content=answer.content
            )
        return answer(request)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        return self(request)

    @property
    def calls(self) -> int:
        return len(self.requests)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def params(self, i: int = -1) -> dict[str, str]:
        """The query of request ``i`` decoded once (a repeated name would fail the test)."""
        items = self.requests[i].url.params.multi_items()
        assert len({k for k, _ in items}) == len(items), items
        return dict(items)


def never(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request expected, got {request.url}")


def mock_transport(handler: Handler) -> httpx.MockTransport:
    """The one mock transport: ``handler`` answers each request."""
    return httpx.MockTransport(handler)


def mock_async_transport(handler: Handler | Any) -> httpx.MockTransport:
    """:func:`mock_transport` for an async client: an object with a ``handle_async``
    coroutine (a :class:`Recorder`, or a handler that must await) answers with that."""
    return httpx.MockTransport(getattr(handler, "handle_async", handler))


def mock_http_client(handler: Handler) -> httpx.Client:
    """An ``httpx.Client`` on :func:`mock_transport`, for ``Client(http_client=...)``."""
    return httpx.Client(transport=mock_transport(handler))


def mock_async_http_client(handler: Handler | Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` on :func:`mock_async_transport`."""
    return httpx.AsyncClient(transport=mock_async_transport(handler))


def client(handler: Handler, **options: Any) -> Client:
    """A Client on a mock transport; fast retries unless the test says otherwise."""
    options.setdefault("backoff_base", 0)
    if "oauth_token" not in options and "base_url" not in options:
        options.setdefault("subdomain", SUBDOMAIN)
    if "oauth_token" not in options:
        options.setdefault("email", EMAIL)
        options.setdefault("api_token", API_TOKEN)
    elif "base_url" not in options:
        options.setdefault("subdomain", SUBDOMAIN)
    return Client(http_client=mock_http_client(handler), **options)


def async_client(handler: Handler, **options: Any) -> AsyncClient:
    """An AsyncClient on a mock transport, with the defaults of :func:`client`. ``handler``
    answers each request; an object with a ``handle_async`` coroutine (a :class:`Recorder`,
    or a handler that must await) is answered by that instead."""
    options.setdefault("backoff_base", 0)
    if "base_url" not in options:
        options.setdefault("subdomain", SUBDOMAIN)
    if "oauth_token" not in options:
        options.setdefault("email", EMAIL)
        options.setdefault("api_token", API_TOKEN)
    return AsyncClient(http_client=mock_async_http_client(handler), **options)


def json_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


#: More sleeps than any test of retries or pacing takes: see ``FakeClock.sleep``.
MAX_FAKE_SLEEPS = 100_000


class FakeClock:
    """Replaces ``time`` (and ``asyncio.sleep``) in the client, retry and rate-limit modules:
    sleeping advances a fake monotonic clock and is recorded, so tests of retries and pacing
    neither wait nor depend on timing. ``frozen`` records sleeps without advancing. Safe to
    share between threads.

    The retry jitter goes through it too: ``jitter`` is ``None`` (random, as in use),
    ``"low"`` or ``"high"`` (the ends of the range asked for); ``jitter_calls`` records each
    range asked for."""

    def __init__(self, *, frozen: bool = False) -> None:
        self.now = 1000.0
        self.frozen = frozen
        self.sleeps: list[float] = []
        self.jitter: str | None = None
        self.jitter_calls: list[tuple[float, float]] = []
        self._lock = threading.Lock()
        self._rng = random.Random()

    def uniform(self, low: float, high: float) -> float:
        self.jitter_calls.append((low, high))
        if self.jitter == "low":
            return low
        if self.jitter == "high":
            return high
        return self._rng.uniform(low, high)

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return 1_700_000_000.0 + self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        with self._lock:
            # A loop that never stops retrying (a mutant of the retry count, say) takes no
            # time on this clock, so no timeout would end it: it fails here instead.
            assert len(self.sleeps) < MAX_FAKE_SLEEPS, f"slept {MAX_FAKE_SLEEPS} times"
            self.sleeps.append(seconds)
            if not self.frozen:
                self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)  # still yield, as a real sleep would

    def install(self, monkeypatch: Any) -> FakeClock:
        from zdevents import _base_client, _ratelimit, _retry

        fake_time = _Proxy(time, monotonic=self.monotonic, time=self.time, sleep=self.sleep)
        for module in (_base_client, _ratelimit, _retry):
            monkeypatch.setattr(module, "time", fake_time)
        monkeypatch.setattr(_retry, "_JITTER", self)
        monkeypatch.setattr(_base_client, "asyncio", _Proxy(asyncio, sleep=self.async_sleep))
        return self


def slow_transport_clock(monkeypatch: Any, step: float) -> None:
    """Make each reading of the transport's monotonic clock (a response's deadline, and the
    check of it before each socket operation) ``step`` seconds later than the one before: a
    machine so slow, or so often suspended, that each step of an exchange takes that long.
    The sockets' own waits stay real."""
    from zdevents import _transport

    start, readings = time.monotonic(), itertools.count()
    clock = _Proxy(time, monotonic=lambda: start + step * next(readings))
    monkeypatch.setattr(_transport, "time", clock)


_FAKE_CLOCK_SITE = Path(__file__).with_name("_fake_clock_site")


def fake_clock_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a subprocess (a command-line run) whose zdevents waits on a
    :class:`FakeClock`: retries and pacing take no time, so a test can ride out the faults
    it injects without sleeping through the backoff (tests/_fake_clock_site)."""
    path = [str(_FAKE_CLOCK_SITE), *filter(None, [env.get("PYTHONPATH")])]
    return {**env, "PYTHONPATH": os.pathsep.join(path)}


class _Proxy:
    """A module stand-in: the given names replaced, everything else from the real module."""

    def __init__(self, module: Any, **overrides: Any) -> None:
        self._module = module
        self.__dict__.update(overrides)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


# The seams into a client's core, for tests that reach below the public API on purpose: the
# only place the tests touch a private attribute of a client.


def limiter_of(client: Client | AsyncClient) -> Any:
    """A client's shared rate limiter, for tests that stand in for another worker of the
    same client (a 429 it met, a limit it learnt)."""
    return client._core.limiter


def auth_of(client: Client | AsyncClient) -> Any:
    """A client's credentials in use (its tokens, for tests of renewal and of reprs)."""
    return client._core.auth


def send(client: Client, method: str, path: str, **kwargs: Any) -> Any:
    """One request through a client's send loop (retry, pacing, deadline, status mapping),
    for tests of that loop on a route no method of the client has."""
    return client._core.send(method, path, **kwargs)


async def async_send(client: AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    """:func:`send` for an :class:`AsyncClient`."""
    return await client._core.send(method, path, **kwargs)


#: Kinds of database path that are not one regular file (what sync and plan_sync refuse).
NOT_ONE_FILE = ["directory", "fifo", "dangling", "hard link"]


def not_one_file(db: Path, kind: str, content: bytes = b"") -> None:
    """Make ``db`` (in a tmp folder) a path of ``kind`` (one of :data:`NOT_ONE_FILE`)."""
    if kind == "directory":
        db.mkdir()
    elif kind == "fifo":
        os.mkfifo(db)
    elif kind == "dangling":
        db.symlink_to(db.parent / "nowhere")
    else:
        db.write_bytes(content)
        os.link(db, db.parent / "other.db")
