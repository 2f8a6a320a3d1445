"""The ``zdevents`` command line: a client of the public :mod:`zdevents` API only.

Argument parsing and the commands (``_main``), the output formats (``_formats``), files
written atomically (``_files``), resume checkpoints (``_checkpoint``) and the progress line
(``_progress``).
"""

from ._main import main

__all__ = ["main"]
