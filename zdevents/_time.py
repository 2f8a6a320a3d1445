"""Time filters out, timestamps in: the one place zdevents reads or writes a time.

Timestamps in (an event's ``created_at``, ``received_at``) become aware UTC datetimes,
truncated to microseconds, through ``datetime.fromisoformat`` (Python 3.11 reads RFC 3339
with ``Z`` and nine fraction digits); the rarer spellings it refuses go through the same
regular expression as the filters, then ``dateutil``.

Filters go out as RFC 3339 in UTC with ``Z``. A ``date`` means that whole UTC day: as
``start`` it becomes 00:00:00Z, as ``end`` 23:59:59.999999999Z, so that a date-only end keeps
every event of its day whatever the server makes of bare dates (Zendesk does not say). A
string keeps its fractional digits (up to nine), so a bound copied from an event's
``created_at`` stays exact; Python datetimes hold only microseconds.
"""

from __future__ import annotations

import datetime as dt
import re

TimeInput = dt.date | dt.datetime | str

_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}(?::\d{2})?)"
    r"(?:\.(?P<frac>\d{1,9}))?(?P<tz>[Zz]|[+-]\d{2}:?\d{2})?"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# (UTC datetime without sub-second part, nanoseconds): orders bounds to the nanosecond.
TimeBound = tuple[dt.datetime, int]


def parse_timestamp(text: str) -> dt.datetime:
    """An RFC 3339 timestamp as an aware UTC datetime; no offset is read as UTC (Zendesk
    sends UTC). Raises ``ValueError`` (or ``OverflowError`` past datetime's range)."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = _parse_rarer(text)
    tz = moment.tzinfo
    if tz is dt.UTC:  # "Z" and "+00:00": the common case, no conversion
        return moment
    if tz is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _parse_rarer(text: str) -> dt.datetime:
    # Lower-case "t"/"z", a space, or forms only dateutil reads.
    match = _RFC3339.fullmatch(text)
    if match:
        tz = match["tz"] or ""
        frac = (match["frac"] or "")[:6]
        return dt.datetime.fromisoformat(
            f"{match['date']}T{match['time']}{'.' + frac if frac else ''}"
            f"{'+00:00' if tz in ('Z', 'z') else tz}"
        )
    return _isoparse(text)


def _isoparse(text: str) -> dt.datetime:
    # Imported here: dateutil's parser costs a tenth of the command line's start-up, for
    # spellings that are rare.
    from dateutil import parser

    return parser.isoparse(text)


def _format(moment: dt.datetime, nanos: int, digits: int) -> str:
    # Not strftime: its %Y drops the leading zeros of years before 1000 on glibc.
    text = moment.replace(microsecond=0, tzinfo=None).isoformat(timespec="seconds")
    if digits:
        text += "." + f"{nanos:09d}"[:digits]
    return text + "Z"


def time_bound(name: str, value: object, *, end: bool) -> tuple[str, TimeBound]:
    """Validate a ``start``/``end`` argument; return its wire text and a sortable key."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"{name}={value!r} is a naive datetime; give it a timezone "
                "(e.g. datetime(..., tzinfo=timezone.utc)) or pass a date"
            )
        try:
            moment = value.astimezone(dt.UTC)
        except OverflowError:
            raise ValueError(f"{name}={value!r} is out of range in UTC") from None
        nanos = moment.microsecond * 1000
        whole = moment.replace(microsecond=0, tzinfo=None)
        return _format(whole, nanos, 6 if nanos else 0), (whole, nanos)
    if isinstance(value, dt.date):
        return _date_bound(value, end=end)
    if isinstance(value, str):
        return _parse_bound(name, value.strip(), end=end)
    raise TypeError(f"{name} must be a date, an aware datetime or an ISO 8601 string")


def _date_bound(day: dt.date, *, end: bool) -> tuple[str, TimeBound]:
    if end:
        whole = dt.datetime(day.year, day.month, day.day, 23, 59, 59)
        return _format(whole, 999_999_999, 9), (whole, 999_999_999)
    whole = dt.datetime(day.year, day.month, day.day)
    return _format(whole, 0, 0), (whole, 0)


def _parse_bound(name: str, text: str, *, end: bool) -> tuple[str, TimeBound]:
    if _DATE.fullmatch(text):
        try:
            return _date_bound(dt.date.fromisoformat(text), end=end)
        except ValueError:
            raise ValueError(f"{name}={text!r} is not a valid date") from None
    match = _RFC3339.fullmatch(text)
    try:
        if match:
            if not match["tz"]:
                raise ValueError("no timezone")
            base = dt.datetime.fromisoformat(
                f"{match['date']}T{match['time']}{'+00:00' if match['tz'] in 'Zz' else match['tz']}"
            )
            frac = match["frac"] or ""
            nanos = int(frac.ljust(9, "0")) if frac else 0
            digits = len(frac)
        else:
            parsed = _isoparse(text)
            if parsed.tzinfo is None:
                raise ValueError("no timezone")
            nanos, digits = parsed.microsecond * 1000, 6 if parsed.microsecond else 0
            base = parsed.replace(microsecond=0)
        whole = base.astimezone(dt.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError) as exc:
        hint = "add Z or an offset" if "timezone" in str(exc) else "use YYYY-MM-DD or RFC 3339"
        raise ValueError(f"{name}={text!r} is not a valid ISO 8601 date or time ({hint})") from None
    return _format(whole, nanos, digits), (whole, nanos)
