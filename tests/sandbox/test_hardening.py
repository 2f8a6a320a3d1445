"""The sandbox against hostile requests and unlucky operators: raw sockets on loopback, real
seed files and FIFOs, real processes."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import string
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._demo import JDOE, JDOE_PROFILE, JDOE_USER
from tests.sandbox._run import run_cli, run_main
from zdevents.sandbox import Sandbox, SeedError, Store

Factory = Callable[..., Sandbox]
BY_IDENTIFIER = "/api/v2/user_profiles/events"


def basic(sandbox: Sandbox) -> str:
    pair = f"{sandbox.email}/token:{sandbox.api_token}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def raw_request(sandbox: Sandbox, request: bytes, *, timeout: float = 10.0) -> bytes:
    """Send ``request`` as is; everything the server answers until it closes or goes quiet."""
    with socket.create_connection((sandbox.host, sandbox.port), timeout=timeout) as sock:
        sock.sendall(request)
        received = bytearray()
        with contextlib.suppress(TimeoutError):
            while chunk := sock.recv(65536):
                received += chunk
                if _complete(bytes(received)):
                    break
    return bytes(received)


def _complete(response: bytes) -> bool:
    head, sep, body = response.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def status_and_body(response: bytes) -> tuple[int, Any]:
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


def get(path: str, *headers: bytes) -> bytes:
    lines = [f"GET {path} HTTP/1.1".encode(), *headers, b"Connection: close", b"", b""]
    return b"\r\n".join(lines)


@pytest.fixture
def demo(zendesk_sandbox_factory: Factory) -> Sandbox:
    return zendesk_sandbox_factory(seed="demo")


@pytest.fixture
def http(demo: Sandbox) -> Iterator[httpx.Client]:
    auth = (f"{demo.email}/token", demo.api_token)
    with httpx.Client(base_url=demo.base_url, auth=auth) as client:
        yield client


# -- credentials -------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["email", "api_token", "oauth_token", "end_user_email"])
@pytest.mark.parametrize("value", ["", "  ", "a\r\nb"])
def test_empty_or_control_character_credentials_are_refused(option: str, value: str) -> None:
    with pytest.raises(ValueError, match=option):
        Sandbox(**{option: value})  # type: ignore[misc]


@pytest.mark.parametrize("flag", ["--oauth-token", "--token", "--email"])
def test_cli_refuses_empty_credentials_at_start_up(flag: str) -> None:
    status, _, stderr = run_main("--port", "0", flag, "")
    assert status == 2
    assert f"python -m zdevents.sandbox: error: {flag} must not be empty" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    "authorization",
    [
        b"Bearer",
        b"Bearer ",
        b"Bearer \xff",
        b"Bearer sandbox-oauth-token\xff",
        b"Basic \xff\xfe",
        b"Basic " + base64.b64encode(b"devs@coolbikes.com/token:"),
        b"Basic " + base64.b64encode(b"devs@coolbikes.com/token:\xff"),
        b"\xff",
    ],
)
def test_hostile_authorization_headers_are_401_in_zendesks_shape(
    demo: Sandbox, authorization: bytes
) -> None:
    response = raw_request(
        demo,
        get(f"/api/v2/users/{JDOE_USER}/events", b"Host: x", b"Authorization: " + authorization),
    )
    status, body = status_and_body(response)
    assert status == 401
    assert body["error"][0]["code"] == "MissingOrInvalidAuthentication"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v2/users/{'1' * 5000}/events",
        f"/api/v2/users/{'1' * 5000}/profiles",
        f"/api/v2/users/{'0' * 4999}1/events",
    ],
)
def test_enormous_user_ids_are_400(demo: Sandbox, path: str) -> None:
    status, body = status_and_body(
        raw_request(demo, get(path, b"Host: x", b"Authorization: " + basic(demo).encode()))
    )
    assert status == 400
    assert body["error"]["title"] == "Invalid attribute"


# -- seeds -------------------------------------------------------------------------------------


def seed_line(**changes: Any) -> str:
    record: dict[str, Any] = {
        "profile": {"source": "a", "type": "b", "identifiers": [{"type": "email", "value": "x@y"}]},
        "event": {"source": "s", "type": "t"},
    }
    record.update(changes)
    return json.dumps(record)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{"profile": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
        (seed_line()[:-1] + ', "user_id": ' + "7" * 5000 + "}", "too many digits"),
        (seed_line(user_id="7" * 5000), "user_id must be a positive integer"),
        (
            seed_line(event={"source": "s", "type": "t", "properties": {"n": int("9" * 4000)}})[
                :-1
            ],
            "invalid JSON",
        ),
    ],
)
def test_hostile_seed_lines_are_seed_errors_naming_the_line(
    tmp_path: Path, bad: str, message: str
) -> None:
    seed = tmp_path / "seed.jsonl"
    seed.write_text(f"{seed_line()}\n{bad}\n", encoding="utf-8")
    with pytest.raises(SeedError, match=f"line 2: .*{message}") as caught:
        Sandbox(seed=seed)
    assert caught.value.line == 2


def test_a_seed_error_from_the_cli_is_one_line(tmp_path: Path) -> None:
    seed = tmp_path / "seed.jsonl"
    seed.write_text('{"a": ' + "[" * 5000 + "]" * 5000 + "}\n", encoding="utf-8")
    status, _, stderr = run_main("--port", "0", "--seed", str(seed))
    assert status == 2
    assert (
        stderr
        == f"python -m zdevents.sandbox: error: {seed}: line 1: invalid JSON: nested too deeply\n"
    )


# -- cursors -----------------------------------------------------------------------------------


def first_cursor(http: httpx.Client, path: str, **params: Any) -> str:
    response = http.get(path, params={"page[size]": 1, **params})
    assert response.status_code == 200, response.text
    cursor: str = response.json()["meta"]["after_cursor"]
    return cursor


def status_with(http: httpx.Client, path: str, cursor: str, **params: Any) -> int:
    return http.get(path, params={"page[after]": cursor, **params}).status_code


def test_a_cursor_is_bound_to_its_selector_and_filters(http: httpx.Client) -> None:
    jdoe = f"/api/v2/users/{JDOE_USER}/events"
    cursor = first_cursor(http, jdoe)
    assert status_with(http, jdoe, cursor) == 200
    assert status_with(http, "/api/v2/users/85211554/events", cursor) == 400  # another user
    assert status_with(http, jdoe, cursor, **{"filter[source]": "coolbike"}) == 400
    filtered = first_cursor(http, jdoe, **{"filter[source]": "coolbike"})
    assert status_with(http, jdoe, filtered) == 400
    assert status_with(http, jdoe, filtered, **{"filter[source]": "website"}) == 400
    assert status_with(http, jdoe, filtered, **{"filter[source]": "coolbike"}) == 200
    # Another selector of the same profile is another query too.
    by_identifier = first_cursor(http, BY_IDENTIFIER, identifier=JDOE)
    profile_route = f"/api/v2/user_profiles/{JDOE_PROFILE}/events"
    assert status_with(http, profile_route, by_identifier) == 400
    assert status_with(http, BY_IDENTIFIER, by_identifier, identifier=JDOE) == 200
    # A time bound written another way is the same bound.
    week = first_cursor(http, jdoe, **{"filter[start_time]": "2020-02-23"})
    same = {"filter[start_time]": "2020-02-23T01:00:00+01:00"}
    assert status_with(http, jdoe, week, **same) == 200
    assert status_with(http, jdoe, week, **{"filter[start_time]": "2020-02-24"}) == 400
    assert status_with(http, jdoe, week, **{"filter[end_time]": "2030-01-01"}) == 400


def test_a_cursor_has_exactly_one_spelling(http: httpx.Client) -> None:
    path = f"/api/v2/users/{JDOE_USER}/events"
    cursor = first_cursor(http, path)
    alphabet = string.ascii_letters + string.digits + "-_"
    for position in (0, len(cursor) // 2, len(cursor) - 1):
        accepted = [
            char
            for char in alphabet
            if status_with(http, path, cursor[:position] + char + cursor[position + 1 :]) == 200
        ]
        assert accepted == [cursor[position]], position
    for variant in (
        cursor + "=",
        cursor + "==",
        cursor.replace("-", "+").replace("_", "/"),
        cursor[:-1],
    ):
        if variant != cursor:
            assert status_with(http, path, variant) == 400, variant


# -- next links --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", [b"127.0.0.1@evil.example", b"evil.example", b"[::1]:1", b"", b"a b"]
)
def test_next_links_use_the_served_address_not_the_host_header(demo: Sandbox, host: bytes) -> None:
    request = get(
        f"/api/v2/users/{JDOE_USER}/events?page%5Bsize%5D=1",
        b"Host: " + host,
        b"Authorization: " + basic(demo).encode(),
    )
    status, body = status_and_body(raw_request(demo, request))
    if status == 400:  # h11 refuses a Host it cannot parse: nothing is linked at all
        return
    assert status == 200
    link = body["links"][0]["next"]
    assert link.startswith(f"{demo.base_url}/api/v2/users/{JDOE_USER}/events?")
    assert b"evil" not in link.encode()


# -- timeouts ----------------------------------------------------------------------------------


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes ``sock`` before ``seconds`` pass (reading what it sends)."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_connections_with_unfinished_headers_are_closed(zendesk_sandbox_factory: Factory) -> None:
    sandbox = zendesk_sandbox_factory(seed="demo", request_timeout=0.5)
    partial = [b"", b"GET /api/v2/users/1/events HTTP/1.1\r\n", b"GET /api/v2/users/1/ev"]
    sockets = [socket.create_connection((sandbox.host, sandbox.port)) for _ in range(1000)]
    try:
        for n, sock in enumerate(sockets):
            sock.sendall(partial[n % len(partial)])
        # The bound is generous and a failure costs only that time: no timing is asserted.
        assert all(closed_within(sock, 30) for sock in sockets)
    finally:
        for sock in sockets:
            sock.close()
    # The server still answers complete requests.
    response = raw_request(
        sandbox,
        get(
            f"/api/v2/users/{JDOE_USER}/events",
            b"Host: x",
            b"Authorization: " + basic(sandbox).encode(),
        ),
    )
    assert status_and_body(response)[0] == 200


def test_a_header_sent_a_byte_at_a_time_is_cut_off(zendesk_sandbox_factory: Factory) -> None:
    sandbox = zendesk_sandbox_factory(request_timeout=0.5)
    # A header that never ends, a byte at a time: every byte would reset a per-read timer.
    trickle = b"GET /api/v2/users/1/events HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 600
    closed = False
    with socket.create_connection((sandbox.host, sandbox.port), timeout=30) as sock:
        for byte in trickle:  # 30 s at most
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.05)
        assert closed or closed_within(sock, 1)


def test_a_second_request_on_a_kept_alive_connection_gets_the_deadline_too(
    zendesk_sandbox_factory: Factory,
) -> None:
    sandbox = zendesk_sandbox_factory(request_timeout=0.5)
    with socket.create_connection((sandbox.host, sandbox.port), timeout=30) as sock:
        sock.sendall(b"GET /api/v2/users/1/events HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while not _complete(answer):
            answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 401")
        closed = False
        for _ in range(200):  # a trickle that would keep uvicorn's keep-alive timer off
            try:
                sock.sendall(b"G")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.05)
        assert closed or closed_within(sock, 30)


def test_a_body_that_does_not_arrive_is_408(zendesk_sandbox_factory: Factory) -> None:
    sandbox = zendesk_sandbox_factory(request_timeout=0.5)
    head = (
        b"POST /api/v2/user_profiles/events HTTP/1.1\r\nHost: x\r\n"
        b"Authorization: " + basic(sandbox).encode() + b"\r\n"
        b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"event"'
    )
    status, body = status_and_body(raw_request(sandbox, head, timeout=30))
    assert status == 408
    assert body["errors"][0]["code"] == "RequestTimeout"
    assert sandbox.store.count_events() == 0


# -- Ctrl-C while the seed is read from a pipe -------------------------------------------------


@contextlib.contextmanager
def both_cores_busy(seconds: float = 120) -> Iterator[Callable[[bool], None]]:
    """Busy loops on every core, each ending by itself after ``seconds`` in any case. Yields
    ``busy(on)``, which stops (SIGSTOP) or resumes (SIGCONT) them: they take the cores only
    while the test needs them taken, not the rest of the suite's share."""
    burner = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"
    processes = [
        subprocess.Popen([sys.executable, "-c", burner]) for _ in range(os.cpu_count() or 2)
    ]

    def busy(on: bool) -> None:
        for process in processes:
            process.send_signal(signal.SIGCONT if on else signal.SIGSTOP)

    try:
        yield busy
    finally:
        for process in processes:
            process.kill()
            process.wait()


