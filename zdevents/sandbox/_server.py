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
from typing import TYPE_CHECKING, Any, Unpack

from zdevents._config import is_loopback

from ._app import ASGIApp, SandboxApp
from ._faults import FAULT_KINDS
from ._oauth import OAuthState
from ._seed import seed_store
from ._settings import Options, Settings
from ._store import Store

if TYPE_CHECKING:
    from zdevents import Client

# The one hint for a missing extra, for `python -m zdevents.sandbox`, `zdevents sandbox`
# and `Sandbox.start()`.
INSTALL_HINT = "the sandbox needs uvicorn, which is not installed: pip install 'zdevents[sandbox]'"
_STARTUP_TIMEOUT = 30.0
_SHUTDOWN_POLL_SECONDS = 0.001
#: How long in-flight requests may take to finish when the sandbox stops.
_GRACEFUL_SHUTDOWN_SECONDS = 1.0


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


async def _shutdown(server: Any, sock: socket.socket) -> None:
    """uvicorn's ``Server.shutdown`` (0.55) without its fixed tenth of a second.

    uvicorn sleeps 0.1 s after asking the connections to close, and then in steps of 0.1 s
    while one is open: every stop took at least 0.1 s, and a sandbox per test (the pytest
    plugin's ``zendesk_sandbox``) paid it at each test. The same steps here, looking every
    millisecond: stop accepting, ask each connection to close, wait for the connections and
    the requests in flight within the graceful-shutdown timeout, then cancel what is left.
    uvicorn's last step, the lifespan's shutdown, has nothing to do: the sandbox runs
    without one. One step more than uvicorn: a connection still open after the cancelled
    requests ended is cut. Its close waits for its buffered response to drain, which a
    client that reads nothing never lets happen, and the loop that would finish it is gone.
    """
    for listener in server.servers:
        listener.close()
    sock.close()
    state = server.server_state
    for connection in list(state.connections):
        connection.shutdown()
    try:
        async with asyncio.timeout(_GRACEFUL_SHUTDOWN_SECONDS):
            while state.connections or state.tasks:
                await asyncio.sleep(_SHUTDOWN_POLL_SECONDS)
            for listener in server.servers:
                await listener.wait_closed()
    except TimeoutError:
        cancelled = list(state.tasks)
        for task in cancelled:  # requests still in flight: no error of the sandbox's
            task.cancel()
        if cancelled:
            # They end on the loop's next turn (uvicorn answers 500, or closes a response
            # it started), unless their write waits on a client that reads nothing: that
            # one ends when its connection is cut below (asyncio.run waits for it).
            await asyncio.wait(cancelled, timeout=_SHUTDOWN_POLL_SECONDS)
        for connection in list(state.connections):
            connection.transport.abort()
        await asyncio.sleep(0)  # the cut connections' sockets close on the next turn


def create_app(store: Store | None = None, **options: Unpack[Options]) -> ASGIApp:
    """The sandbox's ASGI application over ``store`` (a fresh in-memory store by default).

    ``options`` are those of ``Sandbox`` (see ``zdevents.sandbox.Options``). Serve it with
    any ASGI server; dropped-connection faults need uvicorn, elsewhere they become an
    exception in the app, and the header timeout is the server's own.
    """
    return SandboxApp(Store() if store is None else store, Settings(**options))


