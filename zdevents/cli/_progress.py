"""Progress of an export on stderr, only while stderr is a terminal.

A pipe or a log file never gets progress lines: they would be noise in it, and ``\\r``
updates only make sense on a terminal. When standard output is that same terminal (the
events are printed there), no progress is drawn at all: a line redrawn in place would share
the screen line with the events.

While the library waits (a retry after a 503, a rate-limit pause), the line says so, with
the seconds left; the waits are learnt from the ``zdevents`` logger's records
(:class:`LogListener`), which ``-v`` also prints, each on its own line.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from typing import TextIO

#: Redraw at most this often; a redraw per event would cost more than the export.
_INTERVAL = 0.2
#: How a retry or pause record states its wait when it has no ``wait`` attribute.
_SECONDS = re.compile(r"\b(?:waiting|pausing|wait|pause)\D{0,20}?(\d+(?:\.\d+)?) ?s\b")
_AFTER = re.compile(r"\bafter (.+?)[;,] waiting\b")


class Progress:
    """Counts events and pages and shows them, with the rate, updated in place."""

    def __init__(
        self,
        stream: TextIO | None,
        *,
        enabled: bool,
        events: int = 0,
        pages: int = 0,
        output_is_terminal: bool = False,
    ) -> None:
        self._stream = stream
        self.enabled = enabled and _isatty(stream) and not output_is_terminal
        self.events = events
        self.pages = pages
        self._start_events = events
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._lock = threading.RLock()  # bulk workers log from their threads
        self._wait_until: float | None = None
        self._wait_reason = ""
        self._ticker: threading.Thread | None = None
        self._closed = threading.Event()
        # A sync's people (done of total) and its shortest time, once known (see people()).
        self._people: tuple[int, int] | None = None
        self._shortest: float | None = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def add(self, events: int = 0, pages: int = 0) -> None:
        with self._lock:
            self.events += events
            self.pages += pages
            if pages:
                self._wait_until = None  # a page arrived: whatever we waited for is over
            if self.enabled and time.monotonic() - self._last_draw >= _INTERVAL:
                self._draw()

    def people(self, done: int, total: int, shortest: float | None = None) -> None:
        """Show ``done`` of ``total`` people, and the time so far against ``shortest`` (the
        least the run can take at its rate limit, when known); drawn with the next update."""
        with self._lock:
            self._people = (done, total)
            if shortest is not None:
                self._shortest = shortest

    def waiting(self, seconds: float, reason: str) -> None:
        """Say on the line that the export waits ``seconds`` (counted down) for ``reason``."""
        if not self.enabled:
            return
        with self._lock:
            self._wait_until = time.monotonic() + max(seconds, 0.0)
            self._wait_reason = reason
            self._draw()
            if self._ticker is None:
                self._ticker = threading.Thread(target=self._tick, daemon=True)
                self._ticker.start()

    def _tick(self) -> None:
        while not self._closed.wait(_INTERVAL):
            with self._lock:
                if self._wait_until is not None and not self._closed.is_set():
                    self._draw()

    def _line(self) -> str:
        elapsed = max(self.elapsed, 1e-9)
        rate = (self.events - self._start_events) / elapsed
        pages = "page" if self.pages == 1 else "pages"
        line = f"{self.events:,} events, {self.pages:,} {pages}, {rate:,.0f} events/s"
        if self._people is not None:
            done, total = self._people
            line = f"{done:,} of {total:,} people, {line}"
        if self._shortest is not None:
            line += f", {human_time(elapsed)} of at least {human_time(self._shortest)}"
        if self._wait_until is not None:
            left = self._wait_until - time.monotonic()
            if left > 0:
                line += f", waiting {left:.0f} s ({self._wait_reason})"
            else:
                line += f", waiting ({self._wait_reason})"
        return line

    def _write(self, text: str) -> None:
        assert self._stream is not None
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            self.enabled = False  # a terminal that went away takes no more progress

    def _draw(self) -> None:
        self._last_draw = time.monotonic()
        # \x1b[K clears what a longer previous line left behind.
        self._write("\r" + self._line() + "\x1b[K")

    def message(self, text: str) -> None:
        """Print ``text`` on a line of its own, above the progress line."""
        with self._lock:
            if self.enabled:
                self._write("\r\x1b[K" + text + "\n")
                self._draw()
            elif self._stream is not None:
                with contextlib.suppress(OSError, ValueError):
                    print(text, file=self._stream, flush=True)

    def close(self) -> None:
        """Draw the final counts and end the line (before any message that follows)."""
        self._closed.set()
        with self._lock:
            if self.enabled:
                self._wait_until = None
                self._draw()
                self._write("\n")
                self.enabled = False


class LogListener(logging.Handler):
    """Feeds the ``zdevents`` logger's retry and pause records to the progress line, and
    with ``verbose`` prints every record (info and up) above it."""

    def __init__(self, progress: Progress, *, verbose: bool) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.verbose = verbose

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            wait = getattr(record, "wait", None)
            if not isinstance(wait, int | float):
                found = _SECONDS.search(text)
                wait = float(found.group(1)) if found and record.levelno >= logging.INFO else None
            if wait is not None and wait > 0:
                self.progress.waiting(float(wait), _reason(record, text))
            if self.verbose:
                self.progress.message(f"zdevents: {text}")
        except Exception:  # a log record must never stop the export
            self.handleError(record)


def _reason(record: logging.LogRecord, text: str) -> str:
    reason = getattr(record, "reason", None)
    if isinstance(reason, str) and reason:
        return reason
    if "rate limit" in text.lower():
        return "rate limit"
    found = _AFTER.search(text)
    return f"retry after {found.group(1)}" if found else "retry"


def human_time(seconds: float) -> str:
    """Seconds as a person reads them: ``42 s``, ``17 min``, ``2.5 h``."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def same_terminal(a: TextIO | None, b: TextIO | None) -> bool:
    """Whether two streams are the same terminal device."""
    if not (_isatty(a) and _isatty(b)):
        return False
    assert a is not None and b is not None
    try:
        return os.path.samestat(os.fstat(a.fileno()), os.fstat(b.fileno()))
    except (OSError, ValueError):
        return True  # cannot tell: assume the worst, draw nothing


def _isatty(stream: TextIO | None) -> bool:
    if stream is None:
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
