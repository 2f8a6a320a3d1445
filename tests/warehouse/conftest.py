"""The warehouse tests' dlt settings: no telemetry (tests never reach the network) and a
data folder of the session's own instead of ``~/.dlt``; one sandbox per test module (each
test has people of its own: ``tests.warehouse._warehouse.People``)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from zdevents.sandbox import Sandbox

#: dlt's own settings for every pipeline of these tests (subprocesses inherit them).
DLT_ENVIRONMENT = {"RUNTIME__DLTHUB_TELEMETRY": "false", "RUNTIME__LOG_LEVEL": "WARNING"}


@pytest.fixture(scope="session", autouse=True)
def _dlt_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    given = {name: os.environ.get(name) for name in [*DLT_ENVIRONMENT, "DLT_DATA_DIR"]}
    os.environ.update(DLT_ENVIRONMENT, DLT_DATA_DIR=str(tmp_path_factory.mktemp("dlt-data")))
    try:
        yield
    finally:
        for name, value in given.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One sandbox for the module's tests."""
    started = Sandbox().start()
    try:
        yield started
    finally:
        started.stop()
