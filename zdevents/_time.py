"""Time filters out, timestamps in: the one place zdevents reads or writes a time.

Timestamps in (an event's ``created_at``, ``received_at``) become aware UTC datetimes,
truncated to microseconds, through ``datetime.fromisoformat`` (Python 3.11 reads RFC 3339
with ``Z`` and nine fraction digits); the rarer spellings it refuses (a lower-case ``z``, the
forms of ISO 8601 that RFC 3339 leaves out, such as ``20240101T100000Z`` or ``T24:00``) go to
``dateutil``.

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

# RFC 3339 (with the lower-case "t"/"z" and the space it allows, and the offset optional so
# that its absence gets its own message): the spelling whose fraction digits are kept.
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2})?"
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
        moment = _isoparse(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _isoparse(text: str) -> dt.datetime:
    # Imported here: dateutil's parser costs a tenth of the command line's start-up, for
    # spellings that are rare.
    from dateutil import parser

    return parser.isoparse(text)


def _bound(whole: dt.datetime, frac: str) -> tuple[str, TimeBound]:
    # `whole`: naive UTC, whole seconds, so isoformat() is YYYY-MM-DDTHH:MM:SS, the year in
    # four digits (strftime's %Y drops the leading zeros of years before 1000 on glibc).
    # `frac`: the fraction digits as written, so that "…:00.100Z" goes out as given.
    text = f"{whole.isoformat()}.{frac}Z" if frac else f"{whole.isoformat()}Z"
    return text, (whole, int(f"{frac:0<9}"))


def _micro_digits(moment: dt.datetime) -> str:
    return f"{moment.microsecond:06d}" if moment.microsecond else ""


def time_bound(name: str, value: object, *, end: bool = False) -> tuple[str, TimeBound]:
    """Validate a ``start``/``end`` argument; return its wire text and a sortable key. A date
    is its first nanosecond, or with ``end`` its last."""
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:
            raise ValueError(
                f"{name}={value!r} is a naive datetime; give it a timezone "
                "(e.g. datetime(..., tzinfo=timezone.utc)) or pass a date"
            )
        try:
            moment = value.astimezone(dt.UTC)
        except OverflowError:
            raise ValueError(f"{name}={value!r} is out of range in UTC") from None
        return _bound(moment.replace(microsecond=0, tzinfo=None), _micro_digits(moment))
    if isinstance(value, dt.date):
        return _date_bound(value, end=end)
    if isinstance(value, str):
        return _parse_bound(name, value.strip(), end=end)
    raise TypeError(f"{name} must be a date, an aware datetime or an ISO 8601 string")


def _date_bound(day: dt.date, *, end: bool) -> tuple[str, TimeBound]:
    if end:
        return _bound(dt.datetime(day.year, day.month, day.day, 23, 59, 59), "999999999")
    return _bound(dt.datetime(day.year, day.month, day.day), "")


def _parse_bound(name: str, text: str, *, end: bool) -> tuple[str, TimeBound]:
    if _DATE.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{name}={text!r} is not a valid date") from None
        return _date_bound(day, end=end)
    match = _RFC3339.fullmatch(text)
    try:
        if match:
            # Upper case: fromisoformat reads "Z" but not "z" (the "t" or space it reads).
            parsed = dt.datetime.fromisoformat(text.upper())
            frac = match["frac"] or ""
        else:
            parsed = _isoparse(text)
            frac = _micro_digits(parsed)
        if parsed.tzinfo is None:
            hint = "add Z or an offset"
        else:
            base = parsed.replace(microsecond=0)
            whole = base.astimezone(dt.UTC).replace(tzinfo=None)
            return _bound(whole, frac)
    except OverflowError:
        raise ValueError(f"{name}={text!r} is out of range in UTC") from None
    except ValueError:
        hint = "use YYYY-MM-DD or RFC 3339"
    raise ValueError(f"{name}={text!r} is not a valid ISO 8601 date or time ({hint})")
