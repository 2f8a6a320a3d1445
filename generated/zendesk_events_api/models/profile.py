from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.profile_attributes_type_0 import ProfileAttributesType0
    from ..models.profile_identifier import ProfileIdentifier


T = TypeVar("T", bound="Profile")


@_attrs_define
class Profile:
    """A Zendesk user profile. Every field is optional when reading and unknown fields
    are allowed, as for Event; `user_id` comes as a string or a number.

    """

    id: str | Unset = UNSET
    """ The profile's id (a ULID). """
    source: str | Unset = UNSET
    """ The application the profile belongs to. """
    type_: str | Unset = UNSET
    """ The kind of profile. """
    name: None | str | Unset = UNSET
    """ The person's name. """
    user_id: int | None | str | Unset = UNSET
    """ The Zendesk user the profile belongs to. """
    identifiers: list[ProfileIdentifier] | Unset = UNSET
    attributes: None | ProfileAttributesType0 | Unset = UNSET
    """ Free-form JSON about the person. """
    created_at: datetime.datetime | Unset = UNSET
    """ When the profile was created. """
    updated_at: datetime.datetime | Unset = UNSET
    """ When the profile was last changed. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.profile_attributes_type_0 import ProfileAttributesType0

        id = self.id

        source = self.source

        type_ = self.type_

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        user_id: int | None | str | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

        identifiers: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.identifiers, Unset):
            identifiers = []
            for identifiers_item_data in self.identifiers:
                identifiers_item = identifiers_item_data.to_dict()
                identifiers.append(identifiers_item)

        attributes: dict[str, Any] | None | Unset
        if isinstance(self.attributes, Unset):
            attributes = UNSET
        elif isinstance(self.attributes, ProfileAttributesType0):
            attributes = self.attributes.to_dict()
        else:
            attributes = self.attributes

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if source is not UNSET:
            field_dict["source"] = source
        if type_ is not UNSET:
            field_dict["type"] = type_
        if name is not UNSET:
            field_dict["name"] = name
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if identifiers is not UNSET:
            field_dict["identifiers"] = identifiers
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.profile_attributes_type_0 import ProfileAttributesType0
        from ..models.profile_identifier import ProfileIdentifier

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        source = d.pop("source", UNSET)

        type_ = d.pop("type", UNSET)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_user_id(data: object) -> int | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | str | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))

        _identifiers = d.pop("identifiers", UNSET)
        identifiers: list[ProfileIdentifier] | Unset = UNSET
        if _identifiers is not UNSET:
            if not isinstance(_identifiers, list):
                raise TypeError(
                    "identifiers is a list, not " + type(_identifiers).__name__
                )
            identifiers = []
            for identifiers_item_data in _identifiers:
                identifiers_item = ProfileIdentifier.from_dict(identifiers_item_data)

                identifiers.append(identifiers_item)

        def _parse_attributes(data: object) -> None | ProfileAttributesType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                attributes_type_0 = ProfileAttributesType0.from_dict(data)

                return attributes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProfileAttributesType0 | Unset, data)

        attributes = _parse_attributes(d.pop("attributes", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

        profile = cls(
            id=id,
            source=source,
            type_=type_,
            name=name,
            user_id=user_id,
            identifiers=identifiers,
            attributes=attributes,
            created_at=created_at,
            updated_at=updated_at,
        )

        profile.additional_properties = d
        return profile

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
