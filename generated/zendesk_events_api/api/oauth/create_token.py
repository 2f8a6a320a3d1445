from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.authorization_code_grant import AuthorizationCodeGrant
from ...models.client_credentials_grant import ClientCredentialsGrant
from ...models.error_list_body import ErrorListBody
from ...models.error_object_body import ErrorObjectBody
from ...models.error_string_body import ErrorStringBody
from ...models.errors_array_body import ErrorsArrayBody
from ...models.o_auth_error import OAuthError
from ...models.refresh_token_grant import RefreshTokenGrant
from ...models.token_response import TokenResponse
from ...types import Response, _is_json, _status

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


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | OAuthError
    | TokenResponse
    | None
):
    if response.status_code in (200, 201):
        if not _is_json(response):
            return None
        response_200 = TokenResponse.from_dict(response.json())

        return response_200

    if response.status_code in (400, 401):
        if not _is_json(response):
            return None
        response_400 = OAuthError.from_dict(response.json())

        return response_400

    if response.status_code == 429 or 500 <= response.status_code <= 599:
        if not _is_json(response):
            return None

        def _parse_response_429(
            data: object,
        ) -> ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_body_type_0 = ErrorsArrayBody.from_dict(data)

                return componentsschemas_error_body_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_body_type_1 = ErrorObjectBody.from_dict(data)

                return componentsschemas_error_body_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_body_type_2 = ErrorListBody.from_dict(data)

                return componentsschemas_error_body_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_body_type_3 = ErrorStringBody.from_dict(data)

            return componentsschemas_error_body_type_3

        response_429 = _parse_response_429(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | OAuthError
    | TokenResponse
]:
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
    body: AuthorizationCodeGrant | ClientCredentialsGrant | RefreshTokenGrant,
) -> Response[
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | OAuthError
    | TokenResponse
]:
    """Exchange a code, a refresh token or the client's own credentials for tokens

     One endpoint for the three grants, with a JSON body; the client authenticates with
    `client_id` (and `client_secret`, except a public client using PKCE) in the body.
    A refresh rotates: the old access and refresh tokens stop working at once, and a
    refresh token used twice is `invalid_grant`. Ask for `expires_in` (300 < s < 172800)
    and `refresh_token_expires_in` (604800 < s < 7776000) explicitly: without them an
    answer may leave out `expires_in`.

    Args:
        body (AuthorizationCodeGrant | ClientCredentialsGrant | RefreshTokenGrant):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | OAuthError | TokenResponse]
    """

    kwargs = build_request(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: AuthorizationCodeGrant | ClientCredentialsGrant | RefreshTokenGrant,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | OAuthError
    | TokenResponse
    | None
):
    """Exchange a code, a refresh token or the client's own credentials for tokens

     One endpoint for the three grants, with a JSON body; the client authenticates with
    `client_id` (and `client_secret`, except a public client using PKCE) in the body.
    A refresh rotates: the old access and refresh tokens stop working at once, and a
    refresh token used twice is `invalid_grant`. Ask for `expires_in` (300 < s < 172800)
    and `refresh_token_expires_in` (604800 < s < 7776000) explicitly: without them an
    answer may leave out `expires_in`.

    Args:
        body (AuthorizationCodeGrant | ClientCredentialsGrant | RefreshTokenGrant):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | OAuthError | TokenResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AuthorizationCodeGrant | ClientCredentialsGrant | RefreshTokenGrant,
) -> Response[
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | OAuthError
    | TokenResponse
]:
    """Exchange a code, a refresh token or the client's own credentials for tokens

     One endpoint for the three grants, with a JSON body; the client authenticates with
    `client_id` (and `client_secret`, except a public client using PKCE) in the body.
    A refresh rotates: the old access and refresh tokens stop working at once, and a
    refresh token used twice is `invalid_grant`. Ask for `expires_in` (300 < s < 172800)
    and `refresh_token_expires_in` (604800 < s < 7776000) explicitly: without them an
    answer may leave out `expires_in`.

    Args:
        body (AuthorizationCodeGrant | ClientCredentialsGrant | RefreshTokenGrant):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | OAuthError | TokenResponse]
    """

    kwargs = build_request(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AuthorizationCodeGrant | ClientCredentialsGrant | RefreshTokenGrant,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | OAuthError
    | TokenResponse
    | None
):
    """Exchange a code, a refresh token or the client's own credentials for tokens

     One endpoint for the three grants, with a JSON body; the client authenticates with
    `client_id` (and `client_secret`, except a public client using PKCE) in the body.
    A refresh rotates: the old access and refresh tokens stop working at once, and a
    refresh token used twice is `invalid_grant`. Ask for `expires_in` (300 < s < 172800)
    and `refresh_token_expires_in` (604800 < s < 7776000) explicitly: without them an
    answer may leave out `expires_in`.

    Args:
        body (AuthorizationCodeGrant | ClientCredentialsGrant | RefreshTokenGrant):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | OAuthError | TokenResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
