"""The sandbox as an OAuth server: Zendesk's rules, spoken over HTTP."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from zdevents.sandbox import Sandbox

VERIFIER = "v" * 43 + "-verifier"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")
REDIRECT = "http://127.0.0.1:47615/"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as started:
        yield started


def authorize(sandbox: Sandbox, **params: str) -> httpx.Response:
    query = {
        "response_type": "code",
        "client_id": sandbox.oauth_public_client_id,
        "redirect_uri": REDIRECT,
        "scope": "read write",
        "state": "s1",
        "code_challenge": CHALLENGE.decode(),
        "code_challenge_method": "S256",
        **params,
    }
    return httpx.get(f"{sandbox.base_url}/oauth/authorizations/new", params=query)


def code_of(response: httpx.Response) -> str:
    assert response.status_code == 302
    location = httpx.URL(response.headers["location"])
    assert str(location.copy_with(query=None)) == REDIRECT
    assert location.params["state"] == "s1"
    return location.params["code"]


def token(sandbox: Sandbox, **body: Any) -> httpx.Response:
    return httpx.post(f"{sandbox.base_url}/oauth/tokens", json=body)


def exchange(sandbox: Sandbox, code: str, **extra: Any) -> httpx.Response:
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": sandbox.oauth_public_client_id,
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
    }
    return token(sandbox, **{**body, **extra})


def events(sandbox: Sandbox, access: str) -> httpx.Response:
    return httpx.get(
        f"{sandbox.base_url}/api/v2/users/85211553/events",
        headers={"Authorization": f"Bearer {access}"},
    )


def test_code_flow_with_pkce_issues_a_pair_with_the_asked_lifetimes(sandbox: Sandbox) -> None:
    answer = exchange(
        sandbox, code_of(authorize(sandbox)), expires_in=3600, refresh_token_expires_in=900_000
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer" and body["scope"] == "read write"
    assert (body["expires_in"], body["refresh_token_expires_in"]) == (3600, 900_000)
    assert events(sandbox, body["access_token"]).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"code_verifier": "w" * 43},
        {"redirect_uri": "http://127.0.0.1:1/"},
        {"client_id": "zdevents_sandbox_confidential"},
    ],
)
def test_a_code_needs_its_verifier_redirect_and_client(
    sandbox: Sandbox, change: dict[str, str]
) -> None:
    code = code_of(authorize(sandbox))
    refused = exchange(sandbox, code, **change)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_a_code_is_used_once(sandbox: Sandbox) -> None:
    code = code_of(authorize(sandbox))
    assert exchange(sandbox, code).status_code == 200
    again = exchange(sandbox, code)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_a_public_client_must_use_pkce_and_cannot_use_client_credentials(
    sandbox: Sandbox,
) -> None:
    bare = authorize(sandbox, code_challenge="", code_challenge_method="")
    assert bare.status_code == 400
    refused = token(
        sandbox, grant_type="client_credentials", client_id=sandbox.oauth_public_client_id
    )
    assert (refused.status_code, refused.json()["error"]) == (400, "unauthorized_client")


def test_refresh_rotates_and_a_reused_refresh_token_is_invalid_grant(sandbox: Sandbox) -> None:
    first = exchange(sandbox, code_of(authorize(sandbox))).json()
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": sandbox.oauth_public_client_id,
    }
    second = token(sandbox, **refresh)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    # The old pair died at once.
    assert events(sandbox, first["access_token"]).status_code == 401
    reused = token(sandbox, **refresh)
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    assert events(sandbox, second.json()["access_token"]).status_code == 200


def test_client_credentials_and_its_errors(sandbox: Sandbox) -> None:
    good = {
        "grant_type": "client_credentials",
        "client_id": sandbox.oauth_client_id,
        "client_secret": sandbox.oauth_client_secret,
    }
    issued = token(sandbox, **good, scope="read")
    assert issued.status_code == 200 and "refresh_token" not in issued.json()
    wrong = token(sandbox, **{**good, "client_secret": "nope"})
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    scope = token(sandbox, **good, scope="admin")
    assert (scope.status_code, scope.json()["error"]) == (400, "invalid_scope")
    grant = token(sandbox, **{**good, "grant_type": "password"})
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")
    lifetime = token(sandbox, **good, expires_in=60)
    assert (lifetime.status_code, lifetime.json()["error"]) == (400, "invalid_request")


def test_scopes_are_enforced_with_zendesks_403(sandbox: Sandbox) -> None:
    body = {
        "grant_type": "client_credentials",
        "client_id": sandbox.oauth_client_id,
        "client_secret": sandbox.oauth_client_secret,
    }
    write_only = token(sandbox, **body, scope="write").json()["access_token"]
    refused = events(sandbox, write_only)
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "Forbidden",
        "description": "You are missing the following required scopes: read",
    }
    read_only = token(sandbox, **body, scope="read").json()["access_token"]
    track = httpx.post(
        f"{sandbox.base_url}/api/v2/users/85211553/events",
        headers={"Authorization": f"Bearer {read_only}"},
        json={"event": {"source": "s", "type": "t"}, "profile": {}},
    )
    assert track.status_code == 403 and "write" in track.json()["description"]


def test_lifetimes_are_configurable_and_tokens_expire(sandbox: Sandbox) -> None:
    now = [1_000_000.0]
    sandbox.oauth.clock = lambda: now[0]
    sandbox.set_token_lifetimes(10)
    answer = exchange(sandbox, code_of(authorize(sandbox)), expires_in=3600).json()
    assert answer["expires_in"] == 10
    assert events(sandbox, answer["access_token"]).status_code == 200
    now[0] += 10
    assert events(sandbox, answer["access_token"]).status_code == 401


def test_current_token_and_revocation(sandbox: Sandbox) -> None:
    access = exchange(sandbox, code_of(authorize(sandbox))).json()["access_token"]
    url = f"{sandbox.base_url}/api/v2/oauth/tokens/current.json"
    headers = {"Authorization": f"Bearer {access}"}
    shown = httpx.get(url, headers=headers)
    assert shown.status_code == 200
    token_info = shown.json()["token"]
    assert token_info["user_id"] == 1001 and token_info["scopes"] == ["read", "write"]
    assert access not in shown.text
    assert httpx.delete(url, headers=headers).status_code == 204
    assert httpx.get(url, headers=headers).status_code == 401
    assert events(sandbox, access).status_code == 401


def test_the_authorization_page_can_deny(sandbox: Sandbox) -> None:
    sandbox.oauth.deny = True
    denied = authorize(sandbox)
    location = httpx.URL(denied.headers["location"])
    assert location.params["error"] == "access_denied" and location.params["state"] == "s1"
    assert "code" not in location.params


def test_the_fixture_exposes_the_oauth_clients(zendesk_sandbox: Sandbox) -> None:
    assert zendesk_sandbox.oauth_public_client_id != zendesk_sandbox.oauth_client_id
    assert zendesk_sandbox.oauth_client_secret


@pytest.mark.zendesk_sandbox(seed="demo")
def test_the_fixtures_client_credentials_example(zendesk_sandbox: Sandbox) -> None:
    from zdevents import Client

    with Client(
        base_url=zendesk_sandbox.base_url,
        oauth_client_id=zendesk_sandbox.oauth_client_id,
        oauth_client_secret=zendesk_sandbox.oauth_client_secret,
    ) as client:
        assert any(client.events(user_id=85211553))
    assert zendesk_sandbox.oauth.issued["client_credentials"] == 1


def test_a_refresh_token_presented_by_another_client_is_refused_and_not_burnt(
    sandbox: Sandbox,
) -> None:
    first = exchange(sandbox, code_of(authorize(sandbox))).json()
    stolen = token(
        sandbox,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
        client_id=sandbox.oauth_client_id,
        client_secret=sandbox.oauth_client_secret,
    )
    assert (stolen.status_code, stolen.json()["error"]) == (400, "invalid_grant")
    # The owner's pair is still alive, and its refresh still works.
    assert events(sandbox, first["access_token"]).status_code == 200
    again = token(
        sandbox,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
        client_id=sandbox.oauth_public_client_id,
    )
    assert again.status_code == 200


@pytest.mark.parametrize(
    "uri", ["https://evil.example/", "http://10.0.0.1:47615/", "http://127.0.0.1.evil.example/"]
)
def test_a_redirect_uri_that_is_not_loopback_is_refused_not_followed(
    sandbox: Sandbox, uri: str
) -> None:
    # Zendesk redirects only to the client's registered URLs; the sandbox registers loopback.
    answer = authorize(sandbox, redirect_uri=uri)
    assert answer.status_code == 400 and "location" not in answer.headers
    assert not sandbox.oauth._codes
