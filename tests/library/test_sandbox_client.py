"""The zdevents client against a running sandbox over real HTTP: routes, filters, paging, errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests._demo import DOCUMENTED_EVENT, JDOE, JDOE_PROFILE, JDOE_USER
from zdevents import Client, Identifier, errors
from zdevents.sandbox import Sandbox

Factory = Callable[..., Sandbox]
pytestmark = pytest.mark.zendesk_sandbox(seed="demo")


def record(
    n: int, *, value: str = "ann@example.com", created_at: str | None = None
) -> dict[str, object]:
    event: dict[str, object] = {"source": "shop", "type": "login", "properties": {"n": n}}
    if created_at:
        event["created_at"] = created_at
    return {
        "profile": {
            "source": "shopco",
            "type": "customer",
            "identifiers": [{"type": "email", "value": value}],
        },
        "event": event,
    }


def test_the_guides_example_on_all_three_routes(zendesk_sandbox: Sandbox) -> None:
    client = zendesk_sandbox.client
    week = {"start": "2020-02-23", "end": "2020-02-29"}
    by_identifier = [e.to_dict() for e in client.events(identifier=JDOE, **week)]
    by_profile = [e.to_dict() for e in client.events(profile_id=JDOE_PROFILE, **week)]
    by_user = [e.to_dict() for e in client.events(user_id=JDOE_USER, **week)]
    assert DOCUMENTED_EVENT in by_identifier
    assert by_identifier == by_profile
    assert set(map(str, (e["id"] for e in by_identifier))) <= {str(e["id"]) for e in by_user}
    structured = list(
        client.events(
            identifier=Identifier("coolbikes", "rider", "email", "jdoe@example.com"), **week
        )
    )
    assert [e.to_dict() for e in structured] == by_identifier
    event = next(e for e in structured if e.id == DOCUMENTED_EVENT["id"])
    assert event.created_at == dt.datetime(2020, 2, 28, 18, 13, 28, 175841, tzinfo=dt.UTC)
    assert event.properties == DOCUMENTED_EVENT["properties"]


def test_every_filter(zendesk_sandbox: Sandbox) -> None:
    client = zendesk_sandbox.client
    everything = list(client.events(user_id=JDOE_USER))
    coolbike = list(client.events(user_id=JDOE_USER, source="coolbike"))
    booked = list(client.events(user_id=JDOE_USER, source="coolbike", type="bike_rental_booked"))
    assert len(everything) > len(coolbike) > len(booked) > 0
    assert {e.source for e in coolbike} == {"coolbike"}
    assert {(e.source, e.type) for e in booked} == {("coolbike", "bike_rental_booked")}
    start = dt.datetime(2020, 2, 28, 18, 13, 28, 175841, tzinfo=dt.UTC)
    after = [e.to_dict()["created_at"] for e in client.events(user_id=JDOE_USER, start=start)]
    assert "2020-02-28T18:13:28.175841347Z" in after  # inclusive at microsecond precision
    march = list(
        client.events(user_id=JDOE_USER, start=dt.date(2020, 3, 1), end=dt.date(2020, 3, 31))
    )
    assert march and all(e.created_at.month == 3 for e in march)


@pytest.mark.zendesk_sandbox()
@pytest.mark.parametrize("page_size", [1, 7, 100])
def test_paging_at_several_sizes(zendesk_sandbox: Sandbox, page_size: int) -> None:
    profile = zendesk_sandbox.add_events([record(n) for n in range(57)])[0]
    stream = zendesk_sandbox.client.events(profile_id=profile, page_size=page_size)
    pages = list(stream.pages())
    assert len(pages) == -(-57 // page_size)
    assert [e.properties["n"] for page in pages for e in page.events] == list(range(57))
    assert [page.has_more for page in pages] == [True] * (len(pages) - 1) + [False]


@pytest.mark.zendesk_sandbox()
def test_resume_from_a_page_cursor(zendesk_sandbox: Sandbox) -> None:
    profile = zendesk_sandbox.add_events([record(n) for n in range(5)])[0]
    first = next(iter(zendesk_sandbox.client.events(profile_id=profile, page_size=2).pages()))
    rest = zendesk_sandbox.client.events(profile_id=profile, page_size=2, after=first.cursor)
    assert [e.properties["n"] for e in rest] == [2, 3, 4]


def test_oauth_client(zendesk_sandbox: Sandbox) -> None:
    assert zendesk_sandbox.oauth_token is not None
    with Client(
        base_url=zendesk_sandbox.base_url, oauth_token=zendesk_sandbox.oauth_token
    ) as client:
        assert any(client.events(user_id=JDOE_USER))


def test_not_found(zendesk_sandbox: Sandbox) -> None:
    client = zendesk_sandbox.client
    for selector in (
        {"identifier": "coolbikes:rider:email:nobody@example.com"},
        {"profile_id": "01E1G0NJSQPNPZRV096JXKXFAB"},
        {"user_id": 1},
    ):
        with pytest.raises(errors.NotFoundError) as caught:
            list(client.events(**selector))  # type: ignore[arg-type]
        assert caught.value.status_code == 404
        assert caught.value.request_id


def test_bad_request(zendesk_sandbox: Sandbox) -> None:
    with pytest.raises(errors.BadRequestError) as caught:
        list(zendesk_sandbox.client.events(user_id=JDOE_USER, after="hkjhdjk"))
    assert caught.value.errors[0]["code"] == "InvalidPaginationParameter"


def test_authentication_error(zendesk_sandbox: Sandbox) -> None:
    with (
        Client(
            base_url=zendesk_sandbox.base_url, email=zendesk_sandbox.email, api_token="wrong"
        ) as client,
        pytest.raises(errors.AuthenticationError) as caught,
    ):
        list(client.events(user_id=JDOE_USER))
    assert "wrong" not in str(caught.value) + repr(caught.value)


def test_permission_denied(zendesk_sandbox: Sandbox) -> None:
    assert zendesk_sandbox.end_user_email is not None
    with (
        Client(
            base_url=zendesk_sandbox.base_url,
            email=zendesk_sandbox.end_user_email,
            api_token=zendesk_sandbox.api_token,
        ) as client,
        pytest.raises(errors.PermissionDeniedError),
    ):
        list(client.events(user_id=JDOE_USER))


def no_retries(sandbox: Sandbox) -> Client:
    """A client that raises the first failure, so that each fault is seen as it is."""
    return Client(
        base_url=sandbox.base_url, email=sandbox.email, api_token=sandbox.api_token, max_retries=0
    )


def test_rate_limit_error(zendesk_sandbox: Sandbox) -> None:
    # An injected 429: a real rate limit would make the client wait for the window to end,
    # since it paces itself by X-Rate-Limit-Remaining.
    zendesk_sandbox.set_faults({"429": 1.0}, retry_after=7)
    with (
        no_retries(zendesk_sandbox) as client,
        pytest.raises(errors.RateLimitError) as caught,
    ):
        list(client.events(user_id=JDOE_USER))
    assert caught.value.retry_after == 7


@pytest.mark.parametrize("status", ["500", "503", "520"])
def test_server_errors(zendesk_sandbox: Sandbox, status: str) -> None:
    zendesk_sandbox.set_faults({status: 1.0})
    with (
        no_retries(zendesk_sandbox) as client,
        pytest.raises(errors.ServerError) as caught,
    ):
        list(client.events(user_id=JDOE_USER))
    assert caught.value.status_code == int(status)


@pytest.mark.parametrize("fault", ["drop", "truncate"])
def test_connection_faults(zendesk_sandbox: Sandbox, fault: str) -> None:
    zendesk_sandbox.set_faults({fault: 1.0})
    with (
        no_retries(zendesk_sandbox) as client,
        pytest.raises((errors.APIConnectionError, errors.BadResponseError)),
    ):
        list(client.events(user_id=JDOE_USER))
    assert zendesk_sandbox.fault_counts[fault] == 1


def test_retries_ride_out_seeded_faults(zendesk_sandbox: Sandbox) -> None:
    expected = [e.to_dict() for e in zendesk_sandbox.client.events(user_id=JDOE_USER, page_size=10)]
    zendesk_sandbox.set_faults(
        "429=0.1,500=0.1,503=0.1,520=0.05,drop=0.05,truncate=0.05", seed=3, retry_after=0
    )
    with Client(
        base_url=zendesk_sandbox.base_url,
        email=zendesk_sandbox.email,
        api_token=zendesk_sandbox.api_token,
        max_retries=20,
        backoff_base=0.001,
        backoff_cap=0.01,
    ) as client:
        got = [e.to_dict() for e in client.events(user_id=JDOE_USER, page_size=10)]
    assert got == expected
    assert sum(zendesk_sandbox.fault_counts.values()) > 0


# -- bulk export against the sandbox -------------------------------------------------------------


def _people(sandbox: Sandbox, counts: list[int]) -> list[str]:
    """One profile per count, with that many events numbered 0..count-1; identifier queries."""
    records = [
        record(n, value=f"p{person}@example.com")
        for person, count in enumerate(counts)
        for n in range(count)
    ]
    sandbox.add_events(records)
    return [f"shopco:customer:email:p{person}@example.com" for person in range(len(counts))]


def _checkpointed_run(
    client: Client, selectors: list[object], stop_after: int | None
) -> tuple[dict[str, list[int]], dict[str, str | None]]:
    """What the CLI's bulk --resume does: store a page's events, then its selector's cursor
    (``None``: done). Stops (as a kill would) after ``stop_after`` pages."""
    stored: dict[str, list[int]] = {}
    cursors: dict[str, str | None] = {}
    pages = client.pages_many(selectors, concurrency=3, page_size=3)  # type: ignore[arg-type]
    for number, (selector, page) in enumerate(pages, 1):
        key = str(selector["identifier"] if isinstance(selector, dict) else selector)
        stored.setdefault(key, []).extend(e.properties["n"] for e in page.events)
        cursors[key] = page.cursor if page.has_more else None
        if number == stop_after:
            pages.close()  # type: ignore[attr-defined]
            break
    return stored, cursors


@pytest.mark.zendesk_sandbox()
@pytest.mark.parametrize("stop_after", [1, 4, 9])
def test_bulk_resume_from_one_cursor_per_person_delivers_every_event_once(
    zendesk_sandbox: Sandbox, stop_after: int
) -> None:
    counts = [10, 3, 7, 1, 8]
    people = _people(zendesk_sandbox, counts)
    client = zendesk_sandbox.client
    first, cursors = _checkpointed_run(client, list(people), stop_after)
    assert sum(map(len, first.values())) < sum(counts)
    rerun = [
        {"identifier": person, "after": cursors[person]} if cursors.get(person) else person
        for person in people
        if person not in cursors or cursors[person] is not None
    ]
    second, _ = _checkpointed_run(client, rerun, None)
    for person, count in zip(people, counts, strict=True):
        assert first.get(person, []) + second.get(person, []) == list(range(count)), person


@pytest.mark.zendesk_sandbox()
def test_bulk_skip_missing_against_the_sandbox(
    zendesk_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    people: list[object] = _people(zendesk_sandbox, [4, 2])
    people.insert(1, "shopco:customer:email:ghost@example.com")
    people.append({"profile_id": "01E1G0NJSQPNPZRV096JXKXFAB"})
    client = zendesk_sandbox.client
    with pytest.raises(errors.NotFoundError) as caught:
        list(client.events_many(people))  # type: ignore[arg-type]
    assert caught.value.selector in (people[1], people[3])
    skipped: list[tuple[object, int]] = []
    got = list(
        client.events_many(
            people,  # type: ignore[arg-type]
            on_missing=lambda selector, error: skipped.append((selector, error.status_code)),
        )
    )
    assert sorted(str(s) for s, _ in skipped) == sorted([str(people[1]), str(people[3])])
    assert {status for _, status in skipped} == {404}
    assert sorted(str(s) for s, _ in got) == [str(people[0])] * 4 + [str(people[2])] * 2


# -- hostile query arguments reach no request ----------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        {"profile_id": "p" * 70_000},
        {"identifier": "shopco:customer:email:" + "a" * 70_000},
        {"user_id": 1, "after": "c" * 70_000},
        {"identifier": "shopco:customer:name:" + "é" * 12_000},  # 72 KB once percent-encoded
        {"profile_id": "p" * 31_000, "after": "c" * 31_000},
    ],
    ids=["profile_id", "identifier", "after", "encoded", "together"],
)
def test_arguments_too_long_for_a_url_are_a_value_error(
    zendesk_sandbox: Sandbox, arguments: dict[str, object]
) -> None:
    with pytest.raises(ValueError, match="too long") as caught:
        zendesk_sandbox.client.events(**arguments)  # type: ignore[arg-type]
    assert type(caught.value) is ValueError
    assert len(str(caught.value)) < 300
    with pytest.raises(ValueError, match=r"selector 1 .* too long"):
        zendesk_sandbox.client.events_many([arguments])


@pytest.mark.zendesk_sandbox()
def test_arguments_just_under_the_limit_reach_the_server(zendesk_sandbox: Sandbox) -> None:
    # The limit leaves room for the rest of the URL: these get the server's answer, a 404,
    # not httpx.InvalidURL.
    for arguments in (
        {"profile_id": "p" * 30_000, "after": "c" * 30_000},
        {"identifier": "shopco:customer:email:" + "a" * 61_000},
    ):
        with pytest.raises((errors.NotFoundError, errors.BadRequestError)):
            list(zendesk_sandbox.client.events(**arguments))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"profile_id": "\udcff"}, "profile_id"),
        ({"identifier": "shopco:customer:email:\udcffx@example.com"}, "identifier value"),
        ({"identifier": "sh\udcffop:customer:email:x@example.com"}, "identifier source"),
        ({"user_id": 1, "source": "s\udcff"}, "source"),
        ({"user_id": 1, "source": "s", "type": "\udce9t\udce9"}, "type"),
        ({"user_id": 1, "after": "\udcff"}, "after"),
        ({"user_id": "\udcff1"}, "user_id"),
        ({"user_id": 1, "start": "2020-01-01\udcff"}, "start"),
    ],
)
def test_text_that_is_not_utf8_is_a_value_error_at_events(
    zendesk_sandbox: Sandbox, arguments: dict[str, object], named: str
) -> None:
    # What Python makes of `--profile-id $'\xff'` in argv: a lone surrogate.
    with pytest.raises(ValueError) as caught:
        zendesk_sandbox.client.events(**arguments)  # type: ignore[arg-type]
    assert not isinstance(caught.value, UnicodeError)
    assert str(caught.value).startswith(named) or f"{named}=" in str(caught.value)
