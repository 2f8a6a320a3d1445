"""Fixtures shared by every test folder.

The one seam into the library's timing: :class:`tests._mock.FakeClock` replaces the
``time`` and ``sleep`` functions the library modules call, so retry and pacing tests run in
no time and assert on the waits that were asked for.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from tests._mock import FakeClock
from zdevents import Client
from zdevents.sandbox import Sandbox


def pytest_configure(config: pytest.Config) -> None:
    # A shell starts a background job (`make test &`, `nohup ... &`) with SIGINT ignored,
    # and every process it starts inherits that: the Ctrl-C tests' children would then
    # rightly ignore their SIGINT and finish. Tests send signals as a terminal would, so the
    # suite gives its children the disposition an interactive run has.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """A fake monotonic clock and sleep, installed in the zdevents modules."""
    return FakeClock().install(monkeypatch)


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[Sandbox]:
    """One empty sandbox for a whole test module: tests that write their own people share
    it (starting one takes a tenth of a second)."""
    with Sandbox() as running:
        yield running


@pytest.fixture(scope="module")
def module_client(module_sandbox: Sandbox) -> Iterator[Client]:
    """A client of :func:`module_sandbox`, with retries that do not wait."""
    with Client(
        base_url=module_sandbox.base_url,
        email=module_sandbox.email,
        api_token=module_sandbox.api_token,
        backoff_base=0,
    ) as client:
        yield client
