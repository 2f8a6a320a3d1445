"""Client and AsyncClient: headers, auth, retries, secrets, async parity, closing the pool."""

from __future__ import annotations

import asyncio
import base64
import http.server
import json
import logging
import threading
from typing import Any

import httpx
import pytest

from tests._mock import (
    API_TOKEN,
    BASE,
    EMAIL,
    OAUTH_TOKEN,
    FakeClock,
    Recorder,
    async_client,
    client,
    event,
    mock_http_client,
    never,
    page_body,
)
from zdevents import AsyncClient, Client, Page, __version__, errors, is_transient

BASIC = base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()
SECRETS = [API_TOKEN, OAUTH_TOKEN, BASIC]


def fetch_one(**options: Any) -> httpx.Request:
    rec = Recorder(page_body(has_more=False))
    with client(rec, **options) as c:
        list(c.events(user_id=1))
    return rec.last


# --- headers and auth -------------------------------------------------------------------------


def test_accept_and_user_agent_headers() -> None:
    request = fetch_one()
    assert request.headers["Accept"] == "application/json"
    user_agent = request.headers["User-Agent"]
    assert user_agent.startswith(f"zdevents/{__version__} ")
    assert f"httpx/{httpx.__version__}" in user_agent


def test_basic_auth_is_email_slash_token() -> None:
    request = fetch_one()
    assert request.headers["Authorization"] == f"Basic {BASIC}"
    decoded = base64.b64decode(request.headers["Authorization"].split()[1]).decode()
    assert decoded == f"{EMAIL}/token:{API_TOKEN}"


def test_email_already_ending_in_slash_token_is_not_doubled() -> None:
    request = fetch_one(email=f"{EMAIL}/token")
    assert request.headers["Authorization"] == f"Basic {BASIC}"


def test_bearer_auth_for_oauth() -> None:
    request = fetch_one(oauth_token=OAUTH_TOKEN)
    assert request.headers["Authorization"] == f"Bearer {OAUTH_TOKEN}"


def test_every_page_sends_the_headers() -> None:
    rec = Recorder(
        page_body([event(1)], cursor="c1", has_more=True, links="none"),
        page_body(
            [event(2)], next=f"{BASE}/api/v2/users/1/events?page%5Bafter%5D=c2", has_more=True
        ),
        page_body([event(3)], has_more=False),
    )
    with client(rec, oauth_token=OAUTH_TOKEN) as c:
        assert len(list(c.events(user_id=1))) == 3
    assert rec.calls == 3
    for request in rec.requests:
        assert request.headers["Authorization"] == f"Bearer {OAUTH_TOKEN}"
        assert request.headers["Accept"] == "application/json"
        assert request.headers["User-Agent"].startswith(f"zdevents/{__version__}")


# --- retries ----------------------------------------------------------------------------------


def test_429_retry_after_is_honoured(clock: FakeClock) -> None:
    rec = Recorder(
        httpx.Response(429, headers={"Retry-After": "3"}, text="slow down"),
        page_body([event(1)], has_more=False),
    )
    with client(rec) as c:
        assert [e.properties["n"] for e in c.events(user_id=1)] == [1]
    assert rec.calls == 2
    assert clock.sleeps == [3.0]


def test_429_retry_after_as_http_date_is_honoured(clock: FakeClock) -> None:
    import time
    from email.utils import formatdate

    # parse_retry_after compares with the real wall clock; the date has whole seconds.
    when = formatdate(int(time.time()) + 6, usegmt=True)
    rec = Recorder(httpx.Response(429, headers={"Retry-After": when}), page_body(has_more=False))
    with client(rec) as c:
        list(c.events(user_id=1))
    assert rec.calls == 2
    assert len(clock.sleeps) == 1
    assert 4.0 <= clock.sleeps[0] <= 6.0  # 6 s minus the fraction of the current second


@pytest.mark.parametrize("status", [500, 502, 503, 504, 520])
def test_5xx_is_retried_up_to_max_retries_then_raised(status: int, clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(status, text="boom"))
    with client(rec, max_retries=3) as c, pytest.raises(errors.ServerError) as info:
        list(c.events(user_id=1))
    assert info.value.status_code == status
    assert rec.calls == 4
    assert len(clock.sleeps) == 3


