"""Credentials and the ``Authorization`` header: the one place a request gets them.

Four kinds, one interface (:class:`Auth`): an API token or an OAuth bearer given as it is
(never renewed), OAuth client credentials (a token minted, cached and minted again shortly
before it expires), and the login stored by ``zdevents auth login`` (refreshed ahead of
expiry; Zendesk rotates the pair on refresh, so the refresh happens under a lock that holds
across threads, tasks and processes, the store is read again under it, and the new pair is
written atomically before it is used).

Token requests are built here (through the generated package) and sent by the client core
(``_client``), which passes its ``send`` in; the renewal logic is written once, as a generator
of requests that a synchronous and an asynchronous driver run.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import math
import os
import re
import secrets
import stat
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any

import attrs
import httpx
from zendesk_events_api.api.oauth import (
    create_token,
    revoke_current_token,
    show_current_token,
)
from zendesk_events_api.models import (
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    RefreshTokenGrant,
    TokenResponse,
)

from ._config import Secret, _text, authorization, same_origin
from ._constants import (
    ACCESS_TOKEN_SECONDS,
    DEFAULT_SCOPE,
    REFRESH_TOKEN_SECONDS,
    RENEW_AHEAD_SECONDS,
)
from ._routes import Request, operation_request
from .errors import (
    APIError,
    AuthenticationError,
    BadResponseError,
    ConfigurationError,
    PermissionDeniedError,
)

logger = logging.getLogger("zdevents")

#: The day every Zendesk API token stops working.
API_TOKEN_END = "2027-04-30"  # noqa: S105 -- a date
API_TOKEN_NOTICE = (
    f"API tokens stop working on {API_TOKEN_END} (none can be created since 2026-10-27): "
    "move to OAuth with `zdevents auth login` at a terminal, or ZENDESK_OAUTH_CLIENT_ID with "
    "ZENDESK_OAUTH_CLIENT_SECRET for cron and CI (see the README)"
)
#: The ``extra`` key of the API-token warning record (the command line prints it its way).
NOTICE_KEY = "zdevents_notice"
_KEEP_TOKENS = 16  # old tokens the scrubber keeps knowing after rotation (echoes come late)

_warned = False
_warn_lock = threading.Lock()


def warn_api_token_once() -> None:
    """Log :data:`API_TOKEN_NOTICE` as a warning, once per process."""
    global _warned
    with _warn_lock:
        if _warned:
            return
        _warned = True
    logger.warning(API_TOKEN_NOTICE, extra={NOTICE_KEY: "api_token_end"})


class Scrubber(Secret):
    """Every secret a client uses or used lately, for ``scrub_text`` (the interface of
    :class:`Secret`, which it stands for): the client secret, every access and refresh
    token since rotation. It reveals nothing."""

    def __init__(self, *fixed: Secret) -> None:
        super().__init__("")
        self._fixed = tuple(fixed)
        self._rotating: list[Secret] = []
        self._lock = threading.Lock()

    def add(self, secret: Secret) -> None:
        with self._lock:
            self._rotating = [*self._rotating, secret][-_KEEP_TOKENS:]

    def scrub_text(self, text: str) -> str:
        for secret in (*self._fixed, *self._rotating):
            text = secret.scrub_text(text)
        return text

    def shows_in(self, text: str) -> bool:
        return any(secret.shows_in(text) for secret in (*self._fixed, *self._rotating))

    def reveal(self) -> str:
        raise TypeError("a Scrubber holds many secrets and reveals none")


# --------------------------------------------------------------------------- tokens


@attrs.frozen(repr=False)
class Tokens:
    """An access token with its absolute expiry (epoch seconds, ``None``: unknown) and, for
    a login, the refresh token it rotates with."""

    access: Secret
    obtained_at: float
    expires_at: float | None
    refresh: Secret | None = None
    refresh_expires_at: float | None = None
    scope: str | None = None

    @property
    def header(self) -> Secret:
        token = self.access.reveal()
        return Secret(f"Bearer {token}", token)

    def renew_at(self) -> float | None:
        """When to renew: shortly before expiry."""
        if self.expires_at is None:
            return None
        life = max(0.0, self.expires_at - self.obtained_at)
        return self.expires_at - min(RENEW_AHEAD_SECONDS, life / 10)

    def usable(self, now: float) -> bool:
        renew_at = self.renew_at()
        return renew_at is None or now < renew_at

    def same(self, other: Tokens | None) -> bool:
        return other is not None and secrets.compare_digest(
            self.access.reveal(), other.access.reveal()
        )

    def __repr__(self) -> str:
        return f"Tokens(expires_at={self.expires_at!r}, scope={self.scope!r})"


def _token(name: str, value: object) -> Secret:
    try:
        return Secret(_text(name, value, ascii_only=True))
    except ConfigurationError:
        raise BadResponseError(f"the token endpoint sent no usable {name}") from None


def tokens_from(body: object, now: float, previous: Tokens | None = None) -> Tokens:
    """The tokens of a token-endpoint answer, with absolute expiries from ``now``."""
    if not isinstance(body, dict):
        raise BadResponseError("the token endpoint's answer is not a JSON object")
    try:
        parsed = TokenResponse.from_dict(body)
    except (KeyError, TypeError, ValueError):
        raise BadResponseError(
            "the token endpoint's answer lacks access_token or token_type"
        ) from None
    # The generated model does not check types: each value is checked here.
    access = _token("access_token", parsed.access_token)
    refresh: Secret | None = None
    if isinstance(parsed.refresh_token, str):
        refresh = _token("refresh_token", parsed.refresh_token)
    elif previous is not None:
        refresh = previous.refresh  # an answer without one keeps the current one
    scope = parsed.scope if isinstance(parsed.scope, str) else None

    def at(seconds: object) -> float | None:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            return None
        if not math.isfinite(seconds) or seconds <= 0:
            return None  # NaN would make the token unusable at once: one mint per request
        return now + float(min(seconds, 10 * 365 * 86_400))

    refresh_at = at(parsed.refresh_token_expires_in)
    if refresh_at is None and previous is not None and refresh is previous.refresh:
        refresh_at = previous.refresh_expires_at
    return Tokens(access, now, at(parsed.expires_in), refresh, refresh_at, scope)


def token_request(
    grant: AuthorizationCodeGrant | ClientCredentialsGrant | RefreshTokenGrant,
) -> Request:
    return operation_request(create_token, body=grant)


def current_token_request() -> Request:
    return operation_request(show_current_token)


def revoke_request() -> Request:
    return operation_request(revoke_current_token)


#: What to do about each refusal of the token endpoint (RFC 6749 codes).
_REFUSALS = {
    "invalid_client": "check the OAuth client id and secret (ZENDESK_OAUTH_CLIENT_ID, "
    "ZENDESK_OAUTH_CLIENT_SECRET, or oauth_client_id=/oauth_client_secret=) against the "
    "client in Admin Center > Apps and integrations > APIs > OAuth clients",
    "invalid_grant": "the code, token or credentials were refused (expired, revoked or "
    "used already); run `zdevents auth login` again",
    "invalid_scope": "the client may not ask for that scope: change ZENDESK_OAUTH_SCOPE "
    "(oauth_scope=, or --scope of `zdevents auth login`), or the client's allowed scopes",
    "unsupported_grant_type": "this OAuth client cannot use that grant: client credentials "
    "need a confidential client, `zdevents auth login` a public (or confidential) one",
    "unauthorized_client": "this OAuth client cannot use that grant: client credentials "
    "need a confidential client, `zdevents auth login` a public (or confidential) one",
}


def refusal(exc: APIError, scrubber: Scrubber) -> Exception:
    """A token-endpoint 4xx as one line naming the OAuth error code and what to do."""
    items = exc.errors or []
    code = None
    if items and isinstance(items[0].get("title"), str):
        code = items[0]["title"]
    if code is None or not re.fullmatch(r"[a-z_]{1,40}", code):
        return exc
    advice = _REFUSALS.get(code, "check the OAuth client's settings in Admin Center")
    message = scrubber.scrub_text(f"the token endpoint refused: {code}: {advice}")
    if code in ("invalid_client", "invalid_grant"):
        return AuthenticationError(
            message, status_code=exc.status_code, errors=items, request_id=exc.request_id
        )
    return ConfigurationError(message)


# --------------------------------------------------------------------------- the store


def _account_key(base_url: httpx.URL) -> str:
    host = base_url.host.lower()
    key = host if base_url.port is None else f"{host}_{base_url.port}"
    return re.sub(r"[^a-z0-9._-]", "_", key)


@attrs.frozen(repr=False)
class StoredLogin:
    """What ``zdevents auth login`` saved for one account."""

    account: str
    client_id: str
    tokens: Tokens
    user_id: int | None = None

    def to_json(self) -> str:
        t = self.tokens
        return json.dumps(
            {
                "version": 1,
                "account": self.account,
                "client_id": self.client_id,
                "user_id": self.user_id,
                "scope": t.scope,
                "access_token": t.access.reveal(),
                "obtained_at": t.obtained_at,
                "expires_at": t.expires_at,
                "refresh_token": None if t.refresh is None else t.refresh.reveal(),
                "refresh_token_expires_at": t.refresh_expires_at,
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str, where: str) -> StoredLogin:
        broken = ConfigurationError(
            f"{where} is not a zdevents login: remove it and run `zdevents auth login`"
        )
        try:
            data = json.loads(text)
            refresh = data.get("refresh_token")
            tokens = Tokens(
                access=Secret(_text("access_token", data["access_token"], ascii_only=True)),
                obtained_at=float(data["obtained_at"]),
                expires_at=None if data["expires_at"] is None else float(data["expires_at"]),
                refresh=None if refresh is None else Secret(_text("refresh_token", refresh)),
                refresh_expires_at=(
                    None
                    if data.get("refresh_token_expires_at") is None
                    else float(data["refresh_token_expires_at"])
                ),
                scope=data.get("scope"),
            )
            user_id = data.get("user_id")
            return cls(
                account=str(data["account"]),
                client_id=_text("client_id", data["client_id"]),
                tokens=tokens,
                user_id=user_id if isinstance(user_id, int) else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise broken from None

    def __repr__(self) -> str:
        return f"StoredLogin(account={self.account!r}, client_id={self.client_id!r})"


class LoginStore:
    """The stored login of one account: ``HOME/logins/<host>[_<port>].json``, readable by
    its owner only (file 0600, folders 0700), written atomically, locked across processes
    with ``flock`` on ``<file>.lock`` beside it."""

    def __init__(self, home: str, base_url: httpx.URL) -> None:
        self.home = home
        self.directory = os.path.join(home, "logins")
        self.path = os.path.join(self.directory, _account_key(base_url) + ".json")
        self.lock_path = self.path + ".lock"
        self.account = str(base_url).rstrip("/")

    def exists(self) -> bool:
        return os.path.lexists(self.path)

    def _check_private(
        self, path: str, *, folder: bool, info: os.stat_result | None = None
    ) -> None:
        if info is None:
            try:
                info = os.stat(path)
            except FileNotFoundError:
                return
        mode = stat.S_IMODE(info.st_mode)
        fix = f"chmod {'700' if folder else '600'} {path}"
        if info.st_uid != os.getuid():
            raise ConfigurationError(
                f"{path} belongs to another user: refusing a login others control "
                f"(remove it and run `zdevents auth login`)"
            )
        if mode & 0o077:
            raise ConfigurationError(
                f"permissions {mode:04o} for {path} are too open: a login must be readable "
                f"by its owner only; run `{fix}` (or remove it and run `zdevents auth login`)"
            )

    def load(self) -> StoredLogin | None:
        """The stored login, or ``None``; a store readable by others, or that is no regular
        file (a FIFO would hang the read, a directory fail it), is refused."""
        self._check_private(self.directory, folder=True)
        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer.
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigurationError(f"cannot read {self.path}: {exc.strerror}") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise ConfigurationError(
                f"{self.path} is not a regular file: remove it and run `zdevents auth login`"
            )
        with os.fdopen(fd, "rb") as file:
            self._check_private(self.path, folder=False, info=info)
            try:
                data = file.read(1 << 20)
            except OSError as exc:
                raise ConfigurationError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        return self._check_account(StoredLogin.from_json(text, self.path))

    def _check_account(self, login: StoredLogin) -> StoredLogin:
        # A login copied or renamed by hand must not send its tokens to another host.
        try:
            same = same_origin(httpx.URL(login.account), httpx.URL(self.account))
        except (httpx.InvalidURL, TypeError):
            same = False
        if not same:
            raise ConfigurationError(
                f"{self.path} holds the login of {login.account[:200]!r}, not of "
                f"{self.account}: refusing to send its tokens there; remove it and run "
                "`zdevents auth login`"
            )
        return login

    def _make_folders(self) -> None:
        for folder in (self.home, self.directory):
            os.makedirs(folder, mode=0o700, exist_ok=True)
        self._check_private(self.directory, folder=True)

    def save(self, login: StoredLogin) -> None:
        """Write ``login`` atomically: a temporary file (0600) beside the store, fsync,
        rename over the store, fsync of the folder."""
        self._make_folders()
        temp = f"{self.path}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(login.to_json())
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        self._remove_leftovers()
        _fsync_folder(self.directory)

    def _remove_leftovers(self) -> None:
        # Saves run under the lock: any temporary file of this store is one a killed save
        # left behind, with tokens in it (dead or alive); none should outlive the next save.
        prefix = os.path.basename(self.path) + "."
        with contextlib.suppress(OSError):
            for name in os.listdir(self.directory):
                if name.startswith(prefix) and re.fullmatch(
                    r"\d+\.[0-9a-f]{8}\.tmp", name[len(prefix) :]
                ):
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(self.directory, name))

    def delete(self) -> bool:
        """Remove the stored login (and what killed saves left); whether there was one."""
        self._remove_leftovers()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            return False
        _fsync_folder(self.directory)
        return True

    def _open_lock(self) -> int:
        self._make_folders()
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
        try:
            fd = os.open(self.lock_path, flags, 0o600)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot open the lock {self.lock_path}: {exc.strerror} (it must be a regular "
                "file: remove it)"
            ) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise ConfigurationError(f"the lock {self.lock_path} is not a regular file: remove it")
        return fd

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the account's lock (other threads and processes wait)."""
        fd = self._open_lock()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the last descriptor releases the lock

    @contextlib.asynccontextmanager
    async def alocked(self) -> AsyncIterator[None]:
        fd = self._open_lock()
        try:
            # flock blocks: wait for it in a thread, not in the event loop.
            await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


