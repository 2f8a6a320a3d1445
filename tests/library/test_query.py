"""events() arguments: selectors, filters, page size; each route's URL and params on the wire.

Pinned further where mutants of their checks outlived the suite (issue 15): a cursor given as
``after`` reaches the query, ISO 8601 that the RFC 3339 pattern does not read goes through the
lenient fallback (and its time-zone check), every conversion to UTC holds in a time zone that
is not UTC, and identifier values compare as Zendesk does.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

import zdevents
from tests._mock import BASE, Recorder, client, never, page_body
from zdevents import Client, Event, Identifier


def sent(**arguments: object) -> Recorder:
    rec = Recorder(page_body(has_more=False))
    with client(rec) as c:
        assert list(c.events(**arguments)) == []  # type: ignore[arg-type]
    assert rec.calls == 1
    assert rec.last.method == "GET"
    return rec


def refusal(kind: type[Exception], arguments: dict[str, object]) -> str:
    """The message of the ``kind`` of error ``events(**arguments)`` raises (before any
    request: the transport refuses to be called)."""
    with client(never) as c, pytest.raises(kind) as caught:
        c.events(**arguments)  # type: ignore[arg-type]
    return str(caught.value)


def test_identifier_route() -> None:
    rec = sent(identifier="coolbikes:rider:email:jdoe@example.com")
    assert rec.last.url.copy_with(query=None) == f"{BASE}/api/v2/user_profiles/events"
    assert rec.params() == {
        "identifier": "coolbikes:rider:email:jdoe@example.com",
        "page[size]": "100",
    }


def test_identifier_object_is_the_same_as_its_text() -> None:
    a = sent(identifier=Identifier("coolbikes", "rider", "email", "jdoe@example.com"))
    b = sent(identifier="coolbikes:rider:email:jdoe@example.com")
    assert a.last.url == b.last.url


def test_profile_id_route() -> None:
    rec = sent(profile_id="01E1G0NJSQPNPZRV096JXKXFAA")
    assert rec.last.url.path == "/api/v2/user_profiles/01E1G0NJSQPNPZRV096JXKXFAA/events"
    assert rec.last.url.host == "coolbikes.zendesk.com"
    assert rec.last.url.scheme == "https"
    assert rec.params() == {"page[size]": "100"}


@pytest.mark.parametrize("user_id", [85211553, "85211553"])
def test_user_id_route(user_id: object) -> None:
    rec = sent(user_id=user_id)
    assert str(rec.last.url.copy_with(query=None)) == f"{BASE}/api/v2/users/85211553/events"
    assert rec.params() == {"page[size]": "100"}


def test_all_filters_on_the_wire_with_their_bracketed_names() -> None:
    rec = sent(
        profile_id="01E1G0NJSQPNPZRV096JXKXFAA",
        source="coolbike",
        type="bike_rental_booked",
        start="2020-02-23",
        end="2020-02-29T12:00:00Z",
        page_size=25,
    )
    assert rec.params() == {
        "filter[source]": "coolbike",
        "filter[type]": "bike_rental_booked",
        "filter[start_time]": "2020-02-23T00:00:00Z",
        "filter[end_time]": "2020-02-29T12:00:00Z",
        "page[size]": "25",
    }
    # Brackets are percent-encoded once, as Zendesk's own next links do.
    raw = rec.last.url.query.decode()
    assert "filter%5Bsource%5D=coolbike" in raw
    assert "page%5Bsize%5D=25" in raw
    assert "page[after]" not in rec.params()


def test_source_alone_is_allowed() -> None:
    rec = sent(user_id=1, source="zendesk")
    assert rec.params() == {"filter[source]": "zendesk", "page[size]": "100"}


def test_base_url_path_prefix_is_kept() -> None:
    rec = Recorder(page_body(has_more=False))
    with client(rec, base_url="https://proxy.example.com/zendesk/") as c:
        list(c.events(user_id=7))
    assert str(rec.last.url.copy_with(query=None)) == (
        "https://proxy.example.com/zendesk/api/v2/users/7/events"
    )


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({}, "exactly one of identifier, profile_id, user_id"),
        ({"identifier": "a:b:c:d", "user_id": 1}, "got identifier, user_id"),
        ({"profile_id": "P", "user_id": 1}, "got profile_id, user_id"),
        ({"identifier": "a:b:c:d", "profile_id": "P", "user_id": 1}, "exactly one"),
        ({"source": "coolbike"}, "exactly one"),
        ({"user_id": 1, "type": "bike_rental_booked"}, "type needs source"),
        ({"user_id": 1, "source": ""}, "source must not be empty"),
        ({"user_id": 1, "source": "  "}, "source must not be empty"),
        ({"user_id": 1, "source": "s", "type": ""}, "type must not be empty"),
        ({"user_id": 0}, "not a positive integer"),
        ({"user_id": -5}, "not a positive integer"),
        ({"user_id": "12a"}, "not a positive integer"),
        ({"user_id": ""}, "not a positive integer"),
        ({"profile_id": ""}, "profile_id must not be empty"),
        ({"profile_id": "a/b"}, "not a profile id"),
        ({"profile_id": ".."}, "not a profile id"),
        ({"profile_id": "."}, "not a profile id"),
        ({"profile_id": " P1"}, "not a profile id"),
        ({"identifier": "coolbikes:rider:email"}, "four parts"),
        ({"identifier": ""}, "four parts"),
        ({"user_id": 1, "page_size": 0}, r"outside 1\.\.100"),
        ({"user_id": 1, "page_size": 101}, r"outside 1\.\.100"),
        ({"user_id": 1, "page_size": -1}, r"outside 1\.\.100"),
    ],
)
def test_invalid_arguments_are_value_errors_before_any_request(
    arguments: dict[str, object], match: str
) -> None:
    with client(never) as c, pytest.raises(ValueError, match=match):
        c.events(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "arguments",
    [
        {"user_id": 1, "page_size": True},
        {"user_id": 1, "page_size": "5"},
        {"user_id": 1, "page_size": 5.0},
        {"user_id": True},
        {"user_id": 1.5},
        {"identifier": 12},
        {"user_id": 1, "source": 5},
    ],
)
def test_wrong_argument_types_are_type_errors_before_any_request(
    arguments: dict[str, object],
) -> None:
    with client(never) as c, pytest.raises(TypeError):
        c.events(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("page_size", [1, 100])
def test_page_size_limits_are_inclusive(page_size: int) -> None:
    assert sent(user_id=1, page_size=page_size).params()["page[size]"] == str(page_size)


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("events", ("coolbikes:rider:email:jdoe@example.com",)),
        ("events", (None, None, 85211553)),
        ("profile", ("coolbikes:rider:email:jdoe@example.com",)),
        ("profiles", (85211553,)),
    ],
)
def test_selectors_are_keyword_only(method: str, args: tuple[object, ...]) -> None:
    rec = Recorder(page_body(has_more=False))
    with client(rec) as c, pytest.raises(TypeError, match="positional argument"):
        getattr(c, method)(*args)
    assert rec.calls == 0


def test_events_does_not_send_until_iterated() -> None:
    with client(never) as c:
        stream = c.events(user_id=1, source="coolbike")
        assert stream.query.user_id == 1
        assert stream.query.source == "coolbike"


@pytest.mark.parametrize(
    ("profile_id", "segment"), [("a?b#c", "a%3Fb%23c"), ("a b", "a%20b"), ("%2e%2e", "%252e%252e")]
)
def test_profile_id_is_one_encoded_path_segment(profile_id: str, segment: str) -> None:
    rec = sent(profile_id=profile_id)
    assert rec.last.url.raw_path.decode().split("?")[0] == f"/api/v2/user_profiles/{segment}/events"


def test_user_id_beyond_int64_is_refused() -> None:
    with client(never) as c:
        with pytest.raises(ValueError, match="64 bits"):
            c.events(user_id=2**63)
        assert c.events(user_id=2**63 - 1).query.user_id == 2**63 - 1


@pytest.mark.parametrize("kind", ["str", "int"])
def test_a_user_id_of_thousands_of_digits_is_refused_in_a_short_message(kind: str) -> None:
    # int() and repr() refuse more than 4,300 digits with a ValueError of their own.
    user_id = "9" * 5000 if kind == "str" else 10**5000
    with client(never) as c, pytest.raises(ValueError, match="64 bits") as caught:
        c.events(user_id=user_id)  # type: ignore[arg-type]
    assert str(caught.value).startswith("user_id")
    assert len(str(caught.value)) < 200


# --- what each refusal says ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "give exactly one of identifier, profile_id, user_id (got none)"),
        (
            {"identifier": "a:b:c:d", "profile_id": "P"},
            "give exactly one of identifier, profile_id, user_id (got identifier, profile_id)",
        ),
        (
            {"identifier": "a:b:c:d", "profile_id": "P", "user_id": 1},
            "give exactly one of identifier, profile_id, user_id "
            "(got identifier, profile_id, user_id)",
        ),
        ({"profile_id": "a/b"}, "profile_id='a/b' is not a profile id"),
        ({"profile_id": "P1 "}, "profile_id='P1 ' is not a profile id"),
        ({"profile_id": "\t"}, "profile_id must not be empty"),
        ({"user_id": 1, "source": ""}, "source must not be empty"),
        ({"user_id": 1, "source": "s", "type": " "}, "type must not be empty"),
        (
            {"user_id": 1, "type": "login"},
            "type needs source too: Zendesk filters types within one source",
        ),
        (
            {"user_id": 1, "start": "2020-03-01", "end": "2020-02-29"},
            "start (2020-03-01T00:00:00Z) is after end (2020-02-29T23:59:59.999999999Z)",
        ),
        ({"user_id": 1, "page_size": 0}, "page_size=0 is outside 1..100"),
        ({"user_id": 1, "page_size": 101}, "page_size=101 is outside 1..100"),
        ({"user_id": 1, "after": ""}, "after='' must be a non-empty cursor string (Page.cursor)"),
        ({"user_id": 1, "after": " "}, "after=' ' must be a non-empty cursor string (Page.cursor)"),
        ({"user_id": 1, "after": 5}, "after=5 must be a non-empty cursor string (Page.cursor)"),
        (
            {"user_id": 1, "after": "c\udcff"},
            "after is not valid text: character 2 is a lone surrogate ('\\udcff'), "
            "from bytes that are not UTF-8",
        ),
        (
            {"user_id": 1, "source": "s\udcff"},
            "source is not valid text: character 2 is a lone surrogate ('\\udcff'), "
            "from bytes that are not UTF-8",
        ),
        (
            {"profile_id": "\udcffP"},
            "profile_id is not valid text: character 1 is a lone surrogate ('\\udcff'), "
            "from bytes that are not UTF-8",
        ),
    ],
)
def test_a_refused_argument_is_named_with_the_problem(
    arguments: dict[str, object], message: str
) -> None:
    assert refusal(ValueError, arguments) == message


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"identifier": 12}, "identifier must be a str or Identifier, not int"),
        ({"user_id": 1, "source": 5}, "source must be a string, not int"),
        ({"user_id": 1, "source": "s", "type": b"t"}, "type must be a string, not bytes"),
        ({"profile_id": ["P"]}, "profile_id must be a string, not list"),
        ({"user_id": 1.0}, "user_id must be an int, not float"),
        ({"user_id": False}, "user_id must be an int, not bool"),
        ({"user_id": 1, "page_size": "5"}, "page_size must be an int, not str"),
        ({"user_id": 1, "page_size": True}, "page_size must be an int, not bool"),
    ],
)
def test_a_wrong_type_is_named_with_the_type_given(
    arguments: dict[str, object], message: str
) -> None:
    assert refusal(TypeError, arguments) == message


# --- user ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "message"),
    [
        ("12a", "user_id='12a' is not a positive integer"),
        ("-5", "user_id='-5' is not a positive integer"),
        (" 5", "user_id=' 5' is not a positive integer"),
        ("\u0661\u0662", "user_id='\u0661\u0662' is not a positive integer"),  # Arabic-Indic
        ("\u00b2", "user_id='\u00b2' is not a positive integer"),  # superscript two
        # A value is quoted whole up to 80 characters, and cut to 80 beyond.
        ("x" * 78, f"user_id='{'x' * 78}' is not a positive integer"),
        ("x" * 79, f"user_id='{'x' * 74}...' is not a positive integer"),
        ("x" * 100, f"user_id='{'x' * 74}...' is not a positive integer"),
        (0, "user_id=0 is not a positive integer of at most 64 bits"),
        ("0", "user_id=0 is not a positive integer of at most 64 bits"),
        (-1, "user_id=-1 is not a positive integer of at most 64 bits"),
        (2**63, "user_id=9223372036854775808 is not a positive integer of at most 64 bits"),
        (2**64 - 1, "user_id=18446744073709551615 is not a positive integer of at most 64 bits"),
        (2**64, "user_id=a 65-bit number is not a positive integer of at most 64 bits"),
        (-(2**64), "user_id=a 65-bit number is not a positive integer of at most 64 bits"),
        ("9" * 19, "user_id=9999999999999999999 is not a positive integer of at most 64 bits"),
        (
            "1" + "0" * 19,
            "user_id has 20 digits; it must be a positive integer of at most 64 bits",
        ),
        (
            "9" * 5000,
            "user_id has 5,000 digits; it must be a positive integer of at most 64 bits",
        ),
    ],
)
def test_a_refused_user_id_says_why(user_id: object, message: str) -> None:
    assert refusal(ValueError, {"user_id": user_id}) == message


@pytest.mark.parametrize(
    ("user_id", "path"),
    [
        ("0" * 30 + "85211553", "/api/v2/users/85211553/events"),
        ("1", "/api/v2/users/1/events"),
        ("0" * 5 + "9223372036854775807", "/api/v2/users/9223372036854775807/events"),
    ],
)
def test_a_user_id_given_as_text_goes_out_as_its_number(user_id: object, path: str) -> None:
    assert sent(user_id=user_id).last.url.path == path


# --- how a query names itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "described"),
    [
        ({"identifier": "shop:customer:email:jdoe@example.com"}, "identifier shop:customer:..."),
        ({"profile_id": "01E1G0NJSQPNPZRV096JXKXFAA"}, "profile 01E1G0NJSQPNPZRV096JXKXFAA"),
        ({"user_id": "0085211553"}, "user 85211553"),
        # Forty characters are shown whole; more are cut to thirty-seven and "...".
        ({"identifier": f"{'s' * 40}:{'t' * 41}:k:v"}, f"identifier {'s' * 40}:{'t' * 37}...:..."),
        ({"profile_id": "p" * 40}, f"profile {'p' * 40}"),
        ({"profile_id": "p" * 41}, f"profile {'p' * 37}..."),
    ],
)
def test_a_query_describes_its_selector_without_an_identifier_value(
    arguments: dict[str, object], described: str
) -> None:
    with client(never) as c:
        stream = c.events(**arguments)  # type: ignore[arg-type]
        assert stream.query.describe() == described
        assert repr(stream).startswith(f"<EventStream {described}")


# --- the length of the text arguments ----------------------------------------------------------

LIMIT = 60 * 1024  # what the text arguments of one query may take of the URL, percent-encoded


def too_long(name: str, size: int) -> str:
    return (
        f"{name} is too long: {size:,} characters once percent-encoded; the text arguments of "
        "one query may take 61,440 together (URLs are limited to 64 KiB)"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"user_id": 1, "source": "s" * (LIMIT + 1)}, too_long("source", LIMIT + 1)),
        # "/" is three characters once encoded, as in a path segment or a query value.
        ({"user_id": 1, "source": "/" * (LIMIT // 3 + 1)}, too_long("source", LIMIT + 3)),
        ({"profile_id": "p" * (LIMIT + 1)}, too_long("profile_id", LIMIT + 1)),
        ({"user_id": 1, "after": "a" * (LIMIT + 1)}, too_long("after", LIMIT + 1)),
        (
            {"identifier": "s:t:k:" + "v" * LIMIT},
            too_long("identifier", LIMIT + 12),  # the three ":" become "%3A"
        ),
        # Together over the limit, each below it: the longest is named.
        (
            {"user_id": 1, "source": "s" * (LIMIT // 2), "type": "t" * (LIMIT // 2 + 1)},
            too_long("type", LIMIT // 2 + 1),
        ),
        (
            {"user_id": 1, "source": "s" * (LIMIT // 2 + 1), "type": "t" * (LIMIT // 2)},
            too_long("source", LIMIT // 2 + 1),
        ),
        (
            {"profile_id": "p" * (LIMIT - 5), "after": "a" * 6},
            too_long("profile_id", LIMIT - 5),
        ),
    ],
)
def test_text_arguments_too_long_for_a_url_are_refused_by_name(
    arguments: dict[str, object], message: str
) -> None:
    assert refusal(ValueError, arguments) == message


@pytest.mark.parametrize(
    "arguments",
    [
        {"user_id": 1, "source": "s" * LIMIT},
        {"user_id": 1, "source": "s" * (LIMIT // 2), "type": "t" * (LIMIT // 2)},
        {"user_id": 1, "source": "s", "type": "t", "after": "a" * (LIMIT - 2)},
        {"identifier": "s:t:k:" + "v" * (LIMIT - 12)},
        {"profile_id": "p" * (LIMIT - 1), "source": "s"},
    ],
)
def test_text_arguments_up_to_the_limit_are_sent(arguments: dict[str, object]) -> None:
    rec = sent(**arguments)
    assert len(str(rec.last.url)) > LIMIT


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.profile(identifier="s:t:k:" + "v" * LIMIT),
            too_long("identifier", LIMIT + 12),
        ),
        (lambda c: c.profile(profile_id="p" * (LIMIT + 1)), too_long("profile_id", LIMIT + 1)),
        (
            lambda c: c.put_profile(
                {"source": "s", "type": "t", "identifiers": [{"type": "k", "value": "v"}]},
                identifier="s:t:k:" + "v" * LIMIT,
            ),
            too_long("identifier", LIMIT + 12),
        ),
        (
            lambda c: c.track({"source": "s", "type": "t"}, profile_id="p" * (LIMIT + 1)),
            too_long("profile_id", LIMIT + 1),
        ),
    ],
)
def test_profile_and_track_targets_too_long_for_a_url_are_refused_by_name(
    call: Any, message: str
) -> None:
    with client(never) as c, pytest.raises(ValueError) as caught:
        call(c)
    assert str(caught.value) == message


def test_the_checked_filters_keep_every_bound() -> None:
    # make_filters is what sync reads its floor from: each filter comes back as wire text.
    from zdevents._query import make_filters

    start, end = "2024-01-01T00:00:00Z", "2024-01-02T03:04:05Z"
    query = make_filters(source="s", type="t", start=start, end=end, page_size=7)
    assert (query.source, query.type, query.page_size) == ("s", "t", 7)
    assert (query.start, query.end) == (start, end)
    assert (query.identifier, query.profile_id, query.user_id) == (None, None, None)


# --- pinned where mutants of the checks outlived the suite (issue 15) ---------------------

#: Newfoundland: UTC-3:30 (-2:30 in summer). A half-hour offset, so that neither a whole-hour
#: slip nor "the machine runs in UTC" can pass for a conversion to UTC.
ZONE = "America/St_Johns"


@pytest.fixture
def non_utc_zone() -> Iterator[None]:
    """The process's local time zone set to :data:`ZONE` for one test."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = ZONE
    time.tzset()
    try:
        assert time.localtime(0).tm_gmtoff == -(3 * 3600 + 1800), "tzdata lacks America/St_Johns"
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


