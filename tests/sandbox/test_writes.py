"""Tracking events and reading profiles on the sandbox, over real HTTP on loopback."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._demo import JDOE, JDOE_PROFILE, JDOE_USER
from zdevents.sandbox import Sandbox

TRACK = "/api/v2/user_profiles/events"
ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


def track_profile(profile_id: str) -> str:
    return f"/api/v2/user_profiles/{profile_id}/events"


def track_user(user_id: object) -> str:
    return f"/api/v2/users/{user_id}/events"


def profile(*identifiers: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "source": "shopco",
        "type": "customer",
        "identifiers": [{"type": t, "value": v} for t, v in identifiers],
        **extra,
    }


def event(type: str = "login", **extra: Any) -> dict[str, Any]:
    return {"source": "shop", "type": type, "properties": {"n": 1}, **extra}


@pytest.fixture
def http(zendesk_sandbox: Sandbox) -> Iterator[httpx.Client]:
    auth = (f"{zendesk_sandbox.email}/token", zendesk_sandbox.api_token)
    with httpx.Client(base_url=zendesk_sandbox.base_url, auth=auth) as client:
        yield client


def accepted(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"profile_id", "status", "user_id"}
    assert body["status"] == "received"
    assert isinstance(body["profile_id"], str) and ULID.fullmatch(body["profile_id"])
    assert isinstance(body["user_id"], str) and body["user_id"].isdigit()
    return body


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    (item,) = response.json()["errors"]
    assert item["code"] and item["title"] and item["id"]
    return dict(item)


def events(http: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    response = http.get(path, params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["events"]
    return found


# -- the three track routes -----------------------------------------------------------------


def test_track_by_identifiers_creates_then_finds_the_profile(http: httpx.Client) -> None:
    first = accepted(
        http.post(TRACK, json={"profile": profile(("email", "Ann@X.com")), "event": event()})
    )
    # Matching: same source and type, any one identifier (email compared lower-cased).
    again = accepted(
        http.post(
            TRACK,
            json={
                "profile": profile(("email", "ANN@x.com"), ("member_id", "M-1")),
                "event": event("logout"),
            },
        )
    )
    assert again == first
    by_member = accepted(
        http.post(TRACK, json={"profile": profile(("member_id", "M-1")), "event": event()})
    )
    assert by_member["profile_id"] == first["profile_id"]
    # Another type is another profile (of the same person: the email links the user).
    other = accepted(
        http.post(
            TRACK,
            json={
                "profile": {**profile(("email", "ann@x.com")), "type": "rider"},
                "event": event(),
            },
        )
    )
    assert other["profile_id"] != first["profile_id"]
    assert other["user_id"] == first["user_id"]
    stored = http.get(f"/api/v2/user_profiles/{first['profile_id']}").json()["profile"]
    assert stored["identifiers"] == [
        {"type": "email", "value": "ann@x.com"},
        {"type": "member_id", "value": "M-1"},
    ]


def test_a_tracked_event_is_readable_on_all_three_read_routes(http: httpx.Client) -> None:
    body = {"profile": profile(("email", "bob@x.com")), "event": event(description="hi")}
    result = accepted(http.post(TRACK, json=body))
    paths = [
        (TRACK, {"identifier": "shopco:customer:email:BOB@x.com"}),
        (track_profile(result["profile_id"]), {}),
        (track_user(result["user_id"]), {}),
    ]
    seen = [events(http, path, **params) for path, params in paths]
    assert seen[0] == seen[1] == seen[2]
    (stored,) = seen[0]
    assert {k: stored[k] for k in ("source", "type", "description", "properties")} == {
        "source": "shop",
        "type": "login",
        "description": "hi",
        "properties": {"n": 1},
    }
    assert ULID.fullmatch(stored["id"])
    # created_at defaults to the time received, and received_at is that time too.
    assert stored["created_at"] == stored["received_at"]


def test_created_at_is_kept_with_every_digit_and_read_only_fields_are_the_servers(
    http: httpx.Client,
) -> None:
    body = {
        "profile": profile(("email", "cy@x.com")),
        "event": event(
            created_at="2020-02-28T18:13:28.175841347Z", id="mine", received_at="1999-01-01"
        ),
    }
    result = accepted(http.post(TRACK, json=body))
    (stored,) = events(http, track_profile(result["profile_id"]))
    assert stored["created_at"] == "2020-02-28T18:13:28.175841347Z"
    assert stored["id"] != "mine" and ULID.fullmatch(stored["id"])
    assert stored["received_at"] != "1999-01-01"
    start = {"filter[start_time]": "2020-02-28T18:13:28.175841347Z"}
    assert events(http, track_profile(result["profile_id"]), **start) == [stored]


def test_track_by_profile_id(http: httpx.Client) -> None:
    first = accepted(
        http.post(TRACK, json={"profile": profile(("email", "d@x.com")), "event": event()})
    )
    second = accepted(http.post(track_profile(first["profile_id"]), json={"event": event("again")}))
    assert second == first
    # Zendesk's own sample sends a profile anyway; the path decides.
    third = accepted(
        http.post(
            track_profile(first["profile_id"]),
            json={"profile": profile(("email", "someone-else@x.com")), "event": event()},
        )
    )
    assert third == first
    assert len(events(http, track_profile(first["profile_id"]))) == 3


def test_track_by_user_id(http: httpx.Client) -> None:
    first = accepted(
        http.post(TRACK, json={"profile": profile(("email", "e@x.com")), "event": event()})
    )
    user = first["user_id"]
    rider = {**profile(("coolbike_id", "CB-9")), "source": "bikes", "type": "rider"}
    second = accepted(http.post(track_user(user), json={"profile": rider, "event": event()}))
    assert second["user_id"] == user
    assert second["profile_id"] != first["profile_id"]
    profiles = http.get(f"/api/v2/users/{user}/profiles").json()["profiles"]
    assert [p["id"] for p in profiles] == [first["profile_id"], second["profile_id"]]
    assert all(p["user_id"] == user for p in profiles)
    # A profile that belongs to another user cannot be tracked through this one.
    other = accepted(
        http.post(TRACK, json={"profile": profile(("email", "f@x.com")), "event": event()})
    )
    response = http.post(
        track_user(user), json={"profile": profile(("email", "f@x.com")), "event": event()}
    )
    assert (
        error(response, 409)["title"]
        == f"profile {other['profile_id']} belongs to user {other['user_id']}"
    )


def test_identifiers_of_two_profiles_are_a_409(
    zendesk_sandbox: Sandbox, http: httpx.Client
) -> None:
    for email in ("q1@x.com", "q2@x.com"):
        accepted(http.post(TRACK, json={"profile": profile(("email", email)), "event": event()}))
    both = {"profile": profile(("email", "q1@x.com"), ("email", "q2@x.com")), "event": event()}
    assert error(http.post(TRACK, json=both), 409)["code"] == "IdentifierConflict"
    assert zendesk_sandbox.store.count_events() == 2


@pytest.mark.parametrize(
    ("created_at", "status"),
    [
        ("1678-01-01T00:00:00Z", 202),
        ("2261-12-31T23:59:59.999999999-05:00", 202),
        ("1677-12-31T23:59:59Z", 400),
        ("2262-01-01T00:00:00Z", 400),
        ("2020-02-30T00:00:00Z", 400),
        ("2020-02-28", 400),
    ],
)
def test_created_at_years_follow_the_spec(http: httpx.Client, created_at: str, status: int) -> None:
    body = {"profile": profile(("email", "r@x.com")), "event": event(created_at=created_at)}
    assert http.post(TRACK, json=body).status_code == status


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (track_profile("01E1G0NJSQPNPZRV096JXKXFZZ"), {"event": event()}),
        (track_user(4242), {"profile": profile(("email", "g@x.com")), "event": event()}),
    ],
)
def test_track_to_a_missing_profile_or_user_is_404_and_stores_nothing(
    zendesk_sandbox: Sandbox, http: httpx.Client, path: str, body: dict[str, Any]
) -> None:
    assert error(http.post(path, json=body), 404)["code"] == "NotFound"
    assert zendesk_sandbox.store.count_events() == 0
    assert (
        http.get(
            "/api/v2/user_profiles", params={"identifier": "shopco:customer:email:g@x.com"}
        ).status_code
        == 404
    )


# -- validation ---------------------------------------------------------------------------------

LONG = "x" * 41


@pytest.mark.parametrize(
    ("body", "code", "names"),
    [
        ({"event": event()}, "MissingField", "profile is required"),
        ({"profile": profile(("email", "h@x.com"))}, "MissingField", "event is required"),
        (
            {"profile": profile(("email", "h@x.com")), "event": {"type": "t"}},
            "MissingField",
            "event.source",
        ),
        (
            {"profile": profile(("email", "h@x.com")), "event": {"source": "s"}},
            "MissingField",
            "event.type",
        ),
        (
            {"profile": profile(("email", "h@x.com")), "event": event(source=LONG)},
            "InvalidEventSourceLength",
            "event.source is longer than 40",
        ),
        (
            {"profile": profile(("email", "h@x.com")), "event": event(type=LONG)},
            "InvalidEventTypeLength",
            "event.type is longer than 40",
        ),
        (
            {"profile": {**profile(("email", "h@x.com")), "source": LONG}, "event": event()},
            "InvalidProfileSourceLength",
            "profile.source",
        ),
        (
            {"profile": {**profile(("email", "h@x.com")), "type": LONG}, "event": event()},
            "InvalidProfileTypeLength",
            "profile.type",
        ),
        (
            {"profile": profile(("email", "h@x.com")), "event": event(properties=[1])},
            "InvalidProperties",
            "event.properties must be an object",
        ),
        (
            {"profile": profile(("email", "h@x.com")), "event": event(properties="x")},
            "InvalidProperties",
            "event.properties",
        ),
        ({"profile": profile(), "event": event()}, "MissingIdentifiers", "profile.identifiers"),
        (
            {"profile": {"source": "a", "type": "b"}, "event": event()},
            "MissingIdentifiers",
            "profile.identifiers",
        ),
        (
            {"profile": profile(*[("id", str(n)) for n in range(21)]), "event": event()},
            "TooManyIdentifiers",
            "at most 20",
        ),
        (
            {"profile": {**profile(("email", "h@x.com")), "source": "zendesk"}, "event": event()},
            "ReservedSource",
            "reserved",
        ),
        (
            {"profile": profile(("email", "h@x.com")), "event": event(source="zendesk")},
            "ReservedSource",
            "event.source 'zendesk' is reserved",
        ),
        (
            {"profile": profile(("email", "h@x.com")), "event": event(created_at="yesterday")},
            "InvalidTimestamp",
            "created_at",
        ),
        ([], "InvalidJSON", "JSON object"),
    ],
)
def test_validation_errors_are_400_in_zendesks_shape(
    zendesk_sandbox: Sandbox, http: httpx.Client, body: object, code: str, names: str
) -> None:
    item = error(http.post(TRACK, json=body), 400)
    assert item["code"] == code
    assert names in item["title"]
    assert zendesk_sandbox.store.count_events() == 0


def test_twenty_identifiers_and_forty_characters_are_allowed(http: httpx.Client) -> None:
    exact = "y" * 40
    body = {
        "profile": {
            **profile(*[("id", str(n)) for n in range(20)]),
            "source": exact,
            "type": exact,
        },
        "event": event(source=exact, type=exact),
    }
    accepted(http.post(TRACK, json=body))
    # But a track that would take a stored profile past 20 identifiers is refused.
    more = {
        **body,
        "profile": {
            **body["profile"],
            "identifiers": [{"type": "id", "value": "0"}, {"type": "id", "value": "20"}],
        },
    }
    # A 409: the body alone is valid; it conflicts with what is stored.
    assert error(http.post(TRACK, json=more), 409)["code"] == "TooManyIdentifiers"


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"[" * 5000 + b"]" * 5000, b'{"profile": ' + b"1" * 5000 + b"}", b"\xff\xfe"],
)
def test_undecodable_bodies_are_400(http: httpx.Client, raw: bytes) -> None:
    response = http.post(TRACK, content=raw, headers={"content-type": "application/json"})
    assert error(response, 400)["code"] == "InvalidJSON"


def test_a_body_over_the_limit_is_413(http: httpx.Client) -> None:
    huge = {"profile": profile(("email", "i@x.com")), "event": event(blob="z" * (1 << 20))}
    assert error(http.post(TRACK, json=huge), 413)["code"] == "PayloadTooLarge"


@pytest.mark.parametrize("user_id", ["abc", "0", "1" * 5000])
def test_track_with_an_invalid_user_id_is_400(http: httpx.Client, user_id: str) -> None:
    response = http.post(
        track_user(user_id), json={"profile": profile(("email", "j@x.com")), "event": event()}
    )
    assert response.status_code == 400
    assert response.json()["error"]["title"] == "Invalid attribute"


# -- the profile read routes ----------------------------------------------------------------------


@pytest.mark.zendesk_sandbox(seed="demo")
def test_profile_routes_on_the_demo_data(http: httpx.Client) -> None:
    by_identifier = http.get("/api/v2/user_profiles", params={"identifier": JDOE})
    assert by_identifier.status_code == 200, by_identifier.text
    found = by_identifier.json()["profile"]
    assert found["id"] == JDOE_PROFILE
    assert (found["source"], found["type"], found["user_id"]) == (
        "coolbikes",
        "rider",
        str(JDOE_USER),
    )
    assert {"type": "email", "value": "jdoe@example.com"} in found["identifiers"]
    assert set(found) == {
        "attributes",
        "created_at",
        "id",
        "identifiers",
        "name",
        "source",
        "type",
        "updated_at",
        "user_id",
    }
    assert http.get(f"/api/v2/user_profiles/{JDOE_PROFILE}").json() == {"profile": found}
    profiles = http.get(f"/api/v2/users/{JDOE_USER}/profiles").json()["profiles"]
    assert found in profiles
    assert {p["source"] for p in profiles} == {"coolbikes", "shoppingnow"}


def test_profile_name_and_attributes_are_kept_and_merged(http: httpx.Client) -> None:
    first = {
        "profile": profile(("email", "k@x.com"), name="Kay", attributes={"tier": "gold", "n": 1}),
        "event": event(),
    }
    result = accepted(http.post(TRACK, json=first))
    later = {"profile": profile(("email", "k@x.com"), attributes={"n": 2}), "event": event()}
    accepted(http.post(TRACK, json=later))
    stored = http.get(f"/api/v2/user_profiles/{result['profile_id']}").json()["profile"]
    assert (stored["name"], stored["attributes"]) == ("Kay", {"tier": "gold", "n": 2})
    assert stored["created_at"] <= stored["updated_at"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v2/user_profiles?identifier=shopco:customer:email:nobody@x.com", 404),
        ("/api/v2/user_profiles?identifier=not-a-query", 400),
        ("/api/v2/user_profiles", 400),
        ("/api/v2/user_profiles/01E1G0NJSQPNPZRV096JXKXFZZ", 404),
        ("/api/v2/users/4242/profiles", 404),
        ("/api/v2/users/abc/profiles", 400),
        (f"/api/v2/users/{'9' * 5000}/profiles", 400),
    ],
)
def test_profile_route_errors(http: httpx.Client, path: str, status: int) -> None:
    assert http.get(path).status_code == status


# -- rate limit, faults, the fixture --------------------------------------------------------------


@pytest.mark.zendesk_sandbox(rate_limit=3)
def test_writes_count_against_the_same_rate_limit_as_reads(http: httpx.Client) -> None:
    body = {"profile": profile(("email", "l@x.com")), "event": event()}
    result = accepted(http.post(TRACK, json=body))
    assert http.get(track_profile(result["profile_id"])).headers["x-rate-limit-remaining"] == "1"
    assert http.post(TRACK, json=body).headers["x-rate-limit-remaining"] == "0"
    limited = http.post(TRACK, json=body)
    assert limited.status_code == 429 and "retry-after" in limited.headers


def test_store_then_500_stores_the_event_and_answers_500(
    zendesk_sandbox: Sandbox, http: httpx.Client
) -> None:
    zendesk_sandbox.set_faults("store-then-500=1")
    body = {"profile": profile(("email", "m@x.com")), "event": event()}
    response = http.post(TRACK, json=body)
    assert response.status_code == 500
    assert zendesk_sandbox.fault_counts["store-then-500"] == 1
    # Reads are served normally under this fault, and show the event was stored.
    (stored,) = events(http, TRACK, identifier="shopco:customer:email:m@x.com")
    assert stored["type"] == "login"
    assert zendesk_sandbox.fault_counts["store-then-500"] == 1


@pytest.mark.parametrize("kind", ["500", "503", "429", "drop"])
def test_faults_before_a_write_store_nothing(
    zendesk_sandbox: Sandbox, http: httpx.Client, kind: str
) -> None:
    zendesk_sandbox.set_faults({kind: 1.0}, retry_after=0)
    body = {"profile": profile(("email", "n@x.com")), "event": event()}
    try:
        status = http.post(TRACK, json=body).status_code
    except (httpx.RemoteProtocolError, httpx.ReadError):
        # A drop closes the connection before the body is read: the client sees it closed,
        # or reset when the body is still unread in the server's socket (a busy machine).
        status = 0
    assert status == (0 if kind == "drop" else int(kind))
    assert zendesk_sandbox.fault_counts[kind] == 1
    assert zendesk_sandbox.store.count_events() == 0


def test_truncate_on_a_write_stores_then_cuts_the_answer(
    zendesk_sandbox: Sandbox, http: httpx.Client
) -> None:
    zendesk_sandbox.set_faults("truncate=1")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(TRACK, json={"profile": profile(("email", "o@x.com")), "event": event()})
    assert zendesk_sandbox.store.count_events() == 1


def test_add_event_validates_and_matches_like_the_route(
    zendesk_sandbox: Sandbox, http: httpx.Client
) -> None:
    result = accepted(
        http.post(TRACK, json={"profile": profile(("email", "p@x.com")), "event": event()})
    )
    assert (
        zendesk_sandbox.add_event(profile=profile(("email", "P@x.com")), event=event())
        == result["profile_id"]
    )
    assert (
        zendesk_sandbox.add_event(profile_id=result["profile_id"], event=event())
        == result["profile_id"]
    )
    for bad, message in (
        ({"profile": profile(("email", "p@x.com")), "event": event(source=LONG)}, "longer than 40"),
        (
            {"profile": profile(*[("id", str(n)) for n in range(21)]), "event": event()},
            "at most 20",
        ),
        ({"profile": profile(("email", "p@x.com")), "event": event(properties=[])}, "properties"),
        ({"profile_id": "01E1G0NJSQPNPZRV096JXKXFZZ", "event": event()}, "not found"),
        (
            {
                "profile_id": result["profile_id"],
                "profile": profile(("email", "p@x.com")),
                "event": event(),
            },
            "one target",
        ),
    ):
        with pytest.raises(ValueError, match=message):
            zendesk_sandbox.add_event(bad)
    assert len(events(http, track_profile(result["profile_id"]))) == 3


def test_a_db_file_of_the_previous_layout_is_upgraded_in_place(tmp_path: Path) -> None:
    # The tables as the first release wrote them: no profile names, attributes or times.
    db = tmp_path / "old.db"
    connection = sqlite3.connect(db)
    connection.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
        CREATE TABLE profiles (id TEXT PRIMARY KEY, source TEXT NOT NULL, type TEXT NOT NULL,
                               user_id INTEGER NOT NULL);
        CREATE TABLE identifiers (source TEXT NOT NULL, type TEXT NOT NULL,
                                  id_type TEXT NOT NULL, value TEXT NOT NULL,
                                  profile_id TEXT NOT NULL,
                                  PRIMARY KEY (source, type, id_type, value)) WITHOUT ROWID;
        INSERT INTO profiles VALUES ('01E1G0NJSQPNPZRV096JXKXFAA', 'shopco', 'customer', 7);
        INSERT INTO identifiers VALUES ('shopco', 'customer', 'email', 'old@x.com',
                                        '01E1G0NJSQPNPZRV096JXKXFAA');
        """
    )
    connection.commit()
    connection.close()
    with Sandbox(db=db) as sandbox:
        auth = (f"{sandbox.email}/token", sandbox.api_token)
        with httpx.Client(base_url=sandbox.base_url, auth=auth) as http:
            old = http.get("/api/v2/user_profiles/01E1G0NJSQPNPZRV096JXKXFAA").json()["profile"]
            assert old["identifiers"] == [{"type": "email", "value": "old@x.com"}]
            assert "created_at" not in old
            identifiers = (("email", "old@x.com"), ("member_id", "M"))
            body = {"profile": profile(*identifiers), "event": event()}
            assert accepted(http.post(TRACK, json=body))["profile_id"] == old["id"]
            upgraded = http.get("/api/v2/users/7/profiles").json()["profiles"]
    assert [i["value"] for i in upgraded[0]["identifiers"]] == ["old@x.com", "M"]
