"""The one place that asks the generated package how to build a request.

Paths and wire parameter names (``filter[...]``, ``page[...]``) live only in the spec and in
the code generated from it. The generated ``sync_detailed`` functions are not used: their
response builder calls ``HTTPStatus(code)``, which raises ``ValueError`` on non-IANA codes
such as Cloudflare's 520 (openapi-python-client issue #1442). So zdevents takes only the
request arguments (``_get_kwargs``) and sends and decodes the response itself.
"""

from __future__ import annotations

from typing import Any

from zendesk_events_api.api.events import (
    list_events_by_identifier,
    list_events_by_profile_id,
    list_events_by_user_id,
)

from ._query import EventQuery

__all__ = ["AFTER_PARAM", "SIZE_PARAM", "build_request"]


def build_request(query: EventQuery, after: str | None = None) -> dict[str, Any]:
    """Return ``method``, ``url`` (relative) and ``params`` for one page of ``query``."""
    filters: dict[str, Any] = {
        "filtersource": query.source,
        "filtertype": query.type,
        "filterstart_time": query.start,
        "filterend_time": query.end,
        "pagesize": query.page_size,
        "pageafter": after,
    }
    kwargs: dict[str, Any]
    if query.identifier is not None:
        kwargs = list_events_by_identifier._get_kwargs(identifier=str(query.identifier), **filters)
    elif query.profile_id is not None:
        kwargs = list_events_by_profile_id._get_kwargs(query.profile_id, **filters)
    else:
        assert query.user_id is not None
        kwargs = list_events_by_user_id._get_kwargs(query.user_id, **filters)
    return kwargs


def _wire_name(argument: str, marker: Any) -> str:
    params: dict[str, Any] = list_events_by_user_id._get_kwargs(1, **{argument: marker})["params"]
    return next(str(name) for name, value in params.items() if value == marker)


#: The wire names of the cursor and page-size parameters (``page[after]``, ``page[size]``),
#: read from the generated builder.
AFTER_PARAM = _wire_name("pageafter", "\x00cursor")
SIZE_PARAM = _wire_name("pagesize", 987654321)