def _header_deadline_protocol(timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, closing connections whose request headers do not arrive.

    uvicorn arms its keep-alive timer only after a response, and any byte cancels it, so a
    client sending a header a byte at a time (or never finishing it) holds a connection
    forever. Here a deadline starts when the connection opens and again after each
    response, and only complete request headers cancel it.
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderDeadline(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(timeout, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderDeadline


class Sandbox:
    """A local Zendesk Events API server on a real socket, for tests, demos and benchmarks.

    Example::

        with Sandbox(seed="demo") as sandbox:
            httpx.get(f"{sandbox.base_url}/api/v2/users/85211553/events",
                      auth=(f"{sandbox.email}/token", sandbox.api_token))

    ``port=0`` (the default) picks a free port; ``db`` is a SQLite file (in memory when
    ``None``); ``seed`` is ``"demo"`` or a JSONL file of track records. Hosts other than
    loopback are refused unless ``allow_remote=True``. The other keyword arguments are the
    behaviour ``Options``: credentials (``email``, ``api_token``, ``oauth_token``,
    ``end_user_email``), ``rate_limit`` (requests per minute), ``latency`` (seconds),
    ``faults`` (the share of requests answered with each fault kind, ``"429=0.1,drop=0.05"``
    or a mapping; kinds: 429, 500, 503, 520, drop, truncate, store-then-500) drawn
    reproducibly from ``fault_seed``, ``retry_after`` (of injected 429s),
    ``request_timeout`` (for a request's headers and body) and ``clock`` (of the rate-limit
    window). Invalid options, an empty credential among them, are a ``ValueError``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | os.PathLike[str] | None = None,
        seed: str | os.PathLike[str] | None = None,
        allow_remote: bool = False,
        **options: Unpack[Options],
    ) -> None:
        if not allow_remote and not is_loopback(host):
            raise ValueError(f"refusing to serve on non-loopback host {host!r}")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port {port} is not in 0..65535")
        settings = Settings(**options)  # checked before a database file is touched
        self.host = host
        self._requested_port = port
        self._port = port
        self.store = Store(db)
        try:
            if seed is not None:
                seed_store(self.store, seed)
        except BaseException:
            self.store.close()
            raise
        self.app = SandboxApp(self.store, settings)
        self._settings = settings
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._client: Client | None = None
        self._state = "not started"

    def __repr__(self) -> str:
        # Never a credential: the address, the state, where the data lives, the behaviour.
        where = "in memory" if self.store.path is None else f"db={self.store.path!r}"
        address = self.base_url if self._state == "running" else f"host={self.host!r}"
        extras = [
            f"{name}={value!r}"
            for name, value in (
                ("rate_limit", self._settings.rate_limit),
                ("latency", self._settings.latency or None),
                ("faults", self._settings.faults or None),
            )
            if value is not None
        ]
        return f"<Sandbox {address} {self._state}, {where}{''.join(', ' + e for e in extras)}>"

    # -- credentials and address ---------------------------------------------------------------

    @property
    def email(self) -> str:
        """The agent email that basic authentication expects."""
        return self._settings.email

    @property
    def api_token(self) -> str:
        """The API token that basic authentication (``{email}/token:{token}``) expects."""
        return self._settings.api_token

    @property
    def oauth_token(self) -> str | None:
        """The bearer token accepted as OAuth authentication (``None``: bearer disabled)."""
        return self._settings.oauth_token

    @property
    def end_user_email(self) -> str | None:
        """An email that authenticates (with ``api_token``) as a non-agent: every read is 403."""
        return self._settings.end_user_email

    @property
    def agent_email(self) -> str | None:
        """An email that authenticates (with ``api_token``) as an agent who is not an admin:
        events are read, the incremental user export answers 403."""
        return self._settings.agent_email

    @property
    def oauth_public_client_id(self) -> str:
        """The public OAuth client (``zdevents auth login``: PKCE, no secret)."""
        return self._settings.oauth_public_client_id

    @property
    def oauth_client_id(self) -> str:
        """The confidential OAuth client (client credentials, with :attr:`oauth_client_secret`)."""
        return self._settings.oauth_client_id

    @property
    def oauth_client_secret(self) -> str:
        """The confidential client's secret."""
        return self._settings.oauth_client_secret

    @property
    def oauth(self) -> OAuthState:
        """The OAuth server's state: ``issued``/``refused`` counts, ``expire_access_tokens()``,
        ``revoke_all()``, ``fail_next_token_requests(n)``, ``deny`` (the authorization page
        denies)."""
        return self._settings.oauth

    def set_token_lifetimes(self, access: int | None, refresh: int | None = None) -> None:
        """The longest life, in seconds, of tokens issued from now on (``None``: as asked)."""
        self._settings.set_token_lifetimes(access, refresh)

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
        return self._settings.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._settings.set_latency(seconds)

    @property
    def rate_limit(self) -> int | None:
        """Requests allowed per minute, reads and writes together (``None``: unlimited, and
        no rate-limit headers). Setting it starts a new window."""
        return self._settings.rate_limit

    @rate_limit.setter
    def rate_limit(self, per_minute: int | None) -> None:
        self._settings.set_rate_limit(per_minute or None)

    @property
    def export_rate_limit(self) -> int | None:
        """Requests a minute of the incremental user export (Zendesk's 10 by default;
        ``None``: unlimited). Setting it starts a new window."""
        return self._settings.export_rate_limit

    @export_rate_limit.setter
    def export_rate_limit(self, per_minute: int | None) -> None:
        self._settings.set_export_rate_limit(per_minute or None)

    def set_faults(
        self,
        faults: str | Mapping[str, float] | None,
        *,
        seed: int = 0,
        retry_after: int | None = None,
    ) -> None:
        """Replace the fault plan (and restart its random sequence and counters)."""
        if retry_after is not None and (
            isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0
        ):
            raise ValueError("retry_after must be a whole number of seconds, not negative")
        self._settings.set_faults(faults, seed=seed)
        if retry_after is not None:
            self._settings.retry_after = retry_after

    @property
    def fault_counts(self) -> dict[str, int]:
        """How many faults of each kind were served so far (all zero without faults)."""
        injector = self._settings.injector
        if injector is None:
            return dict.fromkeys(FAULT_KINDS, 0)
        return injector.served()

    @property
    def request_count(self) -> int:
        """Authenticated or not, requests received on the API routes so far (each retry
        counts; reads and writes)."""
        return self._settings.request_count

    # -- data ----------------------------------------------------------------------------------

    def change_user(self, user_id: int, **changes: Any) -> bool:
        """Change a user as an admin would: ``name``, ``email``, ``external_id``, ``role``,
        ``active`` (``False``: deleted). The user export then shows it as changed. Whether
        the user exists."""
        return self.store.change_user(user_id, **changes)

    def add_events(self, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Store track records atomically; return the profile id of each, in order.

        A record is a track body with its target: ``{"event", "profile"}`` (the profile is
        found by its identifiers or created), ``{"event", "profile_id"}`` (that profile must
        exist) or ``{"event", "profile", "user_id"}``. It is validated and stored by the same
        code as ``POST /api/v2/.../events`` (the same limits, errors and profile matching);
        beyond what the API takes, a record may fix ``event.id``, ``event.received_at`` and
        ``profile.id``, use the ``zendesk`` source, and name a user id not seen before (the
        user is created). Raises ``ValueError`` (a ``RecordError`` naming the record's index)
        and stores nothing if one is invalid.
        """
        return self.store.add(records)

    def add_event(
        self,
        record: Mapping[str, Any] | None = None,
        *,
        profile: Mapping[str, Any] | None = None,
        event: Mapping[str, Any] | None = None,
        user_id: int | str | None = None,
        profile_id: str | None = None,
    ) -> str:
        """Store one event (see ``add_events``) and return its profile id.

        Pass a whole record, or its parts as keywords::

            sandbox.add_event(
                profile={"source": "shop", "type": "customer",
                         "identifiers": [{"type": "email", "value": "ann@example.com"}]},
                event={"source": "shop", "type": "login", "properties": {}},
            )
        """
        parts = {"profile": profile, "event": event, "user_id": user_id, "profile_id": profile_id}
        given = {key: value for key, value in parts.items() if value is not None}
        if record is None:
            record = given
        elif given:
            raise TypeError("pass either a record or its parts as keywords, not both")
        return self.store.add([record])[0]

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind the socket and start serving in a background thread; returns ``self``."""
        if self._thread is not None:
            raise RuntimeError("sandbox already started")
        if self._state == "stopped":
            raise RuntimeError("a stopped sandbox cannot start again; make a new one")
        try:
            import uvicorn
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError(INSTALL_HINT, name=exc.name) from None

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
            http=_header_deadline_protocol(self._settings.request_timeout),
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            server_header=False,
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
        self._settings.base_url = self.base_url
        self._state = "running"
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
            await _shutdown(server, sock)

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
        self._state = "stopped"

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
