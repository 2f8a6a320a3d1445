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
:func:`is_transient`, :func:`sync` (with :class:`SyncReport` and :class:`SelectorReport`),
:func:`forget` (erasing a person at Zendesk and in the mirrors, with :class:`ForgetReport`,
:class:`ForgottenProfile` and :class:`MirrorPurge`),
the module :mod:`zdevents.errors`; signing in: :class:`Login` (the browser login of
``zdevents auth login``), :func:`auth_status`, :func:`access_token` (:func:`aaccess_token`
for an :class:`AsyncClient`), :func:`logout` (with :class:`AuthStatus`).
``ZDEVENTS_LOG=info`` (or ``debug``) in the environment logs retries and pauses (and
requests) to stderr.
"""

# First: for the zdevents command only, Ctrl-C while the rest imports is a quiet exit 130.
from . import _startup  # noqa: F401

# isort: split
from . import errors, limits
from ._client import AsyncClient, Client
from ._event import Event
from ._events import AsyncEventStream, EventStream
from ._forget import ForgetReport, ForgottenProfile, MirrorPurge, forget
from ._identifier import Identifier
from ._login import AuthStatus, Login, aaccess_token, access_token, auth_status, logout
from ._logs import setup_from_env as _setup_logging
from ._profiles import Profile
from ._public import publish as _publish
from ._responses import Headers, Page, RateLimit
from ._retry import is_transient
from ._sync import SelectorReport, SyncReport, sync
from ._track import TrackResult, validate_record
from ._version import __version__

__all__ = [
    "AsyncClient",
    "AsyncEventStream",
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
    "SyncReport",
    "TrackResult",
    "__version__",
    "aaccess_token",
    "access_token",
    "auth_status",
    "errors",
    "forget",
    "is_transient",
    "limits",
    "logout",
    "sync",
    "validate_record",
]


_publish(__name__, [globals()[name] for name in __all__])
_setup_logging()
