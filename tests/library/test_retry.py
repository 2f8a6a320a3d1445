"""The retry policy, end to end through ``Client._fetch`` with an in-memory transport.

No test sleeps: ``time`` and ``asyncio`` are replaced, in the zdevents modules only, by a fake
clock that records every requested sleep and moves time forward by it. The assertions are on
request counts and on the recorded waits, never on wall time.

The second half pins the policy status by status and number by number (written against the
mutants that outlived the rest of the suite, issue 15): each test fails if one status leaves
or joins the retried set, if a cut-short or undecodable 200 stops being worth another try, if
a documented default moves, or if the retry budget counts wrongly.
"""

from __future__ import annotations

import asyncio
import email.utils
import http.server
import json
import logging
import math
import re
import socket
import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests._mock import (
    API_TOKEN,
    EMAIL,
    SUBDOMAIN,
    FakeClock,
    Recorder,
    async_client,
    client,
    event,
    limiter_of,
    mock_async_http_client,
    mock_http_client,
    ok,
    page_body,
)
from tests._mock import async_client as mock_async_client
from tests._mock import client as mock_client
from zdevents import AsyncClient, Client, _failures, errors, is_transient
from zdevents._retry import RetryPolicy

TOKEN = "tok-RETRY-5ecr3t-9f2c"
RETRYABLE = [408, 429, 500, 502, 503, 504, *range(520, 528)]
NOT_RETRYABLE = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    501: errors.ServerError,
    505: errors.ServerError,
    409: errors.APIError,
    418: errors.APIError,
}
TRANSPORT_ERRORS = [
    httpx.ConnectError("connection refused"),
    httpx.ConnectTimeout("connect timed out"),
    httpx.ReadTimeout("read timed out"),
    httpx.WriteTimeout("write timed out"),
    httpx.PoolTimeout("pool timed out"),
    httpx.ReadError("connection reset by peer"),
    httpx.WriteError("broken pipe"),
    httpx.RemoteProtocolError("server disconnected without sending a response"),
]


# --- a fake clock for the zdevents modules -----------------------------------------------


def _namespace(module: types.ModuleType, **overrides: Any) -> types.SimpleNamespace:
    names = {name: getattr(module, name) for name in dir(module) if not name.startswith("__")}
    return types.SimpleNamespace(**{**names, **overrides})


# --- a scripted in-memory server ---------------------------------------------------------

Step = tuple[int, dict[str, str], bytes] | Exception


def page_bytes(events: list[dict[str, Any]], cursor: str | None = None) -> bytes:
    meta = {"has_more": cursor is not None, "after_cursor": cursor, "before_cursor": None}
    return json.dumps({"events": events, "meta": meta, "links": {}}).encode()


OK: Step = (200, {"content-type": "application/json"}, page_bytes([]))


def status(code: int, headers: dict[str, str] | None = None, body: bytes = b"") -> Step:
    return (code, headers or {}, body)


def Script(*steps: Step) -> Recorder:
    """The shared harness (:class:`tests._mock.Recorder`) answering with ``steps`` in order;
    the last step repeats forever."""
    return Recorder(
        *(
            step
            if isinstance(step, Exception)
            else httpx.Response(step[0], headers=step[1], content=step[2])
            for step in steps
        )
    )