def on_wire(**arguments: object) -> dict[str, str]:
    rec = Recorder(page_body(has_more=False))
    with client(rec) as c:
        list(c.events(user_id=1, **arguments))  # type: ignore[arg-type]
    assert rec.calls == 1
    return rec.params()


# --- after ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cursor", ["c", "c2", "eyJvIjoxMDB9", "eyJvIjoxMDB9==", "a+b/c=", "01E24ET0G1PHQ8QVNYRYM4Q001"]
)
def test_a_cursor_given_as_after_is_sent_as_the_first_page_cursor(cursor: str) -> None:
    assert on_wire(after=cursor) == {"page[after]": cursor, "page[size]": "100"}


def test_after_reaches_the_query_with_every_filter() -> None:
    params = on_wire(after="c9", source="shop", type="login", page_size=7)
    assert params == {
        "page[after]": "c9",
        "page[size]": "7",
        "filter[source]": "shop",
        "filter[type]": "login",
    }


def test_without_after_no_cursor_is_sent() -> None:
    assert on_wire() == {"page[size]": "100"}


@pytest.mark.parametrize("after", ["", " ", "\t\n"])
def test_a_blank_after_is_refused_before_any_request(after: str) -> None:
    with client(never) as c, pytest.raises(ValueError, match="after"):
        c.events(user_id=1, after=after)


