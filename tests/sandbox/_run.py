"""Running the sandbox's command line in a real process, for the tests of this folder."""

from __future__ import annotations

import os
import subprocess
import sys


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``python -m zdevents.sandbox ARGS`` with pipes for stdout and stderr."""
    return subprocess.Popen(
        [sys.executable, "-m", "zdevents.sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
