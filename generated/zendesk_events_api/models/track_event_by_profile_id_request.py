from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.event_input import EventInput


T = TypeVar("T", bound="TrackEventByProfileIdRequest")


@_attrs_define
class TrackEventByProfileIdRequest:
    """The body of `trackEventByProfileId`: only the event (the reference's curl sample
    also sends a profile, which the route does not need).

    """

    event: EventInput
    """ An event to track. `source` and `type` are at most 40 characters (the source
    `zendesk` is reserved for Zendesk's own events); `created_at` defaults to the time
    Zendesk receives the event and is kept with every digit sent.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event = self.event.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event": event,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_input import EventInput

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        event = EventInput.from_dict(d.pop("event"))

        track_event_by_profile_id_request = cls(
            event=event,
        )

        track_event_by_profile_id_request.additional_properties = d
        return track_event_by_profile_id_request

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
