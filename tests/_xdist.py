"""How ``--dist loadgroup`` (the Makefile's) hands tests to the xdist workers: the root
conftest.py installs this scheduler.

xdist's own loadgroup sends the tests of one ``xdist_group`` to one worker and every other
test on its own, one message a test; a worker then often waits for its next test, and a
module's tests spread over every worker, each making the module's fixtures (a sandbox, say)
again. Here the other tests of one module go to one worker together, except the contract
runs and the documentation's examples, which are long one by one and spread over the
workers (the examples are one group: one sandbox serves them all).
"""

from __future__ import annotations

from typing import Any

import pytest

#: Tests handed out one by one (each is long), unless they are in a group.
ONE_BY_ONE = ("tests/contract/", "docs/", "README.md")


def scope_of(nodeid: str) -> str:
    """The unit of work a test is handed out in: its group, else itself (ONE_BY_ONE), else
    its module."""
    if nodeid.rfind("@") > nodeid.rfind("]"):  # xdist's own rule for a group's suffix
        return nodeid.split("@")[-1]
    if nodeid.startswith(ONE_BY_ONE):
        return nodeid
    return nodeid.split("::", 1)[0]


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """The scheduler of ``--dist loadgroup``; any other ``--dist`` is xdist's own."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupOrModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return GroupOrModuleScheduling(config, log)
