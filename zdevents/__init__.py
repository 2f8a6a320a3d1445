"""zdevents: a Python client for Zendesk's Events API.

Read the events of a person's profile by identifier query, profile id or Zendesk user id,
filtered by source, type and time, across every cursor page::

    from zdevents import Client

    with Client.from_env() as client:
        for event in client.events(identifier="coolbikes:rider:email:jdoe@example.com",
                                   start="2020-02-23", end="2020-02-29"):
            print(event.type, event.created_at, event.properties)

Public names: :class:`Client`, :class:`AsyncClient`, :class:`Identifier`, :class:`Event`,
:class:`Page`, :func:`sync` (with :class:`SyncReport`), the module :mod:`zdevents.errors`.
"""

from . import errors
from ._client import AsyncClient, AsyncEventStream, Client, EventStream
from ._event import Event
from ._identifier import Identifier
from ._responses import Page
from ._sync import SelectorReport, SyncReport, sync
from ._version import __version__

__all__ = [
    "AsyncClient",
    "AsyncEventStream",
    "Client",
    "Event",
    "EventStream",
    "Identifier",
    "Page",
    "SelectorReport",
    "SyncReport",
    "__version__",
    "errors",
    "sync",
]
