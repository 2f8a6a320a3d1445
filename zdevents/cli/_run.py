"""The streams and the environment of one run of ``zdevents``.

``main(argv, stdin=..., stdout=..., stderr=..., environ=...)`` runs in-process: what it is
given is used for that run in place of ``sys.stdin``/``sys.stdout``/``sys.stderr`` and
``os.environ``, which are then neither read nor changed. The commands read them through
:func:`stdin`, :func:`stdout`, :func:`stderr` and :func:`environ`, never from :mod:`sys` or
:mod:`os` directly. What is not given is the process's own, read when asked for (so that a
stream replaced after start-up, or closed, is seen as it is).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Run:
    """What one run was given (None: the process's own)."""

    stdin: TextIO | None = None
    stdout: TextIO | None = None
    stderr: TextIO | None = None
    environ: Mapping[str, str] | None = None


_DEFAULT = Run()
# One run at a time in a process; the threads of a run (bulk exports) see it too, which a
# contextvar would not give them.
_current = _DEFAULT
_lock = threading.Lock()


@contextlib.contextmanager
def running(run: Run) -> Iterator[None]:
    """Make ``run`` the current run for the duration of the block."""
    global _current
    with _lock:
        previous, _current = _current, run
    try:
        yield
    finally:
        with _lock:
            _current = previous


def stdin() -> TextIO | None:
    """Standard input of this run (None when it is closed)."""
    return _current.stdin if _current.stdin is not None else sys.stdin


def stdout() -> TextIO | None:
    """Standard output of this run (None when it is closed)."""
    return _current.stdout if _current.stdout is not None else sys.stdout


def stderr() -> TextIO | None:
    """Standard error of this run (None when it is closed)."""
    return _current.stderr if _current.stderr is not None else sys.stderr


def stdout_given() -> bool:
    """Whether this run's standard output is a stream it was given (not file descriptor 1)."""
    return _current.stdout is not None


def environ() -> Mapping[str, str]:
    """The environment of this run."""
    return _current.environ if _current.environ is not None else os.environ


def null_stdout() -> None:
    """After a broken pipe on standard output: point file descriptor 1 at the null device so
    that Python has nothing left to flush there at exit (nothing to do for a given stream)."""
    if stdout_given():
        return
    stream = sys.stdout
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
