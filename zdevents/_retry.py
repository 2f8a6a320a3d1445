"""Where a retry is decided: which failures, how long to wait, when to give up, and which
writes may be sent again. Nowhere else: exceptions only describe what happened (a status, a
kind of broken body, whether a request was sent), and the CLI's "a rerun can help" asks
:func:`is_transient`.

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

from . import errors
from ._constants import (
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_CAP,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
    MAX_SECONDS,
)
from ._failures import provably_not_received
from ._ratelimit import RateLimiter
from .errors import RateLimitError, ZendeskError

logger = logging.getLogger("zdevents")

# 2**62 seconds is past any cap; a larger exponent would overflow the float multiply.
_MAX_EXPONENT = 62
#: Transient by nature; 501, 505 and the like are not worth another try.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504, *range(520, 528)})
#: One generator for the jitter of every call: seeding one per call reads os.urandom.
_JITTER = random.Random()


def is_transient(error: BaseException) -> bool:
    """Whether the failure may be gone if the same request is sent again later: a
    connection failure or timeout, a 408, 429, 500, 502, 503, 504 or 520-527, or a 200
    whose body was cut short or undecodable. Not a 4xx, another 5xx, or a body that is
    valid but wrong (the same would come again), nor one over the size limit.

    >>> try:
    ...     events = list(client.events(user_id=85211553))
    ... except zdevents.errors.ZendeskError as exc:
    ...     if zdevents.is_transient(exc):
    ...         print("try again later")
    """
    if isinstance(error, errors.APIError):
        return error.status_code in RETRYABLE_STATUSES
    if isinstance(error, errors.APIConnectionError):
        return True
    if isinstance(error, errors.BadResponseError):
        return error.kind in ("truncated", "undecodable")
    return False


def _may_resend(error: ZendeskError, write: bool, retry_writes: bool) -> bool:
    """Whether ``error`` allows sending the same request again.

    A write (POST) is sent again by default only after a failure that shows it did not
    reach Zendesk: a 429 or a connection that was never made. Anything else (a 408, a 5xx,
    a timeout, a dropped connection, a broken 2xx body) may have stored it, so it is sent
    again only if the caller opted in (``retry_writes``): Zendesk has no idempotency key,
    so it could store an event twice.
    """
    if not is_transient(error):
        return False
    return not write or retry_writes or provably_not_received(error)


def _count(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{attribute.name}={value!r} must be 0 or more")


def _finite_int(value: object) -> object:
    # An int past a float's range (10**400) would overflow every comparison with a float,
    # and a float near its top (1e308) every sleep; past MAX_SECONDS it means "longer than
    # anyone waits" anyway. An infinity is left to the validator (endless backoff: refused).
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and MAX_SECONDS < value < math.inf:  # type: ignore[operator]
        return MAX_SECONDS
    return value


#: The client option each field is given as, where the names differ (messages name the option).
_OPTION_NAMES = {"budget": "retry_budget"}


def _seconds(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    name = _OPTION_NAMES.get(attribute.name, attribute.name)
    if value is None and attribute.name == "budget":
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if math.isnan(value) or value < 0 or (attribute.name == "budget" and value == 0):
        raise ValueError(f"{name}={value!r} is not a valid number of seconds")
    if attribute.name.startswith("backoff") and math.isinf(value):
        # An endless backoff is the "sleeps without end" this policy exists to prevent.
        raise ValueError(f"{name} must be finite")


def _flag(_: object, attribute: attrs.Attribute[bool], value: object) -> None:
    # attrs' own instance_of message is a tuple with the field's repr in it.
    if not isinstance(value, bool):
        raise TypeError(f"{attribute.name} must be True or False, not {type(value).__name__}")


@attrs.frozen
class RetryPolicy:
    """How a request is retried.

    Retried: connection errors, timeouts, 408, 429, 500, 502, 503, 504, 520-527 and 200s
    whose body is truncated or not JSON. The wait is ``Retry-After`` when the server sends
    it, else exponential backoff ``min(backoff_cap, backoff_base * 2**n)`` with jitter
    (scaled by a random factor in [0.5, 1]). A ``Retry-After`` above ``max_retry_after``
    fails at once. ``budget`` bounds the seconds one call may spend, waits included (a
    request in flight is bounded by the timeout, and never given more than what is left of
    the budget). Writes follow :func:`_may_resend`.
    """

    max_retries: int = attrs.field(default=DEFAULT_MAX_RETRIES, validator=_count)
    backoff_base: float = attrs.field(
        default=DEFAULT_BACKOFF_BASE, converter=_finite_int, validator=_seconds
    )
    backoff_cap: float = attrs.field(
        default=DEFAULT_BACKOFF_CAP, converter=_finite_int, validator=_seconds
    )
    max_retry_after: float = attrs.field(
        default=DEFAULT_MAX_RETRY_AFTER, converter=_finite_int, validator=_seconds
    )
    budget: float | None = attrs.field(default=None, converter=_finite_int, validator=_seconds)
    retry_writes: bool = attrs.field(default=False, validator=_flag)

    def backoff(self, retries: int) -> float:
        """The un-jittered wait before retry number ``retries + 1``."""
        return min(self.backoff_cap, self.backoff_base * 2.0 ** min(retries, _MAX_EXPONENT))

    def start(self, what: str, limiter: RateLimiter, *, write: bool = False) -> Attempts:
        """Begin the attempts of one call; ``what`` names it in log records (never a query
        or an identifier); ``write`` for a request that changes something (POST)."""
        return Attempts(self, what, limiter, write=write)


class Attempts:
    """The retry state of one call (one page request, one write)."""

    def __init__(
        self, policy: RetryPolicy, what: str, limiter: RateLimiter, *, write: bool = False
    ) -> None:
        self._policy = policy
        self._limiter = limiter
        self._what = what
        self._write = write
        self._started = time.monotonic()
        self.retries = 0

    def time_left(self, timeout: float | None) -> float | None:
        """The seconds the next attempt may take: ``timeout``, within what is left of the
        budget; ``None`` for no bound."""
        bounds = [x for x in (timeout, MAX_SECONDS) if x is not None]
        if self._policy.budget is not None:
            bounds.append(self._policy.budget - (time.monotonic() - self._started))
        return max(0.001, min(bounds))

    def check_pacing(self, wait: float) -> None:
        """Refuse a wait the rate limiter asks for before a send if the server imposes more
        than ``max_retry_after`` of it (a tiny ``X-Rate-Limit``, a long pause), or if it is
        past the budget. A wait that only the caller's own ``rate_limit`` or the queue of
        workers sharing the limiter makes long is pacing the caller asked for: taken,
        however long (``max_retry_after`` is for waits the server imposes)."""
        policy = self._policy
        over_budget = (
            policy.budget is not None and time.monotonic() - self._started + wait > policy.budget
        )
        imposed = min(wait, self._limiter.imposed())
        if imposed > policy.max_retry_after or over_budget:
            raise RateLimitError(
                f"{self._what}: pacing under the account's rate limit would wait {wait:.0f} s, "
                f"more than max_retry_after ({policy.max_retry_after:g} s) or the retry budget",
                status_code=429,
                retry_after=wait,
            )
        # Spacing of a second or more is worth a line at INFO; shorter spacing is routine.
        level = logging.INFO if wait >= 1.0 else logging.DEBUG
        logger.log(
            level, "pausing %.2f s under the account's rate limit before %s", wait, self._what
        )

    def wait_before_retry(self, error: ZendeskError) -> float:
        """Seconds to wait before trying again; re-raises ``error`` when it is final."""
        policy = self._policy
        if self.retries >= policy.max_retries:
            raise _final(error)
        if not _may_resend(error, self._write, policy.retry_writes):
            raise _final(error)
        retry_after: float | None = getattr(error, "retry_after", None)
        if retry_after is not None:
            if retry_after > policy.max_retry_after:
                raise _final(error)
            wait = min(retry_after, MAX_SECONDS)
        else:
            wait = policy.backoff(self.retries) * _JITTER.uniform(0.5, 1.0)
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
            "retrying %s (attempt %d of %d) after %s, waiting %.2f s",
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
    # Never the message: at INFO a record holds no path, query or server text.
    if isinstance(error, errors.APIError):
        return f"HTTP {error.status_code}"
    if isinstance(error, errors.APITimeoutError):
        return "a timeout"
    if isinstance(error, errors.APIConnectionError):
        return "a connection failure"
    if isinstance(error, errors.BadResponseError):
        return f"a {error.kind.replace('_', ' ')} response body"
    return type(error).__name__