# --- ISO 8601 beyond RFC 3339, and time zones ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "wire"),
    [
        ("20240101T100000Z", "2024-01-01T10:00:00Z"),  # ISO 8601 basic format
        ("20240101T100000+0200", "2024-01-01T08:00:00Z"),
        ("20240101T100000-0330", "2024-01-01T13:30:00Z"),
        ("2024-01-01T10Z", "2024-01-01T10:00:00Z"),  # hours only
        ("2024-W01-1T10:00:00Z", "2024-01-01T10:00:00Z"),  # week date
    ],
)
def test_iso_8601_that_rfc_3339_does_not_cover_is_read_and_sent_in_utc(
    non_utc_zone: None, text: str, wire: str
) -> None:
    assert on_wire(start=text)["filter[start_time]"] == wire
    assert on_wire(end=text)["filter[end_time]"] == wire


@pytest.mark.parametrize("text", ["20240101T100000", "2024-01-01T10", "2024-W01-1T10:00:00"])
def test_iso_8601_without_an_offset_is_refused_by_the_fallback_too(
    non_utc_zone: None, text: str
) -> None:
    with client(never) as c, pytest.raises(ValueError, match="add Z or an offset"):
        c.events(user_id=1, start=text)


@pytest.mark.parametrize("text", ["2024-01-01T10:00:00", "2024-01-01 10:00"])
def test_rfc_3339_without_an_offset_is_refused(non_utc_zone: None, text: str) -> None:
    with client(never) as c, pytest.raises(ValueError, match="add Z or an offset"):
        c.events(user_id=1, end=text)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("2024-07-01T10:00:00+02:00", "2024-07-01T08:00:00Z"),
        ("2024-07-01T10:00:00.5-02:30", "2024-07-01T12:30:00.5Z"),
        (
            dt.datetime(2024, 7, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2024-07-01T08:00:00Z",
        ),
        (dt.datetime(2024, 7, 1, 10, tzinfo=dt.UTC), "2024-07-01T10:00:00Z"),
        (dt.date(2024, 7, 1), "2024-07-01T00:00:00Z"),
        ("2024-07-01", "2024-07-01T00:00:00Z"),
    ],
)
def test_bounds_are_converted_to_utc_not_to_local_time(
    non_utc_zone: None, value: object, wire: str
) -> None:
    assert on_wire(start=value)["filter[start_time]"] == wire


