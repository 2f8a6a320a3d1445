"""The operation modules of the generated package, for the tests of tests/contract."""

from __future__ import annotations

import importlib
import pkgutil

import zendesk_events_api.api

#: ``zendesk_events_api.api.<tag>.<operation>`` for every operation the generator made.
OPERATION_MODULES: list[str] = sorted(
    module.name
    for package in pkgutil.iter_modules(zendesk_events_api.api.__path__, "zendesk_events_api.api.")
    for module in pkgutil.iter_modules(
        importlib.import_module(package.name).__path__, package.name + "."
    )
)
