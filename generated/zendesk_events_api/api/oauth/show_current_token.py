from typing import Any

#: The HTTP method of show_current_token.
METHOD = "GET"
#: The path template of show_current_token, as the spec declares it.
PATH = "/api/v2/oauth/tokens/current.json"


def build_request() -> dict[str, Any]:
    """Build the request of show_current_token without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/oauth/tokens/current.json",
    }

    return _kwargs
