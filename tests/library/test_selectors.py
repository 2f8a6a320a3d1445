"""``zdevents.parse_selector`` and ``zdevents.read_selectors``: the ``--identifiers-file``
format, in the library."""

from __future__ import annotations

import io

import pytest

import zdevents
from zdevents import Identifier


def test_each_spelling_parses_to_a_selector() -> None:
    assert zdevents.parse_selector("user_id:85211553") == {"user_id": 85211553}
    assert zdevents.parse_selector(" profile_id:01E1 ") == {"profile_id": "01E1"}
    ident = zdevents.parse_selector("coolbikes:rider:email:jdoe@example.com")
    assert isinstance(ident, Identifier) and ident.value == "jdoe@example.com"
    # Colons in the "id": an identifier query, as Zendesk would read it.
    assert isinstance(zdevents.parse_selector("profile_id:a:b:c"), Identifier)


@pytest.mark.parametrize(
    "text", ["user_id:x1", "user_id:-4", "user_id:0", "profile_id:", "nobody", "a:b:c:"]
)
def test_a_bad_spelling_is_a_value_error_naming_it(text: str) -> None:
    with pytest.raises(ValueError):
        zdevents.parse_selector(text)


def test_read_selectors_skips_comments_and_repeats_and_names_the_bad_line() -> None:
    lines = io.StringIO(
        "# the people\n"
        "user_id:1\n"
        "\n"
        "user_id:1   # again\n"
        "shop:customer:email:Jane@Example.com\n"
        "shop:customer:email:jane@example.com\n"
        "shop:customer:url:https://x.com/a#b\n"
        "profile_id:01E1\n"
    )
    got = zdevents.read_selectors(lines)
    assert got[0] == {"user_id": 1} and got[-1] == {"profile_id": "01E1"}
    assert [str(s) for s in got[1:3]] == [
        "shop:customer:email:Jane@Example.com",
        "shop:customer:url:https://x.com/a#b",
    ]
    assert len(got) == 4
    with pytest.raises(ValueError, match=r"^line 2: user_id:x"):
        zdevents.read_selectors(["user_id:1", "user_id:x"])
    with pytest.raises(TypeError):
        zdevents.read_selectors("user_id:1")  # type: ignore[arg-type]
    assert zdevents.read_selectors([]) == []
