"""A wrong argument to a public function or client option is a one-line ``TypeError`` or
``ValueError`` in the user's words: it names the function and the option as the user spelt
them, never a private attribute (``_oauth``), a private field (``budget``) or attrs' repr of
one."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import zdevents
from zdevents import AsyncClient, Client

#: What a user must never read: a private name, or attrs' description of a field.
PRIVATE = re.compile(r"\b_[a-z]\w*|Attribute\(|<class '")


def message_of(call: Callable[[], Any]) -> tuple[type[BaseException], str]:
    with pytest.raises((TypeError, ValueError)) as info:
        result = call()
        if asyncio.iscoroutine(result):
            asyncio.run(result)
    return info.type, str(info.value)


@pytest.mark.parametrize("name", ["auth_status", "access_token", "logout"])
@pytest.mark.parametrize("given", [1, None, "client"])
def test_the_login_functions_name_what_they_take(name: str, given: object) -> None:
    kind, text = message_of(lambda: getattr(zdevents, name)(given))
    assert kind is TypeError
    assert text == f"{name}() takes a zdevents.Client, not {type(given).__name__}"


def test_aaccess_token_names_what_it_takes() -> None:
    kind, text = message_of(lambda: zdevents.aaccess_token(1))  # type: ignore[arg-type]
    assert (kind, text) == (TypeError, "aaccess_token() takes a zdevents.AsyncClient, not int")
    client = Client(subdomain="coolbikes", oauth_token="t0k3n")
    kind, text = message_of(lambda: zdevents.aaccess_token(client))  # type: ignore[arg-type]
    assert "with a Client, access_token()" in text


def test_plan_sync_refuses_what_is_not_a_client(tmp_path: Path) -> None:
    kind, text = message_of(
        lambda: zdevents.plan_sync(1, str(tmp_path / "events.db"), ["user_id:1"])  # type: ignore[arg-type]
    )
    assert (kind, text) == (TypeError, "plan_sync needs a zdevents.Client, not int")


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("retry_writes", "yes", "retry_writes must be True or False, not str"),
        ("retry_writes", 1, "retry_writes must be True or False, not int"),
        ("retry_budget", "10", "retry_budget must be a number, not str"),
        ("retry_budget", -1, "retry_budget=-1 is not a valid number of seconds"),
        ("retry_budget", 0, "retry_budget=0 is not a valid number of seconds"),
    ],
)
@pytest.mark.parametrize("make", [Client, AsyncClient])
def test_a_wrong_retry_option_is_named_as_the_user_gave_it(
    make: Callable[..., Any], option: str, value: object, expected: str
) -> None:
    _, text = message_of(lambda: make(subdomain="coolbikes", oauth_token="t", **{option: value}))
    assert expected in text
    assert "\n" not in text and not PRIVATE.search(text)
    _, text = message_of(
        lambda: Client(subdomain="coolbikes", oauth_token="t").with_options(**{option: value})
    )
    assert expected in text


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("verify", 1, "verify must be True, False, a CA bundle path or an ssl.SSLContext, not int"),
        ("verify", None, "verify must be True, False, a CA bundle path or an ssl.SSLContext"),
        ("trust_env", "x", "trust_env must be True or False, not str"),
        ("trust_env", 0, "trust_env must be True or False, not int"),
    ],
)
@pytest.mark.parametrize("make", [Client, AsyncClient, Client.from_env, AsyncClient.from_env])
def test_a_mistyped_tls_option_is_refused_by_name(
    make: Callable[..., Any], option: str, value: object, expected: str
) -> None:
    kind, text = message_of(lambda: make(subdomain="coolbikes", oauth_token="t", **{option: value}))
    assert kind is TypeError and expected in text


@pytest.mark.parametrize("make", [Client, AsyncClient])
def test_a_wrong_environ_scrub_text_or_page_size_of_users_is_named(
    make: type[Client] | type[AsyncClient],
) -> None:
    kind, text = message_of(lambda: make.from_env("x"))  # type: ignore[arg-type]
    assert (kind, text) == (
        TypeError,
        "environ must be a mapping like os.environ (or None), not str",
    )
    client = make(subdomain="coolbikes", oauth_token="t0k3n")
    kind, text = message_of(lambda: client.scrub(1))  # type: ignore[arg-type]
    assert (kind, text) == (TypeError, "scrub takes a str, not int")
    kind, text = message_of(lambda: client.users(per_page="x"))  # type: ignore[arg-type]
    assert (kind, text) == (TypeError, "per_page must be an int, not str")
    kind, text = message_of(lambda: client.users(per_page=0))
    assert (kind, text) == (ValueError, "per_page=0 is outside 1..1000")
