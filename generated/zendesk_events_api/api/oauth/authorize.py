from typing import Any

from ...models.authorize_code_challenge_method import (
    AuthorizeCodeChallengeMethod,
)
from ...models.authorize_response_type import (
    AuthorizeResponseType,
)
from ...types import UNSET, Unset

#: The HTTP method of authorize.
METHOD = "GET"
#: The path template of authorize, as the spec declares it.
PATH = "/oauth/authorizations/new"
#: The wire name of the ``response_type`` argument.
RESPONSE_TYPE_PARAM = "response_type"
#: The wire name of the ``client_id`` argument.
CLIENT_ID_PARAM = "client_id"
#: The wire name of the ``redirect_uri`` argument.
REDIRECT_URI_PARAM = "redirect_uri"
#: The wire name of the ``scope`` argument.
SCOPE_PARAM = "scope"
#: The wire name of the ``state`` argument.
STATE_PARAM = "state"
#: The wire name of the ``code_challenge`` argument.
CODE_CHALLENGE_PARAM = "code_challenge"
#: The wire name of the ``code_challenge_method`` argument.
CODE_CHALLENGE_METHOD_PARAM = "code_challenge_method"


def build_request(
    *,
    response_type: AuthorizeResponseType,
    client_id: str,
    redirect_uri: str,
    scope: str,
    state: str | Unset = UNSET,
    code_challenge: str | Unset = UNSET,
    code_challenge_method: AuthorizeCodeChallengeMethod | Unset = UNSET,
) -> dict[str, Any]:
    """Build the request of authorize without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """

    params: dict[str, Any] = {}

    json_response_type: str = response_type
    params["response_type"] = json_response_type

    params["client_id"] = client_id

    params["redirect_uri"] = redirect_uri

    params["scope"] = scope

    params["state"] = state

    params["code_challenge"] = code_challenge

    json_code_challenge_method: str | Unset = UNSET
    if not isinstance(code_challenge_method, Unset):
        json_code_challenge_method = code_challenge_method

    params["code_challenge_method"] = json_code_challenge_method

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/oauth/authorizations/new",
        "params": params,
    }

    return _kwargs
