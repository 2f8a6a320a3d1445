"""Responses: each status to its exception, readable messages, 200 bodies of the wrong shape."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests._mock import Recorder, client, page_body
from zdevents import errors, is_transient
from zdevents._responses import decode_page


def failure(response: httpx.Response | BaseException, **options: Any) -> errors.ZendeskError:
    rec = Recorder(response)
    options.setdefault("max_retries", 0)
    with client(rec, **options) as c, pytest.raises(errors.ZendeskError) as info:
        list(c.events(user_id=85211553))
    assert rec.calls == 1
    return info.value


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
        (502, errors.ServerError),
        (503, errors.ServerError),
        (520, errors.ServerError),
        (527, errors.ServerError),
        (599, errors.ServerError),
        (418, errors.APIError),
        (409, errors.APIError),
        (499, errors.APIError),
        (301, errors.APIError),
        (302, errors.APIError),
        (304, errors.APIError),
        (600, errors.APIError),
        (100, errors.APIError),
    ],
)
def test_status_maps_to_its_class(status: int, cls: type[errors.APIError]) -> None:
    exc = failure(httpx.Response(status, headers={"X-Request-Id": "req-1"}))
    assert type(exc) is cls
    assert isinstance(exc, errors.APIError)
    assert exc.status_code == status
    assert exc.request_id == "req-1"
    assert f"HTTP {status}" in str(exc)
    assert "req-1" in str(exc)


def test_redirect_is_not_followed_and_names_the_target() -> None:
    exc = failure(httpx.Response(301, headers={"Location": "https://elsewhere.example/x"}))
    assert type(exc) is errors.APIError
    assert "https://elsewhere.example/x" in str(exc)


@pytest.mark.parametrize("status", [201, 202, 204, 206])
def test_other_2xx_is_a_bad_response(status: int) -> None:
    exc = failure(httpx.Response(status, json=page_body(has_more=False)))
    assert type(exc) is errors.BadResponseError


def test_rate_limit_carries_retry_after() -> None:
    exc = failure(
        httpx.Response(
            429,
            headers={"Retry-After": "7", "X-Request-Id": "r429"},
            text="Number of allowed API requests per minute exceeded",
        )
    )
    assert isinstance(exc, errors.RateLimitError)
    assert exc.retry_after == 7.0
    assert exc.status_code == 429
    assert "Number of allowed API requests per minute exceeded" in str(exc)


def test_rate_limit_without_retry_after_has_none() -> None:
    exc = failure(httpx.Response(429, json={"error": [{"code": "TooManyRequests"}]}))
    assert isinstance(exc, errors.RateLimitError)
    assert exc.retry_after is None


@pytest.mark.parametrize(
    ("body", "texts", "items"),
    [
        (
            {
                "errors": [
                    {
                        "code": "StartTimestampNotValid",
                        "id": "01E2E9WDPTAQ1B6CH7ZJE1J4W0",
                        "title": "Start timestamp is not valid",
                    }
                ]
            },
            ["StartTimestampNotValid", "Start timestamp is not valid"],
            [
                {
                    "code": "StartTimestampNotValid",
                    "id": "01E2E9WDPTAQ1B6CH7ZJE1J4W0",
                    "title": "Start timestamp is not valid",
                }
            ],
        ),
        (
            {
                "error": {
                    "title": "Invalid attribute",
                    "message": "You passed an invalid value for the user_id attribute.",
                }
            },
            ["Invalid attribute", "You passed an invalid value for the user_id attribute."],
            [
                {
                    "title": "Invalid attribute",
                    "message": "You passed an invalid value for the user_id attribute.",
                }
            ],
        ),
        (
            {"error": [{"code": "InvalidProfileTypeLength", "title": "Profile type too long"}]},
            ["InvalidProfileTypeLength", "Profile type too long"],
            [{"code": "InvalidProfileTypeLength", "title": "Profile type too long"}],
        ),
        (
            {"error": "InvalidEndpoint", "description": "Not found"},
            ["InvalidEndpoint", "Not found"],
            [{"title": "InvalidEndpoint", "detail": "Not found"}],
        ),
    ],
)
def test_error_body_shapes_become_readable_messages(
    body: dict[str, Any], texts: list[str], items: list[dict[str, Any]]
) -> None:
    exc = failure(httpx.Response(400, json=body, headers={"X-Request-Id": "abc123"}))
    assert isinstance(exc, errors.BadRequestError)
    message = str(exc)
    assert message.startswith("HTTP 400 Bad Request: ")
    for text in texts:
        assert text in message
    assert exc.errors == items
    assert exc.request_id == "abc123"
    assert exc.body is None


def test_plain_text_error_body() -> None:
    exc = failure(httpx.Response(520, text="error code: 520", headers={"CF-RAY": "8a1b2c"}))
    assert isinstance(exc, errors.ServerError)
    assert exc.status_code == 520
    assert exc.errors == []
    assert exc.body == "error code: 520"
    assert "HTTP 520" in str(exc)
    assert "error code: 520" in str(exc)
    assert exc.request_id == "8a1b2c"


def test_html_error_body_is_shortened_to_one_line() -> None:
    html = "<html>\n<body>\n" + "<p>Bad gateway</p>\n" * 100 + "</body></html>"
    exc = failure(httpx.Response(502, text=html))
    assert "\n" not in str(exc)
    assert "<p>Bad gateway</p>" in str(exc)
    assert len(str(exc)) < 400


def test_empty_error_body() -> None:
    exc = failure(httpx.Response(503, content=b""))
    assert isinstance(exc, errors.ServerError)
    assert str(exc) == "HTTP 503 Service Unavailable: no details in the response"
    assert exc.errors == []
    assert exc.request_id is None


def test_unrecognised_json_error_body_keeps_its_text() -> None:
    exc = failure(httpx.Response(500, json={"message": "upstream exploded"}))
    assert isinstance(exc, errors.ServerError)
    assert "upstream exploded" in str(exc)


def test_request_id_first_of_a_duplicated_header() -> None:
    response = httpx.Response(
        404,
        json={"errors": [{"code": "NotFound", "title": "Profile not found"}]},
        headers=[("X-Request-Id", "first-id"), ("X-Request-Id", "first-id")],
    )
    exc = failure(response)
    assert isinstance(exc, errors.NotFoundError)
    assert exc.request_id == "first-id"
    assert "NotFound: Profile not found" in str(exc)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b'{"events": [',
        b"[]",
        b'"events"',
        b"{}",
        b'{"events": null}',
        b'{"events": {}}',
        b'{"events": [1, 2]}',
        b'{"events": [], "meta": {"has_more": "yes"}}',
        b'{"events": [], "meta": []}',
        b'{"events": [], "meta": {"after_cursor": 5, "has_more": true}}',
        b'{"events": [], "links": "https://coolbikes.zendesk.com/next"}',
        b'{"events": [], "links": [{"next": 5}]}',
        b'{"events": [], "links": [5]}',
    ],
)
def test_200_of_the_wrong_shape_is_a_bad_response(body: bytes) -> None:
    exc = failure(httpx.Response(200, content=body, headers={"Content-Type": "application/json"}))
    assert type(exc) is errors.BadResponseError


@pytest.mark.parametrize(
    ("raised", "cls"),
    [
        (httpx.ConnectError("connection refused"), errors.APIConnectionError),
        (httpx.ReadError("connection reset"), errors.APIConnectionError),
        (httpx.RemoteProtocolError("server disconnected"), errors.APIConnectionError),
        (httpx.ConnectTimeout("connect timed out"), errors.APITimeoutError),
        (httpx.ReadTimeout("read timed out"), errors.APITimeoutError),
        (httpx.PoolTimeout("pool timed out"), errors.APITimeoutError),
    ],
)
def test_network_failures(raised: BaseException, cls: type[errors.ZendeskError]) -> None:
    exc = failure(raised)
    assert type(exc) is cls
    assert isinstance(exc, errors.APIConnectionError)
    assert "/api/v2/users/85211553/events" in str(exc)
    # The httpx exception carries the request and its credentials: it must not be chained.
    assert exc.__cause__ is None
    assert exc.__suppress_context__


def test_every_error_is_a_zendesk_error() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.ZendeskError), name
    assert issubclass(errors.ConfigurationError, ValueError)
    for cls in (
        errors.BadRequestError,
        errors.AuthenticationError,
        errors.PermissionDeniedError,
        errors.NotFoundError,
        errors.RateLimitError,
        errors.ServerError,
    ):
        assert issubclass(cls, errors.APIError)
    assert issubclass(errors.APITimeoutError, errors.APIConnectionError)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("Retry-After", "2")], 2.0),
        ([("Retry-After", "2"), ("Retry-After", "2")], 2.0),
        ([("Retry-After", "0.5")], 0.5),
        ([("Retry-After", "-3")], 0.0),
        ([("Retry-After", "soon")], None),
        ([("Retry-After", "nan")], None),
        ([("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")], 0.0),  # in the past
    ],
)
def test_retry_after_forms(headers: list[tuple[str, str]], expected: float | None) -> None:
    exc = failure(httpx.Response(429, headers=headers))
    assert isinstance(exc, errors.RateLimitError)
    assert exc.retry_after == expected


@pytest.mark.parametrize("status", [200, 400, 503])
def test_absurdly_nested_json_is_a_zendesk_error(status: int) -> None:
    response = httpx.Response(status, content=b"[" * 200_000)
    with pytest.raises(errors.ZendeskError):
        decode_page(response)


@pytest.mark.parametrize(
    "body",
    [
        b'{"events": [{"properties": {"b": NaN}}]}',
        b'{"events": [{"properties": {"b": Infinity}}]}',
        b'{"events": [{"properties": {"b": -Infinity}}]}',
    ],
)
def test_not_numbers_are_a_bad_response_not_retried(body: bytes) -> None:
    with pytest.raises(errors.BadResponseError, match="cannot carry") as info:
        decode_page(httpx.Response(200, content=body))
    assert not is_transient(info.value)


@pytest.mark.parametrize(
    "body",
    [
        b'{"events": [{"properties": {"b": 1e400}}]}',
        b'{"events": [{"properties": {"b": -1E999}}]}',
    ],
)
def test_numbers_too_large_for_a_float_are_kept_as_text_and_refused_as_values(
    body: bytes,
) -> None:
    rec = Recorder(httpx.Response(200, content=body))
    with client(rec) as c:
        (event,) = list(c.events(user_id=1))
    assert event.raw == body[len(b'{"events": [') : -2]
    for read in (event.to_dict, lambda: event.properties):
        with pytest.raises(errors.BadResponseError, match="cannot carry") as info:
            read()
        assert not is_transient(info.value)


def test_ordinary_numbers_still_decode() -> None:
    body = b'{"events": [{"properties": {"a": 1.5, "b": 12345678901234567890, "c": -2e-5}}]}'
    page = decode_page(httpx.Response(200, content=body))
    assert page.events[0].properties == {"a": 1.5, "b": 12345678901234567890, "c": -2e-5}


# --- exact text (issue 11) -----------------------------------------------------------------

EXACT_EVENTS = [
    b'{"id":"01E1","type":"t","source":"s","created_at":"2020-01-01T00:00:00Z",'
    b'"properties":{"price":62.990,"n":1e2,"big":0.1000000000000000055511151231257827}}',
    b'{"id" : "01E2", "type": "caf\\u00e9", "source":"s", "created_at":"2020-01-01T00:00:01Z",'
    b' "description":"a\\/b", "properties" : {"k":"v","k":"w"}}',
    b'{\n  "id": "01E3",\n  "type": "t", "source": "s", "created_at": "2020-01-01T00:00:02Z",'
    b'\n  "properties": {"\xc3\xa9": "\xe6\x97\xa5", "s": "\\ud800"}\n}',
]


def exact_body(events: list[bytes]) -> bytes:
    return b'{"events":[ ' + b" ,\n".join(events) + b' ],"links":[{"next":""}]}'


@pytest.mark.parametrize(
    "selector",
    [
        {"identifier": "coolbikes:rider:email:jdoe@example.com"},
        {"profile_id": "01E1G0NJSQPNPZRV096JXKXFAA"},
        {"user_id": 85211553},
    ],
)
def test_raw_is_the_text_as_received_on_every_route_and_both_clients(
    selector: dict[str, Any],
) -> None:
    import asyncio
    import json

    from tests._mock import async_client

    content = exact_body(EXACT_EVENTS)
    rec = Recorder(httpx.Response(200, content=content))
    with client(rec) as c:
        got = list(c.events(**selector))
    assert [e.raw for e in got] == EXACT_EVENTS
    assert [e.to_dict() for e in got] == [json.loads(raw) for raw in EXACT_EVENTS]

    async def read() -> list[bytes]:
        async with async_client(Recorder(httpx.Response(200, content=content))) as ac:
            return [e.raw async for e in ac.events(**selector)]

    assert asyncio.run(read()) == EXACT_EVENTS


def test_lone_surrogate_escapes_keep_their_text() -> None:
    # msgspec refuses "\ud800" although JSON allows it: the exact fallback takes over.
    raw = b'{"id":"\\ud800x","type":"t","source":"s","created_at":"2020-01-01T00:00:00Z"}'
    page = decode_page(httpx.Response(200, content=exact_body([raw, EXACT_EVENTS[0]])))
    assert [e.raw for e in page.events] == [raw, EXACT_EVENTS[0]]
    assert page.events[0].id == "\ud800x"
    assert page.events[0].created_at.year == 2020


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_other_unicode_encodings_are_read_and_kept_as_utf8(encoding: str) -> None:
    text = exact_body(EXACT_EVENTS[:2]).decode()
    page = decode_page(httpx.Response(200, content=text.encode(encoding)))
    assert [e.raw for e in page.events] == EXACT_EVENTS[:2]


@pytest.mark.parametrize(
    "content",
    [
        b'{"events":[{"a":"\xff"}]}',
        b'{"events":[{"a":"\xed\xa0\x80"}]}',  # a surrogate encoded in UTF-8: not UTF-8
        b'{"events":[{"a":"\xc3"}]}',
    ],
)
def test_invalid_utf8_is_a_bad_response(content: bytes) -> None:
    with pytest.raises(errors.BadResponseError, match="UTF-8"):
        decode_page(httpx.Response(200, content=content))


@pytest.mark.parametrize(
    "number",
    [
        b"1e400",
        b"-2E+308",
        b"123456789e301",
        b"0.5e00310",
        b"1" + b"0" * 400 + b".0",
        b"1" + b"0" * 250 + b"e99",
        b"1" + b"0" * 500 + b"e-100",
    ],
)
@pytest.mark.parametrize("where", ["properties", "description", "extra"])
def test_numbers_that_overflow_anywhere_are_refused_when_decoded(number: bytes, where: str) -> None:

    raw = (
        b'{"id":"01E123","type":"t","source":"s","created_at":"2020-01-01T00:00:00Z","'
        + where.encode()
        + b'":{"x":[1,{"y":'
        + number
        + b"}]}}"
    )
    page = decode_page(httpx.Response(200, content=exact_body([raw])))
    (event,) = page.events
    assert event.raw == raw
    if where == "description":  # a field the event reads: reading any of them refuses it
        with pytest.raises(errors.BadResponseError, match="cannot carry"):
            event.type  # noqa: B018
    else:
        assert event.type == "t"
    with pytest.raises(errors.BadResponseError, match="cannot carry"):
        event.to_dict()
    if where == "properties":
        with pytest.raises(errors.BadResponseError, match="cannot carry"):
            event.properties  # noqa: B018


@pytest.mark.parametrize(
    "text",
    [b'"1e400"', b'"01E123456"', b'"v 2e999"', b"1e-400", b"1e308", b'"' + b"9" * 400 + b'"'],
)
def test_what_only_looks_like_a_huge_number_is_kept(text: bytes) -> None:
    raw = b'{"id":"01E000","p":' + text + b"}"
    page = decode_page(httpx.Response(200, content=exact_body([raw])))
    assert page.events[0].raw == raw
    assert page.events[0].to_dict()["p"] == json.loads(text)


def test_events_are_hashable_by_their_text_and_immutable() -> None:
    from zdevents import Event

    a, b = (Event(b'{"id":"A","properties":{"n":[1]}}') for _ in range(2))
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Event(b'{"id": "A","properties":{"n":[1]}}')  # another spelling
    a.properties["n"].append(2)
    a.to_dict()["properties"]["n"].append(3)
    assert a.properties == {"n": [1]}
    assert a.to_dict() == {"id": "A", "properties": {"n": [1]}}
    assert a.raw_properties == b'{"n":[1]}'


# --- Page (issue 12) -------------------------------------------------------------------------


def test_page_is_iterable_with_headers_rate_limit_and_a_readable_repr() -> None:
    from zdevents import Page

    response = httpx.Response(
        200,
        content=exact_body(EXACT_EVENTS[:2]),
        headers={"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "699", "X-Request-Id": "r1"},
    )
    page = decode_page(response)
    assert [e.raw for e in page] == EXACT_EVENTS[:2]
    assert page.headers["x-rate-limit"] == "700"
    assert page.headers["X-RATE-LIMIT"] == "700"
    assert "x-request-id" in page.headers
    with pytest.raises(TypeError):
        page.headers["x-rate-limit"] = "1"  # type: ignore[index]
    assert page.rate_limit is not None
    assert (page.rate_limit.limit, page.rate_limit.remaining) == (700, 699)
    assert repr(page) == "Page(2 events, has_more=False, cursor=None, request_id='r1')"
    assert type(page).__module__ == "zdevents" and Page.__module__ == "zdevents"
    assert type(page.events[0]).__module__ == "zdevents"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({}, None), ({"X-Rate-Limit": "soon"}, None), ({"X-Rate-Limit": "10"}, (10, None))],
)
def test_page_rate_limit_without_the_header_is_none(
    headers: dict[str, str], expected: tuple[int, int | None] | None
) -> None:
    page = decode_page(httpx.Response(200, content=b'{"events":[]}', headers=headers))
    got = page.rate_limit
    assert (None if got is None else (got.limit, got.remaining)) == expected


@pytest.mark.parametrize("where", ["cursor", "link"])
def test_a_cursor_or_link_over_64_kb_is_a_zendesk_error(where: str) -> None:
    huge = "c" * 70_000
    if where == "cursor":
        body = {"events": [], "meta": {"has_more": True, "after_cursor": huge}}
    else:
        body = {"events": [], "links": [{"next": f"https://coolbikes.zendesk.com/x?a={huge}"}]}
    rec = Recorder(body)
    with client(rec) as c, pytest.raises(errors.BadResponseError, match="long"):
        list(c.events(user_id=1))
    assert rec.calls == 1
