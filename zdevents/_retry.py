"""Where a retry is decided: which failures, how long to wait, when to give up.

About fifty lines of our own rather than tenacity or stamina: the rules are Zendesk's
(``Retry-After`` in seconds or as an HTTP-date, a cap above which waiting is pointless, a
429 that must pause every worker of the client through the shared rate limiter) and the same
policy must drive a sync and an async loop without a second dependency.
"""

from __future__ import annotations

import logging
import math
import random
import time
from typing import Any

import attrs

from ._ratelimit import RateLimiter
from .errors import RateLimitError, ZendeskError

__all__ = ["Attempts", "RetryPolicy"]

logger = logging.getLogger("zdevents")

# 2**62 seconds is past any cap; a larger exponent would overflow the float multiply.
_MAX_EXPONENT = 62


def _count(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{attribute.name}={value!r} must be 0 or more")


def _seconds(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "budget":
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a number, not {type(value).__name__}")
    if math.isnan(value) or value < 0 or (attribute.name == "budget" and value == 0):
        raise ValueError(f"{attribute.name}={value!r} is not a valid number of seconds")
    if attribute.name.startswith("backoff") and math.isinf(value):
        # An endless backoff is the "sleeps without end" this policy exists to prevent.
        raise ValueError(f"{attribute.name} must be finite")


@attrs.frozen
class RetryPolicy:
    """How a request is retried.

    Retried: connection errors, timeouts, 408, 429, 500, 502, 503, 504, 520-527 and 200s
    whose body is truncated or not JSON. The wait is ``Retry-After`` when the server sends
    it, else exponential backoff ``min(backoff_cap, backoff_base * 2**n)`` with jitter
    (scaled by a random factor in [0.5, 1]). A ``Retry-After`` above ``max_retry_after``
    fails at once. ``budget`` bounds the seconds one call may spend, waits included (a
    request already in flight is bounded by the timeout, not by the budget).
    """

    max_retries: int = attrs.field(default=4, validator=_count)
    backoff_base: float = attrs.field(default=0.5, validator=_seconds)
    backoff_cap: float = attrs.field(default=8.0, validator=_seconds)
    max_retry_after: float = attrs.field(default=60.0, validator=_seconds)
    budget: float | None = attrs.field(default=None, validator=_seconds)

    def backoff(self, retries: int) -> float:
        """The un-jittered wait before retry number ``retries + 1``."""
        return min(self.backoff_cap, self.backoff_base * 2.0 ** min(retries, _MAX_EXPONENT))

    def start(self, what: str, limiter: RateLimiter) -> Attempts:
        """Begin the attempts of one call; ``what`` names it in log records."""
        return Attempts(self, what, limiter)


class Attempts:
    """The retry state of one call (one page request)."""

    def __init__(self, policy: RetryPolicy, what: str, limiter: RateLimiter) -> None:
        self._policy = policy
        self._limiter = limiter
        self._what = what
        self._started = time.monotonic()
        self.retries = 0
        self._rng = random.Random()

    def check_pacing(self, wait: float) -> None:
        """Refuse a wait the rate limiter imposes before a send if it is past
        ``max_retry_after`` or the budget (a tiny ``X-Rate-Limit``, a long pause)."""
        policy = self._policy
        over_budget = (
            policy.budget is not None and time.monotonic() - self._started + wait > policy.budget
        )
        if wait > policy.max_retry_after or over_budget:
            raise RateLimitError(
                f"{self._what}: pacing under the account's rate limit would wait {wait:.0f} s, "
                f"more than max_retry_after ({policy.max_retry_after:g} s) or the retry budget",
                status_code=429,
                retry_after=wait,
            )

    def wait_before_retry(self, error: ZendeskError) -> float:
        """Seconds to wait before trying again; re-raises ``error`` when it is final."""
        policy = self._policy
        if not error.retryable or self.retries >= policy.max_retries:
            raise _final(error)
        retry_after: float | None = getattr(error, "retry_after", None)
        if retry_after is not None:
            if retry_after > policy.max_retry_after:
                raise _final(error)
            wait = retry_after
        else:
            wait = policy.backoff(self.retries) * self._rng.uniform(0.5, 1.0)
        if policy.budget is not None:
            # The limiter may hold the retry longer still (a 429 met by another worker).
            held = max(wait, self._limiter.delay())
            if time.monotonic() - self._started + held > policy.budget:
                raise _final(error)
        self.retries += 1
        if isinstance(error, RateLimitError):
            # Every worker of this client waits, not only the one that met the 429.
            self._limiter.pause(wait)
        logger.info(
            "retrying %s (attempt %d of %d) after %s; waiting %.2f s",
            self._what,
            self.retries + 1,
            policy.max_retries + 1,
            _reason(error),
            wait,
        )
        return wait


def _final(error: ZendeskError) -> ZendeskError:
    # ``raise ... from None`` hides the context from tracebacks but keeps it reachable as
    # ``__context__``; there, an httpx exception holds the request, whose headers carry the
    # credentials. Raising ``error`` again from its own handler adds no new context.
    if error.__suppress_context__:
        error.__context__ = None
    return error


def _reason(error: ZendeskError) -> str:
    status = getattr(error, "status_code", None)
    name = type(error).__name__
    return f"{name} (HTTP {status})" if status is not None else f"{name}: {error}"