#: The keyring service the logins are stored under (the account URL is the user name).
KEYRING_SERVICE = "zdevents"


def _keyring() -> Any:
    try:
        import keyring
    except ImportError:
        raise ConfigurationError(
            "ZDEVENTS_LOGIN_STORE=keyring needs the keyring extra: "
            "pip install 'zdevents[keyring]' (or unset it to store logins in files)"
        ) from None
    return keyring


class KeyringLoginStore(LoginStore):
    """The login of one account in the OS keyring (service ``zdevents``, the account URL as
    user name), chosen with ``ZDEVENTS_LOGIN_STORE=keyring``. Its lock stays a file under
    ``HOME/logins`` so that refreshes are single-flight across processes as with files."""

    def __init__(self, home: str, base_url: httpx.URL) -> None:
        super().__init__(home, base_url)
        self._keyring = _keyring()
        self.path = f"the OS keyring (service {KEYRING_SERVICE!r}, user {self.account!r})"

    def _call(self, what: str, *args: str) -> Any:
        try:
            return getattr(self._keyring, what)(KEYRING_SERVICE, self.account, *args)
        except self._keyring.errors.PasswordDeleteError:
            raise
        except Exception as exc:  # any backend's failure: one line, never its details
            raise ConfigurationError(
                f"the OS keyring failed ({type(exc).__name__}) for {self.path}: check the "
                "keyring backend, or unset ZDEVENTS_LOGIN_STORE to store logins in files"
            ) from None

    def exists(self) -> bool:
        return self._call("get_password") is not None

    def load(self) -> StoredLogin | None:
        text = self._call("get_password")
        if text is None:
            return None
        return self._check_account(StoredLogin.from_json(text, self.path))

    def save(self, login: StoredLogin) -> None:
        self._call("set_password", login.to_json())

    def delete(self) -> bool:
        try:
            self._call("delete_password")
        except self._keyring.errors.PasswordDeleteError:
            return False
        return True


