"""Bulk export in the command line (issue 12): ``user_id:``/``profile_id:`` lines,
``--skip-missing``, and ``--resume`` with ``--identifiers-file`` interrupted for real."""

from __future__ import annotations

import csv
import io
import signal
import time
from pathlib import Path
from typing import Any

import pytest

import zdevents
from tests.cli._helpers import (
    JDOE,
    PROFILE,
    USER,
    demo,
    jsonl,
    library_events,
    no_traceback,
    person,
    popen,
    run,
    selector,
)
from tests.cli._helpers import state_of as _state

GHOST = "shop:customer:email:ghost@example.com"


@demo
def test_user_id_and_profile_id_lines(zendesk_sandbox: Any, tmp_path: Path) -> None:
    ids = tmp_path / "people.txt"
    ids.write_text(f"user_id:{USER}\n# a comment\nprofile_id:{PROFILE}\n{JDOE}\nuser_id:{USER}\n")
    result = run(zendesk_sandbox, "events", "--identifiers-file", str(ids))
    assert result.returncode == 0, result.stderr
    records = jsonl(result.stdout)
    by = {
        f"user_id:{USER}": library_events(zendesk_sandbox, user_id=USER),
        f"profile_id:{PROFILE}": library_events(zendesk_sandbox, profile_id=PROFILE),
        JDOE: library_events(zendesk_sandbox, identifier=JDOE),
    }
    assert {r["selector"] for r in records} == set(by)
    for label, expected in by.items():
        assert [r["event"] for r in records if r["selector"] == label] == expected


def _people(factory: Any, count: int, per_person: int, **options: Any) -> Any:
    sandbox = factory(**options)
    for n in range(count):
        sandbox.add_events(person(n, per_person + n))
    return sandbox


