"""``ZDEVENTS_LOG=info|debug``: the ``zdevents`` logger to stderr, as ``OPENAI_LOG`` does.

``info`` shows each retry (what failed, attempt n of m, the wait) and each rate-limit pause;
``debug`` adds every request's method, URL and status. Records never hold a secret, and
INFO records hold no query string or identifier (people's emails are in them).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import weakref
from typing import Any

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


# httpcore logs, at DEBUG, the response headers as the server sent them: a server that echoes
# the Authorization header would put the credential into a log record. Records of the
# HTTP loggers are scrubbed with the secret of every live client.
_HTTP_LOGGERS = (
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
