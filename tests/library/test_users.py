"""``Client.users``: the incremental user export, against the sandbox and a hostile fake."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest

import zdevents
from tests._accounts import seed_people
from tests._mock import API_TOKEN, FakeClock, Recorder, async_client, client
from zdevents import errors


def users_body(
    ids: list[int], *, cursor: str | None = "c1", end: bool = True, **user: Any
) -> dict[str, Any]:
    return {
        "users": [
            {
                "id": i,
                "name": f"Person {i}",
                "email": f"p{i}@example.com",
                "role": "end-user",
                "active": True,
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-02T00:00:00Z",
                **user,
            }
            for i in ids
        ],
        "after_cursor": cursor,
        "after_url": None if cursor is None else f"https://x.example/cursor.json?cursor={cursor}",
        "before_cursor": None,
        "before_url": None,
        "end_of_stream": end,
    }


def seed(sandbox: Any, people: int, events: int = 1) -> None:
    seed_people(sandbox, people, first_user=5000, events=events)


# --------------------------------------------------------------------------- the sandbox


def test_every_user_a_page_at_a_time_then_only_the_changed_ones(zendesk_sandbox: Any) -> None:
    seed(zendesk_sandbox, 5)
    c = zendesk_sandbox.client
    pages = list(c.users(per_page=2).pages())
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [p.end_of_stream for p in pages] == [False, False, True]
    users = [u for p in pages for u in p]
    assert [u.id for u in users] == [5000 + n for n in range(5)]
    first = users[0]
    assert (first.email, first.role, first.active) == ("p0@example.com", "end-user", True)
    assert first.created_at.endswith("Z") and first.raw.startswith(b"{")
    assert "p0@example.com" not in repr(first)  # no email or name in a repr
    kept = pages[-1].after_cursor
    assert kept is not None
    assert list(c.users(cursor=kept)) == []  # nothing changed since
    zendesk_sandbox.change_user(5003, name="Renamed", active=False)
    changed = list(c.users(cursor=kept))
    assert [(u.id, u.name, u.active) for u in changed] == [(5003, "Renamed", False)]


def test_a_non_admin_is_told_in_one_line_that_the_export_is_for_admins(
    zendesk_sandbox: Any,
) -> None:
    seed(zendesk_sandbox, 1)
    with zdevents.Client(
        base_url=zendesk_sandbox.base_url,
        email=zendesk_sandbox.agent_email,
        api_token=zendesk_sandbox.api_token,
    ) as agent:
        assert len(list(agent.events(user_id=5000))) == 1  # an agent reads events
        with pytest.raises(errors.PermissionDeniedError) as caught:
            list(agent.users())
    message = str(caught.value)
    assert "\n" not in message and message.startswith("the incremental user export")
    assert "admins only" in message and caught.value.status_code == 403


def test_the_exports_own_limit_is_a_429_with_the_rest_of_the_minute(
    zendesk_sandbox_factory: Any,
) -> None:
    sandbox = zendesk_sandbox_factory(export_rate_limit=1)
    seed(sandbox, 2)
    c = sandbox.client.with_options(max_retry_after=5)
    assert len(list(c.users())) == 2
    with pytest.raises(errors.RateLimitError) as caught:
        list(c.users())
    assert caught.value.retry_after is not None and caught.value.retry_after > 5
    # The events routes are not held back by the export's limit.
    assert len(list(c.events(user_id=5000))) == 1


def test_the_async_client_reads_the_same_users(zendesk_sandbox: Any) -> None:
    seed(zendesk_sandbox, 3)

    async def read() -> list[int]:
        async with zdevents.AsyncClient(
            base_url=zendesk_sandbox.base_url,
            email=zendesk_sandbox.email,
            api_token=zendesk_sandbox.api_token,
        ) as ac:
            return [u.id async for u in ac.users(per_page=2)]

    assert asyncio.run(read()) == [5000, 5001, 5002]


def test_the_sandbox_checks_start_time_beside_a_cursor_and_takes_any_64_bit_one(
    zendesk_sandbox: Any,
) -> None:
    seed(zendesk_sandbox, 1)
    c = zendesk_sandbox.client
    kept = list(c.users().pages())[-1].after_cursor
    url = f"{zendesk_sandbox.base_url}/api/v2/incremental/users/cursor"
    auth = (f"{zendesk_sandbox.email}/token", zendesk_sandbox.api_token)
    beside = httpx.get(url, params={"cursor": kept, "start_time": "166958961596725"}, auth=auth)
    assert beside.status_code == 200 and beside.json()["users"] == []  # the cursor decides
    assert httpx.get(url, params={"cursor": kept, "start_time": "-5"}, auth=auth).status_code == 400


def test_the_sandbox_refuses_a_cursor_it_did_not_issue_and_a_recent_start(
    zendesk_sandbox: Any,
) -> None:
    c = zendesk_sandbox.client
    with pytest.raises(errors.BadRequestError, match="cursor"):
        list(c.users(cursor="bm90LWEtY3Vyc29y"))
    with pytest.raises(errors.BadRequestError, match="recent"):
        list(c.users(start_time=dt.datetime.now(dt.UTC)))


# --------------------------------------------------------------------------- a hostile fake


def test_arguments_are_checked_before_any_request() -> None:
    rec = Recorder()
    with client(rec) as c:
        for bad in (
            {"start_time": -1},
            {"start_time": dt.datetime(2020, 1, 1)},  # naive
            {"cursor": ""},
            {"cursor": "c", "start_time": 5},
            {"per_page": 0},
            {"per_page": 1001},
        ):
            with pytest.raises(ValueError):
                c.users(**bad)
        with pytest.raises(TypeError):
            c.users(start_time="yesterday")  # type: ignore[arg-type]
    assert rec.calls == 0


def test_the_first_request_sends_start_time_and_the_next_ones_the_cursor() -> None:
    rec = Recorder(users_body([1, 2], cursor="c1", end=False), users_body([3], cursor="c2"))
    with client(rec) as c:
        pages = list(c.users(start_time=dt.date(2026, 1, 1)).pages())
    assert [len(p) for p in pages] == [2, 1] and pages[-1].after_cursor == "c2"
    assert rec.params(0) == {"start_time": "1767225600"}
    assert rec.params(1) == {"cursor": "c1"}
    # Never the after_url's host: the cursor on the configured one.
    assert rec.requests[1].url.host == "coolbikes.zendesk.com"


def test_a_cursor_that_comes_back_stops_the_loop() -> None:
    rec = Recorder(users_body([1], cursor="same", end=False))
    with client(rec) as c, pytest.raises(errors.PaginationError, match="sent before"):
        list(c.users())
    assert rec.calls == 2


def test_an_export_that_never_ends_and_brings_nobody_new_is_bounded() -> None:
    served = iter(range(10**6))

    def forever(request: httpx.Request) -> httpx.Response:
        # New cursors every time, the same person again, never end_of_stream.
        return httpx.Response(200, json=users_body([7], cursor=f"c{next(served)}", end=False))

    rec = Recorder(forever)
    with client(rec) as c, pytest.raises(errors.PaginationError, match="never said"):
        list(c.users())
    assert rec.calls == 102  # the first, then MAX_STALE_PAGES + 1 that brought nobody new


def test_more_to_come_without_a_cursor_is_a_pagination_error() -> None:
    rec = Recorder(users_body([1], cursor=None, end=False))
    with client(rec) as c, pytest.raises(errors.PaginationError, match="no cursor"):
        list(c.users())


def test_a_long_retry_after_raises_at_once_without_waiting(monkeypatch: Any) -> None:
    clock = FakeClock().install(monkeypatch)
    rec = Recorder(
        httpx.Response(429, headers={"Retry-After": "3600"}, json={"error": "TooManyRequests"})
    )
    with client(rec) as c, pytest.raises(errors.RateLimitError) as caught:
        list(c.users())
    assert caught.value.retry_after == 3600
    assert rec.calls == 1 and sum(clock.sleeps) == 0


def test_a_retry_after_within_bounds_is_waited_through(monkeypatch: Any) -> None:
    clock = FakeClock().install(monkeypatch)
    rec = Recorder(
        httpx.Response(429, headers={"Retry-After": "45"}, json={"error": "TooManyRequests"}),
        users_body([1]),
    )
    with client(rec) as c:
        assert [u.id for u in c.users()] == [1]
    assert 45 <= sum(clock.sleeps) < 50


@pytest.mark.parametrize(
    "body",
    [
        b'{"users": [{"name": "No Id"}], "end_of_stream": true}',
        b'{"users": [{"id": "12", "name": "Jane"}], "end_of_stream": true}',
        b'{"users": [{"id": 0}], "end_of_stream": true}',
        b'{"users": [], "after_cursor": "c"}',
        b'{"people": []}',
        b"[1, 2]",
    ],
)
def test_a_malformed_page_is_a_bad_response_that_quotes_nobody(body: bytes) -> None:
    rec = Recorder(httpx.Response(200, content=body))
    with client(rec) as c, pytest.raises(errors.BadResponseError) as caught:
        list(c.users())
    assert "Jane" not in str(caught.value) and "No Id" not in str(caught.value)


def test_a_cursor_that_echoes_the_credentials_is_not_kept() -> None:
    rec = Recorder(users_body([1], cursor=f"x{API_TOKEN}", end=True))
    with client(rec) as c, pytest.raises(errors.BadResponseError) as caught:
        list(c.users())
    assert API_TOKEN not in str(caught.value)


def test_a_user_deleted_between_pages_comes_again_as_inactive() -> None:
    rec = Recorder(
        users_body([1, 2], cursor="c1", end=False),
        users_body([2], cursor="c2", active=False),
    )
    with client(rec) as c:
        users = list(c.users())
    assert [(u.id, u.active) for u in users] == [(1, True), (2, True), (2, False)]


def test_async_users_follow_the_same_walk() -> None:
    rec = Recorder(users_body([1], cursor="c1", end=False), users_body([2], cursor="c2"))

    async def read() -> list[int]:
        async with async_client(rec) as ac:
            return [u.id async for u in ac.users()]

    assert asyncio.run(read()) == [1, 2]
    assert rec.params(1) == {"cursor": "c1"}
