"""The low-level client answers whatever body a server sends: a body that says it is JSON but
is none (an empty 502, a proxy's HTML page) or is JSON of another shape than the spec's
gives a ``Response`` with ``parsed`` None and the body in ``content``, for every operation
(it raised JSONDecodeError or KeyError from ``sync_detailed``)."""

from __future__ import annotations

import asyncio
import importlib

import httpx
import pytest
from zendesk_events_api import AuthenticatedClient
from zendesk_events_api.api.events import list_events_by_user_id

from tests.contract._operations import OPERATION_MODULES

BODIES = {
    "not JSON": b"<html>Bad gateway</html>",
    "empty": b"",
    "another shape": b'{"errors": "x", "events": "x", "profile": [], "token": 1}',
    "a list": b"[]",
}
JSON = {"content-type": "application/json"}


def client_answering(status: int, body: bytes) -> AuthenticatedClient:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(status, content=body, headers=JSON)
    )
    return AuthenticatedClient(
        base_url="https://coolbikes.zendesk.com", token="t0k3n", httpx_args={"transport": transport}
    )


@pytest.mark.parametrize("status", [200, 201, 202, 400, 404, 429, 503])
@pytest.mark.parametrize("body", list(BODIES))
@pytest.mark.parametrize("operation", OPERATION_MODULES, ids=lambda m: m.rsplit(".", 1)[-1])
def test_every_operation_leaves_a_body_it_cannot_read_in_content(
    operation: str, body: str, status: int
) -> None:
    module = importlib.import_module(operation)
    response = httpx.Response(status, content=BODIES[body], headers=JSON)
    answer = module._build_response(client=client_answering(status, b""), response=response)
    if operation.endswith(".authorize") and status == 200:
        assert answer.parsed == BODIES[body].decode()  # its 200 is the login page, as text
    else:
        assert answer.parsed is None
    assert (answer.content, int(answer.status_code)) == (BODIES[body], status)


@pytest.mark.parametrize("body", list(BODIES))
@pytest.mark.parametrize("status", [200, 400, 502])
def test_sync_detailed_and_asyncio_detailed_answer_such_a_body(body: str, status: int) -> None:
    client = client_answering(status, BODIES[body])
    answer = list_events_by_user_id.sync_detailed(85211553, client=client)
    assert (answer.parsed, answer.content) == (None, BODIES[body])
    assert list_events_by_user_id.sync(85211553, client=client) is None
    answer = asyncio.run(list_events_by_user_id.asyncio_detailed(85211553, client=client))
    assert (answer.parsed, answer.content) == (None, BODIES[body])
