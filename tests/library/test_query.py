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


def refusal(kind: type[Exception], arguments: dict[str, object]) -> str:
    """The message of the ``kind`` of error ``events(**arguments)`` raises (before any
    request: the transport refuses to be called)."""
    with client(never) as c, pytest.raises(kind) as caught:
        c.events(**arguments)  # type: ignore[arg-type]
    return str(caught.value)


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


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("events", ("coolbikes:rider:email:jdoe@example.com",)),
        ("events", (None, None, 85211553)),
        ("profile", ("coolbikes:rider:email:jdoe@example.com",)),
        ("profiles", (85211553,)),
    ],
)
def test_selectors_are_keyword_only(method: str, args: tuple[object, ...]) -> None:
    rec = Recorder(page_body(has_more=False))
    with client(rec) as c, pytest.raises(TypeError, match="positional argument"):
        getattr(c, method)(*args)
    assert rec.calls == 0


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


# --- what each refusal says ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "give exactly one of identifier, profile_id, user_id (got none)"),
        (
            {"identifier": "a:b:c:d", "profile_id": "P"},
            "give exactly one of identifier, profile_id, user_id (got identifier, profile_id)",
        ),
        (
            {"identifier": "a:b:c:d", "profile_id": "P", "user_id": 1},
            "give exactly one of identifier, profile_id, user_id "
            "(got identifier, profile_id, user_id)",
        ),
        ({"profile_id": "a/b"}, "profile_id='a/b' is not a profile id"),
        ({"profile_id": "P1 "}, "profile_id='P1 ' is not a profile id"),
        ({"profile_id": "\t"}, "profile_id must not be empty"),
        ({"user_id": 1, "source": ""}, "source must not be empty"),
        ({"user_id": 1, "source": "s", "type": " "}, "type must not be empty"),
        (
            {"user_id": 1, "type": "login"},
            "type needs source too: Zendesk filters types within one source",
        ),
        (
            {"user_id": 1, "start": "2020-03-01", "end": "2020-02-29"},
            "start (2020-03-01T00:00:00Z) is after end (2020-02-29T23:59:59.999999999Z)",
        ),
        ({"user_id": 1, "page_size": 0}, "page_size=0 is outside 1..100"),
        ({"user_id": 1, "page_size": 101}, "page_size=101 is outside 1..100"),
        ({"user_id": 1, "after": ""}, "after='' must be a non-empty cursor string (Page.cursor)"),
        ({"user_id": 1, "after": " "}, "after=' ' must be a non-empty cursor string (Page.cursor)"),
        ({"user_id": 1, "after": 5}, "after=5 must be a non-empty cursor string (Page.cursor)"),
        (
            {"user_id": 1, "after": "c\udcff"},
            "after is not valid text: character 2 is a lone surrogate ('\\udcff'), "
            "from bytes that are not UTF-8",
        ),
        (
            {"user_id": 1, "source": "s\udcff"},
            "source is not valid text: character 2 is a lone surrogate ('\\udcff'), "
            "from bytes that are not UTF-8",
        ),
        (
            {"profile_id": "\udcffP"},
            "profile_id is not valid text: character 1 is a lone surrogate ('\\udcff'), "
            "from bytes that are not UTF-8",
        ),
    ],
)
def test_a_refused_argument_is_named_with_the_problem(
    arguments: dict[str, object], message: str
) -> None:
    assert refusal(ValueError, arguments) == message


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"identifier": 12}, "identifier must be a str or Identifier, not int"),
        ({"user_id": 1, "source": 5}, "source must be a string, not int"),
        ({"user_id": 1, "source": "s", "type": b"t"}, "type must be a string, not bytes"),
        ({"profile_id": ["P"]}, "profile_id must be a string, not list"),
        ({"user_id": 1.0}, "user_id must be an int, not float"),
        ({"user_id": False}, "user_id must be an int, not bool"),
        ({"user_id": 1, "page_size": "5"}, "page_size must be an int, not str"),
        ({"user_id": 1, "page_size": True}, "page_size must be an int, not bool"),
    ],
)
def test_a_wrong_type_is_named_with_the_type_given(
    arguments: dict[str, object], message: str
) -> None:
    assert refusal(TypeError, arguments) == message


