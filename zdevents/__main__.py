"""``python -m zdevents``: the same as the ``zdevents`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
