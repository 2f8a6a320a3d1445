from typing import Any

from ...models.authorization_code_grant import AuthorizationCodeGrant
from ...models.client_credentials_grant import ClientCredentialsGrant
from ...models.refresh_token_grant import RefreshTokenGrant

#: The HTTP method of create_token.
METHOD = "POST"
#: The path template of create_token, as the spec declares it.
PATH = "/oauth/tokens"


def build_request(
    *,
    body: AuthorizationCodeGrant | ClientCredentialsGrant | RefreshTokenGrant,
) -> dict[str, Any]:
    """Build the request of create_token without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/oauth/tokens",
    }

    if isinstance(body, AuthorizationCodeGrant) or isinstance(body, RefreshTokenGrant):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs
