"""``zdevents load``: the dlt pipeline from the command line, into DuckDB by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli._helpers import cli_env, run, without_notice
from tests.warehouse._warehouse import NO_DLT, People, events, query

pytest.importorskip("dlt", reason=NO_DLT)

from zdevents.sandbox import Sandbox


def test_load_writes_a_duckdb_file_in_the_working_directory_and_names_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folk = People(sandbox)
    folk.add(0, [0, 1, 2])
    folk.add(1, [0])
    people = tmp_path / "people.txt"
    people.write_text(f"# who\n{folk.selector(0)}\nuser_id:{folk.user_id(1)}\nuser_id:987654321\n")
    args = ["load", "--identifiers-file", str(people), "--pipelines-dir", str(tmp_path / "p")]

    first = run(sandbox, *args, "--overlap", "90s", cwd=tmp_path)
    assert first.returncode == 3, first.stderr  # done, someone skipped
    assert first.stdout == ""
    lines = without_notice(first.stderr).splitlines()
    assert lines[0].startswith("zdevents: skipped user_id:987654321: HTTP 404")
    database = tmp_path / "zdevents.duckdb"
    assert lines[-1].startswith(
        f"zdevents: loaded 4 events of 3 people into duckdb dataset zendesk_events at "
        f"duckdb:///{database} in "
    )
    assert lines[-1].endswith("; 1 skipped")
    assert len(lines) == 2
    # Every column as received (the text of created_at with its nine digits, not a time).
    served = {**folk.served(0), **folk.served(1)}
    assert events(database) == {
        id_: (
            folk.selector(0) if id_ in folk.served(0) else f"user_id:{folk.user_id(1)}",
            event.to_dict()["created_at"],
            event.raw.decode(),
        )
        for id_, event in served.items()
    }
    ((kind,),) = query(
        database,
        "SELECT data_type FROM information_schema.columns WHERE table_schema ="
        " 'zendesk_events' AND table_name = 'events' AND column_name = 'properties'",
    )
    assert kind == "JSON"

    folk.add(0, [10])
    again = run(sandbox, *args, "--overlap", "90s", "-q", cwd=tmp_path)
    assert again.returncode == 3
    assert without_notice(again.stderr).startswith("zdevents: skipped user_id:987654321")
    assert "loaded" not in again.stderr
    assert set(events(database)) == set(folk.served(0)) | set(folk.served(1))


def test_load_with_an_unknown_destination_is_a_usage_error(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    people = tmp_path / "people.txt"
    people.write_text("user_id:1\n")
    result = run(
        sandbox,
        "load",
        "--identifiers-file",
        str(people),
        "--destination",
        "no_such_warehouse",
        "--pipelines-dir",
        str(tmp_path / "p"),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    (line,) = without_notice(result.stderr).splitlines()
    assert line.startswith("zdevents: error: cannot set up the pipeline: ")
    assert "no_such_warehouse" in line


def test_load_reports_a_failure_in_one_line_and_commits_nothing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    people = tmp_path / "people.txt"
    people.write_text("user_id:1\n")
    env_args = ["--pipelines-dir", str(tmp_path / "p"), "--max-retries", "0"]
    env = cli_env(sandbox, ZENDESK_API_TOKEN="wrong-token")
    result = run(None, "load", "--identifiers-file", str(people), *env_args, env=env, cwd=tmp_path)
    assert result.returncode == 1
    (line,) = without_notice(result.stderr).splitlines()
    assert line.startswith("zdevents: error: loading failed: HTTP 401")
    assert "wrong-token" not in result.stderr


def test_load_all_users_discovers_everyone(tmp_path: Path) -> None:
    with Sandbox() as own:
        folk = People(own)
        for n in range(2):
            folk.add(n, [0, 1])
        args = ["load", "--all-users", "--pipelines-dir", str(tmp_path / "p")]
        result = run(own, *args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "loaded 4 events of 2 people" in result.stderr
        database = tmp_path / "zdevents.duckdb"
        assert set(events(database)) == set(folk.served(0)) | set(folk.served(1))
        people = query(database, "SELECT person FROM zendesk_events.people ORDER BY 1")
        assert people == [(f"user_id:{folk.user_id(n)}",) for n in range(2)]


def test_load_into_a_destination_not_configured_is_a_usage_error_before_any_request(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    people = tmp_path / "people.txt"
    people.write_text("user_id:1\n")
    before = sandbox.request_count
    env = {k: v for k, v in cli_env(sandbox).items() if not k.startswith("DESTINATION__")}
    args = ["--identifiers-file", str(people), "--pipelines-dir", str(tmp_path / "p")]
    result = run(None, "load", *args, "--destination", "postgres", env=env, cwd=tmp_path)
    assert result.returncode == 2
    (line,) = without_notice(result.stderr).splitlines()
    assert line.startswith("zdevents: error: the destination postgres is not set up: ")
    assert "credentials" in line and "run the same command again" not in line
    assert sandbox.request_count == before  # no event read only to be thrown away


def test_load_interrupted_by_ctrl_c_exits_130_and_commits_nothing(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zdevents

    folk = People(sandbox)
    folk.add(0, [0])
    people = tmp_path / "people.txt"
    people.write_text(folk.selector(0) + "\n")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C while the events are read (dlt wraps it)

    monkeypatch.setattr(zdevents.Client, "pages_many", interrupted)
    args = ["load", "--identifiers-file", str(people), "--pipelines-dir", str(tmp_path / "p")]
    result = run(sandbox, *args, cwd=tmp_path)
    assert result.returncode == 130
    assert without_notice(result.stderr) == (
        "zdevents: error: interrupted; nothing of this run was committed;"
        " run the same command again\n"
    )


def test_load_names_the_dataset_the_tables_went_into(sandbox: Sandbox, tmp_path: Path) -> None:
    folk = People(sandbox)
    folk.add(0, [0])
    people = tmp_path / "people.txt"
    people.write_text(folk.selector(0) + "\n")
    args = ["load", "--identifiers-file", str(people), "--pipelines-dir", str(tmp_path / "p")]
    result = run(sandbox, *args, "--dataset", "", cwd=tmp_path)  # dlt picks a name of its own
    assert result.returncode == 0, result.stderr
    ((schema,),) = query(
        tmp_path / "zdevents.duckdb",
        "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'events'"
        " AND table_schema NOT LIKE '%\\_staging' ESCAPE '\\'",
    )
    assert f" dataset {schema} at " in result.stderr
