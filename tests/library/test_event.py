"""Event: typed accessors over the JSON object as received.

Pinned further through the public ``Event`` (issue 15): which fields must be there, what a
wrong one says, the exact text of ``properties``, equality by text, the repr, and events whose
JSON the fast decoder refuses (lone surrogate escapes).
"""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from typing import Any

import pytest

from tests._mock import Recorder, client, event, page_body
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


# --- pinned through the public Event (issue 15) --------------------------------------------

FULL = (
    b'{"id": "01E1", "source": "shop", "type": "login", "description": "", '
    b'"created_at": "2020-06-10T01:24:58.143324138Z", '
    b'"received_at": "2020-06-10T01:24:59Z", "properties": {"n": 1.50, "k": [1]}, "x": 2}'
)


def error_of(read: Any) -> str:
    with pytest.raises(errors.BadResponseError) as info:
        read()
    return str(info.value)


@pytest.mark.parametrize("name", ["id", "source", "type", "created_at"])
def test_a_field_zendesk_always_sends_is_an_error_when_missing_or_null(name: str) -> None:
    missing = Event({"properties": {}})
    assert error_of(lambda: getattr(missing, name)) == (
        f"the event has no {name!r}, which Zendesk always sends"
    )
    null = Event({name: None})
    assert error_of(lambda: getattr(null, name)) == (
        f"the event has a null {name!r}, which Zendesk always sends"
    )


@pytest.mark.parametrize("name", ["description", "received_at"])
def test_an_optional_field_is_none_when_missing_or_null(name: str) -> None:
    assert getattr(Event({}), name) is None
    assert getattr(Event({name: None}), name) is None


@pytest.mark.parametrize(
    ("name", "value", "what"),
    [
        ("id", 5, "a number"),
        ("source", ["shop"], "a list of 1 items"),
        ("type", {"a": 1}, "an object of 1 members"),
        ("description", 1.5, "a number"),
        ("received_at", True, "a boolean"),
    ],
)
def test_a_field_of_the_wrong_type_names_itself(name: str, value: object, what: str) -> None:
    # Issue 20: the value is described, never quoted (a server may echo a credential there).
    event = Event({name: value})
    assert error_of(lambda: getattr(event, name)) == (
        f"event field {name!r} is not a string ({what})"
    )


@pytest.mark.parametrize("name", ["created_at", "received_at"])
@pytest.mark.parametrize("text", ["yesterday", "9999-12-31T23:59:59-23:59", "2020-13-01T00:00:00Z"])
def test_a_timestamp_that_is_not_rfc_3339_names_its_field(name: str, text: str) -> None:
    event = Event({name: text})
    assert error_of(lambda: getattr(event, name)) == (
        f"event field {name!r} is not an RFC 3339 timestamp (a string of {len(text)} characters)"
    )


def test_every_field_of_a_full_event() -> None:
    event = Event(FULL)
    assert (event.id, event.source, event.type, event.description) == ("01E1", "shop", "login", "")
    assert event.created_at == dt.datetime(2020, 6, 10, 1, 24, 58, 143324, tzinfo=dt.UTC)
    assert event.received_at == dt.datetime(2020, 6, 10, 1, 24, 59, tzinfo=dt.UTC)
    assert event.raw_properties == b'{"n": 1.50, "k": [1]}'
    assert event.properties == {"n": 1.5, "k": [1]}
    assert event.raw == FULL
    assert event.to_dict()["x"] == 2


def test_properties_are_a_new_dict_each_time_and_empty_when_absent_or_null() -> None:
    event = Event(FULL)
    event.properties["n"] = 99
    event.to_dict()["id"] = "changed"
    assert event.properties == {"n": 1.5, "k": [1]}
    assert event.to_dict()["id"] == "01E1"
    assert Event({}).properties == {}
    assert Event({}).raw_properties is None
    assert Event({"properties": None}).properties == {}
    assert Event({"properties": None}).raw_properties == b"null"


@pytest.mark.parametrize(
    ("value", "what"),
    [([1, 2], "a list of 2 items"), ("text", "a string of 4 characters"), (3, "a number")],
)
def test_properties_that_are_not_an_object_are_an_error(value: object, what: str) -> None:
    event = Event({"properties": value})
    assert (
        error_of(lambda: event.properties) == f"event field 'properties' is not an object ({what})"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[1]", "the event is not a JSON object (a list of 1 items)"),
        (b'{"a": 1e400}', "the event holds a number JSON cannot carry (1e400)"),
        (b'{"a": ', "the event is not valid JSON (Expecting value: line 1 column 7 (char 6))"),
    ],
)
def test_to_dict_of_text_that_is_not_an_event_is_an_error(raw: bytes, message: str) -> None:
    assert error_of(Event(raw).to_dict) == message