def test_5xx_then_success(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(503), httpx.Response(500), page_body([event(9)], has_more=False))
    with client(rec, max_retries=2) as c:
        assert [e.properties["n"] for e in c.events(user_id=1)] == [9]
    assert rec.calls == 3


def test_backoff_grows_without_retry_after(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(503))
    c = client(rec, max_retries=3, backoff_base=1.0, backoff_cap=100.0)
    with c, pytest.raises(errors.ServerError):
        list(c.events(user_id=1))
    assert rec.calls == 4
    # Jitter scales each wait by [0.5, 1]: 1, 2, 4 seconds at most.
    assert len(clock.sleeps) == 3
    for wait, most in zip(clock.sleeps, [1.0, 2.0, 4.0], strict=True):
        assert most / 2 <= wait <= most


def test_connection_errors_are_retried(clock: FakeClock) -> None:
    rec = Recorder(
        httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), page_body(has_more=False)
    )
    with client(rec, max_retries=2) as c:
        assert list(c.events(user_id=1)) == []
    assert rec.calls == 3


def test_max_retries_zero_disables_retries(clock: FakeClock) -> None:
    for answer in (httpx.Response(503), httpx.Response(429, headers={"Retry-After": "1"})):
        rec = Recorder(answer)
        with client(rec, max_retries=0) as c, pytest.raises(errors.APIError):
            list(c.events(user_id=1))
        assert rec.calls == 1
    rec = Recorder(httpx.ConnectError("refused"))
    with client(rec, max_retries=0) as c, pytest.raises(errors.APIConnectionError):
        list(c.events(user_id=1))
    assert rec.calls == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 418, 501])
def test_client_errors_are_not_retried(status: int, clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(status))
    with client(rec, max_retries=4) as c, pytest.raises(errors.APIError):
        list(c.events(user_id=1))
    assert rec.calls == 1
    assert clock.sleeps == []


def test_retry_after_above_the_cap_raises_at_once(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "3600"}))
    with client(rec, max_retry_after=60) as c, pytest.raises(errors.RateLimitError) as info:
        list(c.events(user_id=1))
    assert info.value.retry_after == 3600.0
    assert rec.calls == 1
    assert clock.sleeps == []


def test_the_default_timeout_is_not_unlimited() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json=page_body(has_more=False))

    with client(Recorder(handler)) as c:
        list(c.events(user_id=1))
    (timeout,) = seen
    assert 0 < timeout["read"] <= 60
    assert 0 < timeout["connect"] <= 60


def test_timeout_option_reaches_the_request() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json=page_body(has_more=False))

    with client(Recorder(handler), timeout=7.5) as c:
        list(c.events(user_id=1))
    assert seen == [{"connect": 7.5, "read": 7.5, "write": 7.5, "pool": 7.5}]


# --- secrets ----------------------------------------------------------------------------------


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_repr_and_str_hold_no_secret() -> None:
    for c in (
        client(Recorder(page_body()), api_token=API_TOKEN),
        client(Recorder(page_body()), oauth_token=OAUTH_TOKEN),
    ):
        assert_no_secret(repr(c))
        assert_no_secret(str(c))
        assert_no_secret(repr(vars(c)))
        assert "coolbikes.zendesk.com" in repr(c)
        c.close()