def test_a_date_end_is_the_whole_utc_day_in_any_local_zone(non_utc_zone: None) -> None:
    assert on_wire(end=dt.date(2024, 7, 1))["filter[end_time]"] == "2024-07-01T23:59:59.999999999Z"


def test_start_and_end_are_compared_in_utc(non_utc_zone: None) -> None:
    # 10:00+02:00 is 08:00Z, before 09:00Z: allowed; 11:00+02:00 is after it: refused.
    assert on_wire(start="2024-07-01T10:00:00+02:00", end="2024-07-01T09:00:00Z")
    with client(never) as c, pytest.raises(ValueError, match="after end"):
        c.events(user_id=1, start="2024-07-01T11:00:00.1+02:00", end="2024-07-01T09:00:00Z")


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2020-06-10T01:24:58.143324138Z", "2020-06-10T01:24:58.143324+00:00"),
        ("2020-06-10T01:24:58.143324138+02:00", "2020-06-09T23:24:58.143324+00:00"),
        ("2020-06-10T01:24:58-03:30", "2020-06-10T04:54:58+00:00"),
        ("2020-06-10T01:24:58", "2020-06-10T01:24:58+00:00"),  # no offset: Zendesk sends UTC
    ],
)
def test_event_timestamps_are_aware_utc_in_any_local_zone(
    non_utc_zone: None, text: str, utc: str
) -> None:
    event = Event({"created_at": text, "received_at": text})
    for moment in (event.created_at, event.received_at):
        assert moment is not None
        assert moment.utcoffset() == dt.timedelta(0)
        assert moment.isoformat() == utc


