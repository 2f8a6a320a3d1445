"""A fixed-window per-minute request quota, as Zendesk's plans impose on the Events API."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QuotaState:
    """The outcome for one request: allowed or not, what is left, and when to retry."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int


class MinuteQuota:
    """``limit`` requests per ``window`` seconds; the window starts with its first request."""

    def __init__(
        self, limit: int, *, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1:
            raise ValueError("rate limit must be at least 1 request per minute")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start = -math.inf
        self._used = 0

    def hit(self) -> QuotaState:
        """Count one request and say whether it may proceed."""
        with self._lock:
            now = self._clock()
            if now - self._window_start >= self.window:
                self._window_start = now
                self._used = 0
            retry_after = max(1, math.ceil(self._window_start + self.window - now))
            if self._used >= self.limit:
                return QuotaState(False, self.limit, 0, retry_after)
            self._used += 1
            return QuotaState(True, self.limit, self.limit - self._used, retry_after)

    def peek(self) -> QuotaState:
        """The current state without counting a request (for responses that are not counted)."""
        with self._lock:
            now = self._clock()
            if now - self._window_start >= self.window:
                return QuotaState(True, self.limit, self.limit, math.ceil(self.window))
            remaining = max(0, self.limit - self._used)
            retry_after = max(1, math.ceil(self._window_start + self.window - now))
            return QuotaState(remaining > 0, self.limit, remaining, retry_after)
