"""The schemathesis runner of ``scripts/_schemathesis_run.py``, loaded for the contract tests
(test_contract.py, test_contract_oauth.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_schemathesis_run", SCRIPTS / "_schemathesis_run.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module
