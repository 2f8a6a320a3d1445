"""Nothing lost: a 10,000-event export through the sandbox's seeded fault injection.

The sandbox is real (uvicorn on loopback, real sockets): 503s, 429s, dropped connections and
200s whose body is cut short all happen on the wire. The faults are drawn from a fixed seed,
so every run meets the same faults in the same places. The client's sleeps are recorded by a
fake clock instead of being slept, so the test measures counts, not time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests._mock import FakeClock
from zdevents import AsyncClient, Client, errors, is_transient

TOTAL = 10_000
PAGE_SIZE = 25
PAGES = TOTAL // PAGE_SIZE
USER_ID = 424242
FAULTS = {"503": 0.10, "429": 0.05, "drop": 0.02, "truncate": 0.01}
FAULT_SEED = 5

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    profile = {
        "source": "coolbikes",
        "type": "rider",
        "identifiers": [{"type": "email", "value": "bulk@example.com"}],
    }
    return [
        {
            "profile": profile,
            "user_id": USER_ID,
            "event": {
                "source": "coolbikes",
                "type": "bike_rental_booked",
                "description": f"booking {n}",
                "properties": {"n": n},
                # Distinct, increasing timestamps: the expected order is n = 0, 1, 2, ...
                "created_at": f"2021-03-{1 + n // 1000:02d}T00:00:{(n % 1000) // 100:02d}."
                f"{n % 100:02d}0000000Z",
            },
        }
        for n in range(TOTAL)
    ]


@pytest.fixture
def sandbox(zendesk_sandbox_factory: Callable[..., Any], records: list[dict[str, Any]]) -> Any:
    box = zendesk_sandbox_factory(retry_after=0)
    box.add_events(records)
    return box


def _client_for(sandbox: Any, requested: list[str], **options: Any) -> Client:
    http = httpx.Client(event_hooks={"request": [lambda r: requested.append(str(r.url))]})
    options.setdefault("max_retries", 10)
    options.setdefault("backoff_base", 0.01)
    return Client(
        base_url=sandbox.base_url,
        email=sandbox.email,
        api_token=sandbox.api_token,
        http_client=http,
        **options,
    )


def _runs(urls: list[str]) -> list[str]:
    """Consecutive repeats collapsed: a retry re-sends the same URL right away."""
    return [url for i, url in enumerate(urls) if i == 0 or urls[i - 1] != url]


def _check_export(events: list[Any], clean_ids: list[str] | None = None) -> list[str]:
    ids = [event.id for event in events]
    assert len(events) == TOTAL
    assert len(set(ids)) == TOTAL, "an event was repeated"
    assert [event.properties["n"] for event in events] == list(range(TOTAL))
    if clean_ids is not None:
        assert ids == clean_ids
    return ids


def test_export_through_faults_yields_every_event_once_in_order(
    sandbox: Any, clock: FakeClock
) -> None:
    clean: list[str] = []
    clean_ids = _check_export(
        list(_client_for(sandbox, clean).events(user_id=USER_ID, page_size=PAGE_SIZE))
    )
    assert len(clean) == PAGES

    sandbox.set_faults(FAULTS, seed=FAULT_SEED, retry_after=0)
    before = sandbox.request_count
    requested: list[str] = []
    client = _client_for(sandbox, requested)
    events = list(client.events(user_id=USER_ID, page_size=PAGE_SIZE))

    _check_export(events, clean_ids)
    counts = sandbox.fault_counts
    # Every kind of fault was met, so the export really went through each of them.
    for kind in FAULTS:
        assert counts[kind] > 0, counts
    assert counts["500"] == counts["520"] == 0
    faults = sum(counts.values())
    # Exactly one extra request per fault: nothing re-fetched, nothing skipped.
    assert sandbox.request_count - before == PAGES + faults == len(requested)
    # Each failed page was asked again at the same cursor, and the walk never went back.
    runs = _runs(requested)
    assert len(runs) == PAGES
    assert len(set(runs)) == PAGES
    assert runs == _runs(clean)
    # One (recorded, not slept) wait per retry, and 429s asked for none.
    assert len(clock.sleeps) == faults
    assert sum(clock.sleeps) < faults * 0.01


def test_faulted_export_is_deterministic(sandbox: Any, clock: FakeClock) -> None:
    outcomes = []
    for _ in range(2):
        sandbox.set_faults(FAULTS, seed=FAULT_SEED, retry_after=0)
        requested: list[str] = []
        events = list(_client_for(sandbox, requested).events(user_id=USER_ID, page_size=100))
        outcomes.append(
            ([e.id for e in events], sandbox.fault_counts, [u.split("?")[-1] for u in requested])
        )
    first, second = outcomes
    assert first[1] == second[1]
    assert first[2] == second[2]
    assert first[0] == second[0]
    assert len(first[0]) == TOTAL


def test_async_export_through_faults(sandbox: Any, clock: FakeClock) -> None:
    sandbox.set_faults({**FAULTS, "500": 0.03, "520": 0.03}, seed=FAULT_SEED, retry_after=0)

    async def export() -> list[Any]:
        async with AsyncClient(
            base_url=sandbox.base_url,
            email=sandbox.email,
            api_token=sandbox.api_token,
            max_retries=10,
            backoff_base=0.01,
        ) as client:
            return [e async for e in client.events(user_id=USER_ID, page_size=PAGE_SIZE)]

    events = asyncio.run(export())
    _check_export(events)
    counts = sandbox.fault_counts
    assert all(counts[kind] > 0 for kind in ("503", "429", "500", "520", "drop", "truncate"))
    assert sandbox.request_count == PAGES + sum(counts.values())


def test_resuming_from_the_last_cursor_after_giving_up_loses_nothing(
    sandbox: Any, clock: FakeClock
) -> None:
    # No retries at all: every fault ends the iteration, and the caller resumes from the
    # cursor of the last page it received.
    sandbox.set_faults(FAULTS, seed=FAULT_SEED, retry_after=0)
    client = _client_for(sandbox, [], max_retries=0)
    events: list[Any] = []
    cursor: str | None = None
    failures = 0
    done = False
    while not done:
        try:
            for page in client.events(user_id=USER_ID, page_size=PAGE_SIZE, after=cursor).pages():
                events.extend(page.events)
                cursor = page.cursor
            done = True
        except errors.ZendeskError as exc:
            assert is_transient(exc)
            failures += 1
            assert failures < PAGES
    _check_export(events)
    assert failures == sum(sandbox.fault_counts.values())
    assert clock.sleeps == []
