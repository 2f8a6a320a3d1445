"""Fail if generated/ differs from a fresh generation of openapi/events.yaml."""

from __future__ import annotations

import difflib
import sys
import tempfile
from pathlib import Path

from generate import PACKAGE, ROOT, generate

COMMITTED = ROOT / "generated" / PACKAGE


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh_dir = Path(tmp) / PACKAGE
        generate(fresh_dir)
        fresh, committed = files(fresh_dir), files(COMMITTED)
    problems = []
    for name in sorted(fresh.keys() | committed.keys()):
        if name not in committed:
            problems.append(f"missing from generated/: {name}")
        elif name not in fresh:
            problems.append(f"not produced by the generator (stale or hand-written): {name}")
        elif fresh[name] != committed[name]:
            diff = difflib.unified_diff(
                committed[name].decode().splitlines(),
                fresh[name].decode().splitlines(),
                f"generated/{PACKAGE}/{name}",
                "fresh generation",
                lineterm="",
                n=1,
            )
            problems.append("\n".join(list(diff)[:40]))
    if problems:
        print("generated/ differs from `make generate`; run it and commit the result:")
        print("\n".join(problems))
        return 1
    print(f"generated/{PACKAGE} matches a fresh generation ({len(fresh)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
