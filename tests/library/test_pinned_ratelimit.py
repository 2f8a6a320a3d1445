"""Pacing under the account's rate limit, pinned through ``Client`` (issue 15): the share of
``X-Rate-Limit`` used, a cap of the caller's own, the pause when nothing is left, what is
believed of ``ratelimit-reset``, and a 429 pausing every user of the client.

The fake clock records each wait; where it is frozen, it does not move either, so a pause
that has not passed yet shows in the next stream's wait.
"""

from __future__ import annotations

import logging
import math

import httpx
import pytest

from tests._mock import FakeClock, Recorder, client, event, page_body
from zdevents import errors


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    return FakeClock(frozen=True).install(monkeypatch)


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


def test_requests_are_spaced_at_95_percent_of_the_announced_limit(clock: FakeClock) -> None:
    rec = pages(4, **{"X-Rate-Limit": "600"})
    export(rec)
    # The first answer announces the limit; from then on one request every 60/570 s.
    assert clock.sleeps == pytest.approx([60 / 570] * 2)


def test_a_lower_cap_of_the_callers_own_wins_from_the_first_request(clock: FakeClock) -> None:
    export(pages(3, **{"X-Rate-Limit": "600"}), rate_limit=30)
    assert clock.sleeps == [2.0, 2.0]


def test_a_higher_cap_of_the_callers_own_yields_to_the_announced_limit(clock: FakeClock) -> None:
    export(pages(4, **{"X-Rate-Limit": "60"}), rate_limit=600)
    assert clock.sleeps == pytest.approx([0.1, 60 / 57, 60 / 57])


@pytest.mark.parametrize(
    "limit", ["0", "-5", "lots", ""], ids=["zero", "negative", "text", "empty"]
)
def test_an_unusable_limit_header_is_ignored(clock: FakeClock, limit: str) -> None:
    export(pages(4, **{"X-Rate-Limit": limit}))
    assert clock.sleeps == []


def test_a_limit_header_sent_twice_is_read_once(clock: FakeClock) -> None:
    export(pages(3, **{"X-Rate-Limit": "600, 600"}))
    assert clock.sleeps == pytest.approx([60 / 570])


@pytest.mark.parametrize(
    ("remaining", "reset", "pause"),
    [
        ("0", "5", 5.0),  # nothing left: wait for the reset
        ("0", "1", 1.0),
        ("-1", "60", 60.0),
        ("0", "61", 60 / 570),  # a reset past a minute is not believed: one slot instead
        ("0", "0", 60 / 570),
        ("0", None, 60 / 570),
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
    # One wait before the second request: the pause, or the pace's slot if longer.
    assert frozen.sleeps == pytest.approx([max(pause, 0.0)] if pause else [])


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
    assert clock.sleeps == pytest.approx([60 / 570] * 2)


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


def test_a_small_cap_of_the_callers_own_is_kept_exactly(clock: FakeClock) -> None:
    export(pages(3), rate_limit=100)
    assert clock.sleeps == pytest.approx([0.6, 0.6])


def test_no_limit_of_the_callers_own_or_announced_means_no_pacing(clock: FakeClock) -> None:
    export(pages(4))
    assert clock.sleeps == []
