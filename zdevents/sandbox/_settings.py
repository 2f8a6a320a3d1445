"""The sandbox's options, declared once: ``Sandbox(...)``, ``create_app(...)`` and the command
line pass them through as they are.

``Options`` is what callers may give (every key optional, typed for mypy and IDEs);
``Settings`` is the running app's state built from them: the same names with their
defaults, checked once, plus what they turn into (the quota, the fault injector).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypedDict

from ._faults import FaultInjector, parse_faults
from ._oauth import OAuthServer
from ._quota import MinuteQuota

DEFAULT_EMAIL = "devs@coolbikes.com"
DEFAULT_API_TOKEN = "sandbox-api-token"  # noqa: S105 -- a published test credential
DEFAULT_OAUTH_TOKEN = "sandbox-oauth-token"  # noqa: S105 -- a published test credential
DEFAULT_END_USER_EMAIL = "enduser@coolbikes.com"
#: An agent that is not an admin: reads events, but the user export answers it 403.
DEFAULT_AGENT_EMAIL = "agent@coolbikes.com"
#: Zendesk's limit of the incremental exports: requests a minute, on top of the account's.
DEFAULT_EXPORT_RATE_LIMIT = 10
#: The OAuth clients the sandbox knows: a public one (``zdevents auth login``, PKCE) and a
#: confidential one (client credentials).
DEFAULT_OAUTH_PUBLIC_CLIENT_ID = "zdevents_sandbox_public"
DEFAULT_OAUTH_CLIENT_ID = "zdevents_sandbox_confidential"
DEFAULT_OAUTH_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 -- a published test credential


class Options(TypedDict, total=False):
    """The sandbox's behaviour, as keyword arguments of ``Sandbox`` and ``create_app``.

    - ``email``, ``api_token``: the agent's basic-auth credentials (``{email}/token``).
    - ``oauth_token``: the bearer token accepted as OAuth (``None`` disables bearer auth).
    - ``end_user_email``: authenticates (with ``api_token``) as a non-agent: answered 403.
    - ``agent_email``: authenticates (with ``api_token``) as an agent who is not an admin:
      reads events, but the incremental user export answers 403 (``email`` and OAuth
      tokens are the admin's).
    - ``export_rate_limit``: requests a minute of the incremental user export, as Zendesk's
      10 (``None``: unlimited); beyond it a 429 with the rest of the minute as
      ``Retry-After``.
    - ``rate_limit``: requests allowed per minute, reads and writes together (``None``:
      unlimited, and no rate-limit headers).
    - ``latency``: seconds added to every request.
    - ``faults``: the share of requests answered with each fault kind
      (``"429=0.1,drop=0.05"`` or a mapping; see ``FAULT_KINDS``), drawn from ``fault_seed``.
    - ``retry_after``: the ``Retry-After`` seconds of injected 429s.
    - ``request_timeout``: seconds a client has to send a request's headers, and again its
      body; a connection still sending them is closed.
    - ``clock``: the monotonic clock of the rate-limit window (a test's fake clock).
    - ``oauth_public_client_id``, ``oauth_client_id``, ``oauth_client_secret``: the public
      and the confidential OAuth client.
    - ``access_token_lifetime``, ``refresh_token_lifetime``: the longest an issued token
      lives, in seconds (``None``: what the client asked for, else 30 minutes and 30 days).
    - ``deny_authorization``: the authorization page denies (``error=access_denied``).
    - ``token_clock``: the wall clock of token expiry (a test's fake clock).
    """

    email: str
    api_token: str
    oauth_token: str | None
    end_user_email: str | None
    agent_email: str | None
    rate_limit: int | None
    export_rate_limit: int | None
    latency: float
    faults: str | Mapping[str, float] | None
    fault_seed: int
    retry_after: int
    request_timeout: float
    clock: Callable[[], float]
    oauth_public_client_id: str
    oauth_client_id: str
    oauth_client_secret: str
    access_token_lifetime: int | None
    refresh_token_lifetime: int | None
    deny_authorization: bool
    token_clock: Callable[[], float]


def _credential(name: str, value: object, *, optional: bool) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not value.strip():
        # An empty token would let an empty password or a bare "Bearer" in.
        raise ValueError(f"{name} must be a non-empty string")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise ValueError(f"{name} must not contain control characters")


@dataclass(kw_only=True, slots=True)
class Settings:
    """What the running app checks and injects; a ``Sandbox`` changes it between requests."""

    email: str = DEFAULT_EMAIL
    api_token: str = DEFAULT_API_TOKEN
    oauth_token: str | None = DEFAULT_OAUTH_TOKEN
    end_user_email: str | None = DEFAULT_END_USER_EMAIL
    agent_email: str | None = DEFAULT_AGENT_EMAIL
    rate_limit: int | None = None
    export_rate_limit: int | None = DEFAULT_EXPORT_RATE_LIMIT
    latency: float = 0.0
    faults: str | Mapping[str, float] | None = None
    fault_seed: int = 0
    retry_after: int = 1
    request_timeout: float = 10.0
    clock: Callable[[], float] = time.monotonic
    oauth_public_client_id: str = DEFAULT_OAUTH_PUBLIC_CLIENT_ID
    oauth_client_id: str = DEFAULT_OAUTH_CLIENT_ID
    oauth_client_secret: str = DEFAULT_OAUTH_CLIENT_SECRET
    access_token_lifetime: int | None = None
    refresh_token_lifetime: int | None = None
    deny_authorization: bool = False
    token_clock: Callable[[], float] = time.time

    oauth: OAuthServer = field(init=False)
    quota: MinuteQuota | None = field(init=False, default=None)
    export_quota: MinuteQuota | None = field(init=False, default=None)
    injector: FaultInjector | None = field(init=False, default=None)
    request_count: int = field(init=False, default=0)
    # The address the server listens on, for next links (set by ``Sandbox.start``); without
    # it, the app uses the listening socket's address from the ASGI scope.
    base_url: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        _credential("email", self.email, optional=False)
        _credential("api_token", self.api_token, optional=False)
        _credential("oauth_token", self.oauth_token, optional=True)
        _credential("end_user_email", self.end_user_email, optional=True)
        _credential("agent_email", self.agent_email, optional=True)
        if self.end_user_email is not None and self.end_user_email.lower() == self.email.lower():
            raise ValueError("end_user_email must differ from email")
        if self.agent_email is not None and self.agent_email.lower() in (
            self.email.lower(),
            (self.end_user_email or "").lower(),
        ):
            raise ValueError("agent_email must differ from email and end_user_email")
        self.set_latency(self.latency)
        if isinstance(self.retry_after, bool) or not isinstance(self.retry_after, int):
            raise ValueError("retry_after must be a whole number of seconds")
        if self.retry_after < 0:
            raise ValueError("retry_after must not be negative")
        if not (isinstance(self.request_timeout, int | float) and 0 < self.request_timeout < 1e6):
            raise ValueError("request_timeout must be a positive number of seconds")
        self.set_rate_limit(self.rate_limit)
        self.set_export_rate_limit(self.export_rate_limit)
        self.set_faults(self.faults, seed=self.fault_seed)
        for name in ("oauth_public_client_id", "oauth_client_id", "oauth_client_secret"):
            _credential(name, getattr(self, name), optional=False)
        if self.oauth_public_client_id == self.oauth_client_id:
            raise ValueError("oauth_public_client_id must differ from oauth_client_id")
        self.oauth = OAuthServer(
            public_client_id=self.oauth_public_client_id,
            client_id=self.oauth_client_id,
            client_secret=self.oauth_client_secret,
            static_token=lambda: self.oauth_token,
            clock=self.token_clock,
        )
        self.set_token_lifetimes(self.access_token_lifetime, self.refresh_token_lifetime)
        self.oauth.deny = bool(self.deny_authorization)

    def set_token_lifetimes(self, access: int | None, refresh: int | None = None) -> None:
        """Change the longest life of tokens issued from now on (seconds; ``None``: as asked)."""
        for name, value in (("access_token_lifetime", access), ("refresh_token_lifetime", refresh)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(f"{name} must be a whole number of seconds, at least 1")
        self.access_token_lifetime = access
        self.refresh_token_lifetime = refresh
        self.oauth.access_token_lifetime = access
        self.oauth.refresh_token_lifetime = refresh

    def set_latency(self, seconds: float) -> None:
        """Change the latency (seconds, finite and not negative)."""
        if not isinstance(seconds, int | float) or not (0 <= seconds < math.inf):
            raise ValueError("latency must be a number of seconds, not negative")
        self.latency = seconds

    def set_rate_limit(self, per_minute: int | None) -> None:
        """Change the rate limit; its window and counts start again."""
        if per_minute is not None and (
            isinstance(per_minute, bool) or not isinstance(per_minute, int) or per_minute < 1
        ):
            raise ValueError("rate_limit must be a whole number of requests, at least 1")
        self.rate_limit = per_minute
        self.quota = None if per_minute is None else MinuteQuota(per_minute, clock=self.clock)

    def set_export_rate_limit(self, per_minute: int | None) -> None:
        """Change the user export's own limit; its window and counts start again."""
        if per_minute is not None and (
            isinstance(per_minute, bool) or not isinstance(per_minute, int) or per_minute < 1
        ):
            raise ValueError("export_rate_limit must be a whole number of requests, at least 1")
        self.export_rate_limit = per_minute
        self.export_quota = (
            None if per_minute is None else MinuteQuota(per_minute, clock=self.clock)
        )

    def set_faults(self, faults: str | Mapping[str, float] | None, *, seed: int = 0) -> None:
        """Change the fault plan; its random sequence and counters start again."""
        shares = parse_faults(faults)
        self.faults = faults
        self.fault_seed = seed
        self.injector = FaultInjector(shares, seed) if shares else None
