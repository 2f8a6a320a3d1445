from typing import Any

from ...types import UNSET

#: The HTTP method of get_profile_by_identifier.
METHOD = "GET"
#: The path template of get_profile_by_identifier, as the spec declares it.
PATH = "/api/v2/user_profiles"
#: The wire name of the ``identifier`` argument.
IDENTIFIER_PARAM = "identifier"


def build_request(
    *,
    identifier: str,
) -> dict[str, Any]:
    """Build the request of get_profile_by_identifier without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """

    params: dict[str, Any] = {}

    params["identifier"] = identifier

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/user_profiles",
        "params": params,
    }

    return _kwargs
