"""The people of a bulk export: ``--identifiers-file``, one selector a line.

A line is ``user_id:N`` (a Zendesk user id), ``profile_id:ID`` (a profile id), or an
identifier query ``source:type:key:value``; blank lines and lines starting with ``#`` are
ignored, and so is a trailing comment: from the first ``#`` that follows a space or tab to the
end of the line (a ``#`` inside a value, as in ``shop:customer:url:https://x.com/a#b``, is
kept); a person named twice is exported once, under the first spelling (email and
twitter values compare case-insensitively, as in Zendesk).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

from zdevents import Identifier

from . import _run

_KINDS = ("user_id", "profile_id")
#: A comment at the end of a line: whitespace, then ``#``, then anything.
_TRAILING_COMMENT = re.compile(r"[ \t]#.*\Z", re.DOTALL)


class PeopleFileError(ValueError):
    """A bulk file that cannot be used; the message names the file and line."""


@attrs.frozen
class Person:
    """One line of the file: ``selector`` for the library, ``label`` for output and state."""

    selector: dict[str, Any]
    label: str


def parse_line(text: str) -> tuple[Person, tuple[object, ...]]:
    """A person and the key that says whether two lines name the same one."""
    kind, sep, value = text.partition(":")
    if sep and kind in _KINDS and ":" not in value:
        value = value.strip()
        if kind == "user_id":
            if not value.isascii() or not value.isdigit():
                raise ValueError(f"user_id:{value} is not user_id:<a positive whole number>")
            return Person({"user_id": int(value)}, f"user_id:{int(value)}"), ("u", int(value))
        return Person({"profile_id": value}, f"profile_id:{value}"), ("p", value)
    identifier = Identifier.parse(text)
    return Person({"identifier": str(identifier)}, str(identifier)), identifier.matching_key()


def read_people(path: str, check: Callable[[dict[str, Any]], object] | None = None) -> list[Person]:
    """The people of a bulk file, checked, in order, without repeats.

    ``check`` is called with each selector (``Client.events`` validates without sending
    anything); its ``ValueError``/``TypeError`` is reported with the line. Raises
    :class:`PeopleFileError`.
    """
    name = "standard input" if path == "-" else path
    try:
        if path == "-":
            lines = _run.stdin().read().splitlines()  # type: ignore[union-attr]
        else:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError, AttributeError) as exc:
        reason = "it is closed" if isinstance(exc, AttributeError) else str(exc)
        raise PeopleFileError(f"cannot read --identifiers-file {name}: {reason}") from None
    seen: dict[tuple[object, ...], Person] = {}
    for number, line in enumerate(lines, 1):
        text = _TRAILING_COMMENT.sub("", line, count=1).strip()
        if not text or text.startswith("#"):
            continue
        try:
            person, key = parse_line(text)
            if check is not None:
                check(person.selector)
        except (TypeError, ValueError) as exc:
            raise PeopleFileError(f"{name}, line {number}: {exc}") from None
        seen.setdefault(key, person)
    if not seen:
        raise PeopleFileError(f"{name} names nobody (no selector lines)")
    return list(seen.values())