# --- identifier values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("email", "JDoe@Example.COM", "jdoe@example.com"),
        ("twitter", "@CoolBikes", "@coolbikes"),
        ("phone", "+1 555 ABC", "+1 555 ABC"),
        ("url", "https://Example.com/A", "https://Example.com/A"),
        ("external_id", "AbC", "AbC"),
    ],
)
def test_only_email_and_twitter_values_compare_without_case(
    key: str, value: str, stored: str
) -> None:
    assert Identifier.normalize_value(key, value) == stored
    upper = Identifier("shop", "customer", key, value)
    lower = Identifier("shop", "customer", key, value.lower())
    assert (upper.matching_key() == lower.matching_key()) is (stored == value.lower())
    assert upper.matching_key() == ("shop", "customer", key, stored)


def test_matching_keys_differ_by_source_type_and_key() -> None:
    base = Identifier("shop", "customer", "email", "a@example.com")
    others = [
        Identifier("Shop", "customer", "email", "a@example.com"),
        Identifier("shop", "Customer", "email", "a@example.com"),
        Identifier("shop", "customer", "twitter", "a@example.com"),
    ]
    assert all(base.matching_key() != other.matching_key() for other in others)


def test_an_identifier_is_sent_as_typed_whatever_its_matching_key() -> None:
    params = sent_identifier("shop:customer:email:JDoe@Example.COM")
    assert params["identifier"] == "shop:customer:email:JDoe@Example.COM"


