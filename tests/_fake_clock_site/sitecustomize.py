"""Python runs this at the start of every process whose ``PYTHONPATH`` has this folder
(:func:`tests._mock.fake_clock_env`): a command-line run in a subprocess then sleeps through
its retries and pacing on :class:`tests._mock.FakeClock`, as an in-process test does with the
``clock`` fixture. Nothing of the library changes: the seam is the one the fixture uses."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# The checkout first, for tests._mock (and the zdevents beside it, which an editable install
# or PYTHONPATH would give this process anyway).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


class _SetAttr:
    """What FakeClock.install needs of pytest's monkeypatch, for a whole process."""

    def setattr(self, target: Any, name: str, value: Any) -> None:
        setattr(target, name, value)


def _install() -> None:
    from tests._mock import FakeClock

    FakeClock().install(_SetAttr())


_install()
