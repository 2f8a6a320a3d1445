"""Bulk export: Client.events_many (threads) and AsyncClient.events_many (asyncio tasks)."""

from __future__ import annotations

import asyncio
import http.server
import json
import logging
import subprocess
import sys
import textwrap
import threading
import time
from collections import defaultdict
from typing import Any

import httpx
import pytest

from tests._mock import BASE, OAUTH_TOKEN, page_body
from zdevents import AsyncClient, Client, Identifier, errors

# A liveness bound for tests of threads and tasks (each takes well under a second): an
# export that hangs fails here, long before the suite's own timeout.
pytestmark = pytest.mark.timeout(15)

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


# -- errors carry their selector; on_missing ---------------------------------------------------


def test_sync_error_carries_the_selector_as_given() -> None:
    people: list[Any] = [{"user_id": 1}, {"user_id": 404}]
    with sync_client() as client, pytest.raises(errors.NotFoundError) as info:
        list(client.events_many(people, concurrency=2))
    assert info.value.selector is people[1]


def test_async_error_carries_the_selector_as_given() -> None:
    people: list[Any] = [{"user_id": 404}, {"user_id": 2}]

    async def run() -> None:
        async with async_client() as client:
            async for _ in client.events_many(people, concurrency=2):
                pass

    with pytest.raises(errors.NotFoundError) as info:
        asyncio.run(run())
    assert info.value.selector is people[0]


def test_an_error_of_a_single_stream_has_no_selector() -> None:
    with sync_client() as client, pytest.raises(errors.NotFoundError) as info:
        list(client.events(user_id=404))
    assert info.value.selector is None


def test_sync_skip_logs_each_missing_person_and_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    users = [1, 2, 3, 4]
    people = [{"user_id": 404}, *({"user_id": u} for u in users[:2])]
    people += [{"user_id": 404}, *({"user_id": u} for u in users[2:])]
    with caplog.at_level(logging.WARNING, logger="zdevents"), sync_client() as client:
        pairs = list(client.events_many(people, concurrency=3, on_missing="skip"))
    check_exactly_once_in_order(pairs, users)
    skipped = [r for r in caplog.records if r.name == "zdevents" and "skipped" in r.message]
    assert len(skipped) == 2
    assert {r.levelno for r in skipped} == {logging.WARNING}
    assert sorted(r.getMessage().split(":")[0] for r in skipped) == [
        "skipped selector 1 (user 404)",
        "skipped selector 4 (user 404)",
    ]


def test_skip_warnings_do_not_show_identifier_values(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"errors": [{"code": "NotFound", "title": "nobody"}]})

    with caplog.at_level(logging.WARNING, logger="zdevents"), sync_client(handler) as client:
        got = list(client.events_many(["shop:customer:email:ghost@example.com"], on_missing="skip"))
    assert got == []
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "ghost" not in caplog.text
    assert "identifier shop:customer:" in caplog.text


