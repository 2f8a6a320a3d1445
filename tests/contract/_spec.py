"""The spec, ``openapi/events.yaml``, for the contract tests: its path, and its text parsed with
libyaml's loader (PyYAML's pure-Python loader took a tenth of a second per read, and every
worker of the suite read the spec at import in four modules and again in several tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "events.yaml"

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML built without libyaml


def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    """The spec at ``path`` as a new dict (a test may change its copy)."""
    spec: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506
    return spec
