"""A local Zendesk Events API server: the spec's event and profile routes over SQLite.

Start one from Python::

    from zdevents.sandbox import Sandbox

    with Sandbox(seed="demo") as sandbox:
        print(sandbox.base_url, sandbox.email, sandbox.api_token)

or from a shell: ``python -m zdevents.sandbox --seed demo`` (``zdevents sandbox`` is the same).
Tests get one from the pytest fixture ``zendesk_sandbox`` (see ``zdevents.pytest_plugin``).
Serving needs the ``zdevents[sandbox]`` extra (uvicorn); without it, importing this package
works, ``Sandbox.start()`` raises ``ModuleNotFoundError`` with ``INSTALL_HINT``, and the
command line prints that hint and exits 2.
"""

from __future__ import annotations

from .._public import publish as _publish
from ._app import ASGIApp
from ._command import main
from ._faults import FAULT_KINDS
from ._oauth import OAuthState
from ._records import RecordError
from ._seed import SeedError, demo_records
from ._server import INSTALL_HINT, Sandbox, create_app
from ._settings import (
    DEFAULT_API_TOKEN,
    DEFAULT_EMAIL,
    DEFAULT_END_USER_EMAIL,
    DEFAULT_OAUTH_CLIENT_ID,
    DEFAULT_OAUTH_CLIENT_SECRET,
    DEFAULT_OAUTH_PUBLIC_CLIENT_ID,
    DEFAULT_OAUTH_TOKEN,
    Options,
)
from ._store import Store

__all__ = [
    "DEFAULT_API_TOKEN",
    "DEFAULT_EMAIL",
    "DEFAULT_END_USER_EMAIL",
    "DEFAULT_OAUTH_CLIENT_ID",
    "DEFAULT_OAUTH_CLIENT_SECRET",
    "DEFAULT_OAUTH_PUBLIC_CLIENT_ID",
    "DEFAULT_OAUTH_TOKEN",
    "FAULT_KINDS",
    "INSTALL_HINT",
    "ASGIApp",
    "OAuthState",
    "Options",
    "RecordError",
    "Sandbox",
    "SeedError",
    "Store",
    "create_app",
    "demo_records",
    "main",
]

# Public names report the package, not the private module they live in (repr, help, mypy),
# set the one way every public module of zdevents sets it.
_publish(__name__, [globals()[name] for name in __all__])
