from typing import Any
from urllib.parse import quote

from ...types import UNSET, Unset

#: The HTTP method of list_events_by_user_id.
METHOD = "GET"
#: The path template of list_events_by_user_id, as the spec declares it.
PATH = "/api/v2/users/{user_id}/events"
#: The wire name of the ``user_id`` argument.
USER_ID_PARAM = "user_id"
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
    user_id: int,
    *,
    filtersource: str | Unset = UNSET,
    filtertype: str | Unset = UNSET,
    filterstart_time: str | Unset = UNSET,
    filterend_time: str | Unset = UNSET,
    pagesize: int | Unset = UNSET,
    pageafter: str | Unset = UNSET,
) -> dict[str, Any]:
    """Build the request of list_events_by_user_id without sending it.

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
        "url": "/api/v2/users/{user_id}/events".format(
            user_id=quote(str(user_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs
