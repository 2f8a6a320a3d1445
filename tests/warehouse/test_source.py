"""``zdevents.dlt``: a real dlt pipeline into a real DuckDB file, against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import zdevents
from tests.warehouse._warehouse import NO_DLT, People, events, load, marks, pipeline, query

dlt = pytest.importorskip("dlt", reason=NO_DLT)

from zdevents.dlt import LoadReport, zendesk_events  # noqa: E402
from zdevents.sandbox import Sandbox  # noqa: E402


def test_first_load_stores_each_event_with_typed_columns_beside_its_raw_text(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folk = People(sandbox)
    folk.add(0, [0, 1, 2])
    folk.add(1, [5, 6])
    pipe = pipeline(tmp_path)
    report = load(pipe, sandbox.client, [folk.selector(0), {"user_id": folk.user_id(1)}])
    assert (report.people, report.events, report.skipped) == (2, 5, {})

    db = tmp_path / "zdevents.duckdb"
    served = {**folk.served(0), **folk.served(1)}
    rows = query(
        db,
        "SELECT id, person, source, type, description, created_at, created_at_text,"
        " received_at, received_at_text, properties, raw FROM zendesk_events.events",
    )
    assert sorted(r[0] for r in rows) == sorted(served)
    for (
        id_,
        person,
        source,
        type_,
        description,
        created,
        created_text,
        received,
        received_text,
        properties,
        raw,
    ) in rows:
        event = served[id_]
        whole = event.to_dict()
        assert person in (folk.selector(0), f"user_id:{folk.user_id(1)}")
        assert (source, type_, description) == (event.source, event.type, event.description)
        # All nine digits as text; the timestamp to the microsecond.
        assert created_text == whole["created_at"] and len(created_text.split(".")[1]) == 10
        assert created == event.created_at
        assert (received, received_text) == (event.received_at, whole["received_at"])
        assert json.loads(properties) == event.properties
        assert raw == event.raw.decode()
    # properties is one JSON column: not a column per key, not a child table for its list.
    columns = {
        name: kind
        for name, kind in query(
            db,
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'zendesk_events' AND table_name = 'events'",
        )
    }
    assert columns["properties"] == "JSON"
    assert columns["created_at"].startswith("TIMESTAMP") and columns["raw"] == "VARCHAR"
    assert not [c for c in columns if c.startswith("properties__")]
    tables = {
        t
        for (t,) in query(
            db,
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'zendesk_events'",
        )
    }
    assert {"events", "people", "profiles"} <= tables
    assert not [t for t in tables if t.startswith("events__")]
    people = query(db, "SELECT person FROM zendesk_events.people ORDER BY person")
    assert people == [(folk.selector(0),), (f"user_id:{folk.user_id(1)}",)]
    profiles = query(db, "SELECT person, identifiers FROM zendesk_events.profiles ORDER BY 1")
    assert [p for p, _ in profiles] == [folk.selector(0), f"user_id:{folk.user_id(1)}"]
    # The state: one whole number of seconds a person, nothing else.
    assert marks(pipe) == {
        folk.selector(0): int(max(e.created_at for e in folk.served(0).values()).timestamp()),
        f"user_id:{folk.user_id(1)}": int(
            max(e.created_at for e in folk.served(1).values()).timestamp()
        ),
    }


def test_incremental_load_rereads_only_the_overlap_and_merges_without_duplicates(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folk = People(sandbox)
    folk.add(0, [0, 1, 2, 3, 4])
    folk.add(1, [0, 1, 2, 3, 4])
    people = [folk.selector(0), folk.selector(1)]
    pipe = pipeline(tmp_path)
    assert load(pipe, sandbox.client, people, overlap=90).events == 10

    # Nothing new: each person re-reads their last 90 s (minutes 3 and 4), no more.
    assert load(pipe, sandbox.client, people, overlap=90).events == 4
    # New events for person 0 (one late, inside the overlap) are picked up with the overlap.
    folk.add(0, [3.5, 10, 11])
    again = load(pipe, sandbox.client, people, overlap=90)
    assert again.events == 2 + 3 + 2
    # Person 0's mark is now minute 11: only minute 10 and 11 lie in its next overlap.
    assert load(pipe, sandbox.client, people, overlap=90).events == 2 + 2

    db = tmp_path / "zdevents.duckdb"
    stored = events(db)
    assert set(stored) == set(folk.served(0)) | set(folk.served(1))
    ((count, distinct),) = query(
        db, "SELECT count(*), count(DISTINCT id) FROM zendesk_events.events"
    )
    assert count == distinct == 13


def test_a_backdated_event_is_missed_by_the_overlap_and_caught_by_a_full_load(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folk = People(sandbox)
    folk.add(0, [60, 61])
    pipe = pipeline(tmp_path)
    people = [folk.selector(0)]
    load(pipe, sandbox.client, people, overlap=300)
    before = set(folk.served(0))
    folk.add(0, [0])  # an hour before the newest: beyond the 5-minute overlap
    (late,) = set(folk.served(0)) - before
    db = tmp_path / "zdevents.duckdb"
    assert load(pipe, sandbox.client, people, overlap=300).events == 2
    assert set(events(db)) == set(folk.served(0)) - {late}
    assert load(pipe, sandbox.client, people, overlap=300, full=True).events == 3
    assert set(events(db)) == set(folk.served(0))
    ((count,),) = query(db, "SELECT count(*) FROM zendesk_events.events")
    assert count == 3


def test_a_person_unknown_to_zendesk_is_skipped_and_reported(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folk = People(sandbox)
    folk.add(0, [0, 1])
    pipe = pipeline(tmp_path)
    unknown = "user_id:987654321"  # the text of an --identifiers-file line works too
    report = load(
        pipe, sandbox.client, [unknown, folk.selector(0), "shop:customer:email:nobody@x.io"]
    )
    assert set(report.skipped) == {"user_id:987654321", "shop:customer:email:nobody@x.io"}
    assert all("404" in reason for reason in report.skipped.values())
    assert report.events == 2
    assert set(events(tmp_path / "zdevents.duckdb")) == set(folk.served(0))
    assert set(marks(pipe)) == {folk.selector(0)}  # no mark for the unknown


def test_one_client_reads_everyone(sandbox: Sandbox, tmp_path: Path) -> None:
    folk = People(sandbox)
    for n in range(5):
        folk.add(n, [0, 1])
    made: list[object] = []
    original = sandbox.client.pages_many

    def counting(*args: Any, **kwargs: Any) -> Any:
        made.append(kwargs.get("concurrency"))
        return original(*args, **kwargs)

    client = sandbox.client
    pipe = pipeline(tmp_path)
    try:
        client.pages_many = counting  # type: ignore[method-assign]
        report = LoadReport()
        pipe.run(
            zendesk_events(
                [folk.selector(n) for n in range(5)], client=client, concurrency=3, report=report
            )
        )
    finally:
        del client.pages_many  # type: ignore[method-assign]
    # Everyone in one bulk export over the one client (one pool, one rate limiter).
    assert made == [3] and report.events == 10


@pytest.mark.parametrize("filters", [{"type": "x"}, {"page_size": 101}, {"page_size": "9"}])
def test_the_source_refuses_bad_filters_with_the_library_s_own_check(
    filters: dict[str, Any],
) -> None:
    with pytest.raises((TypeError, ValueError)) as library:
        zdevents.validate_filters(**filters)
    client = zdevents.Client(subdomain="coolbikes", oauth_token="t0k3n")
    with pytest.raises(type(library.value)) as source:
        zendesk_events(["user_id:1"], client=client, **filters)
    assert str(source.value) == str(library.value)


def test_bad_arguments_are_refused_before_anything_is_sent(sandbox: Sandbox) -> None:
    before = sandbox.request_count
    with pytest.raises(ValueError, match="selector 2"):
        zendesk_events(["shop:customer:email:a@b.c", "not a query"], client=sandbox.client)
    with pytest.raises(ValueError, match="type needs source"):
        zendesk_events(["shop:customer:email:a@b.c"], client=sandbox.client, type="x")
    with pytest.raises(ValueError, match="people"):
        zendesk_events(client=sandbox.client)
    with pytest.raises(ValueError, match="overlap"):
        zendesk_events(["shop:customer:email:a@b.c"], client=sandbox.client, overlap=-1)
    assert sandbox.request_count == before


def test_fifty_thousand_peoples_state_stays_compact(sandbox: Sandbox, tmp_path: Path) -> None:
    from dlt.common.versioned_state import compress_state, json_encode_state

    folk = People(sandbox)
    folk.add(0, [0])
    pipe = pipeline(tmp_path)
    load(pipe, sandbox.client, [{"user_id": folk.user_id(0)}])
    ((key, mark),) = marks(pipe).items()
    assert key == f"user_id:{folk.user_id(0)}" and isinstance(mark, int)
    # The same shape for 50,000 people with ten-digit user ids, as dlt stores it: about
    # 32 bytes a person as JSON (docs/warehouse.md), and less once dlt compresses it.
    state = dict(pipe.state)
    state["sources"] = {"zdevents": {"resources": {"events": {"marks": {
        f"user_id:{9_000_000_000 + n}": mark + n for n in range(50_000)
    }}}}}  # fmt: skip
    assert len(json_encode_state(state)) < 50_000 * 33
    assert len(compress_state(state)) < 50_000 * 33


def test_a_fresh_worker_goes_on_from_the_marks_kept_in_the_destination(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    import shutil

    folk = People(sandbox)
    folk.add(0, [0, 1, 2, 3, 4])
    people = [folk.selector(0)]
    load(pipeline(tmp_path), sandbox.client, people, overlap=90)
    # A scheduler's new worker: the pipeline's local folder is gone, the DuckDB file is not.
    shutil.rmtree(tmp_path / "pipelines")
    fresh = pipeline(tmp_path)
    assert load(fresh, sandbox.client, people, overlap=90).events == 2  # the overlap only
    assert marks(fresh) == {
        folk.selector(0): int(max(e.created_at for e in folk.served(0).values()).timestamp())
    }


def test_start_bounds_every_read_and_a_future_date_does_not_hold_the_mark(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    import time

    folk = People(sandbox)
    folk.add(0, [0, 1, 2])  # 2024-03-01 12:00 to 12:02
    folk.add(1, [0])
    sandbox.add_events([{
        "profile": {"source": "shop", "type": "customer",
                    "identifiers": [{"type": "email", "value": f"p1@{folk.domain}"}]},
        "event": {"source": "shop", "type": "login", "created_at": "2099-01-01T00:00:00Z"},
    }])  # fmt: skip
    pipe = pipeline(tmp_path)
    began = int(time.time())
    report = load(pipe, sandbox.client, [folk.selector(0), folk.selector(1)],
                  start="2024-03-01T12:00:30+00:00")  # fmt: skip
    assert report.events == 2 + 1  # minutes 1 and 2 of person 0; the 2099 one of person 1
    # A sender's wrong clock: the mark stops at the moment the read began.
    assert began <= marks(pipe)[folk.selector(1)] <= int(time.time())
    assert load(pipeline(tmp_path, "other"), sandbox.client, [folk.selector(0)],
                start="2024-03-02").events == 0  # fmt: skip


def test_all_users_discovers_everyone_then_only_the_changed_ones(tmp_path: Path) -> None:
    # A sandbox of its own: every user of the account is loaded.
    with Sandbox() as own:
        folk = People(own)
        for n in range(3):
            folk.add(n, [0, 1])
        pipe = pipeline(tmp_path)
        first = LoadReport()
        pipe.run(zendesk_events(all_users=True, client=own.client, report=first))
        assert (first.people, first.events) == (3, 6)
        db = tmp_path / "zdevents.duckdb"
        people = query(db, "SELECT person, user_id, active FROM zendesk_events.people ORDER BY 1")
        assert people == [(f"user_id:{folk.user_id(n)}", folk.user_id(n), True) for n in range(3)]
        # A deleted user: kept in people (inactive), their events no longer read.
        own.change_user(folk.user_id(1), active=False)
        folk.add(3, [0])
        second = LoadReport()
        pipe.run(zendesk_events(zdevents.ALL_USERS, client=own.client, report=second))
        assert second.people == 3  # users 0, 2 and the new 3
        people = query(db, "SELECT person, active FROM zendesk_events.people ORDER BY 1")
        assert people == [(f"user_id:{folk.user_id(n)}", n != 1) for n in range(4)]
        assert len(events(db)) == 7


def test_a_load_through_429s_stores_every_event_once(tmp_path: Path) -> None:
    # 429s (Retry-After: 0) on a share of the requests: the one client waits them out
    # for everyone (its rate limiter, tested in tests/library/test_ratelimit.py) and the
    # load completes with each event once.
    with Sandbox(faults="429=0.3", fault_seed=3, retry_after=0) as own:
        folk = People(own)
        for n in range(4):
            folk.add(n, [float(i) for i in range(5)])
        pipe = pipeline(tmp_path)
        report = LoadReport()
        people = [folk.selector(n) for n in range(4)]
        pipe.run(zendesk_events(people, client=own.client, page_size=2, concurrency=4,
                                report=report))  # fmt: skip
        assert own.fault_counts.get("429", 0) > 0
        own.set_faults("")
        served = {i for n in range(4) for i in folk.served(n)}
    assert report.skipped == {} and report.events == 20
    assert set(events(tmp_path / "zdevents.duckdb")) == served


def test_profiles_can_be_left_out_the_dlt_way(sandbox: Sandbox, tmp_path: Path) -> None:
    folk = People(sandbox)
    folk.add(0, [0])
    source = zendesk_events([folk.selector(0)], client=sandbox.client)
    before = sandbox.request_count
    pipeline(tmp_path).run(source.with_resources("people", "events"))
    assert sandbox.request_count - before == 1  # one page of events, no profile request
    tables = {t for (t,) in query(tmp_path / "zdevents.duckdb",
                                  "SELECT table_name FROM information_schema.tables"
                                  " WHERE table_schema = 'zendesk_events'")}  # fmt: skip
    assert "profiles" not in tables and {"people", "events"} <= tables
