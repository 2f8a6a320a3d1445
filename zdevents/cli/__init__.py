"""The ``zdevents`` command line: a client of the public :mod:`zdevents` API only.

Argument parsing and the commands (``_main``), output formats and atomic files
(``_output``), resume checkpoints (``_checkpoint``) and the progress line (``_progress``).
"""

from ._main import main

__all__ = ["main"]
