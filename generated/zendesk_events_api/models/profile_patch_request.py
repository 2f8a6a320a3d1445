from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.profile_patch import ProfilePatch


T = TypeVar("T", bound="ProfilePatchRequest")


@_attrs_define
class ProfilePatchRequest:
    """The body of the PATCH routes."""

    profile: ProfilePatch
    """ The changes of a merge: `name`, `attributes` (merged by key; a `null` value removes
    the key) and identifiers to add. `source`, `type` and `user_id` may be sent (the
    profile as read, say) and are ignored.
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
        from ..models.profile_patch import ProfilePatch

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        profile = ProfilePatch.from_dict(d.pop("profile"))

        profile_patch_request = cls(
            profile=profile,
        )

        profile_patch_request.additional_properties = d
        return profile_patch_request

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
