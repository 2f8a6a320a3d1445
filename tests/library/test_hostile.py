"""Hostile servers on loopback: nothing hangs, nothing grows without bound, no proxy on
loopback.

Each server is a real socket in a thread, bounded in what it sends, so that a client that
does not defend itself fails the test (a byte count or a memory peak, never a duration)
instead of hanging it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import importlib.util
import socket
import ssl
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, NamedTuple

import httpx
import pytest

from tests._mock import (
    FakeClock,
    Recorder,
    async_client,
    async_send,
    client,
    send,
    slow_transport_clock,
)
from zdevents import AsyncClient, Client, _constants, errors, is_transient

TOKEN = "hostile-oauth-token-Zq81"
PAGE = b'{"events": [], "meta": {"has_more": false}}'
#: An HTTP answer with PAGE.
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(PAGE), PAGE)


class Server:
    """Accepts connections and hands each to ``handle(conn, counter)`` in a thread;
    ``sent`` counts the body bytes the handlers managed to send. With ``tls``, it speaks
    HTTPS; each connection is dropped after ``patience`` seconds without a byte from the
    client."""

    def __init__(
        self,
        handle: Callable[[socket.socket, Server], None],
        tls: ssl.SSLContext | None = None,
        patience: float = 10,
    ) -> None:
        self.handle = handle
        self.tls = tls
        self.patience = patience
        self.sent = 0
        self.connections = 0
        self.requests: list[bytes] = []
        self._lock = threading.Lock()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(self.patience)
            try:
                if self.tls is not None:
                    conn = self.tls.wrap_socket(conn, server_side=True)
                self.requests.append(read_request(conn))
                self.handle(conn, self)
            except OSError:
                pass  # the client hung up: what the tests want

    def count(self, n: int) -> None:
        with self._lock:
            self.sent += n

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # ends a waiting accept at once
        self.sock.close()
        self._thread.join(5)


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(
        handle: Callable[[socket.socket, Server], None],
        tls: ssl.SSLContext | None = None,
        patience: float = 10,
    ) -> Server:
        servers.append(Server(handle, tls, patience))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def trickle_body(conn: socket.socket, server: Server) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 256\r\n\r\n"
    )
    for _ in range(256):
        conn.sendall(b" ")
        server.count(1)
        if server._stop.wait(0.25):
            return


def trickle_headers(conn: socket.socket, server: Server) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    for _ in range(256):
        conn.sendall(b"X")
        server.count(1)
        if server._stop.wait(0.25):
            return


def slow_trickle(conn: socket.socket, server: Server) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 256\r\n\r\n"
    )
    for _ in range(256):
        conn.sendall(b" ")
        server.count(1)
        if server._stop.wait(29):  # one byte every 29 s; the fixture's close ends it
            return


@pytest.mark.parametrize("handler", [trickle_body, trickle_headers, slow_trickle])
def test_timeout_bounds_the_whole_response_not_each_read(
    serve: Callable[..., Server], handler: Callable[[socket.socket, Server], None]
) -> None:
    server = serve(handler)
    with (
        Client(base_url=server.url, oauth_token=TOKEN, timeout=1, max_retries=0) as c,
        pytest.raises(errors.APITimeoutError),
    ):
        list(c.events(user_id=1))
    # Per read, the client would take all 256 bytes (64 s); bounded, about 4 of them.
    assert server.sent < 64


@pytest.mark.parametrize("handler", [trickle_body, trickle_headers])
def test_async_timeout_bounds_the_whole_response(
    serve: Callable[..., Server], handler: Callable[[socket.socket, Server], None]
) -> None:
    server = serve(handler)

    async def main() -> None:
        async with AsyncClient(
            base_url=server.url, oauth_token=TOKEN, timeout=1, max_retries=0
        ) as c:
            async for _ in c.events(user_id=1):
                pass

    with pytest.raises(errors.APITimeoutError):
        asyncio.run(main())
    assert server.sent < 64


def _late_body(conn: socket.socket, server: Server) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(PAGE))
    if not server._stop.wait(1):  # a second of silence, then the page
        conn.sendall(PAGE)


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_read_timeout_shorter_than_the_whole_bounds_each_read(
    serve: Callable[..., Server], cls: type[Any]
) -> None:
    server = serve(_late_body)
    timeout = httpx.Timeout(30, read=0.1)
    with pytest.raises(errors.APITimeoutError, match="ReadTimeout") as info:
        _events(cls, base_url=server.url, oauth_token=TOKEN, timeout=timeout, max_retries=0)
    assert info.value.sent


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_whichever_step_finds_the_time_up_the_call_is_a_timeout(
    serve: Callable[..., Server],
    tls: Tls,
    monkeypatch: pytest.MonkeyPatch,
    cls: type[Any],
) -> None:
    # Each step of an HTTPS exchange (connect, TLS handshake, writes, reads) checks what is
    # left of the response's time before it waits. On a clock where each check comes 100 s
    # after the one before, a timeout of 100*k s is used up exactly at the k-th check, and
    # one of 100*k - 99.5 s leaves half a second to the check before it: that step is still
    # taken, and the k-th ends the call with a timeout, and nothing else.
    server = serve(_answer, tls.server)
    # connect, handshake, three writes, the first read (httpcore 1.0), the check after its chunk
    for step in range(1, 8):
        for timeout in (100 * step, 100 * step - 99.5):
            slow_transport_clock(monkeypatch, 100)
            with pytest.raises(errors.APITimeoutError) as info:
                _events(cls, base_url=server.url, oauth_token=TOKEN, verify=tls.client,
                        timeout=timeout, max_retries=0)  # fmt: skip
            # Only a timeout while connecting (TCP or TLS) says the request was not sent.
            assert info.value.sent == (step > 2), (step, timeout)


def _never_reads(conn: socket.socket, server: Server) -> None:
    server._stop.wait(1)  # holds the connection a second, reading nothing, then hangs up


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_write_timeout_shorter_than_the_whole_bounds_each_write(
    serve: Callable[..., Server], cls: type[Any]
) -> None:
    # A body far larger than the sockets' buffers, to a server that reads none of it.
    server = serve(_never_reads)
    body = {"blob": "x" * (32 * 1024 * 1024)}
    timeout = httpx.Timeout(30, write=0.1)
    c = cls(base_url=server.url, oauth_token=TOKEN, max_retries=0, timeout=timeout)

    async def send_async() -> None:
        async with c:
            await async_send(c, "PUT", "/api/v2/blob", json=body, decode=lambda a: a)

    with pytest.raises(errors.APITimeoutError, match="WriteTimeout") as info:
        if cls is AsyncClient:
            asyncio.run(send_async())
        else:
            with c:
                send(c, "PUT", "/api/v2/blob", json=body, decode=lambda a: a)
    assert info.value.sent


def test_retry_budget_bounds_the_whole_call(serve: Callable[..., Server]) -> None:
    server = serve(trickle_body)
    c = Client(base_url=server.url, oauth_token=TOKEN, timeout=30, max_retries=5, retry_budget=1)
    with c, pytest.raises(errors.APITimeoutError):
        list(c.events(user_id=1))
    # The attempt got what was left of the budget, and no retry fit in after it.
    assert server.connections == 1
    assert server.sent < 64


def endless_chunks(conn: socket.socket, server: Server) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    conn.sendall(b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"[" * 0 + b" " * 65536
    frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    for _ in range(1024):  # 64 MiB at most: a bound for the test, not for the client
        conn.sendall(frame)
        server.count(len(chunk))


def test_an_endless_chunked_page_is_a_bad_response_in_bounded_memory(
    serve: Callable[..., Server],
) -> None:
    server = serve(endless_chunks)
    limit = 1024 * 1024
    with (
        Client(base_url=server.url, oauth_token=TOKEN, max_body_size=limit, max_retries=3) as c,
        pytest.raises(errors.BadResponseError, match="max_body_size") as info,
    ):
        list(c.events(user_id=1))
    assert info.value.kind == "too_large"
    assert not is_transient(info.value)
    assert server.connections == 1  # not retried
    assert server.sent < 16 * limit


def _deflate(data: bytes, wbits: int = zlib.MAX_WBITS) -> bytes:
    """``data`` deflated: zlib-wrapped (RFC 9110), or raw with negative ``wbits``."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def _raw_deflate(data: bytes) -> bytes:
    return _deflate(data, -zlib.MAX_WBITS)


