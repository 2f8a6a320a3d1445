"""A load killed with SIGKILL and run again ends as an uninterrupted load does."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from tests.cli._helpers import run
from tests.warehouse._subprocess import run_pipeline
from tests.warehouse._warehouse import NO_DLT, People, marks, pipeline, query

pytest.importorskip("dlt", reason=NO_DLT)

from zdevents.dlt import zendesk_events
from zdevents.sandbox import Sandbox


def end_state(folder: Path) -> dict[str, Any]:
    db = folder / "zdevents.duckdb"
    return {
        "events": query(
            db,
            "SELECT id, person, source, type, created_at, created_at_text, received_at,"
            " properties, raw FROM zendesk_events.events ORDER BY id",
        ),
        "people": query(
            db, "SELECT person, user_id, identifier FROM zendesk_events.people ORDER BY person"
        ),
        "profiles": query(db, "SELECT id, person, raw FROM zendesk_events.profiles ORDER BY id"),
        "marks": marks(pipeline(folder)),
    }


@pytest.mark.slow
@pytest.mark.parametrize("kill", ["extract", "normalize"])
def test_a_load_killed_and_run_again_ends_as_an_uninterrupted_one(
    sandbox: Sandbox, tmp_path: Path, kill: str
) -> None:
    folk = People(sandbox)
    for n in range(4):
        folk.add(n, [float(i) for i in range(7)])
    people: list[Any] = [folk.selector(n) for n in range(4)]
    client = {"base_url": sandbox.base_url, "email": sandbox.email, "api_token": sandbox.api_token}

    reference = tmp_path / "uninterrupted"
    reference.mkdir()
    pipeline(reference).run(zendesk_events(people, client=sandbox.client, page_size=2))

    folder = tmp_path / "killed"
    folder.mkdir()
    spec = {"folder": str(folder), "people": people, "client": client, "kill": kill, "after": 3}
    killed = run_pipeline(spec)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if kill == "extract":
        # Killed while reading: nothing of the run was committed.
        assert not (folder / "zdevents.duckdb").exists() or not marks(pipeline(folder))
    # The rerun is the command a scheduler runs again (in this process: cheaper than
    # another one); it finishes what the killed run left and reads what is new since.
    listed = folder / "people.txt"
    listed.write_text("".join(f"{p}\n" for p in people))
    args = ["load", "--identifiers-file", str(listed), "--pipelines-dir", str(folder / "pipelines")]
    folk.add(0, [30])  # new since the killed run: this one command must read it too
    pipeline(reference).run(zendesk_events(people, client=sandbox.client))
    again = run(sandbox, *args, cwd=folder)
    assert again.returncode == 0, again.stderr
    assert again.stderr.startswith("zdevents: loaded ") and len(again.stderr.splitlines()) == 1
    assert end_state(folder) == end_state(reference)
    # And once more: nothing changes, nothing doubles.
    assert run(sandbox, *args, "-q", cwd=folder).returncode == 0
    assert end_state(folder) == end_state(reference)
