"""The sandbox's options: declared once, typed, passed through to every entry point."""

from __future__ import annotations

import typing
from pathlib import Path

import httpx
import pytest

from zdevents.sandbox import Options, Sandbox, create_app

USER_SCRIPT = """\
from zdevents.sandbox import Options, Sandbox, create_app

options: Options = {"rate_limit": 5, "latency": 0.1}
Sandbox(seed="demo", **options)
Sandbox(faults="503=0.1", fault_seed=1, retry_after=0, request_timeout=2.0, clock=lambda: 0.0)
create_app(None, email="a@b.example", api_token="t", oauth_token=None, end_user_email=None)
Sandbox(rate_limt=5)
create_app(latency="slow")
"""


@pytest.mark.slow
@pytest.mark.xdist_group("mypy")
def test_a_misspelt_or_mistyped_option_is_a_mypy_error(
    tmp_path: Path, mypy_strict: typing.Any
) -> None:
    script = tmp_path / "user_tests.py"
    script.write_text(USER_SCRIPT, encoding="utf-8")
    result = mypy_strict("--no-error-summary", str(script))
    lines = sorted(
        {line.split(":")[1] for line in result.stdout.splitlines() if ": error:" in line}
    )
    assert lines == ["7", "8"], result.stdout
    assert '"rate_limt"' in result.stdout


def test_public_names_report_the_package() -> None:
    import zdevents.sandbox

    for name in zdevents.sandbox.__all__:
        value = getattr(zdevents.sandbox, name)
        if hasattr(value, "__module__") and callable(value):
            assert value.__module__ == "zdevents.sandbox", name
    assert repr(Sandbox).startswith("<class 'zdevents.sandbox.Sandbox'")


def test_a_misspelt_option_is_refused_at_run_time() -> None:
    with pytest.raises(TypeError, match="rate_limt"):
        Sandbox(rate_limt=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="rate_limt"):
        create_app(rate_limt=5)  # type: ignore[call-arg]


def test_every_option_reaches_the_running_server() -> None:
    # One value per declared option, none of them a default; each shows in behaviour.
    ticks = iter(range(10_000))
    values: Options = {
        "email": "ops@example.com",
        "api_token": "tok-1",
        "oauth_token": "oauth-1",
        "end_user_email": "visitor@example.com",
        "agent_email": "helper@example.com",
        "rate_limit": 7,
        "export_rate_limit": 3,
        "latency": 0.01,
        "faults": "500=0",
        "fault_seed": 3,
        "retry_after": 9,
        "request_timeout": 3.0,
        "clock": lambda: float(next(ticks)),
        "oauth_public_client_id": "pub-1",
        "oauth_client_id": "conf-1",
        "oauth_client_secret": "csec-1",
        "access_token_lifetime": 400,
        "refresh_token_lifetime": 700_000,
        "deny_authorization": True,
        "token_clock": lambda: 5_000_000.0,
    }
    assert set(values) == set(typing.get_type_hints(Options))
    with Sandbox(**values) as sandbox:
        assert (sandbox.email, sandbox.api_token) == ("ops@example.com", "tok-1")
        assert (sandbox.oauth_token, sandbox.end_user_email) == ("oauth-1", "visitor@example.com")
        assert (sandbox.rate_limit, sandbox.latency) == (7, 0.01)
        url = f"{sandbox.base_url}/api/v2/users/1/events"
        bearer = httpx.get(url, headers={"Authorization": "Bearer oauth-1"})
        assert bearer.status_code == 404  # authenticated; no such user
        assert bearer.headers["x-rate-limit"] == "7"
        visitor = httpx.get(url, auth=("visitor@example.com/token", "tok-1"))
        assert visitor.status_code == 403
        export = f"{sandbox.base_url}/api/v2/incremental/users/cursor?start_time=0"
        helper = httpx.get(export, auth=("helper@example.com/token", "tok-1"))
        assert helper.status_code == 403 and "access" in helper.text  # an agent, no admin
        assert (sandbox.agent_email, sandbox.export_rate_limit) == ("helper@example.com", 3)
        minted = httpx.post(
            f"{sandbox.base_url}/oauth/tokens",
            json={"grant_type": "client_credentials", "client_id": "conf-1",
                  "client_secret": "csec-1", "expires_in": 3600},
        ).json()  # fmt: skip
        assert minted["expires_in"] == 400  # the lifetime caps what was asked
        shown = httpx.get(
            f"{sandbox.base_url}/api/v2/oauth/tokens/current.json",
            headers={"Authorization": f"Bearer {minted['access_token']}"},
        ).json()["token"]
        assert shown["expires_at"] == "1970-02-27T21:00:00Z"  # token_clock + 400 s
        assert shown["client_id"] == "conf-1"
        denied = httpx.get(
            f"{sandbox.base_url}/oauth/authorizations/new",
            params={"response_type": "code", "client_id": "pub-1", "scope": "read",
                    "redirect_uri": "http://127.0.0.1:1/", "code_challenge": "c" * 43,
                    "code_challenge_method": "S256"},
        )  # fmt: skip
        assert "error=access_denied" in denied.headers["location"]
        assert sandbox.oauth.refresh_token_lifetime == 700_000
        sandbox.set_faults("429=1", retry_after=None)
        assert httpx.get(url, auth=("ops@example.com/token", "tok-1")).headers["retry-after"] == "9"
    app = create_app(**values)
    assert app.settings.email == "ops@example.com"
