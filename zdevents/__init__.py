"""zdevents: a Python client for Zendesk's Events API.

Read the events of a person's profile by identifier query, profile id or Zendesk user id,
filtered by source, type and time, across every cursor page::

    from zdevents import Client

    with Client.from_env() as client:
        for event in client.events(identifier="coolbikes:rider:email:jdoe@example.com",
                                   start="2020-02-23", end="2020-02-29"):
            print(event.type, event.created_at, event.properties)

Public names: :class:`Client`, :class:`AsyncClient`, :class:`EventStream`,
:class:`AsyncEventStream`, :class:`Identifier`, :class:`Event`, :class:`Page`,
:class:`Profile`, :class:`TrackResult` (``client.track``, ``client.profile``),
:func:`validate_record` (a ``track_many`` record checked without sending),
:func:`validate_filters` (the filters of ``events()`` checked on their own),
:func:`is_transient`, :func:`sync` (with :class:`SyncReport` and :class:`SelectorReport`;
:data:`ALL_USERS` syncs every user of the account; :func:`plan_sync` with
:class:`SyncPlan` says what a run costs), the users of the account
(``client.users()``: :class:`User`, :class:`UserPage`, :class:`UserStream`,
:class:`AsyncUserStream`), the ``--identifiers-file`` format (:func:`parse_selector`,
:func:`read_selectors`), :func:`forget` (erasing a person at Zendesk and in the mirrors,
with :class:`ForgetReport`, :class:`ForgottenProfile` and :class:`MirrorPurge`),
the module :mod:`zdevents.errors`; signing in: :class:`Login` (the browser login of
``zdevents auth login``), :func:`auth_status`, :func:`access_token` (:func:`aaccess_token`
for an :class:`AsyncClient`), :func:`logout` (with :class:`AuthStatus`).
``ZDEVENTS_LOG=info`` (or ``debug``) in the environment logs retries and pauses (and
requests) to stderr.
"""

# First: for the zdevents command only, Ctrl-C while the rest imports is a quiet exit 130.
from . import _startup  # noqa: F401

# isort: split
from typing import TYPE_CHECKING

from . import errors, limits
from ._logs import setup_from_env as _setup_logging
from ._version import __version__

if TYPE_CHECKING:
    from ._client import AsyncClient, Client
    from ._event import Event
    from ._events import AsyncEventStream, EventStream
    from ._forget import ForgetReport, ForgottenProfile, MirrorPurge, forget
    from ._identifier import Identifier
    from ._login import AuthStatus, Login, aaccess_token, access_token, auth_status, logout
    from ._plan import SyncPlan, plan_sync
    from ._profiles import Profile
    from ._query import validate_filters
    from ._responses import Headers, Page, RateLimit
    from ._retry import is_transient
    from ._selectors import parse_selector, read_selectors
    from ._sync import ALL_USERS, SelectorReport, SyncReport, sync
    from ._track import TrackResult, validate_record
    from ._users import AsyncUserStream, User, UserPage, UserStream

__all__ = [
    "ALL_USERS",
    "AsyncClient",
    "AsyncEventStream",
    "AsyncUserStream",
    "AuthStatus",
    "Client",
    "Event",
    "EventStream",
    "ForgetReport",
    "ForgottenProfile",
    "Headers",
    "Identifier",
    "Login",
    "MirrorPurge",
    "Page",
    "Profile",
    "RateLimit",
    "SelectorReport",
    "SyncPlan",
    "SyncReport",
    "TrackResult",
    "User",
    "UserPage",
    "UserStream",
    "__version__",
    "aaccess_token",
    "access_token",
    "auth_status",
    "errors",
    "forget",
    "is_transient",
    "limits",
    "logout",
    "parse_selector",
    "plan_sync",
    "read_selectors",
    "sync",
    "validate_filters",
    "validate_record",
]


#: Where each public name is defined (the modules imported on first use).
_LAZY = {
    "AsyncClient": "_client",
    "Client": "_client",
    "Event": "_event",
    "AsyncEventStream": "_events",
    "EventStream": "_events",
    "ForgetReport": "_forget",
    "ForgottenProfile": "_forget",
    "MirrorPurge": "_forget",
    "forget": "_forget",
    "Identifier": "_identifier",
    "AuthStatus": "_login",
    "Login": "_login",
    "aaccess_token": "_login",
    "access_token": "_login",
    "auth_status": "_login",
    "logout": "_login",
    "Profile": "_profiles",
    "Headers": "_responses",
    "Page": "_responses",
    "RateLimit": "_responses",
    "is_transient": "_retry",
    "SelectorReport": "_sync",
    "SyncReport": "_sync",
    "sync": "_sync",
    "ALL_USERS": "_sync",
    "SyncPlan": "_plan",
    "plan_sync": "_plan",
    "parse_selector": "_selectors",
    "read_selectors": "_selectors",
    "TrackResult": "_track",
    "validate_record": "_track",
    "validate_filters": "_query",
    "AsyncUserStream": "_users",
    "User": "_users",
    "UserPage": "_users",
    "UserStream": "_users",
}


def _load() -> None:
    """Import every public name at once, on the first use of any of them, and publish them.

    Lazy, so that ``import zdevents`` (and ``zdevents --version`` or ``--help``) does not pay
    for httpx and the generated package; all at once, so that every public class reports
    ``zdevents`` as its module however it is first reached."""
    import importlib

    from ._public import publish

    found = {
        name: getattr(importlib.import_module(f"{__name__}.{module}"), name)
        for name, module in _LAZY.items()
    }
    globals().update(found)
    publish(__name__, found.values())
    # The types of their signatures (the options, the filters) report zdevents.types.
    importlib.import_module(f"{__name__}.types")


if not TYPE_CHECKING:  # type checkers see the imports above, and no other name

    def __getattr__(name: str) -> object:
        if name in _LAZY:
            _load()
            return globals()[name]
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


_setup_logging()