def test_repr_of_the_stream_and_query_hold_no_secret() -> None:
    with client(Recorder(page_body())) as c:
        stream = c.events(user_id=1)
        assert_no_secret(repr(stream))
        assert_no_secret(repr(stream.query))


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_each_answer_is_logged_at_debug_with_method_url_and_status(
    cls: type[Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="zdevents")
    if cls is Client:
        with client(Recorder(page_body())) as c:
            list(c.events(user_id=1))
    else:

        async def main() -> None:
            async with async_client(Recorder(page_body())) as c:
                async for _ in c.events(user_id=1):
                    pass

        asyncio.run(main())
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert line.startswith(f"GET {BASE}/api/v2/users/1/events?") and line.endswith(" -> 200")


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(401, json={"error": [{"code": "MissingOrInvalidAuthentication"}]}),
        httpx.Response(429, text="slow"),
        httpx.Response(500, text="oops"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.Response(200, text="not json"),
    ],
)
@pytest.mark.parametrize("auth", ["api_token", "oauth_token"])
def test_exceptions_and_logs_hold_no_secret(
    answer: Any, auth: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    options = {"api_token": API_TOKEN} if auth == "api_token" else {"oauth_token": OAUTH_TOKEN}
    caplog.set_level(logging.DEBUG)
    rec = Recorder(answer)
    with client(rec, max_retries=1, **options) as c, pytest.raises(errors.ZendeskError) as info:
        list(c.events(user_id=1))
    exc = info.value
    assert rec.calls == 2 or not is_transient(exc)
    chain = []
    e: BaseException | None = exc
    while e is not None:
        chain.append(e)
        e = e.__cause__ or (None if e.__suppress_context__ else e.__context__)
    for link in chain:
        assert_no_secret(str(link))
        assert_no_secret(repr(link))
        assert_no_secret(repr(vars(link)))
    for record in caplog.records:
        assert_no_secret(record.getMessage())


def test_configuration_errors_hold_no_secret() -> None:
    with pytest.raises(errors.ConfigurationError) as info:
        Client(subdomain="not a label", email=EMAIL, api_token=API_TOKEN)
    assert_no_secret(str(info.value))
    with pytest.raises(errors.ConfigurationError) as info:
        Client(subdomain="coolbikes", email=EMAIL, api_token=API_TOKEN, oauth_token=OAUTH_TOKEN)
    assert_no_secret(str(info.value))


# --- closing ----------------------------------------------------------------------------------


def test_context_manager_closes_its_own_pool() -> None:
    with Client(subdomain="coolbikes", oauth_token=OAUTH_TOKEN) as c:
        pass
    with pytest.raises(errors.ClientClosedError, match=r"^this Client is closed: make a new one"):
        list(c.events(user_id=1))
    with pytest.raises(errors.ClientClosedError):
        c.with_options(timeout=5).profile(profile_id="01E1G0NJSQPNPZRV096JXKXFAA")


def test_a_closed_http_client_passed_in_is_a_client_closed_error() -> None:
    http = mock_http_client(Recorder(page_body()))
    http.close()
    with (
        Client(subdomain="coolbikes", oauth_token=OAUTH_TOKEN, http_client=http) as c,
        pytest.raises(errors.ClientClosedError, match=r"^this Client is closed"),
    ):
        list(c.events(user_id=1))


def test_close_leaves_a_passed_http_client_open() -> None:
    http = mock_http_client(Recorder(page_body()))
    with Client(subdomain="coolbikes", oauth_token=OAUTH_TOKEN, http_client=http):
        pass
    assert not http.is_closed
    http.close()


def test_async_context_manager_closes_its_own_pool() -> None:
    async def main() -> None:
        async with AsyncClient(subdomain="coolbikes", oauth_token=OAUTH_TOKEN) as c:
            pass
        async for _ in c.events(user_id=1):
            pass

    with pytest.raises(errors.ClientClosedError, match=r"^this AsyncClient is closed"):
        asyncio.run(main())


# --- AsyncClient parity -----------------------------------------------------------------------


def test_async_iteration_follows_links_and_cursors() -> None:
    rec = Recorder(
        page_body([event(1), event(2)], cursor="c1", has_more=True, links="none"),
        page_body([], next=f"{BASE}/api/v2/user_profiles/events?page%5Bafter%5D=c2", has_more=True),
        page_body([event(3)], has_more=False),
    )

    async def main() -> list[int]:
        async with async_client(rec) as c:
            stream = c.events(
                identifier="coolbikes:rider:email:j+doe@example.com",
                source="coolbike",
                start="2020-02-23",
                end="2020-02-29",
                page_size=2,
            )
            assert rec.calls == 0
            return [e.properties["n"] async for e in stream]

    assert asyncio.run(main()) == [1, 2, 3]
    assert rec.calls == 3
    first = rec.params(0)
    assert first == {
        "identifier": "coolbikes:rider:email:j+doe@example.com",
        "filter[source]": "coolbike",
        "filter[start_time]": "2020-02-23T00:00:00Z",
        "filter[end_time]": "2020-02-29T23:59:59.999999999Z",
        "page[size]": "2",
    }
    assert "%2B" in rec.requests[0].url.query.decode()
    assert rec.params(1) == {**first, "page[after]": "c1"}
    # That next link dropped the filters: the walk went on from its cursor with all of them.
    assert rec.params(2) == {**first, "page[after]": "c2"}
    for request in rec.requests:
        assert request.headers["Authorization"] == f"Basic {BASIC}"
        assert request.headers["Accept"] == "application/json"
        assert request.headers["User-Agent"].startswith(f"zdevents/{__version__}")


def test_async_pages() -> None:
    rec = Recorder(page_body([event(1)], cursor="c1", has_more=True), page_body(has_more=False))

    async def main() -> list[Page]:
        async with async_client(rec) as c:
            return [p async for p in c.events(user_id=5).pages()]

    pages = asyncio.run(main())
    assert [(len(p), p.has_more, p.cursor) for p in pages] == [(1, True, "c1"), (0, False, None)]


def test_async_validation_before_any_request() -> None:
    rec = Recorder()

    async def main() -> None:
        async with async_client(rec) as c:
            with pytest.raises(ValueError):
                c.events(user_id=1, type="t")
            with pytest.raises(ValueError):
                c.events()
            with pytest.raises(ValueError):
                c.events(user_id=1, start=__import__("datetime").datetime(2020, 1, 1))

    asyncio.run(main())
    assert rec.calls == 0


@pytest.mark.parametrize(
    ("answer", "cls"),
    [
        (
            httpx.Response(404, json={"errors": [{"title": "Profile not found"}]}),
            errors.NotFoundError,
        ),
        (httpx.Response(520, text="error code: 520"), errors.ServerError),
        (httpx.ConnectError("refused"), errors.APIConnectionError),
        (httpx.ReadTimeout("slow"), errors.APITimeoutError),
        (httpx.Response(200, json={"nope": 1}), errors.BadResponseError),
    ],
)
def test_async_errors(answer: Any, cls: type[errors.ZendeskError]) -> None:
    rec = Recorder(answer)

    async def main() -> None:
        async with async_client(rec, max_retries=0) as c:
            async for _ in c.events(user_id=1):
                pass

    with pytest.raises(cls):
        asyncio.run(main())
    assert rec.calls == 1


def test_async_retry_after_is_honoured(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "2"}), page_body(has_more=False))

    async def main() -> None:
        async with async_client(rec) as c:
            async for _ in c.events(user_id=1):
                pass

    asyncio.run(main())
    assert rec.calls == 2
    assert clock.sleeps == [2.0]


