"""Where the base URL and credentials come from: arguments, environment, and what is refused.

Pinned further where mutants of the credential checks outlived the suite (issue 15): every
spelling of the secret is scrubbed from errors (the bare token and the bare base64 credential
too), mixed credentials are refused, the documented ``{email}/token`` user name is taken once,
and a non-ASCII email is a valid user name.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import subprocess
import sys
import threading
from typing import Any

import httpx
import pytest

from tests._mock import (
    API_TOKEN,
    EMAIL,
    OAUTH_TOKEN,
    Recorder,
    client,
    mock_async_http_client,
    mock_http_client,
    never,
    ok,
    page_body,
)
from zdevents import AsyncClient, Client, errors
from zdevents.errors import ConfigurationError


def base_of(**options: str) -> str:
    c = Client(**options)  # type: ignore[arg-type]
    try:
        return str(c.base_url)
    finally:
        c.close()


@pytest.mark.parametrize(
    ("subdomain", "base"),
    [
        ("coolbikes", "https://coolbikes.zendesk.com"),
        ("CoolBikes", "https://coolbikes.zendesk.com"),
        ("d3v-42", "https://d3v-42.zendesk.com"),
        ("a" * 63, f"https://{'a' * 63}.zendesk.com"),
    ],
)
def test_subdomain_gives_https_zendesk_origin(subdomain: str, base: str) -> None:
    assert base_of(subdomain=subdomain, oauth_token=OAUTH_TOKEN).rstrip("/") == base


@pytest.mark.parametrize(
    "subdomain",
    [
        "",
        "coolbikes.zendesk.com",
        "cool bikes",
        "-coolbikes",
        "coolbikes-",
        "a" * 64,
        "cool_bikes",
        "coolbikes/evil",
        "evil.com#",
        "coolbikes:8443",
        "bücher",
        "cool.bikes",
        "évil",
        "evil.example/",
        "a@b",
        "coolbikes\n",
        "coolbikes#",
        "..",
    ],
)
def test_invalid_subdomain_is_refused(subdomain: str) -> None:
    with pytest.raises(errors.ConfigurationError, match="not a valid DNS label"):
        Client(subdomain=subdomain, oauth_token=OAUTH_TOKEN)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8765",
        "http://localhost:8765",
        "http://LOCALHOST",
        "http://[::1]:8765",
        "http://127.0.0.2",
        "https://events.example.com",
        "https://proxy.example.com/zendesk",
    ],
)
def test_allowed_base_urls(base_url: str) -> None:
    assert base_of(base_url=base_url, oauth_token=OAUTH_TOKEN).rstrip("/") == base_url.rstrip(
        "/"
    ).replace("LOCALHOST", "localhost")


@pytest.mark.parametrize(
    "base_url",
    [
        "http://coolbikes.zendesk.com",
        "http://10.0.0.1:8765",
        "http://0.0.0.0:8765",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "http://[::2]",
        "http://example.com",
        "http://[::ffff:8.8.8.8]",
    ],
)
def test_plain_http_is_refused_for_non_loopback_hosts(base_url: str) -> None:
    with pytest.raises(errors.ConfigurationError, match="plain http"):
        Client(base_url=base_url, oauth_token=OAUTH_TOKEN)


@pytest.mark.parametrize(
    "base_url",
    [
        "ftp://coolbikes.zendesk.com",
        "coolbikes.zendesk.com",
        "/api/v2",
        "https://coolbikes.zendesk.com/?x=1",
        "https://coolbikes.zendesk.com/#frag",
        "https://user:pass@coolbikes.zendesk.com",
    ],
)
def test_malformed_base_urls_are_refused(base_url: str) -> None:
    with pytest.raises(errors.ConfigurationError):
        Client(base_url=base_url, oauth_token=OAUTH_TOKEN)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://devs:hunter2secret@coolbikes.zendesk.com",
        "ftp://devs:hunter2secret@x",
        "https://devs:hunter2secret@host:notaport",
        "devs:hunter2secret@coolbikes.zendesk.com",
    ],
)
def test_credentials_in_a_base_url_are_not_echoed(base_url: str) -> None:
    with pytest.raises(errors.ConfigurationError) as info:
        Client(base_url=base_url, oauth_token=OAUTH_TOKEN)
    assert "hunter2secret" not in str(info.value)


def test_subdomain_and_base_url_together_are_refused() -> None:
    with pytest.raises(errors.ConfigurationError, match="exactly one of subdomain and base_url"):
        Client(subdomain="coolbikes", base_url="https://x.example", oauth_token=OAUTH_TOKEN)
    with pytest.raises(errors.ConfigurationError, match="exactly one of subdomain and base_url"):
        Client(oauth_token=OAUTH_TOKEN)


@pytest.mark.parametrize(
    ("credentials", "match"),
    [
        ({}, "credentials missing"),
        ({"email": EMAIL}, "credentials missing"),
        ({"api_token": API_TOKEN}, "credentials missing"),
        ({"email": EMAIL, "api_token": API_TOKEN, "oauth_token": OAUTH_TOKEN}, "not both"),
        ({"email": "", "api_token": API_TOKEN}, "email must be a non-empty string"),
        ({"email": EMAIL, "api_token": " "}, "api_token must be a non-empty string"),
        ({"oauth_token": ""}, "oauth_token must be a non-empty string"),
        ({"email": EMAIL, "api_token": "tok\r\nX-Evil: 1"}, "control character"),
    ],
)
def test_bad_credentials_are_refused(credentials: dict[str, str], match: str) -> None:
    with pytest.raises(errors.ConfigurationError, match=match):
        Client(subdomain="coolbikes", **credentials)


def test_configuration_error_is_a_value_error_and_a_zendesk_error() -> None:
    with pytest.raises(ValueError):
        Client(subdomain="coolbikes")
    with pytest.raises(errors.ZendeskError):
        Client(subdomain="coolbikes")


# --- from_env ---------------------------------------------------------------------------------


def test_from_env_subdomain_and_api_token() -> None:
    env = {"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_EMAIL": EMAIL, "ZENDESK_API_TOKEN": API_TOKEN}
    with Client.from_env(env) as c:
        assert str(c.base_url).rstrip("/") == "https://coolbikes.zendesk.com"
        assert "auth='api_token'" in repr(c)
        assert EMAIL in repr(c)


def test_from_env_base_url_and_oauth() -> None:
    env = {"ZENDESK_BASE_URL": "http://127.0.0.1:8765", "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}
    with Client.from_env(env) as c:
        assert str(c.base_url).rstrip("/") == "http://127.0.0.1:8765"
        assert "auth='oauth'" in repr(c)


def test_from_env_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ZENDESK_BASE_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ZENDESK_SUBDOMAIN", "fromenv")
    monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", OAUTH_TOKEN)
    with Client.from_env() as c:
        assert c.base_url.host == "fromenv.zendesk.com"


def test_from_env_passes_options_through() -> None:
    hits: list[str] = []

    class Failing(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "ZENDESK_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}",
        "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN,
    }
    try:
        with (
            Client.from_env(env, timeout=3.0, max_retries=0) as c,
            pytest.raises(errors.ServerError),
        ):
            list(c.events(user_id=1))
    finally:
        server.shutdown()
        server.server_close()
    assert len(hits) == 1  # max_retries=0 reached the client


def test_from_env_explicit_account_or_credentials_replace_the_environment() -> None:
    env = {
        "ZENDESK_SUBDOMAIN": "coolbikes",
        "ZENDESK_EMAIL": EMAIL,
        "ZENDESK_API_TOKEN": API_TOKEN,
    }
    with Client.from_env(env, base_url="http://127.0.0.1:9", oauth_token=OAUTH_TOKEN) as c:
        assert c.base_url.host == "127.0.0.1"
        assert "auth='oauth'" in repr(c)
    with Client.from_env(env, subdomain="other") as c:
        assert c.base_url.host == "other.zendesk.com"
        assert "auth='api_token'" in repr(c)


def test_from_env_async() -> None:
    import asyncio

    env = {"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}
    c = AsyncClient.from_env(env)
    assert isinstance(c, AsyncClient)
    assert c.base_url.host == "coolbikes.zendesk.com"
    asyncio.run(c.close())


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, ["ZENDESK_SUBDOMAIN", "ZENDESK_BASE_URL"]),
        ({"ZENDESK_EMAIL": EMAIL, "ZENDESK_API_TOKEN": API_TOKEN}, ["ZENDESK_SUBDOMAIN"]),
        ({"ZENDESK_SUBDOMAIN": "coolbikes"}, ["ZENDESK_EMAIL", "ZENDESK_OAUTH_TOKEN"]),
        ({"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_EMAIL": EMAIL}, ["ZENDESK_API_TOKEN"]),
        ({"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_API_TOKEN": API_TOKEN}, ["ZENDESK_EMAIL"]),
        ({"ZENDESK_SUBDOMAIN": " ", "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}, ["ZENDESK_SUBDOMAIN"]),
        ({"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_OAUTH_TOKEN": "  "}, ["ZENDESK_OAUTH_TOKEN"]),
    ],
)
def test_from_env_names_what_is_missing(env: dict[str, str], names: list[str]) -> None:
    with pytest.raises(errors.ConfigurationError) as info:
        Client.from_env(env)
    for name in names:
        assert name in str(info.value)
    for secret in (API_TOKEN, OAUTH_TOKEN):
        assert secret not in str(info.value)


def test_from_env_missing_api_token_says_so() -> None:
    with pytest.raises(errors.ConfigurationError, match="ZENDESK_API_TOKEN is missing"):
        Client.from_env({"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_EMAIL": EMAIL})
    with pytest.raises(errors.ConfigurationError, match="ZENDESK_EMAIL is missing"):
        Client.from_env({"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_API_TOKEN": API_TOKEN})


def test_from_env_invalid_subdomain_is_refused() -> None:
    with pytest.raises(errors.ConfigurationError, match="DNS label"):
        Client.from_env({"ZENDESK_SUBDOMAIN": "coolbikes.zendesk.com", "ZENDESK_OAUTH_TOKEN": "t"})


def test_from_env_plain_http_base_url_is_refused() -> None:
    with pytest.raises(errors.ConfigurationError, match="plain http"):
        Client.from_env({"ZENDESK_BASE_URL": "http://example.com", "ZENDESK_OAUTH_TOKEN": "t"})


def test_base_url_client_sends_to_the_configured_origin() -> None:
    rec = Recorder(page_body(has_more=False))
    with client(rec, base_url="http://[::1]:8765") as c:
        list(c.events(user_id=3))
    assert str(rec.last.url) == "http://[::1]:8765/api/v2/users/3/events?page%5Bsize%5D=100"


@pytest.mark.parametrize(
    "credentials",
    [{"oauth_token": "tökenSECRET"}, {"email": EMAIL, "api_token": "tökenSECRET"}],
)
def test_non_ascii_tokens_are_refused_without_quoting_them(credentials: dict[str, str]) -> None:
    with pytest.raises(errors.ConfigurationError) as info:
        Client(subdomain="coolbikes", **credentials)
    assert "SECRET" not in str(info.value)


# --- two kinds of credentials --------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"ZENDESK_EMAIL": EMAIL, "ZENDESK_API_TOKEN": API_TOKEN},
        {"ZENDESK_API_TOKEN": API_TOKEN},
        {"ZENDESK_EMAIL": EMAIL},
    ],
)
@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_from_env_with_both_kinds_of_credentials_names_the_variables(
    cls: type[Any], extra: dict[str, str]
) -> None:
    env = {"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN, **extra}
    with pytest.raises(errors.ConfigurationError) as info:
        cls.from_env(env)
    message = str(info.value)
    for name in (*extra, "ZENDESK_OAUTH_TOKEN"):
        assert name in message
    assert OAUTH_TOKEN not in message and API_TOKEN not in message


@pytest.mark.parametrize(
    ("extra", "named", "kinds"),
    [
        ({"ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}, "ZENDESK_OAUTH_TOKEN", 2),
        (
            {"ZENDESK_EMAIL": EMAIL, "ZENDESK_API_TOKEN": API_TOKEN},
            "ZENDESK_EMAIL, ZENDESK_API_TOKEN",
            2,
        ),
        (
            {"ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN, "ZENDESK_API_TOKEN": API_TOKEN},
            "ZENDESK_OAUTH_TOKEN, ZENDESK_API_TOKEN",
            3,
        ),
    ],
)
def test_from_env_with_an_oauth_client_and_another_kind_names_every_variable(
    extra: dict[str, str], named: str, kinds: int
) -> None:
    env = {
        "ZENDESK_SUBDOMAIN": "coolbikes",
        "ZENDESK_OAUTH_CLIENT_ID": "cid",
        "ZENDESK_OAUTH_CLIENT_SECRET": "csecret",
        **extra,
    }
    with pytest.raises(errors.ConfigurationError) as info:
        Client.from_env(env)
    assert str(info.value) == (
        f"ZENDESK_OAUTH_CLIENT_ID, ZENDESK_OAUTH_CLIENT_SECRET, {named} are set: these are "
        f"{kinds} kinds of credentials; unset all but one kind (OAuth client, OAuth token, or "
        "email with API token)"
    )


@pytest.mark.parametrize(
    "credentials",
    [
        {},  # none: the stored login would be used
        {"ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN},
        {"ZENDESK_EMAIL": EMAIL, "ZENDESK_API_TOKEN": API_TOKEN},
        {"ZENDESK_OAUTH_CLIENT_ID": "cid", "ZENDESK_OAUTH_CLIENT_SECRET": "csecret"},
    ],
    ids=["stored-login", "oauth-token", "api-token", "client-credentials"],
)
@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_from_env_with_subdomain_and_base_url_both_set_names_both(
    cls: type[Any], credentials: dict[str, str], tmp_path: Any
) -> None:
    # A leftover sandbox export next to a production subdomain: neither may win silently.
    env = {
        "ZENDESK_SUBDOMAIN": "coolbikes",
        "ZENDESK_BASE_URL": "http://127.0.0.1:9",
        "ZDEVENTS_HOME": str(tmp_path),
        **credentials,
    }
    with pytest.raises(errors.ConfigurationError) as info:
        cls.from_env(env)
    assert str(info.value) == (
        "both ZENDESK_SUBDOMAIN and ZENDESK_BASE_URL are set: unset one of them"
    )
    for secret in (OAUTH_TOKEN, API_TOKEN, "csecret"):
        assert secret not in str(info.value)


# --- where logins are kept ---------------------------------------------------------------


def test_logins_are_kept_in_zdevents_home_else_the_xdg_config_folder_else_dot_config(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zdevents._config import login_home

    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    monkeypatch.chdir(tmp_path)
    assert login_home({}) == str(tmp_path / "me" / ".config" / "zdevents")
    assert login_home({"XDG_CONFIG_HOME": "xdg"}) == str(tmp_path / "xdg" / "zdevents")
    assert login_home({"XDG_CONFIG_HOME": "xdg", "ZDEVENTS_HOME": "~/z"}) == str(
        tmp_path / "me" / "z"
    )


def test_an_unknown_login_store_is_named_in_forty_characters_at_most() -> None:
    from zdevents._config import login_store_kind

    assert login_store_kind({}) == "file"
    assert login_store_kind({"ZDEVENTS_LOGIN_STORE": " KeyRing "}) == "keyring"
    with pytest.raises(ConfigurationError) as info:
        login_store_kind({"ZDEVENTS_LOGIN_STORE": "v" * 100})
    assert str(info.value) == (
        f"ZDEVENTS_LOGIN_STORE must be 'file' (the default) or 'keyring', not {'v' * 40!r}"
    )


def test_from_env_takes_every_option_of_the_constructor() -> None:
    import inspect

    for cls in (Client, AsyncClient):
        init = inspect.signature(cls.__init__).parameters
        env = inspect.signature(cls.from_env).parameters
        assert [n for n in init if n != "self"] == [n for n in env if n != "environ"]
        for name, parameter in init.items():
            if name != "self":
                assert env[name].default == parameter.default, name
                assert env[name].annotation == parameter.annotation, name


def test_from_env_uses_the_http_client_given() -> None:
    recorder = Recorder(ok(page_body([])))
    env = {"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}
    mine = mock_http_client(recorder)
    with Client.from_env(env, http_client=mine) as c:
        assert list(c.events(user_id=1)) == []
    assert [r.url.host for r in recorder.requests] == ["coolbikes.zendesk.com"]
    assert not mine.is_closed  # yours to close, as with the constructor
    mine.close()


def test_async_from_env_uses_the_http_client_given() -> None:
    import asyncio

    recorder = Recorder(ok(page_body([])))
    env = {"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}

    async def go() -> None:
        mine = mock_async_http_client(recorder)
        async with AsyncClient.from_env(env, http_client=mine) as c:
            assert [e async for e in c.events(user_id=1)] == []
        assert not mine.is_closed
        await mine.aclose()

    asyncio.run(go())
    assert [r.url.host for r in recorder.requests] == ["coolbikes.zendesk.com"]


@pytest.mark.parametrize("option", [{"trust_env": False}, {"verify": False}])
def test_verify_or_trust_env_beside_an_http_client_is_a_value_error(option: dict[str, Any]) -> None:
    # Your httpx client has its own proxies and TLS settings: trust_env=False given beside
    # it was ignored, and its requests (with the credentials) went through the proxy anyway.
    env = {"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}
    name = next(iter(option))
    with httpx.Client() as mine:
        with pytest.raises(ValueError, match=f"{name}=.* http_client"):
            Client.from_env(env, http_client=mine, **option)
        with pytest.raises(ValueError, match=f"{name}=.* http_client"):
            Client(subdomain="coolbikes", oauth_token=OAUTH_TOKEN, http_client=mine, **option)


def test_an_http_client_of_the_wrong_kind_is_a_type_error() -> None:
    env = {"ZENDESK_SUBDOMAIN": "coolbikes", "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}
    with pytest.raises(TypeError, match=r"http_client must be an httpx\.Client, not AsyncClient"):
        Client.from_env(env, http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with (
        httpx.Client() as sync,
        pytest.raises(TypeError, match=r"http_client must be an httpx\.AsyncClient, not Client"),
    ):
        AsyncClient.from_env(env, http_client=sync)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not str"):
        AsyncClient.from_env(env, http_client="nope")  # type: ignore[arg-type]


def test_from_env_explicit_credentials_replace_conflicting_ones() -> None:
    env = {
        "ZENDESK_SUBDOMAIN": "coolbikes",
        "ZENDESK_EMAIL": EMAIL,
        "ZENDESK_API_TOKEN": API_TOKEN,
        "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN,
    }
    with Client.from_env(env, oauth_token=OAUTH_TOKEN) as c:
        assert "auth='oauth'" in repr(c)


def test_the_constructor_refuses_both_kinds_too() -> None:
    with pytest.raises(errors.ConfigurationError, match="not both"):
        Client(subdomain="coolbikes", email=EMAIL, api_token=API_TOKEN, oauth_token=OAUTH_TOKEN)


# --- ZDEVENTS_LOG -------------------------------------------------------------------------

_SCRIPT = """
import sys, zdevents
with zdevents.Client(base_url=sys.argv[1], email="jdoe@example.com", api_token=sys.argv[2],
                     backoff_base=0.01) as c:
    print(len(list(c.events(identifier="shop:customer:email:jdoe@example.com"))))
