"""What an adversarial review found a hostile 200 could still do, each pinned: a cursor that is
not text, a credential echoed into a next link, a cursor or a request id, and option values
past a float's range."""

from __future__ import annotations

import base64
import logging

import httpx
import pytest

from tests._mock import (
    API_TOKEN,
    BASE,
    EMAIL,
    Recorder,
    client,
    event,
    mock_http_client,
    page_body,
)
from zdevents import Client, errors

BASIC = base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()
ROUTE = f"{BASE}/api/v2/users/1/events"


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b'{"events": [], "meta": {"has_more": true, "after_cursor": "\\ud800x"}}', "cursor"),
        (
            b'{"events": [], "meta": {"has_more": true}, "links": {"next": "'
            + ROUTE.encode()
            + b'?page%5Bafter%5D=\\udc00"}}',
            "cursor",
        ),
        (
            b'{"events": [], "meta": {"has_more": true, "after_cursor": "c"}, "links": '
            b'{"next": "' + ROUTE.encode() + b'?x=\\udc00"}}',
            "next link",
        ),
    ],
)
def test_a_cursor_or_link_that_is_not_text_is_a_bad_response(body: bytes, what: str) -> None:
    rec = Recorder(httpx.Response(200, content=body))
    with client(rec) as c, pytest.raises(errors.BadResponseError) as info:
        list(c.events(user_id=1))
    assert str(info.value) == f"the {what} is not valid text (a lone surrogate)"
    assert rec.calls == 1


@pytest.mark.parametrize(
    "link",
    [
        f"{ROUTE}/Basic {BASIC}?page%5Bafter%5D=c1",  # in the path
        f"{BASE}/api/v2/users/1/events?page%5Bafter%5D=c1&{BASIC}=1",  # as a parameter name
        f"https://{BASIC.rstrip('=').lower()[:40]}.example/x?page%5Bafter%5D=c1",  # host
        f"http://[Basic {BASIC}",  # not a URL at all
    ],
)
def test_a_credential_echoed_into_the_next_link_reaches_no_log_or_exception(
    link: str, caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder(
        page_body([event(1)], next=link, cursor="c1", has_more=True),
        page_body([event(2)], next=link, has_more=True),
    )
    caplog.set_level(logging.DEBUG)
    with client(rec) as c, pytest.raises(errors.ZendeskError) as info:
        list(c.events(user_id=1))
    shown = caplog.text + str(info.value) + repr(info.value)
    assert rec.calls >= 1
    for secret in (BASIC, BASIC.rstrip("="), API_TOKEN):
        assert secret not in shown


def test_a_credential_echoed_as_the_cursor_is_scrubbed_from_debug_records(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rec = Recorder(
        page_body([event(1)], cursor=BASIC, has_more=True),
        page_body([event(2)], has_more=False),
    )
    caplog.set_level(logging.DEBUG, logger="zdevents")
    with client(rec) as c:
        assert len(list(c.events(user_id=1))) == 2
    assert rec.calls == 2
    assert "page%5Bafter%5D" in caplog.text  # the record is there, with its query
    assert BASIC not in caplog.text and BASIC.rstrip("=") not in caplog.text


@pytest.mark.parametrize("header", ["X-Request-Id", "X-Zendesk-Request-Id", "CF-Ray"])
def test_a_credential_echoed_in_a_200s_request_id_is_scrubbed(header: str) -> None:
    body = page_body([event(1)], has_more=False)
    rec = Recorder(httpx.Response(200, json=body, headers={header: f"Basic {BASIC}"}))
    with client(rec) as c:
        (page,) = list(c.events(user_id=1).pages())
    shown = f"{page.request_id} {page!r}"
    assert BASIC not in shown and API_TOKEN not in shown


@pytest.mark.parametrize(
    "option",
    ["timeout", "rate_limit", "max_retry_after", "backoff_base", "backoff_cap", "retry_budget"],
)
def test_an_option_past_a_floats_range_counts_as_the_longest_wait(option: str) -> None:
    rec = Recorder(page_body([event(1)], has_more=False))
    with Client(
        subdomain="coolbikes",
        email=EMAIL,
        api_token=API_TOKEN,
        http_client=mock_http_client(rec),
        **{option: 10**400},  # type: ignore[arg-type]
    ) as c:
        assert [e.id for e in c.events(user_id=1)] == [event(1)["id"]]
