"""The CLI's output writers, atomic file and resume state (in process, but for the jsonl
line compared with what the sandbox sent, which runs the executable)."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import unicodedata
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli._helpers import run
from zdevents import Event, Profile
from zdevents.cli._checkpoint import (
    Checkpoint,
    CheckpointError,
    header,
    load_checkpoint,
    people_key,
    record,
    save_checkpoint,
)
from zdevents.cli._files import AtomicFile, atomic_write
from zdevents.cli._formats import make_writer
from zdevents.cli._main import main
from zdevents.cli._people import PeopleFileError, read_people
from zdevents.cli._profiles import _shown as shown_profile

RAW = {
    "id": "01E1G0NJSQPNPZRV096JXKXFAA",
    "source": "coolbike",
    "type": "bike_rental_booked",
    "description": 'Customer, "quoted"\nnew line',
    "created_at": "2020-02-28T18:13:28.175841347Z",
    "received_at": "2020-02-28T18:13:29.000000001Z",
    "properties": {"booking_date": "2020-02-01", "n": 1.5},
    "unknown": [1, 2],
}


def render(
    fmt: str, raws: list[dict[str, Any]], *, bulk: bool = False, width: int | None = None
) -> str:
    sink = io.BytesIO()
    writer = make_writer(fmt, sink, bulk=bulk, width=width)
    writer.begin()
    for raw in raws:
        writer.write(Event(raw), "a:b:c:d" if bulk else None)
    writer.end_page()
    writer.finish()
    return sink.getvalue().decode()


def test_jsonl_is_the_object_as_received(zendesk_sandbox: Any) -> None:
    zendesk_sandbox.add_event(
        profile={
            "source": "shop",
            "type": "customer",
            "identifiers": [{"type": "email", "value": "zoe@example.com"}],
        },
        event={
            "source": "shop",
            "type": "login",
            "description": 'Zoë ✓ 日本 \U0001f6b2 e\u0301 \u2028 "q" \\',
            "created_at": "2021-01-02T03:04:05.123456789Z",
            "received_at": "2021-01-02T03:04:06.000000001Z",
            "properties": {"big": 2**70, "neg": -(2**64), "f": 0.1, "nested": {"a": [1, None]}},
            "x_unknown_field": {"kept": True, "z": "last"},
        },
    )
    query = "shop:customer:email:zoe@example.com"
    # What the server sends, as text: the event object is the span of the body that
    # raw_decode consumes, so its bytes are compared, not a re-encoding of them.
    response = httpx.get(
        f"{zendesk_sandbox.base_url}/api/v2/user_profiles/events",
        params={"identifier": query},
        auth=(f"{zendesk_sandbox.email}/token", zendesk_sandbox.api_token),
    )
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    prefix = '{"events":['
    assert body.startswith(prefix)
    _, end = json.JSONDecoder().raw_decode(body, len(prefix))
    sent = body[len(prefix) : end]
    assert body[end] == "]"  # the only event
    assert "123456789Z" in sent and "x_unknown_field" in sent and str(2**70) in sent

    result = run(zendesk_sandbox, "events", "--identifier", query)
    assert result.returncode == 0, result.stderr
    # The sandbox sends compact UTF-8 JSON, as the jsonl writer writes it: the line is the
    # server's text byte for byte (key order, digits, unicode unescaped).
    assert result.stdout.encode("utf-8") == sent.encode("utf-8") + b"\n"


def test_jsonl_bulk_wraps_the_event() -> None:
    (line,) = render("jsonl", [RAW], bulk=True).splitlines()
    assert json.loads(line) == {"selector": "a:b:c:d", "event": RAW}


def test_lone_surrogate_stays_valid_json() -> None:
    raw = json.loads('{"description": "bad \\ud800 half"}')
    text = render("jsonl", [raw])
    assert json.loads(text) == raw
    assert "\\ud800" in text


def test_json_array() -> None:
    assert json.loads(render("json", [RAW, RAW])) == [RAW, RAW]
    assert render("json", []) == "[]\n"
    assert json.loads(render("json", [RAW], bulk=True)) == [{"selector": "a:b:c:d", "event": RAW}]


def test_csv_quoting_and_columns() -> None:
    rows = list(csv.reader(io.StringIO(render("csv", [RAW, {"id": "only"}]))))
    assert rows[0] == [
        "id", "source", "type", "description", "created_at", "received_at", "properties",
    ]  # fmt: skip
    assert rows[1][3] == RAW["description"]
    assert rows[1][4] == "2020-02-28T18:13:28.175841347Z"
    assert json.loads(rows[1][6]) == RAW["properties"]
    assert rows[2] == ["only", "", "", "", "", "", ""]
    bulk = list(csv.reader(io.StringIO(render("csv", [RAW], bulk=True))))
    assert bulk[0][0] == "selector" and bulk[1][0] == "a:b:c:d"


def test_table_cuts_long_cells_and_neutralises_control_characters() -> None:
    raw = {**RAW, "description": "\x1b[31mred\x1b[0m " + "x" * 200}
    text = render("table", [raw, RAW])
    assert "\x1b" not in text
    lines = text.splitlines()
    assert len(lines) == 3
    assert "…" in lines[1]
    assert all(len(line) < 250 for line in lines)
    assert render("table", []) == "(no events)\n"


LONG = {**RAW, "description": "a long description " * 8, "properties": {"note": "x" * 120}}


@pytest.mark.parametrize("width", [64, 80, 120])
def test_a_table_fills_the_terminal_width_cutting_the_widest_cells_first(width: int) -> None:
    lines = render("table", [LONG, RAW], width=width).splitlines()
    assert max(len(line) for line in lines) <= width  # ASCII and '…': a column each
    header = lines[0]
    assert header.startswith("CREATED_AT")
    # The time is whole while the descriptions and properties can give way.
    assert "2020-02-28T18:13:28.175841347Z" in lines[1]
    assert "…" in lines[1] and "bike_" in lines[2]


def test_a_wide_terminal_shows_long_cells_whole() -> None:
    text = render("table", [LONG], width=400)
    assert "a long description " * 7 in text and "x" * 120 in text and "…" not in text
    # Without a terminal (a file, a pipe) each column keeps its cap.
    capped = render("table", [LONG])
    assert "x" * 120 not in capped and "…" in capped


def test_a_very_narrow_terminal_cuts_the_time_to_the_second_and_wraps_below_that() -> None:
    narrow = render("table", [LONG], width=58).splitlines()
    assert narrow[1].startswith("2020-02-28T18:13:28…") and max(map(len, narrow)) <= 58
    tiny = render("table", [LONG], width=20).splitlines()
    # Each column at its narrowest: the terminal wraps the lines.
    assert tiny[1].startswith("2020-02-28T18:13:28…  coolb…  bike_…")


def test_table_aligns_wide_characters() -> None:
    text = render("table", [{**RAW, "source": "日本"}, {**RAW, "source": "ab"}])
    header, first, second = text.splitlines()
    column = header.index("TYPE")
    assert second.index("bike_rental") == column
    # Two wide characters take four columns, so the string index is two less.
    assert first.index("bike_rental") == column - 2


def test_table_is_safe_and_aligned_with_combining_marks_and_format_characters() -> None:
    descriptions = [
        "cafe\u0301 cre\u0300me",  # combining accents: zero columns each
        "\u202eevil\u202c text",  # right-to-left override (and pop): shown as "?"
        "one\u2028two\u2029three",  # line and paragraph separators
        "a\u200bb\u200dc\ufeffd\u00ade",  # zero-width space and joiner, BOM, soft hyphen
        "\U0001f468\u200d\U0001f469",  # ZWJ emoji sequence
        "plain",
    ]
    text = render("table", [{**RAW, "description": d} for d in descriptions])
    for bad in "\u202e\u202c\u2028\u2029\u200b\u200d\ufeff\u00ad":
        assert bad not in text
    lines = text.split("\n")[:-1]  # only "\n" ends a line
    assert len(lines) == 1 + len(descriptions)
    assert "cafe\u0301 cre\u0300me" in lines[1]
    assert "?evil? text" in lines[2] and "one?two?three" in lines[3]
    assert "a?b?c?d?e" in lines[4] and "\U0001f468?\U0001f469" in lines[5]

    def columns(line: str) -> int:  # terminal columns before PROPERTIES
        before = line[: line.index('{"booking_date"')]
        return sum(
            0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
            for c in before
        )

    assert len({columns(line) for line in lines[1:]}) == 1
    assert columns(lines[1]) == lines[0].index("PROPERTIES")


def test_atomic_file_commit_and_discard(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    atomic = AtomicFile(str(target))
    atomic.file.write(b"new")
    assert target.read_text() == "old"
    atomic.commit()
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]

    with pytest.raises(RuntimeError), atomic_write(str(target)) as f:
        f.write(b"half")
        raise RuntimeError
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_file_publish_then_append_in_place(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    atomic = AtomicFile(str(target))
    atomic.file.write(b"page1")
    atomic.publish()
    assert target.read_bytes() == b"page1"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    atomic.file.write(b"page2")
    atomic.discard()  # once published, a failure keeps what was saved
    assert target.read_bytes() == b"page1page2"


def test_checkpoint_round_trip_and_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "state"
    assert load_checkpoint(str(path)) is None
    cp = Checkpoint({"user_id": 1}, cursor="abc", events=10, pages=1, offset=123)
    save_checkpoint(str(path), cp)
    assert load_checkpoint(str(path)) == cp
    for bad in ("not json", "[]", '{"version": 99}', '{"version": 1, "key": {}, "offset": -1}'):
        path.write_text(bad)
        with pytest.raises(CheckpointError, match=r"delete it|cannot read"):
            load_checkpoint(str(path))


def test_identifiers_file(tmp_path: Path) -> None:
    path = tmp_path / "ids"
    path.write_text("# comment\n\n  a:b:c:d  \na:b:c:x:y\na:b:c:d\n")
    assert labels(str(path)) == ["a:b:c:d", "a:b:c:x:y"]
    # Zendesk compares email and twitter values case-insensitively: one profile, one export,
    # under the first spelling. Other keys are case-sensitive.
    path.write_text(
        "coolbikes:rider:email:jdoe@example.com\ncoolbikes:rider:email:JDoe@Example.com\n"
        "coolbikes:rider:twitter:JDoe\ncoolbikes:rider:twitter:jdoe\n"
        "coolbikes:rider:phone:ABC\ncoolbikes:rider:phone:abc\n"
        "Coolbikes:rider:email:jdoe@example.com\n"
    )
    assert labels(str(path)) == [
        "coolbikes:rider:email:jdoe@example.com",
        "coolbikes:rider:twitter:JDoe",
        "coolbikes:rider:phone:ABC",
        "coolbikes:rider:phone:abc",
        "Coolbikes:rider:email:jdoe@example.com",
    ]
    path.write_text("# nothing\n")
    with pytest.raises(PeopleFileError, match="names nobody"):
        read_people(str(path))
    with pytest.raises(PeopleFileError, match="cannot read"):
        read_people(str(tmp_path / "missing"))


def test_identifiers_file_user_and_profile_lines(tmp_path: Path) -> None:
    path = tmp_path / "ids"
    path.write_text("user_id:85211553\nprofile_id:01E1G0NJSQPNPZRV096JXKXFAA\nuser_id: 85211553\n")
    people = read_people(str(path))
    assert [p.selector for p in people] == [
        {"user_id": 85211553},
        {"profile_id": "01E1G0NJSQPNPZRV096JXKXFAA"},
    ]
    assert [p.label for p in people] == [
        "user_id:85211553",
        "profile_id:01E1G0NJSQPNPZRV096JXKXFAA",
    ]
    path.write_text("user_id:1\nuser_id:x1\n")
    with pytest.raises(PeopleFileError, match=r"ids, line 2: user_id:x1"):
        read_people(str(path))


def labels(path: str) -> list[str]:
    return [person.label for person in read_people(path)]


def test_main_in_process_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ZENDESK_SUBDOMAIN", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ZENDESK_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", "unused")
    assert main(["events", "--user-id", "1", "--type", "x"]) == 2
    assert capsys.readouterr().err.startswith("zdevents: error: type needs source")


def test_table_widths_come_from_a_sample_not_from_one_small_page() -> None:
    sink = io.BytesIO()
    writer = make_writer("table", sink)
    writer.begin()
    for kind in ("a", "b", "a_much_longer_type"):
        writer.write(Event({**RAW, "type": kind}))
        writer.end_page()  # pages of one event, as with --page-size 1
    writer.finish()
    assert "a_much_longer_type" in sink.getvalue().decode()


def test_sandbox_without_its_extra_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib

    def missing(name: str) -> None:
        raise ModuleNotFoundError("No module named 'uvicorn'", name="uvicorn")

    monkeypatch.setattr(importlib, "import_module", missing)
    assert main(["sandbox", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'zdevents[sandbox]'" in err and len(err.splitlines()) == 1


def test_resume_journal_replays_records_and_drops_only_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "state"
    key = {"people": people_key(["user_id:1", "user_id:2"])}
    path.write_bytes(
        header(key)
        + record(events=3, pages=1, offset=30, person="user_id:1", after="c1")
        + record(events=5, pages=2, offset=50, person="user_id:2", after=None)
        + record(events=9, pages=3, offset=90, person="user_id:1", after=None)
        + b'{"events":10,"pag'
    )
    cp = load_checkpoint(str(path))
    assert cp is not None
    assert (cp.events, cp.pages, cp.offset, cp.done) == (9, 3, 90, False)
    assert cp.cursors == {} and cp.finished == ["user_id:2", "user_id:1"]
    assert cp.length == len(path.read_bytes()) - len(b'{"events":10,"pag')
    # A bad line that is not the last is tampering, refused with its number.
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join([lines[0], b"garbage", *lines[1:]]))
    with pytest.raises(CheckpointError, match=r"line 2 is not JSON.*delete it"):
        load_checkpoint(str(path))


def test_resume_state_of_zdevents_0_2_is_read_and_converted(tmp_path: Path) -> None:
    path = tmp_path / "state"
    old = {"version": 1, "key": {"people": ["user_id:1", "user_id:2"], "format": "jsonl"},
           "events": 4, "pages": 2, "offset": 40, "cursors": {"user_id:1": "c9"},
           "finished": ["user_id:2"], "done": False}  # fmt: skip
    path.write_text(json.dumps(old, indent=1))
    cp = load_checkpoint(str(path))
    assert cp is not None and cp.converted
    assert cp.key == {"people": people_key(["user_id:1", "user_id:2"]), "format": "jsonl"}
    assert cp.cursors == {"user_id:1": "c9"} and cp.finished == ["user_id:2"]
    save_checkpoint(str(path), cp)
    again = load_checkpoint(str(path))
    assert again == cp and again is not None and not again.converted


def test_a_profile_indented_for_a_terminal_escapes_what_a_terminal_would_obey() -> None:
    # What a hostile server may put in a profile: a C1 CSI (U+009B, a terminal command on
    # some terminals), a bidi override, DEL, and a lone surrogate (a JSON escape that is no
    # Unicode text: printing it raised UnicodeEncodeError, a crash on a terminal only).
    raw = (
        b'{"id":"01E","source":"s","type":"t","identifiers":[],'
        b'"name":"\\u009b2J\\u202eevil\\u007f\\ud800","attributes":{"\\u009bk":1}}'
    )
    profile = Profile(raw)
    text = shown_profile(profile, True).decode("utf-8")
    assert json.loads(text) == profile.to_dict()  # the same JSON, every character kept
    assert text.startswith('{\n  "id"')
    unsafe = [c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs")]
    assert unsafe == []
