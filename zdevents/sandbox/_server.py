"""``Sandbox``: the app on a real loopback socket, served by uvicorn in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from zdevents._config import is_loopback

from ._app import SandboxApp, Settings
from ._faults import FAULT_KINDS, FaultInjector, parse_faults
from ._ratelimit import RateLimiter
from ._seed import seed_store
from ._store import Store

if TYPE_CHECKING:
    from zdevents import Client

__all__ = [
    "DEFAULT_API_TOKEN",
    "DEFAULT_EMAIL",
    "DEFAULT_END_USER_EMAIL",
    "DEFAULT_OAUTH_TOKEN",
    "Sandbox",
    "create_app",
    "is_loopback",
]

DEFAULT_EMAIL = "devs@coolbikes.com"
DEFAULT_API_TOKEN = "sandbox-api-token"  # noqa: S105 -- a published test credential
DEFAULT_OAUTH_TOKEN = "sandbox-oauth-token"  # noqa: S105 -- a published test credential
DEFAULT_END_USER_EMAIL = "enduser@coolbikes.com"
_STARTUP_TIMEOUT = 30.0


class _QuietUvicorn(logging.Filter):
    """Hide uvicorn's complaints that are no error of the sandbox's.

    Responses that fault injection cut short on purpose, and requests still in flight when
    the sandbox stops: uvicorn cancels them after its graceful-shutdown timeout and logs
    the cancellation, with a ``CancelledError`` traceback, as an error.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("ASGI callable returned without"):
            return False
        if message.startswith("Cancel ") and "timeout graceful shutdown exceeded" in message:
            return False
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, asyncio.CancelledError)


logging.getLogger("uvicorn.error").addFilter(_QuietUvicorn())


def create_app(
    store: Store | None = None,
    *,
    email: str = DEFAULT_EMAIL,
    api_token: str = DEFAULT_API_TOKEN,
    oauth_token: str | None = DEFAULT_OAUTH_TOKEN,
    end_user_email: str | None = DEFAULT_END_USER_EMAIL,
    rate_limit: int | None = None,
    latency: float = 0.0,
    faults: str | Mapping[str, float] | None = None,
    fault_seed: int = 0,
    retry_after: int = 1,
) -> SandboxApp:
    """The sandbox's ASGI application over ``store`` (a fresh in-memory store by default).

    Serve it with any ASGI server; dropped-connection faults need uvicorn, elsewhere they
    become an exception in the app.
    """
    settings = Settings(
        email=email,
        api_token=api_token,
        oauth_token=oauth_token,
        end_user_email=end_user_email,
        latency=latency,
        rate_limiter=RateLimiter(rate_limit) if rate_limit else None,
        faults=FaultInjector(parse_faults(faults), fault_seed) if faults else None,
        retry_after=retry_after,
    )
    return SandboxApp(Store() if store is None else store, settings)


