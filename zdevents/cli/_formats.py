"""The four output formats of the command line: jsonl, json, csv and table.

Writers produce bytes, not text, so that the resume checkpoint can record an exact byte
offset and the output is UTF-8 whatever the locale says. JSONL and JSON write each event's
text as Zendesk sent it (``Event.raw``), byte for byte; only a pretty-printed event loses
the whitespace between its tokens, so that it stays on one line. CSV's ``properties``
column is the properties' text as received, on one line in the same way.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from typing import IO, Any

from zdevents import Event

from . import _run

FORMATS = ("jsonl", "json", "csv", "table")
#: Formats that can be appended to page by page, hence resumed.
APPENDABLE_FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ("id", "source", "type", "description", "created_at", "received_at", "properties")


# One encoder for every event: json.dumps with options builds a new encoder per call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_COMPACT_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def _json_bytes(value: Any) -> bytes:
    try:
        return _COMPACT.encode(value).encode()
    except UnicodeEncodeError:
        # A lone surrogate (legal as a JSON escape, not encodable as UTF-8): keep the value
        # lossless by escaping it as JSON does.
        return _COMPACT_ASCII.encode(value).encode()


# A JSON string (kept), or whitespace between tokens (dropped). A raw line break can only be
# the latter: JSON strings escape control characters.
_TOKEN_GAP = re.compile(rb'("(?:[^"\\]|\\.)*")|[ \t\r\n]+')


def _one_line(text: bytes) -> bytes:
    """``text`` as is, or without the whitespace between its tokens if it spans lines."""
    if b"\n" not in text and b"\r" not in text:
        return text
    return _TOKEN_GAP.sub(lambda m: m.group(1) or b"", text)


def _event_bytes(event: Event, selector: str | None, bulk: bool) -> bytes:
    raw = _one_line(event.raw)
    if not bulk:
        return raw
    return b'{"selector":' + _json_bytes(selector) + b',"event":' + raw + b"}"


def _properties_text(event: Event) -> str:
    raw = event.raw_properties
    if raw is None or raw == b"null":
        return ""
    return _one_line(raw).decode()


def _text(value: Any) -> str:
    """A raw field as cell text: strings as received, anything else as JSON, absent as ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _json_bytes(value).decode()


class EventWriter:
    """Writes events to a binary sink in one format.

    ``bulk`` adds the selector each event belongs to (a column, or a wrapper object in the
    JSON formats so that the event object itself stays exactly as received).
    """

    def __init__(self, sink: IO[bytes], *, bulk: bool = False) -> None:
        self.sink = sink
        self.bulk = bulk

    def begin(self) -> None:
        """Write what comes before the first event (a header, an opening bracket)."""

    def write(self, event: Event, selector: str | None = None) -> None:
        raise NotImplementedError

    def end_page(self) -> None:
        """A page is complete (the table fixes its column widths on the first one)."""

    def finish(self) -> None:
        """Write what comes after the last event."""


class JsonlWriter(EventWriter):
    """One JSON object a line: the event as received, or ``{"selector", "event"}`` in bulk."""

    def write(self, event: Event, selector: str | None = None) -> None:
        self.sink.write(_event_bytes(event, selector, self.bulk) + b"\n")


class JsonWriter(EventWriter):
    """One JSON array, streamed: events are never all held in memory."""

    def __init__(self, sink: IO[bytes], *, bulk: bool = False) -> None:
        super().__init__(sink, bulk=bulk)
        self._count = 0

    def begin(self) -> None:
        self.sink.write(b"[")

    def write(self, event: Event, selector: str | None = None) -> None:
        self.sink.write(
            (b",\n" if self._count else b"\n") + _event_bytes(event, selector, self.bulk)
        )
        self._count += 1

    def finish(self) -> None:
        self.sink.write(b"\n]\n" if self._count else b"]\n")


