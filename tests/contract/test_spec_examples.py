"""Every example a client could send, taken from openapi/events.yaml and sent to the sandbox,
is accepted: tools that send a spec's examples (schemathesis's examples phase, mock
servers, try-it consoles) get answers, not errors. Each example says where it comes from:
Zendesk's documented payloads, or the sandbox's demo data."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.contract._spec import load_spec
from zdevents.sandbox import Sandbox

SPEC: dict[str, Any] = load_spec()
_SOURCES = ("Zendesk", "reference", "sandbox's", "RFC 6749")


def resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def parameter_examples(param: dict[str, Any]) -> list[Any]:
    examples = [example["value"] for example in param.get("examples", {}).values()]
    return examples + ([param["example"]] if "example" in param else [])


def schema_examples(name: str) -> list[Any]:
    return list(SPEC["components"]["schemas"][name].get("examples", []))


def requests() -> list[tuple[str, str, str, dict[str, Any], Any]]:
    """(id, method, path, query, body) for every example of every operation that has any.

    An operation's request carries every one of its parameters' first examples; each
    further example of a parameter (or of the schema a time filter or a track's
    ``created_at`` uses) gets a request of its own, as does each request body example.
    """
    found: list[tuple[str, str, str, dict[str, Any], Any]] = []
    for path, methods in SPEC["paths"].items():
        for method, op in methods.items():
            if "oauth" in op.get("tags", []):
                continue  # they take values only a server issues (clients, codes, tokens)
            params = [resolve(p) for p in op.get("parameters", [])]
            if not all(parameter_examples(p) or not p.get("required") for p in params):
                continue  # an operation whose required values cannot be exemplified
            first = {p["name"]: parameter_examples(p)[0] for p in params if parameter_examples(p)}
            variants: list[tuple[str, dict[str, Any]]] = [("", first)]
            for p in params:
                schema_ref = p.get("schema", {}).get("$ref", "")
                more = parameter_examples(p)[1:]
                if schema_ref.startswith("#/components/schemas/"):
                    more += schema_examples(schema_ref.rsplit("/", 1)[1])
                variants += [(f" {p['name']}={v}", {**first, p["name"]: v}) for v in more]
            bodies: list[tuple[str, Any]] = [("", None)]
            if "requestBody" in op:
                content = resolve(op["requestBody"])["content"]["application/json"]
                bodies = [
                    (f" body {name}", resolve(example)["value"])
                    for name, example in content.get("examples", {}).items()
                ]
                if not bodies:
                    continue  # test_the_examples_cover_the_api_routes says which may lack one
                # The times the track body schema exemplifies, in the first body example.
                for when in schema_examples("TrackTime") if "event" in bodies[0][1] else []:
                    body = copy.deepcopy(bodies[0][1])
                    body["event"]["created_at"] = when
                    bodies.append((f" created_at={when}", body))
            for label, values in variants:
                for body_label, body in bodies if not label else bodies[:1]:
                    path_values = {
                        p["name"]: values[p["name"]] for p in params if p["in"] == "path"
                    }
                    query = {
                        p["name"]: values[p["name"]]
                        for p in params
                        if p["in"] == "query" and p["name"] in values
                    }
                    url = path.format(**path_values)
                    found.append(
                        (f"{op['operationId']}{label}{body_label}", method, url, query, body)
                    )
    return found


def test_every_parameter_and_body_example_says_where_it_comes_from() -> None:
    for param in SPEC["components"]["parameters"].values():
        assert "example" not in param, f"{param['name']}: an example needs a summary (examples)"
        for example in param.get("examples", {}).values():
            assert any(source in example["summary"] for source in _SOURCES), example
    for body in SPEC["components"]["requestBodies"].values():
        for example in body["content"]["application/json"]["examples"].values():
            assert any(source in resolve(example)["summary"] for source in _SOURCES), example
    # Answers too, though nothing sends them: each says what it is.
    for name, response in SPEC["components"]["responses"].items():
        for media, content in response.get("content", {}).items():
            assert "example" not in content, f"{name} {media}: an example needs a summary"
            for example in content.get("examples", {}).values():
                summary = resolve(example)["summary"]
                assert any(s in summary for s in (*_SOURCES, "Illustrative")), summary


@contextlib.contextmanager
def sandbox_client() -> Iterator[httpx.Client]:
    with Sandbox(seed="demo") as sandbox:
        credentials = (f"{sandbox.email}/token", sandbox.api_token)
        with httpx.Client(base_url=sandbox.base_url, auth=credentials, timeout=30) as client:
            yield client


@pytest.fixture(scope="module")
def reads() -> Iterator[httpx.Client]:
    with sandbox_client() as client:
        yield client


def test_the_examples_cover_the_api_routes() -> None:
    sent = {name.split(" ")[0] for name, *_ in requests()}
    api = {
        op["operationId"]
        for methods in SPEC["paths"].values()
        for op in methods.values()
        if "oauth" not in op.get("tags", [])
    }
    assert sent >= api, api - sent


@pytest.mark.parametrize(
    ("method", "url", "query", "body"),
    [request[1:] for request in requests()],
    ids=[request[0] for request in requests()],
)
def test_the_sandbox_accepts_each_example(
    reads: httpx.Client, method: str, url: str, query: dict[str, Any], body: Any
) -> None:
    if method == "get":
        answer = reads.get(url, params=query)
    else:
        # Each write on its own demo data: the track examples describe one profile, which
        # the by-user example binds to the demo rider and a previous example to a new user.
        with sandbox_client() as writes:
            answer = writes.request(method.upper(), url, params=query, json=body)
    assert answer.is_success, f"{answer.status_code}: {answer.text}"