@pytest.mark.parametrize(
    ("encoding", "packs"),
    [
        ("gzip", [gzip.compress]),
        ("gzip, gzip, gzip", [gzip.compress] * 3),
        ("deflate", [_deflate]),
        ("deflate", [_raw_deflate]),
    ],
    ids=["gzip", "gzip-3-layers", "deflate", "raw-deflate"],
)
def test_a_compression_bomb_is_a_bad_response_in_bounded_memory(
    serve: Callable[..., Server], encoding: str, packs: list[Callable[[bytes], bytes]]
) -> None:
    body = b"\0" * 64 * 1024 * 1024
    for pack in packs:
        body = pack(body)
    assert len(body) < 1024 * 1024

    def bomb(conn: socket.socket, server: Server) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {encoding}\r\nContent-Length: {len(body)}"
        conn.sendall(head.encode() + b"\r\n\r\n" + body)

    server = serve(bomb)
    limit = 1024 * 1024
    tracemalloc.start()
    try:
        with (
            Client(base_url=server.url, oauth_token=TOKEN, max_body_size=limit) as c,
            pytest.raises(errors.BadResponseError, match="max_body_size"),
        ):
            list(c.events(user_id=1))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 64 MiB inflated (per layer) without the bound; a few times the limit with it.
    assert peak < 16 * limit
    assert server.connections == 1