class CsvWriter(EventWriter):
    """A header row, then one row an event; timestamps are the received text, properties
    JSON text. Bulk mode puts a ``selector`` column first."""

    def __init__(self, sink: IO[bytes], *, bulk: bool = False) -> None:
        super().__init__(sink, bulk=bulk)
        self._buffer = io.StringIO()
        # "\n" rather than csv's default "\r\n": every CSV reader accepts it, and it keeps
        # the file friendly to line-oriented tools.
        self._csv = csv.writer(self._buffer, lineterminator="\n")

    def _emit(self, row: list[str]) -> None:
        self._csv.writerow(row)
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        self.sink.write(text.encode("utf-8", "backslashreplace"))

    def begin(self) -> None:
        self._emit((["selector"] if self.bulk else []) + list(CSV_COLUMNS))

    def write(self, event: Event, selector: str | None = None) -> None:
        raw = event.to_dict()
        row = [_text(raw.get(name)) for name in CSV_COLUMNS[:-1]]
        row.append(_properties_text(event))
        self._emit(([selector or ""] if self.bulk else []) + row)


#: Characters a table cell shows as "?", so that an event's text cannot move the cursor,
#: recolour the terminal, reorder what follows it or break the line: controls (Cc: C0, C1,
#: DEL), format characters (Cf: bidi overrides and isolates such as U+202E, zero-width
#: spaces and joiners, soft hyphen, BOM), line and paragraph separators (Zl, Zp: U+2028,
#: U+2029), lone surrogates (Cs) and unassigned code points (Cn, of unknown width).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})


def _safe_text(text: str) -> str:
    """``text`` with every character of :data:`_UNSAFE_CATEGORIES` replaced by ``?``."""
    if text.isascii() and text.isprintable():
        return text
    return "".join("?" if unicodedata.category(c) in _UNSAFE_CATEGORIES else c for c in text)


def terminal_json(text: str) -> str:
    """JSON ``text`` (indented: its line breaks are kept) with every character of
    :data:`_UNSAFE_CATEGORIES` written as its ``\\u`` escape: the same JSON, and nothing a
    terminal would obey, nor a lone surrogate that cannot be printed."""
    return "".join(
        json.dumps(c)[1:-1] if c != "\n" and unicodedata.category(c) in _UNSAFE_CATEGORIES else c
        for c in text
    )


def _char_width(char: str) -> int:
    """Terminal columns of one character: 0 for combining marks (they join the character
    before them), 2 for East Asian wide and fullwidth characters, else 1."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _cell_width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns (with an ellipsis) and padded to it."""
    if _cell_width(text) > width:
        out, used = [], 0
        for char in text:
            w = _char_width(char)
            if used + w > width - 1:
                break
            out.append(char)
            used += w
        text = "".join(out) + "…"
    return text + " " * (width - _cell_width(text))


def terminal_width() -> int | None:
    """The columns of the terminal standard output is, or ``None`` when it is none (a pipe,
    a file): ``COLUMNS`` of the run's environment when it is a positive number (as
    ``shutil.get_terminal_size`` reads it), else the terminal's own size. ``COLUMNS`` alone
    is not taken for a terminal: tools export it (pytest does) to programs whose output is
    piped, which must not be cut."""
    stream = _run.stdout()
    try:
        if stream is None or not stream.isatty():
            return None
        text = _run.environ().get("COLUMNS", "").strip()
        if text.isascii() and text.isdigit() and 0 < int(text) <= _MAX_COLUMNS:
            return int(text)
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return None
    return columns if 0 < columns <= _MAX_COLUMNS else None


#: A terminal wider than this is taken for a wrong COLUMNS.
_MAX_COLUMNS = 10_000
#: The narrowest a cut cell gets (its header is cut too), so that a narrow terminal still
#: shows the start of each column; below this the lines wrap instead.
_MIN_CELL = 6
#: A time is cut no shorter than to the second (``2020-01-04T19:45:27…``).
_MIN_TIME = len("2020-01-04T19:45:27…")
_GAP = "  "


def _width_of(widths: list[int]) -> int:
    """The columns a row of cells this wide takes, with the gaps between them."""
    return sum(widths) + len(_GAP) * (len(widths) - 1)


def _fit_widths(natural: list[int], least: list[int], width: int) -> list[int]:
    """Column widths that fill at most ``width`` columns (with the gaps): each column's
    ``natural`` width, the widest ones cut to one common bound when they do not all fit,
    none below ``least`` (the lines wrap if even those do not fit)."""
    room = width - _width_of([0] * len(natural))

    def widths(bound: int) -> list[int]:
        return [max(low, min(n, bound)) for n, low in zip(natural, least, strict=True)]

    if sum(natural) <= room:
        return natural
    low, high = 0, max(natural)  # widths(low) may not fit; widths(high) == natural does not
    while low < high:
        middle = (low + high + 1) // 2
        if sum(widths(middle)) <= room:
            low = middle
        else:
            high = middle - 1
    return widths(low)


