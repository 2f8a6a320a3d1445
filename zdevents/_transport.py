"""How bytes come off the wire: the connection pool, proxies, a deadline for the whole
response, and a body read in bounded memory.

httpx's ``timeout`` is per socket operation, so a server trickling one byte at a time keeps a
request open for ever; and its decoders inflate a whole chunk at once, so a gzip bomb reaches
gigabytes before anyone can count. Here every socket operation of a request is bounded by
what is left of one deadline (the same for the sync and the asyncio pool: both are httpcore
pools given a bounded network backend through its public ``network_backend`` parameter), and
bodies are inflated by us, a bounded slice at a time. The pools are httpx transports
(``httpx.BaseTransport``/``AsyncBaseTransport``): nothing private of httpx or httpcore is
touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import itertools
import os
import ssl
import time
import urllib.request
import weakref
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from ._config import is_loopback
from ._constants import (
    ASYNC_POOL_SHARDS,
    KEEPALIVE_EXPIRY_SECONDS,
    MAX_CONNECTIONS,
    MAX_KEEPALIVE_CONNECTIONS,
)
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


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        stream = await self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.connect_unix_socket(path, bounded, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


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


#: httpcore's exceptions as httpx's: the interface of an ``httpx`` transport, which the rest
#: of zdevents (``_failures.transport_errors``) and a caller's own ``http_client`` share.
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _mapped(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for theirs, ours in _EXCEPTIONS:
            if isinstance(exc, theirs):
                raise ours(str(exc), request=request) from exc
        raise


@functools.cache
def _default_ssl_context(trust_env: bool, ca_file: str, ca_dir: str) -> ssl.SSLContext:
    """httpx's context for ``verify=True``, built once per process and CA location (loading
    the CA bundle costs about 30 ms of CPU, a client). Shared as one client already shares
    its context among its pools and threads."""
    del ca_file, ca_dir  # the cache's key: httpx reads them from the environment
    return httpx.create_ssl_context(verify=True, trust_env=trust_env)


def _ssl_context(verify: bool | str | ssl.SSLContext, trust_env: bool) -> ssl.SSLContext:
    if verify is not True:
        return httpx.create_ssl_context(verify=verify, trust_env=trust_env)
    where = ("", "")
    if trust_env:  # httpx then takes SSL_CERT_FILE, else SSL_CERT_DIR, over certifi's bundle
        where = (os.environ.get("SSL_CERT_FILE", ""), os.environ.get("SSL_CERT_DIR", ""))
    return _default_ssl_context(trust_env, *where)


def _pool_options(
    url: httpx.URL, verify: bool | str | ssl.SSLContext, trust_env: bool
) -> dict[str, Any]:
    """What both pools are built with: TLS, limits and the environment's proxy."""
    ssl_context = _ssl_context(verify, trust_env)
    proxy_url = proxy_for(url, trust_env)
    proxy = None
    if proxy_url is not None:
        with _proxy_errors(proxy_url):
            parsed = httpx.Proxy(proxy_url)
            if parsed.url.scheme in ("socks5", "socks5h"):
                importlib.import_module("socksio")  # httpcore needs it for SOCKS
            proxy = httpcore.Proxy(
                url=str(parsed.url),
                auth=parsed.raw_auth,
                headers=parsed.headers.raw,
                ssl_context=ssl_context if parsed.url.scheme == "https" else None,
            )
    return {
        "ssl_context": ssl_context,
        "proxy": proxy,
        "max_connections": MAX_CONNECTIONS,
        "max_keepalive_connections": MAX_KEEPALIVE_CONNECTIONS,
        "keepalive_expiry": KEEPALIVE_EXPIRY_SECONDS,
    }


def _core_request(request: httpx.Request, stream: Any) -> httpcore.Request:
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(
            scheme=request.url.raw_scheme,
            host=request.url.raw_host,
            port=request.url.port,
            target=request.url.raw_path,
        ),
        headers=request.headers.raw,
        content=stream,
        extensions=request.extensions,
    )


class _SyncBody(httpx.SyncByteStream):
    def __init__(self, inner: Iterable[bytes], request: httpx.Request) -> None:
        self._inner = inner
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        with _mapped(self._request):
            yield from self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, inner: AsyncIterable[bytes], request: httpx.Request) -> None:
        self._inner = inner
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped(self._request):
            async for chunk in self._inner:
                yield chunk

    async def aclose(self) -> None:
        aclose = getattr(self._inner, "aclose", None)
        if aclose is not None:
            await aclose()


class Transport(httpx.BaseTransport):
    """The connection pool of a :class:`~zdevents.Client`: httpcore's, through its public
    ``network_backend`` parameter, so that every socket operation obeys :func:`deadline`;
    the environment's proxy (never for loopback hosts) through httpcore's public
    :class:`httpcore.Proxy`. Sent to through httpx's public transport interface."""

    def __init__(
        self, url: httpx.URL, *, verify: bool | str | ssl.SSLContext, trust_env: bool
    ) -> None:
        self._pool = httpcore.ConnectionPool(
            **_pool_options(url, verify, trust_env),
            network_backend=_Backend(httpcore.SyncBackend()),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        with _mapped(request):
            answer = self._pool.handle_request(_core_request(request, request.stream))
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=_SyncBody(answer.stream, request),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class AsyncTransport(httpx.AsyncBaseTransport):
    """The asyncio twin of :class:`Transport` (anyio's network backend, also bounded by
    :func:`deadline`), as :data:`ASYNC_POOL_SHARDS` small pools.

    httpcore's async pool scans every connection, and asks every idle one whether its
    socket is still readable, each time a request starts or ends (encode/httpcore#1035): at
    20 concurrent requests that was 3,000 ``is_idle`` calls a request, and an async bulk
    export ran at a third of the speed of threads. Each task is given one of a few pools
    (round robin, kept for the task's life), so each scan sees a few connections; the
    limits are shared out between them."""

    def __init__(
        self, url: httpx.URL, *, verify: bool | str | ssl.SSLContext, trust_env: bool
    ) -> None:
        options = _pool_options(url, verify, trust_env)
        shards = ASYNC_POOL_SHARDS
        options["max_connections"] = -(-MAX_CONNECTIONS // shards)
        options["max_keepalive_connections"] = -(-MAX_KEEPALIVE_CONNECTIONS // shards)
        self._pools = [
            httpcore.AsyncConnectionPool(
                **options, network_backend=_AsyncBackend(httpcore.AnyIOBackend())
            )
            for _ in range(shards)
        ]
        self._of_task: weakref.WeakKeyDictionary[object, httpcore.AsyncConnectionPool] = (
            weakref.WeakKeyDictionary()
        )
        self._next = itertools.count()

    def _pool(self) -> httpcore.AsyncConnectionPool:
        try:
            task: object = asyncio.current_task()
        except RuntimeError:  # not asyncio (trio through anyio): one pool
            task = None
        if task is None:
            return self._pools[0]
        pool = self._of_task.get(task)
        if pool is None:
            pool = self._of_task[task] = self._pools[next(self._next) % len(self._pools)]
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        with _mapped(request):
            answer = await self._pool().handle_async_request(_core_request(request, request.stream))
        assert isinstance(answer.stream, AsyncIterable)
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=_AsyncBody(answer.stream, request),
            extensions=answer.extensions,
        )

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()


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