def test_async_skip_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    users = [1, 2, 3]
    people = [{"user_id": 1}, {"user_id": 404}, {"user_id": 2}, {"user_id": 3}]

    async def run() -> list[tuple[Any, Any]]:
        async with async_client() as client:
            pairs = client.events_many(people, concurrency=2, on_missing="skip")
            return [pair async for pair in pairs]

    with caplog.at_level(logging.WARNING, logger="zdevents"):
        got = asyncio.run(run())
    check_exactly_once_in_order(got, users)
    assert "skipped selector 2 (user 404)" in caplog.text


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_callback_is_called_instead_of_logging(
    flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    people: list[Any] = [{"user_id": 404}, {"user_id": 1}, "shop:customer:email:x@example.com"]
    reported: list[tuple[Any, BaseException, str]] = []

    def on_missing(selector: Any, error: errors.NotFoundError) -> None:
        reported.append((selector, error, threading.current_thread().name))

    def handler(request: httpx.Request) -> httpx.Response:
        if "identifier" in request.url.params:
            return httpx.Response(404, json={"errors": [{"code": "NotFound", "title": "none"}]})
        return paged_handler(request)

    with caplog.at_level(logging.WARNING, logger="zdevents"):
        if flavour == "sync":
            with sync_client(handler) as client:
                got = list(client.events_many(people, concurrency=3, on_missing=on_missing))
        else:

            async def run() -> list[tuple[Any, Any]]:
                async with async_client(handler) as client:
                    pairs = client.events_many(people, concurrency=3, on_missing=on_missing)
                    return [pair async for pair in pairs]

            got = asyncio.run(run())
    check_exactly_once_in_order(got, [1])
    assert sorted((str(s), type(e).__name__) for s, e, _ in reported) == [
        ("shop:customer:email:x@example.com", "NotFoundError"),
        ("{'user_id': 404}", "NotFoundError"),
    ]
    assert {s for s, _, _ in reported if isinstance(s, str)} == {people[2]}
    # In the iterating thread, not in a worker, so that it can write in order with the events.
    assert {name for _, _, name in reported} == {threading.current_thread().name}
    assert "skipped" not in caplog.text


def test_a_callback_that_raises_ends_the_export() -> None:
    def on_missing(selector: Any, error: errors.NotFoundError) -> None:
        raise RuntimeError(f"give up on {selector}")

    with sync_client() as client, pytest.raises(RuntimeError, match="give up on"):
        list(client.events_many([{"user_id": 404}, {"user_id": 1}], on_missing=on_missing))
    for worker in export_workers():
        worker.join(timeout=20)
        assert not worker.is_alive()


def test_skip_is_only_for_missing_people() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "/2/" in request.url.path:
            return httpx.Response(403, json={"errors": [{"code": "Forbidden", "title": "no"}]})
        return paged_handler(request)

    people: list[Any] = [{"user_id": 1}, {"user_id": 2}]
    with sync_client(handler) as client, pytest.raises(errors.PermissionDeniedError) as info:
        list(client.events_many(people, concurrency=1, on_missing="skip"))
    assert info.value.selector is people[1]


@pytest.mark.parametrize("on_missing", ["ignore", None, 3])
def test_on_missing_is_checked_before_any_request(on_missing: Any) -> None:
    with (
        sync_client(lambda request: pytest.fail("no request")) as client,
        pytest.raises(ValueError, match="on_missing"),
    ):
        client.events_many([{"user_id": 1}], on_missing=on_missing)


# -- selector mappings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "filters", "message"),
    [
        (
            {"user_id": 1, "source": "x"},
            {"source": "y"},
            "source is given both here and as source=",
        ),
        ({"user_id": 1, "source": "x"}, {}, "source is not a selector key"),
        ({"user_id": 1, "page_size": 5}, {}, "page_size is not a selector key"),
        ({"user_id": 1, "start": "2020-01-01"}, {"start": "2020-01-01"}, "start is given both"),
        ({"user_id": 1, "users": 2}, {}, "unknown key 'users'"),
        ({"user_id": 1, "profile_id": "p"}, {}, "exactly one of"),
        ({"after": "4"}, {}, "exactly one of"),
    ],
)
def test_a_mapping_that_repeats_a_filter_is_a_value_error(
    selector: dict[str, Any], filters: dict[str, Any], message: str
) -> None:
    with (
        sync_client(lambda request: pytest.fail("no request")) as client,
        pytest.raises(ValueError, match=message) as info,
    ):
        client.events_many([{"user_id": 7}, selector], **filters)
    assert type(info.value) is ValueError
    assert str(info.value).startswith("selector 2 (")


def test_every_mapping_key_is_accepted() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json=page_body([{"id": request.url.path}]))

    people = [
        {"identifier": "a:b:email:c@example.com"},
        {"identifier": Identifier("a", "b", "id", "9")},
        {"profile_id": "01E1G0NJSQPNPZRV096JXKXFAA"},
        {"user_id": "85211553"},
        {"user_id": 85211554, "after": "abc"},
    ]
    with sync_client(handler) as client:
        pairs = list(client.events_many(people, concurrency=2))
    assert len(pairs) == 5
    assert sorted(seen) == [
        "/api/v2/user_profiles/01E1G0NJSQPNPZRV096JXKXFAA/events",
        "/api/v2/user_profiles/events",
        "/api/v2/user_profiles/events",
        "/api/v2/users/85211553/events",
        "/api/v2/users/85211554/events",
    ]