def test_events_are_equal_and_hash_alike_exactly_when_their_text_is_the_same() -> None:
    assert Event(b'{"a":1}') == Event(b'{"a":1}')
    assert hash(Event(b'{"a":1}')) == hash(Event(b'{"a":1}'))
    assert Event(b'{"a":1}') != Event(b'{"a": 1}')
    assert Event('{"a":1}') == Event(b'{"a":1}')
    assert Event(b"{}") != "{}"
    assert Event({"a": 1}).raw == b'{"a":1}'


def test_an_event_is_made_of_json_text_or_a_mapping_only() -> None:
    with pytest.raises(TypeError, match="Event\\(\\) takes JSON text or a mapping, not int"):
        Event(5)  # type: ignore[arg-type]


def test_the_repr_shows_the_fields_that_are_there() -> None:
    assert repr(Event({"id": "a", "type": "t"})) == "Event(id='a', type='t')"
    assert repr(Event(FULL)) == (
        "Event(id='01E1', source='shop', type='login', created_at='2020-06-10T01:24:58.143324138Z')"
    )
    assert repr(Event(b'{"id": ')) == "Event(<undecodable, 7 bytes>)"
    assert repr(Event({"id": "a", "type": ["jdoe@example.com"]})) == (
        "Event(id='a', type=<a list of 1 items>)"
    )


def test_an_event_the_fast_decoder_refuses_is_read_field_by_field() -> None:
    # A lone surrogate escape is valid JSON; msgspec refuses it.
    raw = (
        b'{"id": "a", "description": "\\ud800x", "type": "t", "source": "s", '
        b'"created_at": "2020-01-01T00:00:00Z", "properties": {"k": 1}, "other": [1]}'
    )
    event = Event(raw)
    assert (event.id, event.type, event.source, event.description) == ("a", "t", "s", "\ud800x")
    assert event.created_at == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert event.raw_properties == b'{"k": 1}'
    assert event.properties == {"k": 1}
    assert event.received_at is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"id": "\\ud800", ', "the event is not a valid JSON object"),
        (b'{"id": "\\ud800", "n": 1e400}', "the event holds a number JSON cannot carry (1e400)"),
    ],
)
def test_an_event_neither_decoder_reads_is_an_error(raw: bytes, message: str) -> None:
    assert error_of(lambda: Event(raw).id).startswith(message)


def test_text_is_never_quoted_in_errors_or_the_repr() -> None:
    # Issue 20: described, not quoted (it was the first 100 / 80 bytes).
    raw = b"[" + b'"jdoe@example.com", ' * 60 + b"1]"
    assert error_of(Event(raw).to_dict) == "the event is not a JSON object (a list of 61 items)"
    broken = b'{"description": "jdoe@example.com' + b"x" * 100
    assert repr(Event(broken)) == f"Event(<undecodable, {len(broken)} bytes>)"


def test_distinct_events_spread_over_hashes() -> None:
    assert len({hash(Event({"id": str(n)})) for n in range(50)}) > 1


def test_a_null_field_is_described_as_null() -> None:
    assert repr(Event(b'{"id": null, "type": "t"}')) == "Event(id=<null>, type='t')"
    assert error_of(Event(b"null").to_dict) == "the event is not a JSON object (null)"


def _copies(item: Event) -> list[Event]:
    return [pickle.loads(pickle.dumps(item)), copy.copy(item), copy.deepcopy(item)]  # noqa: S301


def test_an_event_built_by_hand_survives_pickling_and_copying() -> None:
    built = Event(b'{"id": "a", "type": "t"}')
    for again in _copies(built):
        assert again == built
        assert repr(again) == "Event(id='a', type='t')"


def test_an_event_built_by_hand_pickles_its_text_alone() -> None:
    # Its repr is made from the text again when asked for; only a client's scrubber makes a
    # repr that must travel with it.
    built = Event(b'{"id": "01E24ET0G1PHQ8QVNYRYM4Q001", "type": "t"}')
    assert pickle.dumps(built).count(b"01E24ET0G1PHQ8QVNYRYM4Q001") == 1


def test_an_event_a_client_read_keeps_its_repr_through_pickling_and_copying() -> None:
    with client(Recorder(page_body([event(1)]))) as c:
        [read] = list(c.events(user_id=1))
    for again in _copies(read):
        assert again == read
        assert repr(again) == repr(read)
