"""client.profile, client.profiles and Profile, against the real sandbox on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests._demo import JDOE, JDOE_PROFILE, JDOE_USER
from tests._mock import Recorder
from tests._mock import client as mock_client
from zdevents import AsyncClient, Client, Identifier, Profile, errors
from zdevents.sandbox import Sandbox

demo = pytest.mark.zendesk_sandbox(seed="demo")


@pytest.fixture
def client(zendesk_sandbox: Sandbox) -> Iterator[Client]:
    with Client(
        base_url=zendesk_sandbox.base_url,
        email=zendesk_sandbox.email,
        api_token=zendesk_sandbox.api_token,
        backoff_base=0,
    ) as c:
        yield c


def raw_get(sandbox: Sandbox, path: str, **params: str) -> dict[str, Any]:
    auth = (f"{sandbox.email}/token", sandbox.api_token)
    response = httpx.get(f"{sandbox.base_url}{path}", params=params, auth=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def rider(**extra: Any) -> dict[str, Any]:
    return {
        "source": "shopco",
        "type": "customer",
        "name": "Ann Example",
        "identifiers": [{"type": "email", "value": "ann@x.com"}, {"type": "phone", "value": 555}],
        "attributes": {"tier": "gold", "since": 2019},
        **extra,
    }


@demo
def test_profile_by_identifier_and_by_id_is_the_profile_as_received(
    zendesk_sandbox: Sandbox, client: Client
) -> None:
    by_identifier = client.profile(identifier=JDOE)
    by_id = client.profile(profile_id=JDOE_PROFILE)
    by_object = client.profile(identifier=Identifier.parse(JDOE))
    assert by_identifier == by_id == by_object
    received = raw_get(zendesk_sandbox, f"/api/v2/user_profiles/{JDOE_PROFILE}")["profile"]
    assert by_id.to_dict() == received
    assert json.loads(by_id.raw) == received
    assert by_id.id == JDOE_PROFILE
    assert by_id.user_id == str(JDOE_USER)
    assert (by_id.source, by_id.type) == (received["source"], received["type"])
    assert by_id.identifiers == received["identifiers"]
    assert {"type": "email", "value": "jdoe@example.com"} in by_id.identifiers


def test_every_field_of_a_tracked_profile(zendesk_sandbox: Sandbox, client: Client) -> None:
    result = client.track({"source": "shop", "type": "login"}, profile=rider())
    profile = client.profile(profile_id=result.profile_id)
    assert profile.id == result.profile_id
    assert profile.source == "shopco" and profile.type == "customer"
    assert profile.name == "Ann Example"
    assert profile.user_id == result.user_id
    assert profile.identifiers == [
        {"type": "email", "value": "ann@x.com"},
        {"type": "phone", "value": "555"},
    ]
    assert profile.attributes == {"tier": "gold", "since": 2019}
    assert isinstance(profile.created_at, dt.datetime)
    assert profile.created_at.tzinfo is dt.UTC
    assert isinstance(profile.updated_at, dt.datetime)
    assert profile.updated_at >= profile.created_at
    # What is read is the caller's to change; the profile stays as received.
    profile.attributes["tier"] = "lead"
    profile.identifiers.clear()
    assert profile.attributes["tier"] == "gold" and len(profile.identifiers) == 2
    assert "ann" not in repr(profile).lower() and result.profile_id in repr(profile)


def test_profiles_of_a_user_in_order(zendesk_sandbox: Sandbox, client: Client) -> None:
    first = client.track({"source": "shop", "type": "a"}, profile=rider())
    assert first.user_id is not None
    other = {"source": "bikes", "type": "rider", "identifiers": [{"type": "cb", "value": "9"}]}
    second = client.track({"source": "shop", "type": "b"}, user_id=first.user_id, profile=other)
    profiles = client.profiles(user_id=int(first.user_id))
    assert [p.id for p in profiles] == [first.profile_id, second.profile_id]
    assert all(isinstance(p, Profile) and p.user_id == first.user_id for p in profiles)
    received = raw_get(zendesk_sandbox, f"/api/v2/users/{first.user_id}/profiles")["profiles"]
    assert [p.to_dict() for p in profiles] == received
    assert client.profiles(user_id=first.user_id) == profiles


@pytest.mark.parametrize(
    "call",
    [
        {"identifier": "shopco:customer:email:nobody@x.com"},
        {"profile_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
    ],
)
def test_an_unknown_profile_is_a_404(
    zendesk_sandbox: Sandbox, client: Client, call: dict[str, Any]
) -> None:
    with pytest.raises(errors.NotFoundError) as info:
        client.profile(**call)
    assert info.value.status_code == 404
    assert zendesk_sandbox.request_count == 1


def test_an_unknown_user_is_a_404(zendesk_sandbox: Sandbox, client: Client) -> None:
    with pytest.raises(errors.NotFoundError):
        client.profiles(user_id=999999)
    assert zendesk_sandbox.request_count == 1


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        ({}, ValueError, "exactly one of identifier and profile_id"),
        ({"identifier": JDOE, "profile_id": JDOE_PROFILE}, ValueError, "got both"),
        ({"identifier": "coolbikes:rider:email"}, ValueError, "four parts"),
        ({"identifier": 5}, TypeError, "identifier"),
        ({"profile_id": "a/b"}, ValueError, "profile_id"),
        ({"profile_id": ""}, ValueError, "profile_id"),
    ],
)
def test_invalid_profile_arguments_raise_before_sending(
    zendesk_sandbox: Sandbox, client: Client, call: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        client.profile(**call)
    assert zendesk_sandbox.request_count == 0


@pytest.mark.parametrize("targets", [{}, {"identifier": JDOE, "profile_id": JDOE_PROFILE}])
def test_a_profile_read_or_merge_names_one_target_by_one_rule(targets: dict[str, Any]) -> None:
    from zdevents import _routes

    said = set()
    client = Client(subdomain="coolbikes", oauth_token="t0k3n")
    for call in (
        lambda: client.profile(**targets),
        lambda: client.patch_profile({"name": "x"}, **targets),
        lambda: _routes.build_profile_request(**targets),
        lambda: _routes.build_profile_patch({"name": "x"}, **targets),
    ):
        with pytest.raises(ValueError) as info:
            call()
        said.add(str(info.value))
    got = "both" if targets else "none"
    assert said == {f"give exactly one of identifier and profile_id (got {got})"}


@pytest.mark.parametrize("user_id", ["abc", 0, -3, True, None])
def test_invalid_user_ids_raise_before_sending(
    zendesk_sandbox: Sandbox, client: Client, user_id: Any
) -> None:
    with pytest.raises((TypeError, ValueError), match="user_id"):
        client.profiles(user_id=user_id)
    assert zendesk_sandbox.request_count == 0


@demo
def test_the_async_client_reads_profiles(zendesk_sandbox: Sandbox) -> None:
    async def main() -> tuple[Profile, Profile, list[Profile]]:
        async with AsyncClient(
            base_url=zendesk_sandbox.base_url,
            email=zendesk_sandbox.email,
            api_token=zendesk_sandbox.api_token,
        ) as c:
            one = await c.profile(identifier=JDOE)
            two = await c.profile(profile_id=JDOE_PROFILE)
            return one, two, await c.profiles(user_id=JDOE_USER)

    one, two, listed = asyncio.run(main())
    assert one == two
    assert one in listed
    assert all(p.user_id == str(JDOE_USER) for p in listed)


# -- decoding, leniently ---------------------------------------------------------------------


def test_a_profile_decodes_only_what_is_read() -> None:
    p = Profile(b'{"id": "01E1", "user_id": 85211553, "extra": [1, 2], "created_at": "x"}')
    assert p.id == "01E1"
    assert p.user_id == "85211553"
    assert p.name is None and p.updated_at is None
    assert p.identifiers == [] and p.attributes == {}
    assert p.to_dict()["extra"] == [1, 2]
    with pytest.raises(errors.BadResponseError, match="'source'"):
        _ = p.source
    with pytest.raises(errors.BadResponseError, match="'created_at' is not an RFC 3339"):
        _ = p.created_at


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (b'{"identifiers": "email"}', "identifiers", "not a list of objects"),
        (b'{"identifiers": [1]}', "identifiers", "not a list of objects"),
        (b'{"attributes": [1]}', "attributes", "not an object"),
        (b'{"name": 5}', "name", "not a string"),
        (b'{"type": null}', "type", "no 'type'"),
    ],
)
def test_a_field_of_the_wrong_type_fails_when_read(text: bytes, field: str, message: str) -> None:
    p = Profile(text)
    with pytest.raises(errors.BadResponseError, match=message):
        getattr(p, field)


def test_profile_text_is_kept_byte_for_byte() -> None:
    text = b'{ "id":"01E1", "source":"s", "type":"t", "attributes":{"n":1.50}, "x":1e400 }'
    p = Profile(text)
    assert p.raw == text
    assert p.attributes == {"n": 1.5}
    with pytest.raises(errors.BadResponseError, match="cannot carry"):
        p.to_dict()
    assert Profile(text.decode()) == p and hash(Profile(text)) == hash(p)
    assert Profile({"id": "01E2"}).raw == b'{"id":"01E2"}'
    with pytest.raises(TypeError):
        Profile(5)  # type: ignore[arg-type]


def test_profile_reports_zdevents_as_its_module() -> None:
    assert Profile.__module__ == "zdevents"
    assert Profile.attributes.fget.__module__ == "zdevents"  # type: ignore[attr-defined]


def bad_answer(body: bytes) -> Client:
    return mock_client(Recorder(httpx.Response(200, content=body)), max_retries=0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"profiles": []}', "no 'profile' object"),
        (b'{"profile": [1]}', "no 'profile' object"),
        (b"[1]", "not a JSON object"),
        (b"<html>", "not a JSON object"),
    ],
)
def test_an_answer_without_a_profile_is_a_bad_response(body: bytes, message: str) -> None:
    with bad_answer(body) as c, pytest.raises(errors.BadResponseError, match=message):
        c.profile(profile_id="01E1")


@pytest.mark.parametrize(
    ("body", "message"),
    [(b'{"profile": {}}', "no 'profiles' list"), (b'{"profiles": [1]}', "else than objects")],
)
def test_an_answer_without_a_profiles_list_is_a_bad_response(body: bytes, message: str) -> None:
    with bad_answer(body) as c, pytest.raises(errors.BadResponseError, match=message):
        c.profiles(user_id=1)


def test_profiles_keep_their_text_as_sent_in_a_list() -> None:
    body = b'{"profiles": [ {"id":"A", "n": 1.0},\n{"id":"B"} ], "next": null}'
    with bad_answer(body) as c:
        first, second = c.profiles(user_id=1)
    assert (first.raw, second.raw) == (b'{"id":"A", "n": 1.0}', b'{"id":"B"}')


def test_a_lone_surrogate_or_a_repeated_name_is_read_as_json_does() -> None:
    p = Profile(rb'{"id": "A", "name": "\ud800", "type": "t", "type": "u"}')
    assert p.id == "A" and p.name == "\ud800"
    assert p.type == "u" == p.to_dict()["type"]
