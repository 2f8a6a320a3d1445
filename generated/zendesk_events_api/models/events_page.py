from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event import Event
    from ..models.link_item import LinkItem
    from ..models.meta import Meta


T = TypeVar("T", bound="EventsPage")


@_attrs_define
class EventsPage:
    """One page of events."""

    events: list[Event]
    links: LinkItem | list[LinkItem] | Unset = UNSET
    """ Links to other pages. Zendesk documents an array of `{next}` objects for events;
    the generic cursor format is an object `{next, prev}`. An empty string means none.
     """
    meta: Meta | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        links: dict[str, Any] | list[dict[str, Any]] | Unset
        if isinstance(self.links, Unset):
            links = UNSET
        elif isinstance(self.links, list):
            links = []
            for componentsschemas_links_type_0_item_data in self.links:
                componentsschemas_links_type_0_item = (
                    componentsschemas_links_type_0_item_data.to_dict()
                )
                links.append(componentsschemas_links_type_0_item)

        else:
            links = self.links.to_dict()

        meta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meta, Unset):
            meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "events": events,
            }
        )
        if links is not UNSET:
            field_dict["links"] = links
        if meta is not UNSET:
            field_dict["meta"] = meta

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event import Event
        from ..models.link_item import LinkItem
        from ..models.meta import Meta

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        events = []
        _events = d.pop("events")
        if not isinstance(_events, list):
            raise TypeError("events is a list, not " + type(_events).__name__)
        for events_item_data in _events:
            events_item = Event.from_dict(events_item_data)

            events.append(events_item)

        def _parse_links(data: object) -> LinkItem | list[LinkItem] | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_links_type_0 = []
                _componentsschemas_links_type_0 = data
                if not isinstance(_componentsschemas_links_type_0, list):
                    raise TypeError(
                        "/components/schemas/Links_type_0 is a list, not "
                        + type(_componentsschemas_links_type_0).__name__
                    )
                for (
                    componentsschemas_links_type_0_item_data
                ) in _componentsschemas_links_type_0:
                    componentsschemas_links_type_0_item = LinkItem.from_dict(
                        componentsschemas_links_type_0_item_data
                    )

                    componentsschemas_links_type_0.append(
                        componentsschemas_links_type_0_item
                    )

                return componentsschemas_links_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_links_type_1 = LinkItem.from_dict(data)

            return componentsschemas_links_type_1

        links = _parse_links(d.pop("links", UNSET))

        _meta = d.pop("meta", UNSET)
        meta: Meta | Unset
        if isinstance(_meta, Unset):
            meta = UNSET
        else:
            meta = Meta.from_dict(_meta)

        events_page = cls(
            events=events,
            links=links,
            meta=meta,
        )

        events_page.additional_properties = d
        return events_page

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
