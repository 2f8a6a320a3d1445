from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_list_body import ErrorListBody
from ...models.error_object_body import ErrorObjectBody
from ...models.error_string_body import ErrorStringBody
from ...models.errors_array_body import ErrorsArrayBody
from ...models.events_page import EventsPage
from ...types import UNSET, Response, Unset, _is_json, _status

#: The HTTP method of list_events_by_profile_id.
METHOD = "GET"
#: The path template of list_events_by_profile_id, as the spec declares it.
PATH = "/api/v2/user_profiles/{profile_id}/events"
#: The wire name of the ``profile_id`` argument.
PROFILE_ID_PARAM = "profile_id"
#: The wire name of the ``filtersource`` argument.
FILTER_SOURCE_PARAM = "filter[source]"
#: The wire name of the ``filtertype`` argument.
FILTER_TYPE_PARAM = "filter[type]"
#: The wire name of the ``filterstart_time`` argument.
FILTER_START_TIME_PARAM = "filter[start_time]"
#: The wire name of the ``filterend_time`` argument.
FILTER_END_TIME_PARAM = "filter[end_time]"
#: The wire name of the ``pagesize`` argument.
PAGE_SIZE_PARAM = "page[size]"
#: The wire name of the ``pageafter`` argument.
PAGE_AFTER_PARAM = "page[after]"


def build_request(
    profile_id: str,
    *,
    filtersource: str | Unset = UNSET,
    filtertype: str | Unset = UNSET,
    filterstart_time: str | Unset = UNSET,
    filterend_time: str | Unset = UNSET,
    pagesize: int | Unset = UNSET,
    pageafter: str | Unset = UNSET,
) -> dict[str, Any]:
    """Build the request of list_events_by_profile_id without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """

    params: dict[str, Any] = {}

    params["filter[source]"] = filtersource

    params["filter[type]"] = filtertype

    params["filter[start_time]"] = filterstart_time

    params["filter[end_time]"] = filterend_time

    params["page[size]"] = pagesize

    params["page[after]"] = pageafter

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/user_profiles/{profile_id}/events".format(
            profile_id=quote(str(profile_id), safe=""),
        ),
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
    | EventsPage
    | None
):
    if response.status_code == 200:
        if not _is_json(response):
            return None
        response_200 = EventsPage.from_dict(response.json())

        return response_200

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
    ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | EventsPage
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
    client: AuthenticatedClient | Client,
    filtersource: str | Unset = UNSET,
    filtertype: str | Unset = UNSET,
    filterstart_time: str | Unset = UNSET,
    filterend_time: str | Unset = UNSET,
    pagesize: int | Unset = UNSET,
    pageafter: str | Unset = UNSET,
) -> Response[
    ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | EventsPage
]:
    """List the events of a profile by its id

     The events of the profile with this id, newest first, a cursor page at a time.

    Args:
        profile_id (str):
        filtersource (str | Unset):
        filtertype (str | Unset):
        filterstart_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`, years 0001 to 9999) or an
            RFC 3339 date-time with
            up to nine fractional digits. The pattern checks the calendar too (month lengths and
            leap years) and ends with `(?![\\s\\S])` rather than `$`, which in Python's regular
            expressions would also match before a final newline.
        filterend_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`, years 0001 to 9999) or an
            RFC 3339 date-time with
            up to nine fractional digits. The pattern checks the calendar too (month lengths and
            leap years) and ends with `(?![\\s\\S])` rather than `$`, which in Python's regular
            expressions would also match before a final newline.
        pagesize (int | Unset):
        pageafter (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | EventsPage]
    """

    kwargs = build_request(
        profile_id=profile_id,
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
    profile_id: str,
    *,
    client: AuthenticatedClient | Client,
    filtersource: str | Unset = UNSET,
    filtertype: str | Unset = UNSET,
    filterstart_time: str | Unset = UNSET,
    filterend_time: str | Unset = UNSET,
    pagesize: int | Unset = UNSET,
    pageafter: str | Unset = UNSET,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | EventsPage
    | None
):
    """List the events of a profile by its id

     The events of the profile with this id, newest first, a cursor page at a time.

    Args:
        profile_id (str):
        filtersource (str | Unset):
        filtertype (str | Unset):
        filterstart_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`, years 0001 to 9999) or an
            RFC 3339 date-time with
            up to nine fractional digits. The pattern checks the calendar too (month lengths and
            leap years) and ends with `(?![\\s\\S])` rather than `$`, which in Python's regular
            expressions would also match before a final newline.
        filterend_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`, years 0001 to 9999) or an
            RFC 3339 date-time with
            up to nine fractional digits. The pattern checks the calendar too (month lengths and
            leap years) and ends with `(?![\\s\\S])` rather than `$`, which in Python's regular
            expressions would also match before a final newline.
        pagesize (int | Unset):
        pageafter (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | EventsPage
    """

    return sync_detailed(
        profile_id=profile_id,
        client=client,
        filtersource=filtersource,
        filtertype=filtertype,
        filterstart_time=filterstart_time,
        filterend_time=filterend_time,
        pagesize=pagesize,
        pageafter=pageafter,
    ).parsed


