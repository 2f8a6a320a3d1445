"""``zdevents auth login``: the authorization-code flow with PKCE on a loopback redirect.

A :class:`Login` binds ``http://127.0.0.1:PORT/`` first (so the URL it shows works at once),
makes a PKCE ``S256`` pair and a ``state``, and gives the authorization URL. :meth:`Login.wait`
takes the one redirect the browser brings back, refuses a wrong ``state`` or a denial without
sending any token request, exchanges the code with the same ``redirect_uri`` and the
verifier (the client secret too if one is given), saves the pair with absolute expiry times
in the login store, and asks Zendesk who the token acts as.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import http.server
import math
import numbers
import os
import re
import secrets
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from zendesk_events_api.api.oauth import authorize
from zendesk_events_api.models import AuthorizationCodeGrant
from zendesk_events_api.types import Unset

from ._auth import (
    Auth,
    ClientCredentialsAuth,
    Scrubber,
    StoredLogin,
    StoredLoginAuth,
    _as_refusal,
    login_store,
    token_request,
    tokens_from,
)
from ._base_client import with_auth
from ._client import AsyncClient, Client
from ._config import (
    LOGIN_STORES,
    Secret,
    _text,
    base_url_of,
    env_settings,
    login_home,
    login_store_kind,
)
from ._constants import (
    ACCESS_TOKEN_SECONDS,
    DEFAULT_LOGIN_PORT,
    DEFAULT_SCOPE,
    LOGIN_TIMEOUT,
    REFRESH_TOKEN_SECONDS,
)
from ._routes import operation_request
from .errors import APIError, ConfigurationError, ZendeskError

_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>zdevents</title>"
    b"<p>%s You can close this window and go back to the terminal.</p>"
)


class _NoAuth(Auth):
    """The credentials of a login's own token request: none (the body carries them)."""

    kind = "none"

    def header(self, send: Any) -> str:
        raise ConfigurationError("a login's client sends token requests only")


@attrs.frozen
class AuthStatus:
    """Which credentials a client uses and what Zendesk says of them.

    ``kind``: ``"login"`` (stored by ``zdevents auth login``), ``"client_credentials"``,
    ``"oauth"`` (a bearer it cannot renew) or ``"api_token"``. ``stored_at``: the login's
    file. Expiry times are aware UTC datetimes (``None``: unknown or never).
    """

    kind: str
    account: str
    user_id: int | None = None
    client_id: str | None = None
    scopes: tuple[str, ...] = ()
    expires_at: dt.datetime | None = None
    refresh_expires_at: dt.datetime | None = None
    stored_at: str | None = None


def _utc(moment: float | None) -> dt.datetime | None:
    return None if moment is None else dt.datetime.fromtimestamp(moment, dt.UTC)


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


#: How soon the listener's thread sees that the wait is over (``serve_forever``'s poll).
_SHUTDOWN_POLL_SECONDS = 0.05


def _seconds(timeout: object) -> float:
    """``timeout`` as a float of seconds, or a ValueError (a NaN would never end a wait)."""
    seconds = math.nan
    if isinstance(timeout, numbers.Real) and not isinstance(timeout, bool):
        with contextlib.suppress(OverflowError):  # an int past a float's range
            seconds = float(timeout)
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"timeout={timeout!r} is not a number of seconds (0 or more)")
    return seconds


class _Redirect(http.server.BaseHTTPRequestHandler):
    """Takes the browser's redirect: the query of ``GET /``."""

    server: _Listener
    #: Seconds a connection may take to send its request: a stray connection that sends
    #: nothing must not hold the login past its wait.
    timeout = 10

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if path != "/" or not ("code" in params or "error" in params):
            # A favicon, a prefetch, a port scanner: not the redirect, the login waits on.
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        text = b"zdevents is logged in." if "code" in params else b"The login did not succeed."
        body = _PAGE % text
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        finally:
            # After the page is out (the login may end the process next), or if it failed.
            self.server.take(params)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the query holds the code: never logged


