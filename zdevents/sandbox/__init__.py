"""A local Zendesk Events API server: the spec's three GET routes over SQLite.

Start one from Python::

    from zdevents.sandbox import Sandbox

    with Sandbox(seed="demo") as sandbox:
        print(sandbox.base_url, sandbox.email, sandbox.api_token)

or from a shell: ``python -m zdevents.sandbox --seed demo`` (``zdevents sandbox`` is the same).
Tests get one from the pytest fixture ``zendesk_sandbox`` (see ``zdevents.pytest_plugin``).
Needs the ``zdevents[sandbox]`` extra (uvicorn).
"""

from __future__ import annotations

import importlib.util

# Fail on import, as a missing module, when the extra is not installed: `zdevents sandbox`
# turns that into an install hint. (Checked without importing uvicorn, to keep import cheap.)
if importlib.util.find_spec("uvicorn") is None:
    raise ModuleNotFoundError(
        "zdevents.sandbox needs uvicorn: pip install 'zdevents[sandbox]'", name="uvicorn"
    )

from ._cli import main
from ._faults import FAULT_KINDS
from ._records import RecordError
from ._seed import SeedError, demo_records
from ._server import (
    DEFAULT_API_TOKEN,
    DEFAULT_EMAIL,
    DEFAULT_OAUTH_TOKEN,
    Sandbox,
    create_app,
)
from ._store import Store

__all__ = [
    "DEFAULT_API_TOKEN",
    "DEFAULT_EMAIL",
    "DEFAULT_OAUTH_TOKEN",
    "FAULT_KINDS",
    "RecordError",
    "Sandbox",
    "SeedError",
    "Store",
    "create_app",
    "demo_records",
    "main",
]
