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
    AuthStatus,
    Client,
    Event,
    EventStream,
    Headers,
    Identifier,
    Login,
    Page,
    Profile,
    RateLimit,
    SelectorReport,
    SyncReport,
    TrackResult,
    access_token,
    auth_status,
    errors,
    is_transient,
    logout,
    sync,
    validate_record,
)
from zdevents.types import AsyncClientOptions, BaseClientOptions, CallOptions, ClientOptions

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


def signed_in() -> tuple[str, bool]:
    cron = Client(
        subdomain="coolbikes",
        oauth_client_id="zdevents_cron",
        oauth_client_secret="secret",
        oauth_scope="read",
    )
    status: AuthStatus = auth_status(cron)
    expires: dt.datetime | None = status.expires_at
    scopes: tuple[str, ...] = status.scopes
    print(status.kind, status.account, status.user_id, expires, scopes, status.stored_at)
    with Login(subdomain="coolbikes", client_id="zdevents_cli", port=47615, scope="read") as login:
        url: str = login.url
        done: AuthStatus = login.wait(timeout=60)
        print(url, done.refresh_expires_at)
    person = Login.from_env({"ZENDESK_SUBDOMAIN": "coolbikes"}, client_id="cli")
    person.close()
    return access_token(cron), logout(Client.from_env())


def from_environment() -> Client:
    client = Client.from_env({"ZENDESK_SUBDOMAIN": "coolbikes"}, max_retries=0, timeout=5)
    fast: Client = client.with_options(timeout=2, max_retries=0, retry_writes=True)
    return fast


def shared_options() -> tuple[Client, AsyncClient, Client]:
    # The option types of zdevents.types: settings kept in one place, given to both clients.
    shared: BaseClientOptions = {"timeout": None, "max_retries": 1, "rate_limit": 60.0}
    mine: ClientOptions = {**shared, "http_client": httpx.Client()}
    mine_async: AsyncClientOptions = {**shared, "http_client": None}
    quick: CallOptions = {"timeout": 2.0, "retry_budget": None}
    client = Client.from_env(**mine)
    return client, AsyncClient.from_env(**mine_async), client.with_options(**quick)


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


def page_details(page: Page) -> str:
    headers: Headers = page.headers
    limit: RateLimit | None = page.rate_limit
    raw: bytes = b"".join(event.raw for event in page)
    return f"{headers.get('x-request-id')} {limit and limit.remaining} {len(raw)}"


def many(client: Client) -> int:
    people: list[str | dict[str, int | str | None]] = [
        "coolbikes:rider:email:a@example.com",
        {"user_id": 85211553, "after": None},
    ]
    skipped: list[object] = []

    def note(selector: object, error: Exception) -> None:
        skipped.append((selector, error))

    count = 0
    for _selector, _event in client.events_many(people, concurrency=4, on_missing="skip"):
        count += 1
    for _selector, page in client.pages_many(people, on_missing=note):
        count += len(page.events)
    return count


def write(client: Client) -> list[str]:
    event = {"source": "coolbike", "type": "bike_rental_booked", "properties": {"n": 1}}
    profile = {
        "source": "coolbikes",
        "type": "rider",
        "identifiers": [{"type": "email", "value": "jdoe@example.com"}],
    }
    result: TrackResult = client.track(event, profile=profile)
    lines = [f"{result.profile_id} {result.user_id} {result.status}"]
    record = {"event": event, "profile_id": result.profile_id}
    validate_record(record)
    for outcome in client.track_many([record, record], concurrency=2):
        lines.append(outcome.status if isinstance(outcome, TrackResult) else str(outcome))
    found: Profile = client.profile(identifier="coolbikes:rider:email:jdoe@example.com")
    lines.append(f"{found.id} {found.source} {found.type} {found.name} {found.identifiers}")
    lines.extend(p.id for p in client.profiles(user_id=85211553))
    return lines


def mirror(client: Client) -> int:
    report: SyncReport = sync(client, "events.db", ["coolbikes:rider:email:a@example.com"])
    person: SelectorReport
    total = 0
    for person in report.selectors:
        total += person.inserted + person.updated + person.unchanged
    return total


async def write_async(client: AsyncClient) -> str:
    event = {"source": "coolbike", "type": "login"}
    result: TrackResult = await client.track(event, profile_id="01E1G0NJSQPNPZRV096JXKXFAA")
    found: Profile = await client.profile(profile_id=result.profile_id)
    return found.id


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
    print(VERSION, from_environment(), signed_in())
