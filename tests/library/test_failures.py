"""A failed answer as the exception the user sees, pinned where mutants of ``_failures``
outlived the suite (issue 15): how much of an error body is kept and how deep, that a quoted
header or reason phrase is scrubbed before it is cut (so no half of a token is left), that a
transport failure's text is scrubbed and bounded, and what a failed write says; then the class
of each status, what the message quotes from each error shape, what is cut and where, the
redirect note, and ``Retry-After``. Through ``Client`` on a mock transport only.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests._mock import API_TOKEN, EMAIL, OAUTH_TOKEN, Recorder, client
from zdevents import errors

CREDENTIAL = base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()


def error_for(answer: Any, **options: Any) -> errors.ZendeskError:
    c = client(Recorder(answer), max_retries=0, **options)
    with c, pytest.raises(errors.ZendeskError) as info:
        list(c.events(user_id=1))
    return info.value


def api_error(answer: Any, **options: Any) -> errors.APIError:
    exc = error_for(answer, **options)
    assert isinstance(exc, errors.APIError)
    return exc


# --- how much of a body is kept ------------------------------------------------------------


def _in_list(inner: Any) -> Any:
    return [inner]


def _in_object(inner: Any) -> Any:
    return {"in": inner}


@pytest.mark.parametrize("wrap", [_in_list, _in_object], ids=["lists", "objects"])
def test_an_error_nested_deeper_than_twenty_levels_is_cut(wrap: Callable[[Any], Any]) -> None:
    def nested(levels: int, leaf: Any) -> Any:
        for _ in range(levels):
            leaf = wrap(leaf)
        return leaf

    # Level 0 is the list of errors, 1 the error object, 2 the first value inside it.
    exc = api_error(httpx.Response(400, json={"errors": [{"title": "Deep", "x": nested(30, 1)}]}))
    assert exc.errors == [{"title": "Deep", "x": nested(19, "…")}]
    assert str(exc) == "HTTP 400 Bad Request: Deep"
    # Up to the limit the value is kept whole: its number is at level 20.
    exc = api_error(httpx.Response(400, json={"errors": [{"title": "Deep", "x": nested(18, 1)}]}))
    assert exc.errors == [{"title": "Deep", "x": nested(18, 1)}]


def test_an_error_keeps_its_first_hundred_error_objects() -> None:
    exc = api_error(httpx.Response(422, json={"errors": [{"title": f"e{n}"} for n in range(150)]}))
    assert exc.errors == [{"title": f"e{n}"} for n in range(100)]
    assert str(exc) == "HTTP 422 Unprocessable Entity: e0; e1; e2; e3; e4"


def test_a_utf_32_error_page_is_quoted_decoded_from_its_first_2000_bytes() -> None:
    text = "é" * 1000
    exc = api_error(httpx.Response(503, content=text.encode("utf-32")))
    # 4 bytes of byte order mark, then 4 bytes a character: 499 whole characters.
    assert exc.body == "é" * 499


# --- a quote is scrubbed, then cut -----------------------------------------------------------


def _reason(phrase: str, status: int = 401) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, extensions={"reason_phrase": phrase.encode()})

    return answer


@pytest.mark.parametrize("secret", [API_TOKEN, CREDENTIAL, f"Basic {CREDENTIAL}"])
def test_a_long_reason_phrase_is_scrubbed_before_it_is_cut(secret: str) -> None:
    exc = api_error(_reason("x" * 100 + " " + secret))
    assert str(exc) == f"HTTP 401 {'x' * 100} ********: no details in the response"


def test_a_long_reason_phrase_is_cut_at_120_characters() -> None:
    exc = api_error(_reason("r" * 300))
    assert str(exc) == f"HTTP 401 {'r' * 119}…: no details in the response"
    exc = api_error(_reason("r" * 120))
    assert str(exc) == f"HTTP 401 {'r' * 120}: no details in the response"


def test_control_characters_in_a_reason_phrase_are_shown_as_spaces() -> None:
    exc = api_error(_reason("\x1b[2JGo\x07away\r\n"))
    assert str(exc) == "HTTP 401 [2JGo away: no details in the response"


def test_a_redirect_without_a_location_says_nothing_more() -> None:
    exc = api_error(httpx.Response(302))
    assert str(exc) == "HTTP 302 Found: no details in the response"


def test_a_long_location_is_scrubbed_before_it_is_cut() -> None:
    location = "https://elsewhere.example/?a=" + "x" * 80 + OAUTH_TOKEN
    exc = api_error(httpx.Response(302, headers={"Location": location}), oauth_token=OAUTH_TOKEN)
    shown = "https://elsewhere.example/?a=" + "x" * 80 + "********"
    assert f"(redirect to {shown!r} not followed)" in str(exc)
    assert OAUTH_TOKEN[:6] not in str(exc)


def test_a_long_request_id_is_scrubbed_before_it_is_cut() -> None:
    exc = api_error(httpx.Response(404, headers={"X-Request-Id": "i" * 90 + API_TOKEN}))
    assert exc.request_id == "i" * 90 + "********"
    exc = api_error(httpx.Response(404, headers={"X-Request-Id": "i" * 300}))
    assert exc.request_id == "i" * 99 + "…"


# --- transport failures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "cls", "shown"),
    [
        (httpx.ConnectError, errors.APIConnectionError, " failed: ConnectError: {}"),
        (httpx.ReadError, errors.APIConnectionError, " failed: ReadError: {}"),
        (httpx.DecodingError, errors.BadResponseError, ": undecodable body ({})"),
    ],
)
@pytest.mark.parametrize("secret", [API_TOKEN, CREDENTIAL, f"Basic {CREDENTIAL}"])
def test_a_transport_failure_quoting_the_credential_is_scrubbed(
    raised: type[Exception], cls: type[errors.ZendeskError], shown: str, secret: str
) -> None:
    exc = error_for(raised(f"the proxy refused {secret} for you"))
    assert type(exc) is cls
    assert str(exc).endswith(shown.format("the proxy refused ******** for you"))


@pytest.mark.parametrize("raised", [httpx.ConnectError, httpx.DecodingError])
def test_a_transport_failure_is_quoted_up_to_500_characters(raised: type[Exception]) -> None:
    exc = error_for(raised("e" * 1000))
    assert len(str(exc)) == 500
    assert str(exc).endswith("e" * 400)


# --- a write that failed after it was sent ---------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_a_failed_write_says_in_its_message_it_may_have_been_stored(status: int) -> None:
    rec = Recorder(httpx.Response(status, json={"error": "Boom"}))
    with client(rec, max_retries=0) as c, pytest.raises(errors.ServerError) as info:
        c.track({"source": "shop", "type": "bought"}, profile_id="01E1G0NJSQPNPZRV096JXKXFAA")
    stored = "; the request was sent, so the event may or may not have been stored"
    reason = "Internal Server Error" if status == 500 else "Service Unavailable"
    assert info.value.message == f"HTTP {status} {reason}: Boom{stored}"
    assert str(info.value) == info.value.message
    assert info.value.args == (info.value.message,)


# --- pinned where mutants of the status mapping and the message outlived the suite ----------


def status_error(status: int, **content: Any) -> errors.APIError:
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
    assert type(status_error(status)) is cls


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
        ({"errors": {"title": "One object"}}, "One object"),
        ({"error": ["plain", {"title": "B"}]}, "plain; B"),
        ({"error": "Boom", "extra": [1]}, "Boom"),
        ({"error": 5}, '{"error":5}'),
        (["not", "an", "object"], '["not","an","object"]'),
    ],
)
def test_the_message_quotes_each_documented_error_shape(body: Any, detail: str) -> None:
    assert str(status_error(400, json=body)) == f"HTTP 400 Bad Request: {detail}"


def test_error_items_that_are_not_objects_become_titles() -> None:
    exc = status_error(400, json={"errors": ["plain text", 3, {"title": "kept", "x": 1}]})
    assert exc.errors == [{"title": "plain text"}, {"title": "3"}, {"title": "kept", "x": 1}]


def test_the_message_quotes_at_most_five_errors_and_keeps_them_all() -> None:
    exc = status_error(400, json={"errors": [{"title": f"e{n}"} for n in range(7)]})
    assert str(exc) == "HTTP 400 Bad Request: e0; e1; e2; e3; e4"
    assert len(exc.errors) == 7


def test_a_status_without_a_reason_phrase_has_no_gap() -> None:
    assert str(status_error(520, json={"error": "Origin"})) == "HTTP 520: Origin"
    assert str(status_error(599)) == "HTTP 599: no details in the response"


def test_a_text_body_is_quoted_on_one_line_and_cut() -> None:
    text = "line one\n\n   line   two " + "x" * 1000
    exc = status_error(502, text=text)
    detail = str(exc).removeprefix("HTTP 502 Bad Gateway: ")
    assert detail == ("line one line two " + "x" * 1000)[:200]
    assert exc.body == text[:500].strip()
    assert exc.errors == []


def test_a_body_that_is_not_utf_8_is_quoted_with_replacements() -> None:
    exc = status_error(503, content=b"bad \xff\xfe bytes")
    assert exc.body == "bad \ufffd\ufffd bytes"
    assert str(exc) == "HTTP 503 Service Unavailable: bad \ufffd\ufffd bytes"


def test_an_empty_body_says_there_are_no_details() -> None:
    exc = status_error(404, content=b"  ")
    assert str(exc) == "HTTP 404 Not Found: no details in the response"
    assert exc.body is None


@pytest.mark.parametrize("status", [300, 302, 399])
def test_a_redirect_is_named_with_its_location_and_not_followed(status: int) -> None:
    exc = status_error(status, headers={"Location": "https://elsewhere.example/x"})
    assert "(redirect to 'https://elsewhere.example/x' not followed)" in str(exc)
    assert "redirect" not in str(status_error(status))


@pytest.mark.parametrize("status", [299, 400, 401])
def test_a_location_header_outside_3xx_is_not_quoted(status: int) -> None:
    exc = error_for(httpx.Response(status, headers={"Location": "https://elsewhere.example/x"}))
    assert "elsewhere" not in str(exc)


def test_the_request_id_is_quoted_and_kept() -> None:
    exc = status_error(404, headers={"X-Request-Id": "abc-123, abc-123"}, json={"error": "Nope"})
    assert exc.request_id == "abc-123"
    assert str(exc) == "HTTP 404 Not Found: Nope [request id abc-123]"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("0.5", 0.5), ("-3", 0.0), ("1, 1", 1.0), ("soon", None), ("nan", None)],
)
def test_retry_after_is_read_in_seconds(header: str, seconds: float | None) -> None:
    assert status_error(404, headers={"Retry-After": header}).retry_after == seconds
    assert status_error(404).retry_after is None
