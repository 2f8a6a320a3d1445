"""Attacks on OAuth: a store that is no regular file, a token endpoint answering odd
lifetimes, a login listener fed junk or held by a slow connection, options that a stored
login cannot honour. Real files, real loopback sockets."""

from __future__ import annotations

import asyncio
import base64
import html
import http.server
import json
import logging
import math
import os
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import traceback
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._login import (
    approve,
    expire_stored,
    login,
    login_env,
    new_login,
    stored,
    stored_file,
)
from tests._mock import mock_async_http_client, mock_http_client
from zdevents import (
    AsyncClient,
    Client,
    Login,
    aaccess_token,
    access_token,
    auth_status,
    errors,
    logout,
)
from zdevents._auth import tokens_from
from zdevents.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as started:
        yield started


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "zdevents-home"


# --- the store is not a regular file ---------------------------------------------------------


def _load_in_thread(env: dict[str, str]) -> tuple[threading.Thread, list[BaseException]]:
    raised: list[BaseException] = []

    def run() -> None:
        try:
            Client.from_env(env).close()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, raised


def test_a_store_that_is_a_fifo_is_refused_not_waited_on(sandbox: Sandbox, home: Path) -> None:
    login(sandbox, home)
    path = stored_file(home)
    path.unlink()
    os.mkfifo(path, 0o600)
    thread, raised = _load_in_thread(login_env(sandbox, home))
    thread.join(30)
    if thread.is_alive():  # unblock the open, then fail
        with open(path, "w"):
            pass
        thread.join(30)
        pytest.fail("reading the store waited on a FIFO")
    assert len(raised) == 1 and isinstance(raised[0], errors.ConfigurationError), raised
    assert str(path) in str(raised[0]) and "regular file" in str(raised[0])


def test_a_store_that_is_a_directory_is_a_configuration_error(sandbox: Sandbox, home: Path) -> None:
    login(sandbox, home)
    path = stored_file(home)
    path.unlink()
    path.mkdir(mode=0o700)
    with pytest.raises(errors.ConfigurationError, match="regular file"):
        Client.from_env(login_env(sandbox, home))


# --- lifetimes the token endpoint may send ---------------------------------------------------


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "7200", None, 0, -5, True])
def test_an_odd_expires_in_never_makes_a_token_unusable_at_once(value: object) -> None:
    body = {"access_token": "a" * 20, "token_type": "bearer", "expires_in": value}
    tokens = tokens_from(body, 1_000.0)
    assert tokens.expires_at is None or math.isfinite(tokens.expires_at)
    assert tokens.usable(1_000.0)
    assert tokens.usable(1_001.0)


# --- the login's listener -------------------------------------------------------------------


def test_a_request_without_code_or_error_does_not_end_the_login(
    sandbox: Sandbox, home: Path
) -> None:
    with new_login(sandbox, home) as attempt:

        def browser() -> None:
            # A prefetch, a port scanner, a favicon: then the real approval.
            for junk in ("", "?", "?state=x", "favicon.ico"):
                httpx.get(attempt.redirect_uri + junk, timeout=30)
            httpx.get(attempt.url, follow_redirects=True, timeout=30)

        thread = threading.Thread(target=browser)
        thread.start()
        try:
            status = attempt.wait(60)
        finally:
            thread.join()
    assert status.kind == "login"


def test_a_slow_connection_cannot_hold_the_login(sandbox: Sandbox, home: Path) -> None:
    stop = threading.Event()
    with new_login(sandbox, home) as attempt:
        slow = socket.create_connection(("127.0.0.1", attempt.port))
        slow.sendall(b"G")

        def trickle() -> None:
            # One byte every second, never a whole request line, until the test ends.
            while not stop.wait(1.0):
                try:
                    slow.sendall(b"E")
                except OSError:
                    return

        trickler = threading.Thread(target=trickle, daemon=True)
        trickler.start()
        browser = threading.Thread(
            target=httpx.get, args=(attempt.url,), kwargs={"follow_redirects": True, "timeout": 60}
        )
        browser.start()
        try:
            # Bounded so that a failure fails, never hangs: the trickle outlasts it.
            status = attempt.wait(45)
        finally:
            stop.set()
            slow.close()
            browser.join()
    assert status.kind == "login"


