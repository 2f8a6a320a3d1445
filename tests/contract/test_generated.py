"""The generated package, as the templates in openapi/templates/ shape it.

The key test generates from a copy of the spec with a fourth event-listing route, with the
real generator and the project's templates, and builds a request for the new route with the
wrapper's generic code in a fresh interpreter that imports the new package.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests._mock import mock_transport
from tests.contract._operations import OPERATION_MODULES
from tests.contract._spec import load_spec
from zdevents._query import make_query

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "events.yaml"
sys.path.insert(0, str(ROOT / "scripts"))

from generate import generate  # noqa: E402


def test_one_module_per_operation_of_the_spec() -> None:
    spec = load_spec(SPEC)
    operations = [op for path in spec["paths"].values() for op in path.values()]
    # 9 Events and Profiles API reads and tracks, 6 profile writes, the user export, 4 OAuth
    assert len(OPERATION_MODULES) == len(operations) == 20


@pytest.mark.parametrize("name", OPERATION_MODULES)
def test_each_module_builds_requests_and_has_the_generators_response_path(name: str) -> None:
    module = importlib.import_module(name)
    public = {n for n in vars(module) if not n.startswith("_")}
    # What zdevents uses (build_request, the wire-name constants) and what the generator makes.
    assert {"METHOD", "PATH", "build_request", "sync_detailed", "asyncio_detailed"} <= public
    assert {"sync", "asyncio"} <= public  # every operation has a response model or an error one
    assert module.METHOD in ("GET", "POST", "PUT", "PATCH", "DELETE")
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    # The status goes through types._status (an int for 520), never straight to HTTPStatus.
    assert "HTTPStatus(" not in source
    defined = {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
    assert defined == {
        "build_request",
        "_parse_response",
        "_build_response",
        "sync_detailed",
        "sync",
    }


def test_wire_name_constants() -> None:
    from zendesk_events_api.api.events import list_events_by_user_id as op

    assert op.PAGE_AFTER_PARAM == "page[after]"
    assert op.PAGE_SIZE_PARAM == "page[size]"
    assert op.FILTER_START_TIME_PARAM == "filter[start_time]"
    assert op.USER_ID_PARAM == "user_id"
    assert op.PATH == "/api/v2/users/{user_id}/events"


def test_a_built_request_is_sendable_with_httpx() -> None:
    from zendesk_events_api.api.events import list_events_by_user_id as op

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(520, text="error code 520")

    with httpx.Client(base_url="https://x.zendesk.com", transport=mock_transport(handler)) as http:
        response = http.request(**op.build_request(7, filtersource="a b", pageafter="c/d"))
    assert response.status_code == 520
    (request,) = seen
    assert request.method == "GET"
    assert request.url.path == "/api/v2/users/7/events"
    assert dict(request.url.params) == {"filter[source]": "a b", "page[after]": "c/d"}


@pytest.mark.parametrize(
    ("content_type", "parsed"),
    [
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("application/problem+json", True),
        ("text/html; charset=utf-8", False),  # a proxy's error page: left in content
        (None, False),
    ],
)
def test_a_model_is_parsed_only_from_a_body_that_says_it_is_json(
    content_type: str | None, parsed: bool
) -> None:
    from zendesk_events_api import Client
    from zendesk_events_api.api.profiles import get_profile
    from zendesk_events_api.models import ErrorsArrayBody

    body = b'{"errors": [{"code": "NotFound", "title": "Profile not found"}]}'
    headers = {} if content_type is None else {"content-type": content_type}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, headers=headers, content=body)

    client = Client(
        base_url="https://x.zendesk.com", httpx_args={"transport": mock_transport(handler)}
    )
    with client:
        response = get_profile.sync_detailed("p", client=client)
    assert response.content == body
    assert isinstance(response.parsed, ErrorsArrayBody) is parsed
    assert parsed or response.parsed is None


FOURTH_ROUTE = {
    "get": {
        "tags": ["events"],
        "operationId": "listEventsByOrganizationId",
        "summary": "List the events of every user of an organization",
        "parameters": [
            {
                "name": "organization_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
            },
            {"$ref": "#/components/parameters/FilterSource"},
            {"$ref": "#/components/parameters/FilterType"},
            {"$ref": "#/components/parameters/FilterStartTime"},
            {"$ref": "#/components/parameters/FilterEndTime"},
            {"$ref": "#/components/parameters/PageSize"},
            {"$ref": "#/components/parameters/PageAfter"},
        ],
        "responses": {"200": {"$ref": "#/components/responses/EventsPageByUserId"}},
    }
}

# Runs in a fresh interpreter whose zendesk_events_api is the one generated into tmp_path;
# zdevents (and its _routes) is the project's, unchanged.
_BUILD_FOURTH = """
import json, sys
import zendesk_events_api
from zendesk_events_api.api.events import list_events_by_organization_id as new_route
from zdevents import _routes
from zdevents._query import make_query

