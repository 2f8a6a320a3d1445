"""Profile writes (put_profile, patch_profile, delete_profile): against one sandbox on loopback
shared by the module (each test writes its own people), and against hostile fakes."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
import pytest

from tests._mock import Recorder, json_of
from tests._mock import async_client as mock_async_client
from tests._mock import client as mock_client
from zdevents import AsyncClient, Client, Profile, errors, limits
from zdevents.sandbox import Sandbox

_people = itertools.count(1)


@pytest.fixture
def sandbox(module_sandbox: Sandbox) -> Sandbox:
    return module_sandbox


@pytest.fixture
def client(module_client: Client) -> Client:
    return module_client


def person(**extra: Any) -> tuple[str, dict[str, Any]]:
    """A new person's identifier query and whole profile."""
    n = next(_people)
    email = f"p{n}@example.com"
    profile = {
        "source": "shopco",
        "type": "customer",
        "name": f"Person {n}",
        "identifiers": [{"type": "email", "value": email}],
        "attributes": {"tier": "gold", "since": 2019},
        **extra,
    }
    return f"shopco:customer:email:{email}", profile


def track_on(client: Client, profile_id: str, n: int = 1) -> None:
    for i in range(n):
        client.track({"source": "shop", "type": f"viewed{i}"}, profile_id=profile_id)


def raw(sandbox: Sandbox, method: str, path: str, **kwargs: Any) -> httpx.Response:
    auth = (f"{sandbox.email}/token", sandbox.api_token)
    return httpx.request(method, f"{sandbox.base_url}{path}", auth=auth, **kwargs)


# --------------------------------------------------------------------------- create or replace


def test_put_by_identifier_creates_then_replaces_and_what_is_not_resent_is_gone(
    sandbox: Sandbox, client: Client
) -> None:
    query, profile = person()
    created = client.put_profile(profile, identifier=query)
    assert isinstance(created, Profile)
    assert created.name == profile["name"] and created.attributes == {"tier": "gold", "since": 2019}
    extra = {"type": "external_id", "value": "x-1"}
    client.put_profile(
        {**profile, "identifiers": [*profile["identifiers"], extra]}, identifier=query
    )
    # The replacement sends no name, one attribute and not the external id: all else is gone.
    replaced = client.put_profile(
        {
            "source": "shopco",
            "type": "customer",
            "identifiers": profile["identifiers"],
            "attributes": {"tier": "silver"},
        },
        identifier=query,
    )
    assert replaced.id == created.id
    assert replaced.name is None
    assert replaced.attributes == {"tier": "silver"}
    assert [i["type"] for i in replaced.identifiers] == ["email"]
    assert client.profile(profile_id=created.id) == replaced


