"""Configuration and secrets, pinned where mutants of ``_config`` outlived the suite (issue 15):
the exact text of each configuration error (a clear one-line message is part of the UX), and
how a credential is hidden: every form replaced by ``********`` whole, an escaped echo
withheld, a short token still scrubbed, a credential that refuses to be pickled.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

import httpx
import pytest

from tests._mock import API_TOKEN, EMAIL, OAUTH_TOKEN, Recorder, client
from zdevents import Client, errors

CREDENTIAL = base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()
HELP = (
    "set ZENDESK_SUBDOMAIN (or ZENDESK_BASE_URL), then run `zdevents auth login`, or set "
    "ZENDESK_OAUTH_CLIENT_ID with ZENDESK_OAUTH_CLIENT_SECRET, or ZENDESK_OAUTH_TOKEN, or "
    "ZENDESK_EMAIL with ZENDESK_API_TOKEN"
)
WITHHELD = "[withheld: the text held a credential]"


def refused(**options: Any) -> str:
    with pytest.raises(errors.ConfigurationError) as info:
        Client(**options)
    return str(info.value)


# --- the account --------------------------------------------------------------------------


def test_the_account_errors_say_what_is_wrong() -> None:
    oauth = {"oauth_token": OAUTH_TOKEN}
    assert refused(**oauth) == "give exactly one of subdomain and base_url"
    assert refused(subdomain="a", base_url="https://a.example", **oauth) == (
        "give exactly one of subdomain and base_url"
    )
    assert refused(subdomain="a.b", **oauth) == (
        "subdomain 'a.b' is not a valid DNS label (letters, digits and inner hyphens, "
        "at most 63); for coolbikes.zendesk.com it is 'coolbikes'"
    )
    assert refused(base_url=5, **oauth) == "base_url must be a string, not int"
    assert refused(base_url="http://u:p@[::1", **oauth) == "base_url 'http://***@[::1' is not a URL"
    assert refused(base_url="ftp://h.example", **oauth) == (
        "base_url 'ftp://h.example' must be an absolute http(s) URL"
    )
    assert refused(base_url="https://h.example/?a=1", **oauth) == (
        "base_url must not contain credentials, a query or a fragment; "
        "pass credentials as email/api_token or oauth_token"
    )
    assert refused(base_url="http://h.example", **oauth) == (
        "base_url 'http://h.example' uses plain http to a non-loopback host; use https "
        "(plain http is only allowed for 127.0.0.1, ::1 and localhost)"
    )


@pytest.mark.parametrize("host", ["LocalHost", "127.0.0.2", "[::1]"])
def test_plain_http_is_allowed_to_any_spelling_of_this_machine(host: str) -> None:
    with Client(base_url=f"http://{host}:8000/", oauth_token=OAUTH_TOKEN) as c:
        assert str(c.base_url).lower() == f"http://{host}:8000/".lower()


# --- the credentials ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["email", "api_token", "oauth_token"])
def test_each_credential_error_names_the_argument(name: str) -> None:
    given = {"email": EMAIL, "api_token": API_TOKEN} if name != "oauth_token" else {}
    for value, problem in [
        ("  ", "must be a non-empty string"),
        ("a\x00b", "contains a control character"),
    ]:
        assert refused(subdomain="a", **{**given, name: value}) == f"{name} {problem}"
    if name != "email":
        assert (
            refused(subdomain="a", **{**given, name: "tök"}) == f"{name} must be ASCII (tokens are)"
        )


def test_the_credential_kind_errors_say_what_to_give() -> None:
    assert refused(subdomain="a", email=EMAIL, oauth_token=OAUTH_TOKEN) == (
        "give either email with api_token, or oauth_token, not both"
    )
    assert refused(subdomain="a", email=EMAIL) == (
        f"credentials missing: give email with api_token, or oauth_token ({HELP})"
    )


def from_env_refused(env: dict[str, str]) -> str:
    with pytest.raises(errors.ConfigurationError) as info:
        Client.from_env(env)
    return str(info.value)


def test_the_environment_errors_say_what_is_missing_or_too_much() -> None:
    account = {"ZENDESK_SUBDOMAIN": "coolbikes"}
    assert from_env_refused({"ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}) == (
        f"no Zendesk account configured: {HELP}"
    )
    assert from_env_refused(account) == f"no Zendesk credentials: {HELP}"
    assert from_env_refused({**account, "ZENDESK_EMAIL": EMAIL}) == (
        f"no Zendesk credentials (ZENDESK_API_TOKEN is missing): {HELP}"
    )
    assert from_env_refused({**account, "ZENDESK_API_TOKEN": API_TOKEN}) == (
        f"no Zendesk credentials (ZENDESK_EMAIL is missing): {HELP}"
    )
    both = {"ZENDESK_EMAIL": EMAIL, "ZENDESK_API_TOKEN": API_TOKEN, "ZENDESK_OAUTH_TOKEN": "t"}
    assert from_env_refused({**account, **both}) == (
        "both ZENDESK_EMAIL and ZENDESK_API_TOKEN and ZENDESK_OAUTH_TOKEN are set: unset one "
        "kind of credentials (email with API token, or OAuth token)"
    )


# --- how a credential is hidden ------------------------------------------------------------


def echoed(text: str, **options: Any) -> errors.APIError:
    c = client(Recorder(httpx.Response(400, text=text)), max_retries=0, **options)
    with c, pytest.raises(errors.APIError) as info:
        list(c.events(user_id=1))
    return info.value


@pytest.mark.parametrize(
    "secret", [f"Basic {CREDENTIAL}", CREDENTIAL, CREDENTIAL.rstrip("="), API_TOKEN]
)
def test_each_form_of_the_credential_is_replaced_whole(secret: str) -> None:
    exc = echoed(f"sent [{secret}] here")
    assert exc.body == "sent [********] here"


@pytest.mark.parametrize("secret", ["Bearer tokn", "tokn"])
def test_a_four_character_token_is_still_scrubbed(secret: str) -> None:
    assert echoed(f"sent [{secret}] here", oauth_token="tokn").body == "sent [********] here"


@pytest.mark.parametrize("separator", ["\\r\\n", "\\t", "\\n"])
def test_a_credential_echoed_with_escaped_line_breaks_is_withheld(separator: str) -> None:
    wrapped = separator.join(CREDENTIAL[i : i + 8] for i in range(0, len(CREDENTIAL), 8))
    exc = echoed(f"sent {wrapped} here")
    assert exc.body == WITHHELD
    assert str(exc) == f"HTTP 400 Bad Request: {WITHHELD}"


def test_a_credential_echoed_as_unicode_escapes_is_withheld() -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in API_TOKEN)
    assert echoed(f"token {escaped}").body == WITHHELD


def test_the_credential_refuses_to_be_pickled_and_shows_as_stars() -> None:
    c = Client(subdomain="coolbikes", oauth_token=OAUTH_TOKEN)
    with pytest.raises(TypeError, match=r"^a Secret cannot be pickled$"):
        pickle.dumps(c)
    # What a debugger or a traceback with locals shows of the client's state.
    assert "Secret('********')" in [repr(value) for value in vars(c).values()]


def test_a_string_that_only_resembles_the_token_is_shown_as_it_is() -> None:
    # Only the credential's own spellings are hidden: a token that differs in its last
    # character (an id, another account's token) is not the secret.
    token = "oauth-similar-token-0123X"
    exc = echoed(f"sent [{token[:-1]}Y] here", oauth_token=token)
    assert exc.body == f"sent [{token[:-1]}Y] here"


def test_a_split_credential_is_withheld_even_when_its_start_reads_as_an_entity() -> None:
    # "&lt" is an HTML entity: decoded, the token's first letters are gone, so only the
    # text itself, with its line break taken out, still shows the token.
    token = "ltoken-0123456789abcdef"
    exc = echoed(f"sent &{token[:9]}\n{token[9:]} here", oauth_token=token)
    assert exc.body == WITHHELD


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://h.example/zd/", "https://h.example/zd"),
        ("https://h.example/zd//", "https://h.example/zd"),
        ("https://h.example/", "https://h.example/"),
        ("https://CoolBikes.example", "https://coolbikes.example/"),
    ],
)
def test_the_base_url_loses_its_trailing_slashes(base_url: str, expected: str) -> None:
    assert Client(base_url=base_url, oauth_token=OAUTH_TOKEN).base_url == httpx.URL(expected)


def test_a_subdomain_in_capitals_names_the_same_account() -> None:
    c = Client(subdomain="CoolBikes", oauth_token=OAUTH_TOKEN)
    assert str(c.base_url) == "https://coolbikes.zendesk.com"
