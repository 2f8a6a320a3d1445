"""zdevents.forget: a person erased at the sandbox and from two real sync mirrors (one held
by a running sync), the dry run, the rerun that finishes the job, and the erasure log."""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

import zdevents
from zdevents import Client, errors
from zdevents.sandbox import Sandbox

_n = itertools.count(1)


@pytest.fixture
def sandbox(module_sandbox: Sandbox) -> Sandbox:
    return module_sandbox


@pytest.fixture
def client(module_client: Client) -> Client:
    return module_client


def make_person(sandbox: Sandbox, events: int = 3, *, zendesk: bool = False) -> dict[str, Any]:
    """A new person: a user with two profiles (and Zendesk's own one if asked), each with
    ``events`` events; their ids, identifier query, email and name."""
    n = next(_n)
    user = 5_000_000 + n
    email, phone = f"forget{n}@example.com", f"+47{n:08d}"
    name = f"Secret Name {n}"
    shop = {"source": "shop", "type": "customer", "name": name,
            "identifiers": [{"type": "email", "value": email}]}  # fmt: skip
    app = {"source": "app", "type": "member",
           "identifiers": [{"type": "phone_number", "value": phone}]}  # fmt: skip
    own = {"source": "zendesk", "type": "user", "identifiers": [{"type": "email", "value": email}]}
    records: list[dict[str, Any]] = []
    for i in range(events):
        records.append(
            {"user_id": user, "event": {"source": "shop", "type": f"v{i}"}, "profile": shop}
        )
        records.append(
            {"user_id": user, "event": {"source": "app", "type": f"o{i}"}, "profile": app}
        )
    if zendesk:
        records.append(
            {"user_id": user, "event": {"source": "zendesk", "type": "ticket_requested"},
             "profile": own}
        )  # fmt: skip
    ids = sandbox.add_events(records)
    return {
        "user": user,
        "identifier": f"shop:customer:email:{email}",
        "email": email,
        "phone": phone,
        "name": name,
        "profiles": sorted(set(ids)),
    }


def mirror(client: Client, path: Path, *people: dict[str, Any]) -> Path:
    """A sync mirror of ``people``, by user id and by identifier query."""
    selectors: list[Any] = []
    for p in people:
        selectors += [{"user_id": p["user"]}, p["identifier"]]
    zdevents.sync(client, path, selectors)
    return path


