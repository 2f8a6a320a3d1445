"""``ZDEVENTS_LOG=info|debug``: the ``zdevents`` logger to stderr, as ``OPENAI_LOG`` does.

``info`` shows each retry (what failed, attempt n of m, the wait) and each rate-limit pause;
``debug`` adds every request's method, URL and status. Records never hold a secret, and
INFO records hold no query string or identifier (people's emails are in them).
"""

from __future__ import annotations

import logging
import os
import sys

_LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}


def setup_from_env() -> None:
    level = _LEVELS.get(os.environ.get("ZDEVENTS_LOG", "").strip().lower())
    if level is None:
        return
    logger = logging.getLogger("zdevents")
    if any(getattr(h, "_zdevents_env", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s %(levelname)s %(name)s] %(message)s"))
    handler._zdevents_env = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
