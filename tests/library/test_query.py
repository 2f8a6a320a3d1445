"""events() arguments: selectors, filters, page size; each route's URL and params on the wire."""

from __future__ import annotations

import pytest

from tests._mock import BASE, Recorder, client, never, page_body
from zdevents import Identifier


def sent(**arguments: object) -> Recorder:
    rec = Recorder(page_body(has_more=False))
    with client(rec) as c:
        assert list(c.events(**arguments)) == []  # type: ignore[arg-type]
    assert rec.calls == 1
    assert rec.last.method == "GET"
    return rec


def test_identifier_route() -> None:
    rec = sent(identifier="coolbikes:rider:email:jdoe@example.com")
    assert rec.last.url.copy_with(query=None) == f"{BASE}/api/v2/user_profiles/events"
    assert rec.params() == {
        "identifier": "coolbikes:rider:email:jdoe@example.com",
        "page[size]": "100",
    }


def test_identifier_object_is_the_same_as_its_text() -> None:
    a = sent(identifier=Identifier("coolbikes", "rider", "email", "jdoe@example.com"))
    b = sent(identifier="coolbikes:rider:email:jdoe@example.com")
    assert a.last.url == b.last.url


def test_profile_id_route() -> None:
    rec = sent(profile_id="01E1G0NJSQPNPZRV096JXKXFAA")
    assert rec.last.url.path == "/api/v2/user_profiles/01E1G0NJSQPNPZRV096JXKXFAA/events"
    assert rec.last.url.host == "coolbikes.zendesk.com"
    assert rec.last.url.scheme == "https"
    assert rec.params() == {"page[size]": "100"}


@pytest.mark.parametrize("user_id", [85211553, "85211553"])
def test_user_id_route(user_id: object) -> None:
    rec = sent(user_id=user_id)
    assert str(rec.last.url.copy_with(query=None)) == f"{BASE}/api/v2/users/85211553/events"
    assert rec.params() == {"page[size]": "100"}


def test_all_filters_on_the_wire_with_their_bracketed_names() -> None:
    rec = sent(
        profile_id="01E1G0NJSQPNPZRV096JXKXFAA",
        source="coolbike",
        type="bike_rental_booked",
        start="2020-02-23",
        end="2020-02-29T12:00:00Z",
        page_size=25,
    )
    assert rec.params() == {
        "filter[source]": "coolbike",
        "filter[type]": "bike_rental_booked",
        "filter[start_time]": "2020-02-23T00:00:00Z",
        "filter[end_time]": "2020-02-29T12:00:00Z",
        "page[size]": "25",
    }
    # Brackets are percent-encoded once, as Zendesk's own next links do.
    raw = rec.last.url.query.decode()
    assert "filter%5Bsource%5D=coolbike" in raw
    assert "page%5Bsize%5D=25" in raw
    assert "page[after]" not in rec.params()


def test_source_alone_is_allowed() -> None:
    rec = sent(user_id=1, source="zendesk")
    assert rec.params() == {"filter[source]": "zendesk", "page[size]": "100"}


