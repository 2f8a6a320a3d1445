from typing import Any
from urllib.parse import quote

#: The HTTP method of list_profiles_by_user_id.
METHOD = "GET"
#: The path template of list_profiles_by_user_id, as the spec declares it.
PATH = "/api/v2/users/{user_id}/profiles"
#: The wire name of the ``user_id`` argument.
USER_ID_PARAM = "user_id"


def build_request(
    user_id: int,
) -> dict[str, Any]:
    """Build the request of list_profiles_by_user_id without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/users/{user_id}/profiles".format(
            user_id=quote(str(user_id), safe=""),
        ),
    }

    return _kwargs
