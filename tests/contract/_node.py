"""Node.js for the other-language contract tests (test_other_languages.py, test_spec_lint.py).

The generators, linters and TypeScript are pinned in ``other_languages/package.json`` and
``package-lock.json`` and installed with one ``npm ci`` into the Python environment's folder
(``.venv`` on a clean clone, ignored by git), keyed by the lock file's hash: a re-run finds
them there, and npm's own cache (``~/.npm``) makes a fresh install quick. Without Node.js
20.19+ or without the registry, the tests are skipped and say why.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.contract._spec import SPEC_PATH

PACKAGE = Path(__file__).resolve().parent / "other_languages"
ROOT = PACKAGE.parents[2]
SPEC = SPEC_PATH
#: The oldest Node.js the pinned tools run on: redocly, chokidar and readdirp declare 20.19
#: (orval and hey-api declare 22.18, and run on 20.19+). An older one is a skip, not a failure.
MINIMUM_NODE = (20, 19)
_NETWORK_ERRORS = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET")


def _cache_root() -> Path:
    # The environment the tests run in (.venv, or the shared one of a worktree), not the
    # system's Python.
    prefix = Path(sys.prefix)
    return (prefix if prefix != Path(sys.base_prefix) else ROOT / ".venv") / "zdevents-node"


def node_and_npm() -> tuple[str, str]:
    """The ``node`` and ``npm`` executables, or a skip that says what is missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js (node and npm) not found: the other-language contract is skipped")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    match = re.match(r"v(\d+)\.(\d+)", version.stdout.strip())
    if not match or (int(match[1]), int(match[2])) < MINIMUM_NODE:
        needed = ".".join(map(str, MINIMUM_NODE))
        pytest.skip(f"Node.js {needed}+ needed, found {version.stdout.strip()!r}: skipped")
    return node, npm


def install() -> Path:
    """The folder holding ``node_modules`` of the pinned tools; ``npm ci`` the first time."""
    _, npm = node_and_npm()
    lock = (PACKAGE / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock + (PACKAGE / "package.json").read_bytes()).hexdigest()[:16]
    target = _cache_root() / digest
    if (target / "node_modules" / ".package-lock.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Installed aside and renamed into place: two test processes may install at once.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".install-") as tmp:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(PACKAGE / name, tmp)
        command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"]
        result = subprocess.run(
            command, cwd=tmp, capture_output=True, text=True, timeout=600, check=False
        )
        if result.returncode != 0 and any(code in result.stderr for code in _NETWORK_ERRORS):
            pytest.skip("npm registry unreachable and the pinned tools not cached: skipped")
        assert result.returncode == 0, result.stdout + result.stderr
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.is_dir():  # another process won the race: its copy is the same
                raise
        else:
            os.mkdir(tmp)  # for TemporaryDirectory's cleanup
    return target


def bin_path(tools: Path, name: str) -> str:
    return str(tools / "node_modules" / ".bin" / name)