def test_put_answers_201_when_it_creates_and_200_when_it_replaces(sandbox: Sandbox) -> None:
    query, profile = person()
    first = raw(
        sandbox,
        "PUT",
        "/api/v2/user_profiles",
        params={"identifier": query},
        json={"profile": profile},
    )
    again = raw(
        sandbox,
        "PUT",
        "/api/v2/user_profiles",
        params={"identifier": query},
        json={"profile": profile},
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["profile"]["id"] == again.json()["profile"]["id"]


def test_put_keeps_the_identifier_of_its_query_even_if_the_body_leaves_it_out(
    client: Client,
) -> None:
    query, profile = person()
    written = client.put_profile(
        {**profile, "identifiers": [{"type": "external_id", "value": f"e{next(_people)}"}]},
        identifier=query,
    )
    assert client.profile(identifier=query).id == written.id
    assert len(written.identifiers) == 2


def test_put_for_a_user_binds_the_profile_to_that_user(client: Client) -> None:
    query, profile = person()
    owner = client.put_profile(profile, identifier=query)
    assert owner.user_id is not None
    second_query, second = person(type="member")
    second_query = second_query.replace("customer", "member")
    bound = client.put_profile(second, identifier=second_query, user_id=owner.user_id)
    assert bound.user_id == owner.user_id
    assert {p.id for p in client.profiles(user_id=owner.user_id)} == {owner.id, bound.id}
    with pytest.raises(errors.NotFoundError):
        client.put_profile(
            person()[1] | {"identifiers": [{"type": "email", "value": "u@x.io"}]},
            identifier="shopco:customer:email:u@x.io",
            user_id=999_999_999,
        )


def test_put_of_another_users_profile_for_a_user_is_a_conflict(client: Client) -> None:
    q1, p1 = person()
    q2, p2 = person()
    first = client.put_profile(p1, identifier=q1)
    client.put_profile(p2, identifier=q2)
    other = client.put_profile(
        {"source": "shopco", "type": "member", "identifiers": p2["identifiers"]},
        identifier=q2.replace("customer", "member"),
    )
    assert other.user_id != first.user_id
    with pytest.raises(errors.APIError) as caught:
        client.put_profile(p2, identifier=q2, user_id=first.user_id)
    assert caught.value.status_code == 409


def test_put_by_profile_id_replaces_and_an_unknown_id_is_not_found(client: Client) -> None:
    query, profile = person()
    created = client.put_profile(profile, identifier=query)
    replaced = client.put_profile(
        {**profile, "name": "Renamed", "attributes": None}, profile_id=created.id
    )
    assert (replaced.id, replaced.name, replaced.attributes) == (created.id, "Renamed", {})
    with pytest.raises(errors.NotFoundError):
        client.put_profile(profile, profile_id="01NOSUCHPROFILE000000000000")
    with pytest.raises(errors.APIError) as caught:
        client.put_profile({**profile, "type": "other"}, profile_id=created.id)
    assert caught.value.status_code == 409


def test_identifiers_of_two_profiles_in_one_body_are_a_conflict(client: Client) -> None:
    q1, p1 = person()
    q2, p2 = person()
    client.put_profile(p1, identifier=q1)
    client.put_profile(p2, identifier=q2)
    both = {**p1, "identifiers": [*p1["identifiers"], *p2["identifiers"]]}
    with pytest.raises(errors.APIError) as caught:
        client.put_profile(both, identifier=q1)
    assert caught.value.status_code == 409
    with pytest.raises(errors.APIError) as caught:
        client.patch_profile({"identifiers": p2["identifiers"]}, identifier=q1)
    assert caught.value.status_code == 409


def test_a_user_has_at_most_the_per_person_profile_maximum(client: Client) -> None:
    query, profile = person()
    user_id = client.put_profile(profile, identifier=query).user_id
    assert user_id is not None
    for n in range(1, 20):
        q, p = person(type=f"kind{n}")
        client.put_profile(p, identifier=q.replace("customer", f"kind{n}"), user_id=user_id)
    assert len(client.profiles(user_id=user_id)) == 20
    q, p = person(type="kind20")
    with pytest.raises(errors.APIError) as caught:
        client.put_profile(p, identifier=q.replace("customer", "kind20"), user_id=user_id)
    assert caught.value.status_code == 409
    assert "20 profiles" in str(caught.value)


def test_the_reserved_source_is_refused_by_the_client_and_by_the_server(
    sandbox: Sandbox, client: Client
) -> None:
    query, profile = person(source="zendesk")
    with pytest.raises(ValueError, match=r"profile\.source 'zendesk' is reserved"):
        client.put_profile(profile, identifier=query.replace("shopco", "zendesk"))
    answer = raw(
        sandbox,
        "PUT",
        "/api/v2/user_profiles",
        params={"identifier": query.replace("shopco", "zendesk")},
        json={"profile": profile},
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "ReservedSource"


# --------------------------------------------------------------------------- merge


def test_patch_merges_name_and_attribute_keys_adds_identifiers_and_ignores_the_rest(
    client: Client,
) -> None:
    query, profile = person()
    created = client.put_profile(profile, identifier=query)
    added = {"type": "external_id", "value": f"ext-{created.id}"}
    merged = client.patch_profile(
        {
            "name": "New Name",
            "attributes": {"since": None, "city": "Oslo"},
            "identifiers": [added],
            "source": "ignored",
            "type": "ignored",
            "user_id": 1,
        },
        profile_id=created.id,
    )
    assert merged.id == created.id
    assert (merged.source, merged.type, merged.user_id) == ("shopco", "customer", created.user_id)
    assert merged.name == "New Name"
    assert merged.attributes == {"tier": "gold", "city": "Oslo"}  # merged; None removed 'since'
    assert merged.identifiers == [*profile["identifiers"], added]
    # Identifiers are never removed: a merge that leaves them out keeps them.
    kept = client.patch_profile({"attributes": {"tier": "bronze"}}, identifier=query)
    assert kept.identifiers == merged.identifiers
    assert kept.attributes == {"tier": "bronze", "city": "Oslo"}
    assert kept.name == "New Name"  # not given: unchanged


def test_patch_sent_twice_changes_nothing_more(client: Client) -> None:
    query, profile = person()
    client.put_profile(profile, identifier=query)
    changes = {"name": "Twice", "attributes": {"k": 1}}
    once = client.patch_profile(changes, identifier=query)
    twice = client.patch_profile(changes, identifier=query)
    assert once == twice  # updated_at included


def test_patch_of_an_unknown_profile_is_not_found(client: Client) -> None:
    with pytest.raises(errors.NotFoundError):
        client.patch_profile({"name": "x"}, profile_id="01NOSUCHPROFILE000000000000")
    with pytest.raises(errors.NotFoundError):
        client.patch_profile({"name": "x"}, identifier="shopco:customer:email:nobody@x.io")


# --------------------------------------------------------------------------- delete


def _status(sandbox: Sandbox, path: str, **params: str) -> int:
    return raw(sandbox, "GET", path, params=params).status_code


def test_delete_takes_the_events_from_all_three_event_routes(
    sandbox: Sandbox, client: Client
) -> None:
    query, profile = person()
    gone = client.put_profile(profile, identifier=query)
    track_on(client, gone.id, 3)
    assert gone.user_id is not None
    assert len(list(client.events(user_id=gone.user_id))) == 3
    client.delete_profile(profile_id=gone.id)
    with pytest.raises(errors.NotFoundError):
        client.profile(profile_id=gone.id)
    for selector in ({"profile_id": gone.id}, {"identifier": query}):
        with pytest.raises(errors.NotFoundError):
            list(client.events(**selector))  # type: ignore[arg-type]
    assert _status(sandbox, f"/api/v2/user_profiles/{gone.id}/events") == 404
    assert _status(sandbox, "/api/v2/user_profiles/events", identifier=query) == 404
    # The Zendesk user outlives its profiles: it is there, without the events.
    assert list(client.events(user_id=gone.user_id)) == []
    assert client.profiles(user_id=gone.user_id) == []
    with pytest.raises(errors.NotFoundError):  # a first attempt that meets a 404 says so
        client.delete_profile(profile_id=gone.id)


def test_delete_leaves_the_users_other_profiles_and_their_events(client: Client) -> None:
    query, profile = person()
    kept = client.put_profile(profile, identifier=query)
    q2, p2 = person(type="member")
    gone = client.put_profile(p2, identifier=q2.replace("customer", "member"), user_id=kept.user_id)
    track_on(client, kept.id, 2)
    track_on(client, gone.id, 3)
    assert kept.user_id is not None
    assert len(list(client.events(user_id=kept.user_id))) == 5
    client.delete_profile(profile_id=gone.id)
    assert len(list(client.events(user_id=kept.user_id))) == 2
    assert [p.id for p in client.profiles(user_id=kept.user_id)] == [kept.id]


def test_zendesks_own_profile_cannot_be_deleted(sandbox: Sandbox, client: Client) -> None:
    (own,) = sandbox.add_events(
        [
            {
                "event": {"source": "zendesk", "type": "ticket_requested"},
                "profile": {
                    "source": "zendesk",
                    "type": "user",
                    "identifiers": [{"type": "email", "value": f"z{next(_people)}@x.io"}],
                },
            }
        ]
    )
    with pytest.raises(errors.PermissionDeniedError):
        client.delete_profile(profile_id=own)
    assert client.profile(profile_id=own).source == "zendesk"


def test_a_delete_whose_answer_was_lost_is_retried_and_its_404_counts_as_deleted(
    sandbox: Sandbox, client: Client
) -> None:
    query, profile = person()
    gone = client.put_profile(profile, identifier=query)
    sandbox.set_faults("store-then-500=1")
    try:
        client.delete_profile(profile_id=gone.id)  # deleted, 500; retried: 404
        assert sandbox.fault_counts["store-then-500"] >= 1
    finally:
        sandbox.set_faults(None)
    with pytest.raises(errors.NotFoundError):
        client.profile(profile_id=gone.id)


def test_the_async_client_writes_profiles_the_same_way(sandbox: Sandbox) -> None:
    query, profile = person()

    async def main() -> tuple[Profile, Profile]:
        async with AsyncClient(
            base_url=sandbox.base_url, email=sandbox.email, api_token=sandbox.api_token
        ) as aclient:
            created = await aclient.put_profile(profile, identifier=query)
            merged = await aclient.patch_profile({"attributes": {"a": 1}}, profile_id=created.id)
            await aclient.delete_profile(profile_id=created.id)
            with pytest.raises(errors.NotFoundError):
                await aclient.profile(profile_id=created.id)
            return created, merged

    created, merged = asyncio.run(main())
    assert merged.attributes == {**profile["attributes"], "a": 1}
    assert merged.id == created.id


# --------------------------------------------------------------------------- checked before sending


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.put_profile(person()[1]), "give a target"),
        (lambda c: c.put_profile(person()[1], user_id=5), "user_id needs identifier"),
        (
            lambda c: c.put_profile(person()[1], profile_id="01E", identifier="a:b:c:d"),
            "profile_id takes no identifier",
        ),
        (
            lambda c: c.put_profile(person()[1], identifier="other:customer:email:a@b.c"),
            "profile.source 'shopco' is not the identifier query's source 'other'",
        ),
        (
            lambda c: c.put_profile(person()[1], identifier="shopco:other:email:a@b.c"),
            "profile.type 'customer' is not",
        ),
        (
            lambda c: c.put_profile(
                {**person()[1], "identifiers": [{"type": "x" * 61, "value": 1}]}, profile_id="01E"
            ),
            rf"\[0\]\.type is 61 characters long; at most {limits.IDENTIFIER_TYPE_LIMIT}",
        ),
        (
            lambda c: c.put_profile({**person()[1], "type": "t" * 41}, profile_id="01E"),
            f"profile.type is 41 characters long; at most {limits.NAME_LIMIT}",
        ),
        (
            lambda c: c.put_profile(
                {
                    **person()[1],
                    "identifiers": [{"type": "email", "value": f"{n}@x.io"} for n in range(21)],
                },
                profile_id="01E",
            ),
            f"a profile has at most {limits.MAX_IDENTIFIERS}",
        ),
        (
            lambda c: c.put_profile(
                {**person()[1], "attributes": {"x": float("nan")}}, profile_id="01E"
            ),
            "the profile cannot be sent as JSON",
        ),
        (lambda c: c.patch_profile({"name": "x"}), "give exactly one of identifier and profile_id"),
        (lambda c: c.patch_profile({"id": "x"}, profile_id="01E"), "profile.id cannot be merged"),
        (
            lambda c: c.patch_profile({"attributes": [1]}, profile_id="01E"),
            "profile.attributes must be an object",
        ),
        (lambda c: c.patch_profile({"name": 5}, profile_id="01E"), "profile.name must be a string"),
        (
            lambda c: c.patch_profile(
                {"identifiers": [{"type": "a:b", "value": "v"}]}, profile_id="01E"
            ),
            "profile.identifiers\\[0\\].type must not contain ':'",
        ),
        (lambda c: c.delete_profile(profile_id=""), "profile_id"),
        (lambda c: c.delete_profile(profile_id="../users/1"), "is not a profile id"),
        (lambda c: c.delete_profile(profile_id=None), "give profile_id"),
    ],
)
def test_bad_arguments_are_a_value_error_naming_the_field_and_nothing_is_sent(
    call: Any, message: str
) -> None:
    with mock_client(Recorder()) as c, pytest.raises(ValueError, match=message):
        call(c)


