"""Bulk export: Client.events_many (threads) and AsyncClient.events_many (asyncio tasks)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
from collections import defaultdict
from typing import Any

import httpx
import pytest

from tests._mock import BASE, OAUTH_TOKEN, page_body
from zdevents import AsyncClient, Client, Identifier, errors

PAGES_PER_USER = 3
PAGE = 4


def paged_handler(request: httpx.Request) -> httpx.Response:
    """User N has PAGES_PER_USER pages of PAGE events, ids "N-i"; user 404 does not exist;
    user 503 is always unavailable with a long Retry-After."""
    user = request.url.path.split("/")[4]
    if user == "404":
        return httpx.Response(404, json={"errors": [{"code": "NotFound", "title": "no user"}]})
    if user == "503":
        return httpx.Response(503, headers={"retry-after": "59"}, json={"error": "busy"})
    start = int(request.url.params.get("page[after]", "0"))
    end = start + PAGE
    more = end < PAGES_PER_USER * PAGE
    events = [{"id": f"{user}-{i}"} for i in range(start, end)]
    return httpx.Response(200, json=page_body(events, cursor=str(end), has_more=more))


def sync_client(handler: Any = paged_handler) -> Client:
    transport = httpx.MockTransport(handler)
    return Client(
        base_url=BASE,
        oauth_token=OAUTH_TOKEN,
        http_client=httpx.Client(transport=transport),
        backoff_base=0,
    )


def async_client(handler: Any = paged_handler) -> AsyncClient:
    transport = httpx.MockTransport(handler)
    return AsyncClient(
        base_url=BASE,
        oauth_token=OAUTH_TOKEN,
        http_client=httpx.AsyncClient(transport=transport),
        backoff_base=0,
    )


def check_exactly_once_in_order(pairs: list[tuple[Any, Any]], users: list[int]) -> None:
    by_user: dict[int, list[str | None]] = defaultdict(list)
    for selector, event in pairs:
        by_user[selector["user_id"]].append(event.id)
    assert sorted(by_user) == users
    for user in users:
        assert by_user[user] == [f"{user}-{i}" for i in range(PAGES_PER_USER * PAGE)]


@pytest.mark.parametrize("concurrency", [1, 3, 16])
def test_sync_every_event_once_in_order_per_selector(concurrency: int) -> None:
    users = list(range(1, 12))
    with sync_client() as client:
        pairs = list(client.events_many([{"user_id": u} for u in users], concurrency=concurrency))
    check_exactly_once_in_order(pairs, users)


@pytest.mark.parametrize("concurrency", [1, 3, 16])
def test_async_every_event_once_in_order_per_selector(concurrency: int) -> None:
    users = list(range(1, 12))

    async def run() -> list[tuple[Any, Any]]:
        async with async_client() as client:
            selectors = [{"user_id": u} for u in users]
            return [pair async for pair in client.events_many(selectors, concurrency=concurrency)]

    check_exactly_once_in_order(asyncio.run(run()), users)


def test_identifier_selectors_are_yielded_as_given() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params["identifier"])
        return httpx.Response(200, json=page_body([{"id": request.url.params["identifier"]}]))

    people: list[Any] = [
        "shop:customer:email:a@example.com",
        Identifier("shop", "customer", "id", "7"),
    ]
    with sync_client(handler) as client:
        pairs = list(client.events_many(people, concurrency=2))
    assert sorted(seen) == ["shop:customer:email:a@example.com", "shop:customer:id:7"]
    assert {(str(selector), event.id) for selector, event in pairs} == {
        ("shop:customer:email:a@example.com", "shop:customer:email:a@example.com"),
        ("shop:customer:id:7", "shop:customer:id:7"),
    }
    assert any(selector is people[1] for selector, _ in pairs)


def test_every_selector_is_checked_before_any_request() -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may be sent")

    with sync_client(never) as client:
        with pytest.raises(ValueError, match="selector 2"):
            client.events_many(["a:b:c:d", "not an identifier"])
        with pytest.raises(ValueError, match="concurrency"):
            client.events_many(["a:b:c:d"], concurrency=0)
        with pytest.raises(ValueError, match="type needs source"):
            client.events_many(["a:b:c:d"], type="login")


def test_sync_first_error_is_raised_with_the_selector_named() -> None:
    with sync_client() as client, pytest.raises(errors.NotFoundError) as info:
        list(client.events_many([{"user_id": 1}, {"user_id": 404}], concurrency=2))
    assert any("404" in note for note in info.value.__notes__)


def test_async_first_error_is_raised_with_the_selector_named() -> None:
    async def run() -> None:
        async with async_client() as client:
            selectors = [{"user_id": 1}, {"user_id": 404}]
            async for _ in client.events_many(selectors, concurrency=2):
                pass

    with pytest.raises(errors.NotFoundError) as info:
        asyncio.run(run())
    assert any("404" in note for note in info.value.__notes__)


def export_workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("zdevents-export-")]


def test_sync_break_ends_workers_that_sleep_through_a_retry_after() -> None:
    # User 503 answers Retry-After: 59 s; after a break its worker must stop waiting at
    # once rather than sleep out four retries. The join timeout is a liveness bound far
    # below one Retry-After, not a speed measurement.
    requests_to_503 = []

    def handler(request: httpx.Request) -> httpx.Response:
        if "/503/" in request.url.path:
            requests_to_503.append(request)
        return paged_handler(request)

    with sync_client(handler) as client:
        stream = client.events_many([{"user_id": 503}, {"user_id": 1}], concurrency=2)
        first = next(stream)
        assert first[0] == {"user_id": 1}
        stream.close()
        for worker in export_workers():
            worker.join(timeout=20)
            assert not worker.is_alive(), "a bulk-export worker outlived its export"
    assert len(requests_to_503) == 1


def test_async_break_cancels_the_workers() -> None:
    async def run() -> int:
        async with async_client() as client:
            stream = client.events_many([{"user_id": 503}, {"user_id": 1}], concurrency=2)
            async for selector, _ in stream:  # type: ignore[attr-defined]
                assert selector == {"user_id": 1}
                break
            await stream.aclose()  # type: ignore[attr-defined]
            await asyncio.sleep(0)
            return len([t for t in asyncio.all_tasks() if t is not asyncio.current_task()])

    assert asyncio.run(run()) == 0


def test_a_program_that_leaves_an_export_unfinished_still_exits() -> None:
    script = textwrap.dedent(
        f"""
        import httpx
        from zdevents import Client

        def handler(request):
            return httpx.Response(429, headers={{"retry-after": "59"}}, json={{"error": "x"}})

        client = Client(base_url="{BASE}", oauth_token="t0ken-for-test",
                        http_client=httpx.Client(transport=httpx.MockTransport(handler)))
        stream = client.events_many([{{"user_id": n}} for n in range(1, 5)], concurrency=4)
        iter(stream)
        import threading, time
        started = client.events_many([{{"user_id": 1}}], concurrency=1)
        threading.Thread(target=lambda: next(started, None), daemon=True).start()
        time.sleep(0.5)
        print("leaving")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "leaving"
