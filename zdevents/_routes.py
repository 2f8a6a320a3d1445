"""The one place that asks the generated package how to build a request.

Paths and wire parameter names (``filter[...]``, ``page[...]``) live only in the spec and in
the code generated from it. Every generated operation module has a public ``build_request``
(method, path and query or body, nothing sent) and a ``<NAME>_PARAM`` constant per parameter
(``openapi/templates/endpoint_module.py.jinja``). The generated package is a working client
on its own too (``sync``/``asyncio`` with response models), but zdevents sends through its own
core and decodes event pages itself (exact bytes, bounded bodies, one deadline).

Request building is generic: :func:`operation_request` builds any operation from keyword
arguments named as the generated function names them, and :func:`events_request` builds a
page of any event-listing operation, so a new read route needs only its entry in
:data:`EVENT_LISTS`. Request bodies are built by the generated models (``from_dict`` then the
operation's own ``to_dict``), so their field names, too, come from the spec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypedDict

from zendesk_events_api.api.events import (
    list_events_by_identifier,
    list_events_by_profile_id,
    list_events_by_user_id,
    track_event,
    track_event_by_profile_id,
    track_event_by_user_id,
)
from zendesk_events_api.api.profiles import (
    delete_profile,
    get_profile,
    get_profile_by_identifier,
    list_profiles_by_user_id,
    patch_profile,
    patch_profile_by_identifier,
    put_profile,
    put_profile_by_identifier,
    put_profile_for_user,
)
from zendesk_events_api.models import (
    ProfilePatchRequest,
    ProfileWriteRequest,
    TrackEventByProfileIdRequest,
    TrackEventRequest,
)

from ._identifier import Identifier
from ._query import FILTERS, EventQuery


class Operation(Protocol):
    """What zdevents uses of a generated operation module."""

    METHOD: str
    PATH: str
    build_request: Callable[..., dict[str, Any]]


class Request(TypedDict):
    """A request to send: ``method``, ``url`` relative to the base URL, ``params`` by wire
    name (possibly empty), ``json`` (the body, or ``None``) and ``headers`` (possibly empty)."""

    method: str
    url: str
    params: dict[str, Any]
    json: Any
    headers: dict[str, str]


#: The operations that list events, by the one argument that selects whose events.
EVENT_LISTS: dict[str, Operation] = {
    "identifier": list_events_by_identifier,
    "profile_id": list_events_by_profile_id,
    "user_id": list_events_by_user_id,
}

#: The wire names of the cursor and page-size parameters (``page[after]``, ``page[size]``).
AFTER_PARAM: str = list_events_by_user_id.PAGE_AFTER_PARAM
SIZE_PARAM: str = list_events_by_user_id.PAGE_SIZE_PARAM


def operation_request(operation: Operation, **arguments: object) -> Request:
    """The request of ``operation`` for ``arguments`` (``None`` ones left out).

    An argument the operation does not take is a ``TypeError`` naming it.
    """
    given = {name: value for name, value in arguments.items() if value is not None}
    built = operation.build_request(**given)
    return Request(
        method=operation.METHOD,
        url=built["url"],
        params=dict(built.get("params", {})),
        json=built.get("json"),
        headers=dict(built.get("headers", {})),
    )


def _selector_value(value: object) -> object:
    # An Identifier goes on the wire as its text; ids as they are.
    return value if isinstance(value, int | str) else str(value)


def events_request(
    operation: Operation,
    selector: Mapping[str, object],
    query: EventQuery,
    after: str | None = None,
) -> Request:
    """One page of ``operation``'s events: ``selector`` (argument name and value) says whose,
    ``query`` gives the filters and page size, ``after`` the cursor (``None``: the first page).
    """
    return operation_request(
        operation,
        **{name: _selector_value(value) for name, value in selector.items()},
        **{argument: getattr(query, name) for name, argument in FILTERS.items()},
        pageafter=after,
    )


def build_request(query: EventQuery, after: str | None = None) -> Request:
    """The request for one page of ``query``, starting after the cursor ``after``."""
    for name, operation in EVENT_LISTS.items():
        value = getattr(query, name)
        if value is not None:
            return events_request(operation, {name: value}, query, after)
    raise ValueError("the query selects no identifier, profile_id or user_id")


def build_track(
    event: Mapping[str, Any],
    *,
    profile: Mapping[str, Any] | None = None,
    profile_id: str | None = None,
    user_id: int | str | None = None,
) -> Request:
    """The request that tracks ``event`` on one target: ``profile`` alone (found by its
    identifiers or created), ``profile_id`` alone, or ``user_id`` with ``profile``.

    The arguments are expected to be validated already (``track()`` does that); a target
    combination other than those three is a ``ValueError``.
    """
    if profile_id is not None and profile is None and user_id is None:
        body = TrackEventByProfileIdRequest.from_dict({"event": event})
        return operation_request(track_event_by_profile_id, profile_id=profile_id, body=body)
    if profile is not None and profile_id is None:
        body_with_profile = TrackEventRequest.from_dict({"profile": profile, "event": event})
        if user_id is None:
            return operation_request(track_event, body=body_with_profile)
        return operation_request(track_event_by_user_id, user_id=user_id, body=body_with_profile)
    raise ValueError("give exactly one target: profile, profile_id, or user_id with profile")


def one_profile_target(identifier: object, profile_id: object) -> None:
    """The one check that a read or a merge of a profile names it once: by ``identifier`` or
    by ``profile_id``, not both, not neither."""
    if (identifier is None) == (profile_id is None):
        got = "both" if identifier is not None else "none"
        raise ValueError(f"give exactly one of identifier and profile_id (got {got})")


def build_profile_request(
    *, identifier: Identifier | str | None = None, profile_id: str | None = None
) -> Request:
    """The request for one profile, by ``identifier`` (a query or an ``Identifier``) or by
    ``profile_id``; exactly one of them (:func:`one_profile_target`)."""
    one_profile_target(identifier, profile_id)
    if identifier is not None:
        return operation_request(get_profile_by_identifier, identifier=str(identifier))
    return operation_request(get_profile, profile_id=profile_id)


def build_profiles_request(user_id: int | str) -> Request:
    """The request for the profiles of the Zendesk user ``user_id``."""
    return operation_request(list_profiles_by_user_id, user_id=user_id)


def build_profile_put(
    profile: Mapping[str, Any],
    *,
    identifier: Identifier | str | None = None,
    profile_id: str | None = None,
    user_id: int | str | None = None,
) -> Request:
    """The request that creates or replaces ``profile``: by ``identifier`` (for the user
    ``user_id`` if given) or by ``profile_id`` alone. Arguments are expected validated."""
    body = ProfileWriteRequest.from_dict({"profile": profile})
    if profile_id is not None and identifier is None and user_id is None:
        return operation_request(put_profile, profile_id=profile_id, body=body)
    if identifier is not None and profile_id is None:
        if user_id is None:
            return operation_request(
                put_profile_by_identifier, identifier=str(identifier), body=body
            )
        return operation_request(
            put_profile_for_user, user_id=user_id, identifier=str(identifier), body=body
        )
    raise ValueError("give identifier (optionally with user_id), or profile_id alone")


def build_profile_patch(
    changes: Mapping[str, Any],
    *,
    identifier: Identifier | str | None = None,
    profile_id: str | None = None,
) -> Request:
    """The request that merges ``changes`` into the profile of ``identifier`` or
    ``profile_id`` (exactly one: :func:`one_profile_target`)."""
    one_profile_target(identifier, profile_id)
    body = ProfilePatchRequest.from_dict({"profile": changes})
    if identifier is not None:
        return operation_request(patch_profile_by_identifier, identifier=str(identifier), body=body)
    return operation_request(patch_profile, profile_id=profile_id, body=body)


def build_profile_delete(profile_id: str) -> Request:
    """The request that deletes the profile ``profile_id`` and its events."""
    return operation_request(delete_profile, profile_id=profile_id)
