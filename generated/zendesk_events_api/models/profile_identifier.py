from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProfileIdentifier")


@_attrs_define
class ProfileIdentifier:
    type_: str | Unset = UNSET
    value: float | int | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        value: float | int | str | Unset
        if isinstance(self.value, Unset):
            value = UNSET
        else:
            value = self.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["type"] = type_
        if value is not UNSET:
            field_dict["value"] = value

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        type_ = d.pop("type", UNSET)

        def _parse_value(data: object) -> float | int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | int | str | Unset, data)

        value = _parse_value(d.pop("value", UNSET))

        profile_identifier = cls(
            type_=type_,
            value=value,
        )

        profile_identifier.additional_properties = d
        return profile_identifier

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
