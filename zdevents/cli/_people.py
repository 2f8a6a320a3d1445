"""The people of a bulk export: ``--identifiers-file``, one selector a line.

The format is the library's (:func:`zdevents.read_selectors`): ``user_id:N``,
``profile_id:ID`` or an identifier query a line; comments and blank lines ignored; a person
named twice is exported once, under the first spelling. This module reads the file (or
standard input) and names it in errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from zdevents import Identifier, read_selectors

from . import _run


class PeopleFileError(ValueError):
    """A bulk file that cannot be used; the message names the file and line."""


@attrs.frozen
class Person:
    """One line of the file: ``selector`` for the library, ``label`` for output and state,
    ``line`` its number in the file (the first, for a person named twice)."""

    selector: dict[str, Any]
    label: str
    line: int = 0


def _person(parsed: Identifier | dict[str, Any]) -> Person:
    if isinstance(parsed, Identifier):
        return Person({"identifier": str(parsed)}, str(parsed))
    kind = "user_id" if "user_id" in parsed else "profile_id"
    return Person(dict(parsed), f"{kind}:{parsed[kind]}")


def _numbered(people: list[Person], lines: list[str]) -> list[Person]:
    """``people`` (read from ``lines``, in order, each once) with the number of the line
    each was read from: the first line that reads as the next person, by the library's own
    reading of one line (a later spelling of someone already named is never the next one)."""
    numbered: list[Person] = []
    for number, line in enumerate(lines, 1):
        if len(numbered) == len(people):
            break
        person = people[len(numbered)]
        parsed = read_selectors([line])
        if parsed and _person(parsed[0]).label == person.label:
            numbered.append(attrs.evolve(person, line=number))
    # Never a person fewer: a line that could not be matched leaves the numbers out.
    return numbered if len(numbered) == len(people) else people


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
    try:
        people = _numbered([_person(parsed) for parsed in read_selectors(lines)], lines)
    except ValueError as exc:
        raise PeopleFileError(f"{name}, {exc}") from None
    if check is not None:
        for person in people:
            try:
                check(person.selector)
            except (TypeError, ValueError) as exc:
                raise PeopleFileError(f"{name}: {person.label}: {exc}") from None
    if not people:
        raise PeopleFileError(f"{name} names nobody (no selector lines)")
    return people
