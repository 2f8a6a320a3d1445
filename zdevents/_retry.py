"""Where a retry is decided: which failures, how long to wait, when to give up.

About fifty lines of our own rather than tenacity or stamina: the rules are Zendesk's
(``Retry-After`` in seconds or as an HTTP-date, a cap above which waiting is pointless, a
429 that must pause every worker of the client through the shared rate limiter) and the same
policy must drive a sync and an async loop without a second dependency.
"""

from __future__ import annotations

import logging
import random
import time

import attrs

from ._ratelimit import RateLimiter
from .errors import RateLimitError, ZendeskError

__all__ = ["Attempts", "RetryPolicy"]

logger = logging.getLogger("zdevents")


@attrs.frozen
class RetryPolicy:
    """How a request is retried.

    Retried: connection errors, timeouts, 408, 429, 500, 502, 503, 504, 520-527 and 200s
    whose body is truncated or not JSON. The wait is ``Retry-After`` when the server sends
    it, else exponential backoff ``min(backoff_cap, backoff_base * 2**n)`` with jitter
    (scaled by a random factor in [0.5, 1]). A ``Retry-After`` above ``max_retry_after``
    fails at once. ``budget`` bounds the seconds one call may spend, waits included.
    """

    max_retries: int = attrs.field(default=4, validator=attrs.validators.ge(0))
    backoff_base: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    backoff_cap: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    budget: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.gt(0))
    )

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

    def wait_before_retry(self, error: ZendeskError) -> float:
        """Seconds to wait before trying again; re-raises ``error`` when it is final."""
        policy = self._policy
        if not error.retryable or self.retries >= policy.max_retries:
            raise error
        retry_after: float | None = getattr(error, "retry_after", None)
        if retry_after is not None:
            if retry_after > policy.max_retry_after:
                raise error
            wait = retry_after
        else:
            backoff = min(policy.backoff_cap, policy.backoff_base * 2**self.retries)
            wait = backoff * self._rng.uniform(0.5, 1.0)
        elapsed = time.monotonic() - self._started
        if policy.budget is not None and elapsed + wait > policy.budget:
            raise error
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


def _reason(error: ZendeskError) -> str:
    status = getattr(error, "status_code", None)
    name = type(error).__name__
    return f"{name} (HTTP {status})" if status is not None else f"{name}: {error}"
