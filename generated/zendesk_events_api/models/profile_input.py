from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.identifier_input import IdentifierInput
    from ..models.profile_input_attributes_type_0 import ProfileInputAttributesType0


T = TypeVar("T", bound="ProfileInput")


@_attrs_define
class ProfileInput:
    """The profile an event belongs to, found by `source`, `type` and any identifier, or
    created. `source` and `type` are at most 40 characters and, like identifier types,
    contain no `:` (identifier queries split on it); the source `zendesk` is reserved.

    """

    source: str
    """ The application the profile belongs to (`zendesk` is reserved). """
    type_: str
    """ The kind of profile, e.g. `customer`. """
    identifiers: list[IdentifierInput]
    name: None | str | Unset = UNSET
    """ The person's name. """
    attributes: None | ProfileInputAttributesType0 | Unset = UNSET
    """ Free-form JSON about the person. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.profile_input_attributes_type_0 import ProfileInputAttributesType0

        source = self.source

        type_ = self.type_

        identifiers = []
        for identifiers_item_data in self.identifiers:
            identifiers_item = identifiers_item_data.to_dict()
            identifiers.append(identifiers_item)

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        attributes: dict[str, Any] | None | Unset
        if isinstance(self.attributes, Unset):
            attributes = UNSET
        elif isinstance(self.attributes, ProfileInputAttributesType0):
            attributes = self.attributes.to_dict()
        else:
            attributes = self.attributes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "source": source,
                "type": type_,
                "identifiers": identifiers,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if attributes is not UNSET:
            field_dict["attributes"] = attributes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.identifier_input import IdentifierInput
        from ..models.profile_input_attributes_type_0 import ProfileInputAttributesType0

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        source = d.pop("source")

        type_ = d.pop("type")

        identifiers = []
        _identifiers = d.pop("identifiers")
        if not isinstance(_identifiers, list):
            raise TypeError("identifiers is a list, not " + type(_identifiers).__name__)
        for identifiers_item_data in _identifiers:
            identifiers_item = IdentifierInput.from_dict(identifiers_item_data)

            identifiers.append(identifiers_item)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_attributes(
            data: object,
        ) -> None | ProfileInputAttributesType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                attributes_type_0 = ProfileInputAttributesType0.from_dict(data)

                return attributes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProfileInputAttributesType0 | Unset, data)

        attributes = _parse_attributes(d.pop("attributes", UNSET))

        profile_input = cls(
            source=source,
            type_=type_,
            identifiers=identifiers,
            name=name,
            attributes=attributes,
        )

        profile_input.additional_properties = d
        return profile_input

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
