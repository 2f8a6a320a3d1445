"""The real ``zdevents`` executable, in a subprocess, against a running sandbox."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests._mock import FakeClock
from tests.cli._helpers import (
    JDOE,
    PROFILE,
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
    run_meanwhile,
    run_process,
    selector,
    wait_for_requests,
)
from zdevents import __version__

# --------------------------------------------------------------------------- help, version


def test_version() -> None:
    result = run(None, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"zdevents {__version__}"


def test_help_shows_an_example_for_each_route() -> None:
    for args in (["--help"], ["events", "--help"]):
        result = run(None, *args)
        assert result.returncode == 0, result.stderr
        assert "ZENDESK_API_TOKEN" in result.stdout
    events = run(None, "events", "--help").stdout
    for route in ("--identifier coolbikes:rider", "--profile-id 01E1G", "--user-id 85211553"):
        assert route in events
    assert "zdevents sandbox --port" in run(None, "--help").stdout
    events_help = run(None, "events", "--help").stdout
    for flag in ("--limit", "--resume", "--identifiers-file", "--concurrency", "--max-retries"):
        assert flag in events_help
    assert '{"selector": ' in events_help


NOT_A_LEVEL = (
    "zdevents: ZDEVENTS_LOG='verbose' is not a level zdevents knows (info or debug): "
    "nothing is logged"
)


def test_an_unknown_zdevents_log_is_said_once_in_process() -> None:
    result = run(None, "events", "--help", env=cli_env(ZDEVENTS_LOG="verbose"))
    assert result.returncode == 0
    assert result.stderr.splitlines() == [NOT_A_LEVEL]


@demo
def test_an_unknown_zdevents_log_is_said_once_by_the_real_command(zendesk_sandbox: Any) -> None:
    env = cli_env(zendesk_sandbox, ZDEVENTS_LOG="Verbose")
    result = run_process(zendesk_sandbox, "events", "--user-id", USER, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [NOT_A_LEVEL.replace("'verbose'", "'Verbose'")]


def test_no_command_is_a_usage_error() -> None:
    result = run(None)
    assert result.returncode == 2
    assert "events" in result.stderr


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "zdevents", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert __version__ in result.stdout


# --------------------------------------------------------------------------- selectors, filters


@demo
@pytest.mark.parametrize(
    ("flags", "kwargs"),
    [
        (["--identifier", JDOE], {"identifier": JDOE}),
        (["--profile-id", PROFILE], {"profile_id": PROFILE}),
        (["--user-id", USER], {"user_id": USER}),
    ],
)
def test_each_selector_exports_every_event(
    zendesk_sandbox: Any, flags: list[str], kwargs: dict[str, Any]
) -> None:
    result = run(zendesk_sandbox, "events", *flags, "--page-size", "7")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # not a terminal: no progress
    expected = library_events(zendesk_sandbox, **kwargs)
    assert len(expected) > 7  # several pages
    assert jsonl(result.stdout) == expected


@demo
def test_filters(zendesk_sandbox: Any) -> None:
    result = run(
        zendesk_sandbox, "events", "--identifier", JDOE,
        "--source", "coolbike", "--type", "bike_rental_booked",
        "--start", "2020-02-23", "--end", "2020-02-29",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    events = jsonl(result.stdout)
    # The example of Zendesk's "Accessing events" page.
    assert [e["created_at"] for e in events] == ["2020-02-28T18:13:28.175841347Z"]
    assert events[0]["properties"] == {"booking_date": "2020-02-01", "return_date": "2020-02-05"}

    week = run(zendesk_sandbox, "events", "--identifier", JDOE,
               "--start", "2020-02-23", "--end", "2020-02-29")  # fmt: skip
    expected = library_events(zendesk_sandbox, identifier=JDOE, start="2020-02-23",
                              end="2020-02-29")  # fmt: skip
    assert jsonl(week.stdout) == expected
    # A date-only end covers its whole UTC day.
    assert any(e["created_at"].startswith("2020-02-29T23:59:59") for e in expected)
    assert all("2020-02-23" <= e["created_at"][:10] <= "2020-02-29" for e in expected)


@demo
def test_limit(zendesk_sandbox: Any) -> None:
    everything = library_events(zendesk_sandbox, user_id=USER)
    before = zendesk_sandbox.request_count
    result = run(zendesk_sandbox, "events", "--user-id", USER, "--limit", "13", "--page-size", "5")
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == everything[:13]
    assert zendesk_sandbox.request_count - before == 3  # no page past the limit is fetched
    result = run(zendesk_sandbox, "events", "--user-id", USER, "--limit", "100000")
    assert jsonl(result.stdout) == everything


def test_retry_options_ride_out_faults(
    zendesk_sandbox_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = zendesk_sandbox_factory(seed="demo", retry_after=0)
    expected = library_events(sandbox, user_id=USER)
    sandbox.set_faults("503=0.1,520=0.05,drop=0.05,truncate=0.05", seed=3)
    FakeClock().install(monkeypatch)  # the backoff of the retries, taken in no time
    result = run(sandbox, "events", "--user-id", USER, "--page-size", "5",
                 "--max-retries", "12", "--timeout", "5", "--rate-limit", "100000")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == expected
    assert sum(sandbox.fault_counts.values()) > 0


# --------------------------------------------------------------------------- formats


def test_jsonl_is_lossless(zendesk_sandbox: Any) -> None:
    zendesk_sandbox.add_event(
        profile={
            "source": "shop",
            "type": "customer",
            "identifiers": [{"type": "email", "value": "ann@example.com"}],
        },
        event={
            "source": "shop",
            "type": "login",
            "description": "Zoë logged in ✓",
            "created_at": "2021-01-02T03:04:05.123456789Z",
            "properties": {"big": 12345678901234567890, "nested": {"a": [1, 2.5, None]}},
            "x_unknown_field": {"kept": True},
        },
    )
    result = run(zendesk_sandbox, "events", "--identifier", "shop:customer:email:ann@example.com")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    event = json.loads(line)
    assert event["created_at"] == "2021-01-02T03:04:05.123456789Z"
    assert event["x_unknown_field"] == {"kept": True}
    assert event["properties"]["big"] == 12345678901234567890
    assert "Zoë logged in ✓" in line  # UTF-8, not \u escapes
    assert line == json.dumps(event, ensure_ascii=False, separators=(",", ":"))


@demo
def test_json_is_one_array(zendesk_sandbox: Any) -> None:
    result = run(zendesk_sandbox, "events", "--user-id", USER, "--format", "json",
                 "--page-size", "9")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == library_events(zendesk_sandbox, user_id=USER)
    empty = run(zendesk_sandbox, "events", "--user-id", USER, "--format", "json",
                "--start", "2030-01-01")  # fmt: skip
    assert json.loads(empty.stdout) == []


@demo
def test_csv_columns(zendesk_sandbox: Any) -> None:
    result = run(zendesk_sandbox, "events", "--user-id", USER, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [
        "id", "source", "type", "description", "created_at", "received_at", "properties",
    ]  # fmt: skip
    expected = library_events(zendesk_sandbox, user_id=USER)
    assert len(rows) == len(expected) + 1
    for row, event in zip(rows[1:], expected, strict=True):
        assert row[:6] == [
            event["id"], event["source"], event["type"], event["description"],
            event["created_at"], event["received_at"],
        ]  # fmt: skip
        assert json.loads(row[6]) == event["properties"]


@demo
def test_table(zendesk_sandbox: Any) -> None:
    result = run(zendesk_sandbox, "events", "--identifier", JDOE, "--format", "table",
                 "--start", "2020-02-23", "--end", "2020-02-29")  # fmt: skip
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["CREATED_AT", "SOURCE", "TYPE", "DESCRIPTION", "PROPERTIES"]
    assert len(rows) == len(
        library_events(zendesk_sandbox, identifier=JDOE, start="2020-02-23", end="2020-02-29")
    )
    # Aligned: every row's TYPE starts in the header's TYPE column.
    column = header.index("TYPE")
    assert all(row[column - 2 : column] == "  " and row[column] != " " for row in rows)
    assert any("2020-02-28T18:13:28.175841347Z" in row for row in rows)


# --------------------------------------------------------------------------- --output


@demo
def test_output_file(zendesk_sandbox: Any, tmp_path: Path) -> None:
    target = tmp_path / "events.csv"
    result = run(zendesk_sandbox, "events", "--user-id", USER, "--format", "csv",
                 "--output", str(target))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (
        len(target.read_text().splitlines())
        == len(library_events(zendesk_sandbox, user_id=USER)) + 1
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv"]


@demo
def test_failed_export_leaves_no_file_and_an_existing_file_untouched(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    target = tmp_path / "events.jsonl"
    args = ("events", "--user-id", USER, "--page-size", "5", "--max-retries", "0")
    zendesk_sandbox.latency = 0.05
    for existing in (None, "precious\n"):
        if existing is not None:
            target.write_text(existing)
        zendesk_sandbox.set_faults(None)
        before = zendesk_sandbox.request_count

        def break_the_server(before: int = before) -> None:
            # Let a few pages through, then break the server: the failure is mid-export.
            wait_for_requests(zendesk_sandbox, before + 3)
            zendesk_sandbox.set_faults("500=1")

        result = run_meanwhile(
            zendesk_sandbox, *args, "--output", str(target), meanwhile=break_the_server
        )
        stderr = result.stderr
        assert result.returncode == 1, stderr
        assert "HTTP 500" in stderr and "Traceback" not in stderr
        assert len(stderr.strip().splitlines()) == 1
        if existing is None:
            assert not target.exists()
        else:
            assert target.read_text() == existing
        assert [p.name for p in tmp_path.iterdir()] == ([] if existing is None else [target.name])


def test_output_to_a_stopped_server_leaves_no_file(
    zendesk_sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = zendesk_sandbox_factory()
    env = cli_env(sandbox)
    sandbox.stop()
    target = tmp_path / "out.jsonl"
    result = run(None, "events", "--user-id", USER, "--max-retries", "0",
                 "--output", str(target), env=env)  # fmt: skip
    assert result.returncode == 1
    no_traceback(result)
    assert "failed" in result.stderr and "network" in result.stderr
    assert list(tmp_path.iterdir()) == []


@demo
def test_interrupt_leaves_no_partial_file(zendesk_sandbox: Any, tmp_path: Path) -> None:
    zendesk_sandbox.latency = 0.1
    target = tmp_path / "events.jsonl"
    proc = popen(zendesk_sandbox, "events", "--user-id", USER, "--page-size", "2",
                 "--output", str(target))  # fmt: skip
    deadline = time.monotonic() + 20
    while zendesk_sandbox.request_count < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- errors, exit codes


@demo
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "bike_viewed"], "needs source"),
        (["--start", "2020-13-01"], "not a valid date"),
        (["--start", "2020-03-01", "--end", "2020-02-01"], "after end"),
        (["--start", "2020-02-01T10:00:00"], "without a UTC offset"),
        (["--end", "20200229"], "as 2020-02-29"),
        (["--page-size", "101"], "argument --page-size: '101' is outside 1..100"),
        (["--page-size", "0"], "argument --page-size: '0' is outside 1..100"),
        (["--profile-id", "x"], "see zdevents events --help"),
        (["--format", "json", "--resume", "s.json", "--output", "o.json"], "jsonl or csv"),
        (["--resume", "s.json"], "needs --output"),
        (["--concurrency", "3"], "--identifiers-file"),
        (["--output", "/nonexistent-dir/x.jsonl"], "does not exist"),
    ],
)
def test_bad_arguments_fail_before_any_request(
    zendesk_sandbox: Any, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(zendesk_sandbox, "events", "--user-id", USER, *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    no_traceback(result)
    assert zendesk_sandbox.request_count == 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["events"],
        ["events", "--user-id", "1", "--profile-id", "x"],
        ["events", "--user-id", "1", "--format", "xml"],
        ["events", "--user-id", "1", "--limit", "0"],
        ["events", "--user-id", "1", "--bogus"],
        ["frobnicate"],
        [],
    ],
)
def test_argparse_errors_exit_2_with_one_line(args: list[str]) -> None:
    result = run(None, *args, env=cli_env())
    assert result.returncode == 2
    no_traceback(result)  # one line, no usage block
    assert result.stderr.startswith("zdevents: error: ")
    assert result.stderr.rstrip().endswith(" --help)")
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, ["ZENDESK_SUBDOMAIN", "ZENDESK_BASE_URL", "ZENDESK_API_TOKEN"]),
        ({"ZENDESK_SUBDOMAIN": "coolbikes"}, ["ZENDESK_EMAIL", "ZENDESK_OAUTH_TOKEN"]),
        ({"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_EMAIL": "a@b.c"}, ["ZENDESK_API_TOKEN"]),
    ],
)
def test_missing_credentials_name_the_variables(env: dict[str, str], named: list[str]) -> None:
    result = run(None, "events", "--user-id", USER, env=cli_env(**env))
    assert result.returncode == 2
    no_traceback(result)
    for name in named:
        assert name in result.stderr


@demo
@pytest.mark.parametrize(
    ("args", "status", "hint"),
    [
        (["--user-id", "999"], "HTTP 404", "check the selector"),
        (["--identifier", "nobody:x:email:a@b.c"], "HTTP 404", "check the selector"),
    ],
)
def test_api_errors_exit_1(zendesk_sandbox: Any, args: list[str], status: str, hint: str) -> None:
    result = run(zendesk_sandbox, "events", *args)
    assert result.returncode == 1
    no_traceback(result)
    assert result.stderr.startswith("zdevents: error: reading the events of")
    assert status in result.stderr and hint in result.stderr
    assert "request id" in result.stderr


def test_no_secret_in_any_output(zendesk_sandbox_factory: Any, tmp_path: Path) -> None:
    token = "S3CRET-tok-7c1e5b9a"
    sandbox = zendesk_sandbox_factory(seed="demo", api_token=token)
    basic = base64.b64encode(f"{sandbox.email}/token:{token}".encode()).decode()
    wrong = "WR0NG-tok-d41d8cd9"
    outputs = []
    for env in (cli_env(sandbox), cli_env(sandbox, ZENDESK_API_TOKEN=wrong)):
        for args in (
            ["events", "--user-id", USER, "--format", "table"],
            ["events", "--user-id", "999"],
            ["events", "--user-id", USER, "--type", "x"],
            ["events", "--identifier", JDOE, "--format", "csv", "--limit", "3"],
        ):
            result = run(None, *args, env=env)
            outputs.append(result.stdout + result.stderr)
    assert any("HTTP 401" in text for text in outputs)
    for text in outputs:
        assert token not in text and wrong not in text and basic not in text


# --------------------------------------------------------------------------- bulk


def _bulk_sandbox(factory: Any, people: int, per_person: int, **options: Any) -> Any:
    sandbox = factory(**options)
    for n in range(people):
        sandbox.add_events(person(n, per_person + n % 3))
    return sandbox


def test_bulk_exports_every_event_exactly_once(
    zendesk_sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = _bulk_sandbox(zendesk_sandbox_factory, 12, 20, latency=0.01)
    ids = tmp_path / "people.txt"
    # Repeats, also in another case of the email (Zendesk compares emails case-insensitively).
    again = [selector(3), "shop:customer:email:P4@Example.COM"]
    lines = ["# people to export", ""] + [selector(n) for n in range(12)] + again
    ids.write_text("\n".join(lines) + "\n")
    result = run(sandbox, "events", "--identifiers-file", str(ids), "--concurrency", "5",
                 "--page-size", "6")  # fmt: skip
    assert result.returncode == 0, result.stderr
    records = jsonl(result.stdout)
    assert all(set(r) == {"selector", "event"} for r in records)
    for n in range(12):
        mine = [r["event"] for r in records if r["selector"] == selector(n)]
        # In order, exactly once (the repeated line is exported once), and lossless.
        assert mine == library_events(sandbox, identifier=selector(n))
    assert len(records) == sum(20 + n % 3 for n in range(12))

    table = run(sandbox, "events", "--identifiers-file", str(ids), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert list(rows[0])[:2] == ["selector", "id"]
    assert sorted((r["selector"], r["id"]) for r in rows) == sorted(
        (r["selector"], r["event"]["id"]) for r in records
    )


def test_bulk_bad_line_is_a_usage_error_naming_the_line(
    zendesk_sandbox: Any, tmp_path: Path
) -> None:
    ids = tmp_path / "people.txt"
    ids.write_text(f"# header\n{selector(1)}\n\nnot-an-identifier\n")
    result = run(zendesk_sandbox, "events", "--identifiers-file", str(ids))
    assert result.returncode == 2
    no_traceback(result)
    assert "line 4" in result.stderr
    assert zendesk_sandbox.request_count == 0


def test_bulk_failure_names_the_selector(zendesk_sandbox_factory: Any, tmp_path: Path) -> None:
    sandbox = _bulk_sandbox(zendesk_sandbox_factory, 2, 3)
    ids = tmp_path / "people.txt"
    ids.write_text(f"{selector(0)}\nshop:customer:email:ghost@example.com\n{selector(1)}\n")
    result = run(sandbox, "events", "--identifiers-file", str(ids), "--output",
                 str(tmp_path / "out.jsonl"))  # fmt: skip
    assert result.returncode == 1
    no_traceback(result)
    assert "ghost@example.com" in result.stderr and "HTTP 404" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_bulk_limit(zendesk_sandbox_factory: Any, tmp_path: Path) -> None:
    sandbox = _bulk_sandbox(zendesk_sandbox_factory, 6, 30)
    ids = tmp_path / "people.txt"
    ids.write_text("\n".join(selector(n) for n in range(6)))
    result = run(sandbox, "events", "--identifiers-file", str(ids), "--limit", "25")
    assert result.returncode == 0, result.stderr
    assert len(jsonl(result.stdout)) == 25


# --------------------------------------------------------------------------- progress


@demo
def test_progress_only_on_a_terminal(zendesk_sandbox: Any) -> None:
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [*ZDEVENTS, "events", "--user-id", USER, "--page-size", "10"],
            env=cli_env(zendesk_sandbox),
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=60,
            check=False,
        )
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == 0
    total = len(library_events(zendesk_sandbox, user_id=USER))
    assert b"\r" in shown and f"{total} events, 7 pages".encode() in shown
    assert b"events/s" in shown
    assert len(proc.stdout.splitlines()) == total  # stdout stays clean

    quiet = subprocess.run(
        [*ZDEVENTS, "events", "--user-id", USER, "--quiet"],
        env=cli_env(zendesk_sandbox),
        capture_output=True,
        check=False,
    )
    assert quiet.stderr == b""


# --------------------------------------------------------------------------- sandbox command


def test_sandbox_command_delegates_and_stops_cleanly() -> None:
    proc = subprocess.Popen(
        [*ZDEVENTS, "sandbox", "--port", "0", "--seed", "demo"],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        exports: dict[str, str] = {}
        while len(exports) < 3:
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                exports[name] = value.strip("'\"")
        env = cli_env(**exports)
        result = run(None, "events", "--user-id", USER, "--limit", "2", env=env)
        assert result.returncode == 0, result.stderr
        assert len(jsonl(result.stdout)) == 2
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
    assert proc.returncode == 0


def test_sandbox_help() -> None:
    # A subprocess: the sandbox is a server that owns its streams and signal handling.
    result = run_process(None, "sandbox", "--help")
    assert result.returncode == 0
    assert "--seed" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("events", "--sourc", "x", "--user-id", "1"), "argument --sourc (did you mean --source?)"),
        (("events", "--userid", "1"), "argument --userid (did you mean --user-id?)"),
        (("sync", "--d", "events.db", "--user-id", "1"), "argument --d (did you mean --db?)"),
        (("sandbox", "--po", "0"), "arguments: --po 0"),
    ],
)
def test_an_abbreviated_or_misspelt_flag_is_named_not_guessed(
    args: tuple[str, ...], message: str
) -> None:
    # The sandbox (a server owning its streams and signals) runs in a subprocess.
    result = (run_process if args[0] == "sandbox" else run)(None, *args)
    assert result.returncode == 2, result.stderr
    assert f"unrecognized {message}" in result.stderr