async def asyncio_detailed(
    profile_id: str,
    *,
    client: AuthenticatedClient | Client,
    filtersource: str | Unset = UNSET,
    filtertype: str | Unset = UNSET,
    filterstart_time: str | Unset = UNSET,
    filterend_time: str | Unset = UNSET,
    pagesize: int | Unset = UNSET,
    pageafter: str | Unset = UNSET,
) -> Response[
    ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | EventsPage
]:
    """List the events of a profile by its id

     The events of the profile with this id, newest first, a cursor page at a time.

    Args:
        profile_id (str):
        filtersource (str | Unset):
        filtertype (str | Unset):
        filterstart_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`, years 0001 to 9999) or an
            RFC 3339 date-time with
            up to nine fractional digits. The pattern checks the calendar too (month lengths and
            leap years) and ends with `(?![\\s\\S])` rather than `$`, which in Python's regular
            expressions would also match before a final newline.
        filterend_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`, years 0001 to 9999) or an
            RFC 3339 date-time with
            up to nine fractional digits. The pattern checks the calendar too (month lengths and
            leap years) and ends with `(?![\\s\\S])` rather than `$`, which in Python's regular
            expressions would also match before a final newline.
        pagesize (int | Unset):
        pageafter (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | EventsPage]
    """

    kwargs = build_request(
        profile_id=profile_id,
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
    profile_id: str,
    *,
    client: AuthenticatedClient | Client,
    filtersource: str | Unset = UNSET,
    filtertype: str | Unset = UNSET,
    filterstart_time: str | Unset = UNSET,
    filterend_time: str | Unset = UNSET,
    pagesize: int | Unset = UNSET,
    pageafter: str | Unset = UNSET,
) -> (
    ErrorListBody
    | ErrorObjectBody
    | ErrorsArrayBody
    | ErrorStringBody
    | EventsPage
    | None
):
    """List the events of a profile by its id

     The events of the profile with this id, newest first, a cursor page at a time.

    Args:
        profile_id (str):
        filtersource (str | Unset):
        filtertype (str | Unset):
        filterstart_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`, years 0001 to 9999) or an
            RFC 3339 date-time with
            up to nine fractional digits. The pattern checks the calendar too (month lengths and
            leap years) and ends with `(?![\\s\\S])` rather than `$`, which in Python's regular
            expressions would also match before a final newline.
        filterend_time (str | Unset): An ISO 8601 date (`YYYY-MM-DD`, years 0001 to 9999) or an
            RFC 3339 date-time with
            up to nine fractional digits. The pattern checks the calendar too (month lengths and
            leap years) and ends with `(?![\\s\\S])` rather than `$`, which in Python's regular
            expressions would also match before a final newline.
        pagesize (int | Unset):
        pageafter (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorListBody | ErrorObjectBody | ErrorsArrayBody | ErrorStringBody | EventsPage
    """

    return (
        await asyncio_detailed(
            profile_id=profile_id,
            client=client,
            filtersource=filtersource,
            filtertype=filtertype,
            filterstart_time=filterstart_time,
            filterend_time=filterend_time,
            pagesize=pagesize,
            pageafter=pageafter,
        )
    ).parsed
