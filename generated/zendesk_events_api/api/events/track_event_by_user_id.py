from typing import Any
from urllib.parse import quote

from ...models.track_event_request import TrackEventRequest

#: The HTTP method of track_event_by_user_id.
METHOD = "POST"
#: The path template of track_event_by_user_id, as the spec declares it.
PATH = "/api/v2/users/{user_id}/events"
#: The wire name of the ``user_id`` argument.
USER_ID_PARAM = "user_id"


def build_request(
    user_id: int,
    *,
    body: TrackEventRequest,
) -> dict[str, Any]:
    """Build the request of track_event_by_user_id without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v2/users/{user_id}/events".format(
            user_id=quote(str(user_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs
