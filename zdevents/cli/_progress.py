"""Progress of an export on stderr, only while stderr is a terminal.

A pipe or a log file never gets progress lines: they would be noise in it, and ``\\r``
updates only make sense on a terminal.
"""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["Progress"]

#: Redraw at most this often; a redraw per event would cost more than the export.
_INTERVAL = 0.2


class Progress:
    """Counts events and pages and shows them, with the rate, updated in place."""

    def __init__(self, stream: TextIO, *, enabled: bool, events: int = 0, pages: int = 0) -> None:
        self._stream = stream
        self.enabled = enabled and _isatty(stream)
        self.events = events
        self.pages = pages
        self._start_events = events
        self._started = time.monotonic()
        self._last_draw = 0.0

    def add(self, events: int = 0, pages: int = 0) -> None:
        self.events += events
        self.pages += pages
        if self.enabled and time.monotonic() - self._last_draw >= _INTERVAL:
            self._draw()

    def _line(self) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = (self.events - self._start_events) / elapsed
        pages = "page" if self.pages == 1 else "pages"
        return f"{self.events:,} events, {self.pages:,} {pages}, {rate:,.0f} events/s"

    def _draw(self) -> None:
        self._last_draw = time.monotonic()
        # \x1b[K clears what a longer previous line left behind.
        self._stream.write("\r" + self._line() + "\x1b[K")
        self._stream.flush()

    def close(self) -> None:
        """Draw the final counts and end the line (before any message that follows)."""
        if self.enabled:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
