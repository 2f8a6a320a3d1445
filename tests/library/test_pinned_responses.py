"""A 200 as a Page, pinned through ``Client`` on a mock transport (issue 15): encodings, the
bodies that are refused and whether they are retried, links and cursors, the announced rate
limit, and what a Page shows of itself.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests._mock import FakeClock, Recorder, client, event, ok, page_body
from zdevents import Page, errors

LAST = page_body([event(1)], has_more=False)


def first_page(*answers: Any, **options: Any) -> Page:
    with client(Recorder(*answers), **options) as c:
        return next(iter(c.events(user_id=1).pages()))


def failure(body: bytes, **options: Any) -> tuple[str, int]:
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
    assert failure(b'{"events": [{"description": "\xff"}]}', max_retries=0) == (
        "the 200 response body is not valid UTF-8 (34 bytes)",
        1,
    )
    assert failure(b'{"events": [{"description": "\xff"}]}') == ("read", 2)


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
    text, calls = failure(body, max_retries=0)
    assert text.startswith(message), text
    assert calls == 1
    assert failure(body)[1] == (2 if retried else 1)


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
        got, calls = failure(text.encode(), max_retries=0)
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
