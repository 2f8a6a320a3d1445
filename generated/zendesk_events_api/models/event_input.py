from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event_input_properties import EventInputProperties


T = TypeVar("T", bound="EventInput")


@_attrs_define
class EventInput:
    """An event to track. `source` and `type` are at most 40 characters (the source
    `zendesk` is reserved for Zendesk's own events); `created_at` defaults to the time
    Zendesk receives the event and is kept with every digit sent.

    """

    source: str
    """ The application that sends the event (`zendesk` is reserved). """
    type_: str
    """ The event's name. """
    description: None | str | Unset = UNSET
    """ Human-readable text. """
    created_at: None | str | Unset = UNSET
    """ When the event happened; absent or null means when it is received. """
    properties: EventInputProperties | Unset = UNSET
    """ Free-form JSON about the event (nested objects allowed). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        source = self.source

        type_ = self.type_

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

        properties: dict[str, Any] | Unset = UNSET
        if not isinstance(self.properties, Unset):
            properties = self.properties.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "source": source,
                "type": type_,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if properties is not UNSET:
            field_dict["properties"] = properties

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_input_properties import EventInputProperties

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        source = d.pop("source")

        type_ = d.pop("type")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_created_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        created_at = _parse_created_at(d.pop("created_at", UNSET))

        _properties = d.pop("properties", UNSET)
        properties: EventInputProperties | Unset
        if isinstance(_properties, Unset):
            properties = UNSET
        else:
            properties = EventInputProperties.from_dict(_properties)

        event_input = cls(
            source=source,
            type_=type_,
            description=description,
            created_at=created_at,
            properties=properties,
        )

        event_input.additional_properties = d
        return event_input

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
