from typing import Any
from urllib.parse import quote

from ...models.track_event_by_profile_id_request import TrackEventByProfileIdRequest

#: The HTTP method of track_event_by_profile_id.
METHOD = "POST"
#: The path template of track_event_by_profile_id, as the spec declares it.
PATH = "/api/v2/user_profiles/{profile_id}/events"
#: The wire name of the ``profile_id`` argument.
PROFILE_ID_PARAM = "profile_id"


def build_request(
    profile_id: str,
    *,
    body: TrackEventByProfileIdRequest,
) -> dict[str, Any]:
    """Build the request of track_event_by_profile_id without sending it.

    Returns ``method``, ``url`` (relative, path parameters quoted) and, where the operation
    has them, ``params`` (query parameters by wire name; unset ones left out), ``json`` (the
    body) and ``headers``: ``httpx.Client.request(**build_request(...))`` sends it.
    """
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v2/user_profiles/{profile_id}/events".format(
            profile_id=quote(str(profile_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs
