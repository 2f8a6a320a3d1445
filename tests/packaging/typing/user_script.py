# pyright: strict
"""A user's script that touches every public name of zdevents.

Never run by the tests: it is type-checked, under ``mypy --strict`` and under basedpyright in
strict mode (``tests/packaging/test_typing.py``), so that a change to the public types that
breaks a user's strictly typed code breaks the build first.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

import zdevents
from zdevents import (
    AsyncClient,
    AsyncEventStream,
    Client,
    Event,
    EventStream,
    Identifier,
    Page,
    errors,
    is_transient,
)

VERSION: str = zdevents.__version__


def make_clients() -> tuple[Client, AsyncClient]:
    client = Client(
        subdomain="coolbikes",
        email="devs@coolbikes.com",
        api_token="token",
        timeout=10.0,
        max_retries=2,
        backoff_base=0.25,
        backoff_cap=4.0,
        max_retry_after=30.0,
        retry_budget=120.0,
        retry_writes=False,
        rate_limit=300,
        max_body_size=8 * 1024 * 1024,
        verify=True,
        trust_env=False,
        http_client=None,
    )
    aclient = AsyncClient(
        base_url="http://127.0.0.1:8765",
        oauth_token="token",
        timeout=httpx.Timeout(5.0, connect=2.0),
        http_client=httpx.AsyncClient(),
    )
    return client, aclient


def from_environment() -> Client:
    client = Client.from_env({"ZENDESK_SUBDOMAIN": "coolbikes"}, max_retries=0, timeout=5)
    fast: Client = client.with_options(timeout=2, max_retries=0, retry_writes=True)
    return fast


def read(client: Client) -> list[str]:
    stream: EventStream = client.events(
        identifier=Identifier.parse("coolbikes:rider:email:jdoe@example.com"),
        source="coolbike",
        type="bike_rental_booked",
        start=dt.date(2020, 2, 23),
        end=dt.datetime(2020, 2, 29, tzinfo=dt.UTC),
        page_size=50,
        limit=1000,
    )
    lines: list[str] = [repr(stream)]
    for event in stream:
        described: Event = event
        lines.append(f"{described.id} {described.type} {described.created_at}")
        properties: dict[str, object] = dict(described.properties)
        lines.append(str(sorted(properties)))
        lines.append(str(described.to_dict()))
    page: Page
    for page in client.events(user_id=85211553, after="cursor").pages():
        cursor: str | None = page.cursor
        more: bool = page.has_more
        lines.append(f"{len(page)} {cursor} {more} {page.request_id} {page.next_url}")
        lines.extend(e.source or "" for e in page.events)
    return lines


async def read_async(client: AsyncClient) -> int:
    count = 0
    async with client:
        stream: AsyncEventStream = client.events(profile_id="01E1G0NJSQPNPZRV096JXKXFAA")
        async for _event in stream:
            count += 1
        async for page in client.events(user_id=1, limit=5).pages():
            count += len(page.events)
        copy: AsyncClient = client.with_options(max_retries=1)
        await copy.aclose()
    return count


def handle(client: Client) -> str:
    try:
        return "\n".join(read(client))
    except errors.RateLimitError as exc:
        wait: float | None = exc.retry_after
        return f"wait {wait}"
    except errors.NotFoundError as exc:
        return f"no such person ({exc.status_code}, {exc.request_id}, {exc.errors})"
    except (
        errors.BadRequestError,
        errors.AuthenticationError,
        errors.PermissionDeniedError,
        errors.ServerError,
    ) as exc:
        return f"{exc.status_code}: {exc.message} {exc.body}"
    except errors.APIError as exc:
        return str(exc.status_code)
    except errors.APITimeoutError as exc:
        return f"timeout (sent: {exc.sent})"
    except errors.APIConnectionError as exc:
        return f"connection (sent: {exc.sent})"
    except errors.BadResponseError as exc:
        return f"bad response: {exc.kind}"
    except errors.PaginationError as exc:
        return f"pagination: {exc}"
    except errors.ConfigurationError as exc:
        return f"configuration: {exc}"
    except errors.ZendeskError as exc:
        again: bool = is_transient(exc)
        return f"{exc} (again: {again})"


def main() -> None:
    client, aclient = make_clients()
    with client:
        print(handle(client))
    print(asyncio.run(read_async(aclient)))
    print(VERSION, from_environment())
