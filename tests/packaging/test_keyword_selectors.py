"""Selectors (``identifier``, ``profile_id``, ``user_id``) are keyword-only in every public
signature of zdevents: the methods of both clients, the module functions, and the public types
that hold one (``zdevents.types.EventQuery``), so that ``events(None, None, 85211553)`` or
``EventQuery(None, None, 1, ...)`` is never legal."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

import zdevents
import zdevents.types

SELECTORS = ("identifier", "profile_id", "user_id")
#: Values that hold a selector as a field of an answer, not a choice of whom to ask for.
ANSWERS = {"AuthStatus", "TrackResult"}


def public_callables() -> Iterator[tuple[str, Any]]:
    for module in (zdevents, zdevents.types):
        for name in module.__all__:
            obj = getattr(module, name)
            if name in ANSWERS or not callable(obj):
                continue
            yield f"{module.__name__}.{name}", obj
            if inspect.isclass(obj):
                for member, value in inspect.getmembers(obj, callable):
                    if not member.startswith("_") or member == "__init__":
                        yield f"{module.__name__}.{name}.{member}", value


CALLABLES = dict(public_callables())


@pytest.mark.parametrize("where", list(CALLABLES))
def test_no_selector_can_be_given_by_position(where: str) -> None:
    try:
        parameters = inspect.signature(CALLABLES[where]).parameters.values()
    except (TypeError, ValueError):
        return
    positional = [
        p.name for p in parameters if p.name in SELECTORS and p.kind is not p.KEYWORD_ONLY
    ]
    assert positional == [], where


def test_event_query_refuses_its_selectors_by_position() -> None:
    query = zdevents.Client(subdomain="coolbikes", oauth_token="t").events(user_id=1).query
    with pytest.raises(TypeError):
        zdevents.types.EventQuery(None, None, 1, None, None, None, None, 100)  # type: ignore[misc]
    assert zdevents.types.EventQuery(
        identifier=None, profile_id=None, user_id=1, source=None, type=None, start=None,
        end=None, page_size=100,
    ) == query  # fmt: skip
