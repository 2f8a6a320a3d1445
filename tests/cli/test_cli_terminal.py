"""What the command line shows a person (issue 12): progress in a real pseudo-terminal, the
summary line, ``-v`` and the waiting notice, and the wording of its messages."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from tests._accounts import seed_people
from tests._mock import FakeClock, fake_clock_env
from tests.cli._helpers import (
    JDOE,
    USER,
    ZDEVENTS,
    cli_env,
    demo,
    jsonl,
    library_events,
    no_traceback,
    person,
    popen,
    run,
    run_in_pty,
    selector,
    without_notice,
)


@demo
@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_progress_never_shares_a_line_with_output_on_one_terminal(
    zendesk_sandbox: Any, fmt: str
) -> None:
    status, screen = run_in_pty(zendesk_sandbox, "events", "--user-id", USER, "--format", fmt,
                                "--page-size", "1")  # fmt: skip
    assert status == 0, screen
    text = without_notice(screen.decode().replace("\r\n", "\n")).replace("\n", "\r\n")
    # The terminal turns each \n into \r\n; any other \r is a line redrawn in place.
    assert "\r" not in text.replace("\r\n", "\n"), text
    assert "events/s" not in text and "\x1b[K" not in text
    if fmt == "jsonl":
        assert jsonl(text.replace("\r\n", "\n")) == library_events(zendesk_sandbox, user_id=USER)


@demo
@pytest.mark.parametrize("columns", [64, 100])
def test_a_table_on_a_terminal_fits_its_width(zendesk_sandbox: Any, columns: int) -> None:
    env = {k: v for k, v in cli_env(zendesk_sandbox).items() if k not in ("COLUMNS", "LINES")}
    args = ("events", "--user-id", USER, "--format", "table", "-q")
    status, screen = run_in_pty(zendesk_sandbox, *args, env=env, columns=columns)
    assert status == 0, screen
    lines = without_notice(screen.decode().replace("\r\n", "\n")).splitlines()
    assert lines[0].startswith("CREATED_AT") and len(lines) > 10
    assert max(len(line) for line in lines) <= columns  # ASCII and '…': a column each
    assert any(line.endswith("…") for line in lines)
    # The same run into a pipe: no terminal, the columns keep their caps (wider).
    piped = run(zendesk_sandbox, *args, env=env)
    assert max(len(line) for line in piped.stdout.splitlines()) > columns


@demo
def test_a_table_on_a_terminal_follows_columns_in_the_environment(zendesk_sandbox: Any) -> None:
    env = cli_env(zendesk_sandbox, COLUMNS="72")
    args = ("events", "--user-id", USER, "--format", "table", "-q")
    status, screen = run_in_pty(zendesk_sandbox, *args, env=env, columns=200)
    assert status == 0, screen
    lines = without_notice(screen.decode().replace("\r\n", "\n")).splitlines()
    assert max(len(line) for line in lines) <= 72 and any("…" in line for line in lines)


@demo
def test_columns_alone_does_not_cut_a_table_that_goes_to_no_terminal(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    # Tools export COLUMNS to programs whose output they read (pytest does).
    env = cli_env(zendesk_sandbox, COLUMNS="72")
    args = ("events", "--user-id", USER, "--format", "table")
    piped = run(zendesk_sandbox, *args, env=env)
    assert piped.returncode == 0, piped.stderr
    assert max(len(line) for line in piped.stdout.splitlines()) > 72
    out = tmp_path / "table.txt"
    assert run(zendesk_sandbox, *args, "-o", str(out), env=env).returncode == 0
    assert out.read_text() == piped.stdout


@demo
def test_progress_and_summary_on_the_terminal_when_the_output_is_a_file(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    with open(os.devnull, "wb") as devnull:
        status, screen = run_in_pty(zendesk_sandbox, "events", "--user-id", USER,
                                    "--page-size", "1", "-o", str(out), stdout=devnull)  # fmt: skip
    assert status == 0, screen
    expected = library_events(zendesk_sandbox, user_id=USER)
    assert jsonl(out.read_text()) == expected
    text = screen.decode()
    assert "events/s" in text
    last = text.replace("\r\n", "\n").split("\n")
    summary = [line for line in last if line.startswith("zdevents: wrote")]
    assert len(summary) == 1
    assert summary[0].startswith(f"zdevents: wrote {len(expected)} events to {out} in ")
    assert summary[0].endswith(" s")


@demo
def test_summary_line_unless_quiet_or_standard_output(zendesk_sandbox: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    count = len(library_events(zendesk_sandbox, user_id=USER))
    loud = run(zendesk_sandbox, "events", "--user-id", USER, "-o", str(out))
    assert loud.returncode == 0
    (line,) = loud.stderr.splitlines()
    assert line.startswith(f"zdevents: wrote {count} events to {out} in ")
    quiet = run(zendesk_sandbox, "events", "--user-id", USER, "-o", str(out), "-q")
    assert quiet.stderr == ""
    stdout = run(zendesk_sandbox, "events", "--user-id", USER)
    assert stdout.stderr == ""


def _flaky(factory: Any) -> Any:
    sandbox = factory(seed="demo", retry_after=0)
    sandbox.set_faults("503=0.4", seed=7)
    return sandbox


def test_verbose_shows_each_retry_on_its_own_line(
    zendesk_sandbox_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = _flaky(zendesk_sandbox_factory)
    FakeClock().install(monkeypatch)  # the backoff of ~20 retries, taken in no time
    result = run(sandbox, "events", "--user-id", USER, "--page-size", "5", "-v",
                 "--max-retries", "20")  # fmt: skip
    assert result.returncode == 0, result.stderr
    retries = [line for line in result.stderr.splitlines() if "retrying" in line]
    assert len(retries) == sandbox.fault_counts["503"] > 0
    assert all(line.startswith("zdevents: ") and "503" in line for line in retries)
    assert jsonl(result.stdout) == library_events(sandbox, user_id=USER)
    quiet = run(sandbox, "events", "--user-id", USER, "--page-size", "5",
                "--max-retries", "20")  # fmt: skip
    assert "retrying" not in quiet.stderr


@pytest.mark.slow
def test_progress_says_when_it_waits(zendesk_sandbox_factory: Any, tmp_path: Path) -> None:
    sandbox = _flaky(zendesk_sandbox_factory)
    with open(os.devnull, "wb") as devnull:
        status, screen = run_in_pty(sandbox, "events", "--user-id", USER, "--page-size", "5",
                                    "--max-retries", "20", "-o", str(tmp_path / "o"),
                                    stdout=devnull,
                                    env=fake_clock_env(cli_env(sandbox)))  # fmt: skip
    assert status == 0, screen
    assert sandbox.fault_counts["503"] > 0
    assert b"waiting" in screen and b"retry after" in screen and b"503" in screen


# --------------------------------------------------------------------------- messages


def test_stdin_identifiers_are_named_standard_input(zendesk_sandbox: Any) -> None:
    result = subprocess.run(
        [*ZDEVENTS, "events", "--identifiers-file", "-"],
        input=f"{JDOE}\nnot a selector\n",
        env=cli_env(zendesk_sandbox),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    no_traceback(result)
    assert "standard input, line 2:" in result.stderr
    assert zendesk_sandbox.request_count == 0


def test_identifiers_file_lines_are_named(zendesk_sandbox: Any, tmp_path: Path) -> None:
    path = tmp_path / "people.txt"
    path.write_text("user_id:1\nuser_id:-4\n")
    result = run(zendesk_sandbox, "events", "--identifiers-file", str(path))
    assert result.returncode == 2
    assert f"{path}, line 2: user_id:-4" in result.stderr


def test_interrupt_without_resume_does_not_claim_events_were_kept(
    zendesk_sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = zendesk_sandbox_factory(latency=0.05)
    sandbox.add_events(person(0, 300))
    out = tmp_path / "out.jsonl"
    proc = popen(sandbox, "events", "--identifier", selector(0), "--page-size", "5",
                 "-o", str(out))  # fmt: skip
    deadline = time.monotonic() + 30
    while sandbox.request_count < 3:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    err = without_notice(err)
    assert proc.returncode == 130
    assert err.strip() == f"zdevents: error: interrupted; {out} was not written"
    assert not out.exists()


@demo
def test_not_found_names_the_account_variable_in_use(zendesk_sandbox: Any) -> None:
    result = run(zendesk_sandbox, "events", "--user-id", "999999")
    assert result.returncode == 1
    no_traceback(result)
    assert "ZENDESK_BASE_URL" in result.stderr and "ZENDESK_SUBDOMAIN" not in result.stderr


def test_two_credentials_are_a_one_line_usage_error(zendesk_sandbox: Any) -> None:
    env = cli_env(zendesk_sandbox, ZENDESK_OAUTH_TOKEN="an-oauth-token")
    result = run(None, "events", "--user-id", USER, env=env)
    assert result.returncode == 2
    no_traceback(result)
    assert "ZENDESK_API_TOKEN" in result.stderr and "ZENDESK_OAUTH_TOKEN" in result.stderr
    assert zendesk_sandbox.request_count == 0
    assert "an-oauth-token" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["events", "--user-id", USER, "--type", "x"],
        ["events", "--user-id", USER, "--start", "2020-02-23T10:00:00"],
        ["events", "--user-id", USER, "--resume", "s"],
        ["events"],
    ],
)
def test_usage_errors_of_events_point_at_its_help(zendesk_sandbox: Any, args: list[str]) -> None:
    result = run(zendesk_sandbox, *args)
    assert result.returncode == 2
    no_traceback(result)
    assert result.stderr.rstrip().endswith("(see zdevents events --help)")


def test_sync_progress_shows_people_done_of_all_and_time_against_the_estimate(
    zendesk_sandbox: Any,
) -> None:
    seed_people(zendesk_sandbox, 3, first_user=9100, events=2)
    with open(os.devnull, "wb") as devnull, tempfile.TemporaryDirectory() as folder:
        db = os.path.join(folder, "events.db")
        status, screen = run_in_pty(zendesk_sandbox, "sync", "--db", db, "--all-users",
                                    "--rate-limit", "600", stdout=devnull)  # fmt: skip
    text = screen.decode()
    assert status == 0, text
    assert "3 people: at least 4 requests, at least 0 s at 600/min" in text
    # The line redrawn in place ends with every person done, against the shortest time.
    drawn = [part for part in text.replace("\r\n", "\n").split("\r") if "people," in part]
    assert drawn, text
    assert drawn[-1].startswith("3 of 3 people, 6 events, ")
    assert re.search(r", \d+ s of at least 0 s\x1b\[K", drawn[-1]), drawn[-1]
