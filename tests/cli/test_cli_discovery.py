"""The whole account from the command line: ``people --all-users``, ``sync --all-users``,
``sync --plan`` and ``sync --skip-missing``'s exit statuses, in-process against the
sandbox."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests._accounts import seed_people
from tests.cli._helpers import cli_env, no_traceback, run


def seed(sandbox: Any, people: int, events: int = 2) -> None:
    seed_people(sandbox, people, first_user=9000, events=events)


def test_people_writes_an_identifiers_file_that_events_and_sync_take(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    seed(zendesk_sandbox, 3)
    zendesk_sandbox.change_user(9002, active=False)
    out = tmp_path / "people.txt"
    result = run(zendesk_sandbox, "people", "--all-users", "-o", str(out))
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("# 2 users of ")
    assert lines[1:] == ["user_id:9000", "user_id:9001"]
    assert "2 people (1 deleted left out) in 1 requests" in result.stderr
    events = run(zendesk_sandbox, "events", "--identifiers-file", str(out))
    assert events.returncode == 0 and len(events.stdout.splitlines()) == 4
    everyone = run(zendesk_sandbox, "people", "--all-users", "--include-deleted", "-q")
    assert everyone.stdout.splitlines()[1:] == [f"user_id:{9000 + n}" for n in range(3)]
    assert everyone.stderr == "" or "notice" in everyone.stderr


def test_people_as_an_agent_is_refused_in_one_line_and_writes_nothing(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    seed(zendesk_sandbox, 1)
    out = tmp_path / "people.txt"
    env = cli_env(zendesk_sandbox, ZENDESK_EMAIL=zendesk_sandbox.agent_email)
    result = run(zendesk_sandbox, "people", "--all-users", "-o", str(out), env=env)
    no_traceback(result)
    assert result.returncode == 1 and not out.exists()
    (line,) = [x for x in result.stderr.splitlines() if "error" in x]
    assert "admins only" in line


def test_sync_all_users_then_again_with_nothing_new(zendesk_sandbox: Any, tmp_path: Path) -> None:
    seed(zendesk_sandbox, 3)
    db = tmp_path / "events.db"
    first = run(zendesk_sandbox, "sync", "--db", str(db), "--all-users")
    assert first.returncode == 0, first.stderr
    assert "synced 3 people" in first.stderr and "9 rows changed" in first.stderr
    assert "discovery: 3 new, 0 changed people in 1 requests" in first.stderr
    again = run(zendesk_sandbox, "sync", "--db", str(db), "--all-users")
    assert again.returncode == 0 and "0 rows changed" in again.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM people").fetchone() == (3,)


def test_plan_writes_nothing_and_says_what_the_run_costs(
    zendesk_sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = zendesk_sandbox_factory(rate_limit=600)
    seed(sandbox, 4)
    db = tmp_path / "events.db"
    plan = run(sandbox, "sync", "--db", str(db), "--all-users", "--plan")
    assert plan.returncode == 0, plan.stderr
    assert not db.exists()  # nothing written, not even an empty database
    out = plan.stdout
    assert "people: 4" in out and "requests: at least 5" in out
    assert "1 requests to the user export were sent" in out
    assert "rate limit: 600 requests a minute (X-Rate-Limit)" in out
    assert "shortest time: 0 s" in out
    # After a run, the plan counts what changed since: nobody new, the same people.
    assert run(sandbox, "sync", "--db", str(db), "--all-users", "-q").returncode == 0
    seed(sandbox, 5, events=1)
    again = run(sandbox, "sync", "--db", str(db), "--all-users", "--plan", "--rate-limit", "60")
    assert "people: 5" in again.stdout and "(1 new people)" in again.stdout
    assert "rate limit: 60 requests a minute (--rate-limit)" in again.stdout
    assert "shortest time: 5 s" in again.stdout  # 5 people at 60 a minute; 1 export page
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM people").fetchone() == (4,)


def test_plan_leaves_the_folder_of_a_mirror_byte_for_byte_as_it_was(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    # A read-only SQLite connection to a WAL database creates its -wal and -shm files when
    # they are not there (as after a clean close), and cannot remove them again.
    seed(zendesk_sandbox, 2)
    db = tmp_path / "events.db"
    assert run(zendesk_sandbox, "sync", "--db", str(db), "--all-users", "-q").returncode == 0
    v1 = tmp_path / "v1.db"
    v1.write_bytes((Path(__file__).parents[1] / "library" / "data" / "sync-v1.db").read_bytes())

    def folder() -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    before = folder()
    assert "events.db-wal" not in before
    for mirror in (db, v1):
        plan = run(zendesk_sandbox, "sync", "--db", str(mirror), "--all-users", "--plan")
        assert plan.returncode == 0, plan.stderr
    assert folder() == before


def test_plan_of_a_file_sends_no_request_and_works_out_the_plans_limits(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    people = tmp_path / "people.txt"
    people.write_text("".join(f"user_id:{n}\n" for n in range(1, 1001)))
    result = run(
        zendesk_sandbox, "sync", "--db", str(tmp_path / "e.db"), "--identifiers-file",
        str(people), "--plan",
    )  # fmt: skip
    assert result.returncode == 0 and zendesk_sandbox.request_count == 0
    assert "people: 1,000" in result.stdout and "rate limit: unknown" in result.stdout
    assert "shortest time at Team's 250/min: 4 min" in result.stdout
    assert "shortest time at Enterprise Plus's 1,000/min: 60 s" in result.stdout


def test_skip_missing_makes_unknown_people_an_accepted_outcome(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    seed(zendesk_sandbox, 1)
    people = tmp_path / "people.txt"
    people.write_text("user_id:9000\nuser_id:123\nuser_id:456\n")
    db = tmp_path / "events.db"
    base = ("sync", "--db", str(db), "--identifiers-file", str(people))
    without = run(zendesk_sandbox, *base)
    assert without.returncode == 3
    accepted = run(zendesk_sandbox, *base, "--skip-missing")
    assert accepted.returncode == 0, accepted.stderr
    named = [x for x in accepted.stderr.splitlines() if "unknown to Zendesk" in x]
    assert named == ["zdevents: 2 people unknown to Zendesk, skipped: user_id:123, user_id:456"]
    assert accepted.stderr.count("user_id:123") == 1
    assert "synced 1 of 3 people" in accepted.stderr and "2 skipped" in accepted.stderr
    quiet = run(zendesk_sandbox, *base, "--skip-missing", "-q")
    assert quiet.returncode == 0 and quiet.stderr.count("user_id:456") == 1
    # One person, not found: still the failure it was, with or without the flag's meaning.
    single = run(zendesk_sandbox, "sync", "--db", str(db), "--user-id", "123")
    assert single.returncode == 1
    single_skip = run(
        zendesk_sandbox, "sync", "--db", str(db), "--user-id", "123", "--skip-missing"
    )
    assert single_skip.returncode == 0 and "unknown to Zendesk" in single_skip.stderr


def test_a_run_prints_its_time_against_the_shortest(zendesk_sandbox: Any, tmp_path: Path) -> None:
    seed(zendesk_sandbox, 2)
    result = run(
        zendesk_sandbox, "sync", "--db", str(tmp_path / "e.db"), "--all-users",
        "--rate-limit", "6000",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # The estimate once the people are known (after the discovery), then the run against it.
    assert "zdevents: 2 people: at least 3 requests, at least 0 s at 6,000/min" in result.stderr
    assert "(the shortest at the rate limit: 0 s)" in result.stderr