def interrupt_while_seeding(
    tmp_path: Path, stop_signal: int, busy: Callable[[bool], None] | None = None
) -> tuple[int | None, str, str, int]:
    """Start the sandbox command on a seed from a FIFO, write it one line and send
    ``stop_signal``; with ``busy``, the cores are taken from when the command opened the
    FIFO (its start-up done, its handlers in) until it ended."""
    seed = tmp_path / "seed.jsonl"
    with contextlib.suppress(FileNotFoundError):
        seed.unlink()
    os.mkfifo(seed)
    db = tmp_path / "events.db"
    with contextlib.suppress(FileNotFoundError):
        db.unlink()
    process = run_cli("--port", "0", "--db", str(db), "--seed", str(seed))
    try:
        # Opening the FIFO returns once the sandbox opened it to read the seed; the writer
        # then stays open, so the read would block for ever.
        with seed.open("w", encoding="utf-8") as pipe:
            if busy is not None:
                busy(True)
            pipe.write(seed_line() + "\n")
            pipe.flush()
            process.send_signal(stop_signal)
            stdout, stderr = process.communicate(timeout=60)
    finally:
        if busy is not None:
            busy(False)
        if process.poll() is None:
            process.kill()
            process.wait()
    store = Store(db)
    try:
        stored = store.count_events()
    finally:
        store.close()
    return process.returncode, stdout, stderr, stored


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
@pytest.mark.parametrize(
    ("stop_signal", "status"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143)],
    ids=["SIGINT", "SIGTERM"],
)
def test_cli_interrupted_while_seeding_exits_quietly(
    tmp_path: Path, stop_signal: signal.Signals, status: int
) -> None:
    assert interrupt_while_seeding(tmp_path, stop_signal) == (status, "", "", 0)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
