"""Responses: each status to its exception, readable messages, 200 bodies of the wrong shape."""

from __future__ import annotations

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
        b'{"events": [{"properties": {"b": 1e400}}]}',
        b'{"events": [{"properties": {"b": -1E999}}]}',
        b'{"events": [{"properties": {"b": NaN}}]}',
        b'{"events": [{"properties": {"b": Infinity}}]}',
    ],
)
def test_numbers_json_cannot_carry_are_a_bad_response_not_retried(body: bytes) -> None:
    with pytest.raises(errors.BadResponseError, match="cannot carry") as info:
        decode_page(httpx.Response(200, content=body))
    assert not is_transient(info.value)


def test_ordinary_numbers_still_decode() -> None:
    body = b'{"events": [{"properties": {"a": 1.5, "b": 12345678901234567890, "c": -2e-5}}]}'
    page = decode_page(httpx.Response(200, content=body))
    assert page.events[0].properties == {"a": 1.5, "b": 12345678901234567890, "c": -2e-5}
