"""Running :mod:`tests.warehouse._pipeline_run` in a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[2]


def run_pipeline(spec: dict[str, Any], *, env: dict[str, str] | None = None) -> Any:
    """Run the pipeline of ``spec`` in a subprocess: the completed process."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    path = [str(_ROOT), str(_ROOT / "generated"), environ.get("PYTHONPATH", "")]
    environ["PYTHONPATH"] = os.pathsep.join(p for p in path if p)
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tests.warehouse._pipeline_run", json.dumps(spec)],
        cwd=spec["folder"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