def rows(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
        count = 'SELECT COUNT(*) FROM "{}"'
        return {t: conn.execute(count.format(t)).fetchone()[0] for t in tables}


def selectors_in(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT selector FROM events")} | {
            r[0] for r in conn.execute("SELECT selector FROM sync_state")
        }


def test_forget_a_user_at_zendesk_and_in_two_mirrors(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    gone, kept = make_person(sandbox), make_person(sandbox)
    one = mirror(client, tmp_path / "one.db", gone, kept)
    two = mirror(client, tmp_path / "two.db", gone)
    before_kept = len(list(client.events(user_id=kept["user"])))
    log = tmp_path / "audit" / "erasures.jsonl"

    report = zdevents.forget(client, user_id=gone["user"], mirrors=[one, two], log=log)

    assert report.complete and not report.pending
    assert report.request == "user_id" and report.user_ids == (str(gone["user"]),)
    assert sorted(p.id for p in report.profiles) == gone["profiles"]
    assert all(p.deleted and p.events == 3 for p in report.profiles)
    assert report.events == 6
    assert [m.purged for m in report.mirrors] == [True, True]
    assert report.mirrors[0].rows["events"] == 6
    assert report.mirrors[0].rows["sync_state"] == 2
    # Gone at Zendesk, through every route (the user itself stays, without profiles).
    with pytest.raises(errors.NotFoundError):
        list(client.events(identifier=gone["identifier"]))
    assert list(client.events(user_id=gone["user"])) == []
    assert client.profiles(user_id=gone["user"]) == []
    # Gone from the mirrors; the other person's rows untouched.
    assert rows(two)["events"] == 0 and rows(two)["sync_state"] == 0
    assert rows(one)["events"] == before_kept
    assert selectors_in(one) == {f"user_id:{kept['user']}", kept["identifier"]}
    # The next sync of the same people does not bring them back.
    zdevents.sync(client, one, [{"user_id": kept["user"]}, kept["identifier"]])
    zdevents.sync(client, two, [{"user_id": gone["user"]}], on_missing="skip")
    assert rows(two)["events"] == 0
    assert rows(one)["events"] == before_kept


def test_forget_purges_the_people_row_of_an_all_users_mirror_and_sync_keeps_it_out(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    gone, kept = make_person(sandbox, 1), make_person(sandbox, 1)
    db = tmp_path / "all.db"
    zdevents.sync(client, db, zdevents.ALL_USERS)
    people = {r[0] for r in _dump(db, "SELECT user_id FROM people")}
    assert {gone["user"], kept["user"]} <= people
    report = zdevents.forget(client, user_id=gone["user"], mirrors=[db], log=tmp_path / "l")
    assert report.complete and report.mirrors[0].rows["people"] == 1
    assert report.mirrors[0].rows["events"] == 2
    zdevents.sync(client, db, zdevents.ALL_USERS)
    people_after = {r[0] for r in _dump(db, "SELECT user_id FROM people")}
    assert gone["user"] not in people_after and kept["user"] in people_after
    selectors = {r[0] for r in _dump(db, "SELECT selector FROM events")}
    assert f"user_id:{gone['user']}" not in selectors
    assert f"user_id:{kept['user']}" in selectors


def _dump(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql))


def test_the_erasure_log_holds_ids_and_counts_and_no_personal_data(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    person = make_person(sandbox)
    db = mirror(client, tmp_path / "m.db", person)
    log = tmp_path / "erasures.jsonl"
    log.write_text('{"earlier": "line"}\n')
    zdevents.forget(client, identifier=person["identifier"], mirrors=[db], log=log)
    text = log.read_text()
    lines = text.splitlines()
    assert lines[0] == '{"earlier": "line"}'  # appended, never rewritten
    (record,) = [json.loads(line) for line in lines[1:]]
    assert record["request"] == "identifier"
    assert record["complete"] is True
    assert record["user_ids"] == [str(person["user"])]
    assert len(record["profiles_deleted"]) == 1 and record["events_deleted"] == 3
    assert record["mirrors"][0]["rows"]["events"] == 3
    for personal in (person["email"], person["phone"], person["name"], "forget", "Secret"):
        assert personal not in text
    assert oct(log.stat().st_mode & 0o777) in ("0o600", "0o644")  # created before: kept as is


def test_the_log_goes_under_zdevents_home_by_default(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    person = make_person(sandbox, 1)
    home = tmp_path / "home"
    zdevents.forget(client, profile_id=person["profiles"][0], environ={"ZDEVENTS_HOME": str(home)})
    log = home / "erasures.jsonl"
    assert json.loads(log.read_text())["profiles_deleted"] == [person["profiles"][0]]
    assert log.stat().st_mode & 0o777 == 0o600


def test_a_dry_run_shows_the_same_and_changes_nothing(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    person = make_person(sandbox)
    db = mirror(client, tmp_path / "m.db", person)
    before = rows(db)
    log = tmp_path / "erasures.jsonl"
    plan = zdevents.forget(client, user_id=person["user"], mirrors=[db], dry_run=True, log=log)
    assert plan.dry_run and not plan.complete and not plan.pending
    assert plan.events == 6 and len(plan.profiles) == 2
    assert not any(p.deleted for p in plan.profiles)
    assert plan.mirrors[0].rows == {"events": 6, "sync_state": 2, "people": 0}
    assert rows(db) == before
    assert len(client.profiles(user_id=person["user"])) == 2
    assert not log.exists()


def test_a_no_from_the_confirmation_changes_nothing(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    person = make_person(sandbox, 1)
    seen: list[zdevents.ForgetReport] = []

    def no(plan: zdevents.ForgetReport) -> bool:
        seen.append(plan)
        return False

    report = zdevents.forget(client, user_id=person["user"], confirm=no, log=tmp_path / "l")
    assert report.cancelled and not report.complete
    assert seen[0].events == 2
    assert len(client.profiles(user_id=person["user"])) == 2


def test_zendesks_own_profile_is_kept_and_said_so(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    person = make_person(sandbox, 1, zendesk=True)
    report = zdevents.forget(client, user_id=person["user"], log=tmp_path / "l")
    kept = [p for p in report.profiles if p.refused]
    assert [p.source for p in kept] == ["zendesk"]
    assert "Zendesk keeps its own profile" in str(kept[0].refused)
    assert report.complete  # all that could be erased was
    assert [p.source for p in client.profiles(user_id=person["user"])] == ["zendesk"]


def test_a_mirror_held_by_a_running_sync_is_reported_and_a_rerun_finishes(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    person, other = make_person(sandbox, 4), make_person(sandbox, 1)
    free = mirror(client, tmp_path / "free.db", person)
    held = mirror(client, tmp_path / "held.db", person)
    home = {"ZDEVENTS_HOME": str(tmp_path / "home")}
    holding, release = threading.Event(), threading.Event()

    def hold(report: zdevents.SyncReport) -> None:
        holding.set()
        assert release.wait(30)

    sync = threading.Thread(
        target=zdevents.sync, args=(client, held, [{"user_id": other["user"]}]),
        kwargs={"progress": hold},
    )  # fmt: skip
    sync.start()
    try:
        assert holding.wait(30)
        first = zdevents.forget(
            client, identifier=person["identifier"], mirrors=[free, held], environ=home
        )
    finally:
        release.set()
        sync.join(30)
    assert not first.complete
    assert [m.path for m in first.pending] == [str(held)]
    assert "another zdevents sync is using" in str(first.pending[0].problem)
    assert first.pending[0].rows["events"] == 4
    assert all(p.deleted for p in first.profiles)
    assert rows(free)["events"] == 8 - 4  # the phone profile's events stay (not asked)
    pending = (tmp_path / "home" / "forget-pending.json").read_text()
    for personal in (person["email"], person["phone"], person["name"]):
        assert personal not in pending

    # Zendesk has nothing left to find; the rerun still purges what the mirror owes.
    second = zdevents.forget(
        client, identifier=person["identifier"], mirrors=[free, held], environ=home
    )
    assert second.complete and second.profiles == ()
    assert second.mirrors[1].rows["events"] == 4
    assert rows(free)["events"] == 4
    assert rows(held)["events"] == 4 + 2  # and the other person's, synced meanwhile
    assert not (tmp_path / "home" / "forget-pending.json").exists()
    records = (tmp_path / "home" / "erasures.jsonl").read_text().splitlines()
    assert [json.loads(r)["complete"] for r in records] == [False, True]


def test_a_failure_at_zendesk_half_way_is_finished_by_the_rerun(
    sandbox: Sandbox, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_person(sandbox, 2)
    db = tmp_path / "m.db"
    phone = f"app:member:phone_number:{person['phone']}"
    zdevents.sync(client, db, [person["identifier"], phone])  # by identifier only
    assert rows(db)["events"] == 4
    home = {"ZDEVENTS_HOME": str(tmp_path / "home")}
    real_delete = client.delete_profile
    calls: list[str] = []

    def fails_the_second(*, profile_id: str) -> None:
        calls.append(profile_id)
        if len(calls) == 2:
            raise errors.ServerError("HTTP 500: Zendesk failed", status_code=500)
        real_delete(profile_id=profile_id)

    monkeypatch.setattr(client, "delete_profile", fails_the_second)
    with pytest.raises(errors.ServerError):
        zdevents.forget(client, user_id=person["user"], mirrors=[db], environ=home)
    monkeypatch.undo()
    assert len(client.profiles(user_id=person["user"])) == 1  # one deleted, one left
    # The rerun no longer sees the deleted profile at Zendesk, yet purges its rows too.
    report = zdevents.forget(client, user_id=person["user"], mirrors=[db], environ=home)
    assert report.complete and len(report.profiles) == 1
    assert rows(db)["events"] == 0 and rows(db)["sync_state"] == 0
    assert not (tmp_path / "home" / "forget-pending.json").exists()


def test_a_mirror_is_waited_for_when_asked(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    person = make_person(sandbox, 1)
    held = mirror(client, tmp_path / "held.db", person)
    holding, release = threading.Event(), threading.Event()

    def hold(report: zdevents.SyncReport) -> None:
        holding.set()
        release.wait(0.5)  # the sync ends by itself soon

    sync = threading.Thread(
        target=zdevents.sync, args=(client, held, [{"user_id": person["user"]}]),
        kwargs={"progress": hold},
    )  # fmt: skip
    sync.start()
    try:
        assert holding.wait(30)
        report = zdevents.forget(
            client, user_id=person["user"], mirrors=[held], wait=30, log=tmp_path / "l"
        )
    finally:
        release.set()
        sync.join(30)
    assert report.complete
    assert rows(held)["events"] == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give exactly one of identifier, profile_id, user_id"),
        ({"user_id": 1, "profile_id": "01E"}, "give exactly one"),
        ({"identifier": "nope"}, "four parts"),
        ({"user_id": 1, "mirrors": ["/nonexistent/folder/x.db"]}, "does not exist"),
        ({"user_id": 1, "mirrors": ["{tmp}"]}, "is a directory"),
        ({"user_id": 1, "mirrors": ["{tmp}/other.db"]}, "is not a zdevents sync database"),
    ],
)
def test_bad_arguments_fail_before_anything_is_deleted(
    tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    if "mirrors" in kwargs:
        kwargs["mirrors"] = [m.format(tmp=tmp_path) for m in kwargs["mirrors"]]

    def no_request(request: Any) -> Any:
        raise AssertionError("nothing may be sent")

    http = httpx.Client(transport=httpx.MockTransport(no_request))
    with (
        Client(base_url="https://x.zendesk.com", oauth_token="t", http_client=http) as c,
        pytest.raises(ValueError, match=message),
    ):
        zdevents.forget(c, **kwargs)


# --------------------------------------------------------------------------- attacks


def _bytes_of(db: Path) -> bytes:
    """Every byte SQLite keeps for ``db``: the file, its journal and shared memory."""
    parts = [db, Path(f"{db}-wal"), Path(f"{db}-journal"), Path(f"{db}-shm")]
    return b"".join(p.read_bytes() for p in parts if p.exists())


def test_no_byte_of_the_person_is_left_in_the_mirror_files_after_forget(
    sandbox: Sandbox, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zdevents import _forget

    real_connect = sqlite3.connect

    def without_secure_delete(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)  # as SQLite builds whose default is off
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(_forget.sqlite3, "connect", without_secure_delete)
    gone, kept = make_person(sandbox), make_person(sandbox)
    db = tmp_path / "m.db"
    sqlite3.connect(db).close()
    held = real_connect(db)  # another reader: the journal outlives each writer's close
    try:
        mirror(client, db, gone, kept)
        event_ids = [e.id for e in client.events(user_id=gone["user"])]
        assert gone["email"].encode() in _bytes_of(db)
        report = zdevents.forget(client, user_id=gone["user"], mirrors=[db], log=tmp_path / "l")
        assert report.complete
        data = _bytes_of(db)
    finally:
        held.close()
    for personal in (gone["email"], str(gone["user"]), *event_ids, *gone["profiles"]):
        assert personal.encode() not in data, (
            personal,
            data[data.find(personal.encode()) - 60 :][:120],
        )
    assert kept["email"].encode() in _bytes_of(db)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_dry_run_leaves_every_mirror_file_byte_for_byte_as_it_was(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    person = make_person(sandbox, 1)
    folder = tmp_path / "mirrors"
    folder.mkdir()
    db = mirror(client, folder / "m.db", person)
    before = _files(folder)
    home = tmp_path / "home"
    zdevents.forget(
        client, user_id=person["user"], mirrors=[db], dry_run=True,
        environ={"ZDEVENTS_HOME": str(home)},
    )  # fmt: skip
    assert _files(folder) == before
    assert not home.exists()


def _failure_without_hanging(call: Any, fifo: Path) -> BaseException | None:
    """What ``call`` raised (``None``: nothing), run in a thread; if it hangs on ``fifo``,
    the FIFO is opened from this side to free it, and the test fails."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # handed to the test's thread
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():
        with open(fifo, "rb+"):  # either end: frees a reader or a writer
            pass
        worker.join(10)
        pytest.fail(f"hung on a FIFO in place of {fifo.name}")
    return outcome[0]


def _make_fifo(path: Path) -> Path:
    import os

    os.mkfifo(path)
    return path


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_an_erasure_log_that_is_no_file_is_refused_before_anything_is_deleted(
    sandbox: Sandbox, client: Client, tmp_path: Path, kind: str
) -> None:
    person = make_person(sandbox, 1)
    log = tmp_path / "erasures.jsonl"
    if kind == "fifo":
        _make_fifo(log)
    else:
        log.mkdir()
    failure = _failure_without_hanging(
        lambda: zdevents.forget(client, user_id=person["user"], log=log), log
    )
    assert isinstance(failure, ValueError)
    assert "erasure log" in str(failure)
    assert len(client.profiles(user_id=person["user"])) == 2  # nothing deleted


def test_a_log_that_cannot_be_written_after_the_erasure_still_returns_the_report(
    sandbox: Sandbox, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from zdevents import _forget

    person = make_person(sandbox, 1)
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if b'"request"' in data:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(_forget.os, "write", full)
    report = zdevents.forget(client, user_id=person["user"], log=tmp_path / "l")
    assert all(p.deleted for p in report.profiles) and len(report.profiles) == 2
    assert report.log_problem is not None and "No space left" in report.log_problem


def test_two_forgets_updating_the_pending_purges_at_once_lose_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zdevents import _forget

    path = str(tmp_path / "forget-pending.json")
    first = _forget._Targets(event_ids=frozenset({"E1"}))
    second = _forget._Targets(event_ids=frozenset({"E2"}))
    real_write = _forget._write_private
    other = threading.Thread(
        target=lambda: _forget._Pending(path).update("b", {str(tmp_path / "m.db"): second})
    )

    def interleaved(target: str, content: bytes) -> None:
        if not other.is_alive() and other.ident is None:
            other.start()  # another process updates between our read and our write
            other.join(0.5)  # long enough to finish unless a lock holds it
        real_write(target, content)

    monkeypatch.setattr(_forget, "_write_private", interleaved)
    _forget._Pending(path).update("a", {str(tmp_path / "m.db"): first})
    other.join(10)
    entries = json.loads(Path(path).read_text())
    real = str((tmp_path / "m.db").resolve())
    assert entries["a"][real]["event_ids"] == ["E1"]
    assert entries["b"][real]["event_ids"] == ["E2"]
    assert _forget._Pending(path).owed(str(tmp_path / "m.db")).event_ids == {"E1", "E2"}


def _hostile(profiles: list[dict[str, Any]], refuse: dict[str, int], deleted: list[str]) -> Client:
    """A fake Zendesk: ``profiles`` of user 7 (each with one event), a DELETE of an id in
    ``refuse`` answered with that status, the others recorded in ``deleted``."""
    from tests._mock import client as mock_client
    from tests._mock import event, ok, page_body

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == "/api/v2/users/7/profiles":
            return ok({"profiles": profiles})
        if request.method == "GET" and path.endswith("/events"):
            return ok(page_body([event(1, id=path.split("/")[-2] + "-e")]))
        if request.method == "DELETE":
            pid = path.rsplit("/", 1)[1]
            if pid in refuse:
                return httpx.Response(refuse[pid], json={"errors": [{"title": "No"}]})
            deleted.append(pid)
            return httpx.Response(204)
        raise AssertionError(f"unexpected {request.method} {path}")

    return mock_client(handle)


def _profile(pid: str, source: str = "shop") -> dict[str, Any]:
    return {"id": pid, "source": source, "type": "t", "user_id": "7",
            "identifiers": [{"type": "email", "value": "x@example.com"}]}  # fmt: skip


def test_a_profile_listed_twice_is_deleted_and_counted_once(tmp_path: Path) -> None:
    deleted: list[str] = []
    listed = [_profile("P1"), _profile("P2"), _profile("P1")]
    with _hostile(listed, {}, deleted) as c:
        report = zdevents.forget(c, user_id=7, log=tmp_path / "l")
    assert [p.id for p in report.profiles] == ["P1", "P2"]
    assert report.events == 2 and deleted == ["P1", "P2"]


@pytest.mark.parametrize("status", [400, 403, 405, 409, 422])
def test_zendesks_own_profile_refused_with_any_client_error_is_kept_and_the_rest_goes(
    tmp_path: Path, status: int
) -> None:
    deleted: list[str] = []
    listed = [_profile("Z1", "zendesk"), _profile("P2")]
    with _hostile(listed, {"Z1": status}, deleted) as c:
        report = zdevents.forget(c, user_id=7, log=tmp_path / "l")
    assert deleted == ["P2"]
    assert [(p.id, p.deleted, bool(p.refused)) for p in report.profiles] == [
        ("Z1", False, True),
        ("P2", True, False),
    ]
    assert report.complete


def test_a_profile_of_the_customer_refused_stops_the_run_and_the_log_keeps_what_went(
    tmp_path: Path,
) -> None:
    deleted: list[str] = []
    listed = [_profile("P1"), _profile("P2"), _profile("P3")]
    log = tmp_path / "l"
    with _hostile(listed, {"P2": 403}, deleted) as c, pytest.raises(errors.PermissionDeniedError):
        zdevents.forget(c, user_id=7, log=log)
    assert deleted == ["P1"]
    (record,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert record["profiles_deleted"] == ["P1"] and record["complete"] is False


def test_a_pending_file_that_is_a_fifo_fails_at_once(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    person = make_person(sandbox, 1)
    db = mirror(client, tmp_path / "m.db", person)
    home = tmp_path / "home"
    home.mkdir()
    _make_fifo(home / "forget-pending.json")
    environ = {"ZDEVENTS_HOME": str(home)}
    failure = _failure_without_hanging(
        lambda: zdevents.forget(client, user_id=person["user"], mirrors=[db], environ=environ),
        home / "forget-pending.json",
    )
    assert isinstance(failure, errors.SyncError)
    assert "not a file" in str(failure)
    assert len(client.profiles(user_id=person["user"])) == 2  # nothing deleted


def test_a_purge_owed_is_done_by_the_next_forget_on_that_mirror_whatever_it_asks(
    sandbox: Sandbox, client: Client, tmp_path: Path
) -> None:
    import os

    from zdevents._sync import _locked

    person, other = make_person(sandbox, 2), make_person(sandbox, 1)
    db = tmp_path / "m.db"
    zdevents.sync(client, db, [person["identifier"], other["identifier"]])
    home = {"ZDEVENTS_HOME": str(tmp_path / "home")}
    with _locked(os.path.realpath(db), 0):  # a sync holds it
        first = zdevents.forget(client, identifier=person["identifier"], mirrors=[db], environ=home)
    assert first.pending and rows(db)["events"] == 3
    # The operator comes back with another request (the profile by id, or someone else):
    # what the mirror owes goes all the same.
    zdevents.forget(client, identifier=other["identifier"], mirrors=[db], environ=home)
    assert rows(db)["events"] == 0 and rows(db)["sync_state"] == 0
    assert not (tmp_path / "home" / "forget-pending.json").exists()


def test_a_crash_between_zendesk_and_the_mirror_is_finished_by_the_rerun(
    sandbox: Sandbox, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zdevents import _forget

    person = make_person(sandbox, 1)
    db = mirror(client, tmp_path / "m.db", person)
    home = {"ZDEVENTS_HOME": str(tmp_path / "home")}

    def killed(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_forget, "purge", killed)
    with pytest.raises(KeyboardInterrupt):
        zdevents.forget(client, user_id=person["user"], mirrors=[db], environ=home)
    monkeypatch.undo()
    assert client.profiles(user_id=person["user"]) == [] and rows(db)["events"] == 2
    report = zdevents.forget(client, user_id=person["user"], mirrors=[db], environ=home)
    assert report.complete and rows(db)["events"] == 0 and rows(db)["people"] == 0
    assert not (tmp_path / "home" / "forget-pending.json").exists()


def test_a_purge_settles_only_what_it_purged_and_keeps_what_another_run_recorded(
    tmp_path: Path,
) -> None:
    from zdevents import _forget

    pending = _forget._Pending(str(tmp_path / "forget-pending.json"))
    db = str(tmp_path / "m.db")
    pending.update("a", {db: _forget._Targets(event_ids=frozenset({"E1"}))})
    pending.update("b", {db: _forget._Targets(event_ids=frozenset({"E2"}))})  # meanwhile
    pending.settle({db: _forget._Targets(event_ids=frozenset({"E1", "E3"}))})
    assert pending.owed(db).event_ids == {"E2"}
    pending.settle({db: _forget._Targets(event_ids=frozenset({"E2"}))})
    assert not (tmp_path / "forget-pending.json").exists()


def test_a_listed_profile_of_another_user_is_refused_before_anything_is_deleted(
    tmp_path: Path,
) -> None:
    deleted: list[str] = []
    stranger = {**_profile("P2"), "user_id": "8"}
    with (
        _hostile([_profile("P1"), stranger], {}, deleted) as c,
        pytest.raises(errors.BadResponseError, match="another user"),
    ):
        zdevents.forget(c, user_id=7, log=tmp_path / "l")
    assert deleted == []


def test_a_mirror_that_fails_to_purge_is_pending_and_the_others_and_the_log_go_on(
    sandbox: Sandbox, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zdevents import _forget

    person = make_person(sandbox, 1)
    full, fine = (mirror(client, tmp_path / n, person) for n in ("full.db", "fine.db"))
    home = {"ZDEVENTS_HOME": str(tmp_path / "home")}
    real_purge = _forget.purge

    def disk_full(path: str, targets: Any, wait: Any) -> dict[str, int]:
        if path == str(full):
            raise errors.SyncError(f"purging the mirror {path} failed: database or disk is full")
        return real_purge(path, targets, wait)

    monkeypatch.setattr(_forget, "purge", disk_full)
    report = zdevents.forget(client, user_id=person["user"], mirrors=[full, fine], environ=home)
    assert [m.path for m in report.pending] == [str(full)]
    assert "disk is full" in str(report.pending[0].problem)
    assert rows(fine)["events"] == 0
    record = json.loads((tmp_path / "home" / "erasures.jsonl").read_text())
    assert record["complete"] is False and len(record["profiles_deleted"]) == 2
    monkeypatch.undo()
    again = zdevents.forget(client, user_id=person["user"], mirrors=[full], environ=home)
    assert again.complete and rows(full)["events"] == 0
