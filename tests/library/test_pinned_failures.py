"""A failed answer as an exception, pinned where mutants of the status mapping and of the
message outlived the suite (issue 15): the class of each status, what the message quotes
from each error shape, what is cut and where, the redirect note, and ``Retry-After``.
Through ``Client`` on a mock transport only.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests._mock import Recorder, client
from zdevents import errors


def error_for(response: httpx.Response) -> errors.ZendeskError:
    with client(Recorder(response), max_retries=0) as c, pytest.raises(errors.ZendeskError) as info:
        list(c.events(user_id=1))
    return info.value


def api_error(status: int, **content: Any) -> errors.APIError:
    exc = error_for(httpx.Response(status, **content))
    assert isinstance(exc, errors.APIError)
    assert exc.status_code == status
    return exc


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (300, errors.APIError),
        (399, errors.APIError),
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (402, errors.APIError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (405, errors.APIError),
        (429, errors.RateLimitError),
        (499, errors.APIError),
        (500, errors.ServerError),
        (599, errors.ServerError),
        (600, errors.APIError),
    ],
)
def test_each_status_gets_its_class(status: int, cls: type[errors.APIError]) -> None:
    assert type(api_error(status)) is cls


@pytest.mark.parametrize("status", [201, 204, 299])
def test_another_2xx_is_a_bad_response_naming_the_status(status: int) -> None:
    exc = error_for(httpx.Response(status))
    assert type(exc) is errors.BadResponseError
    assert f"expected 200, got {status}" in str(exc)


# --- the message -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"errors": [{"title": "Bad", "detail": "no such filter"}]}, "Bad: no such filter"),
        ({"errors": [{"code": "E1", "title": "Bad"}]}, "E1: Bad"),
        ({"errors": [{"code": "", "title": "Bad"}]}, "Bad"),
        ({"errors": [{"code": 7, "title": "Bad"}]}, "Bad"),
        ({"errors": [{"title": "Same", "detail": "Same"}]}, "Same"),
        ({"errors": [{"title": "Bad", "detail": "  "}]}, "Bad"),
        ({"errors": [{"description": "only a description"}]}, "only a description"),
        ({"errors": [{"message": "only a message"}]}, "only a message"),
        ({"errors": [{"title": 42}]}, "42"),
        ({"errors": [{}]}, "no details"),
        ({"error": "InvalidValue", "description": "bad time"}, "InvalidValue: bad time"),
        ({"error": {"title": "Nested"}}, "Nested"),
        ({"errors": ["plain text", 3]}, "plain text; 3"),
        ({"errors": [{"title": "A"}, {"title": "B"}]}, "A; B"),
    ],
)
def test_the_message_quotes_each_documented_error_shape(body: Any, detail: str) -> None:
    assert str(api_error(400, json=body)) == f"HTTP 400 Bad Request: {detail}"


def test_error_items_that_are_not_objects_become_titles() -> None:
    exc = api_error(400, json={"errors": ["plain text", 3, {"title": "kept", "x": 1}]})
    assert exc.errors == [{"title": "plain text"}, {"title": "3"}, {"title": "kept", "x": 1}]


def test_the_message_quotes_at_most_five_errors_and_keeps_them_all() -> None:
    exc = api_error(400, json={"errors": [{"title": f"e{n}"} for n in range(7)]})
    assert str(exc) == "HTTP 400 Bad Request: e0; e1; e2; e3; e4"
    assert len(exc.errors) == 7


def test_a_status_without_a_reason_phrase_has_no_gap() -> None:
    assert str(api_error(520, json={"error": "Origin"})) == "HTTP 520: Origin"
    assert str(api_error(599)) == "HTTP 599: no details in the response"


def test_a_text_body_is_quoted_on_one_line_and_cut() -> None:
    text = "line one\n\n   line   two " + "x" * 1000
    exc = api_error(502, text=text)
    detail = str(exc).removeprefix("HTTP 502 Bad Gateway: ")
    assert detail == ("line one line two " + "x" * 1000)[:200]
    assert exc.body == text[:500].strip()
    assert exc.errors == []


def test_a_body_that_is_not_utf_8_is_quoted_with_replacements() -> None:
    exc = api_error(503, content=b"bad \xff\xfe bytes")
    assert exc.body == "bad \ufffd\ufffd bytes"
    assert str(exc) == "HTTP 503 Service Unavailable: bad \ufffd\ufffd bytes"


def test_an_empty_body_says_there_are_no_details() -> None:
    exc = api_error(404, content=b"  ")
    assert str(exc) == "HTTP 404 Not Found: no details in the response"
    assert exc.body is None


@pytest.mark.parametrize("status", [300, 302, 399])
def test_a_redirect_is_named_with_its_location_and_not_followed(status: int) -> None:
    exc = api_error(status, headers={"Location": "https://elsewhere.example/x"})
    assert "(redirect to 'https://elsewhere.example/x' not followed)" in str(exc)
    assert "redirect" not in str(api_error(status))


@pytest.mark.parametrize("status", [299, 400, 401])
def test_a_location_header_outside_3xx_is_not_quoted(status: int) -> None:
    exc = error_for(httpx.Response(status, headers={"Location": "https://elsewhere.example/x"}))
    assert "elsewhere" not in str(exc)


def test_the_request_id_is_quoted_and_kept() -> None:
    exc = api_error(404, headers={"X-Request-Id": "abc-123, abc-123"}, json={"error": "Nope"})
    assert exc.request_id == "abc-123"
    assert str(exc) == "HTTP 404 Not Found: Nope [request id abc-123]"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("0.5", 0.5), ("-3", 0.0), ("1, 1", 1.0), ("soon", None), ("nan", None)],
)
def test_retry_after_is_read_in_seconds(header: str, seconds: float | None) -> None:
    assert api_error(404, headers={"Retry-After": header}).retry_after == seconds
    assert api_error(404).retry_after is None