class _Listener(http.server.ThreadingHTTPServer):
    """One thread per connection: a connection that trickles its request cannot keep the
    browser's redirect waiting (the wait's deadline holds for the login, not for them).
    ``answered`` is set when the redirect is taken, so the wait ends at once. Closing it
    cuts the connections still open and waits for their threads: a stray connection
    (one that never sends its request) does not outlive the login by its 10 seconds."""

    daemon_threads = True
    block_on_close = False  # server_close joins the threads itself, after cutting them
    answer: dict[str, str] | None = None

    def __init__(self, port: int) -> None:
        # Made before binding: socketserver calls server_close when the bind fails.
        self.answered = threading.Event()
        self._taken = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}
        # Held while a connection is cut or closed: never both at once (a closed socket's
        # number may already belong to another file).
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Redirect)

    def take(self, params: dict[str, str]) -> None:
        with self._taken:
            if self.answer is None:
                self.answer = params  # the first redirect counts, later ones do not
                self.answered.set()

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="zdevents-login-connection",
            daemon=True,
        )
        with self._open_lock:
            self._open[request] = thread
        thread.start()

    def close_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.pop(request, None)
            super().close_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A connection reset or cut (a port scanner, a closed tab, the login's end) is no
        # error of the login's; anything else is a bug, reported as socketserver does.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        with self._open_lock:
            still_open = list(self._open.items())
            for request, _ in still_open:
                with contextlib.suppress(OSError):
                    request.shutdown(socket.SHUT_RDWR)  # wakes its thread's read or write
        for _, thread in still_open:
            if thread is not threading.current_thread():
                thread.join(_Redirect.timeout)


class Login:
    """A browser login for one account, with a public (or confidential) OAuth client.

    >>> login = Login(subdomain="coolbikes", client_id="zdevents_cli")
    >>> print("open", login.url)          # or webbrowser.open(login.url)
    >>> status = login.wait()             # the redirect, the exchange, the stored login

    ``port`` is the loopback port of the redirect URL ``http://127.0.0.1:PORT/``, which
    must be registered on the OAuth client (0: any free port, for tests). ``client_secret``
    is sent along for a confidential client. ``home`` is where logins are stored
    (``ZDEVENTS_HOME``, by default ``~/.config/zdevents``); ``store`` is ``"file"`` or
    ``"keyring"`` (the OS keyring, with ``pip install 'zdevents[keyring]'``; by default
    ``ZDEVENTS_LOGIN_STORE``, else files). Close it (or use ``with``) if :meth:`wait` is
    never called.
    """

    def __init__(
        self,
        *,
        client_id: str,
        subdomain: str | None = None,
        base_url: str | None = None,
        client_secret: str | None = None,
        scope: str = DEFAULT_SCOPE,
        port: int = DEFAULT_LOGIN_PORT,
        home: str | None = None,
        store: str | None = None,
        **client_options: Any,
    ) -> None:
        self.base_url = base_url_of(subdomain, base_url)
        self.client_id = _text("client_id", client_id)
        self.scope = " ".join(_text("scope", scope).split())
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port={port!r} is not in 0..65535")
        self._secret = (
            None
            if client_secret is None
            else Secret(_text("client_secret", client_secret, ascii_only=True))
        )
        self._verifier = Secret(secrets.token_urlsafe(48))
        self._state = secrets.token_urlsafe(24)
        kind = login_store_kind() if store is None else store
        if kind not in LOGIN_STORES:
            raise ValueError(f"store={kind!r} is not one of {', '.join(LOGIN_STORES)}")
        self.store = login_store(home or login_home(), self.base_url, kind)
        self._options = client_options
        # A login waits once; _turn orders a wait's start and end with close() (which
        # another thread may call to give up).
        self._over = False
        self._waiting = False
        self._turn = threading.Lock()
        try:
            self._listener = _Listener(port)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot listen on 127.0.0.1:{port} for the login's redirect ({exc.strerror}); "
                "choose another registered port with --port"
            ) from None
        self.port = int(self._listener.server_address[1])
        self.redirect_uri = f"http://127.0.0.1:{self.port}/"
        built = operation_request(
            authorize,
            response_type="code",
            client_id=self.client_id,
            redirect_uri=self.redirect_uri,
            scope=self.scope,
            state=self._state,
            code_challenge=_challenge(self._verifier.reveal()),
            code_challenge_method="S256",
        )
        origin = self.base_url.copy_with(path=self.base_url.path.rstrip("/") + built["url"])
        #: The authorization URL to open in a browser.
        self.url = str(origin.copy_with(params=built["params"]))

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        client_id: str | None = None,
        scope: str | None = None,
        port: int = DEFAULT_LOGIN_PORT,
    ) -> Login:
        """A login for the account of ``ZENDESK_SUBDOMAIN``/``ZENDESK_BASE_URL``, with
        ``client_id`` or ``ZENDESK_OAUTH_CLIENT_ID``, ``ZENDESK_OAUTH_CLIENT_SECRET`` if set,
        ``scope`` or ``ZENDESK_OAUTH_SCOPE`` (``"read write"``), stored under
        ``ZDEVENTS_HOME``."""
        env = os.environ if environ is None else environ
        account = env_settings(env, account=True, credentials=False)
        client_id = client_id or env.get("ZENDESK_OAUTH_CLIENT_ID", "").strip() or None
        if client_id is None:
            raise ConfigurationError(
                "no OAuth client: give --client-id or set ZENDESK_OAUTH_CLIENT_ID (the "
                "Unique Identifier of an OAuth client made in Admin Center)"
            )
        secret = env.get("ZENDESK_OAUTH_CLIENT_SECRET", "").strip() or None
        scope = scope or env.get("ZENDESK_OAUTH_SCOPE", "").strip() or DEFAULT_SCOPE
        return cls(
            client_id=client_id,
            client_secret=secret,
            scope=scope,
            port=port,
            home=login_home(env),
            store=login_store_kind(env),
            **account,
        )

    def wait(
        self, timeout: float = LOGIN_TIMEOUT, *, clock: Callable[[], float] = time.monotonic
    ) -> AuthStatus:
        """Wait (at most ``timeout`` seconds) for the browser's redirect, then exchange the
        code, store the login and return who it is. A wrong ``state``, a denial, or no
        redirect in time is a :class:`~zdevents.errors.ZendeskError` and sends no token
        request. A login waits once: it is over after its wait or :meth:`close`."""
        seconds = _seconds(timeout)
        with self._turn:
            if self._over or self._waiting:
                raise ZendeskError(
                    "this login is over (it waited, or waits, already, or was closed): make a new "
                    "Login (`zdevents auth login` again)"
                )
            self._waiting = True
        try:
            answer = self._await_redirect(seconds, clock)
        finally:
            with self._turn:
                self._waiting = False
            self.close()
        state = answer.get("state", "")
        if not hmac.compare_digest(state.encode(), self._state.encode()):
            raise ZendeskError(
                "the login's redirect carried a wrong state (not the one this login sent): "
                "refused, no token requested; run `zdevents auth login` again"
            )
        if "error" in answer:
            error = answer["error"]
            code = error if re.fullmatch(r"[a-z_]{1,40}", error) else "an error"
            raise ZendeskError(
                f"the login was not approved ({code}): no token requested; run "
                "`zdevents auth login` again and approve the access"
            )
        code_text = answer.get("code", "")
        if not code_text:
            raise ZendeskError(
                "the login's redirect carried no code: run `zdevents auth login` again"
            )
        return self._exchange(Secret(code_text))

    def _await_redirect(self, timeout: float, clock: Callable[[], float]) -> dict[str, str]:
        # The listener serves in a thread and the redirect's handler sets ``answered``: the
        # wait ends when the page is out, not at the next poll (handling one request at a
        # time here returned before the handler's thread had taken the answer, and the
        # next poll then waited its whole second for a connection that never came).
        deadline = clock() + timeout
        listener = self._listener
        serving = threading.Thread(
            target=listener.serve_forever,
            args=(_SHUTDOWN_POLL_SECONDS,),
            name="zdevents-login-listener",
            daemon=True,
        )
        serving.start()
        try:
            while listener.answer is None:
                if self._over:
                    raise ZendeskError(
                        "the login was closed while it waited for the browser: no token requested"
                    )
                left = deadline - clock()
                if left <= 0:
                    raise ZendeskError(
                        f"no answer from the browser within {timeout:g} seconds: run "
                        "`zdevents auth login` again (with --no-browser, open the URL it "
                        "prints)"
                    )
                # At most a second at a time: ``clock`` may not be the real one.
                listener.answered.wait(min(left, 1.0))
        finally:
            listener.shutdown()
            serving.join()
        return listener.answer

    def _exchange(self, code: Secret) -> AuthStatus:
        secrets_used = [code, self._verifier, *([self._secret] if self._secret else [])]
        scrubber = Scrubber(*secrets_used)
        grant = AuthorizationCodeGrant(
            grant_type="authorization_code",
            code=code.reveal(),
            client_id=self.client_id,
            redirect_uri=self.redirect_uri,
            code_verifier=self._verifier.reveal(),
            scope=self.scope,
            expires_in=ACCESS_TOKEN_SECONDS,
            refresh_token_expires_in=REFRESH_TOKEN_SECONDS,
        )
        if self._secret is not None:
            grant.client_secret = self._secret.reveal()
        now = time.time()
        base = str(self.base_url)
        with with_auth(Client, _NoAuth(scrubber), base_url=base, **self._options) as client:
            try:
                answer = client._oauth.token(token_request(grant))
            except APIError as exc:
                raise _as_refusal(exc, scrubber) from None
        tokens = tokens_from(answer, now)
        login = StoredLogin(account=self.store.account, client_id=self.client_id, tokens=tokens)
        with self.store.locked():
            self.store.save(login)
        with with_auth(
            Client, StoredLoginAuth(self.store), base_url=base, **self._options
        ) as client:
            return auth_status(client)

    def close(self) -> None:
        """Stop listening for the redirect (and cut connections still open); the login is
        over."""
        with self._turn:
            self._over = True
            waiting = self._waiting
        if waiting:
            # From another thread: the wait ends at once and closes the listener itself
            # (closing it under the listener's thread would leave that thread spinning).
            self._listener.answered.set()
            return
        self._listener.server_close()

    def __enter__(self) -> Login:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Login {str(self.base_url)!r} client_id={self.client_id!r} port={self.port}>"