def login_store(home: str, base_url: httpx.URL, kind: str = "file") -> LoginStore:
    """The store of ``base_url``'s login: files under ``home`` or the OS keyring."""
    return KeyringLoginStore(home, base_url) if kind == "keyring" else LoginStore(home, base_url)


def _fsync_folder(folder: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------------- the kinds

#: A token request sent through the client core, answered with the decoded JSON body.
Send = Callable[[Request], Any]
ASend = Callable[[Request], Awaitable[Any]]
#: The renewal logic: yields requests, is sent their JSON answers (or thrown their errors).
Steps = Generator[Request, Any, None]


class Auth:
    """The credentials of a client: its ``Authorization`` header, renewed when it can be."""

    kind: str = ""
    renewable = False

    def __init__(self, scrubber: Scrubber) -> None:
        self.scrubber = scrubber

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.kind!r}>"

    def header(self, send: Send) -> str:
        raise NotImplementedError

    async def aheader(self, send: ASend) -> str:
        raise NotImplementedError

    def renew(self, send: Send, used: str) -> None:
        """After a 401 with header ``used``: get another token (or take one another
        thread or process got meanwhile)."""

    async def arenew(self, send: ASend, used: str) -> None:
        """The asyncio twin of :meth:`renew`."""

    def explain(self, error: Exception) -> Exception:
        """A 403 naming a missing scope, with what to change to get it."""
        if not isinstance(error, PermissionDeniedError) or "scope" not in str(error).lower():
            return error
        advice = self.scope_advice()
        if advice is None:
            return error
        return PermissionDeniedError(
            f"{error} ({advice})",
            status_code=error.status_code,
            errors=error.errors,
            request_id=error.request_id,
            body=error.body,
            retry_after=error.retry_after,
        )

    def scope_advice(self) -> str | None:
        return None


