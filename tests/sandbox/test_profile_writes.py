"""The sandbox's profile write routes over real HTTP: statuses, bodies, scopes, bad input."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from zdevents.sandbox import Sandbox

BY_IDENTIFIER = "/api/v2/user_profiles"
_n = itertools.count(1)


@pytest.fixture
def sandbox(module_sandbox: Sandbox) -> Sandbox:
    return module_sandbox


@pytest.fixture(scope="module")
def http(module_sandbox: Sandbox) -> Iterator[httpx.Client]:
    auth = (f"{module_sandbox.email}/token", module_sandbox.api_token)
    with httpx.Client(base_url=module_sandbox.base_url, auth=auth) as client:
        yield client


def new(**extra: Any) -> tuple[str, dict[str, Any]]:
    email = f"w{next(_n)}@example.com"
    body = {"source": "shopco", "type": "customer",
            "identifiers": [{"type": "email", "value": email}], **extra}  # fmt: skip
    return f"shopco:customer:email:{email}", body


def codes(response: httpx.Response) -> list[str]:
    return [item["code"] for item in response.json()["errors"]]


def test_put_creates_201_replaces_200_and_the_answer_is_the_stored_profile(
    http: httpx.Client,
) -> None:
    query, body = new(name="A", attributes={"x": 1})
    created = http.put(BY_IDENTIFIER, params={"identifier": query}, json={"profile": body})
    assert created.status_code == 201, created.text
    stored = created.json()["profile"]
    assert (stored["name"], stored["attributes"], stored["user_id"].isdigit()) == (
        "A",
        {"x": 1},
        True,
    )
    replaced = http.put(f"{BY_IDENTIFIER}/{stored['id']}", json={"profile": body | {"name": "B"}})
    assert replaced.status_code == 200
    assert (
        replaced.json()["profile"] == http.get(f"{BY_IDENTIFIER}/{stored['id']}").json()["profile"]
    )
    assert replaced.json()["profile"]["attributes"] == {"x": 1}  # resent: kept


def test_delete_is_204_without_a_body_then_404(http: httpx.Client) -> None:
    query, body = new()
    created = http.put(BY_IDENTIFIER, params={"identifier": query}, json={"profile": body})
    profile_id = created.json()["profile"]["id"]
    gone = http.delete(f"{BY_IDENTIFIER}/{profile_id}")
    assert (gone.status_code, gone.content, "content-type" in gone.headers) == (204, b"", False)
    again = http.delete(f"{BY_IDENTIFIER}/{profile_id}")
    assert again.status_code == 404 and codes(again) == ["NotFound"]


@pytest.mark.parametrize(
    ("method", "body", "code"),
    [
        ("PUT", b"not json", "InvalidJSON"),
        ("PUT", {"profile": "x"}, "InvalidRequest"),
        ("PUT", {"profile": {"source": "shopco", "type": "customer"}}, "MissingIdentifiers"),
        (
            "PUT",
            {
                "profile": {
                    "source": "zendesk",
                    "type": "customer",
                    "identifiers": [{"type": "email", "value": "z@x.io"}],
                }
            },
            "ReservedSource",
        ),
        ("PATCH", {"profile": {"attributes": [1]}}, "InvalidField"),
        ("PATCH", {"profile": {"name": 5}}, "InvalidField"),
        ("PATCH", {"profile": {"identifiers": None}}, "InvalidField"),
        ("PATCH", {}, "InvalidRequest"),
    ],
)
def test_bad_bodies_are_400_naming_the_problem(
    http: httpx.Client, method: str, body: Any, code: str
) -> None:
    query, profile = new()
    http.put(BY_IDENTIFIER, params={"identifier": query}, json={"profile": profile})
    if query.startswith("shopco") and isinstance(body, dict) and "zendesk" in str(body):
        query = query.replace("shopco", "zendesk")
    content = body if isinstance(body, bytes) else None
    answer = http.request(method, BY_IDENTIFIER, params={"identifier": query},
                          content=content, json=None if content else body)  # fmt: skip
    assert answer.status_code == 400, answer.text
    assert codes(answer) == [code]


def test_a_write_needs_the_write_scope_and_a_valid_identifier(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    grant = {"grant_type": "client_credentials", "client_id": sandbox.oauth_client_id,
             "client_secret": sandbox.oauth_client_secret, "scope": "read"}  # fmt: skip
    read_only = httpx.post(f"{sandbox.base_url}/oauth/tokens", json=grant).json()["access_token"]
    query, body = new()
    bearer = {"Authorization": f"Bearer {read_only}"}
    refused = httpx.put(f"{sandbox.base_url}{BY_IDENTIFIER}", params={"identifier": query},
                        json={"profile": body}, headers=bearer)  # fmt: skip
    assert refused.status_code == 403 and "write" in refused.json()["description"]
    bad = http.put(BY_IDENTIFIER, params={"identifier": "no-colons"}, json={"profile": body})
    assert bad.status_code == 400 and codes(bad) == ["InvalidIdentifier"]


def test_a_query_and_a_body_of_another_source_or_type_are_a_conflict(http: httpx.Client) -> None:
    query, body = new()
    answer = http.put(BY_IDENTIFIER, params={"identifier": query},
                      json={"profile": body | {"type": "member"}})  # fmt: skip
    assert answer.status_code == 409 and codes(answer) == ["ProfileMismatch"]


def test_a_put_for_a_user_that_does_not_exist_is_404(http: httpx.Client) -> None:
    query, body = new()
    answer = http.put("/api/v2/users/1/profiles", params={"identifier": query},
                      json={"profile": body})  # fmt: skip
    assert answer.status_code == 404 and codes(answer) == ["NotFound"]
