"""What is retried, how long is waited, when the client gives up: pinned status by status
and number by number, through ``Client``/``AsyncClient`` on a mock transport.

Written against the mutants that outlived the rest of the suite (issue 15): each test fails
if one status leaves or joins the retried set, if a cut-short or undecodable 200 stops being
worth another try, if a documented default moves, or if the retry budget counts wrongly.
"""

from __future__ import annotations

import asyncio
import http.server
import logging
import math
import re
import threading
import time
from collections.abc import Iterator
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
    ok,
    page_body,
)
from zdevents import AsyncClient, Client, errors

#: The README's list: 408, 429, 500, 502, 503, 504 and 520 to 527.
RETRIED = {408, 429, 500, 502, 503, 504, *range(520, 528)}
LAST_PAGE = page_body([event(1)], has_more=False)


def plain_client(recorder: Recorder, **options: Any) -> Client:
    """A Client with the library's own retry defaults (``tests._mock.client`` sets
    ``backoff_base=0``)."""
    transport = httpx.MockTransport(recorder)
    return Client(
        subdomain=SUBDOMAIN,
        email=EMAIL,
        api_token=API_TOKEN,
        http_client=httpx.Client(transport=transport),
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
        transport = httpx.MockTransport(recorder.handle_async)
        return AsyncClient(
            subdomain=SUBDOMAIN,
            oauth_token="tok-0123456789",
            http_client=httpx.AsyncClient(transport=transport),
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
