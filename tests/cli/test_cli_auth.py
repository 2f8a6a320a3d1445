"""``zdevents auth login|status|token|logout`` and the API-token notice, against a running
sandbox, with a login followed as a browser would: in-process, but for the notice of a real
run and the sandbox command (subprocesses)."""

from __future__ import annotations

import http.server
import io
import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._login import expire_stored, follow, login_env, stored, stored_file
from tests.cli._helpers import USER, ZDEVENTS, cli_env, run, run_meanwhile, wait_for_requests
from zdevents.cli import main
from zdevents.sandbox import Sandbox

NOTICE = "zdevents: notice: API tokens stop working on 2027-04-30"


@pytest.fixture
def sandbox() -> Any:
    with Sandbox(seed="demo") as started:
        yield started


@pytest.fixture
def env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    env = login_env(sandbox, tmp_path / "home")
    env["ZENDESK_OAUTH_CLIENT_ID"] = sandbox.oauth_public_client_id
    return env


def auth(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(None, "auth", *args, env=env)


def cli_login(env: dict[str, str], *extra: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """``zdevents auth login --no-browser``, its printed URL followed as a browser would.

    In-process, in a thread (the run waits for the browser while this reads its stderr, a
    pipe); main() leaves the signal handlers alone outside the main thread."""
    args = ["auth", "login", "--no-browser", "--port", "0", *extra]
    read_end, write_end = os.pipe()
    out = io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8")
    status: list[int] = []
    with (
        open(read_end, encoding="utf-8") as err_reader,
        open(write_end, "w", encoding="utf-8", buffering=1) as err_writer,
    ):
        thread = threading.Thread(
            target=lambda: status.append(
                main(args, stdin=io.StringIO(), stdout=stdout, stderr=err_writer, environ=env)
            ),
            daemon=True,
        )
        thread.start()
        shown = []
        url = ""
        for line in err_reader:
            shown.append(line)
            if line.strip().startswith("http"):
                url = line.strip()
                break
        if not url:
            thread.join(60)
        assert url, "".join(shown)
        page = follow(url)
        assert page.status_code == 200
        thread.join(60)
        assert not thread.is_alive() and status, "the login did not end"
        err_writer.close()
        rest = err_reader.read()
    stdout.flush()
    done = subprocess.CompletedProcess(
        ["zdevents", *args], status[0], out.getvalue().decode(), "".join(shown) + rest
    )
    return done, url


def test_login_prints_the_url_and_says_who_never_the_token(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    done, url = cli_login(env)
    assert done.returncode == 0, done.stderr
    assert "/oauth/authorizations/new?" in url and "code_challenge_method=S256" in url
    assert f"Logged in to {sandbox.base_url} as user 1001" in done.stdout
    assert "scopes: read write" in done.stdout
    saved = stored(tmp_path / "home")
    for secret in (saved["access_token"], saved["refresh_token"]):
        assert secret not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_status_token_and_logout(sandbox: Sandbox, env: dict[str, str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert cli_login(env)[0].returncode == 0
    expire_stored(home)
    status = auth(env, "status")
    assert status.returncode == 0, status.stderr
    for text in ("stored login", "user id:     1001", "scopes:      read write",
                 "refresh token expires", f"stored in:   {stored_file(home)}"):  # fmt: skip
        assert text in status.stdout
    token = auth(env, "token")
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip() == stored(home)["access_token"]
    assert sandbox.oauth.issued["refresh_token"] == 1  # refreshed once, by status
    secret = token.stdout.strip()
    assert secret not in status.stdout + status.stderr + token.stderr
    # Other commands use the stored login.
    events = run(None, "events", "--user-id", USER, "--limit", "2", env=env)
    assert events.returncode == 0 and len(events.stdout.splitlines()) == 2
    assert NOTICE not in events.stderr
    out = auth(env, "logout")
    assert out.returncode == 0, out.stderr
    assert not list((home / "logins").glob("*.json"))
    revoked = httpx.get(
        f"{sandbox.base_url}/api/v2/oauth/tokens/current.json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert revoked.status_code == 401
    after = auth(env, "status")
    assert after.returncode == 1 and after.stderr.count("\n") == 1
    assert "zdevents auth login" in after.stderr


def test_status_says_which_kind_is_in_effect(sandbox: Sandbox, env: dict[str, str]) -> None:
    cc = {**env, "ZENDESK_OAUTH_CLIENT_ID": sandbox.oauth_client_id}
    cc["ZENDESK_OAUTH_CLIENT_SECRET"] = sandbox.oauth_client_secret
    status = auth(cc, "status")
    assert status.returncode == 0, status.stderr
    assert "OAuth client credentials" in status.stdout
    assert sandbox.oauth_client_secret not in status.stdout + status.stderr
    both = {**cc, "ZENDESK_OAUTH_TOKEN": "tok"}
    refused = auth(both, "status")
    assert refused.returncode == 1
    assert "ZENDESK_OAUTH_CLIENT_SECRET" in refused.stderr
    assert "ZENDESK_OAUTH_TOKEN" in refused.stderr


def test_a_revoked_login_is_one_line_exit_1(sandbox: Sandbox, env: dict[str, str]) -> None:
    assert cli_login(env)[0].returncode == 0
    sandbox.oauth.revoke_all()
    result = run(None, "events", "--user-id", USER, env=env)
    assert result.returncode == 1
    assert "expired or was revoked" in result.stderr and "zdevents auth login" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_store_readable_by_others_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    assert cli_login(env)[0].returncode == 0
    path = stored_file(tmp_path / "home")
    path.chmod(0o644)
    result = auth(env, "token")
    assert result.returncode == 1
    assert f"chmod 600 {path}" in result.stderr and result.stdout == ""


def test_login_needs_a_client_id(env: dict[str, str]) -> None:
    env = {k: v for k, v in env.items() if k != "ZENDESK_OAUTH_CLIENT_ID"}
    result = auth(env, "login", "--no-browser")
    assert result.returncode == 2
    assert "ZENDESK_OAUTH_CLIENT_ID" in result.stderr and "--client-id" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("events", "--user-id", USER),
        ("auth", "login", "--no-browser", "--client-id", "cid"),
        ("auth", "status"),
        ("auth", "token"),
    ],
    ids=" ".join,
)
@pytest.mark.parametrize(
    "credentials",
    [{}, {"ZENDESK_OAUTH_TOKEN": "tok-never-shown"}],
    ids=["stored-login", "oauth-token"],
)
def test_subdomain_and_base_url_both_set_is_a_one_line_error_naming_both(
    args: tuple[str, ...], credentials: dict[str, str], tmp_path: Path
) -> None:
    env = cli_env(
        None,
        ZENDESK_SUBDOMAIN="coolbikes",
        ZENDESK_BASE_URL="http://127.0.0.1:9",
        ZDEVENTS_HOME=str(tmp_path),
        **credentials,
    )
    result = run(None, *args, env=env)
    # A usage error, but for auth status and token, whose 1 says "no usable credentials".
    assert result.returncode == (1 if args[1:] in (("status",), ("token",)) else 2)
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "ZENDESK_SUBDOMAIN" in line and "ZENDESK_BASE_URL" in line
    assert "tok-never-shown" not in line


def run_raw(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ZDEVENTS, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_notice_is_printed_by_the_real_run(sandbox: Sandbox) -> None:
    loud = run_raw(cli_env(sandbox), "events", "--user-id", USER, "--limit", "1")
    assert loud.returncode == 0
    assert [line for line in loud.stderr.splitlines() if "2027-04-30" in line] == [
        line for line in loud.stderr.splitlines() if line.startswith(NOTICE)
    ]
    assert len([line for line in loud.stderr.splitlines() if line.startswith(NOTICE)]) == 1
    quiet = run_raw(cli_env(sandbox), "events", "--user-id", USER, "--limit", "1", "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""
    oauth = {**cli_env(None), "ZENDESK_BASE_URL": sandbox.base_url}
    oauth["ZENDESK_OAUTH_TOKEN"] = sandbox.oauth_token or ""
    bearer = run_raw(oauth, "events", "--user-id", USER, "--limit", "1")
    assert bearer.returncode == 0 and bearer.stderr == ""


def test_the_sandbox_prints_its_oauth_clients(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [*ZDEVENTS, "sandbox", "--port", "0"],
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:  # the secret is on the last line it prints
        lines.append(line)
        if "ZENDESK_OAUTH_CLIENT_SECRET" in line:
            break
    proc.terminate()
    proc.communicate(timeout=30)
    text = "".join(lines)
    assert "zdevents_sandbox_public" in text
    assert "zdevents_sandbox_confidential" in text and "sandbox-client-secret" in text


def test_a_token_dying_between_two_pages_of_an_export(
    zendesk_sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = zendesk_sandbox_factory(seed="demo", latency=0.05)
    env = login_env(sandbox, tmp_path / "home")
    env["ZENDESK_OAUTH_CLIENT_ID"] = sandbox.oauth_public_client_id
    assert cli_login(env)[0].returncode == 0
    expected = [e.id for e in sandbox.client.events(user_id=int(USER))]
    out = tmp_path / "events.jsonl"
    before = sandbox.request_count

    def expire() -> None:
        wait_for_requests(sandbox, before + 3)  # a few pages in: the token dies between two
        sandbox.oauth.expire_access_tokens()

    done = run_meanwhile(
        None, "events", "--user-id", USER, "--page-size", "5", "-o", str(out), env=env,
        meanwhile=expire,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    got = [line.split('"id":"')[1].split('"')[0] for line in out.read_text().splitlines()]
    assert got == expected  # none lost, none repeated
    assert sandbox.oauth.issued["refresh_token"] == 1


def test_auth_token_to_a_closed_pipe_is_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = cli_env()
    env.update(ZENDESK_SUBDOMAIN="coolbikes", ZENDESK_OAUTH_TOKEN="closedpipe-token-123456")
    env["ZDEVENTS_HOME"] = str(tmp_path / "home")
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the token is printed
    try:
        done = subprocess.run(
            [*ZDEVENTS, "auth", "token"],
            env=env,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "closed" in done.stderr and "Exception ignored" not in done.stderr
    assert "closedpipe-token" not in done.stderr


class _Hostile(http.server.BaseHTTPRequestHandler):
    """A token endpoint and a current-token route whose strings carry terminal escapes."""

    def _json(self, data: object) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self._json({"access_token": "hostile-token-0001", "token_type": "bearer"})

    def do_GET(self) -> None:
        escape = "\x1b]0;pwned\x07\x1b[2J\u202e"
        self._json(
            {"token": {"scopes": [f"read{escape}"], "client_id": f"c{escape}", "user_id": 1}}
        )

    def log_message(self, *args: object) -> None:
        pass


def test_auth_status_shows_no_terminal_escape_a_server_sent(tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        env = cli_env()
        env.update(
            ZENDESK_BASE_URL=f"http://127.0.0.1:{server.server_address[1]}",
            ZENDESK_OAUTH_CLIENT_ID="cid",
            ZENDESK_OAUTH_CLIENT_SECRET="csecret-value",
            ZDEVENTS_HOME=str(tmp_path / "home"),
        )
        done = auth(env, "status")
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert "read" in done.stdout
    for bad in ("\x1b", "\x07", "\u202e"):
        assert bad not in done.stdout + done.stderr
