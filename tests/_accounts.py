"""A sandbox account of many people, for the tests of discovery and the mirror (helpers)."""

from __future__ import annotations

from typing import Any


def seed_people(sandbox: Any, people: int, *, first_user: int, events: int = 2) -> None:
    """``people`` users from ``first_user`` on (``p{n}@example.com``), ``events`` events each
    (described ``"{n}.{k}"``); calling it again with more people adds the new ones and one
    more round of events for everyone."""
    sandbox.add_events(
        {
            "profile": {
                "source": "shop",
                "type": "customer",
                "identifiers": [{"type": "email", "value": f"p{n}@example.com"}],
            },
            "user_id": first_user + n,
            "event": {"source": "shop", "type": "visit", "description": f"{n}.{k}"},
        }
        for n in range(people)
        for k in range(events)
    )