def make_client(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> Client:
    # The documented backoff (0.5 s base), which these tests measure on the fake clock.
    return mock_client(handler, **{"api_token": TOKEN, "backoff_base": 0.5, **options})


def make_async_client(
    handler: Callable[[httpx.Request], httpx.Response], **options: Any
) -> AsyncClient:
    recorder = handler if isinstance(handler, Recorder) else Recorder(handler)
    return mock_async_client(recorder, **{"oauth_token": TOKEN, "backoff_base": 0.5, **options})


def fetch_all(client: Client) -> list[Any]:
    return list(client.events(user_id=85211553))


# --- what is retried, what is not --------------------------------------------------------


@pytest.mark.parametrize("code", RETRYABLE)
def test_retryable_status_is_retried_once_then_succeeds(clock: FakeClock, code: int) -> None:
    script = Script(status(code, body=b"<html>busy</html>"), OK)
    assert fetch_all(make_client(script)) == []
    assert len(script.requests) == 2
    assert len(clock.sleeps) == 1


@pytest.mark.parametrize("exc", TRANSPORT_ERRORS, ids=lambda e: type(e).__name__)
def test_connection_errors_and_timeouts_are_retried(clock: FakeClock, exc: Exception) -> None:
    script = Script(exc, exc, OK)
    assert fetch_all(make_client(script)) == []
    assert len(script.requests) == 3
    assert len(clock.sleeps) == 2


@pytest.mark.parametrize("exc", TRANSPORT_ERRORS, ids=lambda e: type(e).__name__)
def test_connection_error_raised_as_api_connection_error_when_spent(
    clock: FakeClock, exc: Exception
) -> None:
    script = Script(exc)
    with pytest.raises(errors.APIConnectionError) as info:
        fetch_all(make_client(script, max_retries=2))
    assert len(script.requests) == 3
    if isinstance(exc, httpx.TimeoutException):
        assert isinstance(info.value, errors.APITimeoutError)
    # Never chained to the httpx exception, whose request holds the Authorization header.
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


@pytest.mark.parametrize("code", sorted(NOT_RETRYABLE))
def test_final_status_is_not_retried(clock: FakeClock, code: int) -> None:
    script = Script(status(code, {"retry-after": "1"}, b'{"error": "nope"}'))
    with pytest.raises(NOT_RETRYABLE[code]) as info:
        fetch_all(make_client(script))
    assert info.value.status_code == code
    assert len(script.requests) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("code", RETRYABLE)
def test_retryable_status_raises_its_error_once_retries_are_spent(
    clock: FakeClock, code: int
) -> None:
    script = Script(status(code))
    expected = errors.RateLimitError if code == 429 else errors.APIError
    with pytest.raises(expected) as info:
        fetch_all(make_client(script, max_retries=3))
    assert info.value.status_code == code
    assert len(script.requests) == 4
    assert len(clock.sleeps) == 3


# --- backoff -----------------------------------------------------------------------------


@pytest.mark.parametrize(("base", "cap"), [(0.5, 8.0), (0.1, 0.35), (2.0, 5.0), (0.0, 1.0)])
def test_backoff_is_exponential_with_jitter_within_bounds(
    clock: FakeClock, base: float, cap: float
) -> None:
    script = Script(status(503))
    client = make_client(script, max_retries=8, backoff_base=base, backoff_cap=cap)
    with pytest.raises(errors.ServerError):
        fetch_all(client)
    assert len(script.requests) == 9
    assert len(clock.sleeps) == 8
    for n, wait in enumerate(clock.sleeps):
        full = min(cap, base * 2**n)
        assert 0.5 * full <= wait <= full, (n, wait, full)


@pytest.mark.parametrize(("factor", "expected"), [("low", 0.5), ("high", 1.0)])
def test_jitter_factor_spans_half_to_full(clock: FakeClock, factor: str, expected: float) -> None:
    clock.jitter = factor
    script = Script(status(500))
    with pytest.raises(errors.ServerError):
        fetch_all(make_client(script, max_retries=6, backoff_base=1.0, backoff_cap=10.0))
    assert clock.jitter_calls == [(0.5, 1.0)] * 6
    assert clock.sleeps == [expected * x for x in (1, 2, 4, 8, 10, 10)]


def test_jitter_varies_between_calls(clock: FakeClock) -> None:
    firsts = set()
    for _ in range(20):
        clock.sleeps.clear()
        fetch_all(make_client(Script(status(502), OK)))
        firsts.add(clock.sleeps[0])
    assert len(firsts) > 1
    assert all(0.25 <= w <= 0.5 for w in firsts)


def test_backoff_never_overflows_with_many_retries() -> None:
    policy = RetryPolicy(max_retries=100_000, backoff_base=0.5, backoff_cap=8.0)
    assert policy.backoff(0) == 0.5
    assert policy.backoff(4) == 8.0
    assert policy.backoff(5000) == 8.0


# --- Retry-After -------------------------------------------------------------------------


@pytest.mark.parametrize("code", [429, 503])
@pytest.mark.parametrize(("header", "wait"), [("3", 3.0), ("0", 0.0), ("1.5", 1.5)])
def test_retry_after_seconds_is_honoured(
    clock: FakeClock, code: int, header: str, wait: float
) -> None:
    script = Script(status(code, {"Retry-After": header}), OK)
    fetch_all(make_client(script, backoff_base=100.0, backoff_cap=100.0))
    assert len(script.requests) == 2
    assert sum(clock.sleeps) == wait


@pytest.fixture
def frozen_wall_time(monkeypatch: pytest.MonkeyPatch) -> float:
    now = 1_750_000_000.0
    monkeypatch.setattr(_failures, "time", _namespace(time, time=lambda: now))
    return now


def test_retry_after_http_date_is_honoured(clock: FakeClock, frozen_wall_time: float) -> None:
    date = email.utils.formatdate(frozen_wall_time + 7, usegmt=True)
    script = Script(status(429, {"Retry-After": date}), OK)
    fetch_all(make_client(script, backoff_base=100.0, backoff_cap=100.0))
    assert len(script.requests) == 2
    assert clock.sleeps == [7.0]


def test_retry_after_http_date_in_the_past_means_now(
    clock: FakeClock, frozen_wall_time: float
) -> None:
    date = email.utils.formatdate(frozen_wall_time - 3600, usegmt=True)
    script = Script(status(503, {"Retry-After": date}), OK)
    fetch_all(make_client(script, backoff_base=100.0, backoff_cap=100.0))
    assert clock.sleeps == [0.0]


def test_unreadable_retry_after_falls_back_to_backoff(clock: FakeClock) -> None:
    script = Script(status(429, {"Retry-After": "soon"}), OK)
    fetch_all(make_client(script, backoff_base=2.0))
    assert len(clock.sleeps) == 1
    assert 1.0 <= clock.sleeps[0] <= 2.0


@pytest.mark.parametrize("header", ["61", "3600", "http-date"])
def test_retry_after_above_cap_raises_at_once(
    clock: FakeClock, frozen_wall_time: float, header: str
) -> None:
    if header == "http-date":
        header = email.utils.formatdate(frozen_wall_time + 120, usegmt=True)
    script = Script(status(429, {"Retry-After": header}))
    with pytest.raises(errors.RateLimitError) as info:
        fetch_all(make_client(script))
    assert info.value.retry_after is not None and info.value.retry_after > 60
    assert len(script.requests) == 1
    assert clock.sleeps == []


def test_max_retry_after_is_configurable(clock: FakeClock) -> None:
    script = Script(status(429, {"Retry-After": "6"}))
    with pytest.raises(errors.RateLimitError):
        fetch_all(make_client(script, max_retry_after=5))
    assert (len(script.requests), clock.sleeps) == (1, [])

    script = Script(status(429, {"Retry-After": "5"}), OK)
    fetch_all(make_client(script, max_retry_after=5))
    assert (len(script.requests), clock.sleeps) == (2, [5.0])


def test_rate_limit_error_with_retry_after_pauses_the_shared_limiter(clock: FakeClock) -> None:
    client = make_client(Script(status(429, {"Retry-After": "4"}), OK))
    fetch_all(client)
    # Another call of the same client now waits for the pause too.
    clock.now -= 4  # as if the other call asked while the first one slept
    before = len(clock.sleeps)
    fetch_all(client)
    assert clock.sleeps[before] == pytest.approx(4.0)


# --- max_retries and the budget ----------------------------------------------------------


@pytest.mark.parametrize("step", [status(503), status(429), httpx.ConnectError("refused")])
def test_max_retries_zero_disables_retries(clock: FakeClock, step: Step) -> None:
    script = Script(step)
    with pytest.raises(errors.ZendeskError):
        fetch_all(make_client(script, max_retries=0))
    assert len(script.requests) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize(
    "options",
    [
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"max_retries": True},
        {"backoff_base": -1},
        {"backoff_cap": float("nan")},
        {"backoff_cap": float("inf")},
        {"backoff_base": float("inf")},
        {"rate_limit": float("nan")},
        {"rate_limit": float("inf")},
        {"rate_limit": True},
        {"max_retry_after": -0.1},
        {"retry_budget": 0},
        {"retry_budget": -5},
        {"retry_budget": "10"},
        {"rate_limit": 0},
        {"rate_limit": -10},
    ],
)
def test_invalid_retry_settings_are_value_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        make_client(Script(OK), **options)


