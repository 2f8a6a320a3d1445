"""Client-side pacing: the limiter's arithmetic on a fake clock, its sharing between threads
and asyncio tasks, and a paced export against the sandbox's fixed-window rate limit.

Nothing here measures wall time. The zdevents modules get a fake clock whose ``sleep``
records the wait (and, unless frozen, moves the clock forward by it); in the sandbox test the
sandbox's own rate limiter reads the same fake clock, so a "minute" passes only when the
client sleeps.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests._mock import (
    FakeClock,
    Recorder,
    async_client,
    client,
    event,
    limiter_of,
    mock_async_http_client,
    mock_http_client,
    page_body,
)
from zdevents import AsyncClient, Client, errors
from zdevents._ratelimit import RateLimiter


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    return FakeClock(frozen=True).install(monkeypatch)


def headers(limit: int | str | None = None, remaining: int | str | None = None) -> httpx.Headers:
    found = httpx.Headers()
    if limit is not None:
        found["X-Rate-Limit"] = str(limit)
    if remaining is not None:
        found["X-Rate-Limit-Remaining"] = str(remaining)
    return found


# --- the limiter's arithmetic ------------------------------------------------------------


def test_no_pacing_before_any_limit_is_known(frozen: FakeClock) -> None:
    limiter = RateLimiter()
    assert limiter.per_minute is None
    assert [limiter.reserve() for _ in range(50)] == [0.0] * 50


def test_paces_at_98_percent_of_the_account_limit(frozen: FakeClock) -> None:
    limiter = RateLimiter()
    limiter.observe(headers(600, 599))
    assert limiter.per_minute == pytest.approx(588)
    gap = 60 / 588
    waits = [limiter.reserve() for _ in range(10)]
    assert waits == pytest.approx([k * gap for k in range(10)])


def test_spacing_follows_the_clock(clock: FakeClock) -> None:
    limiter = RateLimiter(60)  # one a second
    assert limiter.reserve() == 0
    assert limiter.reserve() == pytest.approx(1.0)  # the slot after the one just taken
    clock.now += 10  # idle for a while: no burst is saved up
    assert limiter.reserve() == 0
    assert limiter.reserve() == pytest.approx(1.0)
    clock.now += 0.25
    assert limiter.reserve() == pytest.approx(1.75)


def test_a_minute_of_reservations_stays_under_the_limit(clock: FakeClock) -> None:
    limiter = RateLimiter()
    limiter.observe(headers(200, 200))
    sent = []
    for _ in range(1000):
        clock.sleep(limiter.reserve())
        sent.append(clock.now)
    # Any 60 s window holds at most 98% of the limit (plus the one at its very start).
    for i, t in enumerate(sent):
        in_window = sum(1 for u in sent[i:] if u < t + 60)
        assert in_window <= 197


def test_requests_sent_before_the_limit_was_known_count_against_the_first_minute(
    clock: FakeClock,
) -> None:
    # 8 workers (the default concurrency) start at once, before any answer announced the
    # limit; at 250 a minute (the Team plan's) they are 3% of it: the 2% left by pacing at
    # 98% does not cover them, the spacing after them must.
    limiter = RateLimiter()
    sent = []
    for _ in range(8):
        assert limiter.reserve() == 0
        sent.append(clock.now)
    clock.now += 0.2  # the first answer
    limiter.observe(headers(250, 242))
    for _ in range(600):
        clock.sleep(limiter.reserve())
        sent.append(clock.now)
    for i, t in enumerate(sent):
        assert sum(1 for u in sent[i:] if u < t + 60) <= 246  # 98% of 250, and one


def test_a_burst_long_before_the_limit_was_known_costs_no_wait(clock: FakeClock) -> None:
    limiter = RateLimiter()
    for _ in range(5000):  # a server that announced no limit for a long while
        limiter.reserve()
        clock.now += 0.01
    clock.now += 60
    limiter.observe(headers(250, 200))
    assert limiter.reserve() == 0


@pytest.mark.parametrize(
    ("sent", "wait"),
    [(100, 100 * 60 / 588), (1000, 60.0)],
    ids=["fewer-than-a-minutes-worth", "more-than-a-minutes-worth"],
)
def test_requests_sent_before_the_limit_was_known_count_at_most_a_minutes_worth(
    frozen: FakeClock, sent: int, wait: float
) -> None:
    # All sent at once; then the limit (588 a minute paced) is learned. Each takes a slot
    # of the pace, but no more than a minute of them: older ones are in no window any more.
    limiter = RateLimiter()
    for _ in range(sent):
        limiter.reserve()
    limiter.observe(headers(600))
    assert limiter.reserve() == pytest.approx(wait)


def test_requests_sent_before_the_limit_was_known_are_counted_once(frozen: FakeClock) -> None:
    limiter = RateLimiter()
    limiter.reserve()
    limiter.observe(headers(600))
    gap = 60 / 588
    assert limiter.reserve() == pytest.approx(gap)  # the slot after the unpaced one
    limiter.observe(headers(1))  # the account's limit drops: the unpaced one is not recounted
    assert limiter.reserve() == pytest.approx(2 * gap)  # the slot already due
    assert limiter.reserve() == pytest.approx(2 * gap + 60 / 0.98)


def test_an_unpaced_request_a_full_minute_after_the_first_counts_in_a_window_of_its_own(
    clock: FakeClock,
) -> None:
    limiter = RateLimiter()
    for _ in range(5):
        limiter.reserve()
    clock.now += 60  # exactly a minute later: the five share no window with what follows
    limiter.reserve()
    limiter.observe(headers(600))
    assert limiter.reserve() == pytest.approx(60 / 588)  # the slot after the sixth


def test_user_cap_below_the_account_limit_wins(frozen: FakeClock) -> None:
    limiter = RateLimiter(120)
    assert limiter.per_minute == 120  # paced from the first request on
    limiter.observe(headers(700, 650))
    assert limiter.per_minute == 120
    assert [limiter.reserve() for _ in range(4)] == pytest.approx([0, 0.5, 1.0, 1.5])


def test_account_limit_below_the_user_cap_wins(frozen: FakeClock) -> None:
    limiter = RateLimiter(1000)
    limiter.observe(headers(100))
    assert limiter.per_minute == pytest.approx(98)


def test_account_limit_change_is_followed(frozen: FakeClock) -> None:
    limiter = RateLimiter()
    limiter.observe(headers(700))
    limiter.observe(headers(200))
    assert limiter.per_minute == pytest.approx(196)


@pytest.mark.parametrize(
    "bad",
    [
        headers("many", "x"),
        headers("", ""),
        headers("-5", None),
        headers("0", None),
        httpx.Headers(),
    ],
)
def test_unreadable_rate_headers_are_ignored(frozen: FakeClock, bad: httpx.Headers) -> None:
    limiter = RateLimiter()
    limiter.observe(bad)
    assert limiter.per_minute is None
    assert limiter.reserve() == 0


def test_duplicated_header_values_take_the_first(frozen: FakeClock) -> None:
    limiter = RateLimiter()
    limiter.observe(headers("400, 400", "10, 10"))
    assert limiter.per_minute == pytest.approx(392)


def test_remaining_zero_holds_everyone(frozen: FakeClock) -> None:
    limiter = RateLimiter(60)
    limiter.reserve()
    limiter.observe(headers(100, 0))
    # Paced at min(60, 98) a minute: held one slot (1 s) past the one already taken.
    assert limiter.delay() == pytest.approx(1.0)
    assert limiter.reserve() == pytest.approx(1.0)


def test_remaining_zero_with_reset_holds_until_the_reset(frozen: FakeClock) -> None:
    limiter = RateLimiter()
    limiter.observe(httpx.Headers({**headers(100, 0), "RateLimit-Reset": "17"}))
    assert limiter.reserve() == pytest.approx(17.0)


def test_remaining_zero_without_a_known_limit_does_not_guess(frozen: FakeClock) -> None:
    limiter = RateLimiter()
    limiter.observe(headers(None, 0))
    assert limiter.reserve() == 0


@pytest.mark.parametrize("reset", [None, "0", "61"], ids=["no-reset", "zero", "past-a-minute"])
def test_nothing_left_without_a_believable_reset_holds_one_slot_from_the_answer(
    clock: FakeClock, reset: str | None
) -> None:
    limiter = RateLimiter(60)  # a slot a second
    limiter.reserve()
    clock.now += 0.5  # the answer comes half a second after the request
    found = headers(100, 0)
    if reset is not None:
        found["RateLimit-Reset"] = reset
    limiter.observe(found)
    # A whole slot from the answer, not what was left of the slot after the request.
    assert limiter.reserve() == pytest.approx(1.0)


def test_the_wait_the_server_imposes_is_what_is_left_of_its_pause(clock: FakeClock) -> None:
    limiter = RateLimiter(1)  # the caller's own pace is no wait the server imposes
    limiter.reserve()
    assert limiter.imposed() == 0
    limiter.pause(5.0)
    clock.now += 2
    assert limiter.imposed() == pytest.approx(3.0)
    clock.now += 10
    assert limiter.imposed() == 0  # the pause is over


def test_the_wait_the_server_imposes_is_the_spacing_of_its_announced_limit(
    frozen: FakeClock,
) -> None:
    limiter = RateLimiter(1)
    limiter.observe(headers(600))
    assert limiter.imposed() == pytest.approx(60 / 588)
    limiter.pause(5.0)
    assert limiter.imposed() == pytest.approx(5.0)  # the longer of the two


def test_pause_holds_every_reservation(frozen: FakeClock) -> None:
    limiter = RateLimiter()
    limiter.pause(3.0)
    assert [limiter.reserve() for _ in range(3)] == [3.0, 3.0, 3.0]
    limiter.pause(1.0)  # a shorter pause never shortens a longer one
    assert limiter.reserve() == 3.0


@pytest.mark.parametrize("bad", [0, -1, -0.5, float("nan"), float("inf"), True, "60"])
def test_invalid_cap_is_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(bad)


def test_reservations_from_many_threads_take_distinct_slots(frozen: FakeClock) -> None:
    limiter = RateLimiter(6000)  # a slot every 10 ms
    waits: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        mine = [limiter.reserve() for _ in range(100)]
        with lock:
            waits.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slots = sorted(round(w / 0.01) for w in waits)
    assert slots == list(range(800))


# --- one limiter per client, shared by its threads and tasks -----------------------------


def page(events: list[dict[str, Any]], cursor: str | None, rate: httpx.Headers) -> httpx.Response:
    meta = {"has_more": cursor is not None, "after_cursor": cursor}
    return httpx.Response(200, json={"events": events, "meta": meta}, headers=rate)


def paged_handler(
    pages: int, rate: httpx.Headers | None = None
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    seen: list[httpx.Request] = []
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            seen.append(request)
        cursor = request.url.params.get("page[after]")
        index = int(cursor) if cursor else 0
        nxt = str(index + 1) if index + 1 < pages else None
        return page([{"id": f"{index}"}], nxt, rate or httpx.Headers())

    return handler, seen


def test_threads_sharing_a_client_share_its_limiter(frozen: FakeClock) -> None:
    handler, seen = paged_handler(5)
    client = Client(
        base_url="http://127.0.0.1:9",
        oauth_token="t",
        rate_limit=120,  # a slot every 0.5 s
        http_client=mock_http_client(handler),
    )
    results: list[list[str | None]] = []

    def export(user_id: int) -> None:
        results.append([e.id for e in client.events(user_id=user_id)])

    threads = [threading.Thread(target=export, args=(n,)) for n in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [["0", "1", "2", "3", "4"]] * 6
    assert len(seen) == 30
    # The clock is frozen, so 30 reservations on one limiter are slots 0, 0.5, ..., 14.5 s;
    # the first one needs no sleep. Six limiters would give six copies of 0..2 s instead.
    assert sorted(frozen.sleeps) == pytest.approx([k * 0.5 for k in range(1, 30)])


def test_an_async_client_keeps_to_its_rate_limit_however_short_the_gap(clock: FakeClock) -> None:
    async def main() -> None:
        async with async_client(Recorder(page_body()), rate_limit=120) as c:
            for _ in range(3):
                assert [e async for e in c.events(user_id=1)] == []

    asyncio.run(main())
    assert clock.sleeps == pytest.approx([0.5, 0.5])  # two a second


def test_concurrent_async_iterations_share_one_limiter(frozen: FakeClock) -> None:
    handler, seen = paged_handler(4, headers(60, 50))  # learn 58.8 a minute from responses

    async def main() -> list[list[str | None]]:
        async with AsyncClient(
            base_url="http://127.0.0.1:9",
            oauth_token="t",
            http_client=mock_async_http_client(handler),
        ) as client:
            limiter_of(client).observe(headers(60, 60))  # as if an earlier response told us

            async def export(user_id: int) -> list[str | None]:
                return [e.id async for e in client.events(user_id=user_id)]

            return list(await asyncio.gather(*(export(n) for n in range(1, 6))))

    assert asyncio.run(main()) == [["0", "1", "2", "3"]] * 5
    assert len(seen) == 20
    gap = 60 / 58.8
    assert sorted(frozen.sleeps) == pytest.approx([k * gap for k in range(1, 20)])


def test_a_429_pauses_the_other_workers_of_the_client(frozen: FakeClock) -> None:
    first = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if not first.is_set():
            first.set()
            return httpx.Response(429, headers={"Retry-After": "7"})
        return page([], None, httpx.Headers())

    client = Client(
        base_url="http://127.0.0.1:9",
        oauth_token="t",
        http_client=mock_http_client(handler),
    )
    assert list(client.events(user_id=1)) == []
    assert frozen.sleeps == [7.0, 7.0]  # the retry's own wait, then the limiter's (frozen clock)
    frozen.sleeps.clear()
    assert list(client.events(user_id=2)) == []  # another worker, later: held as well
    assert frozen.sleeps == [7.0]


# --- against the sandbox's fixed-window limit --------------------------------------------

SANDBOX_LIMIT = 120


def _sandbox_export(
    factory: Callable[..., Any],
    clock: FakeClock,
    *,
    pace: bool,
    rate_limit: float | None = None,
    requests: int = 300,
) -> tuple[list[Any], list[tuple[float, int]]]:
    sandbox = factory(retry_after=1, rate_limit=SANDBOX_LIMIT, clock=clock.monotonic)
    profile = {"source": "shop", "type": "customer", "identifiers": [{"type": "id", "value": "1"}]}
    sandbox.add_events(
        {"profile": profile, "event": {"source": "shop", "type": "t"}, "user_id": 7}
        for _ in range(requests)
    )
    log: list[tuple[float, int]] = []
    http = httpx.Client(
        event_hooks={"response": [lambda r: log.append((clock.now, r.status_code))]}
    )
    client = Client(
        base_url=sandbox.base_url,
        email=sandbox.email,
        api_token=sandbox.api_token,
        rate_limit=rate_limit,
        max_retries=10,
        max_retry_after=120,
        http_client=http,
    )
    if not pace:
        limiter_of(client).reserve = lambda: 0.0  # type: ignore[method-assign]
    try:
        events = list(client.events(user_id=7, page_size=1))
    finally:
        http.close()
    return events, log


@pytest.mark.slow
def test_paced_export_meets_no_429_from_a_fixed_window_limit(
    zendesk_sandbox_factory: Callable[..., Any], clock: FakeClock
) -> None:
    events, log = _sandbox_export(zendesk_sandbox_factory, clock, pace=True)
    assert len(events) == 300
    statuses = [status for _, status in log]
    assert statuses.count(429) == 0
    assert len(log) == 300
    # 300 requests at 117.6 a minute take a little over 2.5 (virtual) minutes.
    assert 150 <= log[-1][0] - log[0][0] <= 155


@pytest.mark.slow
def test_unpaced_export_meets_429s_so_the_check_above_can_fail(
    zendesk_sandbox_factory: Callable[..., Any], clock: FakeClock
) -> None:
    events, log = _sandbox_export(zendesk_sandbox_factory, clock, pace=False)
    assert len(events) == 300  # retried through them, nothing lost
    assert [status for _, status in log].count(429) >= 2


@pytest.mark.slow
def test_user_cap_keeps_the_client_below_the_account_limit(
    zendesk_sandbox_factory: Callable[..., Any], clock: FakeClock
) -> None:
    events, log = _sandbox_export(
        zendesk_sandbox_factory, clock, pace=True, rate_limit=30, requests=100
    )
    assert len(events) == 100
    times = [t for t, _ in log]
    for i, t in enumerate(times):
        assert sum(1 for u in times[i:] if u < t + 60) <= 30
    assert 197 <= times[-1] - times[0] <= 199  # 99 gaps of 2 s


def test_rate_limit_error_when_retry_after_exceeds_the_cap(
    zendesk_sandbox_factory: Callable[..., Any], clock: FakeClock
) -> None:
    sandbox = zendesk_sandbox_factory(rate_limit=1)
    profile = {"source": "shop", "type": "customer", "identifiers": [{"type": "id", "value": "1"}]}
    sandbox.add_events(
        {"profile": profile, "event": {"source": "shop", "type": "t"}, "user_id": 7}
        for _ in range(3)
    )
    client = Client(
        base_url=sandbox.base_url,
        email=sandbox.email,
        api_token=sandbox.api_token,
        max_retry_after=30,
    )
    with client, pytest.raises(errors.RateLimitError) as info:
        list(client.events(user_id=7, page_size=1))
    # After the first page the limiter knows the limit of one a minute: pacing would wait
    # about 63 s, past max_retry_after, so the client refuses at once instead of sleeping.
    assert info.value.retry_after is not None and info.value.retry_after > 30
    assert sandbox.request_count == 1
    assert clock.sleeps == []


# --- pacing waits past the caps raise instead of sleeping ----------------------------------


def _paced_client(limit: str, **options: Any) -> tuple[Client, list[float]]:
    pages = iter(range(1, 1000))

    def handler(request: httpx.Request) -> httpx.Response:
        n = next(pages)
        body = {"events": [{"id": str(n)}], "meta": {"has_more": True, "after_cursor": f"c{n}"}}
        return httpx.Response(
            200, json=body, headers={"x-rate-limit": limit, "x-rate-limit-remaining": "5"}
        )

    client = Client(
        base_url="https://coolbikes.zendesk.com",
        oauth_token="oauth-token-for-pacing",
        http_client=mock_http_client(handler),
        **options,
    )
    return client, []


@pytest.mark.parametrize(
    ("limit", "options"),
    [("1", {}), ("10", {"max_retry_after": 5.0}), ("30", {"retry_budget": 1.0})],
)
def test_a_pacing_wait_past_max_retry_after_or_the_budget_raises_at_once(
    monkeypatch: pytest.MonkeyPatch, limit: str, options: dict[str, Any]
) -> None:
    client, _ = _paced_client(limit, **options)
    slept: list[float] = []
    monkeypatch.setattr("zdevents._base_client.time.sleep", slept.append)
    with pytest.raises(errors.RateLimitError, match="pacing") as info:
        for _ in client.events(user_id=1):
            pass
    assert slept == []  # raised instead of sleeping
    assert info.value.retry_after is not None and info.value.retry_after > 0


def test_a_pacing_wait_within_the_caps_is_slept(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fake clock: on the real one a busy machine may take longer than a slot between two
    # pages, and then there is nothing to wait for.
    clock = FakeClock().install(monkeypatch)
    client, _ = _paced_client("600")
    stream = client.events(user_id=1).pages()
    next(stream)
    next(stream)
    next(stream)
    assert clock.sleeps and all(0 < wait <= 60 / (600 * 0.98) + 1e-6 for wait in clock.sleeps)


def test_each_rate_limit_pause_is_logged_at_info(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    pages = [
        page_body([event(1)], cursor="c1", has_more=True),
        page_body([event(2)], has_more=False),
    ]
    with (
        caplog.at_level(logging.INFO, logger="zdevents"),
        client(Recorder(*pages), rate_limit=30) as c,
    ):
        assert len(list(c.events(identifier="shop:customer:email:jdoe@example.com"))) == 2
    pauses = [r.getMessage() for r in caplog.records if "pausing" in r.getMessage()]
    assert pauses == [
        "pausing 2.00 s under the account's rate limit before GET /api/v2/user_profiles/events"
    ]
    assert all(r.levelno == logging.INFO for r in caplog.records if "pausing" in r.getMessage())
    assert "jdoe" not in caplog.text  # no identifier at INFO


# --- the caller's own pace is never an error --------------------------------------------------

TRACKED = httpx.Response(202, json={"profile_id": "01E1", "status": "received"})


def _records(count: int) -> list[dict[str, Any]]:
    return [
        {"event": {"source": "shop", "type": f"t{n}"}, "profile_id": "01E1"} for n in range(count)
    ]


def test_the_callers_own_rate_limit_paces_however_long_the_queue(monkeypatch: Any) -> None:
    # Two a minute, four calls queued on a clock that does not move (as four workers
    # reserving at once): slots at 0, 30, 60 and 90 s. Each wait is pacing the caller asked
    # for, not a wait the server imposes: taken, though 90 s is past max_retry_after.
    frozen = FakeClock(frozen=True).install(monkeypatch)
    rec = Recorder(TRACKED)
    with client(rec, rate_limit=2) as c:
        for record in _records(4):
            c.track(record["event"], profile_id=record["profile_id"])
    assert rec.calls == 4
    assert frozen.sleeps == [30.0, 60.0, 90.0]


def test_the_callers_own_rate_limit_paces_async_tasks_too(monkeypatch: Any) -> None:
    frozen = FakeClock(frozen=True).install(monkeypatch)
    rec = Recorder(TRACKED)

    async def run() -> list[Any]:
        async with async_client(rec, rate_limit=2) as c:
            return [o async for o in c.track_many(_records(4), concurrency=4)]

    outcomes = asyncio.run(run())
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert sorted(frozen.sleeps) == [30.0, 60.0, 90.0]


def test_a_wait_the_server_imposes_past_max_retry_after_is_still_refused(
    monkeypatch: Any,
) -> None:
    # One a minute announced by the server: once it is known (the slot after the first
    # answer), 63 s between requests, past max_retry_after: refused, not slept.
    frozen = FakeClock(frozen=True).install(monkeypatch)
    rec = Recorder(httpx.Response(202, json={"profile_id": "01E1"}, headers={"x-rate-limit": "1"}))
    with client(rec, rate_limit=1000) as c:
        c.track({"source": "shop", "type": "t"}, profile_id="01E1")
        c.track({"source": "shop", "type": "t"}, profile_id="01E1")
        with pytest.raises(errors.RateLimitError, match="pacing"):
            c.track({"source": "shop", "type": "t"}, profile_id="01E1")
    assert rec.calls == 2 and frozen.sleeps == [pytest.approx(0.06)]


def test_an_export_of_many_people_under_the_callers_pace_is_never_refused(
    monkeypatch: Any,
) -> None:
    # What `zdevents events --identifiers-file --rate-limit 2 --concurrency 4` runs: four
    # tasks take slots 0, 30, 60 and 90 s apart; none is refused for being long.
    frozen = FakeClock(frozen=True).install(monkeypatch)
    rec = Recorder(page_body([event(1)]))

    async def run() -> list[Any]:
        async with async_client(rec, rate_limit=2) as c:
            people = [{"user_id": n} for n in range(1, 5)]
            return [pair async for pair in c.events_many(people, concurrency=4)]

    assert len(asyncio.run(run())) == 4
    assert rec.calls == 4
    assert sorted(frozen.sleeps) == [30.0, 60.0, 90.0]


@pytest.mark.parametrize("options", [{"rate_limit": 1e-320}, {"rate_limit": 1e-300}])
def test_a_pace_slower_than_anything_can_wait_is_spaced_at_the_longest_wait(
    options: dict[str, Any], monkeypatch: Any
) -> None:
    # 60 / 1e-320 is inf, 60 / 1e-300 is 6e301 s: time.sleep raises OverflowError on both.
    # The caller asked for that pace, so it is taken, spaced at the library's longest wait.
    frozen = FakeClock(frozen=True).install(monkeypatch)
    rec = Recorder(httpx.Response(202, json={"profile_id": "01E1"}))
    with client(rec, **options) as c:
        c.track({"source": "shop", "type": "t"}, profile_id="01E1")
        c.track({"source": "shop", "type": "t"}, profile_id="01E1")
    assert rec.calls == 2 and frozen.sleeps == [30 * 86400.0]


@pytest.mark.parametrize(
    "options",
    [
        {"backoff_base": 1e308, "backoff_cap": 1e308},
        {"backoff_base": 10.0, "backoff_cap": 1e300},
        {"max_retry_after": 1e308, "retry_budget": 1e308},
    ],
)
def test_huge_retry_settings_wait_at_most_the_longest_wait(
    options: dict[str, Any], monkeypatch: Any
) -> None:
    frozen = FakeClock(frozen=True).install(monkeypatch)
    rec = Recorder(
        httpx.Response(503),
        httpx.Response(503),
        page_body([event(1)]),
    )
    with client(rec, **options) as c:
        assert len(list(c.events(user_id=1))) == 1
    assert rec.calls == 3
    assert all(0 <= wait <= 30 * 86400.0 for wait in frozen.sleeps), frozen.sleeps


# --- pinned through Client (issue 15): the share of X-Rate-Limit used, a cap of the caller's
# own, the pause when nothing is left, what is believed of ratelimit-reset, a 429 pausing every
# user of the client. Where the fake clock is frozen, it does not move either, so a pause that
# has not passed yet shows in the next stream's wait.


def pages(count: int, **headers: str) -> Recorder:
    """A server of ``count`` one-event pages, each with ``headers``."""

    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page[after]", "0"))
        more = n + 1 < count
        body = page_body([event(n)], cursor=str(n + 1) if more else None, has_more=more)
        return httpx.Response(200, json=body, headers=headers)

    return Recorder(handler)


def export(rec: Recorder, **options: object) -> None:
    with client(rec, **options) as c:
        assert len(list(c.events(user_id=1))) == rec.calls


def test_requests_are_spaced_at_98_percent_of_the_announced_limit(clock: FakeClock) -> None:
    rec = pages(4, **{"X-Rate-Limit": "600"})
    export(rec)
    # The first answer announces the limit; from then on one request every 60/588 s, the
    # first (sent before it was known) counted as paced.
    assert clock.sleeps == pytest.approx([60 / 588] * 3)


def test_a_lower_cap_of_the_callers_own_wins_from_the_first_request(clock: FakeClock) -> None:
    export(pages(3, **{"X-Rate-Limit": "600"}), rate_limit=30)
    assert clock.sleeps == [2.0, 2.0]


def test_a_higher_cap_of_the_callers_own_yields_to_the_announced_limit(clock: FakeClock) -> None:
    export(pages(4, **{"X-Rate-Limit": "60"}), rate_limit=600)
    assert clock.sleeps == pytest.approx([0.1, 60 / 58.8, 60 / 58.8])


@pytest.mark.parametrize(
    "limit", ["0", "-5", "lots", ""], ids=["zero", "negative", "text", "empty"]
)
def test_an_unusable_limit_header_is_ignored(clock: FakeClock, limit: str) -> None:
    export(pages(4, **{"X-Rate-Limit": limit}))
    assert clock.sleeps == []


def test_a_limit_header_sent_twice_is_read_once(clock: FakeClock) -> None:
    export(pages(3, **{"X-Rate-Limit": "600, 600"}))
    assert clock.sleeps == pytest.approx([60 / 588] * 2)


@pytest.mark.parametrize(
    ("remaining", "reset", "pause"),
    [
        ("0", "5", 5.0),  # nothing left: wait for the reset
        ("0", "1", 1.0),
        ("-1", "60", 60.0),
        ("0", "61", 60 / 588),  # a reset past a minute is not believed: one slot instead
        ("0", "0", 60 / 588),
        ("0", None, 60 / 588),
        ("1", "30", 0.0),  # something left: no pause
    ],
)
def test_nothing_left_pauses_until_the_reset(
    frozen: FakeClock, remaining: str, reset: str | None, pause: float
) -> None:
    headers = {"X-Rate-Limit": "600", "X-Rate-Limit-Remaining": remaining}
    if reset is not None:
        headers["ratelimit-reset"] = reset
    export(pages(2, **headers))
    # One wait before the second request: the pause, or the pace's slot after the first
    # (sent before the limit was known, it counts as paced) if longer.
    assert frozen.sleeps == pytest.approx([max(pause, 60 / 588)])


def test_nothing_left_without_a_known_limit_or_reset_does_not_pause(frozen: FakeClock) -> None:
    export(pages(3, **{"X-Rate-Limit-Remaining": "0"}))
    assert frozen.sleeps == []


def test_a_429_pauses_every_stream_of_the_client(frozen: FakeClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "/users/1/" in request.url.path and handler.first:  # type: ignore[attr-defined]
            handler.first = False  # type: ignore[attr-defined]
            return httpx.Response(429, headers={"Retry-After": "5"})
        return httpx.Response(200, json=page_body([event(1)], has_more=False))

    handler.first = True  # type: ignore[attr-defined]
    with client(Recorder(handler)) as c:
        assert len(list(c.events(user_id=1))) == 1
        # The retry waited 5 s for itself; the other stream waits for the pause too (the
        # clock is frozen, so the pause has not passed).
        assert len(list(c.events(user_id=2))) == 1
    assert frozen.sleeps == [5.0, 5.0, 5.0]


@pytest.mark.parametrize("rate", [0, -1, math.inf, math.nan, True, "10"])
def test_an_invalid_rate_limit_is_refused(rate: object) -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        client(Recorder(), rate_limit=rate)


def test_a_pause_longer_than_max_retry_after_fails_at_once(frozen: FakeClock) -> None:
    rec = pages(
        3, **{"X-Rate-Limit": "600", "X-Rate-Limit-Remaining": "0", "ratelimit-reset": "30"}
    )
    with client(rec, max_retry_after=20) as c, pytest.raises(errors.RateLimitError):
        list(c.events(user_id=1))
    assert rec.calls == 1


def test_a_short_pause_of_the_server_under_the_callers_slow_pace_is_not_refused(
    frozen: FakeClock,
) -> None:
    # One a minute of the caller's own; the first answer says nothing is left until 5 s
    # later. The next request waits the caller's 60 s, of which the server imposes only 5:
    # within max_retry_after, so taken.
    rec = pages(2, **{"X-Rate-Limit-Remaining": "0", "ratelimit-reset": "5"})
    export(rec, rate_limit=1, max_retry_after=10)
    assert frozen.sleeps == [60.0]


@pytest.mark.parametrize(("per_minute", "level"), [(60, logging.INFO), (120, logging.DEBUG)])
def test_a_pause_of_a_second_or_more_is_logged_at_info_a_shorter_one_at_debug(
    clock: FakeClock, caplog: pytest.LogCaptureFixture, per_minute: int, level: int
) -> None:
    caplog.set_level(logging.DEBUG, logger="zdevents")
    export(pages(2), rate_limit=per_minute)
    pauses = [r for r in caplog.records if r.getMessage().startswith("pausing")]
    wait = 60 / per_minute
    assert [(r.levelno, r.getMessage()) for r in pauses] == [
        (
            level,
            f"pausing {wait:.2f} s under the account's rate limit"
            " before GET /api/v2/users/{id}/events",
        )
    ]


def test_a_limit_header_of_zero_later_does_not_undo_the_known_limit(clock: FakeClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page[after]", "0"))
        more = n < 3
        body = page_body([event(n)], cursor=str(n + 1) if more else None, has_more=more)
        return httpx.Response(200, json=body, headers={"X-Rate-Limit": "600" if n == 0 else "0"})

    export(Recorder(handler))
    assert clock.sleeps == pytest.approx([60 / 588] * 3)


def test_a_rate_limit_that_is_not_a_number_names_its_type() -> None:
    with pytest.raises(ValueError, match="rate_limit must be a number, not str"):
        client(Recorder(), rate_limit="10")


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        (0, "rate_limit=0 must be a positive number per minute"),
        (-1.5, "rate_limit=-1.5 must be a positive number per minute"),
        (math.inf, "rate_limit=inf must be a positive number per minute"),
        (True, "rate_limit must be a number, not bool"),
    ],
)
def test_an_invalid_rate_limit_is_refused_with_a_message_naming_it(
    rate: object, message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        client(Recorder(), rate_limit=rate)
    assert str(caught.value) == message


@pytest.mark.parametrize("rate", [10**9, 2 * 10**9, 10**400, 5e12])
def test_a_cap_over_a_billion_a_minute_counts_as_a_billion(clock: FakeClock, rate: float) -> None:
    # 10**400 is past a float's range: pacing at it would overflow.
    export(pages(3), rate_limit=rate)
    assert clock.sleeps == pytest.approx([60 / 10**9] * 2, rel=1e-3)


@pytest.mark.parametrize("limit", [str(2 * 10**9), str(10**400)])
def test_an_announced_limit_over_a_billion_a_minute_counts_as_a_billion(
    clock: FakeClock, limit: str
) -> None:
    # A hostile server's 10**400 is past a float's range: pacing at it would overflow.
    export(pages(3, **{"X-Rate-Limit": limit}))
    assert clock.sleeps == pytest.approx([60 / (10**9 * 0.98)] * 2)


def test_a_small_cap_of_the_callers_own_is_kept_exactly(clock: FakeClock) -> None:
    export(pages(3), rate_limit=100)
    assert clock.sleeps == pytest.approx([0.6, 0.6])


def test_no_limit_of_the_callers_own_or_announced_means_no_pacing(clock: FakeClock) -> None:
    export(pages(4))
    assert clock.sleeps == []
