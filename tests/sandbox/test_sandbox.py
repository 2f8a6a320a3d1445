"""The sandbox over real HTTP on loopback: routes, filters, errors, paging, options, faults."""

from __future__ import annotations

import base64
import json
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._demo import DOCUMENTED_EVENT, JDOE, JDOE_PROFILE, JDOE_USER
from tests.sandbox._run import run_cli, run_main
from zdevents.sandbox import Sandbox, SeedError, Store, _server, demo_records

BY_IDENTIFIER = "/api/v2/user_profiles/events"

Factory = Callable[..., Sandbox]


def by_profile(profile_id: str) -> str:
    return f"/api/v2/user_profiles/{profile_id}/events"


def by_user(user_id: object) -> str:
    return f"/api/v2/users/{user_id}/events"


@pytest.fixture
def demo(zendesk_sandbox_factory: Factory) -> Sandbox:
    return zendesk_sandbox_factory(seed="demo")


@pytest.fixture
def http(demo: Sandbox) -> Iterator[httpx.Client]:
    with client_for(demo) as client:
        yield client


def client_for(sandbox: Sandbox, **kwargs: Any) -> httpx.Client:
    auth = (f"{sandbox.email}/token", sandbox.api_token)
    return httpx.Client(base_url=sandbox.base_url, auth=auth, **kwargs)


