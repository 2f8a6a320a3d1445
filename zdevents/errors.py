"""Exceptions raised by zdevents.

Every exception zdevents raises on purpose derives from :class:`ZendeskError`, except
``ValueError`` (and ``TypeError``) for invalid arguments, which are raised before any request
is sent. :class:`ConfigurationError` is both: a ``ZendeskError`` and a ``ValueError``.

Exceptions never hold the request (its headers carry credentials) and their messages never
contain a secret::

    from zdevents import Client, errors

    try:
        events = list(client.events(user_id=85211553))
    except errors.NotFoundError:
        events = []
    except errors.RateLimitError as exc:
        print("try again in", exc.retry_after, "seconds")
    except errors.ZendeskError as exc:
        print("failed:", exc)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BadResponseError",
    "ClientClosedError",
    "ConfigurationError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "SyncError",
    "SyncLockedError",
    "SyncSchemaError",
    "ZendeskError",
]


class ZendeskError(Exception):
    """Base class of every error zdevents raises about the API, the network or the data.

    Exceptions describe what happened; whether trying again may help is
    :func:`zdevents.is_transient`'s to say.
    """

    #: For an error raised by ``events_many``/``pages_many``: the selector whose export
    #: failed, as it was given; ``None`` otherwise.
    selector: Any = None


class ConfigurationError(ZendeskError, ValueError):
    """Missing or invalid settings: credentials, subdomain, base URL, environment variables."""


class ClientClosedError(ZendeskError):
    """A request through a client after :meth:`~zdevents.Client.close` (or the end of its
    ``with`` block), or through a ``http_client`` that was closed. Nothing was sent."""


class APIError(ZendeskError):
    """Zendesk answered with an error status.

    Attributes:
        status_code: the HTTP status code (any integer, also non-standard ones such as 520).
        errors: the error objects of the body, normalised to a list of dicts (empty when the
            body was not JSON).
        request_id: Zendesk's request id from the response headers, to quote to support.
        body: the start of the body when it was not JSON or not in a known error shape
            (e.g. a CDN's plain-text page).
        retry_after: the seconds the server asked to wait (``Retry-After``), or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        errors: list[dict[str, Any]] | None = None,
        request_id: str | None = None,
        body: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.errors: list[dict[str, Any]] = errors if errors is not None else []
        self.request_id = request_id
        self.body = body
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code})"


class BadRequestError(APIError):
    """400: the request was invalid (e.g. an unparsable time filter)."""


class AuthenticationError(APIError):
    """401: missing or wrong credentials."""


class PermissionDeniedError(APIError):
    """403: the credentials may not read events (agents and admins only)."""


class NotFoundError(APIError):
    """404: no such profile, identifier or user."""


class RateLimitError(APIError):
    """429: the account's per-minute rate limit is used up.

    ``retry_after`` is the wait in seconds the server asked for, or ``None``.
    """


class ServerError(APIError):
    """5xx: a server or CDN failure (any code from 500 to 599, including 520-527)."""


class APIConnectionError(ZendeskError):
    """The request did not get an answer: DNS, connection, TLS, a dropped connection.

    Attributes:
        sent: whether the request may have reached the server (``False`` only when it
            certainly did not, e.g. a refused connection), which matters for writes.
    """

    def __init__(self, message: str, *, sent: bool = True) -> None:
        super().__init__(message)
        self.sent = sent


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class BadResponseError(ZendeskError):
    """A response body that is not what the spec says.

    Attributes:
        kind: what was wrong: ``"invalid"`` (valid JSON of the wrong shape, or a value JSON
            cannot carry), ``"undecodable"`` (not JSON, or a broken compression),
            ``"truncated"`` (the body was cut short), ``"too_large"`` (over the client's
            ``max_body_size``).
    """

    KINDS = frozenset({"invalid", "undecodable", "truncated", "too_large"})

    def __init__(self, message: str, *, kind: str = "invalid", retryable: bool = False) -> None:
        # ``retryable=True`` is the older spelling of ``kind="undecodable"``.
        if retryable and kind == "invalid":
            kind = "undecodable"
        if kind not in self.KINDS:
            raise ValueError(f"unknown BadResponseError kind {kind!r}")
        super().__init__(message)
        self.kind = kind


class PaginationError(ZendeskError):
    """Pagination cannot go on safely: a cursor or next link seen before (a loop), or a next
    link to another scheme, host or port than the configured one."""


class SyncError(ZendeskError):
    """The local database of :func:`zdevents.sync` cannot be opened or written."""


class SyncLockedError(SyncError):
    """Another sync is using the database (one sync at a time per database)."""


class SyncSchemaError(SyncError):
    """The database is of another schema version, or was not made by :func:`zdevents.sync`."""
