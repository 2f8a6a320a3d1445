"""The users of an account, through Zendesk's cursor-based Incremental User Export.

``GET /api/v2/incremental/users/cursor``: the first request gives ``start_time`` (Unix
seconds), each later one the ``cursor`` of the page before (``after_cursor``); a page with
``end_of_stream`` true holds every user changed up to now, and its ``after_cursor`` is where
the next export starts, so that it reads only the users created or changed since. Admins
only; 10 requests a minute of its own (a 429 with ``Retry-After`` beyond, which the core's
send loop waits through like any other).

The walk is sans-IO, shared by the sync and the async stream. It never follows
``after_url`` (it may name another host): the cursor is re-sent on the configured one. It
stops a server that loops (a cursor sent before), and one that never says
``end_of_stream`` while bringing no user it has not sent already.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs
import msgspec
from zendesk_events_api.api.users import export_users

from ._base_client import Answer, AsyncCore, SyncCore
from ._config import Secret
from ._constants import MAX_USERS_PER_PAGE
from ._event import with_scrubber
from ._failures import error_from_response, request_id_of
from ._pagination import LoopGuard
from ._responses import Headers, RateLimit, rate_limit_of
from ._routes import operation_request
from .errors import BadResponseError, PaginationError, PermissionDeniedError

#: Pages in a row that bring no user not sent already, while the export never ends: past
#: this the server is going round in circles.
MAX_STALE_PAGES = 100

_CURSOR = export_users.CURSOR_PARAM
_START = export_users.START_TIME_PARAM
_PER_PAGE = export_users.PER_PAGE_PARAM
_LARGEST_ID = 2**63 - 1

ADMIN_ONLY = (
    "the incremental user export (discovering every user) is for admins only, and these "
    "credentials are not an admin's"
)


def _user_repr(user: User) -> str:
    # No name or email: they are people's.
    return (
        f"User(id={user.id}, role={user.role!r}, active={user.active}, "
        f"updated_at={user.updated_at!r})"
    )


@attrs.frozen(repr=False)
class User:
    """A Zendesk user as the incremental user export shows it.

    ``id`` is always there; ``name``, ``email``, ``external_id`` (as text) and ``role``
    (``end-user``, ``agent``, ``admin``) are ``None`` when Zendesk leaves them out;
    ``active`` is false for a deleted user; ``created_at``/``updated_at`` are the texts as
    received (``""`` when absent); ``raw`` the user's JSON text exactly as received. The
    repr shows neither the name nor the email.
    """

    id: int
    name: str | None
    email: str | None
    external_id: str | None
    role: str | None
    active: bool
    created_at: str
    updated_at: str
    raw: bytes

    def __repr__(self) -> str:
        return _user_repr(self)


@attrs.frozen(repr=False)
class UserPage:
    """One page of the user export.

    Attributes:
        users: the users of the page, in the order sent.
        after_cursor: the cursor of the next page; on the last page (``end_of_stream``),
            where the next export starts. Keep it.
        end_of_stream: whether this page holds every user changed up to now.
        request_id: Zendesk's id of the request.
        headers: the response headers.
    """

    users: list[User]
    after_cursor: str | None
    end_of_stream: bool
    request_id: str | None = None
    headers: Headers = attrs.field(factory=Headers)

    @property
    def rate_limit(self) -> RateLimit | None:
        """The account's rate limit announced with the page (``X-Rate-Limit``), or ``None``."""
        return rate_limit_of(self.headers)

    def __len__(self) -> int:
        return len(self.users)

    def __iter__(self) -> Iterator[User]:
        return iter(self.users)

    def __repr__(self) -> str:
        return (
            f"UserPage({len(self.users)} users, end_of_stream={self.end_of_stream}, "
            f"request_id={self.request_id!r})"
        )


class _Body(msgspec.Struct):
    users: list[msgspec.Raw]
    end_of_stream: bool | None = None
    after_cursor: str | None = None
    after_url: str | None = None


class _Fields(msgspec.Struct):
    id: int
    name: str | None = None
    email: str | None = None
    external_id: str | int | None = None
    role: str | None = None
    active: bool = True
    created_at: str | None = None
    updated_at: str | None = None


