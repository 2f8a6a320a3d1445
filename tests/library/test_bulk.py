"""Bulk export: Client.events_many (threads) and AsyncClient.events_many (asyncio tasks).

Pinned further where mutants of ``events_many``/``pages_many`` outlived the suite (issue 15):
every message in full, the workers (their names, daemon threads, the waits that end with the
export), how far workers read ahead of the consumer, and what goes on after an export ends.
Through ``Client``/``AsyncClient`` on a mock transport only.
"""

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

import zdevents
from tests._mock import (
    BASE,
    OAUTH_TOKEN,
    mock_async_http_client,
    never,
    page_body,
)
from tests._mock import async_client as mock_async_client
from tests._mock import client as mock_client
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
    return mock_client(handler, base_url=BASE, oauth_token=OAUTH_TOKEN)


def async_client(handler: Any = paged_handler) -> AsyncClient:
    return mock_async_client(handler, base_url=BASE, oauth_token=OAUTH_TOKEN)


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


# --- pinned where mutants of events_many/pages_many outlived the suite (issue 15) ---------

NOT_FOUND = {"errors": [{"code": "NotFound", "title": "no user"}]}


def pages(request: httpx.Request) -> httpx.Response:
    """User N has 3 pages of 2 events, ids "N-i"; user 404 does not exist."""
    user = request.url.path.split("/")[4]
    if user == "404":
        return httpx.Response(404, json=NOT_FOUND)
    start = int(request.url.params.get("page[after]", "0"))
    more = start + 2 < 6
    events = [{"id": f"{user}-{i}"} for i in range(start, start + 2)]
    return httpx.Response(200, json=page_body(events, cursor=str(start + 2), has_more=more))


def endless(request: httpx.Request) -> httpx.Response:
    """Pages without end, one event each."""
    n = int(request.url.params.get("page[after]", "0"))
    return httpx.Response(200, json=page_body([{"id": str(n)}], cursor=str(n + 1), has_more=True))


def join_workers(before: list[threading.Thread]) -> None:
    """Join the export workers started since ``before`` was taken."""
    # A liveness bound far above any wait the export should have left, not a timing.
    for worker in set(export_workers()) - set(before):
        worker.join(timeout=20)
        assert not worker.is_alive(), "a bulk-export worker outlived its export"


# --- the arguments: checked before anything is sent, each message in full -----------------


@pytest.mark.parametrize(
    ("concurrency", "shown"),
    [(True, "True"), (0, "0"), (-3, "-3"), (2.0, "2.0"), ("4", "'4'"), (None, "None")],
)
def test_concurrency_must_be_a_positive_integer(concurrency: Any, shown: str) -> None:
    with sync_client(never) as c, pytest.raises(ValueError) as info:
        c.events_many(["a:b:c:d"], concurrency=concurrency)
    assert str(info.value) == f"concurrency={shown} must be a positive integer"


def ten_pages(request: httpx.Request) -> httpx.Response:
    """User N has 10 pages of one event, ids "N-i": more than a worker's queue holds."""
    user = request.url.path.split("/")[4]
    n = int(request.url.params.get("page[after]", "0"))
    body = page_body([{"id": f"{user}-{n}"}], cursor=str(n + 1), has_more=n < 9)
    return httpx.Response(200, json=body)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_concurrency_of_one_reads_one_selector_after_the_other(flavour: str) -> None:
    people = [{"user_id": 1}, {"user_id": 2}]

    async def run() -> list[Any]:
        async with async_client(ten_pages) as c:
            return [e.id async for _, e in c.events_many(people, concurrency=1)]

    if flavour == "sync":
        with sync_client(ten_pages) as c:
            got = [e.id for _, e in c.events_many(people, concurrency=1)]
    else:
        got = asyncio.run(run())
    assert got == [f"{u}-{i}" for u in (1, 2) for i in range(10)]


@pytest.mark.parametrize(
    ("on_missing", "shown"),
    [("ignore", "'ignore'"), (None, "None"), ("x" * 200, "'" + "x" * 74 + "...'")],
)
def test_on_missing_must_be_raise_skip_or_a_function(on_missing: Any, shown: str) -> None:
    with sync_client(never) as c, pytest.raises(ValueError) as info:
        c.pages_many(["a:b:c:d"], on_missing=on_missing)
    assert str(info.value) == (
        f"on_missing={shown} must be 'raise', 'skip' or a function (selector, error) -> None"
    )


