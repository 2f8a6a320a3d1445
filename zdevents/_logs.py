"""``ZDEVENTS_LOG=info|debug``: the ``zdevents`` logger to stderr, as ``OPENAI_LOG`` does.

``info`` shows each retry (what failed, attempt n of m, the wait) and each rate-limit pause;
``debug`` adds every request's method, URL and status. Records never hold a secret, and
INFO records hold no query string or identifier (people's emails are in them).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import weakref
from typing import Any

from ._constants import LOG_LEVELS

_LEVELS = {name: logging.getLevelName(name.upper()) for name in LOG_LEVELS}
assert all(isinstance(level, int) for level in _LEVELS.values())


def unknown_level(value: str) -> str:
    """What is said of a ``ZDEVENTS_LOG`` value that names no level (the value shortened and
    quoted: it comes from the environment and goes to a terminal)."""
    shown = value if len(value) <= 40 else value[:40] + "..."
    return (
        f"zdevents: ZDEVENTS_LOG={shown!r} is not a level zdevents knows "
        f"({' or '.join(LOG_LEVELS)}): nothing is logged"
    )


def setup_from_env() -> None:
    value = os.environ.get("ZDEVENTS_LOG", "").strip().lower()
    level = _LEVELS.get(value)
    if level is None:
        if value and sys.stderr is not None:
            # Once: the library is imported once per process. A closed stderr says nothing.
            with contextlib.suppress(OSError, ValueError):
                print(unknown_level(os.environ["ZDEVENTS_LOG"].strip()), file=sys.stderr)
        return
    logger = logging.getLogger("zdevents")
    if any(getattr(h, "_zdevents_env", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s %(levelname)s %(name)s] %(message)s"))
    handler._zdevents_env = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)


# httpcore logs, at DEBUG, the response headers as the server sent them: a server that echoes
# the Authorization header would put the credential into a log record; zdevents' own DEBUG
# records quote request URLs, whose cursor a hostile server chose. Records of these loggers
# are scrubbed with the secret of every live client.
_HTTP_LOGGERS = (
    "zdevents",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
_SECRETS: weakref.WeakSet[Any] = weakref.WeakSet()
_installed = False
_lock = threading.Lock()


class _Scrub(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        secrets = list(_SECRETS)
        if not secrets:
            return True
        text = clean = record.getMessage()
        for secret in secrets:
            clean = secret.scrub_text(clean)
        if clean != text:
            record.msg, record.args = clean, ()
        return True


def guard(secret: Any) -> None:
    """Scrub ``secret`` (an object with ``scrub_text``) from the HTTP libraries' records
    for as long as it lives."""
    global _installed
    with _lock:
        _SECRETS.add(secret)
        if not _installed:
            for name in _HTTP_LOGGERS:
                logging.getLogger(name).addFilter(_Scrub())
            _installed = True