# --------------------------------------------------------------------------- status & logout


def auth_status(client: Client) -> AuthStatus:
    """What ``client``'s credentials are, and for OAuth who Zendesk says the token acts as
    with which scopes (``GET /api/v2/oauth/tokens/current.json``); a stored login that can
    no longer be refreshed raises :class:`~zdevents.errors.AuthenticationError`.

    >>> auth_status(Client.from_env()).kind
    'login'
    """
    _sync_only(client, "auth_status")
    oauth = client._oauth
    auth, account = oauth.auth, oauth.account
    if auth.kind == "api_token":
        return AuthStatus(kind="api_token", account=account)
    token = oauth.current()
    user_id = token.user_id if isinstance(token.user_id, int) else None
    listed = token.scopes if isinstance(token.scopes, list) else ()
    scopes = tuple(s for s in listed if isinstance(s, str))
    client_id = token.client_id
    status = AuthStatus(
        kind=auth.kind,
        account=account,
        user_id=user_id,
        client_id=None if client_id is None or isinstance(client_id, Unset) else str(client_id),
        scopes=scopes,
    )
    if isinstance(auth, StoredLoginAuth):
        tokens = auth.login.tokens
        if user_id is not None and auth.login.user_id != user_id:
            with auth.store.locked():
                stored = auth.store.load()
                if stored is not None and stored.tokens.same(tokens):
                    auth.store.save(attrs.evolve(stored, user_id=user_id))
        return attrs.evolve(
            status,
            client_id=auth.login.client_id,
            expires_at=_utc(tokens.expires_at),
            refresh_expires_at=_utc(tokens.refresh_expires_at),
            stored_at=auth.store.path,
        )
    if isinstance(auth, ClientCredentialsAuth) and auth.tokens is not None:
        return attrs.evolve(status, expires_at=_utc(auth.tokens.expires_at))
    return status