class StaticAuth(Auth):
    """An API token or an OAuth bearer, used as given: zdevents cannot renew it."""

    def __init__(self, kind: str, secret: Secret) -> None:
        super().__init__(Scrubber(secret))
        self.kind = kind
        self._secret = secret

    def header(self, send: Send) -> str:
        return self._secret.reveal()

    async def aheader(self, send: ASend) -> str:
        return self._secret.reveal()

    def scope_advice(self) -> str | None:
        if self.kind == "oauth":
            return "ZENDESK_OAUTH_TOKEN (oauth_token=) lacks that scope: use a token with it"
        return None


class _Renewing(Auth):
    """A token obtained through the token endpoint, renewed single-flight."""

    renewable = True

    def __init__(self, scrubber: Scrubber, clock: Callable[[], float] = time.time) -> None:
        super().__init__(scrubber)
        self.clock = clock
        self.tokens: Tokens | None = None
        self._lock = threading.Lock()
        self._alocks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def _adopt(self, tokens: Tokens) -> None:
        self.scrubber.add(tokens.access)
        if tokens.refresh is not None:
            self.scrubber.add(tokens.refresh)
        self.tokens = tokens

    def _usable(self) -> Tokens | None:
        tokens = self.tokens
        return tokens if tokens is not None and tokens.usable(self.clock()) else None

    def _steps(self, used: str | None) -> Steps:
        raise NotImplementedError

    def _alock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._alocks.get(loop)
        if lock is None:
            lock = self._alocks[loop] = asyncio.Lock()
        return lock

    # The cross-process part: nothing for client credentials (each process mints its own).
    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        yield

    @contextlib.asynccontextmanager
    async def _aheld(self) -> AsyncIterator[None]:
        yield

    def _run(self, send: Send, used: str | None) -> None:
        with self._lock, self._held():
            if used is None and self._usable() is not None:
                return  # another thread renewed while this one waited
            if used is not None and not self._stale(used):
                return
            _drive(self._steps(used), send, self.scrubber)

    async def _arun(self, send: ASend, used: str | None) -> None:
        async with self._alock(), self._aheld():
            if used is None and self._usable() is not None:
                return
            if used is not None and not self._stale(used):
                return
            await _adrive(self._steps(used), send, self.scrubber)

    def _stale(self, used: str) -> bool:
        tokens = self.tokens
        return tokens is None or secrets.compare_digest(tokens.header.reveal(), used)

    def header(self, send: Send) -> str:
        tokens = self._usable()
        if tokens is None:
            self._run(send, None)
            tokens = self.tokens
            assert tokens is not None
        return tokens.header.reveal()

    async def aheader(self, send: ASend) -> str:
        tokens = self._usable()
        if tokens is None:
            await self._arun(send, None)
            tokens = self.tokens
            assert tokens is not None
        return tokens.header.reveal()

    def renew(self, send: Send, used: str) -> None:
        self._run(send, used)

    async def arenew(self, send: ASend, used: str) -> None:
        await self._arun(send, used)


