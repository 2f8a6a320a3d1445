from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_list_body import ErrorListBody
from ...models.error_object_body import ErrorObjectBody
from ...models.error_string_body import ErrorStringBody
from ...models.errors_array_body import ErrorsArrayBody
from ...models.users_export_page import UsersExportPage
from ...types import UNSET, Response, Unset, _is_json, _status

#: The HTTP method of export_users.
METHOD = "GET"
#: The path template of export_users, as the spec declares it.
PATH = "/api/v2/incremental/users/cursor"
#: The wire name of the ``start_time`` argument.
START_TIME_PARAM = "start_time"
#: The wire name of the ``cursor`` argument.
CURSOR_PARAM = "cursor"
#: The wire name of the ``per_page`` argument.
PER_PAGE_PARAM = "per_page"


def build_request(
    *,
    start_time: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    per_page: int | Unset = UNSET,
) -> dict[str, Any]:
    """Build the request of export_users without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """

    params: dict[str, Any] = {}

    params["start_time"] = start_time

    params["cursor"] = cursor

    params["per_page"] = per_page

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/incremental/users/cursor",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | UsersExportPage
    | None
):
    if response.status_code == 200:
        if not _is_json(response):
            return None
        response_200 = UsersExportPage.from_dict(response.json())

        return response_200

    if (
        response.status_code in (400, 401, 403, 429)
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
    | UsersExportPage
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
    start_time: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    per_page: int | Unset = UNSET,
) -> Response[
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | UsersExportPage
]:
    """Export the users created or changed since a time, a cursor page at a time

     Zendesk's cursor-based Incremental User Export
    (https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/).
    The first request gives `start_time` (Unix seconds, at least a minute in the past);
    each later one gives only the `cursor` of the previous page (`after_cursor`). A page
    with `end_of_stream` true holds everything up to now; keep its `after_cursor` and
    start the next export from it to read only the users created or changed since.
    Admins only (an agent is answered 403); 10 requests a minute, on top of the
    account's limit, answered 429 with `Retry-After` beyond.

    Args:
        start_time (int | Unset):
        cursor (str | Unset):
        per_page (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | UsersExportPage]
    """

    kwargs = build_request(
        start_time=start_time,
        cursor=cursor,
        per_page=per_page,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    start_time: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    per_page: int | Unset = UNSET,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | UsersExportPage
    | None
):
    """Export the users created or changed since a time, a cursor page at a time

     Zendesk's cursor-based Incremental User Export
    (https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/).
    The first request gives `start_time` (Unix seconds, at least a minute in the past);
    each later one gives only the `cursor` of the previous page (`after_cursor`). A page
    with `end_of_stream` true holds everything up to now; keep its `after_cursor` and
    start the next export from it to read only the users created or changed since.
    Admins only (an agent is answered 403); 10 requests a minute, on top of the
    account's limit, answered 429 with `Retry-After` beyond.

    Args:
        start_time (int | Unset):
        cursor (str | Unset):
        per_page (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | UsersExportPage
    """

    return sync_detailed(
        client=client,
        start_time=start_time,
        cursor=cursor,
        per_page=per_page,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    start_time: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    per_page: int | Unset = UNSET,
) -> Response[
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | UsersExportPage
]:
    """Export the users created or changed since a time, a cursor page at a time

     Zendesk's cursor-based Incremental User Export
    (https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/).
    The first request gives `start_time` (Unix seconds, at least a minute in the past);
    each later one gives only the `cursor` of the previous page (`after_cursor`). A page
    with `end_of_stream` true holds everything up to now; keep its `after_cursor` and
    start the next export from it to read only the users created or changed since.
    Admins only (an agent is answered 403); 10 requests a minute, on top of the
    account's limit, answered 429 with `Retry-After` beyond.

    Args:
        start_time (int | Unset):
        cursor (str | Unset):
        per_page (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | UsersExportPage]
    """

    kwargs = build_request(
        start_time=start_time,
        cursor=cursor,
        per_page=per_page,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    start_time: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    per_page: int | Unset = UNSET,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | UsersExportPage
    | None
):
    """Export the users created or changed since a time, a cursor page at a time

     Zendesk's cursor-based Incremental User Export
    (https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/).
    The first request gives `start_time` (Unix seconds, at least a minute in the past);
    each later one gives only the `cursor` of the previous page (`after_cursor`). A page
    with `end_of_stream` true holds everything up to now; keep its `after_cursor` and
    start the next export from it to read only the users created or changed since.
    Admins only (an agent is answered 403); 10 requests a minute, on top of the
    account's limit, answered 429 with `Retry-After` beyond.

    Args:
        start_time (int | Unset):
        cursor (str | Unset):
        per_page (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | UsersExportPage
    """

    return (
        await asyncio_detailed(
            client=client,
            start_time=start_time,
            cursor=cursor,
            per_page=per_page,
        )
    ).parsed
