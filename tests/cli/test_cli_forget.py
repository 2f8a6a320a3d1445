"""zdevents forget (in-process, on one sandbox shared by the module) and zdevents profile on a
real terminal (a pty): what each shows, asks and changes."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import zdevents
from tests.cli._helpers import cli_env, run, run_in_pty
from zdevents.sandbox import Sandbox

_n = itertools.count(1)


@pytest.fixture
def sandbox(module_sandbox: Sandbox) -> Sandbox:
    return module_sandbox


def make_person(sandbox: Sandbox) -> dict[str, Any]:
    n = next(_n)
    user, email = 7_000_000 + n, f"cli{n}@example.com"
    profile = {"source": "shop", "type": "customer", "name": f"Hidden Name {n}",
               "identifiers": [{"type": "email", "value": email}]}  # fmt: skip
    ids = sandbox.add_events(
        [{"user_id": user, "event": {"source": "shop", "type": f"t{i}"}, "profile": profile}
         for i in range(3)]
    )  # fmt: skip
    return {"user": str(user), "email": email, "profile": ids[0], "name": profile["name"],
            "identifier": f"shop:customer:email:{email}"}  # fmt: skip


def mirror(sandbox: Sandbox, path: Path, person: dict[str, Any]) -> Path:
    zdevents.sync(sandbox.client, path, [{"user_id": int(person["user"])}])
    return path


def events_in(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])


def test_forget_with_yes_deletes_purges_and_logs(sandbox: Sandbox, tmp_path: Path) -> None:
    person = make_person(sandbox)
    one = mirror(sandbox, tmp_path / "one.db", person)
    two = mirror(sandbox, tmp_path / "two.db", person)
    env = cli_env(sandbox, ZDEVENTS_HOME=str(tmp_path / "home"))
    result = run(sandbox, "forget", "--user-id", person["user"], "--db", str(one),
                 "--db", str(two), "--yes", env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"profile {person['profile']} (shop:customer), 3 events: deleted" in result.stdout
    assert f"mirror {one}: purged (3 events, 1 sync_state)" in result.stdout
    assert events_in(one) == events_in(two) == 0
    log = (tmp_path / "home" / "erasures.jsonl").read_text()
    assert json.loads(log)["profiles_deleted"] == [person["profile"]]
    assert person["email"] not in log and person["name"] not in log
    again = run(sandbox, "profiles", "--user-id", person["user"], env=env)
    assert (again.returncode, again.stdout) == (0, "")  # the user stays, without profiles


def test_forget_dry_run_shows_and_changes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    person = make_person(sandbox)
    db = mirror(sandbox, tmp_path / "m.db", person)
    log = tmp_path / "log.jsonl"
    result = run(sandbox, "forget", "--identifier", person["identifier"], "--db", str(db),
                 "--dry-run", "--log", str(log))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "3 events: to delete" in result.stdout
    assert f"mirror {db}: 3 events to purge" in result.stdout
    assert events_in(db) == 3 and not log.exists()
    assert run(sandbox, "profile", "--profile-id", person["profile"]).returncode == 0


def test_forget_without_a_terminal_refuses_without_yes(sandbox: Sandbox, tmp_path: Path) -> None:
    person = make_person(sandbox)
    result = run(sandbox, "forget", "--user-id", person["user"], "--log", str(tmp_path / "l"))
    assert result.returncode == 2
    assert "no terminal to ask on: give --yes" in result.stderr
    assert result.stdout == "" and not (tmp_path / "l").exists()
    assert run(sandbox, "profile", "--profile-id", person["profile"]).returncode == 0


def test_forget_reports_a_locked_mirror_and_the_rerun_finishes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    person = make_person(sandbox)
    db = mirror(sandbox, tmp_path / "m.db", person)
    env = cli_env(sandbox, ZDEVENTS_HOME=str(tmp_path / "home"))
    args = ["forget", "--user-id", person["user"], "--db", str(db), "--yes"]
    import fcntl

    # A sync holds the database's lock (the same flock on DB.lock a running sync takes).
    fd = os.open(f"{os.path.realpath(db)}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        first = run(sandbox, *args, env=env)
    finally:
        os.close(fd)
    assert first.returncode == 1
    assert f"mirror {db}: NOT purged yet (3 events, 1 sync_state left)" in first.stdout
    assert "run the same command again" in first.stderr
    assert events_in(db) == 3
    second = run(sandbox, *args, env=env)
    assert second.returncode == 0, second.stderr
    assert "no profile found at Zendesk" in second.stdout
    assert f"mirror {db}: purged (3 events, 1 sync_state)" in second.stdout
    assert events_in(db) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user-id", "1", "--profile-id", "x"], "not allowed with argument"),
        (["--user-id", "1", "--db", "/nonexistent/x.db", "--yes"], "does not exist"),
        (["--identifier", "a:b", "--yes"], "four parts"),
        (["--user-id", "x", "--yes"], "user_id"),
    ],
)
def test_forget_usage_errors_are_one_line(sandbox: Sandbox, args: list[str], message: str) -> None:
    result = run(sandbox, "forget", *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


# --------------------------------------------------------------------------- a real terminal


def in_pty(sandbox: Sandbox, args: list[str], answer: bytes | None = None,
           env: dict[str, str] | None = None) -> tuple[int, str]:  # fmt: skip
    """Run zdevents with stdin, stdout and stderr on a pseudo-terminal, typing ``answer``
    once it asks; the exit status and what the terminal showed."""
    reply = None if answer is None else (b"type yes:", answer)
    status, screen = run_in_pty(sandbox, *args, env=env, stdin_tty=True, answer=reply)
    return status, screen.decode().replace("\r\n", "\n")


def test_forget_asks_on_a_terminal_and_a_no_deletes_nothing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    person = make_person(sandbox)
    env = cli_env(sandbox, ZDEVENTS_HOME=str(tmp_path))
    status, screen = in_pty(sandbox, ["forget", "--user-id", person["user"]], b"no\n", env)
    assert status == 1, screen
    assert "3 events: to delete" in screen and "type yes:" in screen
    assert "nothing was deleted" in screen
    assert len(sandbox.client.profiles(user_id=person["user"])) == 1
    status, screen = in_pty(sandbox, ["forget", "--user-id", person["user"]], b"yes\n", env)
    assert status == 0, screen
    assert "3 events: deleted" in screen


def test_profile_is_indented_on_a_terminal_and_one_line_when_piped(sandbox: Sandbox) -> None:
    person = make_person(sandbox)
    status, screen = in_pty(sandbox, ["profile", "--profile-id", person["profile"]])
    assert status == 0, screen
    body = screen[screen.index("{") :]
    assert body.startswith('{\n  "attributes"'), screen
    assert json.loads(body)["id"] == person["profile"]
    piped = run(sandbox, "profile", "--profile-id", person["profile"])
    assert piped.stdout.count("\n") == 1 and json.loads(piped.stdout)["id"] == person["profile"]


def test_forget_with_a_directory_as_its_log_is_a_usage_error_and_deletes_nothing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    person = make_person(sandbox)
    (tmp_path / "log").mkdir()
    result = run(sandbox, "forget", "--user-id", person["user"], "--yes",
                 "--log", str(tmp_path / "log"))  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "the erasure log" in result.stderr
    assert "is a directory" in result.stderr
    assert run(sandbox, "profile", "--profile-id", person["profile"]).returncode == 0


def test_forget_says_when_the_log_could_not_be_written_after_the_erasure(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from zdevents import _forget

    person = make_person(sandbox)

    def full(path: str, record: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_forget, "_append_log", full)
    result = run(sandbox, "forget", "--user-id", person["user"], "--yes",
                 "--log", str(tmp_path / "l"))  # fmt: skip
    assert result.returncode == 1
    assert "3 events: deleted" in result.stdout
    assert "could not be written: No space left on device" in result.stderr
    assert "only record of this erasure" in result.stderr