def test_ctrl_c_stops_a_seed_read_from_a_pipe_with_both_cores_busy(tmp_path: Path) -> None:
    with both_cores_busy() as busy:
        busy(False)  # the command's start-up needs no busy cores, only the race after it
        results = [interrupt_while_seeding(tmp_path, signal.SIGINT, busy) for _ in range(6)]
    assert results == [(130, "", "", 0)] * 6


# -- issue 12: repr, one error prefix, the missing extra ---------------------------------------


def test_repr_is_readable_and_never_shows_a_secret(tmp_path: Path) -> None:
    sandbox = Sandbox(
        db=tmp_path / "e.db", api_token="s3cret-token", oauth_token="s3cret-oauth", rate_limit=5
    )
    assert (
        repr(sandbox)
        == f"<Sandbox host='127.0.0.1' not started, db={str(tmp_path / 'e.db')!r}, rate_limit=5>"
    )
    with sandbox:
        text = repr(sandbox)
        assert text.startswith(f"<Sandbox {sandbox.base_url} running, db=")
    assert "stopped" in repr(sandbox)
    for shown in (text, repr(sandbox)):
        assert "s3cret" not in shown
        assert sandbox.email not in shown
    with Sandbox(faults="503=0.5", latency=0.1) as memory:
        assert (
            repr(memory)
            == f"<Sandbox {memory.base_url} running, in memory, latency=0.1, faults='503=0.5'>"
        )


