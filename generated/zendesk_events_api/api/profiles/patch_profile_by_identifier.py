from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_list_body import ErrorListBody
from ...models.error_object_body import ErrorObjectBody
from ...models.error_string_body import ErrorStringBody
from ...models.errors_array_body import ErrorsArrayBody
from ...models.profile_envelope import ProfileEnvelope
from ...models.profile_patch_request import ProfilePatchRequest
from ...types import UNSET, Response, _is_json, _status

#: The HTTP method of patch_profile_by_identifier.
METHOD = "PATCH"
#: The path template of patch_profile_by_identifier, as the spec declares it.
PATH = "/api/v2/user_profiles"
#: The wire name of the ``identifier`` argument.
IDENTIFIER_PARAM = "identifier"


def build_request(
    *,
    body: ProfilePatchRequest,
    identifier: str,
) -> dict[str, Any]:
    """Build the request of patch_profile_by_identifier without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["identifier"] = identifier

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v2/user_profiles",
        "params": params,
    }

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
    | ProfileEnvelope
    | None
):
    if response.status_code == 200:
        if not _is_json(response):
            return None
        response_200 = ProfileEnvelope.from_dict(response.json())

        return response_200

    if (
        response.status_code in (400, 401, 403, 404, 409, 429)
        or 500 <= response.status_code <= 599
    ):
        if not _is_json(response):
            return None

        def _parse_response_400(
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

        response_400 = _parse_response_400(response.json())

        return response_400

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
    | ProfileEnvelope
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
    body: ProfilePatchRequest,
    identifier: str,
) -> Response[
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | ProfileEnvelope
]:
    """Merge changes into the profile an identifier query selects

     Only `name` and `attributes` change; `attributes` keys are merged into the stored
    ones (a key sent as `null` is removed, as in a JSON merge patch); identifiers the
    profile lacks are added, none is changed or removed; `source`, `type` and `user_id`
    are ignored. Idempotent: the same merge sent again changes nothing more.

    Args:
        identifier (str):
        body (ProfilePatchRequest): The body of the PATCH routes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | ProfileEnvelope]
    """

    kwargs = build_request(
        body=body,
        identifier=identifier,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ProfilePatchRequest,
    identifier: str,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | ProfileEnvelope
    | None
):
    """Merge changes into the profile an identifier query selects

     Only `name` and `attributes` change; `attributes` keys are merged into the stored
    ones (a key sent as `null` is removed, as in a JSON merge patch); identifiers the
    profile lacks are added, none is changed or removed; `source`, `type` and `user_id`
    are ignored. Idempotent: the same merge sent again changes nothing more.

    Args:
        identifier (str):
        body (ProfilePatchRequest): The body of the PATCH routes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | ProfileEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
        identifier=identifier,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ProfilePatchRequest,
    identifier: str,
) -> Response[
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | ProfileEnvelope
]:
    """Merge changes into the profile an identifier query selects

     Only `name` and `attributes` change; `attributes` keys are merged into the stored
    ones (a key sent as `null` is removed, as in a JSON merge patch); identifiers the
    profile lacks are added, none is changed or removed; `source`, `type` and `user_id`
    are ignored. Idempotent: the same merge sent again changes nothing more.

    Args:
        identifier (str):
        body (ProfilePatchRequest): The body of the PATCH routes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | ProfileEnvelope]
    """

    kwargs = build_request(
        body=body,
        identifier=identifier,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ProfilePatchRequest,
    identifier: str,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | ProfileEnvelope
    | None
):
    """Merge changes into the profile an identifier query selects

     Only `name` and `attributes` change; `attributes` keys are merged into the stored
    ones (a key sent as `null` is removed, as in a JSON merge patch); identifiers the
    profile lacks are added, none is changed or removed; `source`, `type` and `user_id`
    are ignored. Idempotent: the same merge sent again changes nothing more.

    Args:
        identifier (str):
        body (ProfilePatchRequest): The body of the PATCH routes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | ProfileEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            identifier=identifier,
        )
    ).parsed
