"""``zdevents track`` keeps what it was given and writes only where it was told (issue 20):
a FILE that can be read once is read once, every record is checked before any is sent, a
FILE changed while sending changes nothing, ``--failed`` at a FIFO, socket or device is
written to directly, and a ``--failed`` that cannot be written never leaves an earlier one
looking current. The real executable, real pipes, FIFOs and sockets in a temporary folder,
and the real sandbox.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli._helpers import ZDEVENTS, cli_env, jsonl, record, run, stored_types, write_lines
from zdevents import errors
from zdevents.sandbox import Sandbox


def summary_of(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


def stored(sandbox: Sandbox, n: int) -> list[str]:
    try:
        return stored_types(sandbox, identifier=f"shopco:customer:email:p{n}@x.com")
    except errors.NotFoundError:
        return []


class Reader(threading.Thread):
    """Reads a FIFO or accepts one connection on a Unix socket, keeping what comes."""

    def __init__(self, path: Path, *, sock: socket.socket | None = None) -> None:
        super().__init__(daemon=True)
        self.path, self.sock, self.data = path, sock, b""
        self.start()

    def run(self) -> None:
        if self.sock is not None:
            conn, _ = self.sock.accept()
            with conn:
                while chunk := conn.recv(65536):
                    self.data += chunk
            return
        with open(self.path, "rb") as f:
            self.data = f.read()


# --------------------------------------------------------------------------- read once


def test_a_fifo_given_as_file_is_read_once_and_every_record_is_sent(
    zendesk_sandbox: Sandbox, tmp_path: Path
) -> None:
    fifo = tmp_path / "records.fifo"
    os.mkfifo(fifo)
    lines = "".join(json.dumps(record(n)) + "\n" for n in range(5)).encode()

    def write() -> None:
        with open(fifo, "wb") as f:
            f.write(lines)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    result = run(zendesk_sandbox, "track", str(fifo), "--failed", str(tmp_path / "f.jsonl"))
    writer.join(5)
    assert result.returncode == 0, result.stderr
    assert (
        summary_of(result.stderr) == "zdevents: 5 records: 5 accepted, 0 failed (0 possibly stored)"
    )
    assert [stored(zendesk_sandbox, n) for n in range(5)] == [[f"e{n}"] for n in range(5)]
    assert (tmp_path / "f.jsonl").read_text() == ""


@pytest.mark.parametrize("how", ["/dev/stdin", "process substitution"])
def test_a_pipe_given_as_file_is_read_once_and_every_record_is_sent(
    zendesk_sandbox: Sandbox, tmp_path: Path, how: str
) -> None:
    path = write_lines(tmp_path / "events.jsonl", *(record(n) for n in range(5)))
    if how == "/dev/stdin":
        command = [*ZDEVENTS, "track", "/dev/stdin"]
        stdin: Any = subprocess.PIPE
    else:
        bash = shutil.which("bash")
        if bash is None:
            pytest.skip("no bash for a process substitution")
        quoted = " ".join(f"'{part}'" for part in ZDEVENTS)
        command = [bash, "-c", f"{quoted} track <(cat '{path}')"]
        stdin = subprocess.DEVNULL
    result = subprocess.run(
        command,
        input=path.read_text() if stdin is subprocess.PIPE else None,
        stdin=None if stdin is subprocess.PIPE else stdin,
        env=cli_env(zendesk_sandbox),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert summary_of(result.stderr).endswith("5 accepted, 0 failed (0 possibly stored)")
    assert [stored(zendesk_sandbox, n) for n in range(5)] == [[f"e{n}"] for n in range(5)]


# --------------------------------------------------------------------------- checked first


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        # Valid JSON, but no Unicode text: it cannot be encoded for the wire.
        ('"properties": {"mood": "\\ud83d"}', "line 2: the event or profile holds text"),
        ('"description": "ok \\udfff"', "lone surrogate ('\\udfff')"),
    ],
)
def test_a_record_that_cannot_be_sent_is_a_usage_error_and_nothing_is_sent(
    zendesk_sandbox: Sandbox, tmp_path: Path, bad: str, message: str
) -> None:
    line = '{"event": {"source": "shop", "type": "t", ' + bad + '}, "profile_id": "01E1"}'
    path = write_lines(tmp_path / "events.jsonl", record(1), line, record(3))
    result = run(zendesk_sandbox, "track", str(path))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert zendesk_sandbox.request_count == 0


@pytest.mark.parametrize("value", [" jdoe@example.com", "jdoe@example.com ", "jdoe@example.com\t"])
def test_identifier_values_with_surrounding_whitespace_are_refused(
    zendesk_sandbox: Sandbox, tmp_path: Path, value: str
) -> None:
    # A profile created with one could never be found again by events() or profile().
    profile = {"source": "shopco", "type": "customer"}
    bad = {**record(2), "profile": {**profile, "identifiers": [{"type": "email", "value": value}]}}
    path = write_lines(tmp_path / "events.jsonl", record(1), bad)
    result = run(zendesk_sandbox, "track", str(path))
    assert result.returncode == 2, result.stderr
    assert "line 2: profile.identifiers[0]: " in result.stderr
    assert "surrounding whitespace" in result.stderr
    assert zendesk_sandbox.request_count == 0


# --------------------------------------------------------------------------- changed while sent


def test_a_file_changed_while_its_records_are_sent_changes_nothing(
    zendesk_sandbox: Sandbox, tmp_path: Path
) -> None:
    # Each line larger than a read buffer, so that what is read later is read later.
    originals = [record(n) for n in range(12)]
    for item in originals:
        item["event"]["properties"]["pad"] = "x" * 20_000
    path = write_lines(tmp_path / "events.jsonl", *originals)
    failed = tmp_path / "failed.jsonl"
    zendesk_sandbox.latency = 0.1
    proc = subprocess.Popen(
        [*ZDEVENTS, "track", str(path), "--failed", str(failed), "--concurrency", "1"],
        env=cli_env(zendesk_sandbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while zendesk_sandbox.request_count < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        # Shorter and different: a re-read would find other lines, or none at all.
        path.write_text('{"event": {"source": "x", "type": "other"}, "profile_id": "01E1"}\n')
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    zendesk_sandbox.latency = 0
    assert proc.returncode == 0, err
    assert summary_of(err) == "zdevents: 12 records: 12 accepted, 0 failed (0 possibly stored)"
    assert [stored(zendesk_sandbox, n) for n in range(12)] == [[f"e{n}"] for n in range(12)]
    assert failed.read_text() == ""


# --------------------------------------------------------------------------- --failed


def _failing_records(tmp_path: Path) -> Path:
    # Two accepted, two refused (no such profile): --failed gets two lines.
    unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    items = [record(0), record(1, profile_id=unknown), record(2), record(3, profile_id=unknown)]
    return write_lines(tmp_path / "events.jsonl", *items)


def _assert_two_failed(data: bytes) -> None:
    written = jsonl(data.decode())
    assert [line["event"]["type"] for line in written] == ["e1", "e3"]
    assert all("HTTP 404" in line["error"] for line in written)


def test_failed_at_a_fifo_is_written_to_directly(zendesk_sandbox: Sandbox, tmp_path: Path) -> None:
    fifo = tmp_path / "failed.fifo"
    os.mkfifo(fifo)
    reader = Reader(fifo)
    result = run(zendesk_sandbox, "track", str(_failing_records(tmp_path)), "--failed", str(fifo))
    reader.join(10)
    assert result.returncode == 1, result.stderr
    _assert_two_failed(reader.data)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # the FIFO itself, never renamed over
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_failed_at_a_socket_is_written_to_directly(
    zendesk_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "failed.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)
    with listener:
        reader = Reader(path, sock=listener)
        records = _failing_records(tmp_path)
        result = run(zendesk_sandbox, "track", str(records), "--failed", str(path))
        reader.join(10)
    assert result.returncode == 1, result.stderr
    _assert_two_failed(reader.data)
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_failed_at_a_device_leaves_the_device_alone(
    zendesk_sandbox: Sandbox, tmp_path: Path
) -> None:
    # A null device of our own in the temporary folder (1, 3 is /dev/null's number): as
    # root, renaming a temporary file over it would replace the device with a file.
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    records = _failing_records(tmp_path)
    result = run(zendesk_sandbox, "track", str(records), "--failed", str(device))
    assert result.returncode == 1, result.stderr
    mode = os.lstat(device)
    assert stat.S_ISCHR(mode.st_mode) and mode.st_rdev == os.makedev(1, 3)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failed_file_that_cannot_be_written_leaves_no_earlier_one_looking_current(
    zendesk_sandbox: Sandbox, tmp_path: Path
) -> None:
    failed = tmp_path / "failed.jsonl"
    failed.write_text('{"event": {"source": "old", "type": "run"}, "error": "from yesterday"}\n')
    unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    path = write_lines(
        tmp_path / "events.jsonl", *(record(n, profile_id=unknown) for n in range(40))
    )

    def small_files() -> None:
        # Files this process writes stop growing at 2 KB (EFBIG, not SIGXFSZ): --failed
        # cannot be completed.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    result = subprocess.run(
        [*ZDEVENTS, "track", str(path), "--failed", str(failed), "--concurrency", "1"],
        env=cli_env(zendesk_sandbox),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=small_files,
    )
    assert result.returncode == 1, result.stderr
    assert "writing --failed" in result.stderr and "Traceback" not in result.stderr
    # The earlier file is gone rather than taken for this run's; no temporary file is left.
    assert not failed.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["events.jsonl"]


def test_a_full_disk_under_failed_still_accounts_for_every_record_started(
    zendesk_sandbox: Sandbox, tmp_path: Path
) -> None:
    # When --failed could not be written, the records in flight were dropped without their
    # outcome: answered 404s were reported as "interrupted (possibly stored)".
    failed = tmp_path / "failed.jsonl"
    unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    path = write_lines(
        tmp_path / "events.jsonl", *(record(n, profile_id=unknown) for n in range(40))
    )

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    before = zendesk_sandbox.request_count
    result = subprocess.run(
        [*ZDEVENTS, "track", str(path), "--failed", str(failed), "--concurrency", "4"],
        env=cli_env(zendesk_sandbox), capture_output=True, text=True, timeout=120,
        check=False, preexec_fn=small_files,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    summary = next(line for line in result.stderr.splitlines() if " records: " in line)
    assert "interrupted" not in summary and "(0 possibly stored)" in summary, summary
    total, accepted, failed_count, _maybe, *unsent = map(int, re.findall(r"\d+", summary))
    assert total == 40 and accepted == 0
    assert failed_count + sum(unsent) == 40
    assert zendesk_sandbox.request_count - before == failed_count  # each answered, once
    assert "the 40 records not accepted are in no file" in result.stderr
    assert not failed.exists()


# --------------------------------------------------------------------------- Ctrl-C


RATE_LIMITED = ("--concurrency", "4", "--rate-limit", "6")


def test_ctrl_c_counts_records_that_waited_for_the_rate_limit_as_not_sent(
    zendesk_sandbox: Sandbox, tmp_path: Path
) -> None:
    # Six a minute, four workers: the first record goes at once, three wait 10, 20 and 30 s
    # for their slots, six no worker has taken. Interrupted while they wait: one accepted,
    # nine not sent, none "possibly stored"; --failed holds the nine.
    originals = [record(n) for n in range(10)]
    path = write_lines(tmp_path / "events.jsonl", *originals)
    failed = tmp_path / "failed.jsonl"
    proc = subprocess.Popen(
        [*ZDEVENTS, "track", str(path), *("--failed", str(failed)), *RATE_LIMITED],
        env=cli_env(zendesk_sandbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while zendesk_sandbox.request_count < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        # The first answer on its way back (the other records wait 10 s and more for their
        # slots): on a loaded machine, a signal at the first request could beat its answer.
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "zdevents: 10 records: 1 accepted, 0 failed (0 possibly stored), 9 not sent" in err
    assert "Traceback" not in err
    written = jsonl(failed.read_text())
    assert [line["event"]["type"] for line in written] == [f"e{n}" for n in range(1, 10)]
    assert all(line["error"].startswith("not sent") for line in written)
    assert zendesk_sandbox.request_count == 1
    assert [stored(zendesk_sandbox, n) for n in range(10)] == [["e0"]] + [[]] * 9


# --------------------------------------------------------------------------- secrets


def test_a_credential_echoed_in_a_track_answer_reaches_neither_stderr_nor_failed(
    tmp_path: Path,
) -> None:
    import base64
    import http.server

    from tests._secrets import API_TOKEN, EMAIL
    from tests._secrets import all_views as _all_views
    from tests._secrets import encodings as _encodings

    token, email = API_TOKEN, EMAIL  # the credentials _encodings echoes
    credential = base64.b64encode(f"{email}/token:{token}".encode()).decode()

    class Echo(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            echoes = _encodings(self.headers["Authorization"])
            # Invalid, so that it is in the error message: the token alone, as in issue 20,
            # then in turn each other way a server has been seen to echo it.
            self.server.count += 1  # type: ignore[attr-defined]
            forms = ["token alone", *(name for name in echoes if name != "token alone")]
            echo = echoes[forms[(self.server.count - 1) % len(forms)]]  # type: ignore[attr-defined]
            answer = {"profile_id": [echo], "status": "received"}
            body = json.dumps(answer).encode()
            self.send_response(202)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    server.count = 0  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        path = write_lines(tmp_path / "events.jsonl", *(record(n) for n in range(8)))
        failed = tmp_path / "failed.jsonl"
        env = cli_env(
            ZENDESK_BASE_URL=f"http://127.0.0.1:{server.server_address[1]}",
            ZENDESK_EMAIL=email,
            ZENDESK_API_TOKEN=token,
        )
        result = run(
            None, "track", str(path), "--failed", str(failed), "--concurrency", "1", env=env
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1, result.stderr
    assert "no valid 'profile_id'" in result.stderr
    for text in (result.stderr, failed.read_text()):
        views = _all_views(text)
        assert token not in views and credential not in views, text
