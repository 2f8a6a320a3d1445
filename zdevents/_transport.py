"""How bytes come off the wire: the connection pool, proxies, a deadline for the whole
response, and a body read in bounded memory.

httpx's ``timeout`` is per socket operation, so a server trickling one byte at a time keeps a
request open for ever; and its decoders inflate a whole chunk at once, so a gzip bomb reaches
gigabytes before anyone can count. Here every socket operation of a request is bounded by
what is left of one deadline, and bodies are inflated by us, a bounded slice at a time.
"""

from __future__ import annotations

import contextlib
import ssl
import time
import urllib.request
import zlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from ._config import is_loopback
from ._constants import MAX_CONNECTIONS, MAX_KEEPALIVE_CONNECTIONS
from .errors import ConfigurationError

#: The moment (``time.monotonic``) by which the current request's response must be in.
_DEADLINE: ContextVar[float | None] = ContextVar("zdevents_deadline", default=None)

ACCEPT_ENCODING = "gzip, deflate"


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the response took longer than the timeout")
    return left if timeout is None else min(timeout, left)


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Bound every socket operation inside the block by ``seconds`` from now, together."""
    token = _DEADLINE.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def past_deadline() -> bool:
    deadline = _DEADLINE.get()
    return deadline is not None and time.monotonic() >= deadline


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, bounded, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def proxy_for(url: httpx.URL, trust_env: bool) -> str | None:
    """The environment's proxy for ``url`` (``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``), or
    ``None``. Loopback never goes through a proxy: the proxy cannot reach this machine's
    sandbox, and with plain http it would read the ``Authorization`` header."""
    if not trust_env or is_loopback(url.host):
        return None
    if urllib.request.proxy_bypass(url.host):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(url.scheme) or proxies.get("all")


def _limits() -> httpx.Limits:
    return httpx.Limits(
        max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS
    )


def sync_transport(
    url: httpx.URL, *, verify: bool | str | ssl.SSLContext, trust_env: bool
) -> httpx.HTTPTransport:
    """A pool for ``url`` whose socket operations obey :func:`deadline`."""
    proxy = proxy_for(url, trust_env)
    with _proxy_errors(proxy):
        transport = httpx.HTTPTransport(
            verify=verify, trust_env=trust_env, proxy=proxy, limits=_limits()
        )
    # httpcore takes a network backend, httpx does not pass one through; both are pinned
    # below their next major version. Without it the deadline is still checked per chunk.
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if isinstance(inner, httpcore.NetworkBackend):
        pool._network_backend = _Backend(inner)  # type: ignore[union-attr]
    return transport


def async_transport(
    url: httpx.URL, *, verify: bool | str | ssl.SSLContext, trust_env: bool
) -> httpx.AsyncHTTPTransport:
    """The asyncio pool for ``url``; its deadline is an ``asyncio.timeout`` in the client."""
    proxy = proxy_for(url, trust_env)
    with _proxy_errors(proxy):
        return httpx.AsyncHTTPTransport(
            verify=verify, trust_env=trust_env, proxy=proxy, limits=_limits()
        )


@contextlib.contextmanager
def _proxy_errors(proxy: str | None) -> Iterator[None]:
    # The proxy URL is never quoted: it may hold a user name and password.
    try:
        yield
    except ImportError:
        raise ConfigurationError(
            "the environment's proxy needs an extra package (pip install 'httpx[socks]'), "
            "or pass trust_env=False"
        ) from None
    except (httpx.InvalidURL, ValueError, TypeError):
        if proxy is None:
            raise
        raise ConfigurationError(
            "the environment's proxy (HTTPS_PROXY/ALL_PROXY) is not a valid proxy URL; "
            "fix it, or pass trust_env=False"
        ) from None


class TooLarge(Exception):
    """The body passed the size limit (raw or inflated)."""


class Undecodable(Exception):
    """A ``Content-Encoding`` we cannot undo, or a broken compressed stream."""


class _Deflate:
    """``deflate`` as servers send it: zlib-wrapped (RFC 9110), or raw as some old ones do."""

    def __init__(self) -> None:
        self._inner: Any = zlib.decompressobj()
        self._started = False

    @property
    def unconsumed_tail(self) -> bytes:
        tail: bytes = self._inner.unconsumed_tail
        return tail

    def decompress(self, data: bytes, max_length: int) -> bytes:
        try:
            out: bytes = self._inner.decompress(data, max_length)
        except zlib.error:
            if self._started:
                raise
            self._inner = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._inner.decompress(data, max_length)
        self._started = True
        return out

    def flush(self) -> bytes:
        out: bytes = self._inner.flush()
        return out


class BodyReader:
    """Collects a body from raw chunks, undoing ``Content-Encoding`` in bounded slices.

    Neither the bytes received nor the bytes after each layer of decoding may pass
    ``limit``; a gzip bomb is stopped after at most ``limit`` bytes of output per layer.
    """

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self._limit = limit
        self._received = 0
        self._parts: list[bytes] = []
        self._size = 0
        names = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
        # Encodings are listed in the order they were applied; undo them last to first.
        self._layers: list[Any] = []
        for name in reversed(names):
            if name in ("identity", ""):
                continue
            if name in ("gzip", "x-gzip"):
                self._layers.append(zlib.decompressobj(16 + zlib.MAX_WBITS))
            elif name == "deflate":
                self._layers.append(_Deflate())
            else:
                raise Undecodable(f"unsupported Content-Encoding {name[:40]!r}")

    def feed(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received > self._limit:
            raise TooLarge
        self._keep(self._inflate(chunk, 0))

    def finish(self) -> bytes:
        for i, layer in enumerate(self._layers):
            try:
                tail = layer.flush()
            except zlib.error as exc:
                raise Undecodable(f"broken compressed body ({exc})") from None
            self._keep(self._inflate(tail, i + 1) if tail else b"")
        return b"".join(self._parts)

    def _inflate(self, data: bytes, first: int) -> bytes:
        for layer in self._layers[first:]:
            out: list[bytes] = []
            size = 0
            while data:
                try:
                    piece = layer.decompress(data, self._limit + 1 - size)
                except zlib.error as exc:
                    raise Undecodable(f"broken compressed body ({exc})") from None
                size += len(piece)
                if size > self._limit:
                    raise TooLarge
                out.append(piece)
                data = layer.unconsumed_tail
                if not piece and data:
                    break  # the stream ended; trailing bytes are ignored, as httpx does
            data = b"".join(out)
        return data

    def _keep(self, data: bytes) -> None:
        if data:
            self._size += len(data)
            if self._size > self._limit:
                raise TooLarge
            self._parts.append(data)


_FRAMING = ("content-encoding", "content-length", "transfer-encoding")


def rebuilt(response: httpx.Response, body: bytes) -> httpx.Response:
    """A read response with ``body`` already decoded (the encoding headers dropped)."""
    received = response.headers
    headers: httpx.Headers | list[tuple[str, str]] = received
    length = received.get("content-length")
    if (
        "content-encoding" in received
        or "transfer-encoding" in received
        or (length is not None and length != str(len(body)))
    ):
        headers = [(k, v) for k, v in received.multi_items() if k.lower() not in _FRAMING]
    # Otherwise the headers already describe `body` and are kept as they are: httpx copies
    # their list instead of parsing each pair again.
    # The reason phrase and HTTP version as received; not the connection's stream.
    kept = {k: v for k, v in response.extensions.items() if k in ("reason_phrase", "http_version")}
    return httpx.Response(response.status_code, headers=headers, content=body, extensions=kept)
