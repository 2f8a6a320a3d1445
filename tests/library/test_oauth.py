"""OAuth in the library: the three ways in and their precedence, client credentials, the
browser login, the stored login and its refresh with rotation (threads, tasks and
processes), and secrets. Real sandboxes on loopback, real processes where it matters."""

from __future__ import annotations

import asyncio
import http.server
import json
import logging
import os
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import zdevents
from tests._login import expire_stored, login, login_env, stored, stored_file
from tests._mock import OAUTH_TOKEN, Recorder, auth_of, ok
from tests._mock import client as mock_client
from zdevents import AsyncClient, Client, Login, access_token, auth_status, errors, logout
from zdevents.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
USER = 85211553  # the demo seed's user


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as started:
        yield started


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "zdevents-home"


def cc_client(sandbox: Sandbox, **options: Any) -> Client:
    return Client(
        base_url=sandbox.base_url,
        oauth_client_id=sandbox.oauth_client_id,
        oauth_client_secret=sandbox.oauth_client_secret,
        **options,
    )


class Clock:
    """A wall clock a test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- precedence ---------------------------------------------------------------------------


def test_two_kinds_of_credentials_in_the_environment_name_the_variables() -> None:
    env = {
        "ZENDESK_SUBDOMAIN": "coolbikes",
        "ZENDESK_OAUTH_CLIENT_ID": "cid",
        "ZENDESK_OAUTH_CLIENT_SECRET": "csecret",
        "ZENDESK_OAUTH_TOKEN": "tok",
    }
    with pytest.raises(errors.ConfigurationError) as info:
        Client.from_env(env)
    message = str(info.value)
    for name in ("ZENDESK_OAUTH_CLIENT_ID", "ZENDESK_OAUTH_CLIENT_SECRET", "ZENDESK_OAUTH_TOKEN"):
        assert name in message
    assert "csecret" not in message and "tok " not in message


def test_subdomain_and_base_url_together_name_both() -> None:
    env = {
        "ZENDESK_SUBDOMAIN": "coolbikes",
        "ZENDESK_BASE_URL": "http://127.0.0.1:9",
        "ZENDESK_OAUTH_TOKEN": "tok",
    }
    with pytest.raises(errors.ConfigurationError, match="ZENDESK_SUBDOMAIN and ZENDESK_BASE_URL"):
        Client.from_env(env)


def test_a_client_secret_without_its_id_is_named() -> None:
    env = {"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_OAUTH_CLIENT_SECRET": "s3cret"}
    with pytest.raises(errors.ConfigurationError, match="ZENDESK_OAUTH_CLIENT_ID is missing"):
        Client.from_env(env)


def test_environment_credentials_win_over_the_stored_login(sandbox: Sandbox, home: Path) -> None:
    login(sandbox, home)
    env = login_env(sandbox, home)
    with Client.from_env(env) as c:
        assert auth_status(c).kind == "login"
    # A client id alone names the login's client: still the stored login.
    with Client.from_env({**env, "ZENDESK_OAUTH_CLIENT_ID": "any"}) as c:
        assert auth_status(c).kind == "login"
    cc = {
        "ZENDESK_OAUTH_CLIENT_ID": sandbox.oauth_client_id,
        "ZENDESK_OAUTH_CLIENT_SECRET": sandbox.oauth_client_secret,
    }
    with Client.from_env({**env, **cc}) as c:
        assert auth_status(c).kind == "client_credentials"
    with Client.from_env({**env, "ZENDESK_OAUTH_TOKEN": sandbox.oauth_token or ""}) as c:
        assert auth_status(c).kind == "oauth"


def test_options_of_two_kinds_are_refused() -> None:
    with pytest.raises(errors.ConfigurationError, match="one kind of credentials"):
        Client(subdomain="a", oauth_client_id="i", oauth_client_secret="s", oauth_token="t")
    with pytest.raises(errors.ConfigurationError, match="go together"):
        Client(subdomain="a", oauth_client_id="i")


def test_api_token_warns_once_per_process_on_the_zdevents_logger(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from zdevents import _auth

    monkeypatch.setattr(_auth, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="zdevents"):
        Client(subdomain="a", email="a@example.com", api_token="tok1").close()
        Client(subdomain="a", email="a@example.com", api_token="tok2").close()
        Client(subdomain="a", oauth_token="tok3").close()
    notices = [r for r in caplog.records if "2027-04-30" in r.getMessage()]
    assert len(notices) == 1
    assert notices[0].levelno == logging.WARNING and notices[0].name == "zdevents"
    assert "zdevents auth login" in notices[0].getMessage()


# --- client credentials -------------------------------------------------------------------


def test_client_credentials_mint_once_cache_and_mint_again_before_expiry(
    sandbox: Sandbox,
) -> None:
    with cc_client(sandbox) as c:
        auth = auth_of(c)
        assert list(c.events(user_id=USER, limit=1))
        assert list(c.events(user_id=USER, limit=1))
        assert sandbox.oauth.issued["client_credentials"] == 1
        tokens = auth.tokens  # type: ignore[attr-defined]
        # It asked for an explicit lifetime, and keeps an absolute expiry.
        assert tokens.expires_at - tokens.obtained_at == zdevents._auth.ACCESS_TOKEN_SECONDS
        clock = Clock(tokens.renew_at() - 1)
        auth.clock = clock  # type: ignore[attr-defined]
        assert list(c.events(user_id=USER, limit=1))
        assert sandbox.oauth.issued["client_credentials"] == 1
        clock.now = tokens.renew_at()  # shortly before expiry: minted again
        assert clock.now < tokens.expires_at
        assert list(c.events(user_id=USER, limit=1))
        assert sandbox.oauth.issued["client_credentials"] == 2


def test_client_credentials_mint_once_across_threads_and_copies(sandbox: Sandbox) -> None:
    with cc_client(sandbox) as c:
        clients = [c, c.with_options(timeout=10), c.with_options(max_retries=1)]
        start = threading.Barrier(9)
        results: list[int] = []

        def read(client: Client) -> None:
            start.wait()
            results.append(len(list(client.events(user_id=USER, limit=3))))

        threads = [threading.Thread(target=read, args=(clients[i % 3],)) for i in range(9)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [3] * 9
    assert sandbox.oauth.issued["client_credentials"] == 1


def test_client_credentials_mint_once_across_tasks(sandbox: Sandbox) -> None:
    async def main() -> list[int]:
        async with AsyncClient(
            base_url=sandbox.base_url,
            oauth_client_id=sandbox.oauth_client_id,
            oauth_client_secret=sandbox.oauth_client_secret,
        ) as c:

            async def read(client: AsyncClient) -> int:
                return len([e async for e in client.events(user_id=USER, limit=2)])

            copies = [c, c.with_options(timeout=10)]
            return await asyncio.gather(*(read(copies[i % 2]) for i in range(10)))

    assert asyncio.run(main()) == [2] * 10
    assert sandbox.oauth.issued["client_credentials"] == 1


RENEWING = f"GET /api/v2/users/{USER}/events: 401, renewing the OAuth token once"


def test_a_401_renews_once_and_retries_once(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="zdevents")
    with cc_client(sandbox) as c:
        assert list(c.events(user_id=USER, limit=1))
        sandbox.oauth.expire_access_tokens()  # dies early: the client's cache says alive
        assert list(c.events(user_id=USER, limit=1))
    assert sandbox.oauth.issued["client_credentials"] == 2
    assert [r.getMessage() for r in caplog.records if "401" in r.getMessage()] == [RENEWING]


def test_an_async_401_renews_once_and_retries_once(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="zdevents")

    async def main() -> None:
        async with AsyncClient(
            base_url=sandbox.base_url,
            oauth_client_id=sandbox.oauth_client_id,
            oauth_client_secret=sandbox.oauth_client_secret,
        ) as c:
            assert [e async for e in c.events(user_id=USER, limit=1)]
            sandbox.oauth.expire_access_tokens()  # dies early: the client's cache says alive
            assert [e async for e in c.events(user_id=USER, limit=1)]

    asyncio.run(main())
    assert sandbox.oauth.issued["client_credentials"] == 2
    assert [r.getMessage() for r in caplog.records if "401" in r.getMessage()] == [RENEWING]


class _Always401(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_POST(self) -> None:
        self.hits.append("token")
        self.rfile.read(int(self.headers["Content-Length"]))
        token = "tok" + str(len(self.hits))
        body = json.dumps({"access_token": token, "token_type": "bearer", "expires_in": 3600})
        self._send(200, body.encode())

    def do_GET(self) -> None:
        self.hits.append("api")
        self._send(401, b'{"error": "invalid_token"}')

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[type[http.server.BaseHTTPRequestHandler]], str]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(handler: type[http.server.BaseHTTPRequestHandler]) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_second_401_is_an_authentication_error_never_a_loop(
    serve: Callable[[type[http.server.BaseHTTPRequestHandler]], str], cls: type[Any]
) -> None:
    hits: list[str] = []
    handler = type("H", (_Always401,), {"hits": hits})
    url = serve(handler)

    async def read_async() -> None:
        async with AsyncClient(base_url=url, oauth_client_id="i", oauth_client_secret="s") as c:
            async for _ in c.events(user_id=USER):
                pass

    with pytest.raises(errors.AuthenticationError):
        if cls is AsyncClient:
            asyncio.run(read_async())
        else:
            with Client(base_url=url, oauth_client_id="i", oauth_client_secret="s") as c:
                list(c.events(user_id=USER))
    assert hits == ["token", "api", "token", "api"]


@pytest.mark.parametrize(
    ("options", "code", "cls", "hint"),
    [
        ({"oauth_client_secret": "wrong"}, "invalid_client", errors.AuthenticationError,
         "ZENDESK_OAUTH_CLIENT_SECRET"),
        ({"oauth_scope": "admin"}, "invalid_scope", errors.ConfigurationError,
         "ZENDESK_OAUTH_SCOPE"),
        ({"oauth_client_id": "zdevents_sandbox_public"}, "unauthorized_client",
         errors.ConfigurationError, "confidential client"),
    ],
)  # fmt: skip
def test_token_endpoint_refusals_name_the_code_and_what_to_do(
    sandbox: Sandbox, options: dict[str, str], code: str, cls: type[Exception], hint: str
) -> None:
    given = {
        "oauth_client_id": sandbox.oauth_client_id,
        "oauth_client_secret": sandbox.oauth_client_secret,
        **options,
    }
    with Client(base_url=sandbox.base_url, **given) as c, pytest.raises(cls) as info:
        list(c.events(user_id=USER))
    message = str(info.value)
    assert "\n" not in message
    assert code in message and hint in message
    assert isinstance(info.value, errors.ZendeskError)
    assert sandbox.oauth.refused[code] == 1  # refused once: not retried


def test_from_env_asks_for_the_scope_of_zendesk_oauth_scope(sandbox: Sandbox) -> None:
    env = {
        "ZENDESK_BASE_URL": sandbox.base_url,
        "ZENDESK_OAUTH_CLIENT_ID": sandbox.oauth_client_id,
        "ZENDESK_OAUTH_CLIENT_SECRET": sandbox.oauth_client_secret,
        "ZENDESK_OAUTH_SCOPE": "write",
    }
    with Client.from_env(env) as c, pytest.raises(errors.PermissionDeniedError) as info:
        list(c.events(user_id=USER))  # a token minted for "write" alone cannot read
    assert "missing the following required scopes: read" in str(info.value)
    with Client.from_env({**env, "ZENDESK_OAUTH_SCOPE": "read"}) as c:
        assert list(c.events(user_id=USER))


def test_a_403_naming_a_missing_scope_says_which_variable_to_change(sandbox: Sandbox) -> None:
    with (
        cc_client(sandbox, oauth_scope="write") as c,
        pytest.raises(errors.PermissionDeniedError) as info,
    ):
        list(c.events(user_id=USER))
    assert "missing the following required scopes: read" in str(info.value)
    assert "ZENDESK_OAUTH_SCOPE (oauth_scope=)" in str(info.value)


def test_a_5xx_of_the_token_endpoint_is_retried(sandbox: Sandbox) -> None:
    sandbox.oauth.fail_next_token_requests(2, 503)
    with cc_client(sandbox, backoff_base=0.001, backoff_cap=0.001) as c:
        assert list(c.events(user_id=USER, limit=1))
    assert sandbox.oauth.issued["client_credentials"] == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"token": {"user_id": 7, "scopes": ["read", 3], "client_id": 12}}, (7, ("read",), "12")),
        ({"token": {"user_id": "7", "scopes": "read", "client_id": None}}, (None, (), None)),
        ({"token": {"scopes": 5}}, (None, (), None)),
        ({"token": "not an object"}, (None, (), None)),
        ({"no": "token"}, (None, (), None)),
    ],
)
def test_auth_status_reads_an_odd_current_token_answer_leniently(
    body: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    recorder = Recorder(ok(body))
    with mock_client(recorder, oauth_token=OAUTH_TOKEN) as c:
        status = auth_status(c)
    assert (status.user_id, status.scopes, status.client_id) == expected
    assert recorder.last.url.path == "/api/v2/oauth/tokens/current.json"


# --- the browser login -------------------------------------------------------------------


def test_login_stores_the_pair_privately_and_says_who(sandbox: Sandbox, home: Path) -> None:
    status = login(sandbox, home)
    assert (status.kind, status.user_id, status.scopes) == ("login", 1001, ("read", "write"))
    path = stored_file(home)
    assert status.stored_at == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    data = stored(home)
    assert data["expires_at"] > data["obtained_at"]
    # A long refresh lifetime was asked for, so a weekly job keeps its login.
    assert data["refresh_token_expires_at"] - data["obtained_at"] > 28 * 86_400
    assert sandbox.oauth.issued["authorization_code"] == 1
    assert not list(path.parent.glob("*.tmp"))


def _redirect(attempt: Login, query: str) -> None:
    httpx.get(f"{attempt.redirect_uri}?{query}", timeout=30)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("code=abc&state=forged", "wrong state"),
        ("error=access_denied&state={state}", "not approved (access_denied)"),
        ("code=abc", "wrong state"),
    ],
)
def test_a_forged_state_or_a_denial_sends_no_token_request(
    sandbox: Sandbox, home: Path, query: str, message: str
) -> None:
    with Login(
        client_id=sandbox.oauth_public_client_id,
        base_url=sandbox.base_url,
        port=0,
        home=str(home),
    ) as attempt:
        state = httpx.URL(attempt.url).params["state"]
        browser = threading.Thread(target=_redirect, args=(attempt, query.format(state=state)))
        browser.start()
        with pytest.raises(errors.ZendeskError) as info:
            attempt.wait(30)
        browser.join()
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert sum(sandbox.oauth.issued.values()) + sum(sandbox.oauth.refused.values()) == 0
    assert not (home / "logins").exists() or not list((home / "logins").glob("*.json"))


def test_the_sandbox_denying_ends_the_login_with_one_line(sandbox: Sandbox, home: Path) -> None:
    sandbox.oauth.deny = True
    with pytest.raises(errors.ZendeskError, match=r"not approved \(access_denied\)"):
        login(sandbox, home)
    assert sum(sandbox.oauth.issued.values()) == 0


def test_the_login_waits_a_bounded_time(sandbox: Sandbox, home: Path) -> None:
    ticks = iter(range(0, 10_000, 200))
    attempt = Login(
        client_id=sandbox.oauth_public_client_id, base_url=sandbox.base_url, port=0, home=str(home)
    )
    with attempt, pytest.raises(errors.ZendeskError, match="no answer from the browser"):
        attempt.wait(250, clock=lambda: float(next(ticks)))


def test_the_authorization_url_asks_for_pkce_and_the_registered_redirect(
    sandbox: Sandbox, home: Path
) -> None:
    with Login(
        client_id="cli", base_url=sandbox.base_url, port=0, home=str(home), scope="read"
    ) as attempt:
        url = httpx.URL(attempt.url)
        assert url.path == "/oauth/authorizations/new"
        params = url.params
        assert params["code_challenge_method"] == "S256"
        assert len(params["code_challenge"]) == 43
        assert params["redirect_uri"] == f"http://127.0.0.1:{attempt.port}/"
        assert (params["response_type"], params["client_id"], params["scope"]) == (
            "code",
            "cli",
            "read",
        )
        assert attempt._verifier.reveal() not in attempt.url


def test_a_confidential_client_sends_its_secret_with_the_code(sandbox: Sandbox, home: Path) -> None:
    # A wrong secret is refused, which proves it was sent; the right one logs in.
    with pytest.raises(errors.AuthenticationError, match="invalid_client") as info:
        login(sandbox, home, client_id=sandbox.oauth_client_id, client_secret="not-the-secret")
    assert "not-the-secret" not in str(info.value)
    status = login(
        sandbox, home, client_id=sandbox.oauth_client_id, client_secret=sandbox.oauth_client_secret
    )
    assert status.client_id == sandbox.oauth_client_id


# --- the stored login ----------------------------------------------------------------------


def test_a_store_readable_by_others_is_refused_naming_the_file_and_fix(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    path = stored_file(home)
    path.chmod(0o644)
    with pytest.raises(errors.ConfigurationError) as info:
        Client.from_env(login_env(sandbox, home))
    assert str(path) in str(info.value) and f"chmod 600 {path}" in str(info.value)
    path.chmod(0o600)
    path.parent.chmod(0o755)
    with pytest.raises(errors.ConfigurationError, match=f"chmod 700 {path.parent}"):
        Client.from_env(login_env(sandbox, home))


def test_the_stored_login_is_refreshed_ahead_of_expiry_and_rotated_on_disk(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    before = stored(home)
    expire_stored(home)
    with Client.from_env(login_env(sandbox, home)) as c:
        assert list(c.events(user_id=USER, limit=1))
    after = stored(home)
    assert sandbox.oauth.issued["refresh_token"] == 1
    assert after["refresh_token"] != before["refresh_token"]
    assert after["access_token"] != before["access_token"]
    # The old pair died with the rotation.
    old = httpx.post(
        f"{sandbox.base_url}/oauth/tokens",
        json={
            "grant_type": "refresh_token",
            "refresh_token": before["refresh_token"],
            "client_id": sandbox.oauth_public_client_id,
        },
    )
    assert (old.status_code, old.json()["error"]) == (400, "invalid_grant")


def test_a_token_that_dies_between_two_pages_costs_one_refresh_and_no_event(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    with Client(
        base_url=sandbox.base_url, email=sandbox.email, api_token=sandbox.api_token
    ) as plain:
        expected = [e.id for e in plain.events(user_id=USER)]
    assert len(expected) > 10
    with Client.from_env(login_env(sandbox, home)) as c:
        seen: list[str] = []
        for number, page in enumerate(c.events(user_id=USER, page_size=10).pages()):
            seen += [e.id for e in page]
            if number == 1:
                sandbox.oauth.expire_access_tokens()
    assert seen == expected
    assert sandbox.oauth.issued["refresh_token"] == 1


def test_another_clients_rotation_is_taken_from_the_store(sandbox: Sandbox, home: Path) -> None:
    login(sandbox, home)
    env = login_env(sandbox, home)
    with Client.from_env(env) as first:
        assert list(first.events(user_id=USER, limit=1))
        expire_stored(home)
        with Client.from_env(env) as second:
            assert list(second.events(user_id=USER, limit=1))  # refreshes: first's pair dies
        assert sandbox.oauth.issued["refresh_token"] == 1
        # first still holds the dead pair: its 401 re-reads the store and takes second's.
        assert list(first.events(user_id=USER, limit=1))
    assert sandbox.oauth.issued["refresh_token"] == 1


def test_a_revoked_login_says_to_log_in_again_and_keeps_the_store(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    before = stored_file(home).read_bytes()
    sandbox.oauth.revoke_all()
    with (
        Client.from_env(login_env(sandbox, home)) as c,
        pytest.raises(errors.AuthenticationError) as info,
    ):
        list(c.events(user_id=USER))
    assert "expired or was revoked" in str(info.value)
    assert "zdevents auth login" in str(info.value)
    assert stored_file(home).read_bytes() == before


def test_a_failing_refresh_never_changes_the_stored_login(sandbox: Sandbox, home: Path) -> None:
    login(sandbox, home)
    expire_stored(home)
    before = stored_file(home).read_bytes()
    sandbox.oauth.fail_next_token_requests(3, 503)
    with (
        Client.from_env(
            login_env(sandbox, home), max_retries=1, backoff_base=0.001, backoff_cap=0.001
        ) as c,
        pytest.raises(errors.ServerError),
    ):
        list(c.events(user_id=USER))
    assert stored_file(home).read_bytes() == before
    # The next run, with the network back, refreshes with the same stored pair.
    with Client.from_env(login_env(sandbox, home)) as c:
        assert list(c.events(user_id=USER, limit=1))
    assert sandbox.oauth.issued["refresh_token"] == 1


def test_threads_with_their_own_clients_refresh_once(sandbox: Sandbox, home: Path) -> None:
    login(sandbox, home)
    expire_stored(home)
    env = login_env(sandbox, home)
    clients = [Client.from_env(env) for _ in range(6)]
    start = threading.Barrier(len(clients))
    counts: list[int] = []

    def read(client: Client) -> None:
        start.wait()
        counts.append(len(list(client.events(user_id=USER, limit=2))))

    threads = [threading.Thread(target=read, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    assert counts == [2] * 6
    assert sandbox.oauth.issued["refresh_token"] == 1


def test_async_tasks_refresh_once(sandbox: Sandbox, home: Path) -> None:
    login(sandbox, home)
    expire_stored(home)

    async def main() -> list[int]:
        async with AsyncClient.from_env(login_env(sandbox, home)) as c:

            async def read() -> int:
                return len([e async for e in c.events(user_id=USER, limit=2)])

            return await asyncio.gather(*(read() for _ in range(8)))

    assert asyncio.run(main()) == [2] * 8
    assert sandbox.oauth.issued["refresh_token"] == 1


_CHILD = textwrap.dedent(
    """
    import sys
    from zdevents import Client
    sys.stdin.readline()  # every child waits here until the parent says go
    with Client.from_env() as client:
        print(len(list(client.events(user_id=85211553, limit=3))), flush=True)
    """
)


def _child_env(sandbox: Sandbox, home: Path) -> dict[str, str]:
    env = login_env(sandbox, home)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "generated")])
    return env


def test_processes_hitting_an_expired_token_refresh_once_and_the_last_pair_is_on_disk(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    expire_stored(home)
    env = _child_env(sandbox, home)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = [child.communicate(timeout=120) for child in children]
    assert [c.returncode for c in children] == [0] * 4, outputs
    assert [out.strip() for out, _ in outputs] == ["3"] * 4
    assert sandbox.oauth.issued["refresh_token"] == 1
    # The pair on disk is the live one: a new client uses it without refreshing.
    with Client.from_env(login_env(sandbox, home)) as c:
        assert list(c.events(user_id=USER, limit=1))
    assert sandbox.oauth.issued["refresh_token"] == 1


_CRASH = textwrap.dedent(
    """
    import os
    from zdevents import Client, _auth
    save = _auth.LoginStore.save
    def save_then_crash(self, login):
        save(self, login)
        os._exit(17)  # killed right after the new pair is on disk, before using it
    _auth.LoginStore.save = save_then_crash
    with Client.from_env() as client:
        list(client.events(user_id=85211553, limit=1))
    """
)


def test_a_crash_right_after_the_store_is_written_loses_nothing(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    expire_stored(home)
    crashed = subprocess.run(
        [sys.executable, "-c", _CRASH],
        env=_child_env(sandbox, home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert crashed.returncode == 17, crashed.stderr
    assert sandbox.oauth.issued["refresh_token"] == 1
    with Client.from_env(login_env(sandbox, home)) as c:
        assert list(c.events(user_id=USER, limit=1))
    assert sandbox.oauth.issued["refresh_token"] == 1  # the saved pair was the live one
    assert not list(stored_file(home).parent.glob("*.tmp"))


def test_access_token_status_and_logout(sandbox: Sandbox, home: Path) -> None:
    login(sandbox, home)
    expire_stored(home)
    env = login_env(sandbox, home)
    with Client.from_env(env) as c:
        token = access_token(c)  # refreshed first
        assert sandbox.oauth.issued["refresh_token"] == 1
        assert token == stored(home)["access_token"]
        status = auth_status(c)
        assert status.expires_at is not None and status.refresh_expires_at is not None
        assert logout(c) is True
    assert not stored_file_exists(home)
    dead = httpx.get(
        f"{sandbox.base_url}/api/v2/oauth/tokens/current.json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert dead.status_code == 401  # revoked at the server too
    with pytest.raises(errors.ConfigurationError, match="no Zendesk credentials"):
        Client.from_env(env)


def stored_file_exists(home: Path) -> bool:
    return any((home / "logins").glob("*.json"))


# --- secrets -------------------------------------------------------------------------------


class _Echo(http.server.BaseHTTPRequestHandler):
    """A token endpoint that echoes the request body in its refusal, in two encodings."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        data = json.loads(body)
        echoed = " ".join(str(v) for v in data.values())
        answer = json.dumps(
            {"error": "invalid_client", "error_description": f"bad: {echoed} {body}"}
        ).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


