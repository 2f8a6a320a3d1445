"""Time filters (start/end): what goes out on the wire, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from tests._mock import Recorder, client, never, page_body

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
