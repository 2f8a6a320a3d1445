"""Opaque, tamper-evident page cursors.

A cursor is the insertion sequence number of the last event on a page plus a short HMAC,
base64url-encoded. Ordering by insertion sequence is what makes paging exact when events
arrive between requests; the HMAC turns an edited or foreign cursor into a 400 instead of a
silently wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

__all__ = ["decode_cursor", "encode_cursor"]

_MAC_BYTES = 8
_CURSOR = re.compile(r"[A-Za-z0-9_-]{22}")


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode_cursor(seq: int, secret: bytes) -> str:
    """The cursor that resumes after insertion sequence ``seq``."""
    payload = seq.to_bytes(8, "big")
    return base64.urlsafe_b64encode(payload + _mac(secret, payload)).rstrip(b"=").decode()


def decode_cursor(cursor: str, secret: bytes) -> int | None:
    """The sequence number in ``cursor``, or ``None`` if it is not one this store issued."""
    if _CURSOR.fullmatch(cursor) is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "==")
    except (binascii.Error, ValueError):
        return None
    payload, mac = raw[:8], raw[8:]
    if len(raw) != 8 + _MAC_BYTES or not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    return int.from_bytes(payload, "big")