"""


def _flaky_server() -> http.server.ThreadingHTTPServer:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            first = len(hits) == 1
            body = b"" if first else b'{"events": [], "meta": {"has_more": false}}'
            self.send_response(503 if first else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.mark.parametrize("level", ["info", "debug", "", "verbose"])
def test_zdevents_log_sends_retries_and_requests_to_stderr(level: str) -> None:
    server = _flaky_server()
    try:
        env = {k: v for k, v in os.environ.items() if k != "ZDEVENTS_LOG"}
        env["ZDEVENTS_LOG"] = level
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _SCRIPT,
                f"http://127.0.0.1:{server.server_address[1]}",
                API_TOKEN,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.stdout.strip() == "0"
    err = done.stderr
    assert API_TOKEN not in err
    if level in ("info", "debug"):
        assert "retrying GET /api/v2/user_profiles/events (attempt 2 of 5) after HTTP 503" in err
        assert "waiting" in err
    else:
        # Only the once-per-process notice that API tokens end (the script uses one), and
        # for a value that names no level, one line saying so.
        said = [line for line in err.splitlines() if not line.startswith("API tokens stop")]
        if level:
            assert said == [
                f"zdevents: ZDEVENTS_LOG={level!r} is not a level zdevents knows "
                "(info or debug): nothing is logged"
            ]
        else:
            assert said == []
        assert len(err.splitlines()) == 1 + len(said)
    if level == "debug":
        assert "GET http://127.0.0.1" in err and "-> 200" in err and "-> 503" in err
        assert "jdoe%40example.com" in err or "jdoe@example.com" in err  # queries at debug
    else:
        # People's emails (in the identifier query) only at debug.
        assert "jdoe" not in err


# --- pinned where mutants of the credential checks outlived the suite (issue 15) -----------

CREDENTIAL = base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()
SPELLINGS = {
    "the bare token": API_TOKEN,
    "the bare base64 credential": CREDENTIAL,
    "the header value": f"Basic {CREDENTIAL}",
}
OAUTH_SPELLINGS = {"the bare token": OAUTH_TOKEN, "the header value": f"Bearer {OAUTH_TOKEN}"}


def shown(exc: errors.APIError) -> str:
    """Everything an error shows or carries."""
    return "\n".join(
        [str(exc), repr(exc), exc.message, exc.body or "", json.dumps(exc.errors, default=str)]
    )


def failure(echo: str, **options: Any) -> list[errors.APIError]:
    # A proxy's error page quoting what it was sent, as text and as a JSON error.
    bodies = [
        httpx.Response(401, text=f"denied: {echo} (from the proxy)"),
        httpx.Response(403, json={"error": "Forbidden", "description": f"sent {echo}"}),
        httpx.Response(400, json={"errors": [{"title": "Bad", "detail": f"auth was {echo}"}]}),
    ]
    caught: list[errors.APIError] = []
    for body in bodies:
        with client(Recorder(body), **options) as c, pytest.raises(errors.APIError) as info:
            list(c.events(user_id=1))
        caught.append(info.value)
    return caught


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_every_spelling_of_the_api_token_credential_is_scrubbed(spelling: str) -> None:
    secret = SPELLINGS[spelling]
    for exc in failure(secret):
        text = shown(exc)
        assert API_TOKEN not in text
        assert CREDENTIAL not in text
        assert secret not in text
        assert exc.status_code in (400, 401, 403)


@pytest.mark.parametrize("spelling", sorted(OAUTH_SPELLINGS))
def test_every_spelling_of_the_oauth_token_is_scrubbed(spelling: str) -> None:
    secret = OAUTH_SPELLINGS[spelling]
    for exc in failure(secret, oauth_token=OAUTH_TOKEN):
        assert OAUTH_TOKEN not in shown(exc)


def test_an_error_without_the_secret_keeps_its_text() -> None:
    [text, described, listed] = failure("nothing secret")
    assert "denied: nothing secret (from the proxy)" in str(text)
    assert "sent nothing secret" in str(described)
    assert "auth was nothing secret" in str(listed)


# --- which credentials go together ---------------------------------------------------------


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": EMAIL, "oauth_token": OAUTH_TOKEN},
        {"api_token": API_TOKEN, "oauth_token": OAUTH_TOKEN},
        {"email": EMAIL, "api_token": API_TOKEN, "oauth_token": OAUTH_TOKEN},
        {"email": EMAIL},
        {"api_token": API_TOKEN},
        {},
    ],
    ids=lambda d: "+".join(d) or "none",
)
def test_mixed_or_incomplete_credentials_are_refused_before_any_request(
    credentials: dict[str, str],
) -> None:
    with pytest.raises(ConfigurationError) as info:
        Client(subdomain="coolbikes", http_client=mock_http_client(never), **credentials)
    assert API_TOKEN not in str(info.value)
    assert OAUTH_TOKEN not in str(info.value)


# --- the user name ---------------------------------------------------------------------------


def authorization_sent(email: str) -> str:
    rec = Recorder(page_body(has_more=False))
    with client(rec, email=email) as c:
        list(c.events(user_id=1))
    kind, _, value = rec.last.headers["authorization"].partition(" ")
    assert kind == "Basic"
    return base64.b64decode(value).decode("utf-8")


@pytest.mark.parametrize(
    ("email", "user"),
    [
        (EMAIL, EMAIL),
        (f"{EMAIL}/token", EMAIL),  # the documented user name, pasted as the email
        (f" {EMAIL} ", EMAIL),
        ("token/token@example.com", "token/token@example.com"),
        ("jürgen@bücher.example", "jürgen@bücher.example"),  # non-ASCII: sent as UTF-8
        ("名前@例え.jp/token", "名前@例え.jp"),
    ],
)
def test_the_user_name_is_the_email_with_one_token_suffix(email: str, user: str) -> None:
    assert authorization_sent(email) == f"{user}/token:{API_TOKEN}"


def test_oauth_is_sent_as_a_bearer_token() -> None:
    rec = Recorder(page_body(has_more=False))
    with client(rec, oauth_token=f" {OAUTH_TOKEN} ") as c:
        list(c.events(user_id=1))
    assert rec.last.headers["authorization"] == f"Bearer {OAUTH_TOKEN}"
