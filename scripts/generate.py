"""Generate the low-level client from openapi/events.yaml.

Usage: python scripts/generate.py [OUTPUT_DIR]   (default: generated/zendesk_events_api)

openapi-python-client's --overwrite rewrites the package but leaves stale files behind, and
--meta none writes no py.typed. So this generates into a fresh temporary folder, adds
py.typed, and then swaps the result in whole. The templates in openapi/templates/ override
the generator's own (see CONTRIBUTING.md, "Regenerating after an API change"). The generator's
ruff post-hooks need ruff on PATH: the one installed next to this interpreter is used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "events.yaml"
CONFIG = ROOT / "openapi" / "generator.yaml"
TEMPLATES = ROOT / "openapi" / "templates"
PACKAGE = "zendesk_events_api"


def generate(output: Path, spec: Path = SPEC) -> None:
    """Generate the package from ``spec`` (default: the project's) into ``output``."""
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "RUFF_NO_CACHE": "true",
    }
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / PACKAGE
        subprocess.run(
            [
                str(bin_dir / "openapi-python-client"),
                "generate",
                "--path",
                str(spec),
                "--config",
                str(CONFIG),
                "--custom-template-path",
                str(TEMPLATES),
                "--meta",
                "none",
                "--output-path",
                str(target),
                "--fail-on-warning",
            ],
            check=True,
            env=env,
        )
        (target / "py.typed").write_text("# Marker file for PEP 561.\n")
        if output.exists():
            shutil.rmtree(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(target, output)


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "generated" / PACKAGE
    generate(out.resolve())
    print(f"generated {out}")
