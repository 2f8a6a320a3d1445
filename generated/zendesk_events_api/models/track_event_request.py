from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.event_input import EventInput
    from ..models.profile_input import ProfileInput


T = TypeVar("T", bound="TrackEventRequest")


@_attrs_define
class TrackEventRequest:
    """The body of `trackEvent` and `trackEventByUserId`. Zendesk documents no other
    top-level fields; unknown ones are not rejected.

    """

    profile: ProfileInput
    """ The profile an event belongs to, found by `source`, `type` and any identifier, or
    created. `source` and `type` are at most 40 characters and, like identifier types,
    contain no `:` (identifier queries split on it); the source `zendesk` is reserved.
     """
    event: EventInput
    """ An event to track. `source` and `type` are at most 40 characters (the source
    `zendesk` is reserved for Zendesk's own events); `created_at` defaults to the time
    Zendesk receives the event and is kept with every digit sent.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        profile = self.profile.to_dict()

        event = self.event.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "profile": profile,
                "event": event,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_input import EventInput
        from ..models.profile_input import ProfileInput

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        profile = ProfileInput.from_dict(d.pop("profile"))

        event = EventInput.from_dict(d.pop("event"))

        track_event_request = cls(
            profile=profile,
            event=event,
        )

        track_event_request.additional_properties = d
        return track_event_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