def test_after_in_a_mapping_resumes_that_selector_only() -> None:
    sent: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.url.path.split("/")[4], request.url.params.get("page[after]")))
        return paged_handler(request)

    with sync_client(handler) as client:
        pairs = list(client.events_many([{"user_id": 1, "after": "8"}, {"user_id": 2}]))
    by_user: dict[int, list[str | None]] = defaultdict(list)
    for selector, event in pairs:
        by_user[selector["user_id"]].append(event.id)
    assert by_user[1] == [f"1-{i}" for i in range(8, 12)]
    assert by_user[2] == [f"2-{i}" for i in range(12)]
    assert sorted(sent, key=str) == [("1", "8"), ("2", "4"), ("2", "8"), ("2", None)]


# -- pages_many ---------------------------------------------------------------------------------


def test_sync_pages_many_yields_whole_pages_per_selector() -> None:
    people = [{"user_id": u} for u in (1, 2, 3)]
    with sync_client() as client:
        pairs = list(client.pages_many(people, concurrency=2))
    assert len(pairs) == 3 * PAGES_PER_USER
    for person in people:
        pages = [page for selector, page in pairs if selector is person]
        assert [len(page) for page in pages] == [PAGE] * PAGES_PER_USER
        assert [page.has_more for page in pages] == [True, True, False]
        ids = [event.id for page in pages for event in page.events]
        assert ids == [f"{person['user_id']}-{i}" for i in range(PAGES_PER_USER * PAGE)]


def test_async_pages_many_yields_whole_pages_per_selector() -> None:
    people = [{"user_id": u} for u in (1, 2, 3)]

    async def run() -> list[tuple[Any, Any]]:
        async with async_client() as client:
            return [pair async for pair in client.pages_many(people, concurrency=2)]

    pairs = asyncio.run(run())
    assert len(pairs) == 3 * PAGES_PER_USER
    for person in people:
        ids = [e.id for selector, page in pairs if selector is person for e in page.events]
        assert ids == [f"{person['user_id']}-{i}" for i in range(PAGES_PER_USER * PAGE)]


def test_pages_many_validates_like_events_many() -> None:
    with (
        sync_client(lambda request: pytest.fail("no request")) as client,
        pytest.raises(ValueError, match="selector 1"),
    ):
        client.pages_many([{"user_id": 1, "type": "x"}], type="x", source="s")


def test_async_export_at_high_concurrency_still_delivers_everything_once() -> None:
    users = list(range(1, 61))

    async def run() -> list[tuple[Any, Any]]:
        async with async_client() as client:
            selectors = [{"user_id": u} for u in users]
            return [pair async for pair in client.events_many(selectors, concurrency=50)]

    check_exactly_once_in_order(asyncio.run(run()), users)


def test_async_export_keeps_at_most_20_requests_in_flight() -> None:
    # A real server on loopback that holds each request a little and records how many were
    # open at once. The bound is a property of the export (never more than 20 tasks), not a
    # timing: however slow the machine, more than 20 cannot be open.
    lock = threading.Lock()
    state = {"open": 0, "most": 0, "served": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with lock:
                state["open"] += 1
                state["most"] = max(state["most"], state["open"])
            time.sleep(0.02)
            user = self.path.split("/")[4]
            body = json.dumps(page_body([{"id": f"{user}-0"}], has_more=False)).encode()
            with lock:
                state["open"] -= 1
                state["served"] += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:

        async def run() -> int:
            base = f"http://127.0.0.1:{server.server_address[1]}"
            async with AsyncClient(base_url=base, oauth_token=OAUTH_TOKEN) as client:
                selectors = [{"user_id": u} for u in range(1, 121)]
                pairs = client.events_many(selectors, concurrency=50)
                return len([pair async for pair in pairs])

        assert asyncio.run(run()) == 120
    finally:
        server.shutdown()
        server.server_close()
    assert state["served"] == 120
    assert 1 <= state["most"] <= 20


def test_skip_warnings_stay_short_for_a_huge_selector(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"errors": [{"code": "NotFound", "title": "nobody"}]})

    with caplog.at_level(logging.WARNING, logger="zdevents"), sync_client(handler) as client:
        assert list(client.events_many([{"profile_id": "p" * 50_000}], on_missing="skip")) == []
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.startswith("skipped selector 1 (profile ppp")
    assert len(warning) < 500


def test_after_none_in_a_mapping_starts_at_the_first_page() -> None:
    with sync_client() as client:
        pairs = list(client.events_many([{"user_id": 5, "after": None}]))
    assert [event.id for _, event in pairs] == [f"5-{i}" for i in range(PAGES_PER_USER * PAGE)]
