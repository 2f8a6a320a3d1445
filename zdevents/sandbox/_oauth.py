"""The sandbox's OAuth server: Zendesk's authorization and token endpoints, in memory.

``/oauth/authorizations/new`` approves at once (or denies, when the sandbox is told to) and
redirects to the client's loopback ``redirect_uri``; ``/oauth/tokens`` serves the three
grants with Zendesk's rules: PKCE ``S256`` verified, public clients refused client
credentials, a refresh that rotates (the old access and refresh tokens die at once), a
refresh token used twice answered ``invalid_grant``. Tokens live as long as the client asked
(``expires_in``) unless the sandbox's lifetimes say shorter, so tests can watch one expire.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from zdevents._config import is_loopback

#: The user the sandbox's tokens act as (the agent of its basic-auth credentials).
AGENT_USER_ID = 1001
#: What an access token lives when the request does not say (Zendesk's 2026 default).
DEFAULT_ACCESS_SECONDS = 1800
DEFAULT_REFRESH_SECONDS = 30 * 86_400
CODE_SECONDS = 120
SCOPES = ("read", "write")
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass
class Grant:
    """An issued access token (and the refresh token it rotates with)."""

    token_id: int
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float
    refresh_token: str | None = None
    refresh_expires_at: float | None = None


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    challenge: str | None
    expires_at: float


class Refused(Exception):
    """An OAuth error answer: ``status`` and ``{"error", "error_description"}``."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(code)
        self.status = status
        self.body = {"error": code, "error_description": description}


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class OAuthState(Protocol):
    """What a test sees and changes of a sandbox's OAuth server (``Sandbox.oauth``)."""

    #: Tokens issued, by grant type (``"client_credentials"``, ``"refresh_token"``, ...).
    issued: Counter[str]
    #: Token and authorization requests refused, by OAuth error code (``"invalid_grant"``).
    refused: Counter[str]
    #: Whether the authorization page denies (redirects with ``error=access_denied``).
    deny: bool
    #: The longest life of access tokens issued from now on (``None``: as asked).
    access_token_lifetime: int | None
    #: The longest life of refresh tokens issued from now on (``None``: as asked).
    refresh_token_lifetime: int | None

    def expire_access_tokens(self) -> None:
        """Every access token issued so far expires now (refresh tokens live on)."""

    def revoke_all(self) -> None:
        """Every issued token and refresh token dies (as when an admin revokes the client)."""

    def fail_next_token_requests(self, count: int, status: int = 503) -> None:
        """Answer the next ``count`` token requests with ``status`` (5xx), changing nothing."""


