from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_list_body import ErrorListBody
from ...models.error_object_body import ErrorObjectBody
from ...models.errors_array_body import ErrorsArrayBody
from ...models.events_page import EventsPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    identifier: str,
    filtersource: str | Unset = UNSET,
    filtertype: str | Unset = UNSET,
    filterstart_time: str | Unset = UNSET,
    filterend_time: str | Unset = UNSET,
    pagesize: int | Unset = UNSET,
    pageafter: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["identifier"] = identifier

    params["filter[source]"] = filtersource

    params["filter[type]"] = filtertype

    params["filter[start_time]"] = filterstart_time

    params["filter[end_time]"] = filterend_time

    params["page[size]"] = pagesize

    params["page[after]"] = pageafter

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/user_profiles/events",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorListBody | ErrorObjectBody | ErrorsArrayBody | EventsPage | None:
    if response.status_code == 200:
        response_200 = EventsPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:

        def _parse_response_400(
            data: object,
        ) -> ErrorListBody | ErrorObjectBody | ErrorsArrayBody:
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
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_body_type_2 = ErrorListBody.from_dict(data)

            return componentsschemas_error_body_type_2

        response_400 = _parse_response_400(response.json())

        return response_400

    if response.status_code == 401:

        def _parse_response_401(
            data: object,
        ) -> ErrorListBody | ErrorObjectBody | ErrorsArrayBody:
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
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_body_type_2 = ErrorListBody.from_dict(data)

            return componentsschemas_error_body_type_2

        response_401 = _parse_response_401(response.json())

        return response_401

    if response.status_code == 403:

        def _parse_response_403(
            data: object,
        ) -> ErrorListBody | ErrorObjectBody | ErrorsArrayBody:
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
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_body_type_2 = ErrorListBody.from_dict(data)

            return componentsschemas_error_body_type_2

        response_403 = _parse_response_403(response.json())

        return response_403

    if response.status_code == 404:

        def _parse_response_404(
            data: object,
        ) -> ErrorListBody | ErrorObjectBody | ErrorsArrayBody:
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
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_body_type_2 = ErrorListBody.from_dict(data)

            return componentsschemas_error_body_type_2

        response_404 = _parse_response_404(response.json())

        return response_404

    if response.status_code == 429:

        def _parse_response_429(
            data: object,
        ) -> ErrorListBody | ErrorObjectBody | ErrorsArrayBody:
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
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_body_type_2 = ErrorListBody.from_dict(data)

            return componentsschemas_error_body_type_2

        response_429 = _parse_response_429(response.json())

        return response_429

    if 500 <= response.status_code <= 599:

        def _parse_response_5xx(
            data: object,
        ) -> ErrorListBody | ErrorObjectBody | ErrorsArrayBody:
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
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_body_type_2 = ErrorListBody.from_dict(data)

            return componentsschemas_error_body_type_2

        response_5xx = _parse_response_5xx(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | EventsPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    identifier: str,
    filtersource: str | Unset = UNSET,
    filtertype: str | Unset = UNSET,
    filterstart_time: str | Unset = UNSET,
    filterend_time: str | Unset = UNSET,
    pagesize: int | Unset = UNSET,
    pageafter: str | Unset = UNSET,
) -> Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | EventsPage]:
    """List the events of the profile selected by an identifier query

    Args:
        identifier (str):
        filtersource (str | Unset):
        filtertype (str | Unset):
        filterstart_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`) or an RFC 3339 date-time.
        filterend_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`) or an RFC 3339 date-time.
        pagesize (int | Unset):
        pageafter (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | EventsPage]
    """

    kwargs = _get_kwargs(
        identifier=identifier,
        filtersource=filtersource,
        filtertype=filtertype,
        filterstart_time=filterstart_time,
        filterend_time=filterend_time,
        pagesize=pagesize,
        pageafter=pageafter,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    identifier: str,
    filtersource: str | Unset = UNSET,
    filtertype: str | Unset = UNSET,
    filterstart_time: str | Unset = UNSET,
    filterend_time: str | Unset = UNSET,
    pagesize: int | Unset = UNSET,
    pageafter: str | Unset = UNSET,
) -> ErrorListBody | ErrorObjectBody | ErrorsArrayBody | EventsPage | None:
    """List the events of the profile selected by an identifier query

    Args:
        identifier (str):
        filtersource (str | Unset):
        filtertype (str | Unset):
        filterstart_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`) or an RFC 3339 date-time.
        filterend_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`) or an RFC 3339 date-time.
        pagesize (int | Unset):
        pageafter (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | EventsPage
    """

    return sync_detailed(
        client=client,
        identifier=identifier,
        filtersource=filtersource,
        filtertype=filtertype,
        filterstart_time=filterstart_time,
        filterend_time=filterend_time,
        pagesize=pagesize,
        pageafter=pageafter,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    identifier: str,
    filtersource: str | Unset = UNSET,
    filtertype: str | Unset = UNSET,
    filterstart_time: str | Unset = UNSET,
    filterend_time: str | Unset = UNSET,
    pagesize: int | Unset = UNSET,
    pageafter: str | Unset = UNSET,
) -> Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | EventsPage]:
    """List the events of the profile selected by an identifier query

    Args:
        identifier (str):
        filtersource (str | Unset):
        filtertype (str | Unset):
        filterstart_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`) or an RFC 3339 date-time.
        filterend_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`) or an RFC 3339 date-time.
        pagesize (int | Unset):
        pageafter (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | EventsPage]
    """

    kwargs = _get_kwargs(
        identifier=identifier,
        filtersource=filtersource,
        filtertype=filtertype,
        filterstart_time=filterstart_time,
        filterend_time=filterend_time,
        pagesize=pagesize,
        pageafter=pageafter,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    identifier: str,
    filtersource: str | Unset = UNSET,
    filtertype: str | Unset = UNSET,
    filterstart_time: str | Unset = UNSET,
    filterend_time: str | Unset = UNSET,
    pagesize: int | Unset = UNSET,
    pageafter: str | Unset = UNSET,
) -> ErrorListBody | ErrorObjectBody | ErrorsArrayBody | EventsPage | None:
    """List the events of the profile selected by an identifier query

    Args:
        identifier (str):
        filtersource (str | Unset):
        filtertype (str | Unset):
        filterstart_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`) or an RFC 3339 date-time.
        filterend_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`) or an RFC 3339 date-time.
        pagesize (int | Unset):
        pageafter (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | EventsPage
    """

    return (
        await asyncio_detailed(
            client=client,
            identifier=identifier,
            filtersource=filtersource,
            filtertype=filtertype,
            filterstart_time=filterstart_time,
            filterend_time=filterend_time,
            pagesize=pagesize,
            pageafter=pageafter,
        )
    ).parsed