# --- user ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "message"),
    [
        ("12a", "user_id='12a' is not a positive integer"),
        ("-5", "user_id='-5' is not a positive integer"),
        (" 5", "user_id=' 5' is not a positive integer"),
        ("\u0661\u0662", "user_id='\u0661\u0662' is not a positive integer"),  # Arabic-Indic
        ("\u00b2", "user_id='\u00b2' is not a positive integer"),  # superscript two
        # A value is quoted whole up to 80 characters, and cut to 80 beyond.
        ("x" * 78, f"user_id='{'x' * 78}' is not a positive integer"),
        ("x" * 79, f"user_id='{'x' * 74}...' is not a positive integer"),
        ("x" * 100, f"user_id='{'x' * 74}...' is not a positive integer"),
        (0, "user_id=0 is not a positive integer of at most 64 bits"),
        ("0", "user_id=0 is not a positive integer of at most 64 bits"),
        (-1, "user_id=-1 is not a positive integer of at most 64 bits"),
        (2**63, "user_id=9223372036854775808 is not a positive integer of at most 64 bits"),
        (2**64 - 1, "user_id=18446744073709551615 is not a positive integer of at most 64 bits"),
        (2**64, "user_id=a 65-bit number is not a positive integer of at most 64 bits"),
        (-(2**64), "user_id=a 65-bit number is not a positive integer of at most 64 bits"),
        ("9" * 19, "user_id=9999999999999999999 is not a positive integer of at most 64 bits"),
        (
            "1" + "0" * 19,
            "user_id has 20 digits; it must be a positive integer of at most 64 bits",
        ),
        (
            "9" * 5000,
            "user_id has 5,000 digits; it must be a positive integer of at most 64 bits",
        ),
    ],
)
def test_a_refused_user_id_says_why(user_id: object, message: str) -> None:
    assert refusal(ValueError, {"user_id": user_id}) == message


@pytest.mark.parametrize(
    ("user_id", "path"),
    [
        ("0" * 30 + "85211553", "/api/v2/users/85211553/events"),
        ("1", "/api/v2/users/1/events"),
        ("0" * 5 + "9223372036854775807", "/api/v2/users/9223372036854775807/events"),
    ],
)
def test_a_user_id_given_as_text_goes_out_as_its_number(user_id: object, path: str) -> None:
    assert sent(user_id=user_id).last.url.path == path


# --- how a query names itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "described"),
    [
        ({"identifier": "shop:customer:email:jdoe@example.com"}, "identifier shop:customer:..."),
        ({"profile_id": "01E1G0NJSQPNPZRV096JXKXFAA"}, "profile 01E1G0NJSQPNPZRV096JXKXFAA"),
        ({"user_id": "0085211553"}, "user 85211553"),
        # Forty characters are shown whole; more are cut to thirty-seven and "...".
        ({"identifier": f"{'s' * 40}:{'t' * 41}:k:v"}, f"identifier {'s' * 40}:{'t' * 37}...:..."),
        ({"profile_id": "p" * 40}, f"profile {'p' * 40}"),
        ({"profile_id": "p" * 41}, f"profile {'p' * 37}..."),
    ],
)
def test_a_query_describes_its_selector_without_an_identifier_value(
    arguments: dict[str, object], described: str
) -> None:
    with client(never) as c:
        stream = c.events(**arguments)  # type: ignore[arg-type]
        assert stream.query.describe() == described
        assert repr(stream).startswith(f"<EventStream {described}")


# --- the length of the text arguments ----------------------------------------------------------

LIMIT = 60 * 1024  # what the text arguments of one query may take of the URL, percent-encoded


def too_long(name: str, size: int) -> str:
    return (
        f"{name} is too long: {size:,} characters once percent-encoded; the text arguments of "
        "one query may take 61,440 together (URLs are limited to 64 KiB)"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"user_id": 1, "source": "s" * (LIMIT + 1)}, too_long("source", LIMIT + 1)),
        # "/" is three characters once encoded, as in a path segment or a query value.
        ({"user_id": 1, "source": "/" * (LIMIT // 3 + 1)}, too_long("source", LIMIT + 3)),
        ({"profile_id": "p" * (LIMIT + 1)}, too_long("profile_id", LIMIT + 1)),
        ({"user_id": 1, "after": "a" * (LIMIT + 1)}, too_long("after", LIMIT + 1)),
        (
            {"identifier": "s:t:k:" + "v" * LIMIT},
            too_long("identifier", LIMIT + 12),  # the three ":" become "%3A"
        ),
        # Together over the limit, each below it: the longest is named.
        (
            {"user_id": 1, "source": "s" * (LIMIT // 2), "type": "t" * (LIMIT // 2 + 1)},
            too_long("type", LIMIT // 2 + 1),
        ),
        (
            {"user_id": 1, "source": "s" * (LIMIT // 2 + 1), "type": "t" * (LIMIT // 2)},
            too_long("source", LIMIT // 2 + 1),
        ),
        (
            {"profile_id": "p" * (LIMIT - 5), "after": "a" * 6},
            too_long("profile_id", LIMIT - 5),
        ),
    ],
)
def test_text_arguments_too_long_for_a_url_are_refused_by_name(
    arguments: dict[str, object], message: str
) -> None:
    assert refusal(ValueError, arguments) == message


@pytest.mark.parametrize(
    "arguments",
    [
        {"user_id": 1, "source": "s" * LIMIT},
        {"user_id": 1, "source": "s" * (LIMIT // 2), "type": "t" * (LIMIT // 2)},
        {"user_id": 1, "source": "s", "type": "t", "after": "a" * (LIMIT - 2)},
        {"identifier": "s:t:k:" + "v" * (LIMIT - 12)},
        {"profile_id": "p" * (LIMIT - 1), "source": "s"},
    ],
)
def test_text_arguments_up_to_the_limit_are_sent(arguments: dict[str, object]) -> None:
    rec = sent(**arguments)
    assert len(str(rec.last.url)) > LIMIT