# --------------------------------------------------------------------------- hostile fakes


def _profile_answer(status: int = 200, **fields: Any) -> httpx.Response:
    body = {"id": "01E1", "source": "shopco", "type": "customer", "identifiers": [], **fields}
    return httpx.Response(status, json={"profile": body})


def _server_error() -> httpx.Response:
    return httpx.Response(500, json={"errors": [{"code": "InternalError", "title": "x"}]})


@pytest.mark.parametrize("method", ["put", "patch"])
def test_put_and_patch_are_retried_like_reads_after_an_answer_that_may_have_been_lost(
    method: str,
) -> None:
    recorder = Recorder(_server_error(), httpx.ConnectError("reset"), _profile_answer())
    with mock_client(recorder) as c:
        if method == "put":
            written = c.put_profile(person()[1], profile_id="01E1")
        else:
            written = c.patch_profile({"name": "n"}, profile_id="01E1")
    assert written.id == "01E1"
    assert recorder.calls == 3
    assert {r.method for r in recorder.requests} == {method.upper()}
    assert len({r.content for r in recorder.requests}) == 1  # the same body each time


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_failed_patch_does_not_say_an_event_may_have_been_stored(cls: type[Any]) -> None:
    # Only a POST of an event may have stored something; a PATCH gives the same result
    # however often it is sent.
    recorder = Recorder(_server_error())
    with pytest.raises(errors.ServerError) as info:
        if cls is Client:
            with mock_client(recorder, max_retries=0) as c:
                c.patch_profile({"name": "n"}, profile_id="01E1")
        else:

            async def main() -> None:
                async with mock_async_client(recorder, max_retries=0) as c:
                    await c.patch_profile({"name": "n"}, profile_id="01E1")

            asyncio.run(main())
    assert "may or may not have been stored" not in str(info.value)


