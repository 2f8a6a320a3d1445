"""The ``zdevents`` command line: a client of the public :mod:`zdevents` API only.

Argument parsing and the commands (``_main``), the export driver (``_export``), the people
of a bulk file (``_people``), messages and hints (``_messages``), the output formats
(``_formats``), files written atomically or directly and the state lock (``_files``), resume
checkpoints (``_checkpoint``) and the progress line (``_progress``).
"""

from ._main import main

__all__ = ["main"]