def sent_identifier(text: str) -> dict[str, str]:
    rec = Recorder(page_body(has_more=False))
    with client(rec) as c:
        list(c.events(identifier=text))
    return rec.params()


# --- what identifier errors say --------------------------------------------------------------


def test_identifier_type_errors_name_the_part_and_the_type() -> None:
    with pytest.raises(TypeError) as info:
        Identifier(5, "customer", "email", "a@b.c")  # type: ignore[arg-type]
    assert str(info.value) == "identifier source must be a string, not int"
    with pytest.raises(TypeError) as info:
        Identifier.parse(b"a:b:c:d")  # type: ignore[arg-type]
    assert str(info.value) == "identifier must be a string, not bytes"


def test_an_identifier_with_too_few_parts_shows_an_example() -> None:
    with pytest.raises(ValueError) as info:
        Identifier.parse("shop:customer:email")
    assert str(info.value) == (
        "identifier 'shop:customer:email' must have four parts, source:type:key:value "
        "(e.g. coolbikes:rider:email:jdoe@example.com)"
    )


@pytest.mark.parametrize("length", [79, 80, 81, 200])
def test_a_value_with_surrounding_whitespace_is_quoted_whole_up_to_80_characters(
    length: int,
) -> None:
    value = "v" * (length - 1) + " "
    with pytest.raises(ValueError) as info:
        Identifier("shop", "customer", "email", value)
    shown = repr(value) if length <= 80 else f"{value[:40]!r}..."
    assert str(info.value) == (
        f"identifier value {shown} has surrounding whitespace or control characters"
    )


