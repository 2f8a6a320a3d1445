"""The CLI writes each event byte for byte as the server sent it (issue 11).

A loopback HTTP server sends hand-written page bodies whose spelling ``json.loads`` +
``json.dumps`` would change: ``62.990``, ``1e2``, ``\\u00e9``, ``a\\/b``, a duplicate key,
spaces around ``:``, a pretty-printed event. The real ``zdevents`` executable exports them.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.cli._helpers import cli_env, run

EVENTS = [
    b'{"id":"01E1","type":"t","source":"s","created_at":"2020-01-01T00:00:00Z",'
    b'"properties":{"price":62.990,"n":1e2,"big":0.1000000000000000055511151231257827}}',
    b'{"id" : "01E2", "type": "caf\\u00e9", "source":"s", "created_at":"2020-01-01T00:00:01Z",'
    b' "description":"a\\/b \\ud83d\\udeb2", "properties" : {"k":"v","k":"w"}}',
    b'{"id":"01E3","type":"t","source":"s","created_at":"2020-01-01T00:00:02Z",'
    b'"properties":{"\xc3\xa9":"\xe6\x97\xa5\xe6\x9c\xac","e":-0.0,"z":1E+2}}',
]
PRETTY = (
    b'{\n  "id": "01E4",\n  "type": "t",\n  "source": "s",\n'
    b'  "created_at": "2020-01-01T00:00:03Z",\n'
    b'  "description": "two  spaces, \\"quoted\\"",\n'
    b'  "properties": {\n    "a": [1, 2.50],\n    "b": {}\n  }\n}'
)
PRETTY_ONE_LINE = (
    b'{"id":"01E4","type":"t","source":"s","created_at":"2020-01-01T00:00:03Z",'
    b'"description":"two  spaces, \\"quoted\\"","properties":{"a":[1,2.50],"b":{}}}'
)


def body(events: list[bytes], cursor: str | None) -> bytes:
    more = b"true" if cursor else b"false"
    after = json.dumps(cursor).encode()
    return (
        b'{"events": [\n  '
        + b",\n  ".join(events)
        + b'\n], "links": [{"next": ""}], "meta": {"has_more": '
        + more
        + b', "after_cursor": '
        + after
        + b"}}"
    )


class _Handler(BaseHTTPRequestHandler):
    pages = {
        None: body(EVENTS[:2], "c2"),
        "c2": body([EVENTS[2], PRETTY], None),
    }

    def do_GET(self) -> None:
        from urllib.parse import parse_qs, urlsplit

        after = parse_qs(urlsplit(self.path).query).get("page[after]", [None])[0]
        payload = self.pages[after]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def export(server: str, tmp_path: Path, *args: str) -> bytes:
    out = tmp_path / "out"
    env = cli_env(ZENDESK_BASE_URL=server, ZENDESK_EMAIL="a@example.com", ZENDESK_API_TOKEN="t")
    result = run(None, "events", *args, "-o", str(out), "-q", env=env)
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def test_jsonl_is_byte_for_byte_what_the_server_sent(server: str, tmp_path: Path) -> None:
    got = export(server, tmp_path, "--user-id", "1")
    assert got == b"\n".join([*EVENTS, PRETTY_ONE_LINE]) + b"\n"
    # The spellings json.dumps would have changed are all there.
    for spelling in (b"62.990", b"1e2", b"\\u00e9", b"a\\/b", b'"k":"v","k":"w"', b'"id" : '):
        assert spelling in got
    # Still JSON, one object a line, and the pretty-printed one means the same.
    lines = got.splitlines()
    assert len(lines) == 4
    assert json.loads(lines[3]) == json.loads(PRETTY)


def test_json_array_holds_the_same_texts(server: str, tmp_path: Path) -> None:
    got = export(server, tmp_path, "--user-id", "1", "--format", "json")
    assert got == b"[\n" + b",\n".join([*EVENTS, PRETTY_ONE_LINE]) + b"\n]\n"
    assert len(json.loads(got)) == 4


def test_csv_properties_are_the_text_as_received(server: str, tmp_path: Path) -> None:
    got = export(server, tmp_path, "--user-id", "1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(got.decode())))
    assert [row["properties"] for row in rows] == [
        '{"price":62.990,"n":1e2,"big":0.1000000000000000055511151231257827}',
        '{"k":"v","k":"w"}',
        '{"é":"日本","e":-0.0,"z":1E+2}',
        '{"a":[1,2.50],"b":{}}',
    ]
    assert rows[1]["type"] == "café"


def test_bulk_wrapper_embeds_the_raw_text(server: str, tmp_path: Path) -> None:
    people = tmp_path / "people.txt"
    people.write_text("coolbikes:rider:email:a@example.com\n")
    got = export(server, tmp_path, "--identifiers-file", str(people))
    lines = got.splitlines()
    assert len(lines) == 4
    for line, raw in zip(lines, [*EVENTS, PRETTY_ONE_LINE], strict=True):
        assert line.startswith(b'{"selector":"')
        assert line.endswith(b',"event":' + raw + b"}")
        assert json.loads(line)["event"] == json.loads(raw)
