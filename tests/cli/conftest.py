"""Fixtures of the command-line tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.test_cli import person

#: The events of person 0 in ``slow_sandbox``.
EVENTS = 240


@pytest.fixture
def slow_sandbox(zendesk_sandbox_factory: Any) -> Any:
    """A sandbox with :data:`EVENTS` events of person 0, ~25 ms a page: 24 pages of 10 take
    long enough to be interrupted in the middle."""
    sandbox = zendesk_sandbox_factory(latency=0.025)
    sandbox.add_events(person(0, EVENTS))
    return sandbox