def test_async_foreign_link_is_refused() -> None:
    rec = Recorder(page_body([event(1)], next="https://evil.example/x", has_more=True))

    async def main() -> None:
        async with async_client(rec) as c:
            async for _ in c.events(user_id=1):
                pass

    with pytest.raises(errors.PaginationError):
        asyncio.run(main())
    assert [r.url.host for r in rec.requests] == ["coolbikes.zendesk.com"]


def test_async_repr_holds_no_secret() -> None:
    c = async_client(Recorder(), oauth_token=OAUTH_TOKEN)
    assert_no_secret(repr(c))
    asyncio.run(c.close())


# --- with_options ---------------------------------------------------------------------------


def _pages_of(n_pages: int, per_page: int) -> Recorder:
    answers: list[Any] = []
    for p in range(n_pages):
        events = [event(p * per_page + i) for i in range(per_page)]
        last = p == n_pages - 1
        answers.append(page_body(events, cursor=None if last else f"c{p}", has_more=not last))
    return Recorder(*answers)


def test_with_options_gives_the_same_class_with_other_settings(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(503), page_body(has_more=False))
    with client(rec, max_retries=4) as c:
        fast = c.with_options(max_retries=0, timeout=5)
        assert type(fast) is Client
        with pytest.raises(errors.ServerError):
            list(fast.events(user_id=1))
        assert rec.calls == 1
        assert rec.requests[0].extensions["timeout"]["read"] == 5
        rec.answers = [httpx.Response(503), page_body(has_more=False)]
        assert list(c.events(user_id=1)) == []  # the original still retries
        assert rec.calls == 3


def test_with_options_validates_like_the_constructor() -> None:
    with client(never) as c:
        with pytest.raises(ValueError, match="timeout"):
            c.with_options(timeout=-1)
        with pytest.raises(ValueError, match="max_retries"):
            c.with_options(max_retries=-1)


