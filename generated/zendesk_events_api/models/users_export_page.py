from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.user import User


T = TypeVar("T", bound="UsersExportPage")


@_attrs_define
class UsersExportPage:
    """A page of the cursor-based user export. `after_cursor` is kept when
    `end_of_stream` is true: the next export starts from it.

    """

    users: list[User]
    end_of_stream: bool
    """ Whether this page holds every user changed up to now. """
    after_cursor: None | str | Unset = UNSET
    """ The cursor of the next page (and, at the end, of the next export). """
    after_url: None | str | Unset = UNSET
    """ The URL of the next page. """
    before_cursor: None | str | Unset = UNSET
    before_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        users = []
        for users_item_data in self.users:
            users_item = users_item_data.to_dict()
            users.append(users_item)

        end_of_stream = self.end_of_stream

        after_cursor: None | str | Unset
        if isinstance(self.after_cursor, Unset):
            after_cursor = UNSET
        else:
            after_cursor = self.after_cursor

        after_url: None | str | Unset
        if isinstance(self.after_url, Unset):
            after_url = UNSET
        else:
            after_url = self.after_url

        before_cursor: None | str | Unset
        if isinstance(self.before_cursor, Unset):
            before_cursor = UNSET
        else:
            before_cursor = self.before_cursor

        before_url: None | str | Unset
        if isinstance(self.before_url, Unset):
            before_url = UNSET
        else:
            before_url = self.before_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "users": users,
                "end_of_stream": end_of_stream,
            }
        )
        if after_cursor is not UNSET:
            field_dict["after_cursor"] = after_cursor
        if after_url is not UNSET:
            field_dict["after_url"] = after_url
        if before_cursor is not UNSET:
            field_dict["before_cursor"] = before_cursor
        if before_url is not UNSET:
            field_dict["before_url"] = before_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.user import User

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        users = []
        _users = d.pop("users")
        if not isinstance(_users, list):
            raise TypeError("users is a list, not " + type(_users).__name__)
        for users_item_data in _users:
            users_item = User.from_dict(users_item_data)

            users.append(users_item)

        end_of_stream = d.pop("end_of_stream")

        def _parse_after_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        after_cursor = _parse_after_cursor(d.pop("after_cursor", UNSET))

        def _parse_after_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        after_url = _parse_after_url(d.pop("after_url", UNSET))

        def _parse_before_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        before_cursor = _parse_before_cursor(d.pop("before_cursor", UNSET))

        def _parse_before_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        before_url = _parse_before_url(d.pop("before_url", UNSET))

        users_export_page = cls(
            users=users,
            end_of_stream=end_of_stream,
            after_cursor=after_cursor,
            after_url=after_url,
            before_cursor=before_cursor,
            before_url=before_url,
        )

        users_export_page.additional_properties = d
        return users_export_page

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