@pytest.mark.parametrize(
    "args",
    [
        ("--port", "99999"),
        ("--faults", "404=1"),
        ("--rate-limit", "0"),
        ("--host", "0.0.0.0"),  # noqa: S104 -- refused on purpose
        ("--db", "/"),
        ("--seed", "/nonexistent/seed.jsonl"),
        ("--token", ""),
    ],
)
def test_every_cli_error_has_the_same_prefix(args: tuple[str, ...]) -> None:
    status, _, stderr = run_main("--port", "0", *args)
    assert status == 2, stderr
    error_lines = [line for line in stderr.splitlines() if not line.startswith(("usage:", " "))]
    assert len(error_lines) == 1, stderr
    assert error_lines[0].startswith("python -m zdevents.sandbox: error: "), stderr


BLOCK_UVICORN = """
import sys

class _NoUvicorn:
    def find_spec(self, name, path=None, target=None):
        if name == "uvicorn" or name.startswith("uvicorn."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoUvicorn())
"""


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "zdevents.sandbox", "--port", "0"],
        ["-m", "zdevents", "sandbox", "--port", "0"],
    ],
)
def test_without_uvicorn_the_install_hint_is_one_line(tmp_path: Path, command: list[str]) -> None:
    # sitecustomize runs at start-up from PYTHONPATH, so uvicorn cannot be imported at all.
    (tmp_path / "sitecustomize.py").write_text(BLOCK_UVICORN, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
    }
    probe = subprocess.run(
        [sys.executable, "-c", "import uvicorn"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 1 and "ModuleNotFoundError" in probe.stderr
    result = subprocess.run(
        [sys.executable, *command], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "pip install 'zdevents[sandbox]'" in result.stderr
    assert result.stdout == ""
