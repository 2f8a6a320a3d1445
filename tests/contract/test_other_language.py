"""The spec serves other languages too: the documented TypeScript generation command, for real.

Runs ``npx openapi-typescript`` on openapi/events.yaml when Node.js is installed; otherwise
the test is skipped and says so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "events.yaml"
#: The generator as the documentation's command names it (`npx --yes openapi-typescript@X`,
#: on a page under docs/), pinned there: a new major could change the output or the flags.
_DOCUMENTED = re.compile(r"npx --yes (openapi-typescript@\d+\.\d+\.\d+) openapi/events\.yaml")


def _documented_generator() -> str:
    found = {
        match.group(1)
        for page in sorted((ROOT / "docs").rglob("*.md"))
        for match in _DOCUMENTED.finditer(page.read_text(encoding="utf-8"))
    }
    assert len(found) == 1, f"docs/ should show one openapi-typescript command, found {found}"
    return found.pop()


GENERATOR = _documented_generator()
_NETWORK_ERRORS = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET")


def _node_major(node: str) -> int:
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    match = re.match(r"v(\d+)", version.stdout.strip())
    return int(match.group(1)) if match else 0


def test_typescript_types_from_the_spec(tmp_path: Path) -> None:
    node, npx = shutil.which("node"), shutil.which("npx")
    if node is None or npx is None:
        pytest.skip("Node.js not found: TypeScript generation from openapi/events.yaml skipped")
    if _node_major(node) < 18:
        pytest.skip(f"Node.js 18+ needed by {GENERATOR}: TypeScript generation skipped")
    target = tmp_path / "events.d.ts"
    # The documented command, with paths made absolute.
    command = [npx, "--yes", GENERATOR, str(SPEC), "-o", str(target)]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(command)} took more than 300 s")
    if result.returncode != 0 and any(code in result.stderr for code in _NETWORK_ERRORS):
        pytest.skip(f"npm registry unreachable: {GENERATOR} not downloaded")
    assert result.returncode == 0, result.stdout + result.stderr
    types = target.read_text()
    # The Event schema and its fields, the read routes.
    event = types[types.index("Event: {") :]
    for field in ("id", "source", "type", "description", "created_at", "received_at"):
        assert re.search(rf"\b{field}\??: string;", event), field
    assert re.search(r"\bproperties\??:", event)
    routes = (
        "/api/v2/users/{user_id}/events",
        "/api/v2/user_profiles/events",
        "/api/v2/user_profiles/{profile_id}",
        "/api/v2/users/{user_id}/profiles",
    )
    for route in routes:
        assert f'"{route}"' in types
    # The Profile schema, and the track body and answer.
    profile = types[types.index("Profile: {") :]
    for field in ("id", "source", "type", "created_at", "updated_at"):
        assert re.search(rf"\b{field}\??: string;", profile), field
    assert "TrackEventRequest: {" in types
    result = types[types.index("TrackResult: {") :]
    for field in ("profile_id", "status", "user_id"):
        assert re.search(rf"\b{field}: string;", result), field
