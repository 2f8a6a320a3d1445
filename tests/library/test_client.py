"""Client and AsyncClient: headers, auth, retries, secrets, async parity, closing the pool."""

from __future__ import annotations

import asyncio
import base64
import logging
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
        assert not c._http.is_closed
    assert c._http.is_closed


def test_close_leaves_a_passed_http_client_open() -> None:
    http = httpx.Client(transport=httpx.MockTransport(Recorder(page_body())))
    with Client(subdomain="coolbikes", oauth_token=OAUTH_TOKEN, http_client=http):
        pass
    assert not http.is_closed
    http.close()


def test_async_context_manager_closes_its_own_pool() -> None:
    async def main() -> AsyncClient:
        async with AsyncClient(subdomain="coolbikes", oauth_token=OAUTH_TOKEN) as c:
            assert not c._http.is_closed
        return c

    c = asyncio.run(main())
    assert c._http.is_closed


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
