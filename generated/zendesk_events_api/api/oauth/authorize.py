from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.authorize_code_challenge_method import (
    AuthorizeCodeChallengeMethod,
)
from ...models.authorize_response_type import (
    AuthorizeResponseType,
)
from ...models.o_auth_error import OAuthError
from ...types import UNSET, Response, Unset, _is_json, _status

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


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | OAuthError | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 302:
        response_302 = cast(Any, None)
        return response_302

    if response.status_code == 400:
        if not _is_json(response):
            return None
        response_400 = OAuthError.from_dict(response.json())

        return response_400

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | OAuthError | str]:
    try:
        parsed = _parse_response(client=client, response=response)
    except (ValueError, TypeError, KeyError, AttributeError):
        # A body that says JSON but is none (an empty 502, a proxy's page) or is JSON of
        # another shape than the spec's: left in `content`, as any other body.
        parsed = None
    return Response(
        status_code=_status(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=parsed,
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    response_type: AuthorizeResponseType,
    client_id: str,
    redirect_uri: str,
    scope: str,
    state: str | Unset = UNSET,
    code_challenge: str | Unset = UNSET,
    code_challenge_method: AuthorizeCodeChallengeMethod | Unset = UNSET,
) -> Response[Any | OAuthError | str]:
    """The page a browser opens to approve a client; redirects with a code

     Opened in a browser, not called by the client. On approval Zendesk redirects to
    `redirect_uri` with `code` (valid 120 seconds) and `state`; on denial with
    `error=access_denied`, `error_description` and `state`. `code_challenge` (with
    `code_challenge_method=S256`) is required for public clients (PKCE).

    Args:
        response_type (AuthorizeResponseType):
        client_id (str):
        redirect_uri (str):
        scope (str):
        state (str | Unset):
        code_challenge (str | Unset):
        code_challenge_method (AuthorizeCodeChallengeMethod | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | OAuthError | str]
    """

    kwargs = build_request(
        response_type=response_type,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    response_type: AuthorizeResponseType,
    client_id: str,
    redirect_uri: str,
    scope: str,
    state: str | Unset = UNSET,
    code_challenge: str | Unset = UNSET,
    code_challenge_method: AuthorizeCodeChallengeMethod | Unset = UNSET,
) -> Any | OAuthError | str | None:
    """The page a browser opens to approve a client; redirects with a code

     Opened in a browser, not called by the client. On approval Zendesk redirects to
    `redirect_uri` with `code` (valid 120 seconds) and `state`; on denial with
    `error=access_denied`, `error_description` and `state`. `code_challenge` (with
    `code_challenge_method=S256`) is required for public clients (PKCE).

    Args:
        response_type (AuthorizeResponseType):
        client_id (str):
        redirect_uri (str):
        scope (str):
        state (str | Unset):
        code_challenge (str | Unset):
        code_challenge_method (AuthorizeCodeChallengeMethod | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | OAuthError | str
    """

    return sync_detailed(
        client=client,
        response_type=response_type,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    response_type: AuthorizeResponseType,
    client_id: str,
    redirect_uri: str,
    scope: str,
    state: str | Unset = UNSET,
    code_challenge: str | Unset = UNSET,
    code_challenge_method: AuthorizeCodeChallengeMethod | Unset = UNSET,
) -> Response[Any | OAuthError | str]:
    """The page a browser opens to approve a client; redirects with a code

     Opened in a browser, not called by the client. On approval Zendesk redirects to
    `redirect_uri` with `code` (valid 120 seconds) and `state`; on denial with
    `error=access_denied`, `error_description` and `state`. `code_challenge` (with
    `code_challenge_method=S256`) is required for public clients (PKCE).

    Args:
        response_type (AuthorizeResponseType):
        client_id (str):
        redirect_uri (str):
        scope (str):
        state (str | Unset):
        code_challenge (str | Unset):
        code_challenge_method (AuthorizeCodeChallengeMethod | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | OAuthError | str]
    """

    kwargs = build_request(
        response_type=response_type,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    response_type: AuthorizeResponseType,
    client_id: str,
    redirect_uri: str,
    scope: str,
    state: str | Unset = UNSET,
    code_challenge: str | Unset = UNSET,
    code_challenge_method: AuthorizeCodeChallengeMethod | Unset = UNSET,
) -> Any | OAuthError | str | None:
    """The page a browser opens to approve a client; redirects with a code

     Opened in a browser, not called by the client. On approval Zendesk redirects to
    `redirect_uri` with `code` (valid 120 seconds) and `state`; on denial with
    `error=access_denied`, `error_description` and `state`. `code_challenge` (with
    `code_challenge_method=S256`) is required for public clients (PKCE).

    Args:
        response_type (AuthorizeResponseType):
        client_id (str):
        redirect_uri (str):
        scope (str):
        state (str | Unset):
        code_challenge (str | Unset):
        code_challenge_method (AuthorizeCodeChallengeMethod | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | OAuthError | str
    """

    return (
        await asyncio_detailed(
            client=client,
            response_type=response_type,
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            state=state,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
        )
    ).parsed
