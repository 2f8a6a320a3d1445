"""Collects the examples of README.md and docs/ as tests: Sybil parses each page, and
tests/docs/_examples.py runs its blocks against one sandbox (CONTRIBUTING.md, "Examples in
the documentation"). The pages are outside tests/, so the collector lives here, at the root
of the paths pytest walks (`testpaths` in pyproject.toml)."""

from __future__ import annotations

import pytest

from tests._xdist import pytest_xdist_make_scheduler
from tests.docs._examples import docs_examples, sybil

__all__ = [
    "docs_examples",
    "pytest_collect_file",
    "pytest_collection_modifyitems",
    "pytest_xdist_make_scheduler",
]

pytest_collect_file = sybil.pytest()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The examples start a zdevents process per shell command: `make test` runs them, `make
    # test-fast` does not. (They run on one worker: their ids end in @docs-examples.)
    for item in items:
        if item.path.suffix == ".md":
            item.add_marker(pytest.mark.slow)
    # The examples first (the longest work of one worker), then the other slow tests, then
    # the rest, each in its order: xdist hands tests out in this order, so the longest start
    # at once instead of being what the last worker still runs when the others are done.
    items.sort(
        key=lambda item: (item.get_closest_marker("slow") is None, item.path.suffix != ".md")
    )