@pytest.mark.parametrize("method", ["events", "events_many", "pages_many"])
def test_an_unknown_filter_is_a_type_error_naming_the_public_method(method: str) -> None:
    rec = Recorder(page_body(has_more=False))
    with client(rec) as c, pytest.raises(TypeError) as info:
        if method == "events":
            c.events(user_id=1, sourc="x")  # type: ignore[call-arg]
        else:
            getattr(c, method)([], sourc="x")
    assert str(info.value) == f"Client.{method}() got an unexpected keyword argument 'sourc'"
    assert rec.calls == 0


@pytest.mark.parametrize(
    ("filters", "kind", "message"),
    [
        ({"type": "x"}, ValueError, "type needs source too"),
        ({"page_size": 0}, ValueError, "page_size=0 is outside 1..100"),
        ({"page_size": "5"}, TypeError, "page_size must be an int, not str"),
        ({"start": "2024-02-02", "end": "2024-02-01"}, ValueError, "start (2024-02-02"),
        (
            {"after": "c"},
            TypeError,
            "validate_filters() got an unexpected keyword argument 'after'",
        ),
        ({"source": "s" * (LIMIT + 1)}, ValueError, too_long("source", LIMIT + 1)),
        (
            {"source": "s" * (LIMIT // 2), "type": "t" * (LIMIT // 2 + 1)},
            ValueError,
            too_long("type", LIMIT // 2 + 1),
        ),
    ],
)
def test_the_filters_are_checked_on_their_own_as_events_checks_them(
    filters: dict[str, Any], kind: type[Exception], message: str
) -> None:
    with pytest.raises(kind) as alone:
        zdevents.validate_filters(**filters)
    assert message in str(alone.value)
    if "after" not in filters:
        with pytest.raises(kind) as within:
            Client(subdomain="coolbikes", oauth_token="t").events(user_id=1, **filters)
        assert str(within.value) == str(alone.value)
    zdevents.validate_filters(source="s", type="t", start="2024-01-01", page_size=5)
