"""The retry rule for writes, through the one primitive every request goes through
(the client core's send loop, reached through ``tests._mock.send``; the track and profile
methods are built on it).

A POST that may have reached Zendesk and then failed is not sent again unless the client has
``retry_writes=True``; a 429 and a connection that was never made are retried.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests._mock import (
    API_TOKEN,
    FakeClock,
    Recorder,
    async_client,
    async_send,
    client,
    json_of,
    send,
)
from zdevents import Client, errors, is_transient
from zdevents._retry import RETRYABLE_STATUSES

PATH = "/api/v2/user_profiles/events"
BODY = {"event": {"source": "shop", "type": "bought"}, "profile": {"source": "shop"}}
ACCEPTED = httpx.Response(202, json={"profile_id": "01E1", "status": "received", "user_id": "7"})
STORED = "may or may not have been stored"


def post(c: Client) -> httpx.Response:
    return send(c, "POST", PATH, json=BODY, decode=lambda r: r)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 520, 524])
def test_a_5xx_after_a_write_is_not_retried_by_default(clock: FakeClock, status: int) -> None:
    rec = Recorder(httpx.Response(status), ACCEPTED)
    with client(rec) as c, pytest.raises(errors.ServerError, match=STORED) as info:
        post(c)
    assert rec.calls == 1
    assert info.value.status_code == status
    assert is_transient(info.value)  # a rerun may help; a blind resend is what is refused
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("failure", "cls"),
    [
        (httpx.ReadTimeout("slow"), errors.APITimeoutError),
        (httpx.WriteTimeout("slow"), errors.APITimeoutError),
        (httpx.RemoteProtocolError("dropped"), errors.APIConnectionError),
        (httpx.ReadError("reset"), errors.APIConnectionError),
    ],
)
def test_a_failure_after_sending_a_write_is_not_retried_by_default(
    clock: FakeClock, failure: Exception, cls: type[errors.ZendeskError]
) -> None:
    rec = Recorder(failure, ACCEPTED)
    with client(rec) as c, pytest.raises(cls, match=STORED) as info:
        post(c)
    assert rec.calls == 1
    assert getattr(info.value, "sent", True)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(500),
        httpx.Response(503),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
    ],
)
def test_retry_writes_opts_in_to_sending_again(clock: FakeClock, failure: Any) -> None:
    rec = Recorder(failure, ACCEPTED)
    with client(rec, retry_writes=True) as c:
        assert post(c).status_code == 202
    assert rec.calls == 2
    assert json_of(rec.requests[0]) == json_of(rec.requests[1]) == BODY


def test_a_429_on_a_write_is_retried_after_its_retry_after(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "3"}), ACCEPTED)
    with client(rec) as c:
        assert post(c).status_code == 202
    assert rec.calls == 2
    assert clock.sleeps == [3.0]


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("no answer")]
)
def test_a_write_that_was_never_sent_is_retried(clock: FakeClock, failure: Exception) -> None:
    rec = Recorder(failure, ACCEPTED)
    with client(rec) as c:
        assert post(c).status_code == 202
    assert rec.calls == 2


def test_a_4xx_on_a_write_is_not_retried_and_says_nothing_was_stored(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(400, json={"errors": [{"title": "bad source"}]}))
    with client(rec, retry_writes=True) as c, pytest.raises(errors.BadRequestError) as info:
        post(c)
    assert rec.calls == 1
    assert STORED not in str(info.value)


def test_reads_are_retried_as_before(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(500), httpx.ReadTimeout("slow"), httpx.Response(200, json={}))
    with client(rec) as c:
        assert send(c, "GET", "/api/v2/users/1/profiles", decode=lambda r: r.json()) == {}
    assert rec.calls == 3


def test_the_primitive_sends_method_path_params_and_json(clock: FakeClock) -> None:
    rec = Recorder(ACCEPTED)
    with client(rec) as c:
        response = send(c, "POST", PATH, params={"a": "1"}, json=BODY, decode=lambda r: r)
    request = rec.last
    assert request.method == "POST"
    assert request.url.path == PATH and request.url.params["a"] == "1"
    assert json_of(request) == BODY
    assert request.headers["authorization"].startswith("Basic ")
    assert response.json()["status"] == "received"


def test_async_writes_follow_the_same_rule(clock: FakeClock) -> None:
    rec = Recorder(httpx.Response(503), ACCEPTED)

    async def send(**options: Any) -> httpx.Response:
        async with async_client(rec, **options) as c:
            return await async_send(c, "POST", PATH, json=BODY, decode=lambda r: r)

    with pytest.raises(errors.ServerError, match=STORED):
        asyncio.run(send())
    assert rec.calls == 1
    rec.answers = [httpx.Response(503), ACCEPTED]
    assert asyncio.run(send(retry_writes=True)).status_code == 202
    assert rec.calls == 3


# --- on the wire --------------------------------------------------------------------------


@pytest.fixture
def dropping_server() -> Iterator[tuple[str, list[bytes]]]:
    """Reads each request whole, then closes the connection without an answer."""
    sock = socket.create_server(("127.0.0.1", 0))
    sock.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                seen.append(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", seen
    stop.set()
    sock.close()
    thread.join(5)


def test_a_dropped_connection_after_a_write_is_not_retried(
    clock: FakeClock, dropping_server: tuple[str, list[bytes]]
) -> None:
    url, seen = dropping_server
    with (
        Client(base_url=url, email="a@b.test", api_token=API_TOKEN) as c,
        pytest.raises(errors.APIConnectionError, match=STORED) as info,
    ):
        post(c)
    assert info.value.sent
    assert len(seen) == 1 and seen[0].startswith(b"POST ")


def test_a_refused_connection_is_retried_for_a_write(clock: FakeClock) -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: every connection is refused
    with (
        Client(base_url=f"http://127.0.0.1:{port}", oauth_token="t0ken", max_retries=2) as c,
        pytest.raises(errors.APIConnectionError) as info,
    ):
        post(c)
    assert not info.value.sent
    assert STORED not in str(info.value)
    assert len(clock.sleeps) == 2  # two retries, then the error


# --- every retryable status and failure kind, for a write ---------------------------------

#: What shows that a write did not reach Zendesk: the only failures resent by default.
NOT_RECEIVED = [httpx.Response(429), httpx.ConnectError("refused"), httpx.PoolTimeout("full")]
#: Everything else that reads would retry: the write may have been stored.
MAY_HAVE_BEEN_STORED = [
    *(httpx.Response(status) for status in sorted(RETRYABLE_STATUSES - {429})),
    httpx.ReadTimeout("slow"),
    httpx.WriteTimeout("slow"),
    httpx.ReadError("reset"),
    httpx.RemoteProtocolError("dropped"),
    httpx.Response(202, content=b'{"profile_id": "01E1", "status'),  # cut short
    httpx.Response(202, content=b"<html>"),  # not JSON
]


def _name(failure: Any) -> str:
    return str(failure.status_code) if isinstance(failure, httpx.Response) else repr(failure)


@pytest.mark.parametrize("failure", MAY_HAVE_BEEN_STORED, ids=_name)
def test_a_write_that_may_have_been_stored_is_sent_once_unless_retry_writes(
    clock: FakeClock, failure: Any
) -> None:
    rec = Recorder(failure, ACCEPTED)
    with client(rec) as c, pytest.raises(errors.ZendeskError, match=STORED):
        c.track({"source": "shop", "type": "bought"}, profile_id="01E1")
    assert rec.calls == 1
    rec.answers = [failure, ACCEPTED]
    with client(rec, retry_writes=True) as c:
        c.track({"source": "shop", "type": "bought"}, profile_id="01E1")
    assert rec.calls == 3

    async def async_track() -> None:
        async with async_client(rec) as c:
            await c.track({"source": "shop", "type": "bought"}, profile_id="01E1")

    rec.answers = [failure, ACCEPTED]
    with pytest.raises(errors.ZendeskError, match=STORED):
        asyncio.run(async_track())
    assert rec.calls == 4


@pytest.mark.parametrize("failure", NOT_RECEIVED, ids=_name)
def test_a_write_that_did_not_reach_zendesk_is_sent_again(clock: FakeClock, failure: Any) -> None:
    rec = Recorder(failure, ACCEPTED)
    with client(rec) as c:
        assert c.track({"source": "shop", "type": "bought"}, profile_id="01E1").user_id == "7"
    assert rec.calls == 2


def _errors_of_every_kind() -> list[errors.ZendeskError]:
    made: list[errors.ZendeskError] = [
        errors.APIError("x", status_code=status) for status in (301, 400, 404, 408, 409, 429)
    ]
    made += [errors.ServerError("x", status_code=status) for status in (500, 501, 503, 520)]
    made += [errors.APIConnectionError("x", sent=sent) for sent in (True, False)]
    made += [errors.APITimeoutError("x", sent=sent) for sent in (True, False)]
    made += [errors.BadResponseError("x", kind=kind) for kind in errors.BadResponseError.KINDS]
    return made


@pytest.mark.parametrize("error", _errors_of_every_kind(), ids=repr)
def test_the_command_counts_as_possibly_stored_what_the_library_says_may_have_been(
    error: errors.ZendeskError,
) -> None:
    # zdevents track has its own copy of the rule (it uses the public API only): the same.
    from zdevents._failures import may_have_been_processed, provably_not_received
    from zdevents.cli._track import possibly_stored

    assert possibly_stored(error) == may_have_been_processed(error)
    # What may have been stored is never what provably did not arrive.
    assert not (may_have_been_processed(error) and provably_not_received(error))
