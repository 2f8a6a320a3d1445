"""Event: typed accessors over the JSON object as received."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from tests._mock import Recorder, client, page_body
from zdevents import Event, errors

UTC = dt.UTC

# Zendesk's "Zendesk-generated events" example: nine fraction digits, an empty description.
ZENDESK_EVENT: dict[str, Any] = {
    "id": "01EADX8ZHNC53NCWV38RWPMPJQ",
    "type": "article_viewed",
    "source": "zendesk",
    "description": "",
    "created_at": "2020-06-10T01:24:58.143324138Z",
    "received_at": "2020-06-10T01:24:58.71951541Z",
    "properties": {"article_id": 360044308092, "nested": {"a": [1, "2", None]}},
    "future_field": {"kept": True},
}


def test_fields() -> None:
    e = Event(copy.deepcopy(ZENDESK_EVENT))
    assert e.id == "01EADX8ZHNC53NCWV38RWPMPJQ"
    assert e.type == "article_viewed"
    assert e.source == "zendesk"
    assert e.description == ""
    assert e.properties == {"article_id": 360044308092, "nested": {"a": [1, "2", None]}}


def test_timestamps_are_aware_utc_truncated_to_microseconds() -> None:
    e = Event(copy.deepcopy(ZENDESK_EVENT))
    assert e.created_at == dt.datetime(2020, 6, 10, 1, 24, 58, 143324, tzinfo=UTC)
    assert e.received_at == dt.datetime(2020, 6, 10, 1, 24, 58, 719515, tzinfo=UTC)
    assert e.created_at is not None and e.created_at.utcoffset() == dt.timedelta(0)
    assert e.created_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-31T00:44:07+00:00", dt.datetime(2020, 1, 31, 0, 44, 7, tzinfo=UTC)),
        ("2020-01-31T00:44:07.000Z", dt.datetime(2020, 1, 31, 0, 44, 7, tzinfo=UTC)),
        ("2020-01-31T02:44:07+02:00", dt.datetime(2020, 1, 31, 0, 44, 7, tzinfo=UTC)),
        ("2020-06-10T02:28:07Z", dt.datetime(2020, 6, 10, 2, 28, 7, tzinfo=UTC)),
        ("2020-06-10T02:28:39.328Z", dt.datetime(2020, 6, 10, 2, 28, 39, 328000, tzinfo=UTC)),
        # No offset: Zendesk sends UTC, so it is read as UTC, never as local time.
        ("2020-06-10T02:28:07", dt.datetime(2020, 6, 10, 2, 28, 7, tzinfo=UTC)),
    ],
)
def test_timestamp_forms(text: str, expected: dt.datetime) -> None:
    e = Event({"created_at": text})
    assert e.created_at == expected
    assert e.created_at is not None and e.created_at.tzinfo is UTC
    assert e.to_dict() == {"created_at": text}


def test_optional_fields_left_out_are_none() -> None:
    # The reference's read example has no id and no received_at.
    e = Event({"type": "cart_abandoned", "source": "shopify"})
    assert e.description is None
    assert e.received_at is None
    assert e.properties == {}
    assert e.raw_properties is None
    assert e.type == "cart_abandoned"
    assert e.source == "shopify"


@pytest.mark.parametrize("name", ["id", "source", "type", "created_at"])
@pytest.mark.parametrize("absent", ["left out", "null"])
def test_fields_zendesk_always_sends_raise_when_missing(name: str, absent: str) -> None:
    raw = {k: v for k, v in ZENDESK_EVENT.items() if k != name}
    if absent == "null":
        raw[name] = None
    e = Event(raw)
    with pytest.raises(errors.BadResponseError, match=repr(name)):
        getattr(e, name)
    # The other fields stay readable.
    others = {"id", "source", "type", "created_at"} - {name}
    assert all(getattr(e, other) is not None for other in others)


def test_null_description_is_none() -> None:
    assert Event({"description": None}).description is None


@pytest.mark.parametrize(
    "raw",
    [
        {"created_at": "not a time"},
        {"created_at": 1591752298},
        {"received_at": "2020-13-45T00:00:00Z"},
        {"type": 5},
        {"id": 12345},
        {"source": ["zendesk"]},
        {"properties": ["not", "an", "object"]},
    ],
)
def test_malformed_event_is_a_bad_response_error(raw: dict[str, Any]) -> None:
    e = Event(raw)
    with pytest.raises(errors.BadResponseError):
        _ = (e.id, e.type, e.source, e.created_at, e.received_at, e.properties)


def test_to_dict_is_exactly_the_received_object() -> None:
    raw = copy.deepcopy(ZENDESK_EVENT)
    e = Event(raw)
    # Reading the typed fields must not change what to_dict() gives back.
    _ = (e.id, e.type, e.created_at, e.received_at, e.properties)
    assert e.to_dict() == ZENDESK_EVENT
    assert e.to_dict()["created_at"] == "2020-06-10T01:24:58.143324138Z"
    assert e.to_dict()["received_at"] == "2020-06-10T01:24:58.71951541Z"
    assert e.to_dict()["future_field"] == {"kept": True}
    assert list(e.to_dict()) == list(ZENDESK_EVENT)


def test_events_from_the_wire_round_trip_through_to_dict() -> None:
    reference_event = {
        "created_at": "2020-01-31T00:44:07+00:00",
        "description": "Shopping cart abandoned",
        "properties": {"item": {"name": "Orange Nike Shoes", "price": "62.99"}},
        "source": "shopify",
        "type": "cart_abandoned",
    }
    sent = [ZENDESK_EVENT, reference_event]
    rec = Recorder(page_body(copy.deepcopy(sent), has_more=False))
    with client(rec) as c:
        got = list(c.events(user_id=85211553))
    assert [e.to_dict() for e in got] == sent
    assert [e.type for e in got] == ["article_viewed", "cart_abandoned"]
    assert got[1].created_at == dt.datetime(2020, 1, 31, 0, 44, 7, tzinfo=UTC)
    assert got[1].properties["item"]["price"] == "62.99"


def test_malformed_event_from_the_wire_is_a_bad_response_error() -> None:
    rec = Recorder(page_body([{"created_at": "yesterday", "type": "x"}], has_more=False))
    with client(rec) as c:
        (event,) = list(c.events(user_id=1))
        with pytest.raises(errors.BadResponseError):
            _ = event.created_at


def test_equality_and_repr() -> None:
    a = Event({"id": "A", "type": "t", "source": "s", "created_at": "2020-01-01T00:00:00Z"})
    assert a == Event(dict(a.to_dict()))
    assert a != Event({"id": "B"})
    assert repr(a) == ("Event(id='A', source='s', type='t', created_at='2020-01-01T00:00:00Z')")


def test_duplicate_keys_read_as_json_loads_reads_them_and_raw_keeps_both() -> None:
    raw = b'{"type":"a","type":"b","id":"x","properties":{"n":1},"properties":{"n":2}}'
    e = Event(raw)
    assert e.raw == raw
    assert e.type == "b" == e.to_dict()["type"]
    assert e.properties == {"n": 2}
    assert e.raw_properties == b'{"n":2}'


def test_event_from_text_or_mapping() -> None:
    assert Event('{"id": "A"}').raw == b'{"id": "A"}'
    assert Event({"id": "A", "n": [1, 2]}).raw == b'{"id":"A","n":[1,2]}'
    with pytest.raises(TypeError):
        Event(5)  # type: ignore[arg-type]
    assert Event.__module__ == "zdevents"