class TableWriter(EventWriter):
    """Aligned columns for a terminal. Widths come from the first page of at least
    :attr:`SAMPLE_ROWS` rows, then rows are printed as pages arrive; longer cells are cut
    with an ellipsis. With a ``width`` (the terminal's), the columns fill it: the widest
    are cut to fit, and on a wide terminal long descriptions and properties show whole;
    without one (a file, a pipe), each column is capped by :attr:`MAX_WIDTHS`."""

    SAMPLE_ROWS = 100

    COLUMNS = ("created_at", "source", "type", "description", "properties")
    MAX_WIDTHS = {
        "selector": 40,
        "created_at": 30,
        "source": 20,
        "type": 28,
        "description": 40,
        "properties": 60,
    }

    def __init__(self, sink: IO[bytes], *, bulk: bool = False, width: int | None = None) -> None:
        super().__init__(sink, bulk=bulk)
        self._width = width
        self._names = (("selector",) if bulk else ()) + self.COLUMNS
        self._pending: list[list[str]] | None = []
        self._widths: list[int] = []
        self._count = 0

    def _cells(self, event: Event, selector: str | None) -> list[str]:
        raw = event.to_dict()
        values = {name: _text(raw.get(name)) for name in self.COLUMNS}
        props = _properties_text(event)
        values["properties"] = "" if props == "{}" else props
        values["selector"] = selector or ""
        return [_safe_text(values[name]) for name in self._names]

    def _line(self, cells: list[str]) -> None:
        fitted = [_fit(cell, width) for cell, width in zip(cells, self._widths, strict=True)]
        self.sink.write((_GAP.join(fitted).rstrip() + "\n").encode("utf-8", "replace"))

    def _flush_pending(self) -> None:
        if self._pending is None:
            return
        rows, self._pending = self._pending, None
        headers = [name.upper() for name in self._names]
        natural = [
            max([_cell_width(headers[i])] + [_cell_width(row[i]) for row in rows])
            for i in range(len(self._names))
        ]
        if self._width is None:
            self._widths = [
                min(self.MAX_WIDTHS[n], w) for n, w in zip(self._names, natural, strict=True)
            ]
        else:
            # The time is cut last: only when every other column is as narrow as it gets.
            for time_least in (None, _MIN_TIME):
                least = [
                    (time_least or w) if name == "created_at" else min(w, _MIN_CELL)
                    for name, w in zip(self._names, natural, strict=True)
                ]
                self._widths = _fit_widths(natural, least, self._width)
                if _width_of(self._widths) <= self._width:
                    break
        self._line(headers)
        for row in rows:
            self._line(row)

    def write(self, event: Event, selector: str | None = None) -> None:
        cells = self._cells(event, selector)
        self._count += 1
        if self._pending is not None:
            self._pending.append(cells)
        else:
            self._line(cells)

    def end_page(self) -> None:
        # Widths from a single small page would cut most later rows: wait for a fair sample.
        if self._pending is not None and len(self._pending) >= self.SAMPLE_ROWS:
            self._flush_pending()

    def finish(self) -> None:
        if self._pending is not None and not self._pending:
            self.sink.write(b"(no events)\n")
            self._pending = None
            return
        self._flush_pending()


_WRITERS: dict[str, type[EventWriter]] = {
    "jsonl": JsonlWriter,
    "json": JsonWriter,
    "csv": CsvWriter,
    "table": TableWriter,
}


def make_writer(
    fmt: str, sink: IO[bytes], *, bulk: bool = False, width: int | None = None
) -> EventWriter:
    """The writer for ``fmt`` (one of :data:`FORMATS`); ``width``: the columns of the
    terminal the table is shown in (see :func:`terminal_width`)."""
    if fmt == "table":
        return TableWriter(sink, bulk=bulk, width=width)
    return _WRITERS[fmt](sink, bulk=bulk)