@pytest.mark.parametrize("encoding", ["identity", "gzip", "deflate"])
def test_a_page_of_exactly_max_body_size_is_taken_and_one_byte_more_is_not(
    serve: Callable[..., Server], encoding: str
) -> None:
    limit = 1024  # the smallest max_body_size; trailing spaces keep the page valid JSON
    exact = PAGE + b" " * (limit - len(PAGE))
    pack = {"identity": bytes, "gzip": gzip.compress, "deflate": _deflate}[encoding]
    answers = [pack(exact), pack(exact + b" ")]

    def page(conn: socket.socket, server: Server) -> None:
        body = answers.pop(0)
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {encoding}\r\nContent-Length: {len(body)}"
        conn.sendall(head.encode() + b"\r\nConnection: close\r\n\r\n" + body)

    server = serve(page)
    with Client(base_url=server.url, oauth_token=TOKEN, max_body_size=limit, max_retries=0) as c:
        assert list(c.events(user_id=1)) == []
        with pytest.raises(errors.BadResponseError, match="max_body_size"):
            list(c.events(user_id=1))


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_compressed_page_is_decoded(serve: Callable[..., Server], cls: type[Any]) -> None:
    body = gzip.compress(gzip.compress(PAGE))

    def page(conn: socket.socket, server: Server) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip\r\nContent-Length: {len(body)}"
        conn.sendall(head.encode() + b"\r\n\r\n" + body)

    server = serve(page)
    assert _events(cls, base_url=server.url, oauth_token=TOKEN) == []
    assert b"accept-encoding: gzip, deflate" in server.requests[0].lower()


def _first_page(server: Server) -> Any:
    with Client(base_url=server.url, oauth_token=TOKEN, max_retries=0) as c:
        return next(c.events(user_id=1).pages())


def test_a_decoded_page_does_not_show_the_framing_it_came_in(serve: Callable[..., Server]) -> None:
    # Once the body is decoded, the headers that described its wire form no longer hold:
    # a page shows its other headers, not those.
    def gzipped_until_close(conn: socket.socket, server: Server) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nX-Request-Id: r1\r\n"
        conn.sendall(head + b"Connection: close\r\n\r\n" + gzip.compress(PAGE))

    def chunked(conn: socket.socket, server: Server) -> None:
        head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Request-Id: r2\r\n\r\n"
        conn.sendall(head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(PAGE), PAGE))

    for handler, request_id in ((gzipped_until_close, "r1"), (chunked, "r2")):
        headers = _first_page(serve(handler)).headers
        assert headers.get("x-request-id") == request_id
        assert not {"content-encoding", "transfer-encoding", "content-length"} & set(headers)
    assert _first_page(serve(_answer)).headers["content-length"] == str(len(PAGE))


def test_a_content_length_that_is_not_the_bodys_is_not_shown() -> None:
    # A pool passed in may hand over a body already read, its Content-Length another's.
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=PAGE, headers={"Content-Length": "999"})

    with client(answer) as c:
        assert "content-length" not in next(c.events(user_id=1).pages()).headers


def test_an_unknown_content_encoding_is_a_bad_response_naming_it_in_40_characters(
    serve: Callable[..., Server],
) -> None:
    name = "br" + "x" * 60

    def page(conn: socket.socket, server: Server) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {name}\r\nContent-Length: 4\r\n\r\n"
        conn.sendall(head.encode() + b"abcd")

    server = serve(page)
    with (
        Client(base_url=server.url, oauth_token=TOKEN, max_retries=0) as c,
        pytest.raises(errors.BadResponseError) as info,
    ):
        list(c.events(user_id=1))
    assert str(info.value) == f"{WHAT}: unsupported Content-Encoding {name[:40]!r}"
    assert info.value.kind == "undecodable"


def test_content_encodings_are_read_in_any_case_spacing_and_alias(
    serve: Callable[..., Server],
) -> None:
    # Encodings are listed in the order they were applied, and undone last to first;
    # identity is no encoding; bytes after the end of a gzip stream are ignored.
    cases = [
        ("GZIP", gzip.compress(PAGE)),
        ("x-gzip", gzip.compress(PAGE)),
        ("identity", PAGE),
        (" Gzip ,, identity ,  deflate ", _deflate(gzip.compress(PAGE))),
        ("gzip", gzip.compress(PAGE) + b"trailing bytes"),
    ]
    answers = list(cases)

    def page(conn: socket.socket, server: Server) -> None:
        encoding, body = answers.pop(0)
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {encoding}\r\nContent-Length: {len(body)}"
        conn.sendall(head.encode() + b"\r\nConnection: close\r\n\r\n" + body)

    server = serve(page)
    with Client(base_url=server.url, oauth_token=TOKEN, max_retries=0) as c:
        for encoding, _ in cases:
            assert list(c.events(user_id=1)) == [], encoding


