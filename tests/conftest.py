"""Fixtures shared by every test folder.

The one seam into the library's timing: :class:`tests._mock.FakeClock` replaces the
``time`` and ``sleep`` functions the library modules call, so retry and pacing tests run in
no time and assert on the waits that were asked for.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests._mock import FakeClock
from zdevents import Client
from zdevents.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    # A shell starts a background job (`make test &`, `nohup ... &`) with SIGINT ignored,
    # and every process it starts inherits that: the Ctrl-C tests' children would then
    # rightly ignore their SIGINT and finish. Tests send signals as a terminal would, so the
    # suite gives its children the disposition an interactive run has.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if not hasattr(config, "workerinput"):  # once, in the process that starts the workers
        _share_bytecode(config)


def _share_bytecode(config: pytest.Config) -> None:
    """Under ``PYTHONDONTWRITEBYTECODE`` (set on the project's shared machine), every xdist
    worker compiled zdevents, the generated package and the tests (assertions rewritten)
    from source at each run, and every process a test starts (a ``zdevents`` command, a
    sandbox) compiled what it imports: a third of a command's start-up. The suite and its
    children keep their bytecode in pytest's cache folder instead (``PYTHONPYCACHEPREFIX``,
    ``.pytest_cache/bytecode``, git-ignored): the source tree still gets no ``__pycache__``,
    and a later run finds it compiled. Python checks each file against its source as in
    ``__pycache__``."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    try:
        cache_dir = str(config.getini("cache_dir"))
    except ValueError:  # -p no:cacheprovider: its option is not declared
        cache_dir = ".pytest_cache"
    folder = config.rootpath / cache_dir / "bytecode"
    flag = os.environ.pop("PYTHONDONTWRITEBYTECODE")
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder)

    def restore() -> None:
        os.environ.pop("PYTHONPYCACHEPREFIX", None)
        os.environ["PYTHONDONTWRITEBYTECODE"] = flag

    config.add_cleanup(restore)


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


@pytest.fixture(scope="session")
def mypy_strict(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``mypy --strict ARGS`` from the repository's root. The runs of a session share one
    cache, so only the first analyses zdevents and its dependencies; tests that use it go to
    one worker (``@pytest.mark.xdist_group("mypy")``), so no two runs share it at once."""
    cache = tmp_path_factory.mktemp("mypy-cache")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run