query = make_query(user_id=1, source="coolbike", type="bike_rental_booked",
                   start="2020-02-23", end="2020-02-29", page_size=50)
request = _routes.events_request(new_route, {"organization_id": 42}, query, after="cursor-1")
print(json.dumps({"package": zendesk_events_api.__file__, "request": request,
                  "after": _routes.AFTER_PARAM, "size": _routes.SIZE_PARAM}))
"""


def run_generated_from(spec: dict[str, Any], tmp_path: Path, code: str) -> str:
    """Generate a package from ``spec``; run ``code`` in a fresh interpreter importing it."""
    copy = tmp_path / "events.yaml"
    copy.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    generate(tmp_path / "out" / "zendesk_events_api", spec=copy)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "out")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_a_fourth_read_route_needs_only_its_name(tmp_path: Path) -> None:
    spec: dict[str, Any] = load_spec(SPEC)
    spec["paths"]["/api/v2/organizations/{organization_id}/events"] = FOURTH_ROUTE
    built = json.loads(run_generated_from(spec, tmp_path, _BUILD_FOURTH))
    query = make_query(user_id=1, start="2020-02-23", end="2020-02-29")
    assert Path(built["package"]).is_relative_to(tmp_path), built["package"]
    assert built["request"] == {
        "method": "GET",
        "url": "/api/v2/organizations/42/events",
        "params": {
            "filter[source]": "coolbike",
            "filter[type]": "bike_rental_booked",
            "filter[start_time]": query.start,
            "filter[end_time]": query.end,
            "page[size]": 50,
            "page[after]": "cursor-1",
        },
        "json": None,
        "headers": {},
    }
    assert (built["after"], built["size"]) == ("page[after]", "page[size]")


def _private_uses(source: str) -> list[str]:
    """Names starting with "_" that ``source`` takes from zendesk_events_api."""
    tree = ast.parse(source)
    generated: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "zendesk_events_api"
        ):
            for alias in node.names:
                if alias.name.startswith("_") or (node.module or "").count("._"):
                    found.append(f"{node.module}.{alias.name}")
                generated.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("zendesk_events_api"):
                    if "._" in alias.name:
                        found.append(alias.name)
                    generated.add((alias.asname or alias.name).split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and isinstance(node.value, ast.Name)
            and node.value.id in generated
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_the_private_use_finder_finds_private_uses() -> None:
    bad = (
        "from zendesk_events_api.api.events import list_events_by_user_id as op\n"
        "from zendesk_events_api.types import _secret\n"
        "op._get_kwargs(1)\n"
    )
    assert _private_uses(bad) == ["zendesk_events_api.types._secret", "op._get_kwargs"]


def test_zdevents_uses_only_public_names_of_the_generated_package() -> None:
    uses = {
        str(path.relative_to(ROOT)): _private_uses(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "zdevents").rglob("*.py"))
    }
    assert {path: found for path, found in uses.items() if found} == {}


EVENT = {
    "source": "shopify",
    "type": "cart_abandoned",
    "created_at": "2020-06-10T01:24:58.143324138Z",  # nine digits, kept as sent
    "description": None,
    "properties": {"item": {"name": "Orange Nike Shoes", "price": "62.99", "tags": [1, 2.5]}},
    "unknown": "kept",
}
PROFILE = {
    "source": "shoppingnow",
    "type": "customer",
    "identifiers": [{"type": "email", "value": "Jsmith@Example.com"}, {"type": "n", "value": 7}],
    "name": "Jane Smith",
    "attributes": {"tier": "gold"},
}


@pytest.mark.parametrize(
    ("target", "url", "body"),
    [
        (
            {"profile": PROFILE},
            "/api/v2/user_profiles/events",
            {"profile": PROFILE, "event": EVENT},
        ),
        ({"profile_id": "01E1/G0"}, "/api/v2/user_profiles/01E1%2FG0/events", {"event": EVENT}),
        (
            {"user_id": 85211553, "profile": PROFILE},
            "/api/v2/users/85211553/events",
            {"profile": PROFILE, "event": EVENT},
        ),
    ],
)
def test_track_requests_are_built_by_the_generated_models(
    target: dict[str, Any], url: str, body: dict[str, Any]
) -> None:
    from zdevents import _routes

    request = _routes.build_track(EVENT, **target)
    assert (request["method"], request["url"], request["params"]) == ("POST", url, {})
    assert request["headers"] == {"Content-Type": "application/json"}
    assert request["json"] == body
    # What goes on the wire is the JSON of exactly that body.
    sent = httpx.Request(request["method"], "https://x.zendesk.com" + url, json=request["json"])
    assert json.loads(sent.content) == body


@pytest.mark.parametrize(
    "target",
    [
        {},
        {"user_id": 1},
        {"profile_id": "p", "profile": PROFILE},
        {"profile_id": "p", "user_id": 1},
    ],
)
def test_a_track_needs_exactly_one_target(target: dict[str, Any]) -> None:
    from zdevents import _routes

    with pytest.raises(ValueError, match="exactly one target"):
        _routes.build_track(EVENT, **target)


def test_profile_requests() -> None:
    from zdevents import Identifier, _routes

    by_query = _routes.build_profile_request(identifier="coolbikes:rider:email:a@b.example")
    assert (by_query["method"], by_query["url"]) == ("GET", "/api/v2/user_profiles")
    assert by_query["params"] == {"identifier": "coolbikes:rider:email:a@b.example"}
    identifier = Identifier("coolbikes", "rider", "email", "a@b.example")
    assert _routes.build_profile_request(identifier=identifier)["params"] == by_query["params"]
    by_id = _routes.build_profile_request(profile_id="01E1G0NJSQPNPZRV096JXKXFAA")
    assert by_id["url"] == "/api/v2/user_profiles/01E1G0NJSQPNPZRV096JXKXFAA"
    assert by_id["params"] == {} and by_id["json"] is None
    listed = _routes.build_profiles_request(85211553)
    assert (listed["method"], listed["url"]) == ("GET", "/api/v2/users/85211553/profiles")
    for wrong in ({}, {"identifier": "a:b:c:d", "profile_id": "p"}):
        with pytest.raises(ValueError, match="exactly one"):
            _routes.build_profile_request(**wrong)


def test_an_argument_the_operation_does_not_take_is_a_type_error() -> None:
    from zendesk_events_api.api.profiles import get_profile

    from zdevents import _routes

    with pytest.raises(TypeError, match="filtersource"):
        _routes.operation_request(get_profile, profile_id="p", filtersource="x")


#: The one ``filter`` parameter that could say "filter[type] needs filter[source]" in a
#: schema, on the same wire format (docs/other-languages.md, "What a schema cannot say").
DEEP_OBJECT_FILTER = {
    "name": "filter",
    "in": "query",
    "style": "deepObject",
    "explode": True,
    "schema": {
        "type": "object",
        "properties": {
            "source": {"type": "string", "minLength": 1},
            "type": {"type": "string", "minLength": 1},
        },
        "dependentRequired": {"type": ["source"]},
        "additionalProperties": False,
    },
}

_BUILD_DEEP = """
import json
from zendesk_events_api.api.events import list_events_by_user_id as op
from zendesk_events_api.models import ListEventsByUserIdFilter as Filter
request = op.build_request(user_id=1, filter_=Filter(source="coolbike", type_="viewed"))
print(json.dumps(request["params"]))
"""


@pytest.mark.slow
def test_a_deep_object_filter_would_lose_its_wire_format(tmp_path: Path) -> None:
    # Why the spec keeps filter[source] and filter[type] as two parameters (and the
    # schemathesis hooks keep the rule): openapi-python-client ignores style: deepObject
    # and sends the object's fields as they are named, which Zendesk does not read.
    spec: dict[str, Any] = load_spec(SPEC)
    operation = spec["paths"]["/api/v2/users/{user_id}/events"]["get"]
    operation["parameters"] = [
        p
        for p in operation["parameters"]
        if p["$ref"].rsplit("/", 1)[1] not in ("FilterSource", "FilterType")
    ] + [DEEP_OBJECT_FILTER]
    params = json.loads(run_generated_from(spec, tmp_path, _BUILD_DEEP))
    assert params == {"source": "coolbike", "type": "viewed"}, params
    assert not any(name.startswith("filter[") for name in params)
