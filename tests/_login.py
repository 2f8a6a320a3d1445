"""Helpers of the OAuth tests: a browser login against a sandbox, done by a thread that
follows the authorization URL (the sandbox approves at once and redirects to the login's
loopback listener), and the environment of a stored login."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import httpx

from zdevents import AuthStatus, Login
from zdevents.sandbox import Sandbox

CREDENTIAL_VARIABLES = (
    "ZENDESK_SUBDOMAIN",
    "ZENDESK_BASE_URL",
    "ZENDESK_EMAIL",
    "ZENDESK_API_TOKEN",
    "ZENDESK_OAUTH_TOKEN",
    "ZENDESK_OAUTH_CLIENT_ID",
    "ZENDESK_OAUTH_CLIENT_SECRET",
    "ZENDESK_OAUTH_SCOPE",
    "ZDEVENTS_HOME",
)


def follow(url: str) -> httpx.Response:
    """What a browser does with the authorization URL: follow it to the loopback page."""
    return httpx.get(url, follow_redirects=True, timeout=30)


def new_login(sandbox: Sandbox, home: Path, **options: Any) -> Login:
    """A browser login to ``sandbox`` (its public client by default), stored under ``home``."""
    return Login(
        client_id=options.pop("client_id", sandbox.oauth_public_client_id),
        base_url=sandbox.base_url,
        port=0,
        home=str(home),
        **options,
    )


def approve(attempt: Login) -> AuthStatus:
    """The browser (a thread following the URL) and the login's wait, together."""
    browser = threading.Thread(target=follow, args=(attempt.url,))
    browser.start()
    try:
        return attempt.wait(30)
    finally:
        browser.join()


def login(sandbox: Sandbox, home: Path, **options: Any) -> AuthStatus:
    """Log in to ``sandbox`` with its public client; the login is stored under ``home``."""
    with new_login(sandbox, home, **options) as attempt:
        return approve(attempt)


def login_env(sandbox: Sandbox, home: Path) -> dict[str, str]:
    """An environment with the account and the login folder, and no credentials."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    env["ZENDESK_BASE_URL"] = sandbox.base_url
    env["ZDEVENTS_HOME"] = str(home)
    return env


def stored_file(home: Path) -> Path:
    (found,) = (home / "logins").glob("*.json")
    return found


def stored(home: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(stored_file(home).read_text())
    return data


def expire_stored(home: Path, at: float = 1.0) -> None:
    """Make the stored access token look expired to the client (its file says so)."""
    path = stored_file(home)
    data = json.loads(path.read_text())
    data["expires_at"] = at
    path.write_text(json.dumps(data))
    path.chmod(0o600)
