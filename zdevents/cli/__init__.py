"""The ``zdevents`` command line: a client of the public :mod:`zdevents` API only.

Argument parsing and the commands (``_main``), the export driver (``_export``), the people
of a bulk file (``_people``), messages and hints (``_messages``), the output formats
(``_formats``), files written atomically or directly and the state lock (``_files``), resume
checkpoints (``_checkpoint``) and the progress line (``_progress``).
"""

import signal

from ._main import main as _main

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run ``zdevents`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    # Started: Ctrl-C is Python's again (the package made it a quiet exit while the command
    # imported its modules; see zdevents._startup, which marks its handler).
    if getattr(signal.getsignal(signal.SIGINT), "zdevents_start_up", False):
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return _main(argv)