def test_skip_missing_names_each_skipped_person_and_goes_on(
    zendesk_sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = _people(zendesk_sandbox_factory, 2, 7)
    ids = tmp_path / "people.txt"
    ids.write_text(f"{selector(0)}\n{GHOST}\nuser_id:987654321\n{selector(1)}\n")
    out = tmp_path / "out.jsonl"
    result = run(sandbox, "events", "--identifiers-file", str(ids), "--skip-missing",
                 "-o", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    skipped = [line for line in result.stderr.splitlines() if "skipped" in line]
    # Named by their place in the file and their kind: no identifier (an email) in the log.
    assert sorted(skipped) == [
        f"zdevents: skipped line 2 of {ids} (an identifier query): not found (404)",
        f"zdevents: skipped line 3 of {ids} (user_id): not found (404)",
    ]
    assert "ghost" not in result.stderr and "987654321" not in result.stderr
    verbose = run(sandbox, "events", "--identifiers-file", str(ids), "--skip-missing", "-v",
                  "-o", str(out))  # fmt: skip
    assert verbose.returncode == 0, verbose.stderr
    assert f"skipped line 2 of {ids} ({GHOST}): not found" in verbose.stderr
    assert f"skipped line 3 of {ids} (user_id:987654321): not found" in verbose.stderr
    records = jsonl(out.read_text())
    for n in range(2):
        mine = [r["event"] for r in records if r["selector"] == selector(n)]
        assert mine == library_events(sandbox, identifier=selector(n))
    # Without the flag the first unknown person stops the export, named by its line.
    stop = run(sandbox, "events", "--identifiers-file", str(ids), "-o", str(tmp_path / "x"))
    assert stop.returncode == 1
    no_traceback(stop)
    assert "HTTP 404" in stop.stderr and ("ghost@example.com" in stop.stderr or "987654321"
                                          in stop.stderr)  # fmt: skip
    assert "add --skip-missing" in stop.stderr
    assert not (tmp_path / "x").exists()


def test_a_skipped_person_is_named_by_the_line_of_the_file(
    zendesk_sandbox_factory: Any, tmp_path: Path
) -> None:
    # Comments, blank lines and repeats are not people: the line is what an editor shows,
    # the place among the people is not (it said "entry 2" for line 5).
    sandbox = _people(zendesk_sandbox_factory, 1, 2)
    ids = tmp_path / "people.txt"
    ids.write_text(f"# people to export\n\n{selector(0)}\n{selector(0)}  # again\n{GHOST}\n")
    result = run(sandbox, "events", "--identifiers-file", str(ids), "--skip-missing",
                 "-o", str(tmp_path / "out.jsonl"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [x for x in result.stderr.splitlines() if x.startswith("zdevents: skipped")] == [
        f"zdevents: skipped line 5 of {ids} (an identifier query): not found (404)"
    ]


def _bulk_args(ids: Path, out: Path, state: Path, *more: str) -> list[str]:
    return ["events", "--identifiers-file", str(ids), "--concurrency", "3", "--page-size", "5",
            "--output", str(out), "--resume", str(state), *more]  # fmt: skip


def _check_exactly_once(sandbox: Any, out: Path, people: list[str], fmt: str = "jsonl") -> None:
    if fmt == "csv":
        # One header, then the ids of each person's events in order, each once.
        rows = list(csv.DictReader(io.StringIO(out.read_text())))
        records = [{"selector": r["selector"], "event": r["id"]} for r in rows]
        expected = {p: [e["id"] for e in library_events(sandbox, identifier=p)] for p in people}
    else:
        records = jsonl(out.read_text())
        expected = {p: library_events(sandbox, identifier=p) for p in people}
    for label in people:
        mine = [r["event"] for r in records if r["selector"] == label]
        assert mine == expected[label], label
    assert len(records) == sum(len(events) for events in expected.values())


@pytest.mark.parametrize(
    ("how", "fmt"),
    [(signal.SIGKILL, "jsonl"), (signal.SIGINT, "jsonl"), (signal.SIGTERM, "csv")],
)
def test_a_killed_bulk_export_resumes_every_person_exactly_once(
    zendesk_sandbox_factory: Any, tmp_path: Path, how: int, fmt: str
) -> None:
    sandbox = _people(zendesk_sandbox_factory, 6, 40, latency=0.02)
    people = [selector(n) for n in range(6)]
    ids = tmp_path / "people.txt"
    ids.write_text("\n".join(people) + "\n")
    out, state = tmp_path / f"out.{fmt}", tmp_path / "state"
    proc = popen(sandbox, *_bulk_args(ids, out, state, "--format", fmt))
    deadline = time.monotonic() + 60
    while _state(state).get("events", 0) < 60:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no checkpoint"
        time.sleep(0.005)
    proc.send_signal(how)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode in (-signal.SIGKILL, 130, 128 + signal.SIGTERM), err
    saved = _state(state)
    assert saved["done"] is False and (saved["cursors"] or saved["finished"])
    again = run(sandbox, *_bulk_args(ids, out, state, "--format", fmt))
    assert again.returncode == 0, again.stderr
    _check_exactly_once(sandbox, out, people, fmt)
    assert _state(state)["done"] is True
    # Done: the same command again changes nothing.
    before = out.read_bytes()
    assert run(sandbox, *_bulk_args(ids, out, state, "--format", fmt)).returncode == 0
    assert out.read_bytes() == before


def test_bulk_resume_with_skip_missing_does_not_ask_again(
    zendesk_sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = _people(zendesk_sandbox_factory, 3, 12)
    people = [selector(0), GHOST, selector(1), selector(2)]
    ids = tmp_path / "people.txt"
    ids.write_text("\n".join(people) + "\n")
    out, state = tmp_path / "out.jsonl", tmp_path / "state"
    result = run(sandbox, *_bulk_args(ids, out, state, "--skip-missing"))
    assert result.returncode == 0, result.stderr
    assert f"skipped line 2 of {ids} (an identifier query)" in result.stderr
    assert GHOST in _state(state)["finished"]
    _check_exactly_once(sandbox, out, [p for p in people if p != GHOST])


def test_bulk_resume_refuses_another_people_file(
    zendesk_sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = _people(zendesk_sandbox_factory, 2, 3)
    ids = tmp_path / "people.txt"
    ids.write_text(f"{selector(0)}\n")
    out, state = tmp_path / "out.jsonl", tmp_path / "state"
    state.write_text(
        '{"version": 1, "key": {"people": ["someone:else:email:x@example.com"]}, "offset": 0}'
    )
    result = run(sandbox, *_bulk_args(ids, out, state))
    assert result.returncode == 2
    assert "differs in" in result.stderr and "people" in result.stderr


def test_the_filters_of_a_bulk_export_are_checked_by_the_library_s_filter_check_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[dict[str, Any]] = []
    real = zdevents.validate_filters

    def spy(**filters: Any) -> None:
        checked.append(filters)
        real(**filters)

    monkeypatch.setattr(zdevents, "validate_filters", spy)
    ids = tmp_path / "ids.txt"
    ids.write_text("not a selector\n")
    env = {"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_OAUTH_TOKEN": "t0k3n"}
    result = run(None, "events", "--identifiers-file", str(ids), "--type", "x", env=env)
    # The filter is blamed, not the file's line, and no stand-in person was made for it.
    assert result.returncode == 2
    assert "type needs source" in result.stderr and "line 1" not in result.stderr
    assert checked == [{"type": "x", "page_size": zdevents.limits.DEFAULT_PAGE_SIZE}]
