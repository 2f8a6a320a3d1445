"""Client-side pacing under Zendesk's per-minute rate limit, shared by all users of a client.

Zendesk sends ``X-Rate-Limit`` (requests a minute) and ``X-Rate-Limit-Remaining``. Once the
limit is known, requests are spaced evenly at 98% of it (or at the caller's own cap, if
lower), so that a long export uses nearly the whole budget (at least 95% of it, measured by
``make bench``) and meets few 429s. The requests sent before the first answer announced the
limit (every worker's first, at once) count as if they had been paced: the next slot waits
for them, so that they and the paced ones stay within 98% of the limit in any minute (left
to the 2% margin, 8 workers under a 250-a-minute plan passed the limit in the first minute).
A 429 or a ``Remaining`` of zero (other clients of the account used it up) pauses everyone
sharing the limiter. ``reserve()`` only does arithmetic under a lock, so one limiter serves
threads and asyncio tasks alike; the caller sleeps.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping

from ._constants import MAX_SECONDS

#: Zendesk's windows are a minute long; a longer reset is not believed.
_MAX_RESET = 60
#: The share of the account's announced limit that a client paces itself at (0.95 left
#: 5% of the limit unused for nothing: the Remaining header already guards against others).
_SHARE = 0.98
#: A billion a minute is no limit at all; a larger cap or announced limit (10**400 is past a
#: float's range) counts as this one.
_MAX_CAP = 10**9


class RateLimiter:
    """Spaces requests; thread-safe, never blocks while holding its lock."""

    def __init__(self, max_per_minute: float | None = None) -> None:
        if max_per_minute is not None:
            if isinstance(max_per_minute, bool) or not isinstance(max_per_minute, int | float):
                raise ValueError(
                    f"rate_limit must be a number, not {type(max_per_minute).__name__}"
                )
            if not 0 < max_per_minute < math.inf:
                raise ValueError(
                    f"rate_limit={max_per_minute!r} must be a positive number per minute"
                )
            max_per_minute = min(max_per_minute, _MAX_CAP)
        self._cap = max_per_minute
        self._server_limit = 0  # none known yet
        # Before any reading of the clock: the first slot is free.
        self._next_slot = -math.inf
        self._paused_until = -math.inf
        # The requests let through while no limit was known, since the first of them within
        # the last minute (older ones no longer count in any window).
        self._unpaced = 0
        self._unpaced_since = -math.inf
        self._lock = threading.Lock()

    @property
    def per_minute(self) -> float | None:
        """The pace in requests a minute, or ``None`` while no limit is known."""
        limits = [x for x in (self._cap, self._server_limit * _SHARE) if x]
        return min(limits) if limits else None

    def reserve(self) -> float:
        """Take the next send slot; return how many seconds to wait for it."""
        with self._lock:
            now = time.monotonic()
            pace = self.per_minute
            if pace and self._unpaced:
                # The limit is newly known: the unpaced requests take the first slots.
                spacing = min(60.0 / pace, MAX_SECONDS)
                # At most a minute's worth of them: older ones are in no window any more.
                counted = min(self._unpaced, math.ceil(_MAX_RESET / spacing))
                caught_up = self._unpaced_since + counted * spacing
                self._next_slot = max(self._next_slot, caught_up)
                self._unpaced = 0
            slot = max(now, self._next_slot, self._paused_until)
            if pace:
                self._next_slot = slot + min(60.0 / pace, MAX_SECONDS)
            else:
                self._next_slot = slot
                if slot - self._unpaced_since >= _MAX_RESET:
                    self._unpaced, self._unpaced_since = 0, slot
                self._unpaced += 1
            return slot - now

    def imposed(self) -> float:
        """The longest wait the server imposes on the next request by itself, whatever the
        caller's own cap and however many workers queue for slots: what is left of a pause
        (a 429, a ``Remaining`` of zero), or the spacing of the announced limit."""
        with self._lock:
            pause = self._paused_until - time.monotonic()
            spacing = 60.0 / (self._server_limit * _SHARE) if self._server_limit else 0.0
            return max(0.0, pause, spacing)

    def delay(self) -> float:
        """Seconds until the next slot, without taking it."""
        with self._lock:
            now = time.monotonic()
            return max(now, self._next_slot, self._paused_until) - now

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the account's limit and what is left of it from response headers."""
        limit = _int(headers.get("x-rate-limit"))
        remaining = _int(headers.get("x-rate-limit-remaining"))
        # Zendesk adds the IETF draft headers on some routes; the reset is in seconds.
        reset = _int(headers.get("ratelimit-reset"))
        with self._lock:
            if limit is not None and limit > 0:
                self._server_limit = min(limit, _MAX_CAP)
            if remaining is not None and remaining <= 0:
                pace = self.per_minute
                if reset is not None and 0 < reset <= _MAX_RESET:
                    hold = float(reset)
                elif pace:
                    hold = min(60.0 / pace, MAX_SECONDS)
                else:
                    return
                self._paused_until = max(self._paused_until, time.monotonic() + hold)

    def pause(self, seconds: float) -> None:
        """Hold every request for ``seconds`` (after a 429 with ``Retry-After``)."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.split(",")[0].strip())
    except ValueError:
        return None
