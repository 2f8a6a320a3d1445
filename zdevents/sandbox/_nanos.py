"""Timestamps as integers of nanoseconds since the epoch, parsed without losing digits.

Python's ``datetime`` keeps microseconds only; Zendesk's timestamps carry up to nine
fractional digits, and filters are inclusive, so comparisons must happen at full precision.
"""

from __future__ import annotations

import datetime as dt
import re
import time

_NS_PER_SECOND = 1_000_000_000
_SECONDS_PER_DAY = 86_400
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

# `[0-9]`, not `\d`: `\d` would accept other scripts' digits.
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,9}))?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _day_ns(year: str, month: str, day: str) -> int | None:
    try:
        ordinal = dt.date(int(year), int(month), int(day)).toordinal()
    except ValueError:
        return None
    return (ordinal - _EPOCH_ORDINAL) * _SECONDS_PER_DAY * _NS_PER_SECOND


def parse_datetime_ns(text: str) -> int | None:
    """Parse an RFC 3339 date-time (up to 9 fractional digits); ``None`` if invalid."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    day_ns = _day_ns(year, month, day)
    if day_ns is None or int(hour) > 23 or int(minute) > 59 or int(second) > 59:
        return None
    offset_seconds = 0
    if offset not in ("Z", "z"):
        off_hours, off_minutes = int(offset[1:3]), int(offset[4:6])
        if off_hours > 23 or off_minutes > 59:
            return None
        offset_seconds = (off_hours * 3600 + off_minutes * 60) * (-1 if offset[0] == "-" else 1)
    seconds = int(hour) * 3600 + int(minute) * 60 + int(second) - offset_seconds
    fraction_ns = int(fraction.ljust(9, "0")) if fraction else 0
    return day_ns + seconds * _NS_PER_SECOND + fraction_ns


def parse_filter_ns(text: str, *, end: bool) -> int | None:
    """Parse a ``filter[start_time]``/``filter[end_time]`` value; ``None`` if invalid.

    A bare date means the start of that UTC day, or as an end bound the whole day, so that
    ``start=2020-02-23&end=2020-02-29`` covers seven full days as Zendesk's guide implies.
    """
    match = _DATE.fullmatch(text)
    if match is None:
        return parse_datetime_ns(text)
    day_ns = _day_ns(*match.groups())
    if day_ns is None:
        return None
    if end:
        return day_ns + _SECONDS_PER_DAY * _NS_PER_SECOND - 1
    return day_ns


def format_ns(ns: int) -> str:
    """Format nanoseconds since the epoch as RFC 3339 UTC with nine fractional digits."""
    seconds, fraction = divmod(ns, _NS_PER_SECOND)
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction:09d}Z"


def now_ns() -> int:
    """The current time in nanoseconds since the epoch."""
    return time.time_ns()
