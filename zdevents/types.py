"""The types of zdevents' public signatures, to annotate your own code with.

>>> from zdevents.types import Selector, TimeInput
>>> def export(people: list[Selector], since: TimeInput) -> None: ...
"""

from ._base_client import (
    AsyncClientOptions,
    BaseClientOptions,
    CallOptions,
    ClientOptions,
    NotGiven,
)
from ._bulk import OnMissing, Selector
from ._public import publish as _publish
from ._query import EventFilters, EventQuery
from ._sync import AllUsers, SyncSelectors
from ._sync import OnMissing as SyncOnMissing
from ._time import TimeInput
from ._track import Outcome

__all__ = [
    "AllUsers",
    "AsyncClientOptions",
    "BaseClientOptions",
    "CallOptions",
    "ClientOptions",
    "EventFilters",
    "EventQuery",
    "NotGiven",
    "OnMissing",
    "Outcome",
    "Selector",
    "SyncOnMissing",
    "SyncSelectors",
    "TimeInput",
]

_publish(
    __name__,
    [
        AllUsers,
        AsyncClientOptions,
        BaseClientOptions,
        CallOptions,
        ClientOptions,
        EventFilters,
        EventQuery,
        NotGiven,
    ],
)
