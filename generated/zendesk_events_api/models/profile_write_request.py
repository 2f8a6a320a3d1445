from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.profile_input import ProfileInput


T = TypeVar("T", bound="ProfileWriteRequest")


@_attrs_define
class ProfileWriteRequest:
    """The body of the PUT routes. Zendesk documents no other top-level fields."""

    profile: ProfileInput
    """ The profile an event belongs to, found by `source`, `type` and any identifier, or
    created. `source` and `type` are at most 40 characters and, like identifier types,
    contain no `:` (identifier queries split on it); the source `zendesk` is reserved.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        profile = self.profile.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "profile": profile,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.profile_input import ProfileInput

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        profile = ProfileInput.from_dict(d.pop("profile"))

        profile_write_request = cls(
            profile=profile,
        )

        profile_write_request.additional_properties = d
        return profile_write_request

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
