"""How data/sync-v1.db was made: run with zdevents 0.2 (schema version 1) on the path.

PYTHONPATH=<a checkout of 0.2>:<its generated/> python make_sync_v1.py sync-v1.db
"""

import sys

import zdevents
from zdevents.sandbox import Sandbox


def rider(email: str) -> dict[str, object]:
    identifiers = [{"type": "email", "value": email}]
    return {"source": "coolbikes", "type": "rider", "identifiers": identifiers}


with Sandbox() as sandbox:
    sandbox.add_events(
        {
            "event": {
                "source": "coolbike",
                "type": "ride",
                "created_at": f"2026-01-0{k + 1}T10:00:00.5Z",
                "properties": {"n": k, "who": email},
            },
            "profile": rider(email),
        }
        for email in ("ann@example.com", "bob@example.com")
        for k in range(2)
    )
    people = [
        "coolbikes:rider:email:ann@example.com",
        {"user_id": 1000002},
        "coolbikes:rider:email:nobody@example.com",
    ]
    print(zdevents.sync(sandbox.client, sys.argv[1], people, on_missing="skip"))