def record(
    value: str = "ann@example.com",
    *,
    created_at: str | None = None,
    source: str = "shop",
    type: str = "login",
    id_type: str = "email",
    user_id: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {"source": source, "type": type, "properties": {}, **extra}
    if created_at is not None:
        event["created_at"] = created_at
    result: dict[str, Any] = {
        "profile": {
            "source": "shopco",
            "type": "customer",
            "identifiers": [{"type": id_type, "value": value}],
        },
        "event": event,
    }
    if user_id is not None:
        result["user_id"] = user_id
    return result


def events_of(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


def error_codes(response: httpx.Response) -> list[str]:
    return [item["code"] for item in response.json()["errors"]]


# -- the three routes -------------------------------------------------------------------------


def test_accessing_events_example_by_identifier(http: httpx.Client) -> None:
    response = http.get(
        BY_IDENTIFIER,
        params={
            "identifier": JDOE,
            "filter[start_time]": "2020-02-23",
            "filter[end_time]": "2020-02-29",
        },
    )
    events = events_of(response)
    assert response.headers["content-type"].startswith("application/json")
    assert DOCUMENTED_EVENT in events
    # Served byte for byte as stored, key order and all nine digits included.
    assert json.dumps(DOCUMENTED_EVENT, separators=(",", ":")) in response.text
    assert len(events) >= 5
    assert all("2020-02-23" <= event["created_at"][:10] <= "2020-02-29" for event in events)
    body = response.json()
    assert body["links"] == [{"next": ""}]
    assert body["meta"]["has_more"] is False


def test_same_week_by_profile_id_and_by_user_id(http: httpx.Client) -> None:
    week = {"filter[start_time]": "2020-02-23", "filter[end_time]": "2020-02-29"}
    by_identifier = events_of(http.get(BY_IDENTIFIER, params={"identifier": JDOE, **week}))
    assert events_of(http.get(by_profile(JDOE_PROFILE), params=week)) == by_identifier
    everything = events_of(http.get(by_user(JDOE_USER), params={"page[size]": 100}))
    profile_only = events_of(http.get(by_profile(JDOE_PROFILE), params={"page[size]": 100}))
    # jdoe has a second profile (shoppingnow), so the user route returns more.
    assert {event["source"] for event in everything} > {event["source"] for event in profile_only}
    ids = [event["id"] for event in everything]
    assert {event["id"] for event in profile_only} < set(ids)
    assert len(ids) == len(set(ids))


def test_identifier_colons_raw_or_percent_encoded(demo: Sandbox, http: httpx.Client) -> None:
    encoded = "coolbikes%3Arider%3Aemail%3Ajdoe%40example.com"
    raw = "coolbikes:rider:email:jdoe@example.com"
    first = http.get(f"{demo.base_url}{BY_IDENTIFIER}?identifier={encoded}")
    second = http.get(f"{demo.base_url}{BY_IDENTIFIER}?identifier={raw}")
    assert events_of(first) == events_of(second)
    assert events_of(first)


def test_email_identifier_is_case_insensitive(http: httpx.Client) -> None:
    upper = events_of(
        http.get(BY_IDENTIFIER, params={"identifier": "coolbikes:rider:email:JDoe@Example.COM"})
    )
    assert upper == events_of(http.get(BY_IDENTIFIER, params={"identifier": JDOE}))


def test_identifier_value_with_colon_and_plus(zendesk_sandbox: Sandbox) -> None:
    colon_profile = zendesk_sandbox.add_event(
        record("https://example.com/u:ann", id_type="website")
    )
    plus_profile = zendesk_sandbox.add_event(record("jdoe+bikes@example.com"))
    assert colon_profile != plus_profile
    with client_for(zendesk_sandbox) as http:
        colon = http.get(
            BY_IDENTIFIER,
            params={"identifier": "shopco:customer:website:https://example.com/u:ann"},
        )
        assert len(events_of(colon)) == 1
        url = f"{BY_IDENTIFIER}?identifier=shopco:customer:email:jdoe%2Bbikes%40example.com"
        assert len(events_of(http.get(url))) == 1
        # An unencoded '+' is a space in a query string, so it names someone else.
        unencoded = http.get(
            f"{BY_IDENTIFIER}?identifier=shopco:customer:email:jdoe+bikes@example.com"
        )
        assert unencoded.status_code == 404


# -- filters ------------------------------------------------------------------------------------


def test_source_and_type_filters(http: httpx.Client) -> None:
    coolbike = events_of(http.get(by_user(JDOE_USER), params={"filter[source]": "coolbike"}))
    assert coolbike and {event["source"] for event in coolbike} == {"coolbike"}
    booked = events_of(
        http.get(
            by_user(JDOE_USER),
            params={"filter[source]": "coolbike", "filter[type]": "bike_rental_booked"},
        )
    )
    assert booked and {(e["source"], e["type"]) for e in booked} == {
        ("coolbike", "bike_rental_booked")
    }
    assert len(booked) < len(coolbike)
    nothing = http.get(by_user(JDOE_USER), params={"filter[source]": "no-such-source"})
    assert events_of(nothing) == []


def test_type_without_source_is_400(http: httpx.Client) -> None:
    response = http.get(by_profile(JDOE_PROFILE), params={"filter[type]": "bike_rental_booked"})
    assert response.status_code == 400
    assert error_codes(response) == ["InvalidFilter"]


def test_time_filters_are_inclusive_to_the_nanosecond(zendesk_sandbox: Sandbox) -> None:
    times = [
        "2020-02-28T18:13:28.175841346Z",
        "2020-02-28T18:13:28.175841347Z",
        "2020-02-28T18:13:28.175841348Z",
    ]
    profile = zendesk_sandbox.add_events([record(created_at=t) for t in times])[0]
    exact = "2020-02-28T18:13:28.175841347Z"

    def created(params: dict[str, str]) -> list[str]:
        with client_for(zendesk_sandbox) as http:
            return [
                e["created_at"] for e in events_of(http.get(by_profile(profile), params=params))
            ]

    assert created({"filter[start_time]": exact}) == times[1:]
    assert created({"filter[end_time]": exact}) == times[:2]
    assert created({"filter[start_time]": exact, "filter[end_time]": exact}) == [times[1]]
    # The same instant written with an offset and fewer digits of a coarser bound.
    assert created({"filter[start_time]": "2020-02-28T19:13:28.175841347+01:00"}) == times[1:]
    assert created({"filter[end_time]": "2020-02-28T18:13:28.175841Z"}) == []
    assert created({"filter[end_time]": "2020-02-28T18:13:28.1758414Z"}) == times


def test_date_only_bounds_cover_whole_days(zendesk_sandbox: Sandbox) -> None:
    times = [
        "2020-02-22T23:59:59.999999999Z",
        "2020-02-23T00:00:00Z",
        "2020-02-29T23:59:59.999999999Z",
        "2020-03-01T00:00:00.000Z",
    ]
    profile = zendesk_sandbox.add_events([record(created_at=t) for t in times])[0]
    with client_for(zendesk_sandbox) as http:
        response = http.get(
            by_profile(profile),
            params={"filter[start_time]": "2020-02-23", "filter[end_time]": "2020-02-29"},
        )
    assert [e["created_at"] for e in events_of(response)] == times[1:3]


def test_start_after_end_is_an_empty_page(http: httpx.Client) -> None:
    response = http.get(
        by_user(JDOE_USER),
        params={"filter[start_time]": "2020-03-01", "filter[end_time]": "2020-02-01"},
    )
    assert events_of(response) == []
    assert response.json()["meta"]["has_more"] is False


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("filter[start_time]", "yesterday", "StartTimestampNotValid"),
        ("filter[start_time]", "2020-02-30", "StartTimestampNotValid"),
        ("filter[start_time]", "2020-02-28T18:13:28.1234567891Z", "StartTimestampNotValid"),
        ("filter[start_time]", "", "StartTimestampNotValid"),
        ("filter[end_time]", "2020-02-28T25:00:00Z", "EndTimestampNotValid"),
        ("filter[end_time]", "2020-02-28T18:13:28", "EndTimestampNotValid"),
    ],
)
def test_invalid_times_are_400(http: httpx.Client, name: str, value: str, code: str) -> None:
    response = http.get(by_profile(JDOE_PROFILE), params={name: value})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["code"] for e in errors] == [code]
    assert errors[0]["title"] and errors[0]["id"]


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic " + base64.b64encode(b"devs@coolbikes.com/token:wrong").decode(),
        "Basic " + base64.b64encode(b"other@coolbikes.com/token:sandbox-api-token").decode(),
        "Basic " + base64.b64encode(b"devs@coolbikes.com:sandbox-api-token").decode(),
        "Bearer wrong",
        "Token sandbox-api-token",
        "Basic !!!",
    ],
)
def test_bad_credentials_are_401(demo: Sandbox, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = httpx.get(f"{demo.base_url}{by_user(JDOE_USER)}", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"][0]["code"] == "MissingOrInvalidAuthentication"
    assert "x-request-id" in response.headers


def test_bearer_token_is_accepted(demo: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {demo.oauth_token}"}
    assert events_of(httpx.get(f"{demo.base_url}{by_user(JDOE_USER)}", headers=headers))


@pytest.mark.parametrize(
    ("path", "title"),
    [
        (
            f"{BY_IDENTIFIER}?identifier=coolbikes:rider:email:nobody@example.com",
            "Profile not found",
        ),
        (by_profile("01E1G0NJSQPNPZRV096JXKXFAB"), "Profile not found"),
        (by_user(1), "User not found"),
    ],
)
def test_unknown_selectors_are_404(http: httpx.Client, path: str, title: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert response.json()["errors"][0]["title"] == title
    assert error_codes(response) == ["NotFound"]


@pytest.mark.parametrize("user_id", ["abc", "0", "-5", "1.5", "9223372036854775808"])
def test_invalid_user_id_is_400_with_error_object(http: httpx.Client, user_id: str) -> None:
    response = http.get(by_user(user_id))
    assert response.status_code == 400
    assert response.json()["error"]["title"] == "Invalid attribute"


@pytest.mark.parametrize(
    "params",
    [
        {"page[size]": "0"},
        {"page[size]": "101"},
        {"page[size]": "ten"},
        {"page[size]": "-1"},
        {"page[after]": ""},
        {"filter[source]": ""},
    ],
)
def test_invalid_paging_and_filters_are_400(http: httpx.Client, params: dict[str, str]) -> None:
    response = http.get(by_profile(JDOE_PROFILE), params=params)
    assert response.status_code == 400
    assert response.json()["errors"]


@pytest.mark.parametrize("identifier", [None, "", "coolbikes:rider:email", "a::b:c", ":a:b:c"])
def test_invalid_identifier_is_400(http: httpx.Client, identifier: str | None) -> None:
    params = {} if identifier is None else {"identifier": identifier}
    response = http.get(BY_IDENTIFIER, params=params)
    assert response.status_code == 400
    assert error_codes(response) == ["InvalidIdentifier"]


def test_repeated_parameter_is_400(demo: Sandbox, http: httpx.Client) -> None:
    response = http.get(f"{by_user(JDOE_USER)}?filter[source]=coolbike&filter[source]=website")
    assert response.status_code == 400


def test_unknown_parameters_are_ignored(http: httpx.Client) -> None:
    plain = events_of(http.get(by_profile(JDOE_PROFILE)))
    assert events_of(http.get(by_profile(JDOE_PROFILE), params={"sort": "desc", "x": "1"})) == plain


def test_other_methods_and_paths(http: httpx.Client) -> None:
    response = http.delete(by_user(JDOE_USER))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    response = http.post(f"/api/v2/user_profiles/{JDOE_PROFILE}", json={})
    allowed = (405, "GET, PUT, PATCH, DELETE")
    assert (response.status_code, response.headers["allow"]) == allowed
    assert http.get("/api/v2/users/1/profiles").status_code == 404  # no such user
    assert http.get("/api/v2/user_profiles/events/extra").status_code == 404
    assert http.get("/api/v2/users/1").status_code == 404


def test_every_response_has_a_unique_request_id(http: httpx.Client) -> None:
    ids = {
        http.get(path).headers["x-request-id"]
        for path in [by_user(JDOE_USER), by_user("x"), by_user(JDOE_USER), "/nowhere"]
    }
    assert len(ids) == 4


# -- paging -------------------------------------------------------------------------------------


def follow(
    http: httpx.Client, url: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every page, following next links exactly as given; returns the pages' bodies."""
    pages = []
    response = http.get(url, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        next_url = body["links"][0]["next"]
        assert (next_url != "") == body["meta"]["has_more"]
        if not next_url:
            return pages
        assert next_url.startswith(str(http.base_url).rstrip("/") + "/")
        response = http.get(next_url)


@pytest.mark.parametrize("size", [1, 7, 100])
def test_paging_returns_every_event_once(zendesk_sandbox: Sandbox, size: int) -> None:
    records = [
        record(created_at=f"2020-03-01T00:00:{n % 60:02d}.{n:09d}Z", n=n) for n in range(150)
    ]
    records += [record(source="other", n=n) for n in range(10)]  # filtered out
    records += [record("bob@example.com", n=n) for n in range(10)]  # another profile
    profile = zendesk_sandbox.add_events(records)[0]
    params = {"filter[source]": "shop", "filter[type]": "login", "page[size]": size}
    with client_for(zendesk_sandbox) as http:
        pages = follow(http, by_profile(profile), params)
    assert all(len(page["events"]) == size for page in pages[:-1])
    assert 1 <= len(pages[-1]["events"]) <= size  # no trailing empty page
    assert len(pages) == -(-150 // size)
    numbers = [event["n"] for page in pages for event in page["events"]]
    assert numbers == list(range(150))


def test_next_link_carries_every_parameter(zendesk_sandbox: Sandbox) -> None:
    zendesk_sandbox.add_events([record("a+b@example.com", n=n) for n in range(3)])
    params = {
        "identifier": "shopco:customer:email:a+b@example.com",
        "filter[source]": "shop",
        "filter[type]": "login",
        "filter[start_time]": "2000-01-01T00:00:00+02:00",
        "filter[end_time]": "2100-01-01",
        "page[size]": "1",
    }
    with client_for(zendesk_sandbox) as http:
        body = http.get(BY_IDENTIFIER, params=params).json()
    next_url = httpx.URL(body["links"][0]["next"])
    assert dict(next_url.params) == {**params, "page[after]": body["meta"]["after_cursor"]}
    assert "%2B" in str(next_url)  # the '+' survives as %2B, not as a space


def test_default_page_size_is_100(zendesk_sandbox: Sandbox) -> None:
    profile = zendesk_sandbox.add_events([record(n=n) for n in range(101)])[0]
    with client_for(zendesk_sandbox) as http:
        body = http.get(by_profile(profile)).json()
    assert len(body["events"]) == 100
    assert body["meta"]["has_more"] is True


def test_events_added_between_pages_appear_once_at_the_end(zendesk_sandbox: Sandbox) -> None:
    profile = zendesk_sandbox.add_events([record(n=n) for n in range(5)])[0]
    seen: list[int] = []
    with client_for(zendesk_sandbox) as http:
        body = http.get(by_profile(profile), params={"page[size]": 2}).json()
        seen += [event["n"] for event in body["events"]]
        # An older created_at still sorts after: paging follows arrival, not event time.
        zendesk_sandbox.add_events([record(n=n, created_at="2001-01-01T00:00:00Z") for n in (5, 6)])
        while body["meta"]["has_more"]:
            body = http.get(body["links"][0]["next"]).json()
            seen += [event["n"] for event in body["events"]]
        assert seen == list(range(7))
        # Polling from the last cursor later picks up exactly the newer events.
        cursor = body["meta"]["after_cursor"]
        zendesk_sandbox.add_event(record(n=7))
        later = http.get(by_profile(profile), params={"page[after]": cursor}).json()
    assert [event["n"] for event in later["events"]] == [7]


def test_tampered_and_foreign_cursors_are_400(
    zendesk_sandbox: Sandbox, zendesk_sandbox_factory: Factory
) -> None:
    profile = zendesk_sandbox.add_events([record(n=n) for n in range(3)])[0]
    with client_for(zendesk_sandbox) as http:
        cursor = http.get(by_profile(profile), params={"page[size]": 1}).json()["meta"][
            "after_cursor"
        ]
        assert http.get(by_profile(profile), params={"page[after]": cursor}).status_code == 200
        tampered = ("B" if cursor[0] != "B" else "C") + cursor[1:]
        for bad in (tampered, cursor[:-1], cursor + "A", "hkjhdjk", "not a cursor!"):
            response = http.get(by_profile(profile), params={"page[after]": bad})
            assert response.status_code == 400, bad
            assert error_codes(response) == ["InvalidPaginationParameter"]
    other = zendesk_sandbox_factory()
    other.add_events([record(n=n) for n in range(3)])
    with client_for(other) as http:
        assert http.get(by_user(1_000_001), params={"page[after]": cursor}).status_code == 400


# -- options: rate limit, latency, faults -------------------------------------------------------


def test_no_rate_limit_headers_by_default(http: httpx.Client) -> None:
    response = http.get(by_user(JDOE_USER))
    assert "x-rate-limit" not in response.headers
    assert "x-rate-limit-remaining" not in response.headers


@pytest.mark.zendesk_sandbox(seed="demo", rate_limit=3)
def test_rate_limit(zendesk_sandbox: Sandbox) -> None:
    with client_for(zendesk_sandbox) as http:
        responses = [http.get(by_user(JDOE_USER)) for _ in range(4)]
        elsewhere = http.get("/api/v2/nowhere")
    assert elsewhere.headers["x-rate-limit-remaining"] == "0"
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["x-rate-limit"] for r in responses] == ["3"] * 4
    assert [r.headers["x-rate-limit-remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert 1 <= int(responses[3].headers["retry-after"]) <= 60
    assert responses[3].json()["error"][0]["code"] == "TooManyRequests"


def test_latency_delays_each_request(zendesk_sandbox: Sandbox) -> None:
    zendesk_sandbox.latency = 0.2
    with client_for(zendesk_sandbox) as http:
        response = http.get(by_user(1))
    # A lower bound only: the sleep can never be shorter, however slow the machine.
    assert response.elapsed.total_seconds() >= 0.19
    assert response.status_code == 404


@pytest.mark.parametrize("status", [429, 500, 503, 520])
def test_status_faults(zendesk_sandbox_factory: Factory, status: int) -> None:
    sandbox = zendesk_sandbox_factory(seed="demo", faults={str(status): 1.0}, retry_after=0)
    with client_for(sandbox) as http:
        response = http.get(by_user(JDOE_USER))
        assert response.status_code == status
        if status == 429:
            assert response.headers["retry-after"] == "0"
        # Faults never hit unauthenticated requests.
        assert httpx.get(f"{sandbox.base_url}{by_user(JDOE_USER)}").status_code == 401
    assert sandbox.fault_counts[str(status)] == 1
    assert sum(sandbox.fault_counts.values()) == 1


def test_dropped_connection_fault(zendesk_sandbox_factory: Factory) -> None:
    sandbox = zendesk_sandbox_factory(seed="demo", faults="drop=1")
    with (
        client_for(sandbox) as http,
        pytest.raises(httpx.RemoteProtocolError, match="without sending"),
    ):
        http.get(by_user(JDOE_USER))
    assert sandbox.fault_counts["drop"] == 1


def test_truncated_body_fault(zendesk_sandbox_factory: Factory) -> None:
    sandbox = zendesk_sandbox_factory(seed="demo", faults="truncate=1")
    with client_for(sandbox) as http, http.stream("GET", by_user(JDOE_USER)) as response:
        assert response.status_code == 200
        promised = int(response.headers["content-length"])
        received = bytearray()
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                received += chunk
    assert 0 < len(received) < promised
    assert sandbox.fault_counts["truncate"] == 1


def outcomes(sandbox: Sandbox, count: int) -> list[str]:
    results = []
    with client_for(sandbox) as http:
        for _ in range(count):
            try:
                response = http.get(by_user(JDOE_USER))
                results.append(str(response.status_code))
            except httpx.RemoteProtocolError:
                results.append("error")
    return results


def test_fault_sequence_is_reproducible(zendesk_sandbox_factory: Factory) -> None:
    faults = "429=0.1,500=0.1,503=0.1,520=0.1,drop=0.1,truncate=0.1"
    first = zendesk_sandbox_factory(seed="demo", faults=faults, fault_seed=7)
    second = zendesk_sandbox_factory(seed="demo", faults=faults, fault_seed=7)
    other = zendesk_sandbox_factory(seed="demo", faults=faults, fault_seed=8)
    run = outcomes(first, 40)
    assert run == outcomes(second, 40)
    assert run != outcomes(other, 40)
    assert first.fault_counts == second.fault_counts
    assert {"200", "429", "500", "503", "520", "error"} <= set(run)


def test_invalid_fault_options_are_refused() -> None:
    for faults in ("404=0.1", "500=2", "500=0.6,503=0.6", "drop"):
        with pytest.raises(ValueError):
            Sandbox(faults=faults)
    with pytest.raises(ValueError, match="loopback"):
        Sandbox(host="0.0.0.0")  # noqa: S104 -- the point is that it is refused


# -- data: seeds, records, persistence ----------------------------------------------------------


def test_demo_seed_is_deterministic_and_has_the_guides_example() -> None:
    records = demo_records()
    assert records == demo_records()
    assert 200 <= len(records) <= 600
    assert any(r["event"] == DOCUMENTED_EVENT for r in records)
    jdoe = [r for r in records if r["profile"].get("id") == JDOE_PROFILE]
    assert all(r["user_id"] == JDOE_USER for r in jdoe)
    assert len({r["event"]["source"] for r in records}) >= 3
    assert len({r["user_id"] for r in records}) >= 5
    months = {r["event"]["created_at"][:7] for r in records}
    assert len(months) >= 4


def test_seed_file_error_names_the_line_and_loads_nothing(tmp_path: Path) -> None:
    seed = tmp_path / "seed.jsonl"
    good = json.dumps(record(n=1))
    bad = json.dumps({"profile": record()["profile"], "event": {"type": "no_source"}})
    seed.write_text(f"{good}\n\n{good}\n{bad}\n{good}\n", encoding="utf-8")
    db = tmp_path / "events.db"
    with pytest.raises(SeedError, match=r"line 4: event\.source") as caught:
        Sandbox(seed=seed, db=db)
    assert caught.value.line == 4
    seed.write_text(f"{good}\n{{not json\n", encoding="utf-8")
    with pytest.raises(SeedError, match="line 2: invalid JSON"):
        Sandbox(seed=seed, db=db)
    store = Store(db)
    assert store.count_events() == 0
    store.close()


def test_seed_conflict_found_in_storage_also_loads_nothing(tmp_path: Path) -> None:
    seed = tmp_path / "seed.jsonl"
    first = record(n=1)
    clash = record(n=2)
    clash["profile"]["id"] = "01E1G0NJSQPNPZRV096JXKXFZZ"  # same identifier, other profile id
    seed.write_text(f"{json.dumps(first)}\n{json.dumps(clash)}\n", encoding="utf-8")
    db = tmp_path / "events.db"
    with pytest.raises(SeedError, match="line 2"):
        Sandbox(seed=seed, db=db)
    store = Store(db)
    assert store.count_events() == 0
    store.close()


def test_reseeding_skips_identical_events_and_reports_a_reused_id(tmp_path: Path) -> None:
    seed = tmp_path / "seed.jsonl"
    with_id = record(n=1, id="01E24ET0G1PHQ8QVNYRYM4QT8K")  # no created_at or received_at
    without_id = record(n=2)
    seed.write_text(f"{json.dumps(with_id)}\n{json.dumps(without_id)}\n", encoding="utf-8")
    db = tmp_path / "events.db"
    for loads in (1, 2):
        Sandbox(seed=seed, db=db).stop()
        store = Store(db)
        # The event with an id is stored once; the one without gets a new id each load.
        assert store.count_events() == 1 + loads
        store.close()
    # The same id in a file that repeats it with the same content: skipped.
    seed.write_text(f"{json.dumps(with_id)}\n{json.dumps(with_id)}\n", encoding="utf-8")
    Sandbox(seed=seed, db=db).stop()
    # A different event reusing the id, in storage or earlier in the file, names its line.
    reused = record(n=3, id="01E24ET0G1PHQ8QVNYRYM4QT8K")
    seed.write_text(f"{json.dumps(without_id)}\n{json.dumps(reused)}\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"line 2: event\.id 01E24ET0G1PHQ8QVNYRYM4QT8K is already"):
        Sandbox(seed=seed, db=db)
    other = tmp_path / "other.jsonl"
    other.write_text(f"{json.dumps(with_id)}\n\n{json.dumps(reused)}\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"line 3: event\.id .* with different content"):
        Sandbox(seed=other)
    elsewhere = record("bob@example.com", n=1, id="01E24ET0G1PHQ8QVNYRYM4QT8K")
    seed.write_text(f"{json.dumps(elsewhere)}\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"line 1: event\.id .* for profile"):
        Sandbox(seed=seed, db=db)
    store = Store(db)
    assert store.count_events() == 3  # nothing of the failed seeds was stored
    store.close()


def test_add_events_is_atomic(zendesk_sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match=r"event\.type") as caught:
        zendesk_sandbox.add_events(
            [record(n=1), {"profile": record()["profile"], "event": {"source": "x"}}]
        )
    assert getattr(caught.value, "index", None) == 1
    assert zendesk_sandbox.store.count_events() == 0


def test_profiles_link_to_users(zendesk_sandbox: Sandbox) -> None:
    rider = record("Ann@Example.com")
    rider["profile"]["source"] = "bikes"
    ids = zendesk_sandbox.add_events([record("ann@example.com"), rider, record("bob@example.com")])
    assert ids[0] != ids[1] != ids[2]
    with client_for(zendesk_sandbox) as http:
        ann = events_of(http.get(by_user(1_000_001)))
        bob = events_of(http.get(by_user(1_000_002)))
    assert (len(ann), len(bob)) == (2, 1)


def test_stored_json_is_kept_exactly(zendesk_sandbox: Sandbox) -> None:
    profile = zendesk_sandbox.add_event(
        record(
            created_at="2020-06-10T01:24:58.14332413Z", received_at="x", extra={"deep": [1, None]}
        )
    )
    with client_for(zendesk_sandbox) as http:
        (event,) = events_of(http.get(by_profile(profile)))
    assert event["created_at"] == "2020-06-10T01:24:58.14332413Z"
    assert event["received_at"] == "x"
    assert event["extra"] == {"deep": [1, None]}
    assert len(event["id"]) == 26


def test_db_file_persists_between_runs(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    with Sandbox(db=db, seed="demo") as first, client_for(first) as http:
        page = http.get(by_user(JDOE_USER), params={"page[size]": 5}).json()
        count = first.store.count_events()
    with Sandbox(db=db) as second, client_for(second) as http:
        assert second.store.count_events() == count
        again = http.get(by_user(JDOE_USER), params={"page[size]": 5}).json()
        assert (again["events"], again["meta"]) == (page["events"], page["meta"])
        # A cursor from the first run still works in the second.
        assert (
            http.get(
                page["links"][0]["next"].replace(str(first.port), str(second.port))
            ).status_code
            == 200
        )
    # Seeding the same file again does not duplicate events.
    with Sandbox(db=db, seed="demo") as third:
        assert third.store.count_events() == count


# -- command line -------------------------------------------------------------------------------


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_cli_prints_exports_and_exits_cleanly(stop_signal: signal.Signals) -> None:
    process = run_cli("--port", "0", "--seed", "demo")
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(4)]
        base_url = lines[0].rsplit(" ", 1)[-1]
        assert base_url.startswith("http://127.0.0.1:")
        assert lines[1] == f"export ZENDESK_BASE_URL={base_url}"
        assert lines[2] == "export ZENDESK_EMAIL=devs@coolbikes.com"
        assert lines[3] == "export ZENDESK_API_TOKEN=sandbox-api-token"
        response = httpx.get(
            f"{base_url}{by_user(JDOE_USER)}",
            auth=("devs@coolbikes.com/token", "sandbox-api-token"),
        )
        assert response.status_code == 200
        process.send_signal(stop_signal)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_reports_bad_seed_line(tmp_path: Path) -> None:
    seed = tmp_path / "bad.jsonl"
    seed.write_text('{"profile": {}, "event": {}}\n', encoding="utf-8")
    status, _, stderr = run_main("--port", "0", "--seed", str(seed))
    assert status == 2
    assert "line 1" in stderr


def test_cli_refuses_remote_host() -> None:
    host = "0.0.0.0"  # noqa: S104 -- refused on purpose
    status, _, stderr = run_main("--host", host, "--port", "0")
    assert status == 2
    assert "--allow-remote" in stderr


def test_stop_with_a_request_in_flight_is_quiet(
    zendesk_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(_server, "_GRACEFUL_SHUTDOWN_SECONDS", 0.05)  # not a second
    zendesk_sandbox.latency = 30.0
    statuses: list[object] = []

    def slow_request() -> None:
        try:
            with client_for(zendesk_sandbox, timeout=60) as http:
                statuses.append(http.get(by_user(JDOE_USER)).status_code)
        except httpx.HTTPError as exc:
            statuses.append(type(exc))

    thread = threading.Thread(target=slow_request)
    thread.start()
    for _ in range(500):
        if zendesk_sandbox.request_count:
            break
        threading.Event().wait(0.01)
    assert zendesk_sandbox.request_count == 1
    zendesk_sandbox.stop()  # the request is cancelled after the graceful-shutdown timeout
    thread.join(30)
    assert statuses, "the request did not end"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert "CancelledError" not in capfd.readouterr().err


def test_stop_closes_an_idle_kept_alive_connection(zendesk_sandbox: Sandbox) -> None:
    # The sandbox's own shutdown (uvicorn's without its fixed sleeps) must still ask every
    # open connection to close, not leave a kept-alive one to the client.
    host, port = zendesk_sandbox.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host.strip("[]"), int(port)), timeout=30) as conn:
        conn.sendall(b"GET /api/v2/users/1/events HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += conn.recv(65536)
        assert answer.startswith(b"HTTP/1.1 401")  # answered, and the connection kept
        assert b"connection: close" not in answer.lower()
        zendesk_sandbox.stop()
        rest = b""
        while chunk := conn.recv(65536):
            rest += chunk
    assert zendesk_sandbox.request_count == 1
    assert b"HTTP/1.1" not in rest  # the body of the 401 at most, then the server's close


def _kernel_send_buffer_bytes() -> int:
    # The most a socket's send buffer grows to (Linux; 4 MiB by default).
    try:
        return int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, IndexError, ValueError):
        return 4 * 1024 * 1024


def test_stop_closes_a_connection_whose_client_reads_nothing(
    zendesk_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # A page larger than the kernel buffers, asked for by a client that stops reading:
    # the response's write waits, and closing its connection waits for that write, so
    # the stop must cut it after the grace, not leave the socket open with the loop gone.
    monkeypatch.setattr(_server, "_GRACEFUL_SHUTDOWN_SECONDS", 0.05)
    page = 2 * _kernel_send_buffer_bytes() + 1024 * 1024
    filler = "x" * (page // 100)
    zendesk_sandbox.add_events(
        [record(user_id=7, properties={"filler": filler}) for _ in range(100)]
    )
    token = base64.b64encode(
        f"{zendesk_sandbox.email}/token:{zendesk_sandbox.api_token}".encode()
    ).decode()
    with socket.socket() as conn:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        conn.settimeout(10)
        conn.connect(("127.0.0.1", zendesk_sandbox.port))
        conn.sendall(
            f"GET {by_user(7)}?page[size]=100 HTTP/1.1\r\nHost: sandbox\r\n"
            f"Authorization: Basic {token}\r\n\r\n".encode()
        )
        assert conn.recv(15) == b"HTTP/1.1 200 OK"
        zendesk_sandbox.stop()
        try:
            while conn.recv(1024 * 1024):
                pass
        except ConnectionResetError:
            pass  # cut: what is left of the page is lost, as it should be
        except TimeoutError:
            pytest.fail("the connection was left open after stop()")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    err = capfd.readouterr().err
    assert "CancelledError" not in err and "Traceback" not in err, err


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_cli_refuses_a_port_out_of_range(port: str) -> None:
    status, _, stderr = run_main("--port", port)
    assert status == 2
    assert "--port" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("kind", ["directory", "not a database"])
def test_cli_reports_an_unusable_db_in_one_line(tmp_path: Path, kind: str) -> None:
    db = tmp_path
    if kind == "not a database":
        db = tmp_path / "notes.txt"
        db.write_text("these are not the tables you are looking for\n" * 100, encoding="utf-8")
    status, _, stderr = run_main("--port", "0", "--db", str(db))
    assert status == 2
    assert stderr.startswith(f"python -m zdevents.sandbox: error: --db {db}: ")
    assert stderr.count("\n") == 1, stderr


def test_sandbox_refuses_a_port_out_of_range() -> None:
    with pytest.raises(ValueError, match=r"0\.\.65535"):
        Sandbox(port=65536)


def test_main_is_importable_for_the_zdevents_cli(capsys: pytest.CaptureFixture[str]) -> None:
    from zdevents.sandbox import main

    with pytest.raises(SystemExit) as caught:
        main(["--help"], prog="zdevents sandbox")
    assert caught.value.code == 0
    help_text = capsys.readouterr().out
    assert help_text.startswith("usage: zdevents sandbox")
    for option in ("--db", "--seed", "--rate-limit", "--latency", "--faults", "--fault-seed"):
        assert option in help_text
    for bad in (["--faults", "404=0.5"], ["--rate-limit", "0"], ["--latency", "-1"]):
        with pytest.raises(SystemExit) as caught:
            main(bad)
        assert caught.value.code == 2


def test_start_and_stop_leave_no_thread_behind() -> None:
    before = threading.active_count()
    for _ in range(5):
        with Sandbox() as sandbox:
            assert sandbox.port > 0
    assert threading.active_count() == before


def test_end_user_credentials_are_403(demo: Sandbox) -> None:
    assert demo.end_user_email is not None
    auth = (f"{demo.end_user_email}/token", demo.api_token)
    response = httpx.get(f"{demo.base_url}{by_user(JDOE_USER)}", auth=auth)
    assert response.status_code == 403
    assert error_codes(response) == ["PermissionDenied"]