def _sync_only(client: object, name: str) -> None:
    if isinstance(client, AsyncClient):
        raise TypeError(
            f"{name}() takes a Client; with an AsyncClient, await aaccess_token(client), or "
            f"call {name}(Client.from_env()) (the same stored login, lock and refresh)"
        )
    if not isinstance(client, Client):
        raise TypeError(f"{name}() takes a zdevents.Client, not {type(client).__name__}")


def access_token(client: Client) -> str:
    """A valid OAuth access token of ``client``, renewed first if it is about to expire
    (what ``zdevents auth token`` prints, for curl and other tools). For an
    :class:`AsyncClient`, ``await aaccess_token(client)``."""
    _sync_only(client, "access_token")
    return client._oauth.access_token()


async def aaccess_token(client: AsyncClient) -> str:
    """:func:`access_token` for an :class:`AsyncClient`: a valid OAuth access token,
    renewed first (single-flight with the client's own requests) if it is about to expire.
    :func:`auth_status` and :func:`logout` are one-shot and take a :class:`Client` only:
    ``Client.from_env()`` shares the stored login, its lock and its refresh."""
    if not isinstance(client, AsyncClient):
        with_client = "; with a Client, access_token()" if isinstance(client, Client) else ""
        raise TypeError(
            f"aaccess_token() takes a zdevents.AsyncClient, not {type(client).__name__}"
            + with_client
        )
    return await client._oauth.access_token()


def logout(client: Client) -> bool:
    """Revoke the stored login ``client`` uses at Zendesk (best effort:
    ``DELETE /api/v2/oauth/tokens/current.json``), then remove it; whether one was stored."""
    _sync_only(client, "logout")
    auth = client._oauth.auth
    if not isinstance(auth, StoredLoginAuth):
        raise ConfigurationError("no stored login is in use")
    # An expired or revoked token, or no network: removed here all the same.
    with contextlib.suppress(ZendeskError):
        client._oauth.revoke()
    with auth.store.locked():
        return auth.store.delete()
