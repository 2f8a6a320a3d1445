from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.identifier_input import IdentifierInput
    from ..models.profile_patch_attributes import ProfilePatchAttributes


T = TypeVar("T", bound="ProfilePatch")


@_attrs_define
class ProfilePatch:
    """The changes of a merge: `name`, `attributes` (merged by key; a `null` value removes
    the key) and identifiers to add. `source`, `type` and `user_id` may be sent (the
    profile as read, say) and are ignored.

    """

    name: None | str | Unset = UNSET
    """ The person's name. """
    attributes: ProfilePatchAttributes | Unset = UNSET
    """ Keys to set (a `null` value removes the key). """
    identifiers: list[IdentifierInput] | Unset = UNSET
    source: Any | Unset = UNSET
    """ Ignored (any value). """
    type_: Any | Unset = UNSET
    """ Ignored (any value). """
    user_id: Any | Unset = UNSET
    """ Ignored (any value). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        identifiers: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.identifiers, Unset):
            identifiers = []
            for identifiers_item_data in self.identifiers:
                identifiers_item = identifiers_item_data.to_dict()
                identifiers.append(identifiers_item)

        source = self.source

        type_ = self.type_

        user_id = self.user_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if identifiers is not UNSET:
            field_dict["identifiers"] = identifiers
        if source is not UNSET:
            field_dict["source"] = source
        if type_ is not UNSET:
            field_dict["type"] = type_
        if user_id is not UNSET:
            field_dict["user_id"] = user_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.identifier_input import IdentifierInput
        from ..models.profile_patch_attributes import ProfilePatchAttributes

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        _attributes = d.pop("attributes", UNSET)
        attributes: ProfilePatchAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = ProfilePatchAttributes.from_dict(_attributes)

        _identifiers = d.pop("identifiers", UNSET)
        identifiers: list[IdentifierInput] | Unset = UNSET
        if _identifiers is not UNSET:
            if not isinstance(_identifiers, list):
                raise TypeError(
                    "identifiers is a list, not " + type(_identifiers).__name__
                )
            identifiers = []
            for identifiers_item_data in _identifiers:
                identifiers_item = IdentifierInput.from_dict(identifiers_item_data)

                identifiers.append(identifiers_item)

        source = d.pop("source", UNSET)

        type_ = d.pop("type", UNSET)

        user_id = d.pop("user_id", UNSET)

        profile_patch = cls(
            name=name,
            attributes=attributes,
            identifiers=identifiers,
            source=source,
            type_=type_,
            user_id=user_id,
        )

        profile_patch.additional_properties = d
        return profile_patch

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