@pytest.mark.parametrize(
    "single", ["a:b:c:d", Identifier("a", "b", "c", "d"), {"user_id": 1}], ids=type
)
def test_a_single_selector_is_not_taken_for_many(single: Any) -> None:
    with sync_client(never) as c, pytest.raises(TypeError) as info:
        c.events_many(single)
    assert str(info.value) == "selectors must be an iterable of selectors, not a single one"


def test_a_selector_of_another_type_is_a_type_error_that_names_it() -> None:
    with sync_client(never) as c, pytest.raises(TypeError) as info:
        c.events_many([{"user_id": 1}, 5])
    assert str(info.value) == (
        "selector 2 (5): a selector is an identifier query (str or Identifier) or a mapping, "
        "not int"
    )


@pytest.mark.parametrize(
    ("selector", "alone"),
    [
        ("nope", {"identifier": "nope"}),
        ({"user_id": 1.5}, {"user_id": 1.5}),
        ({"user_id": 1, "profile_id": "p"}, {"user_id": 1, "profile_id": "p"}),
        ({"profile_id": "p", "after": ""}, {"profile_id": "p", "after": ""}),
    ],
)
def test_a_bad_selector_fails_as_it_would_alone_with_its_place_in_the_list(
    selector: Any, alone: dict[str, Any]
) -> None:
    with sync_client(never) as c:
        with pytest.raises((TypeError, ValueError)) as single:
            c.events(**alone)
        with pytest.raises((TypeError, ValueError)) as info:
            c.events_many(["a:b:c:d", selector])
    assert type(info.value) is type(single.value)
    assert str(info.value) == f"selector 2 ({selector!r}): {single.value}"


def test_a_long_bad_selector_is_quoted_short() -> None:
    with sync_client(never) as c, pytest.raises(ValueError) as info:
        c.events_many(["y" * 500])
    assert str(info.value).startswith("selector 1 ('" + "y" * 74 + "...'): ")


@pytest.mark.parametrize(
    ("selector", "filters", "message"),
    [
        (
            {"user_id": 1, "source": "x"},
            {"source": "y"},
            "source is given both here and as source=: filters apply to every selector, "
            "pass source= to the call",
        ),
        (
            {"user_id": 1, "type": "x"},
            {},
            "type is not a selector key: filters apply to every selector, pass type= to the call",
        ),
        (
            {"user_id": 1, "page_size": 5},
            {"page_size": 5},
            "page_size is not a selector key: filters apply to every selector, "
            "pass page_size= to the call",
        ),
        (
            {"user_id": 1, "after": "c", "users": 2},
            {},
            "unknown key 'users': a selector mapping takes one of identifier, profile_id, "
            "user_id, and optionally after (a cursor to resume from) and start (that "
            "selector's own start)",
        ),
    ],
)
def test_a_mapping_with_a_key_it_may_not_have_says_why(
    selector: dict[str, Any], filters: dict[str, Any], message: str
) -> None:
    with sync_client(never) as c, pytest.raises(ValueError) as info:
        c.events_many([selector], **filters)
    assert str(info.value) == f"selector 1 ({selector!r}): {message}"


def test_the_filters_apply_to_every_kind_of_selector() -> None:
    sent: list[dict[str, str]] = []
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            sent.append(dict(request.url.params.multi_items()))
        return httpx.Response(200, json=page_body([{"id": "1"}], has_more=False))

    people: list[Any] = [{"user_id": 1}, {"profile_id": "P1", "after": "c9"}, "a:b:c:d"]
    with sync_client(handler) as c:
        pairs = c.events_many(people, source="shop", type="order", start="2020-02-23", page_size=5)
        assert len(list(pairs)) == 3
    filters = {
        "filter[source]": "shop",
        "filter[type]": "order",
        "filter[start_time]": "2020-02-23T00:00:00Z",
        "page[size]": "5",
    }
    expected = [filters, {**filters, "page[after]": "c9"}, {**filters, "identifier": "a:b:c:d"}]
    assert sorted(sorted(d.items()) for d in sent) == sorted(sorted(d.items()) for d in expected)