def test_async_body_limit(serve: Callable[..., Server]) -> None:
    server = serve(endless_chunks)

    async def main() -> None:
        async with AsyncClient(
            base_url=server.url, oauth_token=TOKEN, max_body_size=1024 * 1024
        ) as c:
            async for _ in c.events(user_id=1):
                pass

    with pytest.raises(errors.BadResponseError, match="max_body_size"):
        asyncio.run(main())
    assert server.connections == 1


def test_max_body_size_is_checked() -> None:
    with pytest.raises(ValueError, match="max_body_size"):
        Client(subdomain="coolbikes", oauth_token=TOKEN, max_body_size=10)
    with pytest.raises(TypeError, match="max_body_size"):
        Client(subdomain="coolbikes", oauth_token=TOKEN, max_body_size=1.5)  # type: ignore[arg-type]


# --- TLS ---------------------------------------------------------------------------------


class Tls(NamedTuple):
    """Servers' TLS contexts from one throwaway CA, and a client's that trusts that CA."""

    server: ssl.SSLContext  # a certificate for 127.0.0.1
    impostor: ssl.SSLContext  # a certificate for another name
    client: ssl.SSLContext


@pytest.fixture(scope="module")
def tls() -> Tls:
    import trustme

    ca = trustme.CA()
    servers = []
    for name in ("127.0.0.1", "elsewhere.example"):
        servers.append(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
        ca.issue_cert(name).configure_cert(servers[-1])
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # checks the name and the chain
    ca.configure_trust(client)
    return Tls(*servers, client)


def _events(cls: type[Client | AsyncClient], **options: Any) -> list[Any]:
    """The events of user 1 through a new client of ``cls``."""
    if cls is Client:
        with Client(**options) as c:
            return list(c.events(user_id=1))

    async def main() -> list[Any]:
        async with AsyncClient(**options) as c:
            return [e async for e in c.events(user_id=1)]

    return asyncio.run(main())


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_page_comes_over_tls_from_a_server_the_given_context_trusts(
    serve: Callable[..., Server], tls: Tls, cls: type[Any]
) -> None:
    server = serve(_answer, tls.server)
    assert _events(cls, base_url=server.url, oauth_token=TOKEN, verify=tls.client) == []
    assert server.requests[0].startswith(b"GET /api/v2/")


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_verify_false_takes_a_page_from_a_server_nobody_trusts(
    serve: Callable[..., Server], tls: Tls, cls: type[Any]
) -> None:
    server = serve(_answer, tls.impostor)  # an unknown CA, and another name
    assert _events(cls, base_url=server.url, oauth_token=TOKEN, verify=False) == []


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_certificate_for_another_name_is_refused_though_its_ca_is_trusted(
    serve: Callable[..., Server], tls: Tls, cls: type[Any]
) -> None:
    server = serve(_answer, tls.impostor)
    with pytest.raises(errors.APIConnectionError, match=r"(?i)certificate|hostname") as info:
        _events(cls, base_url=server.url, oauth_token=TOKEN, verify=tls.client, max_retries=0)
    assert not info.value.sent
    assert server.requests == []


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_tls_handshake_that_never_ends_is_a_connect_timeout(
    serve: Callable[..., Server], tls: Tls, cls: type[Any]
) -> None:
    # The server takes the connection and says nothing (it hangs up after a second): the
    # handshake is bounded by the connect timeout, not only by the whole response's.
    server = serve(_answer, patience=1)
    url = server.url.replace("http:", "https:")
    timeout = httpx.Timeout(30, connect=0.1)
    with pytest.raises(errors.APITimeoutError) as info:
        _events(
            cls, base_url=url, oauth_token=TOKEN, verify=tls.client, timeout=timeout, max_retries=0
        )
    assert not info.value.sent


# --- connections ---------------------------------------------------------------------------


def _keep_alive(conn: socket.socket, server: Server) -> None:
    # Answers every request on the connection, as a server that keeps connections alive.
    while True:
        conn.sendall(ANSWER)
        request = read_request(conn)
        if not request:
            return
        server.requests.append(request)


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_one_clients_requests_in_turn_share_one_connection(
    serve: Callable[..., Server], cls: type[Any]
) -> None:
    server = serve(_keep_alive)

    async def three_async() -> None:
        async with AsyncClient(base_url=server.url, oauth_token=TOKEN) as c:
            for _ in range(3):
                assert [e async for e in c.events(user_id=1)] == []

    if cls is AsyncClient:
        asyncio.run(three_async())
    else:
        with Client(base_url=server.url, oauth_token=TOKEN) as c:
            for _ in range(3):
                assert list(c.events(user_id=1)) == []
    assert len(server.requests) == 3
    assert server.connections == 1


def test_an_async_client_runs_up_to_its_connection_limit_at_once_and_keeps_its_keepalive_limit(
    serve: Callable[..., Server],
) -> None:
    # The pool's limits are not public (zdevents.limits): they are read where they are set.
    # One more task than the limit: the server holds every answer until the limit of
    # requests is in at once (or two seconds passed) and a tenth of a second more, then
    # answers each and waits for more.
    lock, all_in = threading.Lock(), threading.Event()
    in_flight, most, dropped = 0, 0, 0

    def hold_then_answer(conn: socket.socket, server: Server) -> None:
        nonlocal in_flight, most, dropped
        while True:
            with lock:
                in_flight += 1
                most = max(most, in_flight)
                if in_flight >= _constants.MAX_CONNECTIONS:
                    all_in.set()
            if all_in.wait(2):
                server._stop.wait(0.1)  # time for one more, if the client lets one more in
            conn.sendall(ANSWER)
            with lock:
                in_flight -= 1
            if not read_request(conn):
                with lock:
                    dropped += 1  # the client closed it while it was idle
                return

    server = serve(hold_then_answer)

    async def main() -> None:
        async with AsyncClient(base_url=server.url, oauth_token=TOKEN, max_retries=0) as c:

            async def read() -> None:
                assert [e async for e in c.events(user_id=1)] == []

            await asyncio.gather(*(read() for _ in range(_constants.MAX_CONNECTIONS + 1)))
            for _ in range(200):  # until the server has seen the idle ones past the limit go
                if server.connections - dropped <= _constants.MAX_KEEPALIVE_CONNECTIONS:
                    break
                await asyncio.sleep(0.01)
            assert server.connections - dropped == _constants.MAX_KEEPALIVE_CONNECTIONS

    asyncio.run(main())
    assert most == _constants.MAX_CONNECTIONS


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_the_client_connects_to_the_host_of_its_base_url(cls: type[Any]) -> None:
    # 127.0.0.2 is loopback too, but not the address a missing host falls back to.
    with socket.create_server(("127.0.0.2", 0)) as listener:
        listener.settimeout(5)
        answered = threading.Thread(target=lambda: _answer_one(listener), daemon=True)
        answered.start()
        url = f"http://127.0.0.2:{listener.getsockname()[1]}"
        assert _events(cls, base_url=url, oauth_token=TOKEN, max_retries=0) == []
        answered.join(5)


def _answer_one(listener: socket.socket) -> None:
    conn, _ = listener.accept()
    with conn:
        read_request(conn)
        conn.sendall(ANSWER)


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_kept_connection_the_server_closed_is_not_used_again(
    serve: Callable[..., Server], cls: type[Any]
) -> None:
    # The server answers without `Connection: close` and then hangs up: the next request
    # goes on a new connection (a send on the closed one would fail, and is not retried).
    closed = threading.Event()

    def answer_then_hang_up(conn: socket.socket, server: Server) -> None:
        _answer(conn, server)
        conn.shutdown(socket.SHUT_RDWR)
        closed.set()

    server = serve(answer_then_hang_up)

    async def two_async() -> None:
        async with AsyncClient(base_url=server.url, oauth_token=TOKEN, max_retries=0) as c:
            assert [e async for e in c.events(user_id=1)] == []
            assert closed.wait(5)
            assert [e async for e in c.events(user_id=1)] == []

    if cls is AsyncClient:
        asyncio.run(two_async())
    else:
        with Client(base_url=server.url, oauth_token=TOKEN, max_retries=0) as c:
            assert list(c.events(user_id=1)) == []
            assert closed.wait(5)
            assert list(c.events(user_id=1)) == []
    assert server.connections == 2


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_connection_the_server_does_not_accept_in_time_is_a_connect_timeout(
    cls: type[Any],
) -> None:
    # A listener whose backlog is full: the kernel drops the client's SYN, and the connect
    # waits. After a second the server starts accepting (and answering): a client that
    # waited past its connect timeout would get the page.
    listener = socket.create_server(("127.0.0.1", 0), backlog=0)
    filler = socket.create_connection(listener.getsockname())
    stop = threading.Event()

    def accept_late() -> None:
        if stop.wait(1):
            return
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                if read_request(conn):
                    conn.sendall(ANSWER)

    thread = threading.Thread(target=accept_late, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        with pytest.raises(errors.APITimeoutError) as info:
            _events(cls, base_url=url, oauth_token=TOKEN, max_retries=0,
                    timeout=httpx.Timeout(30, connect=0.1))  # fmt: skip
        assert not info.value.sent
    finally:
        stop.set()
        thread.join(5)
        filler.close()
        listener.close()


# --- what each failure says ------------------------------------------------------------------

WHAT = "GET /api/v2/users/1/events"


def _cut_short(status: bytes) -> Callable[[socket.socket, Server], None]:
    def answer(conn: socket.socket, server: Server) -> None:
        conn.sendall(b'HTTP/1.1 %s\r\nContent-Length: 100\r\n\r\n{"events": [' % status)

    return answer


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (b"200 OK", errors.BadResponseError, "the 200 response body was cut short"),
        (b"503 Service Unavailable", errors.APIConnectionError, "failed: RemoteProtocolError"),
    ],
    ids=["page-truncated", "error-answer-a-connection-error"],
)
@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_an_answer_cut_short_says_so_naming_the_request(
    serve: Callable[..., Server], cls: type[Any], status: bytes, error: type[Any], message: str
) -> None:
    server = serve(_cut_short(status))
    with pytest.raises(errors.ZendeskError) as info:
        _events(cls, base_url=server.url, oauth_token=TOKEN, max_retries=0)
    assert type(info.value) is error
    assert str(info.value).startswith(f"{WHAT}{':' if status == b'200 OK' else ''} {message}")
    assert is_transient(info.value)  # both may come right on another try


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_refused_connection_is_a_connection_error_naming_the_request(cls: type[Any]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    with pytest.raises(errors.APIConnectionError) as info:
        _events(cls, base_url=url, oauth_token=TOKEN, max_retries=0)
    assert str(info.value).startswith(f"{WHAT} failed: ConnectError: ")
    assert not info.value.sent


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_page_over_the_limit_says_which_request_status_and_limit(
    serve: Callable[..., Server], cls: type[Any]
) -> None:
    server = serve(endless_chunks)
    with pytest.raises(errors.BadResponseError) as info:
        _events(cls, base_url=server.url, oauth_token=TOKEN, max_body_size=1024 * 1024)
    assert str(info.value) == (
        f"{WHAT}: the 200 response body is over max_body_size (1048576 bytes)"
    )


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_an_error_answer_in_an_unknown_encoding_keeps_its_status_and_reason_not_its_body(
    serve: Callable[..., Server], cls: type[Any]
) -> None:
    def answer(conn: socket.socket, server: Server) -> None:
        conn.sendall(
            b"HTTP/1.1 503 Slow Down\r\nContent-Encoding: br\r\nContent-Length: 4\r\n\r\nabcd"
        )

    server = serve(answer)
    with pytest.raises(errors.APIError) as info:
        _events(cls, base_url=server.url, oauth_token=TOKEN, max_retries=0)
    assert str(info.value) == "HTTP 503 Slow Down: no details in the response"


# --- a pool passed in ------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_huge_page_through_a_passed_http_client_is_read_only_up_to_the_limit(
    cls: type[Any],
) -> None:
    sent = 0
    chunk = b" " * 65536

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(128):  # 8 MiB at most: a bound for the test, not for the client
            sent += len(chunk)
            yield chunk

    async def async_chunks() -> AsyncIterator[bytes]:
        for piece in chunks():
            yield piece

    def huge(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks() if cls is Client else async_chunks())

    limit = 1024 * 1024
    with pytest.raises(errors.BadResponseError, match="max_body_size") as info:
        if cls is Client:
            with client(huge, max_body_size=limit) as c:
                list(c.events(user_id=1))
        else:

            async def main() -> None:
                async with async_client(huge, max_body_size=limit) as c:
                    async for _ in c.events(user_id=1):
                        pass

            asyncio.run(main())
    assert info.value.kind == "too_large"
    assert sent <= 2 * limit  # read as it came, and no further than the limit


