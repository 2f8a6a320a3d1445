"""The credentials of this run, for the checks the CLI makes itself: a cursor that spells
one is never written to a ``--resume`` state, and a message about an unexpected failure
never quotes one.

With a client at hand the check is the library's own (``Secret.shows_in`` and
``Secret.scrub_text``: one scrubber, one set of decoding views, whatever the kind of
credentials, OAuth tokens minted at run time included). The spellings read from the
environment are checked too, for the messages written before a client exists.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
from urllib.parse import quote, unquote

from zdevents import AsyncClient, Client

from . import _run

_WITHHELD = "[withheld: the text held a credential]"


def _forms() -> list[str]:
    """Every spelling of the configured secrets: the bare tokens and the base64
    ``email/token:token`` pair (with and without its padding), longest first."""
    token = _run.environ().get("ZENDESK_API_TOKEN") or ""
    oauth = _run.environ().get("ZENDESK_OAUTH_TOKEN") or ""
    client_secret = _run.environ().get("ZENDESK_OAUTH_CLIENT_SECRET") or ""
    email = _run.environ().get("ZENDESK_EMAIL") or ""
    forms = {token, oauth, client_secret}
    if token:
        pair = base64.b64encode(f"{email}/token:{token}".encode()).decode()
        forms |= {pair, pair.rstrip("=")}
    forms |= {quote(f, safe="") for f in forms}
    return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)


def _views(text: str) -> list[str]:
    """``text`` as a reader might decode it: URL-, HTML- and JSON-unescaped, whitespace
    removed (only for the environment's spellings, before a client exists)."""
    views = [text, unquote(text), unquote(unquote(text)), html.unescape(text)]
    views.append(unquote(html.unescape(text)))
    with contextlib.suppress(ValueError):
        views.append(json.loads(f'"{text}"'))
    views += [re.sub(r"\s+", "", v) for v in list(views)]
    return views


def holds_secret(text: str, client: Client | AsyncClient | None = None) -> bool:
    """Whether ``text`` spells any credential of ``client`` or of the environment (also once
    unescaped)."""
    if client is not None and client.scrub(text) != text:
        return True
    forms = _forms()
    return any(form in view for view in _views(text) for form in forms)


def scrubbed(text: str, client: Client | AsyncClient | None = None) -> str:
    """``text`` with every credential replaced by ``********``; withheld entirely if one
    still shows once it is unescaped."""
    if client is not None:
        text = client.scrub(text)
    for form in _forms():
        text = text.replace(form, "********")
    if holds_secret(text, client):
        return _WITHHELD
    # A lone surrogate (from a hostile server) would make the line unprintable.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
