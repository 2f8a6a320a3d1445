"""ULID-shaped ids (26 Crockford base32 characters), like Zendesk's profile and event ids."""

from __future__ import annotations

import os
import random
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(*, ms: int | None = None, rng: random.Random | None = None) -> str:
    """A ULID for ``ms`` (default now); pass ``rng`` for reproducible ids."""
    timestamp = time.time_ns() // 1_000_000 if ms is None else ms
    randomness = rng.getrandbits(80) if rng is not None else int.from_bytes(os.urandom(10))
    value = (timestamp & ((1 << 48) - 1)) << 80 | randomness
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(reversed(chars))
