from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.error_item import ErrorItem


T = TypeVar("T", bound="ErrorsArrayBody")


@_attrs_define
class ErrorsArrayBody:
    errors: ErrorItem | list[ErrorItem | str]
    """ The documented list of error objects; read leniently, as one error object too,
    and with items that are not objects (their text is taken as the title).
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_item import ErrorItem

        errors: dict[str, Any] | list[dict[str, Any] | str]
        if isinstance(self.errors, list):
            errors = []
            for componentsschemas_error_items_item_data in self.errors:
                componentsschemas_error_items_item: dict[str, Any] | str
                if isinstance(componentsschemas_error_items_item_data, ErrorItem):
                    componentsschemas_error_items_item = (
                        componentsschemas_error_items_item_data.to_dict()
                    )
                else:
                    componentsschemas_error_items_item = (
                        componentsschemas_error_items_item_data
                    )
                errors.append(componentsschemas_error_items_item)

        else:
            errors = self.errors.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "errors": errors,
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

        def _parse_errors(data: object) -> ErrorItem | list[ErrorItem | str]:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                errors_type_0 = []
                _errors_type_0 = data
                if not isinstance(_errors_type_0, list):
                    raise TypeError(
                        "errors_type_0 is a list, not " + type(_errors_type_0).__name__
                    )
                for componentsschemas_error_items_item_data in _errors_type_0:

                    def _parse_componentsschemas_error_items_item(
                        data: object,
                    ) -> ErrorItem | str:
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            componentsschemas_error_items_item_type_0 = (
                                ErrorItem.from_dict(data)
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

                    errors_type_0.append(componentsschemas_error_items_item)

                return errors_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            errors_type_1 = ErrorItem.from_dict(data)

            return errors_type_1

        errors = _parse_errors(d.pop("errors"))

        errors_array_body = cls(
            errors=errors,
        )

        errors_array_body.additional_properties = d
        return errors_array_body

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
