"""Responses: each status to its exception, readable messages, 200 bodies of the wrong shape.

Pinned further through ``Client`` on a mock transport (issue 15): a 200 as a Page, its
encodings, the bodies that are refused and whether they are retried, links and cursors, the
announced rate limit, and what a Page shows of itself.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests._mock import FakeClock, Recorder, client, event, ok, page_body
from zdevents import Page, errors, is_transient
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


# --- pinned through Client (issue 15): encodings, the bodies that are refused and whether they
# are retried, links and cursors, the announced rate limit, and what a Page shows of itself.

LAST = page_body([event(1)], has_more=False)


def first_page(*answers: Any, **options: Any) -> Page:
    with client(Recorder(*answers), **options) as c:
        return next(iter(c.events(user_id=1).pages()))


def body_failure(body: bytes, **options: Any) -> tuple[str, int]:
    rec = Recorder(httpx.Response(200, content=body), ok(LAST))
    with client(rec, **options) as c:
        try:
            list(c.events(user_id=1))
        except errors.BadResponseError as exc:
            return str(exc), rec.calls
    return "read", rec.calls


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-32"])
def test_a_body_in_another_json_encoding_is_read_and_kept_as_utf_8(encoding: str) -> None:
    body = json.dumps(page_body([event(1, description="é ☃")], has_more=False))
    page = first_page(httpx.Response(200, content=body.encode(encoding)))
    assert page.events[0].description == "é ☃"
    assert page.events[0].raw.decode("utf-8").startswith('{"id"')


def test_a_body_that_is_not_utf_8_is_retried(clock: FakeClock) -> None:
    assert body_failure(b'{"events": [{"description": "\xff"}]}', max_retries=0) == (
        "the 200 response body is not valid UTF-8 (34 bytes)",
        1,
    )
    assert body_failure(b'{"events": [{"description": "\xff"}]}') == ("read", 2)


@pytest.mark.parametrize(
    ("body", "message", "retried"),
    [
        (b'{"events": [], "n": NaN}', "the response holds a number JSON cannot carry", False),
        (b'{"events": [Infinity]}', "the response holds a number JSON cannot carry", False),
        (b"[]", "expected a JSON object, got list", False),
        (b'"events"', "expected a JSON object, got str", False),
        (b'{"events": {}}', "the response has no 'events' list of objects", False),
        (b'{"events": [1]}', "the response has no 'events' list of objects", False),
        (b'{"links": []}', "the response has no 'events' list of objects", False),
        (b'{"events": [], "meta": {"has_more": 1}}', "unexpected 'meta'", False),
        (b'{"events": [], "meta": []}', "unexpected 'meta'", False),
        (b'{"events": [], "links": [5]}', "unexpected 'links'", False),
        (b'{"events": [], "links": {"next": 5}}', "unexpected 'links'", False),
        (b'{"events": [', "the 200 response body is not valid JSON (12 bytes)", True),
    ],
)
def test_a_body_that_is_not_a_page_is_refused(
    clock: FakeClock, body: bytes, message: str, retried: bool
) -> None:
    text, calls = body_failure(body, max_retries=0)
    assert text.startswith(message), text
    assert calls == 1
    assert body_failure(body)[1] == (2 if retried else 1)


def test_the_slow_decoder_reads_the_same_page() -> None:
    # A lone surrogate escape: valid JSON that msgspec refuses.
    body = (
        b'{"events": [{"id": "a", "description": "\\ud800"}, {"id": "b"}], '
        b'"links": [{"next": null}, '
        b'{"next": " https://coolbikes.zendesk.com/x?page%5Bafter%5D=c2 "}], '
        b'"meta": {"has_more": true}}'
    )
    page = first_page(httpx.Response(200, content=body))
    assert [e.id for e in page.events] == ["a", "b"]
    assert page.events[0].description == "\ud800"
    assert page.next_url == "https://coolbikes.zendesk.com/x?page%5Bafter%5D=c2"
    assert (page.has_more, page.cursor) == (True, "c2")


@pytest.mark.parametrize("slow", [False, True])
def test_the_first_link_with_a_next_is_taken_and_meta_wins_for_the_cursor(slow: bool) -> None:
    body: dict[str, Any] = {
        "events": [event(1, description="\ud800" if slow else "x")],
        "links": [{"next": ""}, {"next": "  "}, {"next": "https://h/?page%5Bafter%5D=L"}, {}],
        "meta": {"after_cursor": "M"},
    }
    page = first_page(httpx.Response(200, content=json.dumps(body).encode()))
    assert (page.next_url, page.cursor, page.has_more) == (
        "https://h/?page%5Bafter%5D=L",
        "M",
        True,
    )
    body["meta"] = {"after_cursor": "", "has_more": False}
    page = first_page(httpx.Response(200, content=json.dumps(body).encode()))
    assert (page.cursor, page.has_more) == ("L", False)
    body["meta"] = None
    body["links"] = {"next": "https://h/?other=1&page%5Bafter%5D="}
    page = first_page(httpx.Response(200, content=json.dumps(body).encode()))
    assert (page.cursor, page.has_more) == (None, True)


def test_a_next_link_that_is_not_a_url_is_a_bad_response_when_a_cursor_is_read_from_it() -> None:
    body = {"events": [], "links": [{"next": "http://[::1/x?page%5Bafter%5D=c"}]}
    with client(Recorder(body)) as c, pytest.raises(errors.BadResponseError, match="not a URL"):
        list(c.events(user_id=1))


@pytest.mark.parametrize("where", ["meta", "link"])
def test_a_cursor_or_link_too_long_for_a_url_is_refused(where: str) -> None:
    long = "c" * (60 * 1024 + 1)
    body: dict[str, Any] = {"events": [event(1)]}
    if where == "meta":
        body["meta"] = {"after_cursor": long, "has_more": True}
        match = "the cursor is 61,441 characters long"
    else:
        body["links"] = [{"next": f"https://coolbikes.zendesk.com/?page%5Bafter%5D={long}"}]
        match = "the next link is 61,488 characters long"
    with client(Recorder(body)) as c, pytest.raises(errors.BadResponseError, match=match):
        list(c.events(user_id=1))


def test_a_cursor_that_grows_past_the_limit_once_url_encoded_is_refused() -> None:
    cursor = "/" * (20 * 1024 + 1)  # 20 KiB that become 60 KiB and 3 bytes as %2F
    body = {"events": [event(1)], "meta": {"after_cursor": cursor, "has_more": True}}
    with client(Recorder(body)) as c, pytest.raises(errors.BadResponseError, match="cursor"):
        list(c.events(user_id=1))


# --- what a page shows -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "limit"),
    [
        ({"X-Rate-Limit": "600", "X-Rate-Limit-Remaining": "599"}, (600, 599)),
        ({"x-rate-limit": " 700 "}, (700, None)),
        ({"X-Rate-Limit": "600", "X-Rate-Limit-Remaining": "lots"}, (600, None)),
        ({"X-Rate-Limit": "999999999"}, (999999999, None)),
        ({"X-Rate-Limit": "9999999999"}, None),
        ({"X-Rate-Limit": "1e3"}, None),
        ({"X-Rate-Limit": "-1"}, None),
        ({}, None),
    ],
)
def test_the_announced_rate_limit(headers: dict[str, str], limit: tuple[int, Any] | None) -> None:
    page = first_page(httpx.Response(200, json=LAST, headers=headers))
    got = page.rate_limit
    assert (None if got is None else (got.limit, got.remaining)) == limit


def test_a_page_is_its_events_with_headers_and_a_short_repr() -> None:
    headers = {"X-Request-Id": "r1", "Set-Thing": "a"}
    body = page_body([event(1), event(2)], cursor="c" * 50, has_more=True, links="none")
    page = first_page(httpx.Response(200, json=body, headers=headers))
    assert len(page) == 2
    assert [e.id for e in page] == [e.id for e in page.events]
    assert page.request_id == "r1"
    assert page.headers["x-request-id"] == "r1"
    assert page.headers.get_list("SET-THING") == ["a"]
    assert "set-thing" in page.headers and "nope" not in page.headers
    assert "x-request-id" in list(page.headers)
    assert len(page.headers) == len(httpx.Response(200, json=body, headers=headers).headers)
    assert repr(page) == (f"Page(2 events, has_more=True, cursor='{'c' * 39}…', request_id='r1')")
    assert repr(page.headers).startswith("Headers({")
    with pytest.raises(TypeError):
        page.headers["x"] = "y"  # type: ignore[index]
    short = first_page(httpx.Response(200, json=page_body([], cursor="c" * 40, has_more=True)))
    assert repr(short) == f"Page(0 events, has_more=True, cursor='{'c' * 40}', request_id=None)"


def test_a_page_built_by_hand_has_empty_headers_and_no_rate_limit() -> None:
    page = Page([], False, None, None)
    assert len(page.headers) == 0
    assert list(page.headers) == []
    assert "x-rate-limit" not in page.headers
    assert page.rate_limit is None
    assert repr(page) == "Page(0 events, has_more=False, cursor=None, request_id=None)"


def test_a_cursor_of_41_characters_is_cut_in_the_repr() -> None:
    page = Page([], True, "c" * 41, None)
    assert repr(page) == f"Page(0 events, has_more=True, cursor='{'c' * 39}…', request_id=None)"


# The slow decoder (the standard library) reads what msgspec refuses: a lone surrogate.
SLOW = '"x": "\\ud800", '


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"events": [1]}', "the response has no 'events' list of objects"),
        ('{"events": [{}, "e"]}', "the response has no 'events' list of objects"),
        ('{"events": {}}', "the response has no 'events' list of objects"),
        ('{"meta": {}}', "the response has no 'events' list of objects"),
        ('{"events": [], "n": NaN}', "the response holds a number JSON cannot carry (NaN)"),
        ('{"events": [], "meta": {"has_more": "true"}}', "unexpected 'meta' in the response"),
        ('{"events": [], "meta": {"after_cursor": 5}}', "unexpected 'meta' in the response"),
        ('{"events": [], "links": [{"next": 5}]}', "unexpected 'links' in the response"),
    ],
)
def test_the_slow_decoder_refuses_what_the_fast_one_refuses(body: str, message: str) -> None:
    for text in (body, body.replace("{", "{" + SLOW, 1)):
        got, calls = body_failure(text.encode(), max_retries=0)
        assert got.startswith(message), (text, got)
        assert calls == 1


def test_the_slow_decoder_reads_meta_and_links_of_any_shape() -> None:
    body = '{"events": [{"id": "a"}], "links": {"next": "https://h/?page%5Bafter%5D=L"}}'
    page = first_page(httpx.Response(200, content=body.replace("{", "{" + SLOW, 1).encode()))
    assert (page.cursor, page.has_more, [e.id for e in page]) == ("L", True, ["a"])
    body = '{"events": [], "meta": {"has_more": false, "after_cursor": "M"}}'
    page = first_page(httpx.Response(200, content=body.replace("{", "{" + SLOW, 1).encode()))
    assert (page.cursor, page.has_more) == ("M", False)


def test_cursors_and_links_of_exactly_the_limit_are_taken() -> None:
    limit = 60 * 1024
    base = "https://coolbikes.zendesk.com/?page%5Bafter%5D="
    link = base + "L" * (limit - len(base))
    page = first_page({"events": [event(1)], "links": [{"next": link}]})
    assert (len(page.next_url or ""), page.cursor) == (limit, "L" * (limit - len(base)))
    page = first_page({"events": [event(1)], "meta": {"after_cursor": "c" * limit}})
    assert page.cursor == "c" * limit
    slashes = "/" * (limit // 3)  # exactly the limit once URL-encoded (%2F)
    page = first_page({"events": [event(1)], "meta": {"after_cursor": slashes}})
    assert page.cursor == slashes


def test_headers_made_by_hand_show_and_pickle_as_they_are() -> None:
    import pickle

    from zdevents import Headers

    made = Headers({"X-Rate-Limit": "700", "Content-Type": "application/json"})
    shown = "Headers({'x-rate-limit': '700', 'content-type': 'application/json'})"
    assert repr(made) == shown
    copy = pickle.loads(pickle.dumps(made))  # noqa: S301 (our own bytes)
    assert repr(copy) == shown and copy["x-rate-limit"] == "700"
    page = Page(events=[], has_more=False, cursor=None, next_url=None)
    assert repr(page.headers) == "Headers({})"
