from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_list_body import ErrorListBody
from ...models.error_object_body import ErrorObjectBody
from ...models.error_string_body import ErrorStringBody
from ...models.errors_array_body import ErrorsArrayBody
from ...models.track_event_by_profile_id_request import TrackEventByProfileIdRequest
from ...models.track_result import TrackResult
from ...types import Response, _is_json, _status

#: The HTTP method of track_event_by_profile_id.
METHOD = "POST"
#: The path template of track_event_by_profile_id, as the spec declares it.
PATH = "/api/v2/user_profiles/{profile_id}/events"
#: The wire name of the ``profile_id`` argument.
PROFILE_ID_PARAM = "profile_id"


def build_request(
    profile_id: str,
    *,
    body: TrackEventByProfileIdRequest,
) -> dict[str, Any]:
    """Build the request of track_event_by_profile_id without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v2/user_profiles/{profile_id}/events".format(
            profile_id=quote(str(profile_id), safe=""),
        ),
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
    | TrackResult
    | None
):
    if response.status_code == 202:
        if not _is_json(response):
            return None
        response_202 = TrackResult.from_dict(response.json())

        return response_202

    if (
        response.status_code in (400, 401, 403, 404, 429)
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
    ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult
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
    profile_id: str,
    *,
    client: AuthenticatedClient,
    body: TrackEventByProfileIdRequest,
) -> Response[
    ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult
]:
    """Track an event on an existing profile, by its id

     The profile must exist (`404` otherwise); the body needs only the event. Not
    idempotent: a retry may store the event twice.

    Args:
        profile_id (str):
        body (TrackEventByProfileIdRequest): The body of `trackEventByProfileId`: only the event
            (the reference's curl sample
            also sends a profile, which the route does not need).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult]
    """

    kwargs = build_request(
        profile_id=profile_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    profile_id: str,
    *,
    client: AuthenticatedClient,
    body: TrackEventByProfileIdRequest,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | TrackResult
    | None
):
    """Track an event on an existing profile, by its id

     The profile must exist (`404` otherwise); the body needs only the event. Not
    idempotent: a retry may store the event twice.

    Args:
        profile_id (str):
        body (TrackEventByProfileIdRequest): The body of `trackEventByProfileId`: only the event
            (the reference's curl sample
            also sends a profile, which the route does not need).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult
    """

    return sync_detailed(
        profile_id=profile_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    profile_id: str,
    *,
    client: AuthenticatedClient,
    body: TrackEventByProfileIdRequest,
) -> Response[
    ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult
]:
    """Track an event on an existing profile, by its id

     The profile must exist (`404` otherwise); the body needs only the event. Not
    idempotent: a retry may store the event twice.

    Args:
        profile_id (str):
        body (TrackEventByProfileIdRequest): The body of `trackEventByProfileId`: only the event
            (the reference's curl sample
            also sends a profile, which the route does not need).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult]
    """

    kwargs = build_request(
        profile_id=profile_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    profile_id: str,
    *,
    client: AuthenticatedClient,
    body: TrackEventByProfileIdRequest,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | TrackResult
    | None
):
    """Track an event on an existing profile, by its id

     The profile must exist (`404` otherwise); the body needs only the event. Not
    idempotent: a retry may store the event twice.

    Args:
        profile_id (str):
        body (TrackEventByProfileIdRequest): The body of `trackEventByProfileId`: only the event
            (the reference's curl sample
            also sends a profile, which the route does not need).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult
    """

    return (
        await asyncio_detailed(
            profile_id=profile_id,
            client=client,
            body=body,
        )
    ).parsed
