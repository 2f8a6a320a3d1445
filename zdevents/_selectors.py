"""The text spelling of a selector, one a line: the ``--identifiers-file`` format.

A line is ``user_id:N`` (a Zendesk user id), ``profile_id:ID`` (a profile id), or an
identifier query ``source:type:key:value``; blank lines and lines starting with ``#`` are
ignored, and so is a trailing comment: from the first ``#`` that follows a space or tab to
the end of the line (a ``#`` inside a value, as in ``shop:customer:url:https://x.com/a#b``,
is kept); a person named twice is kept once, under the first spelling (email and twitter
values compare case-insensitively, as in Zendesk). ``profile_id:a:b:c`` has colons in its
"id", so it is an identifier query, as it would be for Zendesk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._identifier import Identifier
from ._query import check_identifier, check_profile_id, check_user_id

_KINDS = ("user_id", "profile_id")
#: A comment at the end of a line: whitespace, then ``#``, then anything.
_TRAILING_COMMENT = re.compile(r"[ \t]#.*\Z", re.DOTALL)


def _spelled(text: str) -> tuple[str, str] | None:
    """``(kind, value)`` for ``user_id:N`` and ``profile_id:ID``, else ``None``."""
    kind, sep, value = text.partition(":")
    if sep and kind in _KINDS and ":" not in value:
        return kind, value.strip()
    return None


def parse_selector(text: str) -> Identifier | dict[str, Any]:
    """One selector from its text: ``{"user_id": N}`` for ``user_id:N``,
    ``{"profile_id": ID}`` for ``profile_id:ID``, else the :class:`Identifier` of an
    identifier query, checked as ``events()`` checks its selector. Raises ``ValueError``
    naming what is wrong.

    >>> parse_selector("user_id:85211553")
    {'user_id': 85211553}
    >>> parse_selector("coolbikes:rider:email:jdoe@example.com")
    Identifier(source='coolbikes', type='rider', key='email', value=...)
    """
    if not isinstance(text, str):
        raise TypeError(f"a selector's text must be a str, not {type(text).__name__}")
    text = text.strip()
    spelled = _spelled(text)
    if spelled is None:
        identifier = Identifier.parse(text)
        check_identifier(identifier)  # as events() checks it (its length, say)
        return identifier
    kind, value = spelled
    if kind == "user_id":
        if not value.isascii() or not value.isdigit() or int(value) < 1:
            raise ValueError(f"user_id:{value} is not user_id:<a positive whole number>")
        check_user_id(value)
        return {"user_id": int(value)}
    if not value:
        raise ValueError("profile_id: is missing the profile id")
    check_profile_id(value)
    return {"profile_id": value}


def spelled_kwargs(text: str) -> dict[str, Any] | None:
    """The selector of ``user_id:N`` or ``profile_id:ID`` as keyword arguments of
    ``events()``; ``None`` for any other text (an identifier query)."""
    if _spelled(text.strip()) is None:
        return None
    parsed = parse_selector(text)
    assert isinstance(parsed, dict)
    return parsed


def selector_key(selector: Identifier | Mapping[str, Any]) -> tuple[object, ...]:
    """What says whether two parsed selectors name the same person."""
    if isinstance(selector, Identifier):
        return selector.matching_key()
    if "user_id" in selector:
        return ("u", int(selector["user_id"]))
    return ("p", selector["profile_id"])


def selector_text(selector: Identifier | Mapping[str, Any]) -> str:
    """The text of a parsed selector, as a line of the file spells it."""
    if isinstance(selector, Identifier):
        return str(selector)
    kind = "user_id" if "user_id" in selector else "profile_id"
    return f"{kind}:{selector[kind]}"


def read_selectors(lines: Iterable[str]) -> list[Identifier | dict[str, Any]]:
    """The selectors of ``lines`` (an open file, a list of strings), in order, each person
    once; comments and blank lines skipped. A bad line raises ``ValueError`` starting
    ``line N:``. ``zdevents events --identifiers-file`` and ``zdevents sync`` read files
    with it, and ``zdevents people -o`` writes them.

    >>> read_selectors(["# people", "user_id:1", "user_id:1  # again", "profile_id:01E1"])
    [{'user_id': 1}, {'profile_id': '01E1'}]
    """
    if isinstance(lines, str):
        raise TypeError("read_selectors takes lines (a file or a list), not one string")
    seen: dict[tuple[object, ...], Identifier | dict[str, Any]] = {}
    for number, line in enumerate(lines, 1):
        text = _TRAILING_COMMENT.sub("", line.rstrip("\r\n"), count=1).strip()
        if not text or text.startswith("#"):
            continue
        try:
            selector = parse_selector(text)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"line {number}: {exc}") from None
        seen.setdefault(selector_key(selector), selector)
    return list(seen.values())