def test_a_post_is_not_retried_where_a_put_is() -> None:
    # The track rule for comparison: a 500 may have stored the event.
    recorder = Recorder(_server_error(), {"profile_id": "01E1", "status": "received"})
    with mock_client(recorder) as c, pytest.raises(errors.ServerError):
        c.track({"source": "s", "type": "t"}, profile_id="01E1")
    assert recorder.calls == 1


def test_a_delete_that_meets_404_after_a_lost_answer_counts_as_deleted() -> None:
    recorder = Recorder(
        httpx.ReadTimeout("lost"), httpx.Response(404, json={"errors": [{"code": "NotFound"}]})
    )
    with mock_client(recorder) as c:
        assert c.delete_profile(profile_id="01E1") is None
    assert [r.method for r in recorder.requests] == ["DELETE", "DELETE"]
    assert recorder.requests[0].url.path == "/api/v2/user_profiles/01E1"


def test_a_delete_that_meets_404_at_once_is_not_found() -> None:
    recorder = Recorder(httpx.Response(404, json={"errors": [{"code": "NotFound"}]}))
    with mock_client(recorder) as c, pytest.raises(errors.NotFoundError):
        c.delete_profile(profile_id="01E1")


def test_the_async_delete_has_the_same_404_rule() -> None:
    recorder = Recorder(_server_error(), httpx.Response(404, json={}))

    async def main() -> None:
        async with mock_async_client(recorder) as c:
            await c.delete_profile(profile_id="01E1")

    asyncio.run(main())
    assert recorder.calls == 2


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b"<html>not json"),
        httpx.Response(200, json={"profiles": []}),
        httpx.Response(200, json={"profile": "a string"}),
        httpx.Response(201, json=[1, 2]),
    ],
)
def test_a_hostile_answer_to_a_write_is_a_bad_response_error(answer: httpx.Response) -> None:
    with mock_client(Recorder(answer), max_retries=1) as c, pytest.raises(errors.BadResponseError):
        c.put_profile(person()[1], profile_id="01E1")