def test_the_filters_apply_to_a_spelled_user_id_or_profile_id_too() -> None:
    # The --identifiers-file spelling (user_id:N, profile_id:ID) is a selector of its own.
    sent: list[tuple[str, dict[str, str]]] = []
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            sent.append((request.url.path, dict(request.url.params.multi_items())))
        return httpx.Response(200, json=page_body([{"id": "1"}], has_more=False))

    with sync_client(handler) as c:
        pairs = c.events_many(["user_id:85211553", "profile_id:P1"], source="shop", type="order")
        assert len(list(pairs)) == 2
    page_size = str(zdevents.limits.DEFAULT_PAGE_SIZE)
    filters = {"filter[source]": "shop", "filter[type]": "order", "page[size]": page_size}
    assert sorted(sent, key=lambda s: s[0]) == [
        ("/api/v2/user_profiles/P1/events", filters),
        ("/api/v2/users/85211553/events", filters),
    ]


def test_a_key_after_a_selectors_own_start_is_still_checked() -> None:
    selector = {"user_id": 1, "start": "2020-01-01", "users": 2}
    with sync_client(never) as c, pytest.raises(ValueError) as info:
        c.events_many([selector])
    assert str(info.value).startswith(f"selector 1 ({selector!r}): unknown key 'users'")


# --- what an export says when a selector fails or is skipped -------------------------------


def test_the_error_that_ends_an_export_names_the_selector_in_a_note() -> None:
    people: list[Any] = [{"user_id": 1}, {"user_id": 404}]
    with sync_client(pages) as c, pytest.raises(errors.NotFoundError) as info:
        list(c.events_many(people, concurrency=1))
    assert info.value.__notes__ == ["while exporting the events of selector 2 ({'user_id': 404})"]
    assert info.value.selector is people[1]


def test_the_note_quotes_a_long_selector_short() -> None:
    selector = {"profile_id": "404" + "p" * 500}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json=NOT_FOUND)

    with sync_client(handler) as c, pytest.raises(errors.NotFoundError) as info:
        list(c.events_many([selector]))
    # The selector's repr, cut to 200 characters.
    quoted = "{'profile_id': '404" + "p" * 176 + "...}"
    assert info.value.__notes__ == [f"while exporting the events of selector 1 ({quoted})"]


def test_a_skip_is_one_warning_and_one_debug_record(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="zdevents"), sync_client(pages) as c:
        got = list(c.events_many([{"user_id": 404}, {"user_id": 2}], on_missing="skip"))
    assert [e.id for _, e in got] == [f"2-{i}" for i in range(6)]
    skipped = [(r.levelno, r.getMessage()) for r in caplog.records if "skipped" in r.getMessage()]
    assert skipped == [
        (logging.WARNING, "skipped selector 1 (user 404): HTTP 404 Not Found: NotFound: no user"),
        (logging.DEBUG, "skipped selector 1: {'user_id': 404}"),
    ]


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_raise_on_missing_ends_the_export_at_the_missing_person(flavour: str) -> None:
    people: list[Any] = [{"user_id": 404}, {"user_id": 2}]
    got: list[Any] = []

    async def run() -> None:
        async with async_client(pages) as c:
            async for pair in c.events_many(people, concurrency=1, on_missing="raise"):
                got.append(pair)

    with pytest.raises(errors.NotFoundError) as info:
        if flavour == "sync":
            with sync_client(pages) as c:
                got.extend(c.events_many(people, concurrency=1, on_missing="raise"))
        else:
            asyncio.run(run())
    assert got == []
    assert info.value.selector is people[0]


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_after_a_skip_the_same_worker_goes_on_with_the_next_selector(flavour: str) -> None:
    people: list[Any] = [{"user_id": 404}, {"user_id": 2}, {"user_id": 404}, {"user_id": 3}]
    missing: list[Any] = []

    def on_missing(selector: Any, error: errors.NotFoundError) -> None:
        missing.append(selector)

    async def run() -> list[Any]:
        async with async_client(pages) as c:
            stream = c.events_many(people, concurrency=1, on_missing=on_missing)
            return [(s["user_id"], e.id) async for s, e in stream]

    if flavour == "sync":
        with sync_client(pages) as c:
            stream = c.events_many(people, concurrency=1, on_missing=on_missing)
            got = [(s["user_id"], e.id) for s, e in stream]
    else:
        got = asyncio.run(run())
    assert got == [(2, f"2-{i}") for i in range(6)] + [(3, f"3-{i}") for i in range(6)]
    assert missing == [people[0], people[2]]
    assert all(m is p for m, p in zip(missing, [people[0], people[2]], strict=True))