def _drive(steps: Steps, send: Send, scrubber: Scrubber) -> None:
    try:
        request = next(steps)
        while True:
            try:
                answer = send(request)
            except APIError as exc:
                request = steps.throw(_as_refusal(exc, scrubber))
            else:
                request = steps.send(answer)
    except StopIteration:
        return


async def _adrive(steps: Steps, send: ASend, scrubber: Scrubber) -> None:
    try:
        request = next(steps)
        while True:
            try:
                answer = await send(request)
            except APIError as exc:
                request = steps.throw(_as_refusal(exc, scrubber))
            else:
                request = steps.send(answer)
    except StopIteration:
        return


def _as_refusal(exc: APIError, scrubber: Scrubber) -> Exception:
    if 400 <= exc.status_code < 500 and exc.status_code != 429:
        return refusal(exc, scrubber)
    return exc


class ClientCredentialsAuth(_Renewing):
    """OAuth client credentials: a token minted with the client's id and secret."""

    kind = "client_credentials"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id = _text("oauth_client_id", client_id)
        self._secret = Secret(_text("oauth_client_secret", client_secret, ascii_only=True))
        self.scope = (
            DEFAULT_SCOPE if scope is None else " ".join(_text("oauth_scope", scope).split())
        )
        super().__init__(Scrubber(self._secret), clock)

    def _steps(self, used: str | None) -> Steps:
        grant = ClientCredentialsGrant(
            grant_type="client_credentials",
            client_id=self.client_id,
            client_secret=self._secret.reveal(),
            scope=self.scope,
            expires_in=ACCESS_TOKEN_SECONDS,
        )
        now = self.clock()
        answer = yield token_request(grant)
        self._adopt(tokens_from(answer, now))
        logger.info("minted an OAuth token (client credentials)")

    def scope_advice(self) -> str | None:
        return f"the token has scope {self.scope!r}: set ZENDESK_OAUTH_SCOPE (oauth_scope=)"


