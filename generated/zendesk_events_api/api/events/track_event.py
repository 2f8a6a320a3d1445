from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_list_body import ErrorListBody
from ...models.error_object_body import ErrorObjectBody
from ...models.error_string_body import ErrorStringBody
from ...models.errors_array_body import ErrorsArrayBody
from ...models.track_event_request import TrackEventRequest
from ...models.track_result import TrackResult
from ...types import Response, _is_json, _status

#: The HTTP method of track_event.
METHOD = "POST"
#: The path template of track_event, as the spec declares it.
PATH = "/api/v2/user_profiles/events"


def build_request(
    *,
    body: TrackEventRequest,
) -> dict[str, Any]:
    """Build the request of track_event without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v2/user_profiles/events",
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
        response.status_code in (400, 401, 403, 409, 429)
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
    *,
    client: AuthenticatedClient,
    body: TrackEventRequest,
) -> Response[
    ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult
]:
    """Track an event on the profile the body describes (created if missing)

     Zendesk looks for a profile with the body's `source`, `type` and any of its
    identifiers; if there is none it creates one (and a Zendesk user for it), and
    identifiers the profile lacks are added. Not idempotent: a retry may store the
    event twice.

    Args:
        body (TrackEventRequest): The body of `trackEvent` and `trackEventByUserId`. Zendesk
            documents no other
            top-level fields; unknown ones are not rejected.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult]
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
    client: AuthenticatedClient,
    body: TrackEventRequest,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | TrackResult
    | None
):
    """Track an event on the profile the body describes (created if missing)

     Zendesk looks for a profile with the body's `source`, `type` and any of its
    identifiers; if there is none it creates one (and a Zendesk user for it), and
    identifiers the profile lacks are added. Not idempotent: a retry may store the
    event twice.

    Args:
        body (TrackEventRequest): The body of `trackEvent` and `trackEventByUserId`. Zendesk
            documents no other
            top-level fields; unknown ones are not rejected.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TrackEventRequest,
) -> Response[
    ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult
]:
    """Track an event on the profile the body describes (created if missing)

     Zendesk looks for a profile with the body's `source`, `type` and any of its
    identifiers; if there is none it creates one (and a Zendesk user for it), and
    identifiers the profile lacks are added. Not idempotent: a retry may store the
    event twice.

    Args:
        body (TrackEventRequest): The body of `trackEvent` and `trackEventByUserId`. Zendesk
            documents no other
            top-level fields; unknown ones are not rejected.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult]
    """

    kwargs = build_request(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: TrackEventRequest,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | TrackResult
    | None
):
    """Track an event on the profile the body describes (created if missing)

     Zendesk looks for a profile with the body's `source`, `type` and any of its
    identifiers; if there is none it creates one (and a Zendesk user for it), and
    identifiers the profile lacks are added. Not idempotent: a retry may store the
    event twice.

    Args:
        body (TrackEventRequest): The body of `trackEvent` and `trackEventByUserId`. Zendesk
            documents no other
            top-level fields; unknown ones are not rejected.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | TrackResult
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
