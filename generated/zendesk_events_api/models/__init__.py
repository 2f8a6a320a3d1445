"""Contains all the data models used in inputs/outputs"""

from .error_item import ErrorItem
from .error_list_body import ErrorListBody
from .error_object_body import ErrorObjectBody
from .errors_array_body import ErrorsArrayBody
from .event import Event
from .event_properties import EventProperties
from .events_page import EventsPage
from .link_item import LinkItem
from .meta import Meta

__all__ = (
    "ErrorItem",
    "ErrorListBody",
    "ErrorObjectBody",
    "ErrorsArrayBody",
    "Event",
    "EventProperties",
    "EventsPage",
    "LinkItem",
    "Meta",
)