def test_base_url_path_prefix_is_kept() -> None:
    rec = Recorder(page_body(has_more=False))
    with client(rec, base_url="https://proxy.example.com/zendesk/") as c:
        list(c.events(user_id=7))
    assert str(rec.last.url.copy_with(query=None)) == (
        "https://proxy.example.com/zendesk/api/v2/users/7/events"
    )


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({}, "exactly one of identifier, profile_id, user_id"),
        ({"identifier": "a:b:c:d", "user_id": 1}, "got identifier, user_id"),
        ({"profile_id": "P", "user_id": 1}, "got profile_id, user_id"),
        ({"identifier": "a:b:c:d", "profile_id": "P", "user_id": 1}, "exactly one"),
        ({"source": "coolbike"}, "exactly one"),
        ({"user_id": 1, "type": "bike_rental_booked"}, "type needs source"),
        ({"user_id": 1, "source": ""}, "source must not be empty"),
        ({"user_id": 1, "source": "  "}, "source must not be empty"),
        ({"user_id": 1, "source": "s", "type": ""}, "type must not be empty"),
        ({"user_id": 0}, "not a positive integer"),
        ({"user_id": -5}, "not a positive integer"),
        ({"user_id": "12a"}, "not a positive integer"),
        ({"user_id": ""}, "not a positive integer"),
        ({"profile_id": ""}, "profile_id must not be empty"),
        ({"profile_id": "a/b"}, "not a profile id"),
        ({"profile_id": ".."}, "not a profile id"),
        ({"profile_id": "."}, "not a profile id"),
        ({"profile_id": " P1"}, "not a profile id"),
        ({"identifier": "coolbikes:rider:email"}, "four parts"),
        ({"identifier": ""}, "four parts"),
        ({"user_id": 1, "page_size": 0}, r"outside 1\.\.100"),
        ({"user_id": 1, "page_size": 101}, r"outside 1\.\.100"),
        ({"user_id": 1, "page_size": -1}, r"outside 1\.\.100"),
    ],
)
def test_invalid_arguments_are_value_errors_before_any_request(
    arguments: dict[str, object], match: str
) -> None:
    with client(never) as c, pytest.raises(ValueError, match=match):
        c.events(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "arguments",
    [
        {"user_id": 1, "page_size": True},
        {"user_id": 1, "page_size": "5"},
        {"user_id": 1, "page_size": 5.0},
        {"user_id": True},
        {"user_id": 1.5},
        {"identifier": 12},
        {"user_id": 1, "source": 5},
    ],
)
def test_wrong_argument_types_are_type_errors_before_any_request(
    arguments: dict[str, object],
) -> None:
    with client(never) as c, pytest.raises(TypeError):
        c.events(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("page_size", [1, 100])
def test_page_size_limits_are_inclusive(page_size: int) -> None:
    assert sent(user_id=1, page_size=page_size).params()["page[size]"] == str(page_size)


def test_positional_selector_is_the_identifier() -> None:
    rec = Recorder(page_body(has_more=False))
    with client(rec) as c:
        list(c.events("coolbikes:rider:email:jdoe@example.com"))
    assert rec.params()["identifier"] == "coolbikes:rider:email:jdoe@example.com"


def test_events_does_not_send_until_iterated() -> None:
    with client(never) as c:
        stream = c.events(user_id=1, source="coolbike")
        assert stream.query.user_id == 1
        assert stream.query.source == "coolbike"


@pytest.mark.parametrize(
    ("profile_id", "segment"), [("a?b#c", "a%3Fb%23c"), ("a b", "a%20b"), ("%2e%2e", "%252e%252e")]
)
def test_profile_id_is_one_encoded_path_segment(profile_id: str, segment: str) -> None:
    rec = sent(profile_id=profile_id)
    assert rec.last.url.raw_path.decode().split("?")[0] == f"/api/v2/user_profiles/{segment}/events"


def test_user_id_beyond_int64_is_refused() -> None:
    with client(never) as c:
        with pytest.raises(ValueError, match="64 bits"):
            c.events(user_id=2**63)
        assert c.events(user_id=2**63 - 1).query.user_id == 2**63 - 1


@pytest.mark.parametrize("kind", ["str", "int"])
def test_a_user_id_of_thousands_of_digits_is_refused_in_a_short_message(kind: str) -> None:
    # int() and repr() refuse more than 4,300 digits with a ValueError of their own.
    user_id = "9" * 5000 if kind == "str" else 10**5000
    with client(never) as c, pytest.raises(ValueError, match="64 bits") as caught:
        c.events(user_id=user_id)  # type: ignore[arg-type]
    assert str(caught.value).startswith("user_id")
    assert len(str(caught.value)) < 200
