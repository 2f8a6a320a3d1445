"""The OAuth token calls as a resource holding the client core: a token request (sent
without credentials, retried like a read), the current token, its revocation, and a valid
access token. ``_auth`` decides when to renew; ``_login`` is the browser login and the
public ``auth_status``/``access_token``/``logout``."""

from __future__ import annotations

from typing import Any

from zendesk_events_api.models import CurrentToken, CurrentTokenEnvelope

from ._auth import Auth, current_token_request, revoke_request
from ._base_client import AsyncCore, SyncCore, json_body
from ._routes import Request
from .errors import ConfigurationError


def _token_of(body: object) -> CurrentToken:
    """The token of a current-token answer (an empty one if the answer has none); the
    generated model does not check types: whoever reads a field checks it."""
    try:
        return CurrentTokenEnvelope.from_dict(body).token  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError, AttributeError):
        return CurrentToken()


def _oauth_only(auth: Auth) -> None:
    if auth.kind == "api_token":
        raise ConfigurationError(
            "the credentials in use are an API token, not OAuth: `zdevents auth token` "
            "needs a login (zdevents auth login) or OAuth client credentials"
        )


class OAuth:
    """The OAuth routes of a :class:`~zdevents.Client`."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    @property
    def auth(self) -> Auth:
        """The credentials in use."""
        return self._core.auth

    @property
    def account(self) -> str:
        return str(self._core.base_url).rstrip("/")

    def token(self, request: Request) -> Any:
        """The JSON answer of a token-endpoint request."""
        return self._core.token_send(request)

    def current(self) -> CurrentToken:
        """What Zendesk says of the token in use (``GET /api/v2/oauth/tokens/current.json``)."""
        request = current_token_request()
        body = self._core.send(request["method"], request["url"], decode=json_body)
        return _token_of(body)

    def revoke(self) -> None:
        """Revoke the token in use."""
        request = revoke_request()
        self._core.send(request["method"], request["url"], decode=lambda answer: None)

    def access_token(self) -> str:
        """A valid access token, renewed first if it is about to expire."""
        auth = self._core.auth
        _oauth_only(auth)
        return str(auth.header(self._core.token_send)).removeprefix("Bearer ")


class AsyncOAuth:
    """The OAuth routes of an :class:`~zdevents.AsyncClient`."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    @property
    def auth(self) -> Auth:
        return self._core.auth

    async def token(self, request: Request) -> Any:
        return await self._core.token_send(request)

    async def access_token(self) -> str:
        """A valid access token, renewed first (single-flight with the client's own
        requests) if it is about to expire."""
        auth = self._core.auth
        _oauth_only(auth)
        return str(await auth.aheader(self._core.token_send)).removeprefix("Bearer ")
