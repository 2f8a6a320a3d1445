"""The numeric options of the command line, parsed and bounded in one place: every number a
user types is a usage error naming its flag (exit 2) when it is out of range, never an
``OverflowError`` later."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
from collections.abc import Callable

from zdevents import limits

#: Longer than any answer is worth waiting for, and short of what timers can hold.
MAX_TIMEOUT = 86_400.0
#: More retries than any failure is worth; the library's own bound of a retry count.
MAX_RETRIES = 1000
#: Requests a minute: far above any plan's limit, far below what pacing arithmetic holds.
MAX_RATE = 1e9
#: Records or people at the same time: each one a thread (track) or a task; more than this
#: only queues on the account's rate limit, and a million threads cannot be started.
MAX_CONCURRENCY = 1000
#: The slowest pace worth asking for, requests a minute (one every 17 hours): a slower one
#: is a typo, and a tiny one (1e-320) spaces requests further apart than a timer holds.
MIN_RATE = 0.001
#: The longest ``--overlap``: the library's (what a ``timedelta`` holds).
MAX_OVERLAP = limits.MAX_OVERLAP_SECONDS

_DURATION = re.compile(r"(?:([0-9]+(?:\.[0-9]+)?)([smhd]))+")
_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)([smhd])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """A whole number in ``minimum..maximum`` (no upper bound with ``None``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r:.40} is not a whole number") from None
        if maximum is not None and not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"{text!r:.40} is outside {minimum}..{maximum}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r:.40} must be at least {minimum}")
        return value

    return parse


def positive(maximum: float, minimum: float = 0.0) -> Callable[[str], float]:
    """A number above 0 (at least ``minimum`` when given) and at most ``maximum``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r:.40} is not a number") from None
        if not 0 < value <= maximum or value < minimum:  # nan fails the first test
            least = f"at least {minimum:g}" if minimum else "above 0"
            raise argparse.ArgumentTypeError(
                f"{text!r:.40} must be a number {least}, at most {maximum:g}"
            )
        return value

    return parse


def duration(text: str) -> float:
    """``90s``, ``30m``, ``1h``, ``2d``, ``1h30m`` or ``0``, in seconds (at most
    :data:`MAX_OVERLAP`)."""
    value = text.strip().lower()
    if value == "0":
        return 0.0
    if not _DURATION.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{text!r:.40} is not a duration: use e.g. 90s, 30m, 1h, 2d or 1h30m"
        )
    seconds = sum(float(n) * _SECONDS[unit] for n, unit in _PART.findall(value))
    if not seconds <= MAX_OVERLAP:  # inf too (a number of 400 digits)
        raise argparse.ArgumentTypeError(
            f"{text!r:.40} is too long: at most {MAX_OVERLAP // 86400:,}d"
        )
    return seconds


def duration_text(value: dt.timedelta) -> str:
    """``value`` as :func:`duration` reads it: ``1h``, ``2h30m``, ``90s`` becomes ``1m30s``
    (whole seconds; ``0`` for none), for help texts that state a default."""
    seconds = int(value.total_seconds())
    parts = []
    for unit in "dhms":
        count, seconds = divmod(seconds, _SECONDS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0"


def since(text: str) -> str:
    """``--since``: the time ``text`` (a :func:`duration`, e.g. ``7d``, ``12h``) before now,
    as RFC 3339 UTC text to the second (rounded down: the window is never shorter)."""
    seconds = duration(text)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        moment = now - dt.timedelta(seconds=math.ceil(seconds))
    except OverflowError:
        raise argparse.ArgumentTypeError(
            f"{text!r:.40} reaches before the year 1; give a shorter duration"
        ) from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


#: The options every command that sends requests shares, one converter each.
rate_limit = positive(MAX_RATE, MIN_RATE)
timeout = positive(MAX_TIMEOUT)
max_retries = whole(0, MAX_RETRIES)
concurrency = whole(1, MAX_CONCURRENCY)
#: A TCP port (0: any free one).
port = whole(0, 65535)