def test_with_options_shares_the_rate_limiter(clock: FakeClock) -> None:
    clock.frozen = True  # the pause never runs out on its own
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "7"}), page_body(has_more=False))
    with client(rec, max_retries=1) as c:
        list(c.with_options(timeout=5).events(user_id=1))
        held = len(clock.sleeps)
        assert held >= 1 and set(clock.sleeps) == {7.0}
        rec.answers = [page_body(has_more=False)]
        list(c.events(user_id=1))  # held by the pause the copy's 429 imposed
    assert clock.sleeps[held:] == [7.0]


def test_with_options_shares_the_pool_and_closing_it_keeps_the_original_open() -> None:
    ports: list[int] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            ports.append(self.client_address[1])
            body = json.dumps(page_body(has_more=False)).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with Client(base_url=base, oauth_token=OAUTH_TOKEN) as c:
            list(c.events(user_id=1))
            copy = c.with_options(timeout=5)
            list(copy.events(user_id=1))
            copy.close()
            list(c.events(user_id=1))  # the pool is still open
        assert len(ports) == 3
        assert len(set(ports)) == 1  # one kept-alive connection served all three
    finally:
        server.shutdown()
        server.server_close()


def test_async_with_options() -> None:
    rec = Recorder(httpx.Response(503), page_body(has_more=False))

    async def main() -> None:
        async with async_client(rec) as c:
            fast = c.with_options(max_retries=0)
            assert type(fast) is AsyncClient
            with pytest.raises(errors.ServerError):
                async for _ in fast.events(user_id=1):
                    pass
            await fast.close()
            rec.answers = [page_body(has_more=False)]
            assert [e async for e in c.events(user_id=1)] == []

    asyncio.run(main())


# --- limit --------------------------------------------------------------------------------


def test_limit_stops_after_n_events_and_fetches_no_page_it_does_not_need() -> None:
    rec = _pages_of(3, 4)
    with client(rec) as c:
        got = list(c.events(user_id=1, page_size=4, limit=6))
    assert [e.id for e in got] == [event(i)["id"] for i in range(6)]
    assert rec.calls == 2


def test_limit_smaller_than_a_page_asks_for_a_smaller_page() -> None:
    rec = _pages_of(3, 2)
    with client(rec) as c:
        got = list(c.events(user_id=1, limit=2))
    assert len(got) == 2
    assert rec.calls == 1
    assert rec.params(0)["page[size]"] == "2"


def test_limit_on_pages_stops_at_the_page_that_reaches_it() -> None:
    rec = _pages_of(3, 4)
    with client(rec) as c:
        pages = list(c.events(user_id=1, page_size=4, limit=5).pages())
    assert [len(p) for p in pages] == [4, 4]  # whole pages: each cursor stays a resume point
    assert rec.calls == 2


def test_limit_async() -> None:
    rec = _pages_of(3, 4)

    async def main() -> list[Any]:
        async with async_client(rec) as c:
            return [e async for e in c.events(user_id=1, page_size=4, limit=5)]

    assert len(asyncio.run(main())) == 5
    assert rec.calls == 2


@pytest.mark.parametrize(
    ("limit", "error"), [(0, ValueError), (-1, ValueError), (True, TypeError), ("3", TypeError)]
)
def test_invalid_limit_fails_before_any_request(limit: Any, error: type[Exception]) -> None:
    with client(never) as c, pytest.raises(error, match="limit"):
        c.events(user_id=1, limit=limit)


# --- reprs, the public surface ------------------------------------------------------------


def test_client_repr_names_the_account_and_the_kind_of_credentials() -> None:
    with client(never) as c:
        assert repr(c) == f"Client(base_url={BASE!r}, auth='api_token', email={EMAIL!r})"
    with client(never, oauth_token=OAUTH_TOKEN) as c:
        # No email with OAuth: the token stands for the user.
        assert repr(c) == f"Client(base_url={BASE!r}, auth='oauth')"