_BODY = msgspec.json.Decoder(_Body)
_FIELDS = msgspec.json.Decoder(_Fields)


def _user(raw: bytes, number: int) -> User:
    try:
        fields = _FIELDS.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        # Not quoted: it holds a person's name and email.
        raise BadResponseError(
            f"user {number} of the export page is not a user object with an integer id "
            "(and text name, email, role, a boolean active)"
        ) from None
    if not 1 <= fields.id <= _LARGEST_ID:
        raise BadResponseError(f"user {number} of the export page has the id {fields.id}")
    external = fields.external_id
    return User(
        id=fields.id,
        name=fields.name,
        email=fields.email,
        external_id=None if external is None else str(external),
        role=fields.role,
        active=fields.active,
        created_at=fields.created_at or "",
        updated_at=fields.updated_at or "",
        raw=raw,
    )


def _cursor_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        pairs = parse_qsl(urlsplit(url).query)
    except ValueError:
        return None
    found = [value for name, value in pairs if name == _CURSOR and value]
    return found[0] if len(found) == 1 else None


def decode_users(answer: Answer, secret: Secret | None = None) -> UserPage:
    """A 200 of the export as a :class:`UserPage`."""
    if answer.status_code != 200:
        raise error_from_response(answer, secret)
    try:
        body = _BODY.decode(answer.content)
    except (msgspec.DecodeError, RecursionError):
        raise BadResponseError(
            f"the user export page is not a JSON object with a 'users' list "
            f"({len(answer.content):,} bytes)"
        ) from None
    if body.end_of_stream is None:
        raise BadResponseError("the user export page has no 'end_of_stream'")
    users = []
    for number, item in enumerate(body.users, 1):
        users.append(_user(bytes(item), number))
    cursor = body.after_cursor or _cursor_of(body.after_url)
    if cursor is not None and secret is not None and secret.shows_in(cursor):
        # A hostile server echoing the credentials: never kept (sync stores the cursor).
        raise BadResponseError("the user export's cursor holds the client's credentials")
    return UserPage(
        users=users,
        after_cursor=cursor,
        end_of_stream=body.end_of_stream,
        request_id=request_id_of(answer, secret),
        headers=with_scrubber([Headers(answer.headers)], secret)[0],
    )


def start_seconds(start_time: int | dt.datetime | dt.date | None) -> int:
    """``start_time`` as Unix seconds (``None``: 0, every user)."""
    if start_time is None:
        return 0
    if isinstance(start_time, dt.datetime):
        if start_time.tzinfo is None:
            raise ValueError("start_time must be an aware datetime (or Unix seconds)")
        seconds = int(start_time.timestamp())
    elif isinstance(start_time, dt.date):
        seconds = int(dt.datetime(*start_time.timetuple()[:3], tzinfo=dt.UTC).timestamp())
    elif isinstance(start_time, int) and not isinstance(start_time, bool):
        seconds = start_time
    else:
        raise TypeError(
            f"start_time must be Unix seconds, a date or an aware datetime, not "
            f"{type(start_time).__name__}"
        )
    if seconds < 0:
        raise ValueError(f"start_time={seconds} is before 1970")
    return seconds


