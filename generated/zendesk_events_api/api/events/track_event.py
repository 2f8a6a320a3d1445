from typing import Any

from ...models.track_event_request import TrackEventRequest

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