def test_an_async_timeout_bounds_the_whole_response_of_a_passed_http_client() -> None:
    # httpx's mock transport honours no timeout: only the client's own bound can end this.
    async def late(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(1)
        return httpx.Response(200, content=PAGE)

    async def main() -> None:
        async with async_client(late, timeout=0.05, max_retries=0) as c:
            async for _ in c.events(user_id=1):
                pass

    with pytest.raises(errors.APITimeoutError, match="the whole response"):
        asyncio.run(main())


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_client_closed_while_it_waits_to_retry_says_so(
    serve: Callable[..., Server], cls: type[Any]
) -> None:
    def unavailable(conn: socket.socket, server: Server) -> None:
        conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")

    server = serve(unavailable)
    options: dict[str, Any] = {"base_url": server.url, "oauth_token": TOKEN, "max_retries": 5}
    options["backoff_base"] = 0.05

    async def read_async() -> None:
        c = AsyncClient(**options)

        async def close_once_asked() -> None:
            while not server.requests:
                await asyncio.sleep(0.001)
            await c.close()

        async def read() -> None:
            async for _ in c.events(user_id=1):
                pass

        await asyncio.gather(read(), close_once_asked())

    def read_sync() -> None:
        c = Client(**options)

        def close_once_asked() -> None:
            while not server.requests:
                time.sleep(0.001)
            c.close()

        closer = threading.Thread(target=close_once_asked, daemon=True)
        closer.start()
        try:
            list(c.events(user_id=1))
        finally:
            closer.join(5)

    name = cls.__name__
    with pytest.raises(errors.ClientClosedError, match=rf"^this {name} is closed: make a new"):
        asyncio.run(read_async()) if cls is AsyncClient else read_sync()


# --- overflow ----------------------------------------------------------------------------


def test_a_huge_timeout_works() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, content=PAGE)

    with client(Recorder(handler), timeout=1e10) as c:
        assert list(c.events(user_id=1)) == []
    assert all(0 < value <= 30 * 86400 for value in seen[0].values())


