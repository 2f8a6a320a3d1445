"""The arguments of ``events()``, pinned where mutants of their checks outlived the suite
(issue 15): a cursor given as ``after`` reaches the query, ISO 8601 that the RFC 3339 pattern
does not read goes through the lenient fallback (and its time-zone check), every conversion
to UTC holds in a time zone that is not UTC, and identifier values compare as Zendesk does.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator

import pytest

from tests._mock import Recorder, client, never, page_body
from zdevents import Event, Identifier

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


def sent(**arguments: object) -> dict[str, str]:
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
    assert sent(after=cursor) == {"page[after]": cursor, "page[size]": "100"}


def test_after_reaches_the_query_with_every_filter() -> None:
    params = sent(after="c9", source="shop", type="login", page_size=7)
    assert params == {
        "page[after]": "c9",
        "page[size]": "7",
        "filter[source]": "shop",
        "filter[type]": "login",
    }


def test_without_after_no_cursor_is_sent() -> None:
    assert sent() == {"page[size]": "100"}


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
    assert sent(start=text)["filter[start_time]"] == wire
    assert sent(end=text)["filter[end_time]"] == wire


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
    assert sent(start=value)["filter[start_time]"] == wire


def test_a_date_end_is_the_whole_utc_day_in_any_local_zone(non_utc_zone: None) -> None:
    assert sent(end=dt.date(2024, 7, 1))["filter[end_time]"] == "2024-07-01T23:59:59.999999999Z"


def test_start_and_end_are_compared_in_utc(non_utc_zone: None) -> None:
    # 10:00+02:00 is 08:00Z, before 09:00Z: allowed; 11:00+02:00 is after it: refused.
    assert sent(start="2024-07-01T10:00:00+02:00", end="2024-07-01T09:00:00Z")
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
