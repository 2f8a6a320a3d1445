"""The spec (openapi/events.yaml): valid, generator-safe parameters, links, examples."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate

from tests._mock import Recorder, client
from tests.contract._spec import load_spec
from zdevents import limits

SPEC: dict[str, Any] = load_spec()

OPERATIONS = {
    "listEventsByIdentifier": ("/api/v2/user_profiles/events", "identifier", "query"),
    "listEventsByProfileId": ("/api/v2/user_profiles/{profile_id}/events", "profile_id", "path"),
    "listEventsByUserId": ("/api/v2/users/{user_id}/events", "user_id", "path"),
}
#: All twenty operations: (path, method).
ALL_OPERATIONS = {
    **{op: (path, "get") for op, (path, _, _) in OPERATIONS.items()},
    "trackEvent": ("/api/v2/user_profiles/events", "post"),
    "trackEventByProfileId": ("/api/v2/user_profiles/{profile_id}/events", "post"),
    "trackEventByUserId": ("/api/v2/users/{user_id}/events", "post"),
    "getProfileByIdentifier": ("/api/v2/user_profiles", "get"),
    "getProfile": ("/api/v2/user_profiles/{profile_id}", "get"),
    "listProfilesByUserId": ("/api/v2/users/{user_id}/profiles", "get"),
    "putProfileByIdentifier": ("/api/v2/user_profiles", "put"),
    "patchProfileByIdentifier": ("/api/v2/user_profiles", "patch"),
    "putProfile": ("/api/v2/user_profiles/{profile_id}", "put"),
    "patchProfile": ("/api/v2/user_profiles/{profile_id}", "patch"),
    "deleteProfile": ("/api/v2/user_profiles/{profile_id}", "delete"),
    "putProfileForUser": ("/api/v2/users/{user_id}/profiles", "put"),
    "exportUsers": ("/api/v2/incremental/users/cursor", "get"),
    "authorize": ("/oauth/authorizations/new", "get"),
    "createToken": ("/oauth/tokens", "post"),
    "showCurrentToken": ("/api/v2/oauth/tokens/current.json", "get"),
    "revokeCurrentToken": ("/api/v2/oauth/tokens/current.json", "delete"),
}
TRACKS = ("trackEvent", "trackEventByProfileId", "trackEventByUserId")
PROFILE_WRITES = (
    "putProfileByIdentifier",
    "patchProfileByIdentifier",
    "putProfile",
    "patchProfile",
    "deleteProfile",
    "putProfileForUser",
)
BRACKETED = [
    "filter[source]",
    "filter[type]",
    "filter[start_time]",
    "filter[end_time]",
    "page[size]",
    "page[after]",
]


def resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = SPEC
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def operation(operation_id: str) -> dict[str, Any]:
    path, method = ALL_OPERATIONS[operation_id]
    op: dict[str, Any] = SPEC["paths"][path][method]
    assert op["operationId"] == operation_id
    return op


def schema_validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    # Refs in the spec are "#/components/...": resolve them against a root holding components.
    root = {**copy.deepcopy(schema), "components": SPEC["components"]}
    return jsonschema.Draft202012Validator(root)


def walk(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(walk(value))
    return found


def test_spec_is_valid_openapi_3_1() -> None:
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)


def test_exactly_these_operations() -> None:
    declared = {(path, method) for path, methods in SPEC["paths"].items() for method in methods}
    assert declared == set(ALL_OPERATIONS.values())
    for operation_id in ALL_OPERATIONS:
        assert operation(operation_id)["operationId"] == operation_id


@pytest.mark.parametrize("operation_id", list(OPERATIONS))
def test_each_operation_declares_the_bracketed_params_one_by_one(operation_id: str) -> None:
    _, selector, where = OPERATIONS[operation_id]
    params = [resolve(p) for p in operation(operation_id)["parameters"]]
    by_name = {p["name"]: p for p in params}
    assert len(by_name) == len(params)
    assert set(by_name) == {selector, *BRACKETED}
    assert by_name[selector]["in"] == where
    assert by_name[selector]["required"] is True
    for name in BRACKETED:
        param = by_name[name]
        assert param["in"] == "query"
        assert param.get("required", False) is False
        assert "style" not in param and "explode" not in param
        schema = resolve(param["schema"])
        assert schema["type"] in ("string", "integer")
    page_size = resolve(by_name["page[size]"]["schema"])
    assert (page_size["type"], page_size["minimum"], page_size["maximum"]) == (
        "integer",
        limits.MIN_PAGE_SIZE,
        limits.MAX_PAGE_SIZE,
    )


def test_the_spec_and_the_library_share_zendesks_limits() -> None:
    schemas = SPEC["components"]["schemas"]
    for name in ("EventInput", "ProfileInput"):
        for field in ("source", "type"):
            assert schemas[name]["properties"][field]["maxLength"] == limits.NAME_LIMIT
    assert schemas["ProfileInput"]["properties"]["identifiers"]["maxItems"] == (
        limits.MAX_IDENTIFIERS
    )
    identifier_type = schemas["IdentifierInput"]["properties"]["type"]
    assert identifier_type["maxLength"] == limits.IDENTIFIER_TYPE_LIMIT


def test_no_deep_object_anywhere() -> None:
    for node in walk(SPEC):
        assert node.get("style") != "deepObject"
        if node.get("in") == "query":
            assert resolve(node.get("schema", {})).get("type") != "object", node.get("name")


@pytest.mark.parametrize("operation_id", list(OPERATIONS))
def test_each_list_operation_links_to_itself_through_the_cursor(operation_id: str) -> None:
    _, selector, where = OPERATIONS[operation_id]
    ok = resolve(operation(operation_id)["responses"]["200"])
    links = ok["links"]
    assert len(links) >= 1
    (link,) = (resolve(link) for link in links.values() if link.get("operationId") == operation_id)
    params = link["parameters"]
    assert params["page[after]"] == "$response.body#/meta/after_cursor"
    assert params[selector] == f"$request.{where}.{selector}"
    for name in BRACKETED[:-1]:
        assert params[name] == f"$request.query.{name}"


OAUTH_OPERATIONS = ("authorize", "createToken", "showCurrentToken", "revokeCurrentToken")


@pytest.mark.parametrize(
    "operation_id", [op for op in ALL_OPERATIONS if op not in OAUTH_OPERATIONS]
)
def test_error_responses_are_declared(operation_id: str) -> None:
    responses = operation(operation_id)["responses"]
    success = {"202"} if operation_id in TRACKS else {"200"}
    if operation_id in ("putProfileByIdentifier", "putProfileForUser"):
        success.add("201")  # created, rather than replaced
    if operation_id == "deleteProfile":
        success = {"204"}
    # Zendesk documents only 400 for tracking by identifiers: the profile is created; so
    # is the profile of a create-or-replace by identifier.
    errors = ["400", "401", "403", "429", "5XX"]
    # The user export selects nobody: nothing to be found or not; a create-or-replace by
    # identifier creates the profile it does not find.
    if operation_id not in ("trackEvent", "exportUsers", "putProfileByIdentifier"):
        errors.append("404")
    if operation_id in ("trackEvent", "trackEventByUserId") or operation_id in PROFILE_WRITES:
        # identifiers of different profiles, another user's profile; for a profile write
        # also another source or type, or the per-user profile maximum
        errors.append("409")
    if operation_id == "deleteProfile":
        errors.remove("409")
    assert set(responses) == {*success, *errors}
    too_many = resolve(responses["429"])
    assert {"Retry-After", "X-Rate-Limit", "X-Rate-Limit-Remaining"} <= set(too_many["headers"])
    for status in errors:
        response = resolve(responses[status])
        schema = response["content"]["application/json"]["schema"]
        assert resolve(schema) is SPEC["components"]["schemas"]["ErrorBody"]


def test_error_body_accepts_the_documented_shapes() -> None:
    validator = schema_validator({"$ref": "#/components/schemas/ErrorBody"})
    for body in (
        {"errors": [{"code": "StartTimestampNotValid", "id": "x", "title": "t"}]},
        {"error": {"title": "Invalid attribute", "message": "m"}},
        {"error": [{"code": "TooManyRequests", "title": "Too many requests"}]},
        {"error": "InvalidEndpoint", "description": "Not found"},
    ):
        validator.validate(body)
    assert not validator.is_valid({"detail": "nothing the docs show"})


def test_security_schemes_and_servers() -> None:
    schemes = SPEC["components"]["securitySchemes"]
    assert (schemes["apiToken"]["type"], schemes["apiToken"]["scheme"]) == ("http", "basic")
    assert (schemes["oauthToken"]["type"], schemes["oauthToken"]["scheme"]) == ("http", "bearer")
    # Zendesk first (what generated clients default to), then the sandbox on loopback.
    zendesk, sandbox = SPEC["servers"]
    assert zendesk["url"] == "https://{subdomain}.zendesk.com"
    assert "subdomain" in zendesk["variables"]
    assert sandbox["url"] == "http://127.0.0.1:{port}"
    assert sandbox["variables"]["port"]["default"] == "8765"


def test_event_schema_fields_are_optional_and_open() -> None:
    event = SPEC["components"]["schemas"]["Event"]
    assert "required" not in event
    assert event["additionalProperties"] is True
    assert set(event["properties"]) == {
        "id",
        "source",
        "type",
        "description",
        "created_at",
        "received_at",
        "properties",
    }
    assert event["properties"]["properties"]["additionalProperties"] is True


def test_links_schema_takes_array_and_object_forms() -> None:
    validator = schema_validator({"$ref": "#/components/schemas/EventsPage"})
    validator.validate({"events": [], "links": [{"next": ""}]})
    validator.validate({"events": [], "links": {"next": None, "prev": None}})
    validator.validate({"events": [], "meta": {"after_cursor": "c", "has_more": True}})
    assert not validator.is_valid({"links": []})
    assert not validator.is_valid({"events": [], "meta": {"has_more": "yes"}})


def examples() -> list[tuple[str, Any, dict[str, Any]]]:
    """(where, example value, schema) for every example in the spec."""
    found: list[tuple[str, Any, dict[str, Any]]] = []
    for name, response in SPEC["components"]["responses"].items():
        for media, content in response.get("content", {}).items():
            schema = content["schema"]
            if "example" in content:
                found.append((f"{name} {media}", content["example"], schema))
            for ex_name, ex in content.get("examples", {}).items():
                found.append((f"{name} {media} {ex_name}", resolve(ex)["value"], schema))
    for name, body in SPEC["components"]["requestBodies"].items():
        for media, content in body["content"].items():
            for ex_name, ex in content.get("examples", {}).items():
                found.append(
                    (f"request {name} {media} {ex_name}", resolve(ex)["value"], content["schema"])
                )
    for name, param in SPEC["components"]["parameters"].items():
        if "example" in param:
            found.append((f"parameter {name}", param["example"], param["schema"]))
        for ex_name, ex in param.get("examples", {}).items():
            found.append((f"parameter {name} {ex_name}", ex["value"], param["schema"]))
    for name, schema in SPEC["components"]["schemas"].items():
        for index, value in enumerate(schema.get("examples", [])):
            found.append(
                (f"schema {name} {index}", value, {"$ref": f"#/components/schemas/{name}"})
            )
    return found


@pytest.mark.parametrize(("where", "value", "schema"), examples(), ids=lambda x: str(x)[:40])
def test_every_example_validates_against_its_schema(where: str, value: Any, schema: Any) -> None:
    schema_validator(schema).validate(value)


def test_the_oauth_routes_answer_in_rfc_6749_shapes() -> None:
    refused = SPEC["components"]["schemas"]["OAuthError"]
    assert set(operation("authorize")["responses"]) == {"200", "302", "400"}
    token = operation("createToken")
    assert set(token["responses"]) == {"200", "201", "400", "401", "429", "5XX"}
    for status in ("400", "401"):
        schema = resolve(token["responses"][status])["content"]["application/json"]["schema"]
        assert resolve(schema) is refused
    body = token["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["discriminator"]["mapping"]) == {
        "authorization_code",
        "refresh_token",
        "client_credentials",
    }
    assert token["security"] == [] and operation("authorize")["security"] == []
    flows = SPEC["components"]["securitySchemes"]["oauth2"]["flows"]
    assert set(flows) == {"authorizationCode", "clientCredentials"}
    for op in TRACKS:
        assert {"oauth2": ["write"]} in operation(op)["security"]
    assert set(operation("revokeCurrentToken")["responses"]) >= {"204", "401"}


def test_there_are_examples_for_every_success_and_error_response_and_body() -> None:
    wheres = " ".join(where for where, _, _ in examples())
    for name in [*SPEC["components"]["responses"], *SPEC["components"]["requestBodies"]]:
        assert name in wheres


@pytest.mark.parametrize("operation_id", TRACKS)
def test_each_track_answers_202_with_links_to_the_profile_and_its_events(
    operation_id: str,
) -> None:
    op = operation(operation_id)
    assert resolve(op["requestBody"])["required"] is True
    accepted = resolve(op["responses"]["202"])
    result = resolve(accepted["content"]["application/json"]["schema"])
    assert set(result["required"]) == {"profile_id", "status", "user_id"}
    for field in ("profile_id", "status", "user_id"):
        assert result["properties"][field]["type"] == "string"
    targets = {link["operationId"]: link["parameters"] for link in accepted["links"].values()}
    assert targets == {
        "listEventsByProfileId": {"profile_id": "$response.body#/profile_id"},
        "getProfile": {"profile_id": "$response.body#/profile_id"},
    }


def test_track_bodies_check_what_zendesk_documents() -> None:
    by_identifiers = schema_validator({"$ref": "#/components/schemas/TrackEventRequest"})
    by_profile_id = schema_validator({"$ref": "#/components/schemas/TrackEventByProfileIdRequest"})
    profile = {
        "source": "acme",
        "type": "customer",
        "identifiers": [{"type": "email", "value": "a@b"}],
    }
    event = {"source": "acme", "type": "login", "properties": {"ip": "10.0.0.1"}}
    by_identifiers.validate({"profile": profile, "event": event})
    by_profile_id.validate({"event": {**event, "created_at": "2020-06-10T01:24:58.143324138Z"}})
    bad_events = [
        {"type": "login"},
        {"source": "acme"},
        {**event, "source": "x" * 41},
        {**event, "source": "zendesk"},
        {**event, "type": ""},
        {**event, "properties": ["not", "an", "object"]},
        {**event, "created_at": "yesterday"},
    ]
    for bad in bad_events:
        assert not by_profile_id.is_valid({"event": bad}), bad
    bad_profiles = [
        {**profile, "identifiers": []},
        {**profile, "identifiers": [{"type": "email", "value": f"{i}@b"} for i in range(21)]},
        {**profile, "source": "zendesk"},
        {**profile, "type": "x" * 41},
        {**profile, "source": "a:b"},
        {k: v for k, v in profile.items() if k != "identifiers"},
    ]
    for bad in bad_profiles:
        assert not by_identifiers.is_valid({"profile": bad, "event": event}), bad
    assert not by_identifiers.is_valid({"event": event})


def test_the_keys_a_track_may_send_are_those_of_the_spec() -> None:
    # zdevents refuses any other key before sending (Zendesk would drop it silently).
    from zdevents._track import EVENT_KEYS, IDENTIFIER_KEYS, PROFILE_KEYS

    schemas = SPEC["components"]["schemas"]
    for name, keys in (
        ("EventInput", EVENT_KEYS),
        ("ProfileInput", PROFILE_KEYS),
        ("IdentifierInput", IDENTIFIER_KEYS),
    ):
        assert sorted(schemas[name]["properties"]) == sorted(keys), name


def test_profile_schema_has_every_documented_field_and_is_lenient() -> None:
    profile = SPEC["components"]["schemas"]["Profile"]
    assert "required" not in profile
    assert profile["additionalProperties"] is True
    assert set(profile["properties"]) == {
        "id",
        "source",
        "type",
        "name",
        "user_id",
        "identifiers",
        "attributes",
        "created_at",
        "updated_at",
    }
    validator = schema_validator({"$ref": "#/components/schemas/Profile"})
    validator.validate({})
    validator.validate(
        {"user_id": 123456, "identifiers": [{"type": "phone_number", "value": 5551234567}]}
    )
    validator.validate({"user_id": "123456", "unknown": {"kept": True}})
    found = schema_validator({"$ref": "#/components/schemas/ProfileEnvelope"})
    assert not found.is_valid({"profiles": []})
    listed = schema_validator({"$ref": "#/components/schemas/ProfileListEnvelope"})
    assert not listed.is_valid({"profile": {}})


def test_time_filters_are_plain_strings_with_a_pattern() -> None:
    for name in ("FilterStartTime", "FilterEndTime"):
        schema = resolve(SPEC["components"]["parameters"][name]["schema"])
        assert schema["type"] == "string"
        assert "format" not in schema  # unknown custom formats break openapi-core
        assert schema["pattern"].startswith("^")


@pytest.mark.parametrize("name", ["AccessingEventsPage", "ReferencePage"])
def test_documented_pages_decode_through_the_client(name: str) -> None:
    body = SPEC["components"]["examples"][name]["value"]
    rec = Recorder(httpx.Response(200, json=body))
    with client(rec, base_url="https://yoursubdomain.zendesk.com") as c:
        page = next(iter(c.events(user_id=1).pages()))
    assert [e.to_dict() for e in page.events] == body["events"]
    if name == "AccessingEventsPage":
        assert (page.has_more, page.next_url, page.cursor) == (False, None, None)
    else:
        assert page.has_more is True
        assert page.cursor == "hkjhdjk"
        assert page.next_url == body["links"][0]["next"]
