"""Ctrl-C while the ``zdevents`` command starts: a quiet exit with status 130.

The command's modules take a noticeable moment to import (httpx, msgspec, the CLI), and a
Ctrl-C in that moment would otherwise end it with a traceback. Only the command is
concerned: the first thing the package does is to import this module, which runs
:func:`quiet_start`: it changes SIGINT
only when this process is the ``zdevents`` command (its console script or ``python -m
zdevents``), and only while SIGINT has Python's default handler; the command's ``main``
then gives SIGINT back to Python (:func:`started`), to be handled as everywhere else. A
program that imports zdevents keeps its ``KeyboardInterrupt``. Standard library only.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
from types import FrameType

#: The exit status of a command ended by SIGINT.
_STATUS = 128 + signal.SIGINT


def _is_command() -> bool:
    argv = sys.argv
    if not argv:
        return False
    if argv[0] == "-m":
        # python -m zdevents, while the package is being imported.
        pairs = itertools.pairwise(sys.orig_argv)
        return any(a == "-m" and b in ("zdevents", "zdevents.__main__") for a, b in pairs)
    main = sys.modules.get("__main__")
    # The console script: a file named zdevents run as __main__, not a module.
    name = os.path.basename(argv[0])
    return name in ("zdevents", "zdevents.exe") and getattr(main, "__spec__", None) is None


def _quiet(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(_STATUS)


_quiet.zdevents_start_up = True  # type: ignore[attr-defined]


def quiet_start() -> None:
    """Make SIGINT a quiet exit (status 130) if this process is the ``zdevents`` command and
    SIGINT has Python's default handler."""
    try:
        if _is_command() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _quiet)
    except (ValueError, OSError):  # not the main thread, or no signals here
        pass


quiet_start()
