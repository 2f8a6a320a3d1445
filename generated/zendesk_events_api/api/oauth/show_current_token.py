from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.current_token_envelope import CurrentTokenEnvelope
from ...models.error_list_body import ErrorListBody
from ...models.error_object_body import ErrorObjectBody
from ...models.error_string_body import ErrorStringBody
from ...models.errors_array_body import ErrorsArrayBody
from ...types import Response, _is_json, _status

#: The HTTP method of show_current_token.
METHOD = "GET"
#: The path template of show_current_token, as the spec declares it.
PATH = "/api/v2/oauth/tokens/current.json"


def build_request() -> dict[str, Any]:
    """Build the request of show_current_token without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/oauth/tokens/current.json",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    CurrentTokenEnvelope
    | ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | None
):
    if response.status_code == 200:
        if not _is_json(response):
            return None
        response_200 = CurrentTokenEnvelope.from_dict(response.json())

        return response_200

    if response.status_code in (401, 429) or 500 <= response.status_code <= 599:
        if not _is_json(response):
            return None

        def _parse_response_401(
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

        response_401 = _parse_response_401(response.json())

        return response_401

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    CurrentTokenEnvelope
    | ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
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
    client: AuthenticatedClient,
) -> Response[
    CurrentTokenEnvelope
    | ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
]:
    """The OAuth token this request carries (its user, client, scopes, expiry)

     Describes the bearer token the request is made with; its secret value is never
    sent back.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CurrentTokenEnvelope | ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody]
    """

    kwargs = build_request()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> (
    CurrentTokenEnvelope
    | ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | None
):
    """The OAuth token this request carries (its user, client, scopes, expiry)

     Describes the bearer token the request is made with; its secret value is never
    sent back.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CurrentTokenEnvelope | ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[
    CurrentTokenEnvelope
    | ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
]:
    """The OAuth token this request carries (its user, client, scopes, expiry)

     Describes the bearer token the request is made with; its secret value is never
    sent back.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CurrentTokenEnvelope | ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody]
    """

    kwargs = build_request()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> (
    CurrentTokenEnvelope
    | ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | None
):
    """The OAuth token this request carries (its user, client, scopes, expiry)

     Describes the bearer token the request is made with; its secret value is never
    sent back.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CurrentTokenEnvelope | ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
