from typing import Any

#: The HTTP method of revoke_current_token.
METHOD = "DELETE"
#: The path template of revoke_current_token, as the spec declares it.
PATH = "/api/v2/oauth/tokens/current.json"


def build_request() -> dict[str, Any]:
    """Build the request of revoke_current_token without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/v2/oauth/tokens/current.json",
    }

    return _kwargs