def test_a_huge_timeout_works_on_the_wire(serve: Callable[..., Server]) -> None:
    server = serve(_answer)
    with Client(base_url=server.url, oauth_token=TOKEN, timeout=1e10) as c:
        assert list(c.events(user_id=1)) == []


def test_an_endless_retry_after_under_an_endless_cap_gives_a_finite_wait(
    clock: FakeClock,
) -> None:
    rec = Recorder(
        httpx.Response(429, headers={"Retry-After": "1e300"}), {"events": [], "links": []}
    )
    with client(rec, max_retry_after=float("inf")) as c:
        assert list(c.events(user_id=1)) == []
    assert clock.sleeps and all(0 < s <= 30 * 86400 for s in clock.sleeps)


@pytest.mark.parametrize("bad", [-1, 0, float("nan"), -0.5])
def test_a_timeout_that_is_not_positive_is_a_value_error(bad: float) -> None:
    with pytest.raises(ValueError, match="timeout"):
        Client(subdomain="coolbikes", oauth_token=TOKEN, timeout=bad)
    with pytest.raises(ValueError, match="timeout"):
        Client(subdomain="coolbikes", oauth_token=TOKEN, timeout=httpx.Timeout(5, read=bad))


def test_a_timeout_that_is_not_a_number_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="timeout"):
        Client(subdomain="coolbikes", oauth_token=TOKEN, timeout="5")  # type: ignore[arg-type]