@pytest.mark.parametrize(("concurrency", "most"), [(2, 2), (50, 20)])
def test_async_concurrency_is_the_number_of_requests_in_flight(concurrency: int, most: int) -> None:
    # Each request yields to the event loop a few times before it is answered, so every
    # worker that can send one has it in flight at once: as many as concurrency=, and
    # never more than 20 (the async cap), however many selectors there are.
    state = {"open": 0, "most": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        state["open"] += 1
        state["most"] = max(state["most"], state["open"])
        for _ in range(5):
            await asyncio.sleep(0)
        state["open"] -= 1
        return pages(request)

    async def run() -> int:
        async with AsyncClient(
            base_url=BASE,
            oauth_token=OAUTH_TOKEN,
            http_client=mock_async_http_client(handler),
        ) as c:
            people = [{"user_id": u} for u in range(1, 31)]
            pairs = c.events_many(people, concurrency=concurrency)
            return len([pair async for pair in pairs])

    assert asyncio.run(run()) == 30 * 6
    assert state["most"] == most


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_another_error_ends_the_export_whatever_on_missing_says(flavour: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "/2/" in request.url.path:
            return httpx.Response(403, json={"errors": [{"code": "Forbidden", "title": "no"}]})
        return pages(request)

    people: list[Any] = [{"user_id": 2}, {"user_id": 1}]

    async def run() -> None:
        async with async_client(handler) as c:
            async for _ in c.events_many(people, concurrency=1, on_missing="skip"):
                pass

    with pytest.raises(errors.PermissionDeniedError) as info:
        if flavour == "sync":
            with sync_client(handler) as c:
                list(c.events_many(people, concurrency=1, on_missing="skip"))
        else:
            asyncio.run(run())
    assert info.value.selector is people[0]
    assert info.value.__notes__ == ["while exporting the events of selector 1 ({'user_id': 2})"]


# --- the workers ---------------------------------------------------------------------------


def test_sync_workers_are_named_daemon_threads_one_per_selector_at_most() -> None:
    seen: set[tuple[str, bool]] = set()
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            seen.add((threading.current_thread().name, threading.current_thread().daemon))
        return pages(request)

    with sync_client(handler) as c:
        assert len(list(c.events_many([{"user_id": u} for u in (1, 2, 3)], concurrency=3))) == 18
    names = {name for name, _ in seen}
    assert names <= {"zdevents-export-0", "zdevents-export-1", "zdevents-export-2"}
    assert {daemon for _, daemon in seen} == {True}


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_transient_failure_in_a_worker_is_retried(flavour: str) -> None:
    # The retry's wait goes through the worker's own sleep (the sync export's, which ends
    # when the export does): it must wait and go on, not stop the worker.
    failed: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        key = str(request.url)
        if key not in failed:
            failed.append(key)
            return httpx.Response(503, json={"error": "busy"})
        return pages(request)

    async def run() -> list[Any]:
        async with async_client(handler) as c:
            return [e.id async for _, e in c.events_many([{"user_id": 1}, {"user_id": 2}])]

    if flavour == "sync":
        with sync_client(handler) as c:
            got = [e.id for _, e in c.events_many([{"user_id": 1}, {"user_id": 2}])]
    else:
        got = asyncio.run(run())
    assert sorted(got) == sorted(f"{u}-{i}" for u in (1, 2) for i in range(6))
    assert len(failed) == 6


def test_an_empty_export_yields_nothing_and_sends_nothing() -> None:
    async def run() -> list[Any]:
        async with async_client(never) as c:
            return [pair async for pair in c.pages_many([])]

    with sync_client(never) as c:
        assert list(c.events_many([])) == []
        assert list(c.pages_many(iter([]))) == []
    assert asyncio.run(run()) == []


# --- how far workers read ahead, and what an ended export still sends ----------------------


@pytest.mark.parametrize("selectors", [1, 2])
def test_async_workers_read_at_most_two_pages_each_ahead_of_the_consumer(selectors: int) -> None:
    # One worker per selector (concurrency is higher), and a queue of two pages per worker.
    # asyncio runs the workers whenever the consumer waits, deterministically: each fetches
    # pages until one no longer fits the queue, and holds that one.
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return endless(request)

    async def settle() -> None:
        for _ in range(200):
            await asyncio.sleep(0)

    async def run() -> list[int]:
        seen = []
        async with async_client(handler) as c:
            people = [{"user_id": u} for u in range(1, selectors + 1)]
            stream = c.pages_many(people, concurrency=8)
            for _ in range(3):
                await stream.__anext__()  # type: ignore[attr-defined]
                await settle()
                seen.append(len(calls))
            await stream.aclose()  # type: ignore[attr-defined]
            await settle()
        seen.append(len(calls))
        return seen

    # After each page taken: the pages taken, two per worker queued, one held by each.
    ahead = 3 * selectors
    assert asyncio.run(run()) == [1 + ahead, 2 + ahead, 3 + ahead, 3 + ahead]


@pytest.mark.parametrize("selectors", [1, 2])
def test_sync_workers_read_at_most_two_pages_each_ahead_and_stop_with_the_export(
    selectors: int,
) -> None:
    # One worker per selector (not eight), and a queue of two pages per worker. After the
    # first page is taken the workers fetch three pages each (two queued, one waiting to be
    # put) and then none until the consumer takes another; once it is closed, none at all.
    calls: list[int] = []
    ahead = 1 + 3 * selectors
    full, beyond = threading.Event(), threading.Event()
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            calls.append(1)
            if len(calls) == ahead:
                full.set()
            if len(calls) > ahead:
                beyond.set()
        return endless(request)

    before = export_workers()
    with sync_client(handler) as c:
        people = [{"user_id": u} for u in range(1, selectors + 1)]
        stream = c.pages_many(people, concurrency=8)
        next(stream)
        assert full.wait(timeout=10)
        # A bounded wait for a request that never comes here (a worker with room for more
        # pages would have sent it long before).
        assert not beyond.wait(timeout=0.1)
        stream.close()  # type: ignore[attr-defined]
        join_workers(before)
    assert len(calls) == ahead


def test_a_sync_break_ends_a_worker_that_waits_for_room_in_the_queue() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return endless(request)

    before = export_workers()
    with sync_client(handler) as c:
        stream = c.events_many([{"user_id": 1}, {"user_id": 2}], concurrency=2)
        for _ in zip(range(3), stream, strict=False):
            pass
        stream.close()  # type: ignore[attr-defined]
        join_workers(before)
        sent = len(calls)
    # Three events taken, at most four pages queued (two workers), one held by each worker.
    assert sent <= 3 + 4 + 2


def test_closing_an_async_export_has_ended_its_workers_when_it_returns() -> None:
    # One worker sleeps through a Retry-After of 59 s, the other waits for room in the
    # queue: once aclose() returns, both are done (not merely asked to stop), and no request
    # is sent after it.
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if "/503/" in request.url.path:
            return httpx.Response(503, headers={"retry-after": "59"}, json={"error": "busy"})
        return endless(request)

    async def run() -> list[asyncio.Task[Any]]:
        async with async_client(handler) as c:
            stream = c.pages_many([{"user_id": 503}, {"user_id": 1}], concurrency=2)
            selector, _ = await stream.__anext__()  # type: ignore[attr-defined]
            assert selector == {"user_id": 1}
            await stream.aclose()  # type: ignore[attr-defined]
            sent = len(calls)
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            pending = [t for t in others if not t.done()]
            for _ in range(50):
                await asyncio.sleep(0)
            assert len(calls) == sent
            return pending

    assert asyncio.run(run()) == []