def test_an_error_code_that_is_not_an_oauth_code_is_not_echoed(
    sandbox: Sandbox, home: Path
) -> None:
    with new_login(sandbox, home) as attempt:
        state = attempt.url.split("state=")[1].split("&")[0]
        junk = "Ω" * 5000
        thread = threading.Thread(
            target=httpx.get,
            args=(f"{attempt.redirect_uri}?error={junk}&state={state}",),
            kwargs={"timeout": 30},
        )
        thread.start()
        try:
            with pytest.raises(errors.ZendeskError) as info:
                attempt.wait(30)
        finally:
            thread.join()
    assert "Ω" not in str(info.value) and len(str(info.value)) < 300


def _offline_login(home: Path) -> Login:
    # Its token endpoint (the discard port) is never reached: these logins end before.
    return Login(client_id="zdevents_cli", base_url="http://127.0.0.1:9", port=0, home=str(home))


def _reset(port: int) -> None:
    """What a port scanner does: connect, then reset the connection without a request."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=30)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _closed_by_peer(conn: socket.socket) -> bool:
    """Whether the other end closes ``conn`` (within its timeout), whatever it sent first."""
    try:
        while conn.recv(65536):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def test_a_port_another_login_holds_is_a_configuration_error_naming_it(home: Path) -> None:
    with _offline_login(home) as first:
        with pytest.raises(errors.ConfigurationError) as info:
            Login(
                client_id="zdevents_cli",
                base_url="http://127.0.0.1:9",
                port=first.port,
                home=str(home),
            )
        with _offline_login(home) as second:  # another port: both listen at once
            assert second.port != first.port
    assert f"cannot listen on 127.0.0.1:{first.port}" in str(info.value)
    assert "--port" in str(info.value) and "\n" not in str(info.value)


def test_connections_a_port_scanner_resets_print_nothing(
    home: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with _offline_login(home) as attempt:

        def scanner_then_forged_redirect() -> None:
            for _ in range(3):
                _reset(attempt.port)
            httpx.get(f"{attempt.redirect_uri}?code=abc&state=forged", timeout=30)

        thread = threading.Thread(target=scanner_then_forged_redirect)
        thread.start()
        try:
            with pytest.raises(errors.ZendeskError, match="wrong state"):
                attempt.wait(30)
        finally:
            thread.join()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception" not in err, err


@pytest.mark.parametrize("ending", ["forged redirect", "Ctrl-C", "deadline"])
def test_the_end_of_a_login_ends_its_stray_connections_and_their_threads(
    home: Path, ending: str
) -> None:
    before = set(threading.enumerate())
    attempt = _offline_login(home)
    accepted = threading.Event()
    strays: list[socket.socket] = []

    def strays_then_the_ending() -> None:
        strays.append(socket.create_connection(("127.0.0.1", attempt.port), timeout=5))
        strays.append(socket.create_connection(("127.0.0.1", attempt.port), timeout=5))
        strays[-1].sendall(b"GET /?co")  # a request that never ends
        # Connections are accepted in order: once this one is answered, so are the strays.
        assert httpx.get(attempt.redirect_uri + "favicon.ico", timeout=30).status_code == 404
        accepted.set()
        if ending == "forged redirect":
            httpx.get(f"{attempt.redirect_uri}?code=abc&state=forged", timeout=30)

    def clock() -> float:
        if accepted.is_set() and ending == "Ctrl-C":
            raise KeyboardInterrupt
        return 1000.0 if accepted.is_set() and ending == "deadline" else 0.0

    thread = threading.Thread(target=strays_then_the_ending)
    thread.start()
    try:
        with attempt, pytest.raises((errors.ZendeskError, KeyboardInterrupt)):
            # The wait wakes every 0.05 s to read the clock; the forged redirect ends it.
            attempt.wait(0.05 if ending != "forged redirect" else 30, clock=clock)
    finally:
        thread.join()
    try:
        assert all(_closed_by_peer(stray) for stray in strays)
    finally:
        for stray in strays:
            stray.close()
    assert [t for t in threading.enumerate() if t not in before] == []
    with socket.socket() as again:  # the port is free
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", attempt.port))
        again.listen()


def test_a_closed_login_refuses_to_wait_at_once(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashed: list[object] = []
    monkeypatch.setattr(threading, "excepthook", crashed.append)
    attempt = _offline_login(home)
    attempt.close()
    ticks = iter([0.0, 31.0])
    with pytest.raises(errors.ZendeskError, match="make a new Login"):
        attempt.wait(30, clock=lambda: next(ticks))
    assert crashed == []


def test_closing_a_login_from_another_thread_ends_its_wait(home: Path) -> None:
    # A program that gives up on the login (a Cancel button) closes it from another thread.
    before = set(threading.enumerate())
    attempt = _offline_login(home)
    closed = threading.Event()

    def cancel() -> None:
        # Answered: the listener serves, so the wait is under way.
        assert httpx.get(attempt.redirect_uri + "favicon.ico", timeout=30).status_code == 404
        attempt.close()
        closed.set()

    thread = threading.Thread(target=cancel)
    thread.start()
    try:
        with pytest.raises(errors.ZendeskError, match="closed while it waited"):
            # The deadline passes only once closed: the close must end the wait itself.
            attempt.wait(0.05, clock=lambda: 1000.0 if closed.is_set() else 0.0)
    finally:
        thread.join()
    assert [t for t in threading.enumerate() if t not in before] == []


def test_a_second_wait_sends_no_second_token_request(sandbox: Sandbox, home: Path) -> None:
    with new_login(sandbox, home) as attempt:
        assert approve(attempt).kind == "login"
        with pytest.raises(errors.ZendeskError, match="make a new Login"):
            attempt.wait(30)  # the code is spent: sending it again is a refusal at best
    assert sandbox.oauth.issued == {"authorization_code": 1}
    assert sum(sandbox.oauth.refused.values()) == 0


@pytest.mark.parametrize("timeout", [math.nan, -1.0, 10**400, True])
def test_a_wait_that_is_no_number_of_seconds_is_a_value_error(home: Path, timeout: object) -> None:
    raised: list[BaseException] = []
    attempt = _offline_login(home)

    def run() -> None:
        try:
            attempt.wait(timeout)
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), f"wait({timeout}) never ended"
    attempt.close()
    assert len(raised) == 1 and type(raised[0]) is ValueError, raised
    assert "timeout" in str(raised[0])


# --- options a stored login cannot honour ---------------------------------------------------


def test_an_explicit_scope_with_the_stored_login_is_an_error_not_ignored(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    with pytest.raises(errors.ConfigurationError) as info:
        Client.from_env(login_env(sandbox, home), oauth_scope="read")
    assert str(info.value) == (
        "oauth_scope applies to client credentials; the stored login has the scopes granted "
        "when it was made: run `zdevents auth login --scope S` to change them"
    )


# --- AsyncClient -----------------------------------------------------------------------------


def test_an_async_client_gets_a_refreshed_token_with_aaccess_token(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    expire_stored(home)

    async def main() -> str:
        async with AsyncClient.from_env(login_env(sandbox, home)) as client:
            return await aaccess_token(client)

    token = asyncio.run(main())
    assert token == stored(home)["access_token"]
    assert sandbox.oauth.issued["refresh_token"] == 1


@pytest.mark.parametrize("function", [access_token, auth_status, logout])
def test_the_sync_functions_refuse_an_async_client_naming_the_way(
    sandbox: Sandbox, home: Path, function: Callable[[Any], Any]
) -> None:
    login(sandbox, home)

    async def main() -> None:
        async with AsyncClient.from_env(login_env(sandbox, home)) as client:
            function(client)

    with pytest.raises(TypeError, match="aaccess_token"):
        asyncio.run(main())
    assert stored_file(home).exists()


# --- a hostile token endpoint ----------------------------------------------------------------

SECRET = "Sup3r-Secret-Value-42"


def _spellings(secret: str) -> list[str]:
    b64 = base64.b64encode(secret.encode()).decode()
    return [
        secret,
        b64,
        urllib.parse.quote(secret, safe=""),
        "".join(f"%{b:02X}" for b in secret.encode()),
        "".join(f"\\u{ord(c):04x}" for c in secret),
        "".join(f"&#{ord(c)};" for c in secret),
        html.escape(secret),
    ]


class _Hostile(http.server.BaseHTTPRequestHandler):
    mode = ""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        echo = " ".join(_spellings(SECRET))
        status, body, ctype = {
            "redirect": (302, b"", "text/plain"),
            "refusal": (
                400,
                json.dumps({"error": "invalid_grant", "error_description": echo}).encode(),
                "application/json",
            ),
            "html": (200, f"<html><p>{echo}</p></html>".encode(), "text/html"),
            "no_token": (
                200,
                json.dumps({"token_type": "bearer", "note": echo}).encode(),
                "application/json",
            ),
            "server": (500, echo.encode(), "text/plain"),
            "status_401": (
                401,
                json.dumps({"error": "unauthorized", "description": echo}).encode(),
                "application/json",
            ),
        }[self.mode]
        self.send_response(status)
        self.send_header("Location", f"https://evil.example/?leak={echo}")
        self.send_header("X-Echo", urllib.parse.quote(echo))
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    "mode", ["redirect", "refusal", "html", "no_token", "server", "status_401"]
)
def test_a_hostile_token_endpoint_echoing_the_secret_shows_it_nowhere(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    handler = type("H", (_Hostile,), {"mode": mode})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with (
            caplog.at_level(logging.DEBUG),
            Client(
                base_url=url,
                oauth_client_id="cid",
                oauth_client_secret=SECRET,
                max_retries=1,
                backoff_base=0.01,
            ) as c,
            pytest.raises(errors.ZendeskError) as info,
        ):
            list(c.events(user_id="1"))
    finally:
        server.shutdown()
        server.server_close()
    shown = "".join(traceback.format_exception(info.value))
    chain: BaseException | None = info.value
    while chain is not None:
        shown += repr(chain) + repr(vars(chain))
        chain = chain.__cause__ or chain.__context__
    shown += "".join(r.getMessage() for r in caplog.records)
    shown += repr(c) + json.dumps(getattr(info.value, "errors", []))
    for spelling in _spellings(SECRET):
        assert spelling not in shown, (mode, spelling)


@pytest.mark.parametrize(
    ("body", "message", "kind"),
    [
        (b"<html>", "the OAuth answer is not JSON", "undecodable"),
        (b"[1]", "the OAuth answer is not a JSON object", "invalid"),
        (b"", "the token endpoint's answer lacks access_token or token_type", "invalid"),
    ],
    ids=["not-json", "not-an-object", "empty"],
)
@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_token_answer_that_is_no_token_is_a_bad_response_saying_why(
    cls: type[Any], body: bytes, message: str, kind: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/oauth/tokens", "no API request without a token"
        return httpx.Response(200, content=body)

    options: dict[str, Any] = {
        "base_url": "https://coolbikes.zendesk.com",
        "oauth_client_id": "cid",
        "oauth_client_secret": SECRET,
        "max_retries": 0,
    }
    with pytest.raises(errors.BadResponseError) as info:
        if cls is Client:
            with Client(**options, http_client=mock_http_client(handler)) as c:
                list(c.events(user_id=1))
        else:

            async def main() -> None:
                http = mock_async_http_client(handler)
                async with AsyncClient(**options, http_client=http) as c:
                    async for _ in c.events(user_id=1):
                        pass

            asyncio.run(main())
    assert (str(info.value), info.value.kind) == (message, kind)


# --- offline, corrupt ------------------------------------------------------------------------


def test_logout_offline_removes_the_login_all_the_same(home: Path) -> None:
    with Sandbox(seed="demo") as sandbox:
        login(sandbox, home)
        env = login_env(sandbox, home)
        expire_stored(home)  # the refresh fails too, not only the revocation
    with Client.from_env(env, max_retries=0) as client:
        assert logout(client) is True
    assert not list((home / "logins").glob("*.json"))


@pytest.mark.parametrize(
    "text", ["", "{", "[]", '{"access_token": 5}', "\xff\xfe", '{"version": 1}', "null"]
)
def test_a_corrupt_store_is_one_configuration_error_naming_it(
    sandbox: Sandbox, home: Path, text: str
) -> None:
    login(sandbox, home)
    path = stored_file(home)
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(errors.ConfigurationError) as info:
        Client.from_env(login_env(sandbox, home))
    assert str(path) in str(info.value) and "zdevents auth login" in str(info.value)


# --- Ctrl-C while the rotated pair is being saved ---------------------------------------------

_INTERRUPTED_SAVE = textwrap.dedent(
    """
    import os, signal
    from zdevents import Client, _auth
    fsync = os.fsync
    def fsync_then_ctrl_c(fd):
        fsync(fd)
        if not getattr(fsync_then_ctrl_c, "done", False):
            fsync_then_ctrl_c.done = True
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, mid-save
    os.fsync = fsync_then_ctrl_c
    try:
        with Client.from_env() as client:
            list(client.events(user_id=85211553, limit=1))
    except KeyboardInterrupt:
        raise SystemExit(130)
    """
)


def test_ctrl_c_while_the_refreshed_pair_is_saved_keeps_the_login(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    expire_stored(home)
    env = login_env(sandbox, home)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "generated")])
    child = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_SAVE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 130, child.stderr
    assert sandbox.oauth.issued["refresh_token"] == 1  # Zendesk rotated: the old pair is dead
    # What is stored is the live pair: a new client reads events without logging in again.
    with Client.from_env(login_env(sandbox, home)) as client:
        assert list(client.events(user_id="85211553", limit=1))
    assert not list((home / "logins").glob("*.tmp"))


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_a_lock_that_is_no_regular_file_is_a_configuration_error(
    sandbox: Sandbox, home: Path, kind: str
) -> None:
    login(sandbox, home)
    expire_stored(home)
    lock = Path(f"{stored_file(home)}.lock")
    lock.unlink(missing_ok=True)
    if kind == "directory":
        lock.mkdir(mode=0o700)
    else:
        os.mkfifo(lock, 0o600)
    with (
        Client.from_env(login_env(sandbox, home)) as client,
        pytest.raises(errors.ConfigurationError, match="regular file"),
    ):
        list(client.events(user_id="85211553", limit=1))
    assert sandbox.oauth.issued["refresh_token"] == 0


def test_a_login_of_another_account_copied_into_the_store_is_refused(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    path = stored_file(home)
    port = httpx.URL(sandbox.base_url).port
    other = path.with_name(f"127.0.0.2_{port}.json")
    path.rename(other)  # a file copied by hand: its tokens belong to 127.0.0.1
    env = login_env(sandbox, home)
    env["ZENDESK_BASE_URL"] = f"http://127.0.0.2:{port}"
    with pytest.raises(errors.ConfigurationError) as info:
        Client.from_env(env)
    assert str(other) in str(info.value) and sandbox.base_url in str(info.value)


def test_temporary_files_a_killed_save_left_are_removed_by_the_next_save(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    expire_stored(home)
    path = stored_file(home)
    left = path.with_name(f"{path.name}.4242.0badf00d.tmp")  # a save killed before its rename
    left.write_text(path.read_text())
    left.chmod(0o600)
    unrelated = path.with_name("notes.tmp")
    unrelated.write_text("mine")
    with Client.from_env(login_env(sandbox, home)) as client:
        assert list(client.events(user_id="85211553", limit=1))
    assert sandbox.oauth.issued["refresh_token"] == 1
    assert not left.exists() and unrelated.exists()
