"""Credentials, pinned where mutants of their checks outlived the suite (issue 15): every
spelling of the secret is scrubbed from errors (the bare token and the bare base64
credential too), mixed credentials are refused, the documented ``{email}/token`` user name is
taken once, and a non-ASCII email is a valid user name.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests._mock import API_TOKEN, EMAIL, OAUTH_TOKEN, Recorder, client, never, page_body
from zdevents import Client, errors
from zdevents.errors import ConfigurationError

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
    transport = httpx.MockTransport(never)
    with pytest.raises(ConfigurationError) as info:
        Client(subdomain="coolbikes", http_client=httpx.Client(transport=transport), **credentials)
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