class StoredLoginAuth(_Renewing):
    """The login ``zdevents auth login`` stored for an account, refreshed with rotation."""

    kind = "login"

    def __init__(self, store: LoginStore, clock: Callable[[], float] = time.time) -> None:
        super().__init__(Scrubber(), clock)
        self.store = store
        login = store.load()
        if login is None:
            raise ConfigurationError(
                f"no stored login for {store.account}: run `zdevents auth login`"
            )
        self.login = login
        self._adopt(login.tokens)

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        with self.store.locked():
            yield

    @contextlib.asynccontextmanager
    async def _aheld(self) -> AsyncIterator[None]:
        async with self.store.alocked():
            yield

    def _expired(self) -> AuthenticationError:
        return AuthenticationError(
            f"the login for {self.store.account} expired or was revoked: run `zdevents auth login`",
            status_code=401,
        )

    def _take(self, login: StoredLogin) -> None:
        self.login = login
        self._adopt(login.tokens)

    def _steps(self, used: str | None) -> Steps:
        # Under the lock: what another process stored since is the truth.
        stored = self.store.load()
        if stored is None:
            raise ConfigurationError(
                f"the login for {self.store.account} was removed ({self.store.path}): "
                "run `zdevents auth login`"
            )
        now = self.clock()
        fresh = stored.tokens
        rotated = not fresh.same(self.tokens)
        if rotated and fresh.usable(now) and (used is None or fresh.header.reveal() != used):
            self._take(stored)  # another process refreshed: its pair is the one alive
            return
        refresh = fresh.refresh
        if refresh is None or (
            fresh.refresh_expires_at is not None and now >= fresh.refresh_expires_at
        ):
            raise self._expired()
        grant = RefreshTokenGrant(
            grant_type="refresh_token",
            refresh_token=refresh.reveal(),
            client_id=stored.client_id,
            expires_in=ACCESS_TOKEN_SECONDS,
            refresh_token_expires_in=REFRESH_TOKEN_SECONDS,
        )
        self.scrubber.add(refresh)
        try:
            answer = yield token_request(grant)
        except AuthenticationError as exc:
            if not any(item.get("title") == "invalid_grant" for item in exc.errors):
                raise  # invalid_client: the client's settings, not the login
            # invalid_grant: maybe another process rotated after we read the store.
            again = self.store.load()
            if again is not None and not again.tokens.same(fresh) and again.tokens.usable(now):
                self._take(again)
                return
            raise self._expired() from None
        tokens = tokens_from(answer, now, previous=fresh)
        login = attrs.evolve(stored, tokens=tokens)
        self.scrubber.add(tokens.access)
        _save_whatever_happens(self.store, login)  # before the new pair is used for anything
        self._take(login)
        logger.info("refreshed the stored OAuth login for %s", self.store.account)

    def scope_advice(self) -> str | None:
        return "log in again with the scope it needs: zdevents auth login --scope 'read write'"


