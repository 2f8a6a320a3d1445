"""The spec in other languages, used as each tool's README shows, against a sandbox.

TypeScript: openapi-typescript + openapi-fetch, @hey-api/openapi-ts and orval each generate a
client from openapi/events.yaml (versions pinned in other_languages/package-lock.json); one
``tsc --strict`` run compiles every tool's usage file with its client, and each usage file
runs in node against one sandbox: a page of events, a 404, a plain-text 503 and 520 from
the sandbox's fault injection, and a 429. Where a tool needs the user to write something
other than its README's form, the usage file does what docs/other-languages.md says, and a
test shows that the README's form still fails (so that the page is kept true).

Python: datamodel-code-generator's pydantic v2 models (with the one option the docs name)
validate real answers of every operation, keep ``created_at`` with nine digits and
identifier values as sent, and refuse the reserved source ``zendesk``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pydantic
import pytest

from tests.contract._node import PACKAGE, SPEC, bin_path, install, node_and_npm
from tests.contract._spec import load_spec
from zdevents.sandbox import Sandbox

pytestmark = pytest.mark.xdist_group("node")

JDOE_USER = 85211553
JDOE_PROFILE = "01E1G0NJSQPNPZRV096JXKXFAA"
NINE_DIGITS = "2020-06-10T01:24:58.143324138Z"
#: The one diagnostic of the run: the README form of openapi-fetch (openapi_fetch_readme.ts).
DOCS = PACKAGE.parents[2] / "docs" / "other-languages.md"
#: A TypeScript block of the docs page and the usage file it names, which runs it.
DOC_BLOCK = re.compile(
    r'<!-- skip: next "illustrative: TypeScript, run by [^"]*\((\w+\.ts)\)" -->\n```ts\n(.*?)```',
    re.S,
)
README_DIAGNOSTIC = re.compile(
    r"^openapi_fetch_readme\.ts\(\d+,\d+\): error TS18048: 'data' is possibly 'undefined'\.$"
)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as running:
        yield running


def auth(sandbox: Sandbox) -> tuple[str, str]:
    return (f"{sandbox.email}/token", sandbox.api_token)


@dataclass
class Build:
    """The work folder (usage files, generated clients, ``dist/``) and tsc's diagnostics."""

    folder: Path
    diagnostics: list[str]
    seconds: dict[str, float]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory, sandbox: Sandbox) -> Build:
    tools = install()
    folder = tmp_path_factory.mktemp("other-languages")
    for item in PACKAGE.iterdir():
        if item.is_file():
            shutil.copy(item, folder)
    (folder / "node_modules").symlink_to(tools / "node_modules", target_is_directory=True)
    env = {**os.environ, "ZDEVENTS_SPEC": str(SPEC), "ZDEVENTS_SANDBOX_PORT": str(sandbox.port)}
    out = folder / "generated"
    steps = {
        "openapi-typescript": [
            bin_path(tools, "openapi-typescript"),
            str(SPEC),
            "-o",
            str(out / "openapi-typescript" / "schema.d.ts"),
        ],
        "@hey-api/openapi-ts": [
            bin_path(tools, "openapi-ts"),
            "-i",
            str(SPEC),
            "-o",
            str(out / "hey-api"),
        ],
        "orval": [bin_path(tools, "orval"), "--config", "orval.config.ts"],
    }
    seconds: dict[str, float] = {}
    for name, command in steps.items():
        started = time.monotonic()
        result = subprocess.run(
            command, cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        seconds[name] = time.monotonic() - started
        assert result.returncode == 0, f"{name}:\n{result.stdout}{result.stderr}"
    started = time.monotonic()
    tsc = subprocess.run(
        [bin_path(tools, "tsc"), "-p", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds["tsc"] = time.monotonic() - started
    diagnostics = [line for line in tsc.stdout.splitlines() if ": error TS" in line]
    assert (tsc.returncode == 0) == (not diagnostics), tsc.stdout + tsc.stderr
    print(f"other-language build times (s): {seconds}")
    return Build(folder, diagnostics, seconds)


def run_usage(build: Build, sandbox: Sandbox, name: str) -> dict[str, Any]:
    """Run ``dist/<name>.js``: apply the faults it asks for, collect the results it reports."""
    node, _ = node_and_npm()
    own = [line for line in build.diagnostics if line.startswith((f"{name}.ts", "generated/"))]
    assert not own, "tsc --strict refused the usage file or a generated client:\n" + "\n".join(own)
    env = {
        **os.environ,
        "ZDEVENTS_SANDBOX_URL": sandbox.base_url,
        "ZDEVENTS_SANDBOX_EMAIL": sandbox.email,
        "ZDEVENTS_SANDBOX_API_TOKEN": sandbox.api_token,
        "ZDEVENTS_SANDBOX_OAUTH_TOKEN": str(sandbox.oauth_token),
    }
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(proxy, None)  # loopback only
    results: dict[str, Any] = {}
    process = subprocess.Popen(
        [node, str(build.folder / "dist" / f"{name}.js")],
        cwd=build.folder,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        for line in process.stdout:
            kind, _, rest = line.rstrip("\n").partition(" ")
            if kind == "faults":
                sandbox.set_faults({rest: 1.0} if rest else None)
                process.stdin.write("ok\n")
                process.stdin.flush()
            elif kind == "result":
                step, _, value = rest.partition(" ")
                results[step] = json.loads(value)
        stderr = process.stderr.read() if process.stderr else ""
        assert process.wait(timeout=60) == 0, stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        sandbox.set_faults(None)
    return results


def created_at(sandbox: Sandbox) -> list[str]:
    """What the list step must report: the first page's ``created_at`` values, as sent."""
    answer = httpx.get(
        f"{sandbox.base_url}/api/v2/users/{JDOE_USER}/events",
        params={"page[size]": 3},
        auth=auth(sandbox),
        timeout=30,
    )
    return [event["created_at"] for event in answer.json()["events"]]


def check_the_common_steps(results: dict[str, Any], sandbox: Sandbox) -> None:
    assert results["list"] == {"status": 200, "created_at": created_at(sandbox)}
    assert results["404"]["status"] == 404
    assert results["404"]["error"]["errors"][0]["code"] == "NotFound"
    # The plain-text answers of a CDN: the text itself, neither a JSON error nor a throw.
    assert results["503"] == {"status": 503, "error": "Service Unavailable"}
    assert results["520"] == {"status": 520, "error": "error code: 520"}
    assert results["429"]["status"] == 429
    assert results["429"]["error"]["error"][0]["code"] == "TooManyRequests"


@pytest.mark.slow
def test_openapi_fetch_compiles_strict_and_runs(build: Build, sandbox: Sandbox) -> None:
    results = run_usage(build, sandbox, "openapi_fetch")
    # The Authorization header given is the one sent: an API token works as a bearer does.
    assert results["api-token"] == {"status": 200}
    check_the_common_steps(results, sandbox)


@pytest.mark.slow
def test_openapi_fetch_readme_check_of_error_is_refused_by_tsc_strict(build: Build) -> None:
    # docs/other-languages.md: `if (error) return; data.events` does not compile, because
    # `error` may be the empty string of a text/plain body; `if (!data)` does.
    assert len(build.diagnostics) == 1, build.diagnostics
    assert README_DIAGNOSTIC.match(build.diagnostics[0]), build.diagnostics


@pytest.mark.slow
def test_hey_api_compiles_strict_and_runs_with_one_credential(
    build: Build, sandbox: Sandbox
) -> None:
    results = run_usage(build, sandbox, "hey_api")
    # A string credential goes to every scheme and the last (bearer) wins: an API token
    # given so is refused, an OAuth token works; the callback form sends the API token.
    assert results["string-api-token"]["status"] == 401
    assert results["string-oauth-token"]["status"] == 200
    check_the_common_steps(results, sandbox)


@pytest.mark.slow
def test_orval_compiles_strict_and_runs_through_a_custom_fetch(
    build: Build, sandbox: Sandbox
) -> None:
    results = run_usage(build, sandbox, "orval")
    # The default client, its base URL taken from the spec's sandbox server, works until a
    # plain-text 5xx, which it hands to JSON.parse (docs/other-languages.md).
    assert results["plain-list"] == {"status": 200}
    assert results["plain-520"] == {"thrown": "SyntaxError"}
    assert results["api-token"] == {"status": 200}
    check_the_common_steps(results, sandbox)
    assert results["429"]["retry_after"] == "1"
    # Why orval.ts tests `status >= 500`: its 5xx type lists the standard codes only.
    client = (build.folder / "generated" / "orval-custom" / "api.ts").read_text(encoding="utf-8")
    codes = re.search(r"export type HTTPStatusCode5xx = ([^;]+);", client)
    assert codes is not None
    assert "520" not in codes[1].split(" | ") and "500" in codes[1].split(" | ")


def test_each_typescript_block_of_the_docs_is_in_the_usage_file_that_runs_it() -> None:
    # The page's advice is what the tests compile and run: each block, as written, is part
    # of the usage file it names (not a copy that could drift from it).
    page = DOCS.read_text(encoding="utf-8")
    blocks = DOC_BLOCK.findall(page)
    assert {name for name, _ in blocks} == {"openapi_fetch.ts", "hey_api.ts", "orval_fetch.ts"}
    assert len(blocks) == page.count("```ts\n"), "a TypeScript block that names no usage file"
    for name, block in blocks:
        usage = (PACKAGE / name).read_text(encoding="utf-8")
        assert block in usage, f"docs/other-languages.md's block is not in {name}:\n{block}"


# -- Python: datamodel-code-generator's pydantic v2 models ----------------------------------

DATAMODEL_CODEGEN = Path(sys.executable).parent / "datamodel-codegen"
#: The page's command (run from the repository root), written out by the test as given.
DOC_COMMAND = re.compile(r"```console\n\$ (datamodel-codegen .*?)\n```", re.S)


def doc_command() -> list[str]:
    """docs/other-languages.md's datamodel-codegen command, as argv."""
    match = DOC_COMMAND.search(DOCS.read_text(encoding="utf-8"))
    assert match is not None, "docs/other-languages.md has no datamodel-codegen command"
    return shlex.split(match[1].replace("\\\n", " "))


def generate_models(folder: Path, name: str, command: list[str]) -> ModuleType:
    """Run ``command`` (datamodel-codegen's argv) with its input the spec and its output
    ``folder/name.py``, and import the models."""
    target = folder / f"{name}.py"
    command = [str(DATAMODEL_CODEGEN), *command[1:]]
    for option, value in (("--input", str(SPEC)), ("--output", str(target))):
        command[command.index(option) + 1] = value
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    spec = importlib.util.spec_from_file_location(f"_zdevents_models_{name}", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic looks generic models' module up while building
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_models(tmp_path_factory.mktemp("pydantic"), "models", doc_command())


def operation_ids() -> set[str]:
    spec = load_spec()
    return {op["operationId"] for path in spec["paths"].values() for op in path.values()}


def test_pydantic_models_validate_a_real_answer_of_every_operation(
    models: ModuleType, sandbox: Sandbox
) -> None:
    base, credentials = sandbox.base_url, auth(sandbox)
    http = httpx.Client(base_url=base, auth=credentials, timeout=30)
    track = {
        "profile": {
            "source": "shoppingnow",
            "type": "customer",
            "identifiers": [
                {"type": "phone_number", "value": "5551234567"},
                {"type": "email", "value": "pydantic@example.com"},
            ],
        },
        "event": {"source": "shop", "type": "viewed", "created_at": NINE_DIGITS},
    }
    checked: dict[str, Any] = {}
    #: The profiles of every answer that has any, as sent and as the models read them.
    answered_profiles: list[tuple[str, Any, Any]] = []

    def check(operation: str, answer: httpx.Response, status: int, model: str) -> Any:
        assert answer.status_code == status, (operation, answer.text)
        value = getattr(models, model).model_validate_json(answer.content)
        checked[operation] = value
        sent = json.loads(answer.content)
        if isinstance(sent, dict) and "profile" in sent:
            answered_profiles.append((operation, value.profile, sent["profile"]))
        if isinstance(sent, dict) and "profiles" in sent:
            pairs = zip(value.profiles, sent["profiles"], strict=True)
            answered_profiles.extend((operation, read, raw) for read, raw in pairs)
        return value

    with http:
        result = check(
            "trackEvent", http.post("/api/v2/user_profiles/events", json=track), 202, "TrackResult"
        )
        profile_id, user_id = result.profile_id, result.user_id
        check(
            "trackEventByUserId",
            http.post(f"/api/v2/users/{user_id}/events", json=track),
            202,
            "TrackResult",
        )
        check(
            "trackEventByProfileId",
            http.post(f"/api/v2/user_profiles/{profile_id}/events", json={"event": track["event"]}),
            202,
            "TrackResult",
        )
        query = "shoppingnow:customer:email:pydantic@example.com"
        listed = [
            check(
                "listEventsByIdentifier",
                http.get("/api/v2/user_profiles/events", params={"identifier": query}),
                200,
                "EventsPage",
            ),
            check(
                "listEventsByProfileId",
                http.get(f"/api/v2/user_profiles/{profile_id}/events"),
                200,
                "EventsPage",
            ),
            check(
                "listEventsByUserId", http.get(f"/api/v2/users/{user_id}/events"), 200, "EventsPage"
            ),
        ]
        profiles = [
            check(
                "getProfileByIdentifier",
                http.get("/api/v2/user_profiles", params={"identifier": query}),
                200,
                "ProfileEnvelope",
            ).profile,
            check(
                "getProfile",
                http.get(f"/api/v2/user_profiles/{profile_id}"),
                200,
                "ProfileEnvelope",
            ).profile,
            *check(
                "listProfilesByUserId",
                http.get(f"/api/v2/users/{user_id}/profiles"),
                200,
                "ProfileListEnvelope",
            ).profiles,
        ]
        # The profile writes, on a profile of their own.
        email = {"type": "email", "value": "pydantic-member@example.com"}
        phone = {"type": "phone_number", "value": "5551234568"}
        member = {"source": "shoppingnow", "type": "member", "identifiers": [email, phone]}
        by_query = {"identifier": "shoppingnow:member:email:pydantic-member@example.com"}
        created = check(
            "putProfileByIdentifier",
            http.put("/api/v2/user_profiles", params=by_query, json={"profile": member}),
            201,
            "ProfileEnvelope",
        ).profile
        check(
            "putProfileForUser",
            http.put(
                f"/api/v2/users/{created.user_id}/profiles",
                params=by_query,
                json={"profile": member},
            ),
            200,
            "ProfileEnvelope",
        )
        check(
            "putProfile",
            http.put(f"/api/v2/user_profiles/{created.id}", json={"profile": member}),
            200,
            "ProfileEnvelope",
        )
        merge = {"profile": {"attributes": {"tier": "gold"}}}
        check("patchProfile", http.patch(f"/api/v2/user_profiles/{created.id}", json=merge),
              200, "ProfileEnvelope")  # fmt: skip
        check(
            "patchProfileByIdentifier",
            http.patch("/api/v2/user_profiles", params=by_query, json=merge),
            200,
            "ProfileEnvelope",
        )
        # A deleted profile answers 204 without a body; deleted again, an error body.
        assert http.delete(f"/api/v2/user_profiles/{created.id}").status_code == 204
        check("deleteProfile", http.delete(f"/api/v2/user_profiles/{created.id}"), 404,
              "ErrorBody")  # fmt: skip
        exported = check(
            "exportUsers",
            http.get("/api/v2/incremental/users/cursor", params={"start_time": 0}),
            200,
            "UsersExportPage",
        )
        assert int(user_id) in {user.id for user in exported.users}
        token = check(
            "createToken",
            http.post(
                "/oauth/tokens",
                auth=None,
                json={
                    "grant_type": "client_credentials",
                    "client_id": sandbox.oauth_client_id,
                    "client_secret": sandbox.oauth_client_secret,
                    "scope": "read",
                },
            ),
            200,
            "TokenResponse",
        )
        bearer = {"Authorization": f"Bearer {token.access_token}"}
        current = "/api/v2/oauth/tokens/current.json"
        check(
            "showCurrentToken",
            http.get(current, auth=None, headers=bearer),
            200,
            "CurrentTokenEnvelope",
        )
        # Two operations answer without a body: the authorization page redirects (302) and a
        # revoked token is a 204; each one's refusal is an OAuth error or an error body.
        refused = http.get(
            "/oauth/authorizations/new",
            auth=None,
            params={
                "response_type": "code",
                "client_id": "nobody",
                "redirect_uri": "http://127.0.0.1:1/",
                "scope": "read",
            },
        )
        check("authorize", refused, 400, "OAuthError")
        revoked = http.delete(current, auth=None, headers=bearer)
        assert revoked.status_code == 204
        again = http.delete(current, auth=None, headers=bearer)
        check("revokeCurrentToken", again, 401, "ErrorBody")
    # Every operation of the spec was validated (a new route needs its request here).
    assert set(checked) == operation_ids()
    # created_at with all nine digits, through the model and back out of it.
    for page in listed:
        assert NINE_DIGITS in {event.created_at for event in page.events}
        assert NINE_DIGITS in page.model_dump_json()
    # Identifier values as sent: the phone number stays the string it was.
    # Every route that answers a profile keeps each identifier's value as sent: the same
    # type and value, read and written back out (the profile writes' answers included).
    assert {operation for operation, _, _ in answered_profiles} == {
        "getProfileByIdentifier", "getProfile", "listProfilesByUserId", "putProfileByIdentifier",
        "putProfileForUser", "putProfile", "patchProfile", "patchProfileByIdentifier",
    }  # fmt: skip
    for operation, read, raw in answered_profiles:
        values = [(type(i.value), i.value) for i in read.identifiers]
        assert values == [(type(i["value"]), i["value"]) for i in raw["identifiers"]], operation
        assert json.loads(read.model_dump_json())["identifiers"] == raw["identifiers"], operation
        phones = [i["value"] for i in raw["identifiers"] if i["type"] == "phone_number"]
        assert phones and all(isinstance(value, str) for value in phones), operation
    for profile in profiles[:2]:
        values = {(i.type, i.value) for i in profile.identifiers}
        assert ("phone_number", "5551234567") in values, values
        assert json.loads(profile.model_dump_json())["identifiers"][0]["value"] == "5551234567"


def test_pydantic_models_keep_a_numeric_identifier_an_int(models: ModuleType) -> None:
    # The spec's own Profiles API example sends a phone number as a JSON number.
    spec = load_spec()
    example = spec["components"]["examples"]["ProfileEnvelope"]["value"]
    profile = models.ProfileEnvelope.model_validate(example).profile
    phone = next(i for i in profile.identifiers if i.type == "phone_number")
    assert phone.value == 5551234567 and type(phone.value) is int
    assert '"value":5551234567}' in profile.model_dump_json()


def test_pydantic_models_refuse_the_reserved_source(models: ModuleType) -> None:
    identifiers = [{"type": "email", "value": "a@example.com"}]
    event = {"source": "shop", "type": "viewed"}
    models.TrackEventRequest.model_validate(
        {
            "profile": {"source": "shop", "type": "customer", "identifiers": identifiers},
            "event": event,
        }
    )
    for source in ("zendesk", "a:b"):
        with pytest.raises(pydantic.ValidationError, match="source"):
            models.TrackEventRequest.model_validate(
                {
                    "profile": {"source": source, "type": "customer", "identifiers": identifiers},
                    "event": event,
                }
            )
    # The profile writes that name a source (PUT, by identifier, for a user, by id) refuse
    # it too; a PATCH's source is ignored by Zendesk, so any value goes there.
    for source in ("zendesk", "a:b"):
        profile = {"source": source, "type": "customer", "identifiers": identifiers}
        with pytest.raises(pydantic.ValidationError, match="source"):
            models.ProfileWriteRequest.model_validate({"profile": profile})
    models.ProfilePatchRequest.model_validate({"profile": {"source": "zendesk"}})
    # Only the exact name is reserved.
    models.ProfileInput(source="zendesk2", type="customer", identifiers=identifiers)


def test_pydantic_models_refuse_the_reserved_event_source(models: ModuleType) -> None:
    # Zendesk's own events have the source "zendesk"; tracking one is an error, by either
    # track route. Another case or a longer name is an ordinary source.
    with pytest.raises(pydantic.ValidationError, match="source"):
        models.TrackEventByProfileIdRequest.model_validate(
            {"event": {"source": "zendesk", "type": "viewed"}}
        )
    with pytest.raises(pydantic.ValidationError, match="source"):
        models.EventInput(source="zendesk", type="viewed")
    for source in ("Zendesk", "zendesk2", "zen:desk"):
        models.EventInput(source=source, type="viewed")


def test_pydantic_models_without_the_option_lose_three_digits(tmp_path: Path) -> None:
    # docs/other-languages.md: without --type-mappings, a date-time becomes AwareDatetime,
    # which keeps microseconds only.
    command = doc_command()
    mapping = command.index("--type-mappings")
    assert command[mapping + 1] == "string+date-time=string"
    default = generate_models(tmp_path, "default", command[:mapping] + command[mapping + 2 :])
    event = default.Event.model_validate({"created_at": NINE_DIGITS})
    assert NINE_DIGITS not in event.model_dump_json()
    assert "2020-06-10T01:24:58.143324Z" in event.model_dump_json()