# --- proxies -----------------------------------------------------------------------------


def _answer(conn: socket.socket, server: Server) -> None:
    conn.sendall(ANSWER)


def _refuse(conn: socket.socket, server: Server) -> None:
    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_a_loopback_base_url_never_goes_through_a_proxy(
    serve: Callable[..., Server], monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    target, proxy = serve(_answer), serve(_refuse)
    monkeypatch.setenv(variable, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with Client(base_url=target.url, oauth_token=TOKEN) as c:
        assert list(c.events(user_id=1)) == []

    async def main() -> None:
        async with AsyncClient(base_url=target.url, oauth_token=TOKEN) as c:
            assert [e async for e in c.events(user_id=1)] == []

    asyncio.run(main())
    assert len(target.requests) == 2
    assert proxy.connections == 0
    assert all(TOKEN.encode() not in r for r in proxy.requests)


# An address of TEST-NET-1 (RFC 5737): never routed, so nothing leaves the machine.
_REMOTE = "https://192.0.2.1"


def _only_proxy_variables(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    for name in ("HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        for spelling in (name, name.lower()):
            monkeypatch.delenv(spelling, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "ALL_PROXY"])
@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_https_keeps_the_environment_proxy(
    serve: Callable[..., Server], monkeypatch: pytest.MonkeyPatch, cls: type[Any], variable: str
) -> None:
    proxy = serve(_refuse)
    _only_proxy_variables(monkeypatch, **{variable: proxy.url})
    with pytest.raises(errors.APIConnectionError):
        _events(cls, base_url=_REMOTE, oauth_token=TOKEN, max_retries=0, timeout=5)
    assert proxy.requests and proxy.requests[0].startswith(b"CONNECT 192.0.2.1:443")
    # A tunnel: the proxy never sees the Authorization header.
    assert TOKEN.encode() not in proxy.requests[0]


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_proxy_over_tls_with_credentials_is_asked_for_the_tunnel(
    serve: Callable[..., Server], monkeypatch: pytest.MonkeyPatch, tls: Tls, cls: type[Any]
) -> None:
    # HTTPS to the proxy itself (verified with the client's `verify`), its credentials in
    # Proxy-Authorization; the tunnel is refused here, which ends the call.
    proxy = serve(_refuse, tls.server)
    _only_proxy_variables(monkeypatch, HTTPS_PROXY=proxy.url.replace("://", "://pxuser:pxpass@"))
    with pytest.raises(errors.APIConnectionError) as info:
        _events(cls, base_url=_REMOTE, oauth_token=TOKEN, max_retries=0, verify=tls.client)
    assert not info.value.sent
    [request] = proxy.requests
    assert request.startswith(b"CONNECT 192.0.2.1:443 ")
    fields = [line.split(b":", 1) for line in request.split(b"\r\n")[1:] if b":" in line]
    headers = {name.strip().lower(): value.strip() for name, value in fields}
    assert headers[b"proxy-authorization"] == b"Basic " + base64.b64encode(b"pxuser:pxpass")
    assert TOKEN.encode() not in request


def test_no_proxy_naming_the_host_bypasses_the_environment_proxy(
    serve: Callable[..., Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = serve(_refuse)
    _only_proxy_variables(monkeypatch, HTTPS_PROXY=proxy.url, NO_PROXY="192.0.2.1")
    timeout = httpx.Timeout(5, connect=0.1)  # straight to TEST-NET-1: nothing answers
    with (
        Client(base_url=_REMOTE, oauth_token=TOKEN, max_retries=0, timeout=timeout) as c,
        pytest.raises(errors.APIConnectionError),
    ):
        list(c.events(user_id=1))
    assert proxy.connections == 0


def test_trust_env_false_ignores_the_environment_proxy(
    serve: Callable[..., Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = serve(_refuse)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    with (
        Client(base_url=_REMOTE, oauth_token=TOKEN, max_retries=0, timeout=1, trust_env=False) as c,
        pytest.raises(errors.APIConnectionError),
    ):
        list(c.events(user_id=1))
    assert proxy.connections == 0


@pytest.mark.parametrize(
    ("proxy", "message"),
    [
        (
            "socks5://user:hunter2@127.0.0.1:1080",
            "the environment's proxy needs an extra package (pip install 'httpx[socks]'), "
            "or pass trust_env=False",
        ),
        (
            "socks5h://user:hunter2@127.0.0.1:1080",
            "the environment's proxy needs an extra package (pip install 'httpx[socks]'), "
            "or pass trust_env=False",
        ),
        (
            "ftp://user:hunter2@x",
            "the environment's proxy (HTTPS_PROXY/ALL_PROXY) is not a valid proxy URL; fix it, "
            "or pass trust_env=False",
        ),
    ],
    ids=["socks5-without-socksio", "socks5h-without-socksio", "not-a-proxy-url"],
)
def test_an_unusable_environment_proxy_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, proxy: str, message: str
) -> None:
    _only_proxy_variables(monkeypatch, HTTPS_PROXY=proxy)
    if proxy.startswith("socks5") and importlib.util.find_spec("socksio") is not None:
        Client(subdomain="coolbikes", oauth_token=TOKEN).close()  # a usable SOCKS proxy
    monkeypatch.setitem(sys.modules, "socksio", None)  # as if not installed: import fails
    with pytest.raises(errors.ConfigurationError) as info:
        Client(subdomain="coolbikes", oauth_token=TOKEN)
    assert str(info.value) == message  # the URL, which holds a password, is not quoted
    with Client(subdomain="coolbikes", oauth_token=TOKEN, trust_env=False):
        pass


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_a_deflated_page_is_decoded_wrapped_or_raw(
    serve: Callable[..., Server], wbits: int
) -> None:
    body = _deflate(PAGE, wbits)

    def page(conn: socket.socket, server: Server) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: {len(body)}"
        conn.sendall(head.encode() + b"\r\n\r\n" + body)

    server = serve(page)
    with Client(base_url=server.url, oauth_token=TOKEN) as c:
        assert list(c.events(user_id=1)) == []


def test_a_deflated_page_broken_after_its_start_is_undecodable() -> None:
    # A zlib-wrapped page whose checksum, in the second chunk, is wrong; those four bytes
    # happen to be a whole raw deflate stream (an empty one and two more bytes), so a client
    # that took up raw deflate again at the error would lose it and answer the page.
    wrapped = _deflate(PAGE)
    assert wrapped[:2] == b"\x78\xda" and _raw_deflate(b"") == b"\x03\x00"
    chunks = [wrapped[:-4], b"\x03\x00\x00\x00"]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "deflate"}, content=iter(chunks))

    c = client(Recorder(answer), max_retries=0)
    with c, pytest.raises(errors.BadResponseError) as info:
        list(c.events(user_id=1))
    assert info.value.kind == "undecodable"


def test_a_broken_gzip_page_is_undecodable_and_retried(serve: Callable[..., Server]) -> None:
    body = b"\x1f\x8b not really gzip"

    def page(conn: socket.socket, server: Server) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(body)}"
        conn.sendall(head.encode() + b"\r\n\r\n" + body)

    server = serve(page)
    c = Client(base_url=server.url, oauth_token=TOKEN, max_retries=1, backoff_base=0.01)
    with c, pytest.raises(errors.BadResponseError) as info:
        list(c.events(user_id=1))
    assert info.value.kind == "undecodable" and is_transient(info.value)
    assert len(server.requests) == 2
