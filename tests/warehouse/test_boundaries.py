"""Where incremental loads go wrong: filters that change between runs, a mark in the
future, and events that dlt's writer cannot take (from a hostile or unlucky server)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import _mock
from tests.warehouse import _warehouse
from tests.warehouse._warehouse import NO_DLT, People, events, marks, pipeline, query

pytest.importorskip("dlt", reason=NO_DLT)

from zdevents.dlt import zendesk_events
from zdevents.sandbox import Sandbox


def load(pipe: Any, client: Any, people: list[Any], **options: Any) -> Any:
    """No profiles: these tests are about the events' marks."""
    return _warehouse.load(pipe, client, people, only=("people", "events"), **options)


def test_a_load_of_one_type_does_not_move_the_mark_of_a_load_of_every_type(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folk = People(sandbox)
    folk.add(0, [0], type="purchase")  # an hour before the logins
    folk.add(0, [60, 61], type="login")
    pipe = pipeline(tmp_path)
    people = [folk.selector(0)]
    assert load(pipe, sandbox.client, people, source="shop", type="login").events == 2
    # Every type now: the purchase lies an hour behind the logins' mark, far beyond the
    # overlap, yet this filter set has never been read: it is read from the beginning.
    assert load(pipe, sandbox.client, people, overlap=300).events == 3
    assert set(events(tmp_path / "zdevents.duckdb")) == set(folk.served(0))
    # Each filter set keeps its own mark; the logins' one still reads only its overlap.
    assert load(pipe, sandbox.client, people, overlap=90, source="shop", type="login").events == 2


def test_a_mark_in_the_future_is_not_trusted_and_hides_no_event(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folk = People(sandbox)
    folk.add(0, [0, 1])
    pipe = pipeline(tmp_path)
    people = [folk.selector(0)]
    load(pipe, sandbox.client, people, overlap=90)
    # A worker whose clock ran a day ahead (or a state edited by hand) left a mark in the
    # future: read as it is, every event until that day would be jumped over.
    with pipe.managed_state() as state:
        state["sources"]["zdevents"]["resources"]["events"]["marks"][folk.selector(0)] = int(
            time.time() + 86_400
        )
    folk.add(0, [30])
    assert load(pipe, sandbox.client, people, overlap=90).events == 3
    assert set(events(tmp_path / "zdevents.duckdb")) == set(folk.served(0))
    newest = max(e.created_at for e in folk.served(0).values())
    assert marks(pipe) == {folk.selector(0): int(newest.timestamp())}


def test_an_event_dlt_cannot_write_is_stored_with_its_raw_text_and_the_run_completes(
    tmp_path: Path,
) -> None:
    # A hostile (or unlucky) server: an integer past 64 bits and a lone surrogate, valid
    # JSON that dlt's writer refuses; without care the run, and every rerun, would fail.
    odd = (
        '{"id":"01ODD","source":"shop","type":"odd\\ud800","description":"x",'
        '"created_at":"2024-03-01T12:00:00.123456789Z",'
        '"properties":{"n":123456789012345678901234567890}}'
    )
    fine = json.dumps(_mock.event(1))
    body = ('{"events":[' + odd + "," + fine + '],"meta":{"has_more":false}}').encode()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    with _mock.client(answer) as client:
        pipe = pipeline(tmp_path)
        report = load(pipe, client, [{"user_id": 1}], overlap=0)
        assert (report.events, report.skipped) == (2, {})
        rows = query(
            tmp_path / "zdevents.duckdb",
            "SELECT id, type, properties, created_at_text, raw FROM zendesk_events.events"
            " ORDER BY id",
        )
    assert rows[0][0] == "01E24ET0G1PHQ8QVNYRYM4Q001" and json.loads(rows[0][2]) == {"n": 1}
    # The odd one: what dlt cannot hold is left out; raw keeps every byte of it.
    assert rows[1] == ("01ODD", None, None, "2024-03-01T12:00:00.123456789Z", odd)
    assert marks(pipe) == {
        "user_id:1": int(dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC).timestamp())
    }


def test_start_with_a_fraction_of_a_second_reads_nothing_before_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folk = People(sandbox)
    folk.add(0, [0.5, 0.52])  # 12:00:30.100000000 and 12:00:31.100000001
    pipe = pipeline(tmp_path)
    report = load(pipe, sandbox.client, [folk.selector(0)], start="2024-03-01T12:00:30.5+00:00")
    assert report.events == 1
    ((text,),) = query(
        tmp_path / "zdevents.duckdb", "SELECT created_at_text FROM zendesk_events.events"
    )
    assert text == "2024-03-01T12:00:31.100000001Z"


def test_events_sharing_the_marks_second_are_read_again_with_no_overlap(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folk = People(sandbox)
    folk.add(0, [1, 1, 1])  # one second, three events (nanoseconds apart)
    pipe = pipeline(tmp_path)
    people = [folk.selector(0)]
    assert load(pipe, sandbox.client, people, overlap=0).events == 3
    folk.add(0, [1])  # late, in the same second as the mark: not jumped over
    assert load(pipe, sandbox.client, people, overlap=0).events == 4
    ((count, distinct),) = query(
        tmp_path / "zdevents.duckdb",
        "SELECT count(*), count(DISTINCT id) FROM zendesk_events.events",
    )
    assert count == distinct == 4


def test_a_429_pauses_every_persons_reads_once(tmp_path: Path) -> None:
    # Two people at a time through one client. Person 2's first request draws a 429
    # (Retry-After: 1) while person 1's is still being answered (0.3 s); the server refuses
    # every request of that second. The worker done with person 1 must not go on to person
    # 3 during the pause (a limiter per person would, and draw a 429 of its own): every
    # read waits the second out once, then each person is read once.
    lock = threading.Lock()
    seen: list[tuple[float, str]] = []
    limited: list[str] = []
    began: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        user = request.url.path.split("/")[4]
        body = _mock.ok(_mock.page_body([_mock.event(int(user))], has_more=False, links="none"))
        if user == "1" and not seen:
            time.sleep(0.3)  # slow, and under way when the 429 comes
            seen.append((time.monotonic(), user))
            return body
        with lock:
            now = time.monotonic()
            if user == "2" and not began:
                began.append(now)
            if now < began[0] + 1:
                limited.append(user)
                return httpx.Response(429, headers={"retry-after": "1"})
            seen.append((now, user))
        return body

    with _mock.client(answer, max_retries=3) as client:
        source = zendesk_events(
            [{"user_id": n} for n in range(1, 7)], client=client, concurrency=2, overlap=0
        )
        pipeline(tmp_path).run(source.with_resources("events"))
    assert limited == ["2"]
    assert sorted(user for _, user in seen) == [str(n) for n in range(1, 7)]
    assert len(events(tmp_path / "zdevents.duckdb")) == 6


def test_all_users_loaded_without_people_still_fill_people_on_the_next_load(
    tmp_path: Path,
) -> None:
    with Sandbox() as own:  # every user of the account is loaded
        folk = People(own)
        for n in range(2):
            folk.add(n, [0])
        pipe = pipeline(tmp_path)
        _warehouse.load(pipe, own.client, None, all_users=True, only=("events",))
        # The discovery read both users, but no people rows were written: the next load
        # with people must not start after them.
        _warehouse.load(pipe, own.client, None, all_users=True, only=("people", "events"))
        people = query(
            tmp_path / "zdevents.duckdb", "SELECT person FROM zendesk_events.people ORDER BY 1"
        )
    assert people == [(f"user_id:{folk.user_id(n)}",) for n in range(2)]