def test_retry_budget_bounds_the_waits_of_one_call(clock: FakeClock) -> None:
    script = Script(status(503, {"Retry-After": "2"}))
    with pytest.raises(errors.ServerError):
        fetch_all(make_client(script, max_retries=100, retry_budget=5.0))
    # 2 + 2 fit in 5 s, a third wait would not.
    assert clock.sleeps == [2.0, 2.0]
    assert len(script.requests) == 3


def test_retry_budget_with_backoff(clock: FakeClock) -> None:
    script = Script(status(500))
    with pytest.raises(errors.ServerError):
        fetch_all(
            make_client(
                script, max_retries=1000, backoff_base=1.0, backoff_cap=1.0, retry_budget=10.0
            )
        )
    assert sum(clock.sleeps) <= 10.0
    assert 10 <= len(clock.sleeps) <= 20  # each wait is 0.5..1 s


def test_retry_budget_counts_time_spent_in_requests(clock: FakeClock) -> None:
    def slow_failure(request: httpx.Request) -> httpx.Response:
        clock.now += 3.0  # the server took 3 s to answer
        return httpx.Response(503, headers={"Retry-After": "1"})

    with pytest.raises(errors.ServerError):
        fetch_all(make_client(slow_failure, max_retries=100, retry_budget=10.0))
    # t=3 wait 1 -> t=7 wait 1 -> t=11: over budget
    assert clock.sleeps == [1.0, 1.0]


def test_retry_budget_counts_a_pause_held_by_the_limiter(clock: FakeClock) -> None:
    client: Client

    def handler(request: httpx.Request) -> httpx.Response:
        # Meanwhile another worker met a 429 with Retry-After 30 and paused the limiter.
        limiter_of(client).pause(30.0)
        return httpx.Response(503, headers={"Retry-After": "1"})

    client = make_client(handler, retry_budget=10.0)
    with pytest.raises(errors.ServerError):
        fetch_all(client)
    assert clock.sleeps == []  # a 1 s wait would really be 30 s: over budget, raise now

    client = make_client(handler, retry_budget=40.0, max_retries=1)
    with pytest.raises(errors.ServerError):
        fetch_all(client)
    assert clock.sleeps == [1.0, 29.0]


def test_budget_resets_for_each_page(clock: FakeClock) -> None:
    pages = Script(
        status(503, {"Retry-After": "3"}),
        (200, {}, page_bytes([{"id": "1"}], cursor="c1")),
        status(503, {"Retry-After": "3"}),
        (200, {}, page_bytes([{"id": "2"}])),
    )
    events = fetch_all(make_client(pages, retry_budget=5.0))
    assert [e.id for e in events] == ["1", "2"]
    assert clock.sleeps == [3.0, 3.0]


# --- bad 200s ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"<html>502 Bad Gateway</html>", b'{"events": [{"id": "01', b"", b"\xff\xfe\x00garbage"],
    ids=["html", "truncated-json", "empty", "binary"],
)
def test_non_json_200_is_retried_then_bad_response(clock: FakeClock, body: bytes) -> None:
    script = Script((200, {"content-type": "application/json"}, body))
    with pytest.raises(errors.BadResponseError):
        fetch_all(make_client(script, max_retries=3))
    assert len(script.requests) == 4
    assert len(clock.sleeps) == 3