class UserWalk:
    """Which request comes next in one export, and the guards against a looping server."""

    def __init__(
        self,
        start_time: int | dt.datetime | dt.date | None,
        cursor: str | None,
        per_page: int | None,
    ) -> None:
        if cursor is not None and start_time is not None:
            raise ValueError("give start_time (a new export) or cursor (going on), not both")
        if cursor is not None and (not isinstance(cursor, str) or not cursor.strip()):
            raise ValueError("cursor must be a non-empty cursor string (UserPage.after_cursor)")
        if per_page is not None:
            if isinstance(per_page, bool) or not isinstance(per_page, int):
                raise TypeError(f"per_page must be an int, not {type(per_page).__name__}")
            if not 1 <= per_page <= MAX_USERS_PER_PAGE:
                raise ValueError(f"per_page={per_page!r} is outside 1..{MAX_USERS_PER_PAGE}")
        self._guard = LoopGuard()
        self._per_page = per_page
        self._seen: set[int] = set()
        self._stale = 0
        if cursor is not None:
            self._guard.see(cursor)
            self.first = self._request(cursor=cursor)
        else:
            self.first = self._request(start_time=start_seconds(start_time))

    def _request(self, **arguments: Any) -> dict[str, Any]:
        request = operation_request(export_users, per_page=self._per_page, **arguments)
        return {"url": request["url"], "params": request["params"]}

    def advance(self, page: UserPage) -> dict[str, Any] | None:
        """The request after ``page``, or ``None`` at the end of the stream."""
        if page.end_of_stream:
            return None
        fresh = [user.id for user in page.users if user.id not in self._seen]
        self._seen.update(fresh)
        self._stale = 0 if fresh else self._stale + 1
        if self._stale > MAX_STALE_PAGES:
            raise PaginationError(
                f"{MAX_STALE_PAGES} pages of the user export in a row brought no new user "
                "and it never said end_of_stream; giving up"
            )
        cursor = page.after_cursor
        if cursor is None:
            raise PaginationError(
                "the user export says more users follow (end_of_stream is false) but gave no cursor"
            )
        try:
            self._guard.see(cursor)
        except PaginationError:
            raise PaginationError(
                "the user export sent a cursor it sent before; stopping a loop"
            ) from None
        return self._request(cursor=cursor)


def _admin_only(exc: PermissionDeniedError) -> PermissionDeniedError:
    error = PermissionDeniedError(
        f"{ADMIN_ONLY} ({exc})",
        status_code=exc.status_code,
        errors=exc.errors,
        request_id=exc.request_id,
        body=exc.body,
        retry_after=exc.retry_after,
    )
    return error


class UserStream:
    """The users of one export: iterate for users, or call :meth:`pages` for pages.

    Lazy: nothing is sent before iteration starts; one page is held at a time; each
    iteration starts again from the same ``start_time`` or ``cursor``. Made by
    :meth:`Client.users`, not constructed by users (its constructor takes the client's own
    parts).
    """

    def __init__(self, core: SyncCore, walk_args: tuple[Any, ...]) -> None:
        self._core = core
        self._walk_args = walk_args
        UserWalk(*walk_args)  # invalid arguments raise here, before any request

    def pages(self) -> Iterator[UserPage]:
        """Yield one :class:`UserPage` at a time, to the end of the stream."""
        walk = UserWalk(*self._walk_args)
        request: dict[str, Any] | None = walk.first
        secret = self._core.scrubber

        def decode(answer: Answer) -> UserPage:
            return decode_users(answer, secret)

        while request is not None:
            try:
                page = self._core.send(
                    "GET", request["url"], params=request["params"], decode=decode
                )
            except PermissionDeniedError as exc:
                raise _admin_only(exc) from None
            yield page
            request = walk.advance(page)

    def __iter__(self) -> Iterator[User]:
        for page in self.pages():
            yield from page.users

    def __repr__(self) -> str:
        return f"<UserStream from {str(self._core.base_url)!r}>"


class AsyncUserStream:
    """The users of one export for ``async for``; :meth:`pages` for pages. Made by
    :meth:`AsyncClient.users`, not constructed by users (as :class:`UserStream`)."""

    def __init__(self, core: AsyncCore, walk_args: tuple[Any, ...]) -> None:
        self._core = core
        self._walk_args = walk_args
        UserWalk(*walk_args)

    async def pages(self) -> AsyncIterator[UserPage]:
        """Yield one :class:`UserPage` at a time, to the end of the stream."""
        walk = UserWalk(*self._walk_args)
        request: dict[str, Any] | None = walk.first
        secret = self._core.scrubber

        def decode(answer: Answer) -> UserPage:
            return decode_users(answer, secret)

        while request is not None:
            try:
                page = await self._core.send(
                    "GET", request["url"], params=request["params"], decode=decode
                )
            except PermissionDeniedError as exc:
                raise _admin_only(exc) from None
            yield page
            request = walk.advance(page)

    async def __aiter__(self) -> AsyncIterator[User]:
        async for page in self.pages():
            for user in page.users:
                yield user

    def __repr__(self) -> str:
        return f"<AsyncUserStream from {str(self._core.base_url)!r}>"