def test_a_secret_echoed_by_the_token_endpoint_is_never_shown(
    serve: Callable[[type[http.server.BaseHTTPRequestHandler]], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "Sup3r-Secret-Value-42"
    url = serve(_Echo)
    with (
        caplog.at_level(logging.DEBUG),
        Client(base_url=url, oauth_client_id="cid", oauth_client_secret=secret) as c,
        pytest.raises(errors.ZendeskError) as info,
    ):
        list(c.events(user_id=USER))
    shown = [str(info.value), repr(info.value), repr(c), *(r.getMessage() for r in caplog.records)]
    shown += [json.dumps(getattr(info.value, "errors", []))]
    assert not any(secret in text for text in shown)
    assert "invalid_client" in str(info.value)


def test_no_token_of_a_refresh_reaches_a_log_record_or_repr(
    sandbox: Sandbox, home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    login(sandbox, home)
    old = stored(home)
    expire_stored(home)
    with caplog.at_level(logging.DEBUG), Client.from_env(login_env(sandbox, home)) as c:
        assert list(c.events(user_id=USER, limit=1))
        shown = [repr(c), repr(auth_of(c)), repr(vars(auth_of(c))), str(auth_status(c))]
    new = stored(home)
    shown += [r.getMessage() for r in caplog.records]
    assert any("refreshed the stored OAuth login" in text for text in shown)
    for token in (old["access_token"], old["refresh_token"], new["access_token"]):
        assert not any(token in text for text in shown)
        assert not any(token in text for text in shown)


def test_a_token_dying_in_a_bulk_export_costs_one_refresh_across_workers(
    sandbox: Sandbox, home: Path
) -> None:
    for n in range(6):
        sandbox.add_events(
            [
                {
                    "profile": {
                        "source": "shop",
                        "type": "customer",
                        "identifiers": [{"type": "email", "value": f"p{n}@example.com"}],
                    },
                    "event": {"source": "shop", "type": f"e{i}", "properties": {}},
                }
                for i in range(30)
            ]
        )
    people = [f"shop:customer:email:p{n}@example.com" for n in range(6)]
    login(sandbox, home)
    seen: dict[str, list[str]] = {}
    with Client.from_env(login_env(sandbox, home)) as c:
        for count, (selector, event) in enumerate(
            c.events_many(people, concurrency=4, page_size=5)
        ):
            seen.setdefault(str(selector), []).append(event.type)
            if count == 20:
                sandbox.oauth.expire_access_tokens()
    assert sorted(seen) == sorted(people)
    assert all(types == [f"e{i}" for i in range(30)] for types in seen.values())
    assert sandbox.oauth.issued["refresh_token"] == 1


def test_invalid_grant_takes_a_pair_another_process_stored_meanwhile(
    sandbox: Sandbox, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zdevents import _auth

    login(sandbox, home)
    env = login_env(sandbox, home)
    expire_stored(home)
    old_text = stored_file(home).read_text()
    with Client.from_env(env) as other:
        assert list(other.events(user_id=USER, limit=1))  # rotates: the old pair dies
    assert sandbox.oauth.issued["refresh_token"] == 1
    # A writer that took no lock: this client's reads (at start, and under the lock) still
    # see the old pair; the rotation shows only from the third read on.
    real_load = _auth.LoginStore.load
    reads: list[int] = []

    def late_rotation(self: Any) -> Any:
        reads.append(1)
        if len(reads) <= 2:
            return _auth.StoredLogin.from_json(old_text, self.path)
        return real_load(self)

    monkeypatch.setattr(_auth.LoginStore, "load", late_rotation)
    with Client.from_env(env) as late:
        assert list(late.events(user_id=USER, limit=1))
    assert sandbox.oauth.refused["invalid_grant"] == 1  # its refresh with the dead pair
    assert sandbox.oauth.issued["refresh_token"] == 1  # and then the stored pair, no other
    assert len(reads) == 3


def test_a_refresh_refused_for_the_client_names_the_client_not_the_login(
    sandbox: Sandbox, home: Path
) -> None:
    login(sandbox, home)
    path = stored_file(home)
    data = json.loads(path.read_text())
    data.update(client_id="deleted_client", expires_at=1.0)
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    with (
        Client.from_env(login_env(sandbox, home)) as c,
        pytest.raises(errors.AuthenticationError) as info,
    ):
        list(c.events(user_id=USER))
    assert "invalid_client" in str(info.value) and "expired" not in str(info.value)
    assert path.read_bytes() == before