def _save_whatever_happens(store: LoginStore, login: StoredLogin) -> None:
    """Save a rotated pair even if Ctrl-C (or another signal raised as an exception) lands
    meanwhile: Zendesk already killed the old pair, so a save given up is a lost login. The
    save runs in a thread of its own (signals are raised in the main thread); an interrupt
    waits for it to finish, then goes on."""
    failed: list[BaseException] = []
    done = threading.Event()

    def save() -> None:
        try:
            store.save(login)
        except BaseException as exc:
            failed.append(exc)
        finally:
            done.set()

    # Waited for with an Event, not Thread.join: an interrupted join (CPython 3.11) can mark
    # the thread finished while it runs, and the process then exits without it.
    threading.Thread(target=save, name="zdevents-save-login").start()
    try:
        done.wait()
    except BaseException:
        while not done.is_set():
            with contextlib.suppress(BaseException):
                done.wait()
        raise
    if failed:
        raise failed[0]


def resolve_auth(
    *,
    email: str | None,
    api_token: str | None,
    oauth_token: str | None,
    oauth_client_id: str | None,
    oauth_client_secret: str | None,
    oauth_scope: str | None,
) -> Auth:
    """The credentials a client was given, of exactly one kind."""
    client = oauth_client_id is not None or oauth_client_secret is not None
    if client:
        if email is not None or api_token is not None or oauth_token is not None:
            raise ConfigurationError(
                "give one kind of credentials: oauth_client_id with oauth_client_secret, "
                "oauth_token, or email with api_token"
            )
        if oauth_client_id is None or oauth_client_secret is None:
            raise ConfigurationError(
                "oauth_client_id and oauth_client_secret go together (client credentials); "
                "for a person at a terminal, run `zdevents auth login` instead"
            )
        return ClientCredentialsAuth(oauth_client_id, oauth_client_secret, oauth_scope)
    if oauth_scope is not None:
        raise ConfigurationError(
            "oauth_scope applies only with oauth_client_id/oauth_client_secret"
        )
    kind, secret = authorization(email, api_token, oauth_token)
    if kind == "api_token":
        warn_api_token_once()
    return StaticAuth(kind, secret)
