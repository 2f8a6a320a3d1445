"""Identifier queries: validation, parsing, and how they reach the wire (encoded once)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests._mock import Recorder, client, page_body
from zdevents import Identifier


def test_str_joins_the_four_parts() -> None:
    q = Identifier("coolbikes", "rider", "email", "jdoe@example.com")
    assert str(q) == "coolbikes:rider:email:jdoe@example.com"
    assert (q.source, q.type, q.key, q.value) == ("coolbikes", "rider", "email", "jdoe@example.com")


@pytest.mark.parametrize("part", ["source", "type", "key", "value"])
def test_empty_part_is_a_value_error(part: str) -> None:
    parts = {"source": "coolbikes", "type": "rider", "key": "email", "value": "x@y.z"}
    parts[part] = ""
    with pytest.raises(ValueError, match=f"identifier {part} must not be empty"):
        Identifier(**parts)


@pytest.mark.parametrize("part", ["source", "type", "key"])
def test_colon_in_source_type_or_key_is_a_value_error(part: str) -> None:
    parts = {"source": "coolbikes", "type": "rider", "key": "email", "value": "x@y.z"}
    parts[part] = "a:b"
    with pytest.raises(ValueError, match=f"identifier {part} must not contain ':'"):
        Identifier(**parts)


def test_non_string_part_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Identifier("coolbikes", "rider", "phone_number", 5551234)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", ["https://example.com/a:b", "a:b:c", ":", "urn:isbn:0451450523", "+1 555:12"]
)
def test_value_may_contain_colons_and_round_trips(value: str) -> None:
    q = Identifier("shop", "customer", "url", value)
    text = str(q)
    assert text == f"shop:customer:url:{value}"
    parsed = Identifier.parse(text)
    assert parsed == q
    assert parsed.value == value
    assert str(parsed) == text


@pytest.mark.parametrize(
    "text",
    ["coolbikes:rider:email", "coolbikes", "", "a:b:c:", ":b:c:d", "a::c:d", "a:b::d"],
)
def test_parse_rejects_incomplete_text(text: str) -> None:
    with pytest.raises(ValueError):
        Identifier.parse(text)


def test_parse_rejects_non_string() -> None:
    with pytest.raises(TypeError):
        Identifier.parse(None)  # type: ignore[arg-type]


def test_identifier_is_frozen_and_hashable() -> None:
    q = Identifier("a", "b", "c", "d")
    with pytest.raises(AttributeError):
        q.value = "e"  # type: ignore[misc]
    assert {q, Identifier("a", "b", "c", "d")} == {q}


def _identifier_on_the_wire(identifier: Identifier | str) -> tuple[str, str]:
    """(raw query string as sent, value decoded once by the receiving server)."""
    rec = Recorder(page_body(has_more=False))
    with client(rec) as c:
        assert list(c.events(identifier=identifier)) == []
    assert rec.calls == 1
    raw_query = rec.last.url.query.decode("ascii")
    return raw_query, rec.last.url.params["identifier"]


def test_plus_in_email_is_sent_as_2B_and_decodes_back_to_plus() -> None:
    raw, decoded = _identifier_on_the_wire("coolbikes:rider:email:j+doe@example.com")
    assert "%2B" in raw
    assert "+" not in raw  # a raw + would be read as a space by the server
    assert decoded == "coolbikes:rider:email:j+doe@example.com"


def test_colons_and_percent_are_encoded_exactly_once() -> None:
    q = Identifier("coolbikes", "rider", "email", "50%off:deal@example.com")
    raw, decoded = _identifier_on_the_wire(q)
    identifier_raw = dict(p.split("=", 1) for p in raw.split("&"))["identifier"]
    assert identifier_raw == "coolbikes%3Arider%3Aemail%3A50%25off%3Adeal%40example.com"
    assert "%253A" not in raw and "%2525" not in raw  # not encoded twice
    assert unquote(identifier_raw) == str(q) == decoded


def test_space_in_value_arrives_as_a_space() -> None:
    raw, decoded = _identifier_on_the_wire("shop:customer:name:Jane Doe")
    assert "Jane+Doe" in raw or "Jane%20Doe" in raw
    assert decoded == "shop:customer:name:Jane Doe"


@pytest.mark.parametrize(
    "text",
    [
        " coolbikes:rider:email:jdoe@example.com",
        "coolbikes :rider:email:jdoe@example.com",
        "coolbikes:rider:email:jdoe@example.com\n",
        "coolbikes:rider:email: jdoe@example.com",
        "coolbikes:rid\ter:email:jdoe@example.com",
        "coolbikes:   :email:jdoe@example.com",
    ],
)
def test_surrounding_whitespace_or_control_characters_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"whitespace|empty"):
        Identifier.parse(text)


@pytest.mark.parametrize("part", ["source", "type", "key", "value"])
def test_a_lone_surrogate_in_any_part_is_a_value_error_naming_it(part: str) -> None:
    parts = {"source": "shop", "type": "customer", "key": "email", "value": "a@example.com"}
    parts[part] = "x\udcffy"  # os.fsdecode(b"x\xffy"): bytes that are not UTF-8
    with pytest.raises(ValueError, match=f"identifier {part} is not valid text") as caught:
        Identifier(**parts)
    assert not isinstance(caught.value, UnicodeError)
    assert "character 2" in str(caught.value)
    with pytest.raises(ValueError, match=f"identifier {part} is not valid text"):
        Identifier.parse(":".join(parts.values()))


def test_error_messages_quote_a_huge_value_briefly() -> None:
    for text in ("a:b:" + "c" * 100_000, "a:b:c:" + " " * 100_000 + "x"):
        with pytest.raises(ValueError) as caught:
            Identifier.parse(text)
        assert len(str(caught.value)) < 300
