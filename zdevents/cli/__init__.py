"""The ``zdevents`` command line: a client of the public :mod:`zdevents` API only.

The top-level parser, dispatch and what every run shares (``_main``); one module a command:
``_events``, ``_sync``, ``_track`` (track, profile, profiles), ``_auth``, ``_sandbox``; the
options they share and the one client factory (``_options``), the parser class and help
texts (``_parser``), the number converters (``_numbers``), the streams and environment of
a run (``_run``); the export driver (``_export``), the people of a bulk file (``_people``),
messages and hints (``_messages``), the output formats (``_formats``), files written
atomically or directly and the state lock (``_files``), resume checkpoints
(``_checkpoint``) and the progress line (``_progress``).
"""

from collections.abc import Mapping
from typing import TextIO

from ._main import main as _main

__all__ = ["main"]


def main(
    argv: list[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run ``zdevents`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status.

    Given ``stdin``, ``stdout``, ``stderr`` or ``environ``, the run uses them in place of the
    process's own, which it then neither reads nor changes (see ``_main.main``)."""
    return _main(argv, stdin=stdin, stdout=stdout, stderr=stderr, environ=environ)