def test_the_request_is_the_documented_one() -> None:
    recorder = Recorder(_profile_answer(201), _profile_answer(), httpx.Response(204))
    query, profile = person()
    with mock_client(recorder) as c:
        c.put_profile(profile, identifier=query, user_id=42)
        c.patch_profile({"name": "n"}, identifier=query)
        c.delete_profile(profile_id="01E1")
    put, patch, delete = recorder.requests
    assert (put.method, put.url.path, put.url.params["identifier"]) == (
        "PUT",
        "/api/v2/users/42/profiles",
        query,
    )
    assert json_of(put) == {"profile": profile}
    assert (patch.method, patch.url.path) == ("PATCH", "/api/v2/user_profiles")
    assert json_of(patch) == {"profile": {"name": "n"}}
    assert patch.headers["content-type"] == "application/json"
    assert (delete.method, delete.url.raw_path) == ("DELETE", b"/api/v2/user_profiles/01E1")


@pytest.mark.parametrize(
    "first",
    [
        httpx.Response(429, headers={"Retry-After": "0"}, json={}),
        httpx.ConnectError("refused"),
    ],
    ids=["429", "refused"],
)
def test_a_delete_that_meets_404_after_a_refusal_is_not_found(first: Any) -> None:
    # A 429 or a refused connection did nothing: the 404 that follows is the id's own.
    recorder = Recorder(first, httpx.Response(404, json={"errors": [{"code": "NotFound"}]}))
    with mock_client(recorder) as c, pytest.raises(errors.NotFoundError):
        c.delete_profile(profile_id="01E1")
    assert recorder.calls == 2


def test_the_async_delete_after_a_429_then_404_is_not_found() -> None:
    recorder = Recorder(
        httpx.Response(429, headers={"Retry-After": "0"}, json={}), httpx.Response(404, json={})
    )

    async def main() -> None:
        async with mock_async_client(recorder) as c:
            await c.delete_profile(profile_id="01E1")

    with pytest.raises(errors.NotFoundError):
        asyncio.run(main())
