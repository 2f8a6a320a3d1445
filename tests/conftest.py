"""Fixtures shared by every test folder.

The one seam into the library's timing: :class:`tests._mock.FakeClock` replaces the
``time`` and ``sleep`` functions the library modules call, so retry and pacing tests run in
no time and assert on the waits that were asked for.
"""

from __future__ import annotations

import pytest

from tests._mock import FakeClock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """A fake monotonic clock and sleep, installed in the zdevents modules."""
    return FakeClock().install(monkeypatch)