class Sandbox:
    """A local Zendesk Events API server on a real socket, for tests, demos and benchmarks.

    Example::

        with Sandbox(seed="demo") as sandbox:
            httpx.get(f"{sandbox.base_url}/api/v2/users/85211553/events",
                      auth=(f"{sandbox.email}/token", sandbox.api_token))

    ``port=0`` (the default) picks a free port; ``db`` is a SQLite file (in memory when
    ``None``); ``seed`` is ``"demo"`` or a JSONL file of track-event records. ``rate_limit``
    is requests per minute, ``latency`` seconds added to every request, ``faults`` the share
    of requests answered with each fault kind (``"429=0.1,drop=0.05"`` or a mapping; kinds:
    429, 500, 503, 520, drop, truncate), drawn reproducibly from ``fault_seed``;
    ``retry_after`` is the ``Retry-After`` of injected 429s. ``end_user_email`` with the API
    token authenticates a user who is not an agent (answered 403). Hosts other than loopback
    are refused unless ``allow_remote=True``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | os.PathLike[str] | None = None,
        seed: str | os.PathLike[str] | None = None,
        email: str = DEFAULT_EMAIL,
        api_token: str = DEFAULT_API_TOKEN,
        oauth_token: str | None = DEFAULT_OAUTH_TOKEN,
        end_user_email: str | None = DEFAULT_END_USER_EMAIL,
        rate_limit: int | None = None,
        latency: float = 0.0,
        faults: str | Mapping[str, float] | None = None,
        fault_seed: int = 0,
        retry_after: int = 1,
        allow_remote: bool = False,
    ) -> None:
        if not allow_remote and not is_loopback(host):
            raise ValueError(f"refusing to serve on non-loopback host {host!r}")
        if latency < 0:
            raise ValueError("latency must not be negative")
        if retry_after < 0:
            raise ValueError("retry_after must not be negative")
        if not 0 <= port <= 65535:
            raise ValueError(f"port {port} is not in 0..65535")
        self.host = host
        self._requested_port = port
        self._port = port
        self.store = Store(db)
        try:
            if seed is not None:
                seed_store(self.store, seed)
            self.app = create_app(
                self.store,
                email=email,
                api_token=api_token,
                oauth_token=oauth_token,
                end_user_email=end_user_email,
                rate_limit=rate_limit,
                latency=latency,
                faults=faults,
                fault_seed=fault_seed,
                retry_after=retry_after,
            )
        except BaseException:
            self.store.close()
            raise
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._client: Client | None = None

    # -- credentials and address ---------------------------------------------------------------

    @property
    def email(self) -> str:
        """The agent email that basic authentication expects."""
        return self.app.settings.email

    @property
    def api_token(self) -> str:
        """The API token that basic authentication (``{email}/token:{token}``) expects."""
        return self.app.settings.api_token

    @property
    def oauth_token(self) -> str | None:
        """The bearer token accepted as OAuth authentication (``None``: bearer disabled)."""
        return self.app.settings.oauth_token

    @property
    def end_user_email(self) -> str | None:
        """An email that authenticates (with ``api_token``) as a non-agent: every read is 403."""
        return self.app.settings.end_user_email

    @property
    def port(self) -> int:
        """The TCP port the server listens on (known once started)."""
        return self._port

    @property
    def base_url(self) -> str:
        """``http://host:port``, the base URL to give a client."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def client(self) -> Client:
        """A ``zdevents.Client`` for this sandbox, built on first use, closed by ``stop()``."""
        if self._client is None:
            from zdevents import Client

            self._client = Client(
                base_url=self.base_url, email=self.email, api_token=self.api_token
            )
        return self._client

    # -- behaviour -----------------------------------------------------------------------------

    @property
    def latency(self) -> float:
        """Seconds every request waits (asynchronously) before it is answered."""
        return self.app.settings.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency must not be negative")
        self.app.settings.latency = seconds

    @property
    def rate_limit(self) -> int | None:
        """Requests allowed per minute (``None``: unlimited, and no rate-limit headers)."""
        limiter = self.app.settings.rate_limiter
        return None if limiter is None else limiter.limit

    @rate_limit.setter
    def rate_limit(self, per_minute: int | None) -> None:
        self.app.settings.rate_limiter = RateLimiter(per_minute) if per_minute else None

    def set_faults(
        self,
        faults: str | Mapping[str, float] | None,
        *,
        seed: int = 0,
        retry_after: int | None = None,
    ) -> None:
        """Replace the fault plan (and restart its random sequence and counters)."""
        settings = self.app.settings
        settings.faults = FaultInjector(parse_faults(faults), seed) if faults else None
        if retry_after is not None:
            settings.retry_after = retry_after

    @property
    def fault_counts(self) -> dict[str, int]:
        """How many faults of each kind were served so far (all zero without faults)."""
        faults = self.app.settings.faults
        if faults is None:
            return dict.fromkeys(FAULT_KINDS, 0)
        return faults.served()

    @property
    def request_count(self) -> int:
        """Requests received on the events routes so far (each retry counts)."""
        return self.app.settings.request_count

    # -- data ----------------------------------------------------------------------------------

    def add_events(self, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Store track-event records (``{"profile", "event", "user_id"?}``) atomically.

        Returns the profile id of each record, in order. Raises ``ValueError`` (a
        ``RecordError`` naming the record's index) and stores nothing if one is invalid.
        """
        return self.store.add(records)

    def add_event(
        self,
        record: Mapping[str, Any] | None = None,
        *,
        profile: Mapping[str, Any] | None = None,
        event: Mapping[str, Any] | None = None,
        user_id: int | str | None = None,
    ) -> str:
        """Store one event and return its profile id.

        Pass a whole track-event record, or its parts as keywords::

            sandbox.add_event(
                profile={"source": "shop", "type": "customer",
                         "identifiers": [{"type": "email", "value": "ann@example.com"}]},
                event={"source": "shop", "type": "login", "properties": {}},
            )
        """
        if record is None:
            record = {"profile": profile, "event": event}
            if user_id is not None:
                record = {**record, "user_id": user_id}
        elif profile is not None or event is not None or user_id is not None:
            raise TypeError("pass either a record or profile/event/user_id, not both")
        return self.store.add([record])[0]

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind the socket and start serving in a background thread; returns ``self``."""
        if self._thread is not None:
            raise RuntimeError("sandbox already started")
        import uvicorn

        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio disables Nagle only on sockets that say so, and with
        # Nagle on, the separate header and body writes cost a delayed ACK (~40 ms) each.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host.strip("[]"), self._requested_port))
            sock.listen(512)
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        self._socket = sock
        self._port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self.app,
            http="h11",
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        started = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(server, sock, started), name="zdevents-sandbox", daemon=True
        )
        self._thread.start()
        # The socket already listens, so no request can be lost; waiting only surfaces errors.
        if not started.wait(_STARTUP_TIMEOUT) or self._error is not None:
            self.stop()
            raise RuntimeError("sandbox failed to start") from self._error
        return self

    def _run(self, server: Any, sock: socket.socket, started: threading.Event) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop_event = asyncio.Event()
            server.config.load()
            server.lifespan = server.config.lifespan_class(server.config)
            await server.startup(sockets=[sock])
            started.set()
            tick = 0
            while not self._stop_event.is_set():
                await server.on_tick(tick)  # refreshes the Date header
                tick += 10
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop_event.wait(), 1.0)
            await server.shutdown(sockets=[sock])

        try:
            asyncio.run(serve())
        except BaseException as exc:
            self._error = exc
        finally:
            started.set()

    def stop(self) -> None:
        """Stop serving, close the client and the store's socket; safe to call twice."""
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None
        thread, loop, stop_event = self._thread, self._loop, self._stop_event
        if thread is not None:
            if loop is not None and stop_event is not None:
                with contextlib.suppress(RuntimeError):  # the loop may have ended already
                    loop.call_soon_threadsafe(stop_event.set)
            thread.join()
            self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self.store.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