def test_stream_reprs_are_readable_and_hold_no_secret() -> None:
    with client(never) as c:
        text = repr(
            c.events(identifier="shop:customer:email:jdoe@example.com", source="shop", limit=5)
        )
    assert text.startswith("<EventStream identifier shop:customer:")
    assert "source='shop'" in text and "limit=5" in text and "coolbikes.zendesk.com" in text
    assert "jdoe@example.com" not in text and API_TOKEN not in text

    async def main() -> str:
        async with async_client(Recorder(), oauth_token=OAUTH_TOKEN) as ac:
            return repr(ac.events(user_id=85211553, after="abc"))

    text = asyncio.run(main())
    assert text.startswith("<AsyncEventStream user 85211553") and "after=<cursor>" in text
    assert OAUTH_TOKEN not in text


def test_public_objects_report_zdevents_as_their_module() -> None:
    import pydoc

    import zdevents

    for name in zdevents.__all__:
        obj = getattr(zdevents, name)
        if callable(obj):
            assert obj.__module__ == "zdevents", name
    for method in (Client.events, Client.with_options, AsyncClient.events, Client.close):
        assert method.__module__ == "zdevents"
    text = pydoc.render_doc(Client.events, renderer=pydoc.plaintext)
    assert "-> 'EventStream'" in text and "StreamT" not in text and "_client" not in text
    text = pydoc.render_doc(AsyncClient.events, renderer=pydoc.plaintext)
    assert "-> 'AsyncEventStream'" in text
    assert repr(Client).startswith("<class 'zdevents.Client'")


def test_publishing_leaves_mutmuts_copies_of_a_method_in_their_module() -> None:
    # mutmut keeps its copies of each method on the class and finds the tests of a method
    # by the module they report: relabelled, every mutant of the method ran no test.
    from zdevents._public import publish

    def method(self: object) -> None: ...

    def copy(self: object) -> None: ...

    method.__module__ = copy.__module__ = "zdevents._example"
    mark = "\u01c1"
    members = {"method": method, f"x{mark}Example{mark}method__mutmut_orig": copy}
    cls = type("Example", (), {"__module__": "zdevents._example", **members})
    publish("zdevents", [cls])
    assert (cls.__module__, method.__module__) == ("zdevents", "zdevents")
    assert copy.__module__ == "zdevents._example"


def test_private_modules_have_no_all() -> None:
    import importlib

    for name in ("_client", "_retry", "_failures", "_config", "_ratelimit", "_transport", "_logs"):
        assert not hasattr(importlib.import_module(f"zdevents.{name}"), "__all__"), name


# --- options: each written once, in zdevents.types ------------------------------------------

OPTION_TYPES = ("CallOptions", "BaseClientOptions", "ClientOptions", "AsyncClientOptions")


def test_each_option_is_declared_once_with_its_type_and_docstring() -> None:
    import ast
    import collections
    import inspect

    import zdevents._base_client
    import zdevents._client

    tree = ast.parse(inspect.getsource(zdevents._base_client))
    declared: list[str] = []
    for node in tree.body:
        if not (isinstance(node, ast.ClassDef) and node.name in OPTION_TYPES):
            continue
        for stmt, after in zip(node.body, [*node.body[1:], None], strict=True):
            if isinstance(stmt, ast.AnnAssign):
                assert isinstance(stmt.target, ast.Name)
                declared.append(stmt.target.id)
                # An attribute docstring right below: what IDEs and the docs show.
                assert isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                assert isinstance(after.value.value, str) and after.value.value.strip()
    counts = collections.Counter(declared)
    # http_client twice: an httpx.Client for Client, an httpx.AsyncClient for AsyncClient.
    assert counts.pop("http_client") == 2
    assert set(counts.values()) == {1} and len(counts) == 19, counts
    # And no signature of the facades spells an option out again.
    facades = ast.parse(inspect.getsource(zdevents._client))
    params = {
        arg.arg
        for node in ast.walk(facades)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for arg in (*node.args.args, *node.args.kwonlyargs)
    }
    assert not params & set(declared)


