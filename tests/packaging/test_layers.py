"""The client core is reached only where CONTRIBUTING.md ("Layers and import rules") says,
and the import-linter contract of ``pyproject.toml`` (``make layers``) enforces it: the
facades, the resources that hold the core, and ``_login``, the OAuth core's public
functions (the one module that reads a client's private ``_oauth``)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: A client's private parts: its core and the resources holding it.
PRIVATE_PARTS = {"_core", "_oauth", "_events", "_track", "_profiles"}


def _core_contract() -> dict[str, list[str]]:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    found = [
        c
        for c in contracts["contracts"]
        if c["type"] == "protected" and "zdevents._base_client" in c["protected_modules"]
    ]
    assert len(found) == 1, "one contract protects the client core"
    return found[0]


def _readers_of_private_parts() -> dict[str, list[int]]:
    """Each library module that reads a private part of an object other than ``self``."""
    readers: dict[str, list[int]] = {}
    for path in sorted((ROOT / "zdevents").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in PRIVATE_PARTS
                and not (isinstance(node.value, ast.Name) and node.value.id == "self")
            ):
                parts = path.relative_to(ROOT).with_suffix("").parts
                name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
                readers.setdefault(name, []).append(node.lineno)
    return readers


def test_only_modules_allowed_to_reach_the_core_read_a_client_s_private_parts() -> None:
    contract = _core_contract()
    allowed = set(contract["allowed_importers"])
    readers = _readers_of_private_parts()
    assert readers, "the scan finds _login's client._oauth"
    assert {name: lines for name, lines in readers.items() if name not in allowed} == {}
    assert "zdevents._login" in allowed and "zdevents._login" in readers
    core = {"zdevents._base_client", "zdevents._transport", "zdevents._auth", "zdevents._oauth"}
    assert core <= set(contract["protected_modules"])
    # CONTRIBUTING.md says so, naming the contract.
    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    assert contract["name"] in contributing.replace("\n", " ")
