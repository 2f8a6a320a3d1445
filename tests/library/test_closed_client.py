"""Every public method of a closed client (and of its ``with_options`` copies) raises
:class:`~zdevents.errors.ClientClosedError`, a ``ZendeskError``: at the call, or at the first
step of what it returns, before anything is sent; ``track_many`` before it reads a record
(it used to read them all and yield the error as each one's outcome)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import zdevents
from tests._mock import OAUTH_TOKEN, Recorder, mock_http_client
from zdevents import AsyncClient, Client, errors

EVENT = {"source": "coolbike", "type": "bike_returned"}
PROFILE = {
    "source": "coolbikes",
    "type": "rider",
    "identifiers": [{"type": "email", "value": "jdoe@example.com"}],
}
QUERY = "coolbikes:rider:email:jdoe@example.com"


def never_read() -> Iterator[Any]:
    raise AssertionError("a closed client read its input")
    yield  # pragma: no cover


#: Each public method that talks to Zendesk, called as a user would.
CALLS: dict[str, Callable[[Any], Any]] = {
    "events": lambda c: c.events(user_id=1),
    "events().pages": lambda c: c.events(user_id=1).pages(),
    "track": lambda c: c.track(EVENT, profile=PROFILE),
    "track_many": lambda c: c.track_many(never_read()),
    "profile": lambda c: c.profile(identifier=QUERY),
    "profiles": lambda c: c.profiles(user_id=1),
    "put_profile": lambda c: c.put_profile(PROFILE, identifier=QUERY),
    "patch_profile": lambda c: c.patch_profile({"name": "J"}, identifier=QUERY),
    "delete_profile": lambda c: c.delete_profile(profile_id="01E1G0NJSQPNPZRV096JXKXFAA"),
    "users": lambda c: c.users(),
    "users().pages": lambda c: c.users().pages(),
    "events_many": lambda c: c.events_many(["user_id:1", QUERY]),
    "pages_many": lambda c: c.pages_many(["user_id:1", QUERY]),
}


def sync_closed(copy: bool) -> Client:
    client = Client(subdomain="coolbikes", oauth_token=OAUTH_TOKEN)
    client.close()
    return client.with_options(timeout=5) if copy else client


def first_step(result: Any) -> None:
    if inspect.isgenerator(result) or hasattr(result, "__next__"):
        next(result)
    elif hasattr(result, "__iter__") and not isinstance(result, list | str | bytes):
        next(iter(result))


@pytest.mark.parametrize("copy", [False, True], ids=["client", "with_options copy"])
@pytest.mark.parametrize("name", list(CALLS))
def test_every_method_of_a_closed_client_raises_client_closed(name: str, copy: bool) -> None:
    client = sync_closed(copy)
    with pytest.raises(errors.ClientClosedError, match=r"^this Client is closed"):
        first_step(CALLS[name](client))


@pytest.mark.parametrize("name", list(CALLS))
def test_every_method_of_a_closed_async_client_raises_client_closed(name: str) -> None:
    async def main() -> None:
        client = AsyncClient(subdomain="coolbikes", oauth_token=OAUTH_TOKEN)
        await client.close()
        result = CALLS[name](client)
        if inspect.isawaitable(result):
            await result
        elif hasattr(result, "__anext__"):
            await result.__anext__()
        elif hasattr(result, "__aiter__"):
            await result.__aiter__().__anext__()

    with pytest.raises(errors.ClientClosedError, match=r"^this AsyncClient is closed"):
        asyncio.run(main())


def test_the_module_functions_of_a_closed_client_raise_client_closed(tmp_path: Any) -> None:
    client = Client(subdomain="coolbikes", oauth_token=OAUTH_TOKEN)
    client.close()
    with pytest.raises(errors.ClientClosedError):
        zdevents.sync(client, str(tmp_path / "e.db"), ["user_id:1"])
    with pytest.raises(errors.ClientClosedError):
        zdevents.forget(client, identifier=QUERY)
    with pytest.raises(errors.ClientClosedError):
        zdevents.auth_status(client)


def test_a_closed_pool_passed_in_is_closed_for_every_method() -> None:
    http = mock_http_client(Recorder())
    http.close()
    client = Client(subdomain="coolbikes", oauth_token=OAUTH_TOKEN, http_client=http)
    for call in CALLS.values():
        with pytest.raises(errors.ClientClosedError):
            first_step(call(client))
