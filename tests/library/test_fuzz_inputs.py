"""Hypothesis fuzzing of everything zdevents takes in: identifiers, ``events()`` arguments,
response status codes, headers and bodies, and the event objects inside them.

The contract: invalid arguments raise ``ValueError`` or ``TypeError`` before any request;
anything a server sends is decoded or raised as a ``ZendeskError`` subclass, never as
``KeyError``, ``TypeError``, ``AttributeError`` or ``ValueError``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tests._mock import FakeClock, mock_http_client
from zdevents import Client, Event, Identifier, errors
from zdevents._failures import parse_retry_after
from zdevents._responses import decode_page

#: ZDEVENTS_FUZZ_EXAMPLES=5000 for a longer hunt; the default keeps the suite quick.
EXAMPLES = int(os.environ.get("ZDEVENTS_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # no timing: machines are noisy
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# --- identifiers -------------------------------------------------------------------------


def _valid(text: str) -> bool:
    return bool(text.strip()) and text == text.strip() and text.isprintable()


value = st.text(min_size=1).filter(_valid)
part = value.filter(lambda s: ":" not in s)


@FUZZ
@given(part, part, part, value)
@example("a", "b", "c", ":::")
@example("shop", "customer", "url", "https://example.com/a?b=c:d")
def test_identifier_round_trips(source: str, type_: str, key: str, value: str) -> None:
    identifier = Identifier(source, type_, key, value)
    assert Identifier.parse(str(identifier)) == identifier
    assert str(Identifier.parse(str(identifier))) == str(identifier)


@FUZZ
@given(st.text() | st.from_regex(r"[^:]*:[^:]*:[^:]*(:.*)?", fullmatch=True))
@example("")
@example(":::")
@example("a:b:c:")
@example("a::c:d")
def test_arbitrary_text_parses_or_raises_value_error(text: str) -> None:
    try:
        identifier = Identifier.parse(text)
    except ValueError:
        return
    assert str(identifier) == text
    assert all((identifier.source, identifier.type, identifier.key, identifier.value))


@FUZZ
@given(st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.text()), st.floats()))
def test_non_text_identifier_is_a_type_error(value: object) -> None:
    with pytest.raises(TypeError):
        Identifier.parse(value)  # type: ignore[arg-type]


# --- events() arguments ------------------------------------------------------------------

aware = st.datetimes(timezones=st.timezones())
anything = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789-:TZ.+ ", max_size=30),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.binary(max_size=10),
    st.dates(),
    st.datetimes(),
    aware,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(Identifier, part, part, part, value),
)
selector = st.one_of(
    anything,
    st.from_regex(r"[a-z]{1,5}:[a-z]{1,5}:[a-z]{1,5}:.{1,10}", fullmatch=True),
    st.integers(min_value=-5, max_value=2**70),
    st.text(alphabet="0123456789", min_size=1, max_size=25),
)
time_bound = st.one_of(
    anything,
    st.dates().map(str),
    aware.map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
)
arguments = st.fixed_dictionaries(
    {},
    optional={
        "identifier": selector,
        "profile_id": selector,
        "user_id": selector,
        "source": anything,
        "type": anything,
        "start": time_bound,
        "end": time_bound,
        "page_size": st.one_of(anything, st.integers(min_value=-3, max_value=103)),
    },
)


def _empty_last_page(calls: list[httpx.Request]) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={"events": [], "meta": {"has_more": False}})

    return Client(
        subdomain="coolbikes",
        oauth_token="fuzz-token",
        max_retries=0,
        http_client=mock_http_client(handler),
    )


def _check_events_arguments(kwargs: dict[str, Any]) -> None:
    calls: list[httpx.Request] = []
    client = _empty_last_page(calls)
    try:
        stream = client.events(**kwargs)
    except (ValueError, TypeError) as exc:
        assert not isinstance(exc, errors.ZendeskError) or isinstance(
            exc, errors.ConfigurationError
        )
        assert calls == []
        return
    # Accepted: then the arguments were valid, and the first request is well-formed.
    assert list(stream) == []
    assert len(calls) == 1
    assert calls[0].url.host == "coolbikes.zendesk.com"
    assert calls[0].url.path.startswith("/api/v2/")


@FUZZ
@given(arguments)
@example({"user_id": True})
@example({"user_id": "85211553", "start": "2020-02-23", "end": "2020-02-22"})
@example({"profile_id": "..", "page_size": 100})
@example({"identifier": "a:b:c:d", "type": "x"})
@example({"user_id": 1, "start": dt.datetime(2020, 1, 1)})  # naive: an error
@example({"user_id": 1, "page_size": 1.0})
def test_events_arguments_fail_early_or_work(kwargs: dict[str, Any]) -> None:
    _check_events_arguments(kwargs)


@FUZZ
@given(arguments, st.one_of(st.none(), st.text(max_size=5), st.integers(), st.binary(max_size=3)))
def test_events_after_argument_fails_early(kwargs: dict[str, Any], after: object) -> None:
    _check_events_arguments({**kwargs, "after": after})


# --- responses ---------------------------------------------------------------------------

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
json_value = st.recursive(
    json_scalar,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
timestamp_text = st.one_of(
    st.text(max_size=35),
    st.from_regex(
        r"-?\d{1,5}-\d{1,2}-\d{1,2}"
        r"([T ]\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{0,12})?)?)?(Z|[+-]\d{2}:?\d{2})?",
        fullmatch=True,
    ),
    aware.map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
)
event_field = st.one_of(json_value, timestamp_text)
event_object = st.fixed_dictionaries(
    {},
    optional={
        "id": event_field,
        "source": event_field,
        "type": event_field,
        "description": event_field,
        "created_at": event_field,
        "received_at": event_field,
        "properties": st.one_of(json_value, st.dictionaries(st.text(max_size=5), json_value)),
        "extra": json_value,
    },
)
link_value = st.one_of(
    json_value,
    st.sampled_from(
        [
            "https://coolbikes.zendesk.com/api/v2/users/1/events?page[after]=x",
            "https://evil.example/x",
            "/api/v2/users/1/events?page[after]=y",
            "//evil.example/x",
            "http://[::1",
            "https://coolbikes.zendesk.com:99999/",
            "",
            " ",
            "\x00",
        ]
    ),
)
page_shaped = st.fixed_dictionaries(
    {},
    optional={
        "events": st.one_of(json_value, st.lists(event_object, max_size=3)),
        "meta": st.one_of(
            json_value,
            st.fixed_dictionaries(
                {},
                optional={
                    "has_more": json_value,
                    "after_cursor": json_value,
                    "before_cursor": json_value,
                },
            ),
        ),
        "links": st.one_of(
            json_value,
            st.fixed_dictionaries({}, optional={"next": link_value, "prev": link_value}),
            st.lists(st.fixed_dictionaries({}, optional={"next": link_value}), max_size=2),
        ),
        "error": json_value,
        "errors": st.one_of(
            json_value,
            st.lists(st.dictionaries(st.sampled_from(["code", "title", "detail"]), json_value)),
        ),
        "description": json_value,
    },
)
body = st.one_of(
    st.binary(max_size=200),
    json_value.map(lambda v: json.dumps(v).encode()),
    page_shaped.map(lambda v: json.dumps(v).encode()),
    page_shaped.map(lambda v: json.dumps(v).encode()[: len(json.dumps(v)) // 2]),
    st.text(max_size=50).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
status_code = st.one_of(st.just(200), st.integers(min_value=100, max_value=999))
retry_after = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["0", "1", "-1", "1e400", "nan", "inf", "-inf", "1.5", " 3 ", "0x10"]),
    st.from_regex(
        r"(Mon|Sun), \d{1,2} (Jan|Feb|Dec) -?\d{1,6} \d{1,2}:\d{2}:\d{2} (GMT|[+-]\d{4}|UTC)",
        fullmatch=True,
    ),
    st.integers().map(str),
    st.floats().map(str),
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "retry-after": retry_after,
        "x-rate-limit": st.text(max_size=10),
        "x-rate-limit-remaining": st.text(max_size=10),
        "ratelimit-reset": st.text(max_size=10),
        "x-request-id": st.text(max_size=10),
        "location": st.text(max_size=20),
        "content-type": st.sampled_from(["application/json", "text/plain", "text/html"]),
    },
).map(lambda h: {k: v.encode("ascii", "ignore").decode().strip() for k, v in h.items()})

ALLOWED = errors.ZendeskError
FORBIDDEN = (KeyError, TypeError, AttributeError, ValueError)


def _read_everything(event: Event) -> None:
    try:
        values = (
            event.id,
            event.source,
            event.type,
            event.description,
            event.created_at,
            event.received_at,
            event.properties,
        )
    except errors.BadResponseError:
        return
    for value in values[:4]:
        assert value is None or isinstance(value, str)
    for value in values[4:6]:
        assert value is None or (isinstance(value, dt.datetime) and value.tzinfo is not None)
    assert isinstance(values[6], dict)
    assert isinstance(event.to_dict(), dict)
    repr(event)


def _assert_zendesk_error(exc: BaseException) -> None:
    assert isinstance(exc, ALLOWED), f"{type(exc).__name__}: {exc}"
    assert not isinstance(exc, errors.ConfigurationError), exc
    str(exc)
    repr(exc)


@FUZZ
@given(status_code, headers, body)
@example(200, {}, b'{"events": [{"created_at": "2020-02-30T00:00:00Z"}]}')
@example(200, {}, b'{"events": [], "meta": {"has_more": "yes"}}')
@example(200, {}, b'{"events": [], "links": [{"next": 5}]}')
@example(200, {}, b'{"events": [{"created_at": "0000-01-01T00:00:00Z"}]}')
@example(200, {}, b'{"events": [{"created_at": "9999-12-31T23:59:59.999999999-23:59"}]}')
@example(520, {"retry-after": "Mon, 01 Jan 1 00:00:00 +2359"}, b"error code: 520")
@example(429, {"retry-after": "1e400"}, b"")
@example(101, {}, b"")
@example(999, {}, b"\xff")
@example(200, {}, b'{"events": [], "meta": [], "links": {"next": "http://[::1"}}')
def test_any_response_decodes_or_raises_a_zendesk_error(
    status: int, headers: dict[str, str], content: bytes
) -> None:
    response = httpx.Response(status, headers=headers, content=content)
    try:
        page = decode_page(response)
    except FORBIDDEN as exc:
        if not isinstance(exc, ALLOWED):
            raise
        _assert_zendesk_error(exc)
        return
    except BaseException as exc:
        _assert_zendesk_error(exc)
        return
    assert status == 200
    assert isinstance(page.has_more, bool)
    assert page.cursor is None or isinstance(page.cursor, str)
    for event in page.events:
        _read_everything(event)


@settings(FUZZ, max_examples=max(1, EXAMPLES // 2))
@given(status_code, headers, body)
@example(
    200, {}, b'{"events": [{"id": "1"}], "meta": {"has_more": true}, "links": {"next": "//x"}}'
)
@example(200, {}, b'{"events": [], "meta": {"has_more": true, "after_cursor": "c"}}')
@example(200, {}, b'{"events": [], "links": {"next": "http://[::1"}}')
@example(200, {}, b'{"events": [], "links": {"next": "https://coolbikes.zendesk.com:99999/"}}')
def test_any_response_through_the_client_yields_events_or_a_zendesk_error(
    status: int, headers: dict[str, str], content: bytes
) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, headers=headers, content=content)

    client = Client(
        subdomain="coolbikes",
        oauth_token="fuzz-token",
        max_retries=0,
        max_retry_after=0,
        http_client=mock_http_client(handler),
    )
    try:
        for event in client.events(user_id=1):
            _read_everything(event)
    except BaseException as exc:
        _assert_zendesk_error(exc)
    # A server that repeats itself is caught as a loop well before this.
    assert len(calls) <= 205


@FUZZ
@given(retry_after)
@example("Mon, 01 Jan 1 00:00:00 +2359")
@example("Sun, 31 Dec 9999 23:59:59 -2359")
@example("Mon, 01 Jan 0 00:00:00 GMT")
def test_retry_after_is_a_finite_non_negative_number_or_none(value: str) -> None:
    seconds = parse_retry_after(value)
    assert seconds is None or (isinstance(seconds, float) and 0 <= seconds < math.inf)


@FUZZ
@given(event_object)
@example({"created_at": "2020-06-10T01:24:58.143324138Z", "received_at": 5})
@example({"properties": []})
@example({"id": 5})
@example({"created_at": "2020-13-01T00:00:00Z"})
@example({"created_at": "+002020-01-01T00:00:00Z"})
def test_event_attributes_are_typed_or_bad_response(raw: dict[str, Any]) -> None:
    assume(True)
    _read_everything(Event(raw))


@pytest.mark.parametrize(
    "text", ["9999-12-31T23:59:59.999999999-23:59", "0001-01-01T00:00:00+01:00"]
)
def test_out_of_range_timestamp_is_a_bad_response(text: str) -> None:
    with pytest.raises(errors.BadResponseError):
        Event({"created_at": text}).created_at  # noqa: B018


# --- client options ----------------------------------------------------------------------

number_like = st.one_of(
    st.none(),
    st.integers(min_value=-3, max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=4),
)
options = st.fixed_dictionaries(
    {},
    optional={
        "max_retries": number_like,
        "backoff_base": number_like,
        "backoff_cap": number_like,
        "max_retry_after": number_like,
        "retry_budget": number_like,
        "rate_limit": number_like,
    },
)


@FUZZ
@given(options)
@example({"rate_limit": float("nan")})
@example({"rate_limit": True})
@example({"rate_limit": float("inf")})
@example({"max_retries": 10**6, "backoff_base": 1e308, "backoff_cap": float("inf")})
@example({"max_retries": 10**6, "backoff_base": 1e308, "backoff_cap": 1e308})
def test_client_options_fail_early_or_give_finite_waits(opts: dict[str, Any]) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(503)
        return httpx.Response(200, json={"events": []})

    try:
        client = Client(
            subdomain="coolbikes",
            oauth_token="fuzz-token",
            http_client=mock_http_client(handler),
            **opts,
        )
    except (ValueError, TypeError):
        return
    # The client's own path, with the seam's fake clock: every wait asked for is finite.
    fake = FakeClock()
    with pytest.MonkeyPatch.context() as monkeypatch, client:
        fake.install(monkeypatch)
        with contextlib.suppress(errors.ZendeskError):  # no retries, or too small a budget
            list(client.events(user_id=1))
    assert all(0 <= wait < math.inf for wait in fake.sleeps)
    assert len(calls) <= 2
