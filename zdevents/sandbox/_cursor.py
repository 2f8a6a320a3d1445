"""Opaque, tamper-evident page cursors, bound to the query they page through.

A cursor is the insertion sequence number of the last event on a page plus an HMAC over
that number and the query (route, selected profile or user, filters), base64url-encoded.
Ordering by insertion sequence is what makes paging exact when events arrive between
requests; the HMAC turns an edited cursor, a cursor of another server, and a cursor used
with another selector or other filters into a 400 instead of a silently wrong page.

Eight bytes of sequence and ten of MAC make 18 bytes, 24 base64 characters without padding
bits: every cursor has exactly one spelling.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

_SEQ_BYTES = 8
_MAC_BYTES = 10
_CURSOR = re.compile(r"[A-Za-z0-9_-]{24}")


def _mac(secret: bytes, payload: bytes, query: bytes) -> bytes:
    digest = hmac.new(secret, payload + b"\x00" + query, hashlib.sha256).digest()
    return digest[:_MAC_BYTES]


def encode_cursor(seq: int, secret: bytes, query: bytes) -> str:
    """The cursor that resumes ``query`` after insertion sequence ``seq``."""
    payload = seq.to_bytes(_SEQ_BYTES, "big")
    return base64.urlsafe_b64encode(payload + _mac(secret, payload, query)).decode()


def decode_cursor(cursor: str, secret: bytes, query: bytes) -> int | None:
    """The sequence number in ``cursor``, or ``None`` unless this server issued it for
    ``query`` (the canonical form of the page request's route, selector and filters)."""
    if _CURSOR.fullmatch(cursor) is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor)
    except (binascii.Error, ValueError):
        return None
    payload, mac = raw[:_SEQ_BYTES], raw[_SEQ_BYTES:]
    if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, _mac(secret, payload, query)):
        return None
    return int.from_bytes(payload, "big")
