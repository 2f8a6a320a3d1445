"""JSON text kept as text: the standard library's strict decoder and exact spans.

msgspec does the fast work (``_responses``, ``_event``); this module is the slow, exact
fallback for what msgspec refuses although JSON allows it (lone surrogate escapes such as
``"\\ud800"``), and the reference for what a page may hold: numbers JSON cannot carry
(``1e400`` would become ``inf``, ``NaN`` is not JSON) are refused.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")


class NotFiniteError(ValueError):
    """A number JSON cannot carry."""


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise NotFiniteError(text)
    return value


def _not_finite(name: str) -> float:
    raise NotFiniteError(name)  # NaN, Infinity, -Infinity: not JSON, though Python reads them


# Built once: json.loads with hooks would build a decoder for every call.
strict_decoder = json.JSONDecoder(parse_float=_finite_float, parse_constant=_not_finite)

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_COMPACT_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def compact_bytes(value: Any) -> bytes:
    """``value`` as compact JSON in UTF-8, as ``json.dumps`` writes it (lone surrogates
    escaped, as JSON allows; a NaN as ``NaN``, which reading the event then refuses)."""
    try:
        return _COMPACT.encode(value).encode()
    except UnicodeEncodeError:
        return _COMPACT_ASCII.encode(value).encode()


def _skip(text: str, i: int) -> int:
    match = _WS.match(text, i)
    assert match is not None  # the pattern matches the empty string
    return match.end()


def member_spans(text: str, start: int = 0) -> list[tuple[str, int, int]]:
    """``(name, start, end)`` of each member of the JSON object in ``text`` (the whole
    text, whitespace around it allowed), in order, duplicates included. Values are checked
    by :data:`strict_decoder`; raises ``ValueError`` (``NotFiniteError`` included)."""
    members, end = _object(text, _skip(text, start))
    if _skip(text, end) != len(text):
        raise ValueError(f"extra data after the object (char {end})")
    return members


def _object(text: str, i: int) -> tuple[list[tuple[str, int, int]], int]:
    if text[i : i + 1] != "{":
        raise ValueError(f"expected an object (char {i})")
    members: list[tuple[str, int, int]] = []
    i = _skip(text, i + 1)
    if text[i : i + 1] == "}":
        return members, i + 1
    while True:
        if text[i : i + 1] != '"':
            raise ValueError(f"expected a member name (char {i})")
        name, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        i = _skip(text, i)
        if text[i : i + 1] != ":":
            raise ValueError(f"expected ':' (char {i})")
        i = _skip(text, i + 1)
        _, end = strict_decoder.raw_decode(text, i)
        members.append((name, i, end))
        i = _skip(text, end)
        if text[i : i + 1] == "}":
            return members, i + 1
        if text[i : i + 1] != ",":
            raise ValueError(f"expected ',' or '}}' (char {i})")
        i = _skip(text, i + 1)


def element_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each element of the JSON array ``text[start:end]``."""
    i = _skip(text, start)
    if text[i : i + 1] != "[":
        raise ValueError(f"expected an array (char {i})")
    spans: list[tuple[int, int]] = []
    i = _skip(text, i + 1)
    if text[i : i + 1] == "]":
        return spans
    while True:
        _, stop = strict_decoder.raw_decode(text, i)
        spans.append((i, stop))
        i = _skip(text, stop)
        if text[i : i + 1] == "]":
            return spans
        if text[i : i + 1] != ",":
            raise ValueError(f"expected ',' or ']' (char {i})")
        i = _skip(text, i + 1)
