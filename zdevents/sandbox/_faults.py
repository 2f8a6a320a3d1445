"""Seeded, reproducible fault injection.

One random draw per authenticated request to a route, from ``random.Random(seed)``, so the
N-th such request gets the same fault on every run with the same seed.

Kinds: ``429`` (with ``Retry-After``), ``500``, ``503`` (plain text), ``520`` (Cloudflare's
text), ``drop`` (the connection is closed before anything is sent; a write is not stored),
``truncate`` (the answer is cut off halfway; a write is stored first), and ``store-then-500``
(writes only: the event is stored, then the answer is a 500, so a client cannot tell whether
it was; a read that draws it is served normally and nothing is counted).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping

#: Every fault the sandbox can inject, in the order their shares are laid out on [0, 1).
# New kinds go at the end, so that a seed gives existing kinds the same draws as before.
FAULT_KINDS: tuple[str, ...] = ("429", "500", "503", "520", "drop", "truncate", "store-then-500")


def parse_faults(spec: str | Mapping[str, float] | None) -> dict[str, float]:
    """Shares per fault kind from ``"429=0.05,drop=0.02"`` or a mapping; validated.

    Raises ``ValueError`` for an unknown kind, a share outside [0, 1] or shares summing to
    more than 1.
    """
    if spec is None:
        return {}
    items: list[tuple[str, object]]
    if isinstance(spec, str):
        items = []
        for part in filter(None, (chunk.strip() for chunk in spec.split(","))):
            kind, sep, raw_share = part.partition("=")
            if not sep:
                raise ValueError(f"fault {part!r} is not KIND=SHARE")
            items.append((kind.strip(), raw_share.strip()))
    else:
        items = [(str(kind), share) for kind, share in spec.items()]
    shares: dict[str, float] = {}
    for kind, raw in items:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose from {', '.join(FAULT_KINDS)}")
        try:
            share = float(raw) if isinstance(raw, int | float | str) else float("nan")
        except (TypeError, ValueError):
            raise ValueError(f"fault share for {kind} must be a number, not {raw!r}") from None
        if not 0.0 <= share <= 1.0:  # NaN fails this too
            raise ValueError(f"fault share for {kind} must be between 0 and 1")
        shares[kind] = share
    if sum(shares.values()) > 1.0 + 1e-9:
        raise ValueError("fault shares add up to more than 1")
    return shares


class FaultInjector:
    """Decides, request by request, which fault (if any) to serve, and counts them."""

    def __init__(self, shares: Mapping[str, float], seed: int = 0) -> None:
        self.shares = parse_faults(shares)
        self.seed = seed
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._served: dict[str, int] = dict.fromkeys(FAULT_KINDS, 0)

    def draw(self) -> str | None:
        """The fault for the next request, or ``None``; always consumes one draw."""
        with self._lock:
            point = self._rng.random()
        edge = 0.0
        for kind in FAULT_KINDS:
            edge += self.shares.get(kind, 0.0)
            if point < edge:
                return kind
        return None

    def record(self, kind: str) -> None:
        """Count a fault that was actually served."""
        with self._lock:
            self._served[kind] += 1

    def served(self) -> dict[str, int]:
        """Faults served so far, per kind."""
        with self._lock:
            return dict(self._served)
