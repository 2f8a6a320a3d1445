"""Every upper bound the spec states is one of ``zdevents.limits``, the library's own: a
bound added to or changed in the spec without the library following fails here (the spec
check of test_spec.py reads the event and profile schemas; this one walks the whole spec).
The token lifetimes zdevents asks for stay inside the bounds the spec gives Zendesk's."""

from __future__ import annotations

from typing import Any

from tests.contract._spec import load_spec
from zdevents import limits

SPEC: dict[str, Any] = load_spec()

#: Where the spec bounds a value, and the limit of the library it must equal.
BOUNDS = {
    "components/parameters/PageSize/schema/maximum": limits.MAX_PAGE_SIZE,
    "components/parameters/ExportPerPage/schema/maximum": limits.MAX_USERS_PER_PAGE,
    "components/schemas/EventInput/properties/source/maxLength": limits.NAME_LIMIT,
    "components/schemas/EventInput/properties/type/maxLength": limits.NAME_LIMIT,
    "components/schemas/ProfileInput/properties/source/maxLength": limits.NAME_LIMIT,
    "components/schemas/ProfileInput/properties/type/maxLength": limits.NAME_LIMIT,
    "components/schemas/ProfileInput/properties/identifiers/maxItems": limits.MAX_IDENTIFIERS,
    "components/schemas/ProfilePatch/properties/identifiers/maxItems": limits.MAX_IDENTIFIERS,
    "components/schemas/IdentifierInput/properties/type/maxLength": limits.IDENTIFIER_TYPE_LIMIT,
}
#: The lifetimes zdevents asks for, by field of the token requests.
LIFETIMES = {
    "expires_in": limits.ACCESS_TOKEN_SECONDS,
    "refresh_token_expires_in": limits.REFRESH_TOKEN_SECONDS,
}


def bounds(node: object, path: str = "") -> dict[str, object]:
    found: dict[str, object] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}/{key}" if path else str(key)
            if key in ("maximum", "maxLength", "maxItems", "exclusiveMaximum"):
                found[where] = value
            found.update(bounds(value, where))
    elif isinstance(node, list):
        for number, value in enumerate(node):
            found.update(bounds(value, f"{path}/{number}"))
    return found


def test_every_bound_of_the_spec_is_a_limit_of_the_library() -> None:
    stated = {
        where: value
        for where, value in bounds(SPEC).items()
        if not where.endswith(tuple(f"/{field}/exclusiveMaximum" for field in LIFETIMES))
    }
    assert stated == BOUNDS


def test_the_lifetimes_asked_for_are_inside_the_bounds_of_the_spec() -> None:
    lifetimes = {
        where: value
        for where, value in bounds(SPEC).items()
        if where.endswith(tuple(f"/{field}/exclusiveMaximum" for field in LIFETIMES))
    }
    assert lifetimes  # the token requests of the spec bound both
    for where, bound in lifetimes.items():
        field = where.split("/")[-2]
        assert isinstance(bound, int)
        assert LIFETIMES[field] < bound, where