@pytest.mark.parametrize(
    ("cls", "typed"), [(Client, "ClientOptions"), (AsyncClient, "AsyncClientOptions")]
)
def test_every_entry_point_takes_the_options_of_one_typed_dict(cls: type[Any], typed: str) -> None:
    import inspect
    import typing

    import zdevents.types

    options = getattr(zdevents.types, typed)
    for function, kind in (
        (cls.__init__, options),
        (cls.from_env, options),
        (cls.with_options, zdevents.types.CallOptions),
    ):
        assert typing.get_type_hints(function)["options"] == typing.Unpack[kind]
        # At run time (help(), inspect, a notebook): each option spelt out, keyword-only.
        params = inspect.signature(function).parameters.values()
        spelt = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
        assert spelt == list(typing.get_type_hints(kind)), function
    call = set(typing.get_type_hints(zdevents.types.CallOptions))
    assert call < set(typing.get_type_hints(options))
    shown = inspect.signature(cls).parameters
    assert shown["max_retries"].default == zdevents.limits.DEFAULT_MAX_RETRIES
    assert shown["max_body_size"].default == zdevents.limits.DEFAULT_MAX_BODY_SIZE
    assert shown["timeout"].default.read == zdevents.limits.DEFAULT_TIMEOUT_SECONDS
    assert shown["retry_budget"].default is None and shown["verify"].default is True


def test_a_misspelt_option_is_a_type_error_naming_the_call() -> None:
    with pytest.raises(TypeError, match=r"^Client\(\) got an unexpected keyword argument 'timout'"):
        Client(subdomain="coolbikes", oauth_token=OAUTH_TOKEN, timout=3)  # type: ignore[call-arg]
    # Before the environment is read: no ConfigurationError for a mistake in the call.
    with pytest.raises(TypeError, match=r"^AsyncClient\.from_env\(\) got .* 'max_retires'"):
        AsyncClient.from_env({}, max_retires=1)  # type: ignore[call-arg]
    with (
        client(never) as c,
        pytest.raises(TypeError, match=r"^Client\.with_options\(\) got .* 'rate_limit'"),
    ):
        c.with_options(rate_limit=5)  # type: ignore[call-arg]


def test_an_option_not_given_takes_its_default_and_none_given_means_none() -> None:
    timeout = fetch_one().extensions["timeout"]
    assert timeout["read"] == 30.0 and timeout["connect"] == 10.0
    assert set(fetch_one(timeout=None).extensions["timeout"].values()) == {None}
    rec = Recorder(page_body(has_more=False), page_body(has_more=False), page_body(has_more=False))
    with client(rec, timeout=7) as c:
        list(c.with_options().events(user_id=1))  # nothing given: the client's settings
        list(c.with_options(max_retries=0).events(user_id=1))
        list(c.with_options(timeout=None).events(user_id=1))
    assert [r.extensions["timeout"]["read"] for r in rec.requests] == [7, 7, None]


def test_option_types_can_be_kept_and_given_to_either_client() -> None:
    from zdevents.types import BaseClientOptions, CallOptions

    shared: BaseClientOptions = {"timeout": 4, "base_url": BASE, "oauth_token": OAUTH_TOKEN}
    quick: CallOptions = {"timeout": 2}
    rec = Recorder(page_body(has_more=False), page_body(has_more=False))
    with Client(**shared, http_client=mock_http_client(rec)) as c:
        list(c.events(user_id=1))
        list(c.with_options(**quick).events(user_id=1))
    assert [r.extensions["timeout"]["read"] for r in rec.requests] == [4, 2]
    aclient = AsyncClient(**shared)
    assert repr(aclient).startswith("AsyncClient(base_url=")
    asyncio.run(aclient.close())


# --- is_transient: the one rule, public -----------------------------------------------------


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (errors.ServerError("x", status_code=503), True),
        (errors.ServerError("x", status_code=501), False),
        (errors.ServerError("x", status_code=524), True),
        (errors.APIError("x", status_code=408), True),
        (errors.RateLimitError("x", status_code=429), True),
        (errors.NotFoundError("x", status_code=404), False),
        (errors.APIConnectionError("x", sent=False), True),
        (errors.APITimeoutError("x"), True),
        (errors.BadResponseError("x", kind="truncated"), True),
        (errors.BadResponseError("x", kind="undecodable"), True),
        (errors.BadResponseError("x", kind="too_large"), False),
        (errors.BadResponseError("x"), False),
        (errors.PaginationError("x"), False),
        (ValueError("x"), False),
    ],
)
def test_is_transient(error: BaseException, transient: bool) -> None:
    assert is_transient(error) is transient