class OAuthServer:
    """The clients, codes and tokens of one sandbox; safe to use from any thread."""

    def __init__(
        self,
        *,
        public_client_id: str,
        client_id: str,
        client_secret: str,
        static_token: Callable[[], str | None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.public_client_id = public_client_id
        self.client_id = client_id
        self.client_secret = client_secret
        self._static_token = static_token
        self.clock = clock
        self.access_token_lifetime: int | None = None
        self.refresh_token_lifetime: int | None = None
        self.deny = False
        #: Issued tokens by grant type, and refusals by OAuth error code (for tests).
        self.issued: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._access: dict[str, Grant] = {}
        self._refresh: dict[str, str] = {}  # refresh token -> its access token
        self._codes: dict[str, _Code] = {}
        self._ids = 0

    # -- what tests change -----------------------------------------------------------------

    def expire_access_tokens(self) -> None:
        """Every access token issued so far expires now (refresh tokens live on)."""
        with self._lock:
            for grant in self._access.values():
                grant.expires_at = min(grant.expires_at, self.clock() - 1)

    def revoke_all(self) -> None:
        """Every issued token and refresh token dies (as when an admin revokes the client)."""
        with self._lock:
            self._access.clear()
            self._refresh.clear()

    def fail_next_token_requests(self, count: int, status: int = 503) -> None:
        """Answer the next ``count`` token requests with ``status`` (5xx), changing nothing."""
        with self._lock:
            self._failures.extend([status] * count)

    def take_failure(self) -> int | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    # -- bearer tokens -----------------------------------------------------------------------

    def grant_of(self, token: bytes) -> Grant | None:
        """The live grant of a bearer token (the configured static token: all scopes)."""
        static = self._static_token()
        if static is not None and hmac.compare_digest(token, static.encode()):
            return Grant(0, "static", SCOPES, float("inf"))
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError:
            return None
        with self._lock:
            grant = self._access.get(text)
            if grant is None or self.clock() >= grant.expires_at:
                return None
            return grant

    def revoke(self, token: bytes) -> None:
        with self._lock:
            grant = self._access.pop(token.decode("ascii", "replace"), None)
            if grant is not None and grant.refresh_token is not None:
                self._refresh.pop(grant.refresh_token, None)

    @staticmethod
    def describe(grant: Grant) -> dict[str, Any]:
        """The ``current.json`` body of a grant (never a token)."""
        return {
            "token": {
                "id": grant.token_id,
                "user_id": AGENT_USER_ID,
                "client_id": grant.client_id,
                "scopes": list(grant.scopes),
                "expires_at": None if grant.expires_at == float("inf") else _iso(grant.expires_at),
                "refresh_token_expires_at": _iso(grant.refresh_expires_at),
            }
        }

    # -- the authorization endpoint ----------------------------------------------------------

    def authorize(self, params: dict[str, str]) -> tuple[int, str | None, dict[str, Any]]:
        """``(status, Location, body)``: a 302 to the redirect URI, or a 400."""
        client_id = params.get("client_id", "")
        redirect_uri = params.get("redirect_uri", "")
        if client_id not in (self.public_client_id, self.client_id):
            raise Refused(400, "invalid_client", "Invalid Authorization Request: unknown client")
        parts = urlsplit(redirect_uri)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
            raise Refused(400, "invalid_request", "redirect_uri must be an absolute URL")
        if parts.scheme != "http" or not is_loopback(parts.hostname):
            # Zendesk redirects only to a client's registered URLs: the sandbox's clients
            # register loopback ones (http://127.0.0.1:PORT/), never an open redirect.
            raise Refused(400, "invalid_request", "redirect_uri is not registered for the client")
        if params.get("response_type") != "code":
            raise Refused(400, "unsupported_response_type", "response_type must be code")
        scopes = self._scopes(params.get("scope"))
        challenge = params.get("code_challenge")
        method = params.get("code_challenge_method")
        if challenge is not None and not _CHALLENGE.fullmatch(challenge):
            raise Refused(400, "invalid_request", "code_challenge must be 43 base64url characters")
        if challenge is not None and method != "S256":
            raise Refused(400, "invalid_request", "code_challenge_method must be S256")
        if challenge is None and client_id == self.public_client_id:
            raise Refused(400, "invalid_request", "a public client must use PKCE")
        answer: dict[str, str] = {}
        if self.deny:
            answer = {"error": "access_denied", "error_description": "The user denied access"}
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._codes[code] = _Code(
                    client_id, redirect_uri, scopes, challenge, self.clock() + CODE_SECONDS
                )
            answer = {"code": code}
        if "state" in params:
            answer["state"] = params["state"]
        join = "&" if parts.query else "?"
        return 302, f"{redirect_uri}{join}{urlencode(answer)}", {}

    # -- the token endpoint ------------------------------------------------------------------

    def token(self, raw: bytes) -> dict[str, Any]:
        """The answer to a token request, or :class:`Refused`."""
        try:
            body = json.loads(raw)
        except ValueError:
            raise Refused(400, "invalid_request", "The body must be a JSON object") from None
        if not isinstance(body, dict):
            raise Refused(400, "invalid_request", "The body must be a JSON object")
        grant_type = body.get("grant_type")
        if grant_type not in ("authorization_code", "refresh_token", "client_credentials"):
            raise Refused(400, "unsupported_grant_type", "Unsupported grant type")
        client_id = body.get("client_id")
        secret = body.get("client_secret")
        if client_id not in (self.public_client_id, self.client_id):
            raise Refused(401, "invalid_client", "Client authentication failed")
        confidential = client_id == self.client_id
        if grant_type == "client_credentials" and not confidential:
            raise Refused(400, "unauthorized_client", "A public client cannot use this grant")
        if secret is not None and not (
            confidential
            and isinstance(secret, str)
            and hmac.compare_digest(secret.encode(), self.client_secret.encode())
        ):
            raise Refused(401, "invalid_client", "Client authentication failed")
        lifetime = self._seconds(body, "expires_in", 300, 172_800)
        refresh_lifetime = self._seconds(body, "refresh_token_expires_in", 604_800, 7_776_000)
        with self._lock:
            if grant_type == "client_credentials":
                if secret is None:
                    raise Refused(401, "invalid_client", "Client authentication failed")
                scopes = self._scopes(body.get("scope"))
                answer = self._issue(client_id, scopes, lifetime, None, refresh=False)
            elif grant_type == "authorization_code":
                scopes = self._redeem(body, client_id, confidential and secret is not None)
                answer = self._issue(client_id, scopes, lifetime, refresh_lifetime, refresh=True)
            else:
                scopes = self._rotate(body, client_id)
                answer = self._issue(client_id, scopes, lifetime, refresh_lifetime, refresh=True)
            self.issued[grant_type] += 1
        return answer

    def _seconds(self, body: dict[str, Any], name: str, low: int, high: int) -> int | None:
        value = body.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low < value < high:
            raise Refused(
                400, "invalid_request", f"{name} must be a number of seconds in ({low}, {high})"
            )
        return value

    def _scopes(self, text: object) -> tuple[str, ...]:
        if text is None:
            return ("read",)
        if not isinstance(text, str) or not text.split():
            raise Refused(400, "invalid_scope", "The requested scope is invalid")
        asked = tuple(dict.fromkeys(text.split()))
        if any(s not in SCOPES for s in asked):
            raise Refused(400, "invalid_scope", "The requested scope is invalid")
        return asked

    def _redeem(self, body: dict[str, Any], client_id: str, authenticated: bool) -> tuple[str, ...]:
        code = self._codes.pop(str(body.get("code")), None)
        invalid = Refused(400, "invalid_grant", "The authorization code is invalid or expired")
        if code is None or code.client_id != client_id or self.clock() >= code.expires_at:
            raise invalid
        if body.get("redirect_uri") != code.redirect_uri:
            raise invalid
        verifier = body.get("code_verifier")
        if code.challenge is not None:
            if not isinstance(verifier, str):
                raise invalid
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not hmac.compare_digest(expected, code.challenge):
                raise invalid
        elif not authenticated:
            raise Refused(401, "invalid_client", "Client authentication failed")
        return code.scopes

    def _rotate(self, body: dict[str, Any], client_id: str) -> tuple[str, ...]:
        invalid = Refused(400, "invalid_grant", "The refresh token is invalid, expired or revoked")
        refresh = body.get("refresh_token")
        access = self._refresh.get(refresh) if isinstance(refresh, str) else None
        grant = None if access is None else self._access.get(access)
        if grant is None or grant.client_id != client_id:
            raise invalid  # another client's refusal burns nothing of the owner's
        self._refresh.pop(str(refresh), None)
        self._access.pop(str(access), None)
        if grant.refresh_expires_at is not None and self.clock() >= grant.refresh_expires_at:
            raise invalid
        return grant.scopes

    def _issue(
        self,
        client_id: str,
        scopes: tuple[str, ...],
        lifetime: int | None,
        refresh_lifetime: int | None,
        *,
        refresh: bool,
    ) -> dict[str, Any]:
        now = self.clock()
        seconds = lifetime or DEFAULT_ACCESS_SECONDS
        if self.access_token_lifetime is not None:
            seconds = min(seconds, self.access_token_lifetime)
        access = "sbx_at_" + secrets.token_urlsafe(24)
        self._ids += 1
        grant = Grant(self._ids, client_id, scopes, now + seconds)
        answer: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "scope": " ".join(scopes),
            "expires_in": seconds,
        }
        if refresh:
            refresh_seconds = refresh_lifetime or DEFAULT_REFRESH_SECONDS
            if self.refresh_token_lifetime is not None:
                refresh_seconds = min(refresh_seconds, self.refresh_token_lifetime)
            grant.refresh_token = "sbx_rt_" + secrets.token_urlsafe(24)
            grant.refresh_expires_at = now + refresh_seconds
            self._refresh[grant.refresh_token] = access
            answer["refresh_token"] = grant.refresh_token
            answer["refresh_token_expires_in"] = refresh_seconds
        self._access[access] = grant
        return answer