def test_non_json_200_then_good_page_succeeds(clock: FakeClock) -> None:
    script = Script((200, {}, b'{"events": ['), (200, {}, page_bytes([{"id": "a"}])))
    assert [e.id for e in fetch_all(make_client(script))] == ["a"]
    assert len(script.requests) == 2


def test_wrong_shape_200_is_not_retried(clock: FakeClock) -> None:
    script = Script((200, {}, b'{"events": "none"}'))
    with pytest.raises(errors.BadResponseError):
        fetch_all(make_client(script))
    assert len(script.requests) == 1


@pytest.fixture
def truncating_server() -> Iterator[tuple[str, list[int]]]:
    """A loopback server whose 200s promise 1000 bytes and send 12, then hang up."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                conn.recv(65536)
                hits.append(1)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b'Content-Length: 1000\r\n\r\n{"events": ['
                )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", hits
    stop.set()
    thread.join(5)
    sock.close()


def test_truncated_200_body_on_the_wire_is_retried_then_bad_response(
    clock: FakeClock, truncating_server: tuple[str, list[int]]
) -> None:
    url, hits = truncating_server
    client = Client(base_url=url, oauth_token=TOKEN, max_retries=2)
    try:
        with pytest.raises(errors.BadResponseError):
            list(client.events(user_id=1))
    finally:
        client.close()
    assert len(hits) == 3


def test_truncated_200_body_on_the_wire_is_retried(
    clock: FakeClock, truncating_server: tuple[str, list[int]]
) -> None:
    url, hits = truncating_server
    client = Client(base_url=url, oauth_token=TOKEN, max_retries=2)
    with client, pytest.raises(errors.ZendeskError) as info:
        list(client.events(user_id=1))
    assert is_transient(info.value)
    assert isinstance(info.value, errors.BadResponseError) and info.value.kind == "truncated"
    assert len(hits) == 3
    assert len(clock.sleeps) == 2


# --- logging -----------------------------------------------------------------------------


def test_each_retry_is_logged_at_info_with_attempt_reason_and_wait(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    script = Script(
        status(503, {"Retry-After": "2"}),
        httpx.ConnectError("connection refused"),
        status(429, {"Retry-After": "1"}),
        OK,
    )
    with caplog.at_level(logging.DEBUG):
        fetch_all(make_client(script, backoff_base=0.5, backoff_cap=0.5))
    records = [r for r in caplog.records if r.name == "zdevents" and "retrying" in r.message]
    assert [r.levelno for r in records] == [logging.INFO] * 3
    first, second, third = (r.getMessage() for r in records)
    assert "attempt 2 of 5" in first and "503" in first and "waiting 2.00 s" in first
    assert "attempt 3 of 5" in second and "connection failure" in second
    assert "waiting 0." in second
    assert "attempt 4 of 5" in third and "429" in third and "waiting 1.00 s" in third
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert "Authorization" not in record.getMessage()


def test_final_error_is_not_logged_as_a_retry(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="zdevents"), pytest.raises(errors.NotFoundError):
        fetch_all(make_client(Script(status(404))))
    assert not [r for r in caplog.records if "retrying" in r.getMessage()]


# --- pagination resumes where it failed --------------------------------------------------


def _paged_server(
    pages: int, per_page: int, failures: dict[int, list[Step]]
) -> tuple[Callable[[httpx.Request], httpx.Response], list[str | None]]:
    """``pages`` pages; the request for page i first meets ``failures[i]`` in order."""
    cursors: list[str | None] = []
    pending = {i: list(steps) for i, steps in failures.items()}

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("page[after]")
        cursors.append(cursor)
        index = 0 if cursor is None else int(cursor.removeprefix("c"))
        if pending.get(index):
            step = pending[index].pop(0)
            if isinstance(step, Exception):
                raise step
            code, headers, body = step
            return httpx.Response(code, headers=headers, content=body)
        events = [{"id": f"{index:03d}-{j:03d}"} for j in range(per_page)]
        nxt = f"c{index + 1}" if index + 1 < pages else None
        return httpx.Response(200, content=page_bytes(events, nxt))

    return handler, cursors


def test_failure_mid_pagination_resumes_at_the_same_cursor(clock: FakeClock) -> None:
    handler, cursors = _paged_server(
        5,
        3,
        {
            2: [status(503), httpx.RemoteProtocolError("dropped"), (200, {}, b'{"ev')],
            4: [status(429, {"Retry-After": "0"})],
        },
    )
    events = fetch_all(make_client(handler))
    ids = [e.id for e in events]
    assert ids == [f"{i:03d}-{j:03d}" for i in range(5) for j in range(3)]
    assert cursors == [None, "c1", "c2", "c2", "c2", "c2", "c3", "c4", "c4"]


# A next link on the route being read (links to another path are not followed).
LINK = "https://coolbikes.zendesk.com/api/v2/users/85211553/events"


def test_failure_mid_pagination_with_next_links_resumes_at_the_same_link(
    clock: FakeClock,
) -> None:
    seen: list[str] = []
    failed = set()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        n = int(request.url.params.get("page[after]", "c0")[1:])
        if n == 1 and n not in failed:
            failed.add(n)
            return httpx.Response(520)
        body = {
            "events": [{"id": str(n)}],
            "meta": {"has_more": n < 2},
            # The caller's query plus the cursor: the only link that is followed as sent.
            "links": {
                "next": f"{LINK}?page%5Bsize%5D=100&page%5Bafter%5D=c{n + 1}" if n < 2 else None
            },
        }
        return httpx.Response(200, json=body)

    assert [e.id for e in fetch_all(make_client(handler))] == ["0", "1", "2"]
    assert seen[1] == seen[2] == f"{LINK}?page%5Bsize%5D=100&page%5Bafter%5D=c1"
    assert len(seen) == 4


def test_pages_resume_with_after_cursor(clock: FakeClock) -> None:
    handler, _cursors = _paged_server(4, 2, {})
    client = make_client(handler)
    pages = client.events(user_id=1).pages()
    first = next(pages)
    assert first.cursor == "c1"
    rest = list(client.events(user_id=1, after=first.cursor))
    assert [e.id for e in rest] == [f"{i:03d}-{j:03d}" for i in range(1, 4) for j in range(2)]


# --- the async client shares the policy --------------------------------------------------


def test_async_client_retries_with_the_same_policy(clock: FakeClock) -> None:
    script = Script(
        status(503),
        httpx.ReadTimeout("slow"),
        status(429, {"Retry-After": "2"}),
        (200, {}, b"not json"),
        (200, {}, page_bytes([{"id": "x"}])),
    )
    client = make_async_client(script, backoff_base=0.5, backoff_cap=8.0)

    async def run() -> list[Any]:
        return [e async for e in client.events(user_id=1)]

    events = asyncio.run(run())
    assert [e.id for e in events] == ["x"]
    assert len(script.requests) == 5
    assert len(clock.sleeps) == 4
    assert 0.25 <= clock.sleeps[0] <= 0.5
    assert 0.5 <= clock.sleeps[1] <= 1.0
    assert clock.sleeps[2] == 2.0
    assert 2.0 <= clock.sleeps[3] <= 4.0


def test_async_client_does_not_retry_final_errors(clock: FakeClock) -> None:
    script = Script(status(401))
    client = make_async_client(script)

    async def run() -> None:
        async for _ in client.events(user_id=1):
            pass

    with pytest.raises(errors.AuthenticationError):
        asyncio.run(run())
    assert len(script.requests) == 1
    assert clock.sleeps == []


def test_async_retry_after_above_cap_raises_at_once(clock: FakeClock) -> None:
    script = Script(status(429, {"Retry-After": "600"}))
    client = make_async_client(script)

    async def run() -> None:
        async for _ in client.events(user_id=1):
            pass

    with pytest.raises(errors.RateLimitError):
        asyncio.run(run())
    assert (len(script.requests), clock.sleeps) == (1, [])


# --- pinned status by status and number by number (issue 15) ------------------------------

#: The documented list (docs/python/errors.md): 408, 429, 500, 502, 503, 504 and 520 to 527.
RETRIED = {408, 429, 500, 502, 503, 504, *range(520, 528)}
LAST_PAGE = page_body([event(1)], has_more=False)


def plain_client(recorder: Recorder, **options: Any) -> Client:
    """A Client with the library's own retry defaults (``tests._mock.client`` sets
    ``backoff_base=0``)."""
    return Client(
        subdomain=SUBDOMAIN,
        email=EMAIL,
        api_token=API_TOKEN,
        http_client=mock_http_client(recorder),
        **options,
    )


def outcome(c: Client) -> str:
    try:
        events = list(c.events(user_id=1))
    except errors.ZendeskError as exc:
        return f"{type(exc).__name__} {getattr(exc, 'status_code', '')}".strip()
    return f"{len(events)} events"


# --- which statuses ------------------------------------------------------------------------


def test_each_status_from_300_to_599_is_retried_exactly_when_documented(clock: FakeClock) -> None:
    retried, wrong = set(), []
    for code in range(300, 600):
        rec = Recorder(httpx.Response(code, text="not now"), ok(LAST_PAGE))
        try:
            events = list(client(rec, max_retries=1).events(user_id=1))
        except errors.APIError as exc:
            if exc.status_code != code or rec.calls != 1:
                wrong.append((code, exc.status_code, rec.calls))
        else:
            if len(events) != 1 or rec.calls != 2:
                wrong.append((code, len(events), rec.calls))
            retried.add(code)
    assert wrong == []
    assert retried == RETRIED


def test_async_client_retries_the_same_statuses(clock: FakeClock) -> None:
    async def retried_codes() -> set[int]:
        retried = set()
        for code in range(400, 600):
            rec = Recorder(httpx.Response(code), ok(LAST_PAGE))
            async with async_client(rec, max_retries=1) as c:
                try:
                    events = [e async for e in c.events(user_id=1)]
                except errors.APIError as exc:
                    assert (exc.status_code, rec.calls) == (code, 1)
                else:
                    assert (len(events), rec.calls) == (1, 2)
                    retried.add(code)
        return retried

    assert asyncio.run(retried_codes()) == RETRIED


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
        (501, errors.ServerError),
        (520, errors.ServerError),
        (599, errors.ServerError),
        (409, errors.APIError),
        (302, errors.APIError),
    ],
)
def test_a_spent_retry_raises_the_class_of_the_last_status(
    clock: FakeClock, code: int, cls: type[errors.APIError]
) -> None:
    rec = Recorder(httpx.Response(code))
    with pytest.raises(cls) as info:
        list(client(rec, max_retries=2).events(user_id=1))
    assert type(info.value) is cls
    assert info.value.status_code == code
    assert rec.calls == (3 if code in RETRIED else 1)


# --- broken 200s ---------------------------------------------------------------------------


class _CutShort(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that stops half-way, as when the connection drops mid-page."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"events": [{"id": "01E'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    async def __aiter__(self) -> Any:
        yield b'{"events": [{"id": "01E'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def cut_short(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, stream=_CutShort())


def undecodable(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"content-encoding": "gzip"}, content=b"not gzip at all")


@pytest.mark.parametrize("broken", [cut_short, undecodable])
def test_a_broken_200_body_is_retried_then_the_page_is_read(clock: FakeClock, broken: Any) -> None:
    rec = Recorder(broken, ok(LAST_PAGE))
    assert outcome(client(rec)) == "1 events"
    assert rec.calls == 2


@pytest.mark.parametrize("broken", [cut_short, undecodable])
def test_a_broken_200_body_every_time_is_a_bad_response_after_the_retries(
    clock: FakeClock, broken: Any
) -> None:
    rec = Recorder(broken)
    assert outcome(client(rec, max_retries=3)) == "BadResponseError"
    assert rec.calls == 4


def test_async_client_retries_a_cut_short_200(clock: FakeClock) -> None:
    rec = Recorder(cut_short, ok(LAST_PAGE))

    async def read() -> list[Any]:
        async with async_client(rec) as c:
            return [e async for e in c.events(user_id=1)]

    assert len(asyncio.run(read())) == 1
    assert rec.calls == 2


@pytest.mark.parametrize(
    ("body", "retried"),
    [
        (b'{"events": [', True),  # not JSON: garbled on the way, may come right
        (b"<html>gateway</html>", True),
        (b"[]", False),  # valid JSON of the wrong shape: the same would come again
        (b'{"events": {}}', False),
        (b'{"events": [], "meta": {"has_more": "yes"}}', False),
    ],
)
def test_a_200_is_retried_only_when_its_body_is_not_json(
    clock: FakeClock, body: bytes, retried: bool
) -> None:
    rec = Recorder(httpx.Response(200, content=body), ok(LAST_PAGE))
    assert outcome(client(rec)) == ("1 events" if retried else "BadResponseError")
    assert rec.calls == (2 if retried else 1)


# --- the documented defaults: 4 retries, 0.5 s base, 8 s cap, 60 s max Retry-After ---------


def test_default_is_four_retries_with_backoff_from_half_a_second(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(503))
    assert outcome(plain_client(rec)) == "ServerError 503"
    assert rec.calls == 5
    assert len(clock.sleeps) == 4
    for n, wait in enumerate(clock.sleeps):
        full = 0.5 * 2**n  # jitter scales the wait by a factor in [0.5, 1]
        assert full / 2 <= wait <= full, (n, wait)


def test_default_backoff_cap_is_eight_seconds(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(503))
    assert outcome(plain_client(rec, max_retries=200)) == "ServerError 503"
    capped = clock.sleeps[5:]  # 0.5 * 2**5 = 16: every wait from here on is the cap, jittered
    assert len(capped) == 195
    assert all(4.0 <= wait <= 8.0 for wait in capped)
    # 195 draws of the jitter reach both ends of [4, 8] (odds against: about 1e-11).
    assert max(capped) > 7.5
    assert min(capped) < 4.5


@pytest.mark.parametrize(("retry_after", "retried"), [("60", True), ("61", False), ("59.5", True)])
def test_default_max_retry_after_is_sixty_seconds(
    clock: FakeClock, retry_after: str, retried: bool
) -> None:
    rec = Recorder(httpx.Response(429, headers={"Retry-After": retry_after}), ok(LAST_PAGE))
    c = plain_client(rec)
    if retried:
        assert outcome(c) == "1 events"
        assert clock.sleeps == [float(retry_after)]
    else:
        with pytest.raises(errors.RateLimitError) as info:
            list(c.events(user_id=1))
        assert info.value.retry_after == 61.0
        assert rec.calls == 1
        assert clock.sleeps == []


def check_default_waits(sleeps: list[float]) -> None:
    """The waits of a call that failed with 503 five times under the default policy."""
    assert len(sleeps) == 4
    for n, wait in enumerate(sleeps):
        full = 0.5 * 2**n
        assert full / 2 <= wait <= full, (n, wait)


def check_capped_waits(sleeps: list[float]) -> None:
    capped = sleeps[5:]
    assert capped and all(4.0 <= wait <= 8.0 for wait in capped)
    assert max(capped) > 7.5
    assert min(capped) < 4.5


def test_async_client_has_the_same_defaults(clock: FakeClock) -> None:
    def make(recorder: Recorder, **options: Any) -> AsyncClient:
        return AsyncClient(
            subdomain=SUBDOMAIN,
            oauth_token="tok-0123456789",
            http_client=mock_async_http_client(recorder),
            **options,
        )

    async def run(recorder: Recorder, **options: Any) -> str:
        async with make(recorder, **options) as c:
            try:
                return f"{len([e async for e in c.events(user_id=1)])} events"
            except errors.APIError as exc:
                return f"{type(exc).__name__} {exc.status_code}"

    rec = Recorder(httpx.Response(503))
    assert asyncio.run(run(rec)) == "ServerError 503"
    assert rec.calls == 5
    check_default_waits(clock.sleeps)

    clock.sleeps.clear()
    assert asyncio.run(run(Recorder(httpx.Response(503)), max_retries=200)) == "ServerError 503"
    check_capped_waits(clock.sleeps)

    clock.sleeps.clear()
    answers = [httpx.Response(429, headers={"Retry-After": "60"}), ok(LAST_PAGE)]
    assert asyncio.run(run(Recorder(*answers))) == "1 events"
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "61"}))
    assert asyncio.run(run(rec)) == "RateLimitError 429"
    assert rec.calls == 1
    assert clock.sleeps == [60.0]


@pytest.fixture
def busy_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback server answering every request with a 503 (``Retry-After`` from the path
    ``/ra/N/...``, if there), and the paths it was asked for."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(503)
            if self.path.startswith("/ra/"):
                self.send_header("Retry-After", self.path.split("/")[2])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_from_env_has_the_same_defaults(
    clock: FakeClock, busy_server: tuple[str, list[str]]
) -> None:
    url, asked = busy_server
    env = {"ZENDESK_EMAIL": EMAIL, "ZENDESK_API_TOKEN": API_TOKEN}
    with Client.from_env({**env, "ZENDESK_BASE_URL": url}) as c:
        assert outcome(c) == "ServerError 503"
    assert len(asked) == 5
    check_default_waits(clock.sleeps)

    clock.sleeps.clear()
    with Client.from_env({**env, "ZENDESK_BASE_URL": url + "/ra/61"}) as c:
        assert outcome(c) == "ServerError 503"
    assert len(asked) == 6  # a Retry-After past 60 s: no retry
    with Client.from_env({**env, "ZENDESK_BASE_URL": url + "/ra/60"}, max_retries=1) as c:
        assert outcome(c) == "ServerError 503"
    assert clock.sleeps == [60.0]

    clock.sleeps.clear()
    with Client.from_env({**env, "ZENDESK_BASE_URL": url}, max_retries=200) as c:
        assert outcome(c) == "ServerError 503"
    check_capped_waits(clock.sleeps)


def test_retry_after_is_waited_exactly_instead_of_the_backoff(clock: FakeClock) -> None:
    rec = Recorder(
        httpx.Response(503, headers={"Retry-After": "7"}),
        httpx.Response(429, headers={"Retry-After": "0"}),
        ok(LAST_PAGE),
    )
    assert outcome(plain_client(rec)) == "1 events"
    assert clock.sleeps == [7.0, 0.0]


def test_max_retries_counts_retries_not_requests(clock: FakeClock) -> None:
    for retries in (0, 1, 2, 7):
        rec = Recorder(httpx.Response(500))
        assert outcome(client(rec, max_retries=retries)) == "ServerError 500"
        assert rec.calls == retries + 1


# --- the retry budget ----------------------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """A fake clock that records waits without moving: the budget is never used up by them,
    and a request never starts with no time left (its deadline comes from the budget)."""
    return FakeClock(frozen=True).install(monkeypatch)


def test_retry_budget_allows_a_wait_that_ends_exactly_at_the_budget(frozen: FakeClock) -> None:
    rec = Recorder(httpx.Response(503, headers={"Retry-After": "4"}))
    assert outcome(client(rec, max_retries=2, retry_budget=4)) == "ServerError 503"
    assert rec.calls == 3  # the retries ran out, not the budget
    assert frozen.sleeps == [4.0, 4.0]
    rec = Recorder(httpx.Response(503, headers={"Retry-After": "4"}))
    assert outcome(client(rec, max_retries=2, retry_budget=3.9)) == "ServerError 503"
    assert rec.calls == 1


def test_retry_budget_counts_the_waits_already_taken(clock: FakeClock) -> None:
    # 4 s + 4 s end at 8 s, within a budget of 10; a third wait would end at 12.
    rec = Recorder(httpx.Response(503, headers={"Retry-After": "4"}))
    assert outcome(client(rec, max_retries=10, retry_budget=10)) == "ServerError 503"
    assert rec.calls == 3
    assert clock.sleeps == [4.0, 4.0]


def test_retry_budget_counts_from_the_start_of_the_call(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(503, headers={"Retry-After": "4"}), ok(LAST_PAGE))
    assert outcome(client(rec, retry_budget=5)) == "1 events"
    assert clock.sleeps == [4.0]


def test_retry_budget_counts_the_wait_the_rate_limiter_imposes(clock: FakeClock) -> None:
    # rate_limit=6: one request every 10 s. The backoff is 0, but the retry would still wait
    # 10 s for its slot: at 10 s the second failure cannot be retried within 15 s, so the
    # 503 itself is raised (not a pacing error from the slot after it).
    rec = Recorder(httpx.Response(503))
    c = client(rec, max_retries=10, retry_budget=15, rate_limit=6)
    with pytest.raises(errors.ServerError) as info:
        list(c.events(user_id=1))
    assert info.value.status_code == 503
    assert rec.calls == 2
    assert sum(clock.sleeps) == 10.0


def test_without_a_budget_long_waits_are_all_taken(clock: FakeClock) -> None:
    rec = Recorder(*[httpx.Response(503, headers={"Retry-After": "50"})] * 4, ok(LAST_PAGE))
    assert outcome(plain_client(rec)) == "1 events"
    assert clock.sleeps == [50.0] * 4


@pytest.mark.parametrize("per_minute", [1, 0.9])
def test_the_callers_own_pace_is_taken_even_past_max_retry_after(
    clock: FakeClock, per_minute: float
) -> None:
    # Issue 20: a wait the caller's own rate_limit asks for is pacing, not an error (it was
    # refused past max_retry_after, 60 s; one request in 0.9 minutes waits 66.7 s).
    rec = Recorder(page_body([event(1)], cursor="c2", has_more=True, links="none"), ok(LAST_PAGE))
    c = plain_client(rec, rate_limit=per_minute)
    assert outcome(c) == "2 events"
    assert clock.sleeps == [pytest.approx(60 / per_minute)]


@pytest.mark.parametrize(("budget", "paced"), [(10.0, True), (9.9, False)])
def test_a_pacing_wait_may_take_the_whole_retry_budget(
    frozen: FakeClock, budget: float, paced: bool
) -> None:
    # rate_limit=6: the second page waits 10 s for its slot, within a budget of 10 s.
    rec = Recorder(page_body([event(1)], cursor="c2", has_more=True, links="none"), ok(LAST_PAGE))
    c = client(rec, rate_limit=6, retry_budget=budget)
    assert outcome(c) == ("2 events" if paced else "RateLimitError 429")
    assert frozen.sleeps == ([10.0] if paced else [])


# --- retry settings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_retries": True}, "max_retries must be an int, not bool"),
        ({"max_retries": 2.0}, "max_retries must be an int, not float"),
        ({"max_retries": "3"}, "max_retries must be an int, not str"),
        ({"max_retries": -1}, "max_retries=-1 must be 0 or more"),
        ({"backoff_base": "1"}, "backoff_base must be a number, not str"),
        ({"backoff_cap": False}, "backoff_cap must be a number, not bool"),
        ({"max_retry_after": None}, "max_retry_after must be a number, not NoneType"),
        ({"backoff_base": -0.1}, "backoff_base=-0.1 is not a valid number of seconds"),
        ({"backoff_cap": math.nan}, "backoff_cap=nan is not a valid number of seconds"),
        ({"max_retry_after": -1}, "max_retry_after=-1 is not a valid number of seconds"),
        ({"retry_budget": 0}, "budget=0 is not a valid number of seconds"),
        ({"retry_budget": -1.0}, "budget=-1.0 is not a valid number of seconds"),
        ({"backoff_base": math.inf}, "backoff_base must be finite"),
        ({"backoff_cap": math.inf}, "backoff_cap must be finite"),
    ],
)
def test_invalid_retry_settings_are_refused_naming_the_setting(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as info:
        client(Recorder(), **options)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "options",
    [
        {"max_retries": 0},
        {"backoff_base": 0, "backoff_cap": 0, "max_retry_after": 0},
        {"retry_budget": None},
        {"retry_budget": 0.001},
        {"max_retry_after": 1e9},
    ],
)
def test_boundary_retry_settings_are_accepted(clock: FakeClock, options: dict[str, Any]) -> None:
    rec = Recorder(ok(LAST_PAGE))
    assert outcome(client(rec, **options)) == "1 events"


# --- what a retry says -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (httpx.Response(503), "HTTP 503"),
        (httpx.Response(429, headers={"Retry-After": "2"}), "HTTP 429"),
        (httpx.ReadTimeout("slow"), "a timeout"),
        (httpx.ConnectError("refused"), "a connection failure"),
        (cut_short, "a truncated response body"),
        (undecodable, "an? undecodable response body"),  # "a" today: a slip of the text
    ],
    ids=["503", "429", "timeout", "connect", "truncated", "undecodable"],
)
def test_each_retry_is_one_info_record_with_the_attempt_reason_and_wait(
    clock: FakeClock, caplog: pytest.LogCaptureFixture, failure: Any, reason: str
) -> None:
    caplog.set_level(logging.INFO, logger="zdevents")
    rec = Recorder(failure, failure, ok(LAST_PAGE))
    assert outcome(client(rec, max_retries=3)) == "1 events"
    wait = "2.00" if "429" in reason else "0.00"
    retries = [r for r in caplog.records if r.getMessage().startswith("retrying")]
    assert [r.levelno for r in retries] == [logging.INFO, logging.INFO]
    for n, record in zip((2, 3), retries, strict=True):
        expected = (
            rf"retrying GET /api/v2/users/\{{id\}}/events \(attempt {n} of 4\) after {reason},"
            rf" waiting {wait} s"
        )
        assert re.fullmatch(expected, record.getMessage()), record.getMessage()


# --- the budget bounds the request in flight too ------------------------------------------------


@pytest.mark.parametrize("retry_after", ["9.9", "10"])
def test_a_retry_gets_only_what_is_left_of_the_budget_to_answer(
    clock: FakeClock, retry_after: str
) -> None:
    # After waiting 9.9 s (or all 10) of a 10 s budget, the retry has 0.1 s (or the 1 ms
    # floor) for its answer; this one takes 0.3 s of real time, so it times out.
    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.3)
        return ok(LAST_PAGE)

    rec = Recorder(httpx.Response(503, headers={"Retry-After": retry_after}), slow)
    assert outcome(client(rec, max_retries=1, retry_budget=10)) == "APITimeoutError"
    assert rec.calls == 2
    # Without a budget the same answer is in time.
    rec = Recorder(httpx.Response(503, headers={"Retry-After": retry_after}), slow)
    assert outcome(client(rec, max_retries=1)) == "1 events"
