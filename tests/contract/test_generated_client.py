"""The generated package as a low-level client of its own, against the sandbox.

Every operation of ``zendesk_events_api``, through its ``Client``/``AuthenticatedClient``,
once with ``sync_detailed``/``sync`` and once with ``asyncio_detailed``/``asyncio``:

- a success is parsed into its response model (the authorization page's 302 and the
  revocation's 204 have none: ``parsed`` is None);
- a documented error status is parsed into its error model;
- Cloudflare's 520 (outside the IANA list, plain text, yet inside the spec's ``5XX``) is a
  ``Response`` whose ``status_code`` is the int 520, with the text in ``content``;
- a status the spec does not list for the operation is a ``Response`` with ``parsed`` None,
  and ``errors.UnexpectedStatus`` only with ``raise_on_unexpected_status=True``.

The example of the low-level client's page (docs/low-level-client.md) runs here too, and
prints what it should.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from types import ModuleType
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import pytest
from zendesk_events_api import AuthenticatedClient, Client, errors
from zendesk_events_api.api.events import (
    list_events_by_identifier,
    list_events_by_profile_id,
    list_events_by_user_id,
    track_event,
    track_event_by_profile_id,
    track_event_by_user_id,
)
from zendesk_events_api.api.oauth import (
    authorize,
    create_token,
    revoke_current_token,
    show_current_token,
)
from zendesk_events_api.api.profiles import (
    delete_profile,
    get_profile,
    get_profile_by_identifier,
    list_profiles_by_user_id,
    patch_profile,
    patch_profile_by_identifier,
    put_profile,
    put_profile_by_identifier,
    put_profile_for_user,
)
from zendesk_events_api.api.users import export_users
from zendesk_events_api.models import (
    ClientCredentialsGrant,
    CurrentTokenEnvelope,
    ErrorListBody,
    ErrorsArrayBody,
    EventsPage,
    OAuthError,
    ProfileEnvelope,
    ProfileListEnvelope,
    ProfilePatchRequest,
    ProfileWriteRequest,
    TokenResponse,
    TrackEventByProfileIdRequest,
    TrackEventRequest,
    TrackResult,
    UsersExportPage,
)
from zendesk_events_api.types import Response

from tests.contract._operations import OPERATION_MODULES
from zdevents.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
# The demo data set's J. Doe: a user with two profiles and events.
JDOE = 85211553
JDOE_PROFILE = "01E1G0NJSQPNPZRV096JXKXFAA"
JDOE_IDENTIFIER = "coolbikes:rider:coolbike_id:CB-1001"
NO_PROFILE = "01E1G0NJSQPNPZRV096JXKXFZZ"
NO_USER = 1
PROFILE = {
    "source": "shop",
    "type": "customer",
    "identifiers": [{"type": "email", "value": "ann@example.com"}],
}
# J. Doe's own shop profile (track_event binds PROFILE to a new user: a 409 for J. Doe).
JDOE_SHOP_PROFILE = {**PROFILE, "identifiers": [{"type": "email", "value": "jdoe@example.com"}]}
EVENT = {"source": "shop", "type": "login", "properties": {"via": "generated client"}}
# Over the sandbox's 1 MiB body limit: a 413, which no track route of the spec lists.
HUGE_EVENT = {**EVENT, "properties": {"padding": "x" * (1 << 20)}}
REDIRECT = "http://127.0.0.1:9/callback"

Mode = Literal["sync", "asyncio"]
AnyClient = Client | AuthenticatedClient


_fresh = itertools.count(1)


def fresh_profile(sandbox: Sandbox) -> tuple[str, str, dict[str, Any]]:
    """A profile of its own (a new user's) for a write to change: id, query, body."""
    n = next(_fresh)
    email = f"gen{n}@example.com"
    profile = {**PROFILE, "identifiers": [{"type": "email", "value": email}]}
    (profile_id,) = sandbox.add_events([{"event": EVENT, "profile": profile}])
    return profile_id, f"shop:customer:email:{email}", profile


def new_person(n: int | None = None) -> tuple[str, dict[str, Any]]:
    """An identifier query no profile has yet, and the profile a PUT creates for it."""
    email = f"new{next(_fresh) if n is None else n}@example.com"
    return f"shop:customer:email:{email}", {
        **PROFILE,
        "identifiers": [{"type": "email", "value": email}],
    }


def _put_new(sb: Sandbox) -> Call:
    query, profile = new_person()
    body = ProfileWriteRequest.from_dict({"profile": profile})
    return Call(
        put_profile_by_identifier, api_token_client(sb), {"identifier": query, "body": body}
    )


def _put_new_for_user(sb: Sandbox) -> Call:
    stored = sb.store.profile(fresh_profile(sb)[0])  # not over HTTP: faults may be on
    assert stored is not None
    user = stored["user_id"]
    query, profile = new_person()
    profile = {**profile, "type": "member"}
    query = query.replace("customer", "member")
    body = ProfileWriteRequest.from_dict({"profile": profile})
    arguments = {"user_id": int(user or 0), "identifier": query, "body": body}
    return Call(put_profile_for_user, oauth_client(sb), arguments)


def _put_by_id(sb: Sandbox) -> Call:
    profile_id, _, profile = fresh_profile(sb)
    body = ProfileWriteRequest.from_dict({"profile": {**profile, "name": "Replaced"}})
    return Call(put_profile, oauth_client(sb), {"profile_id": profile_id, "body": body})


def _patch(sb: Sandbox, by_identifier: bool) -> Call:
    profile_id, query, _ = fresh_profile(sb)
    body = ProfilePatchRequest.from_dict({"profile": {"attributes": {"merged": True}}})
    if by_identifier:
        return Call(patch_profile_by_identifier, api_token_client(sb),
                    {"identifier": query, "body": body})  # fmt: skip
    return Call(patch_profile, oauth_client(sb), {"profile_id": profile_id, "body": body})


def _merged(response: Response[Any], sb: Sandbox) -> bool:
    return bool(response.parsed.profile.attributes.additional_properties == {"merged": True})


# One TLS context for every client of the module (the generated client's ``verify_ssl``
# takes one): httpx builds its default context from certifi's bundle for each new client,
# two thirds of this module's time for a sandbox that speaks plain HTTP.
TLS = ssl.create_default_context()


def api_token_client(sandbox: Sandbox) -> Client:
    """A ``Client`` with the API token as basic auth (``{email}/token:{token}``)."""
    auth = (f"{sandbox.email}/token", sandbox.api_token)
    return Client(base_url=sandbox.base_url, httpx_args={"auth": auth}, verify_ssl=TLS)


def oauth_client(sandbox: Sandbox, token: str | None = None) -> AuthenticatedClient:
    """An ``AuthenticatedClient`` with an OAuth bearer token (the sandbox's own by default)."""
    return AuthenticatedClient(
        base_url=sandbox.base_url, token=token or sandbox.oauth_token, verify_ssl=TLS
    )


def anonymous_client(sandbox: Sandbox) -> Client:
    """A ``Client`` without credentials: the OAuth page and token endpoint take none."""
    return Client(base_url=sandbox.base_url, verify_ssl=TLS)


def grant(sandbox: Sandbox, secret: str | None = None) -> ClientCredentialsGrant:
    return ClientCredentialsGrant(
        grant_type="client_credentials",
        client_id=sandbox.oauth_client_id,
        client_secret=secret or sandbox.oauth_client_secret,
        scope="read write",
    )


def fresh_token(sandbox: Sandbox) -> str:
    """A new OAuth access token, minted through the generated client itself."""
    with anonymous_client(sandbox) as client:
        minted = create_token.sync(client=client, body=grant(sandbox))
    assert isinstance(minted, TokenResponse)
    return minted.access_token


@dataclass
class Call:
    """One call of an operation: its module, the client, the other arguments."""

    module: ModuleType
    client: AnyClient
    arguments: dict[str, Any]


def send(mode: Mode, call: Call) -> Response[Any]:
    """``sync_detailed`` or ``asyncio_detailed``, the client opened and closed around it."""
    if mode == "sync":
        with call.client as client:
            response: Response[Any] = call.module.sync_detailed(client=client, **call.arguments)
        return response

    async def run() -> Response[Any]:
        async with call.client as client:
            answer: Response[Any] = await call.module.asyncio_detailed(
                client=client, **call.arguments
            )
            return answer

    return asyncio.run(run())


def send_parsed(mode: Mode, call: Call) -> Any:
    """``sync`` or ``asyncio``: the parsed answer alone."""
    if mode == "sync":
        with call.client as client:
            return call.module.sync(client=client, **call.arguments)

    async def run() -> Any:
        async with call.client as client:
            return await call.module.asyncio(client=client, **call.arguments)

    return asyncio.run(run())


@pytest.fixture(scope="module")
def demo_sandbox() -> Iterator[Sandbox]:
    """One sandbox with the demo data for the whole module: a sandbox per test (the plugin's
    ``zendesk_sandbox``) takes a tenth of a second to stop, and there are a hundred tests."""
    # The user export's own 10 a minute would answer the later tests of it 429.
    with Sandbox(seed="demo", export_rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(demo_sandbox: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox, its faults and planned token failures cleared after the test."""
    yield demo_sandbox
    demo_sandbox.set_faults(None)
    while demo_sandbox.oauth.take_failure() is not None:
        pass


@pytest.fixture(params=["sync", "asyncio"])
def mode(request: pytest.FixtureRequest) -> Mode:
    value: Mode = request.param
    return value


def module_id(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[-1]


# -- a success, parsed into its response model --------------------------------------------------

Builder = Callable[[Sandbox], Call]


@dataclass
class Success:
    build: Builder
    status: int
    model: type | None  # None: the spec gives this answer no body
    check: Callable[[Response[Any], Sandbox], bool]


def _page_of_events(response: Response[Any], sandbox: Sandbox) -> bool:
    return bool(response.parsed.events) and all(e.id for e in response.parsed.events)


def _two_coolbike_events(response: Response[Any], sandbox: Sandbox) -> bool:
    page = response.parsed
    return (
        len(page.events) == 2
        and page.meta.has_more
        and {e.source for e in page.events} == {"coolbike"}
    )


def _redirect_with_code(response: Response[Any], sandbox: Sandbox) -> bool:
    location = urlsplit(response.headers["location"])
    query = parse_qs(location.query)
    back = f"{location.scheme}://{location.netloc}{location.path}"
    return back == REDIRECT and query["state"] == ["st-1"] and bool(query["code"][0])


def _the_minted_token(response: Response[Any], sandbox: Sandbox) -> bool:
    token = response.parsed.token
    return token.client_id == sandbox.oauth_client_id and set(token.scopes) == {"read", "write"}


SUCCESSES: dict[ModuleType, Success] = {
    list_events_by_identifier: Success(
        lambda sb: Call(
            list_events_by_identifier, api_token_client(sb), {"identifier": JDOE_IDENTIFIER}
        ),
        200,
        EventsPage,
        _page_of_events,
    ),
    list_events_by_profile_id: Success(
        lambda sb: Call(list_events_by_profile_id, oauth_client(sb), {"profile_id": JDOE_PROFILE}),
        200,
        EventsPage,
        _page_of_events,
    ),
    list_events_by_user_id: Success(
        lambda sb: Call(
            list_events_by_user_id,
            api_token_client(sb),
            {"user_id": JDOE, "pagesize": 2, "filtersource": "coolbike"},
        ),
        200,
        EventsPage,
        _two_coolbike_events,
    ),
    track_event: Success(
        lambda sb: Call(
            track_event,
            api_token_client(sb),
            {"body": TrackEventRequest.from_dict({"profile": PROFILE, "event": EVENT})},
        ),
        202,
        TrackResult,
        lambda response, sb: response.parsed.status == "received",
    ),
    track_event_by_profile_id: Success(
        lambda sb: Call(
            track_event_by_profile_id,
            oauth_client(sb),
            {
                "profile_id": JDOE_PROFILE,
                "body": TrackEventByProfileIdRequest.from_dict({"event": EVENT}),
            },
        ),
        202,
        TrackResult,
        lambda response, sb: response.parsed.profile_id == JDOE_PROFILE,
    ),
    track_event_by_user_id: Success(
        lambda sb: Call(
            track_event_by_user_id,
            api_token_client(sb),
            {
                "user_id": JDOE,
                "body": TrackEventRequest.from_dict({"profile": JDOE_SHOP_PROFILE, "event": EVENT}),
            },
        ),
        202,
        TrackResult,
        lambda response, sb: response.parsed.user_id == str(JDOE),
    ),
    get_profile: Success(
        lambda sb: Call(get_profile, oauth_client(sb), {"profile_id": JDOE_PROFILE}),
        200,
        ProfileEnvelope,
        lambda response, sb: response.parsed.profile.id == JDOE_PROFILE,
    ),
    get_profile_by_identifier: Success(
        lambda sb: Call(
            get_profile_by_identifier, api_token_client(sb), {"identifier": JDOE_IDENTIFIER}
        ),
        200,
        ProfileEnvelope,
        lambda response, sb: response.parsed.profile.id == JDOE_PROFILE,
    ),
    list_profiles_by_user_id: Success(
        lambda sb: Call(list_profiles_by_user_id, oauth_client(sb), {"user_id": JDOE}),
        200,
        ProfileListEnvelope,
        lambda response, sb: JDOE_PROFILE in {profile.id for profile in response.parsed.profiles},
    ),
    put_profile_by_identifier: Success(
        _put_new, 201, ProfileEnvelope, lambda response, sb: response.parsed.profile.id != ""
    ),
    put_profile_for_user: Success(
        _put_new_for_user,
        201,
        ProfileEnvelope,
        lambda response, sb: response.parsed.profile.type_ == "member",
    ),
    put_profile: Success(
        _put_by_id,
        200,
        ProfileEnvelope,
        lambda response, sb: response.parsed.profile.name == "Replaced",
    ),
    patch_profile: Success(lambda sb: _patch(sb, False), 200, ProfileEnvelope, _merged),
    patch_profile_by_identifier: Success(
        lambda sb: _patch(sb, True), 200, ProfileEnvelope, _merged
    ),
    delete_profile: Success(
        lambda sb: Call(delete_profile, api_token_client(sb), {"profile_id": fresh_profile(sb)[0]}),
        204,
        None,
        lambda response, sb: response.content == b"",
    ),
    export_users: Success(
        lambda sb: Call(export_users, api_token_client(sb), {"start_time": 0, "per_page": 1000}),
        200,
        UsersExportPage,
        lambda response, sb: (
            response.parsed.end_of_stream and JDOE in {user.id for user in response.parsed.users}
        ),
    ),
    authorize: Success(
        lambda sb: Call(
            authorize,
            anonymous_client(sb),
            {
                "response_type": "code",
                "client_id": sb.oauth_client_id,
                "redirect_uri": REDIRECT,
                "scope": "read",
                "state": "st-1",
            },
        ),
        302,  # the generated Client does not follow redirects
        None,
        _redirect_with_code,
    ),
    create_token: Success(
        lambda sb: Call(create_token, anonymous_client(sb), {"body": grant(sb)}),
        200,
        TokenResponse,
        lambda response, sb: response.parsed.token_type == "bearer",
    ),
    show_current_token: Success(
        lambda sb: Call(show_current_token, oauth_client(sb, fresh_token(sb)), {}),
        200,
        CurrentTokenEnvelope,
        _the_minted_token,
    ),
    revoke_current_token: Success(
        lambda sb: Call(revoke_current_token, oauth_client(sb, fresh_token(sb)), {}),
        204,
        None,
        lambda response, sb: response.content == b"",
    ),
}


def test_every_operation_is_covered() -> None:
    assert {module.__name__ for module in SUCCESSES} == set(OPERATION_MODULES)
    assert {module.__name__ for module in ERRORS} == set(OPERATION_MODULES)


@pytest.mark.parametrize("module", SUCCESSES, ids=module_id)
def test_a_success_is_parsed_into_its_response_model(
    sandbox: Sandbox, mode: Mode, module: ModuleType
) -> None:
    case = SUCCESSES[module]
    response = send(mode, case.build(sandbox))
    assert response.status_code == case.status, response.content
    assert isinstance(response.status_code, HTTPStatus)
    if case.model is None:
        assert response.parsed is None
    else:
        assert isinstance(response.parsed, case.model), response.parsed
    assert case.check(response, sandbox), response
    # sync()/asyncio() give the parsed answer alone.
    parsed = send_parsed(mode, case.build(sandbox))
    assert parsed is None if case.model is None else isinstance(parsed, case.model), parsed


# -- a documented error, parsed into its error model ---------------------------------------------


@dataclass
class Failure:
    build: Builder
    status: int
    model: type
    code: str  # the error's code (OAuthError: its ``error``)


ERRORS: dict[ModuleType, Failure] = {
    list_events_by_identifier: Failure(
        lambda sb: Call(
            list_events_by_identifier, oauth_client(sb), {"identifier": "shop:customer:email:x@y"}
        ),
        404,
        ErrorsArrayBody,
        "NotFound",
    ),
    list_events_by_profile_id: Failure(
        lambda sb: Call(
            list_events_by_profile_id, api_token_client(sb), {"profile_id": NO_PROFILE}
        ),
        404,
        ErrorsArrayBody,
        "NotFound",
    ),
    list_events_by_user_id: Failure(
        lambda sb: Call(
            list_events_by_user_id,
            api_token_client(sb),
            {"user_id": JDOE, "filterstart_time": "yesterday"},
        ),
        400,
        ErrorsArrayBody,
        "StartTimestampNotValid",
    ),
    track_event: Failure(
        lambda sb: Call(
            track_event,
            oauth_client(sb),
            {
                "body": TrackEventRequest.from_dict(
                    {"profile": {**PROFILE, "source": "zendesk"}, "event": EVENT}
                )
            },
        ),
        400,
        ErrorsArrayBody,
        "ReservedSource",
    ),
    track_event_by_profile_id: Failure(
        lambda sb: Call(
            track_event_by_profile_id,
            api_token_client(sb),
            {
                "profile_id": NO_PROFILE,
                "body": TrackEventByProfileIdRequest.from_dict({"event": EVENT}),
            },
        ),
        404,
        ErrorsArrayBody,
        "NotFound",
    ),
    track_event_by_user_id: Failure(
        lambda sb: Call(
            track_event_by_user_id,
            oauth_client(sb),
            {
                "user_id": NO_USER,
                "body": TrackEventRequest.from_dict({"profile": PROFILE, "event": EVENT}),
            },
        ),
        404,
        ErrorsArrayBody,
        "NotFound",
    ),
    get_profile: Failure(
        lambda sb: Call(get_profile, api_token_client(sb), {"profile_id": NO_PROFILE}),
        404,
        ErrorsArrayBody,
        "NotFound",
    ),
    get_profile_by_identifier: Failure(
        # Wrong credentials: Zendesk's 401 is the error *list* shape.
        lambda sb: Call(
            get_profile_by_identifier,
            oauth_client(sb, "not-a-token"),
            {"identifier": JDOE_IDENTIFIER},
        ),
        401,
        ErrorListBody,
        "MissingOrInvalidAuthentication",
    ),
    list_profiles_by_user_id: Failure(
        lambda sb: Call(list_profiles_by_user_id, oauth_client(sb), {"user_id": NO_USER}),
        404,
        ErrorsArrayBody,
        "NotFound",
    ),
    put_profile_by_identifier: Failure(
        lambda sb: Call(
            put_profile_by_identifier,
            oauth_client(sb),
            {
                "identifier": "zendesk:customer:email:z@example.com",
                "body": ProfileWriteRequest.from_dict(
                    {"profile": {**PROFILE, "source": "zendesk"}}
                ),
            },
        ),
        400,
        ErrorsArrayBody,
        "ReservedSource",
    ),
    put_profile_for_user: Failure(
        lambda sb: Call(
            put_profile_for_user,
            api_token_client(sb),
            {
                "user_id": NO_USER,
                "identifier": new_person(0)[0],
                "body": ProfileWriteRequest.from_dict({"profile": new_person(0)[1]}),
            },
        ),
        404,
        ErrorsArrayBody,
        "NotFound",
    ),
    put_profile: Failure(
        lambda sb: Call(
            put_profile,
            oauth_client(sb),
            {"profile_id": NO_PROFILE, "body": ProfileWriteRequest.from_dict({"profile": PROFILE})},
        ),
        404,
        ErrorsArrayBody,
        "NotFound",
    ),
    patch_profile: Failure(
        lambda sb: Call(
            patch_profile,
            api_token_client(sb),
            {"profile_id": NO_PROFILE, "body": ProfilePatchRequest.from_dict({"profile": {}})},
        ),
        404,
        ErrorsArrayBody,
        "NotFound",
    ),
    patch_profile_by_identifier: Failure(
        lambda sb: Call(
            patch_profile_by_identifier,
            oauth_client(sb),
            {
                "identifier": "shop:customer:email:nobody@example.com",
                "body": ProfilePatchRequest.from_dict({"profile": {"name": "x"}}),
            },
        ),
        404,
        ErrorsArrayBody,
        "NotFound",
    ),
    delete_profile: Failure(
        lambda sb: Call(delete_profile, oauth_client(sb), {"profile_id": NO_PROFILE}),
        404,
        ErrorsArrayBody,
        "NotFound",
    ),
    export_users: Failure(
        lambda sb: Call(export_users, oauth_client(sb), {"cursor": "not-a-cursor"}),
        400,
        ErrorsArrayBody,
        "InvalidPaginationParameter",
    ),
    authorize: Failure(
        lambda sb: Call(
            authorize,
            anonymous_client(sb),
            {
                "response_type": "code",
                "client_id": "no-such-client",
                "redirect_uri": REDIRECT,
                "scope": "read",
            },
        ),
        400,
        OAuthError,
        "invalid_client",
    ),
    create_token: Failure(
        lambda sb: Call(create_token, anonymous_client(sb), {"body": grant(sb, "wrong-secret")}),
        401,
        OAuthError,
        "invalid_client",
    ),
    show_current_token: Failure(
        lambda sb: Call(show_current_token, oauth_client(sb, "not-a-token"), {}),
        401,
        ErrorListBody,
        "MissingOrInvalidAuthentication",
    ),
    revoke_current_token: Failure(
        lambda sb: Call(revoke_current_token, oauth_client(sb, "not-a-token"), {}),
        401,
        ErrorListBody,
        "MissingOrInvalidAuthentication",
    ),
}


def error_code(parsed: Any) -> str:
    """The code of an error model: the first item's ``code``, or OAuth's ``error``."""
    if isinstance(parsed, OAuthError):
        return parsed.error
    if isinstance(parsed, ErrorsArrayBody):
        return str(parsed.errors[0].code)
    if isinstance(parsed, ErrorListBody):
        return str(parsed.error[0].code)
    raise AssertionError(f"not an error model: {parsed!r}")


@pytest.mark.parametrize("module", ERRORS, ids=module_id)
def test_a_documented_error_is_parsed_into_its_error_model(
    sandbox: Sandbox, mode: Mode, module: ModuleType
) -> None:
    case = ERRORS[module]
    response = send(mode, case.build(sandbox))
    assert response.status_code == case.status, response.content
    assert isinstance(response.parsed, case.model), response.parsed
    assert error_code(response.parsed) == case.code
    # A documented status never raises, whatever raise_on_unexpected_status says.
    strict = case.build(sandbox)
    strict.client.raise_on_unexpected_status = True
    assert isinstance(send_parsed(mode, strict), case.model)


# -- faults: 429, 500, 503 and Cloudflare's 520 ---------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "model"),
    [("429", ErrorListBody), ("500", ErrorsArrayBody), ("503", None), ("520", None)],
)
def test_each_fault_of_the_sandbox_gives_a_response(
    sandbox: Sandbox, mode: Mode, fault: str, model: type | None
) -> None:
    sandbox.set_faults(f"{fault}=1")
    call = Call(list_events_by_user_id, api_token_client(sandbox), {"user_id": JDOE})
    response = send(mode, call)
    assert response.status_code == int(fault)
    if model is None:  # plain text: left in content, nothing parsed
        assert response.parsed is None
        assert response.content in (b"Service Unavailable", b"error code: 520")
    else:
        assert isinstance(response.parsed, model), response.parsed


#: The operations the sandbox can answer with a 520: the Events API routes (fault injection)
#: and the token endpoint (``fail_next_token_requests``). Its authorization page and
#: current.json take no faults.
FAULTABLE = [module for module in SUCCESSES if module.__name__.split(".")[-2] != "oauth"]


@pytest.mark.parametrize("module", [*FAULTABLE, create_token], ids=module_id)
def test_a_520_is_an_int_status_not_a_crash(
    sandbox: Sandbox, mode: Mode, module: ModuleType
) -> None:
    if module is create_token:
        sandbox.oauth.fail_next_token_requests(2, status=520)
    else:
        sandbox.set_faults("520=1")
    for strict in (False, True):  # 5XX is documented: no UnexpectedStatus either way
        call = SUCCESSES[module].build(sandbox)
        call.client.raise_on_unexpected_status = strict
        response = send(mode, call)
        assert response.status_code == 520
        assert not isinstance(response.status_code, HTTPStatus)  # HTTPStatus(520) raises
        if module is create_token:  # the sandbox's token endpoint fails with JSON
            assert isinstance(response.parsed, ErrorsArrayBody)
        else:  # Cloudflare's text, left in content
            assert response.parsed is None
            assert response.content == b"error code: 520"


# -- a status the spec does not list -------------------------------------------------------------


def _huge_track(module: ModuleType) -> Builder:
    def build(sb: Sandbox) -> Call:
        if module is track_event_by_profile_id:
            body: Any = TrackEventByProfileIdRequest.from_dict({"event": HUGE_EVENT})
            return Call(module, api_token_client(sb), {"profile_id": JDOE_PROFILE, "body": body})
        body = TrackEventRequest.from_dict({"profile": PROFILE, "event": HUGE_EVENT})
        target = {"user_id": JDOE} if module is track_event_by_user_id else {}
        return Call(module, api_token_client(sb), {**target, "body": body})

    return build


def _wrong_prefix(module: ModuleType) -> Builder:
    # A base URL with a path the sandbox does not serve: its 404 "InvalidEndpoint", which the
    # spec lists for none of the OAuth operations.
    def build(sb: Sandbox) -> Call:
        call = SUCCESSES[module].build(sb)
        elsewhere = sb.base_url + "/not-here"
        if isinstance(call.client, AuthenticatedClient):
            call.client = AuthenticatedClient(
                base_url=elsewhere, token=call.client.token, verify_ssl=TLS
            )
        else:
            call.client = Client(base_url=elsewhere, verify_ssl=TLS)
        return call

    return build


UNLISTED: dict[ModuleType, tuple[Builder, int]] = {
    **{
        module: (_huge_track(module), 413)
        for module in (track_event, track_event_by_profile_id, track_event_by_user_id)
    },
    **{
        module: (_wrong_prefix(module), 404)
        for module in (authorize, create_token, show_current_token, revoke_current_token)
    },
}


@pytest.mark.parametrize("module", UNLISTED, ids=module_id)
def test_a_status_the_spec_does_not_list(sandbox: Sandbox, mode: Mode, module: ModuleType) -> None:
    build, status = UNLISTED[module]
    response = send(mode, build(sandbox))
    assert response.status_code == status
    assert response.parsed is None  # not an error model: the spec says nothing of this status
    assert response.content.startswith(b"{")  # the body is kept as it came

    strict = build(sandbox)
    strict.client.raise_on_unexpected_status = True
    with pytest.raises(errors.UnexpectedStatus) as raised:
        send(mode, strict)
    assert raised.value.status_code == status
    assert raised.value.content.startswith(b"{")


# -- the documented example -----------------------------------------------------------------------

PAGE = ROOT / "docs" / "low-level-client.md"


def documented_example() -> str:
    """The first Python block of the page on the low-level client."""
    page = PAGE.read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", page, re.DOTALL)
    assert match is not None
    return match.group(1)


def test_the_documented_low_level_example_runs(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ZENDESK_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", sandbox.oauth_token)
    exec(compile(documented_example(), str(PAGE), "exec"), {})  # noqa: S102
    assert capsys.readouterr().out.splitlines() == [
        "2020-01-18 09:00:38.134000+00:00 coolbike bike_rental_booked",
        "2020-01-22 13:33:30.425086+00:00 coolbike bike_rental_booked",
        "more: True",
    ]
