from typing import Any
from urllib.parse import quote

#: The HTTP method of get_profile.
METHOD = "GET"
#: The path template of get_profile, as the spec declares it.
PATH = "/api/v2/user_profiles/{profile_id}"
#: The wire name of the ``profile_id`` argument.
PROFILE_ID_PARAM = "profile_id"


def build_request(
    profile_id: str,
) -> dict[str, Any]:
    """Build the request of get_profile without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/user_profiles/{profile_id}".format(
            profile_id=quote(str(profile_id), safe=""),
        ),
    }

    return _kwargs
