from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.error_item import ErrorItem


T = TypeVar("T", bound="ErrorListBody")


@_attrs_define
class ErrorListBody:
    error: list[ErrorItem | str]
    """ A list of error objects; an item that is not an object (a bare string, seen from
    proxies) is read as the title of an error.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_item import ErrorItem

        error = []
        for componentsschemas_error_items_item_data in self.error:
            componentsschemas_error_items_item: dict[str, Any] | str
            if isinstance(componentsschemas_error_items_item_data, ErrorItem):
                componentsschemas_error_items_item = (
                    componentsschemas_error_items_item_data.to_dict()
                )
            else:
                componentsschemas_error_items_item = (
                    componentsschemas_error_items_item_data
                )
            error.append(componentsschemas_error_items_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.error_item import ErrorItem

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        error = []
        _error = d.pop("error")
        if not isinstance(_error, list):
            raise TypeError("error is a list, not " + type(_error).__name__)
        for componentsschemas_error_items_item_data in _error:

            def _parse_componentsschemas_error_items_item(
                data: object,
            ) -> ErrorItem | str:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_error_items_item_type_0 = ErrorItem.from_dict(
                        data
                    )

                    return componentsschemas_error_items_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast(ErrorItem | str, data)

            componentsschemas_error_items_item = (
                _parse_componentsschemas_error_items_item(
                    componentsschemas_error_items_item_data
                )
            )

            error.append(componentsschemas_error_items_item)

        error_list_body = cls(
            error=error,
        )

        error_list_body.additional_properties = d
        return error_list_body

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
