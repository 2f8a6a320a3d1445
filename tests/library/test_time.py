"""Time filters (start/end): what goes out on the wire, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from tests._mock import Recorder, client, never, page_body
from zdevents import Event
from zdevents.errors import BadResponseError

UTC = dt.UTC
CEST = dt.timezone(dt.timedelta(hours=2))
EST = dt.timezone(dt.timedelta(hours=-5))


def sent(**filters: object) -> dict[str, str]:
    rec = Recorder(page_body(has_more=False))
    with client(rec) as c:
        list(c.events(user_id=85211553, **filters))  # type: ignore[arg-type]
    assert rec.calls == 1
    return rec.params()


@pytest.mark.parametrize(
    ("start", "wire"),
    [
        (dt.date(2020, 2, 23), "2020-02-23T00:00:00Z"),
        ("2020-02-23", "2020-02-23T00:00:00Z"),
        (dt.datetime(2020, 2, 23, 10, 30, tzinfo=CEST), "2020-02-23T08:30:00Z"),
        (dt.datetime(2020, 2, 23, 22, 0, tzinfo=EST), "2020-02-24T03:00:00Z"),
        (dt.datetime(2020, 2, 23, 8, 30, 0, 123456, tzinfo=UTC), "2020-02-23T08:30:00.123456Z"),
        ("2020-02-23T10:00:00.123456789+02:00", "2020-02-23T08:00:00.123456789Z"),
        ("2020-02-23T10:00:00.175841347Z", "2020-02-23T10:00:00.175841347Z"),
        ("2020-02-23T10:00:00.100Z", "2020-02-23T10:00:00.100Z"),
        ("2020-02-23T10:00:00+0000", "2020-02-23T10:00:00Z"),
        ("2020-02-23t10:00:00z", "2020-02-23T10:00:00Z"),
        ("2020-02-23 10:00:00-05:30", "2020-02-23T15:30:00Z"),
        ("  2020-02-23T10:00:00Z ", "2020-02-23T10:00:00Z"),
        ("2020-02-23T00:30:00+01:00", "2020-02-22T23:30:00Z"),
    ],
)
def test_start_goes_out_as_rfc3339_utc_z(start: object, wire: str) -> None:
    assert sent(start=start)["filter[start_time]"] == wire


@pytest.mark.parametrize(
    ("end", "wire"),
    [
        (dt.date(2020, 2, 29), "2020-02-29T23:59:59.999999999Z"),
        ("2020-02-29", "2020-02-29T23:59:59.999999999Z"),
        ("2020-02-29T12:00:00Z", "2020-02-29T12:00:00Z"),
        (dt.datetime(2020, 2, 29, 23, 0, tzinfo=EST), "2020-03-01T04:00:00Z"),
    ],
)
def test_end_goes_out_as_rfc3339_utc_z_and_a_date_keeps_its_whole_day(
    end: object, wire: str
) -> None:
    assert sent(end=end)["filter[end_time]"] == wire


def test_start_and_end_together() -> None:
    params = sent(start="2020-02-23", end="2020-02-29")
    assert params["filter[start_time]"] == "2020-02-23T00:00:00Z"
    assert params["filter[end_time]"] == "2020-02-29T23:59:59.999999999Z"


def test_same_day_start_and_end_is_allowed() -> None:
    params = sent(start=dt.date(2020, 2, 29), end=dt.date(2020, 2, 29))
    assert params["filter[start_time]"] == "2020-02-29T00:00:00Z"
    assert params["filter[end_time]"] == "2020-02-29T23:59:59.999999999Z"


def test_equal_instants_in_different_zones_are_allowed() -> None:
    params = sent(start="2020-02-23T10:00:00+02:00", end="2020-02-23T08:00:00Z")
    assert params["filter[start_time]"] == params["filter[end_time]"] == "2020-02-23T08:00:00Z"


def test_nanoseconds_order_the_bounds() -> None:
    # Equal to the microsecond, start one nanosecond later than end.
    with client(never) as c, pytest.raises(ValueError, match="after end"):
        c.events(
            user_id=1, start="2020-02-23T10:00:00.000000002Z", end="2020-02-23T10:00:00.000000001Z"
        )


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("start", dt.datetime(2020, 2, 23, 10, 0), "naive"),
        ("end", dt.datetime(2020, 2, 23, 10, 0), "naive"),
        ("start", "2020-02-23T10:00:00", "timezone|Z or an offset"),
        ("start", "yesterday", "ISO 8601"),
        ("end", "2020-02-30", "not a valid date"),
        ("start", "2020-13-01T00:00:00Z", "ISO 8601"),
        ("start", "2020-02-23T25:00:00Z", "ISO 8601"),
        ("end", "", "ISO 8601"),
        ("end", "02/23/2020", "ISO 8601"),
    ],
)
def test_bad_time_is_a_value_error_before_any_request(name: str, value: object, match: str) -> None:
    with client(never) as c, pytest.raises(ValueError, match=match):
        c.events(user_id=1, **{name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2020-03-01", "2020-02-29"),
        (dt.date(2020, 3, 1), dt.date(2020, 2, 29)),
        ("2020-02-29T12:00:00Z", "2020-02-29T11:59:59.999Z"),
        # 10:00 in +02:00 is 08:00Z: after an end of 07:00Z.
        (dt.datetime(2020, 2, 29, 10, tzinfo=CEST), "2020-02-29T07:00:00Z"),
        # A date-only start is 00:00Z of that day, after an end on the day before.
        ("2020-02-29", "2020-02-28T23:59:59Z"),
    ],
)
def test_start_after_end_is_a_value_error_before_any_request(start: object, end: object) -> None:
    with client(never) as c, pytest.raises(ValueError, match="after end"):
        c.events(user_id=1, start=start, end=end)  # type: ignore[arg-type]


def test_wrong_type_of_time_is_a_type_error() -> None:
    with client(never) as c, pytest.raises(TypeError):
        c.events(user_id=1, start=1582416000)  # type: ignore[arg-type]


def test_early_years_keep_four_digits() -> None:
    params = sent(start=dt.date(999, 1, 2), end="0999-01-02T03:04:05Z")
    assert params["filter[start_time]"] == "0999-01-02T00:00:00Z"
    assert params["filter[end_time]"] == "0999-01-02T03:04:05Z"


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+05:00",
        dt.datetime(1, 1, 1, tzinfo=CEST),
        dt.datetime(9999, 12, 31, 23, tzinfo=EST),
    ],
)
def test_out_of_range_in_utc_is_a_value_error(value: object) -> None:
    with client(never) as c, pytest.raises(ValueError):
        c.events(user_id=1, start=value)  # type: ignore[arg-type]


# --- what each refusal says ------------------------------------------------------------------


class _NoOffset(dt.tzinfo):
    """A tzinfo that does not know its offset: the datetime is naive all the same."""

    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return None

    def __repr__(self) -> str:
        return "<no offset>"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "start",
            dt.datetime(2020, 2, 23, 10, 0),
            "start=datetime.datetime(2020, 2, 23, 10, 0) is a naive datetime; give it a timezone "
            "(e.g. datetime(..., tzinfo=timezone.utc)) or pass a date",
        ),
        (
            "end",
            dt.datetime(2020, 2, 23, 10, 0, tzinfo=_NoOffset()),
            "end=datetime.datetime(2020, 2, 23, 10, 0, tzinfo=<no offset>) is a naive datetime; "
            "give it a timezone (e.g. datetime(..., tzinfo=timezone.utc)) or pass a date",
        ),
        (
            "start",
            dt.datetime(1, 1, 1, tzinfo=CEST),
            "start=datetime.datetime(1, 1, 1, 0, 0, tzinfo=datetime.timezone("
            "datetime.timedelta(seconds=7200))) is out of range in UTC",
        ),
        (
            "end",
            "9999-12-31T23:00:00-05:00",
            "end='9999-12-31T23:00:00-05:00' is out of range in UTC",
        ),
        ("end", " 2020-02-30 ", "end='2020-02-30' is not a valid date"),
        (
            "start",
            "yesterday",
            "start='yesterday' is not a valid ISO 8601 date or time (use YYYY-MM-DD or RFC 3339)",
        ),
        (
            "start",
            "2020-02-23T25:00:00Z",
            "start='2020-02-23T25:00:00Z' is not a valid ISO 8601 date or time "
            "(use YYYY-MM-DD or RFC 3339)",
        ),
        (
            "end",
            "2020-02-23T10:00:00",
            "end='2020-02-23T10:00:00' is not a valid ISO 8601 date or time (add Z or an offset)",
        ),
        (
            "start",
            "20200223T100000",
            "start='20200223T100000' is not a valid ISO 8601 date or time (add Z or an offset)",
        ),
    ],
)
def test_a_refused_time_names_the_argument_and_the_problem(
    name: str, value: object, message: str
) -> None:
    with client(never) as c, pytest.raises(ValueError) as caught:
        c.events(user_id=1, **{name: value})  # type: ignore[arg-type]
    assert str(caught.value) == message


@pytest.mark.parametrize("value", [1582416000, 1582416000.0, b"2020-02-23"])
def test_a_time_of_another_type_is_a_type_error_that_names_what_is_accepted(value: object) -> None:
    with client(never) as c, pytest.raises(TypeError) as caught:
        c.events(user_id=1, end=value)  # type: ignore[arg-type]
    assert str(caught.value) == "end must be a date, an aware datetime or an ISO 8601 string"


# --- fractions and the order of bounds -------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "wire"),
    [
        # Read by dateutil (ISO 8601 basic format): microseconds, as a datetime would be.
        ("20200223T100000.5Z", "2020-02-23T10:00:00.500000Z"),
        ("20200223T100000.123456789+0100", "2020-02-23T09:00:00.123456Z"),
        ("20200223T100000,25Z", "2020-02-23T10:00:00.250000Z"),
        ("20200223T100000+0100", "2020-02-23T09:00:00Z"),  # whole seconds: no fraction
        # RFC 3339: the digits as written, none added and none dropped.
        ("2020-02-23T10:00:00.0Z", "2020-02-23T10:00:00.0Z"),
        ("2020-02-23T10:00:00.000000001z", "2020-02-23T10:00:00.000000001Z"),
        ("2020-02-23 10:00:00.5+01:00", "2020-02-23T09:00:00.5Z"),
        ("2020-02-23T10:00Z", "2020-02-23T10:00:00Z"),
        (dt.datetime(2020, 2, 23, 10, 0, 0, 1, tzinfo=UTC), "2020-02-23T10:00:00.000001Z"),
        (dt.datetime(2020, 2, 23, 10, 0, 0, 500000, tzinfo=CEST), "2020-02-23T08:00:00.500000Z"),
        (dt.datetime(2020, 2, 23, 10, 0, 0, 0, tzinfo=CEST), "2020-02-23T08:00:00Z"),
    ],
)
def test_fraction_digits_on_the_wire(start: object, wire: str) -> None:
    assert sent(start=start)["filter[start_time]"] == wire


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # One nanosecond apart, in both spellings of a fraction.
        ("2020-02-23T10:00:00.000000001Z", "2020-02-23T10:00:00.000000002Z"),
        ("2020-02-23T10:00:00.1Z", "2020-02-23T10:00:00.100000001Z"),
        # A datetime's microseconds against a string's nanoseconds.
        (dt.datetime(2020, 2, 23, 10, 0, 0, 1, tzinfo=UTC), "2020-02-23T10:00:00.000001Z"),
        ("2020-02-23T10:00:00.000000999Z", dt.datetime(2020, 2, 23, 10, 0, 0, 1, tzinfo=UTC)),
        ("20200223T100000.000001Z", "2020-02-23T10:00:00.000001Z"),
        # A date-only end is the last nanosecond of its day; a date-only start its first.
        ("2020-02-29T23:59:59.999999999Z", dt.date(2020, 2, 29)),
        ("2020-02-29T23:59:59.999999999Z", "2020-02-29"),
        (dt.date(2020, 2, 29), "2020-02-29T00:00:00Z"),
        ("2020-02-29", "2020-02-29T00:00:00.000Z"),
    ],
)
def test_a_start_up_to_its_end_is_allowed_to_the_nanosecond(start: object, end: object) -> None:
    params = sent(start=start, end=end)
    assert {"filter[start_time]", "filter[end_time]"} <= set(params)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2020-02-23T10:00:00.000000002Z", "2020-02-23T10:00:00.000000001Z"),
        ("2020-02-23T10:00:00.100000001Z", "2020-02-23T10:00:00.1Z"),
        (dt.datetime(2020, 2, 23, 10, 0, 0, 2, tzinfo=UTC), "2020-02-23T10:00:00.000001999Z"),
        ("20200223T100000.000002Z", "2020-02-23T10:00:00.000001999Z"),
        ("2020-03-01T00:00:00Z", dt.date(2020, 2, 29)),
        (dt.date(2020, 2, 29), "2020-02-28T23:59:59.999999999Z"),
        ("2020-02-29", "2020-02-28T23:59:59.999999999Z"),
    ],
)
def test_a_start_after_its_end_by_a_nanosecond_is_refused(start: object, end: object) -> None:
    with client(never) as c, pytest.raises(ValueError, match="after end"):
        c.events(user_id=1, start=start, end=end)  # type: ignore[arg-type]


# --- timestamps in ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2020-06-10T01:24:58.143324138Z", "2020-06-10T01:24:58.143324+00:00"),
        ("2020-06-10t01:24:58.5z", "2020-06-10T01:24:58.500000+00:00"),
        ("2020-06-10 01:24:58+01:00", "2020-06-10T00:24:58+00:00"),
        ("2020-06-10T01:24:58.5-01:00", "2020-06-10T02:24:58.500000+00:00"),
        ("20200610T012458Z", "2020-06-10T01:24:58+00:00"),
        ("20200610T012458.25+0200", "2020-06-09T23:24:58.250000+00:00"),
        # ISO 8601's end of the day, which RFC 3339 leaves out: the next midnight.
        ("2020-06-10T24:00:00Z", "2020-06-11T00:00:00+00:00"),
        ("2020-06-10", "2020-06-10T00:00:00+00:00"),
    ],
)
def test_event_timestamps_in_rarer_spellings_are_read_as_utc(text: str, utc: str) -> None:
    event = Event({"created_at": text, "received_at": text})
    assert event.created_at.isoformat() == utc
    assert event.created_at.tzinfo is UTC
    assert event.received_at == event.created_at


@pytest.mark.parametrize("text", ["yesterday", "2020-06-10T25:00:00Z", "2020-06-10T01:24:60Z", ""])
def test_an_event_timestamp_that_is_no_time_is_a_bad_response(text: str) -> None:
    with pytest.raises(BadResponseError, match="'created_at' is not an RFC 3339 timestamp"):
        _ = Event({"created_at": text}).created_at
