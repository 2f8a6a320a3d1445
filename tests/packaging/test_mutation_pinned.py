"""tests/mutation-pinned.toml stays true to the code and the tests: each hand-made mutant's
``old`` text occurs exactly once in its file (else the code moved and the entry must follow),
and each test it names is a test function of the named file (``make mutation --pinned``
would otherwise find out only when it runs)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = tomllib.loads((ROOT / "tests" / "mutation-pinned.toml").read_text())["mutant"]


def test_each_mutant_applies_to_exactly_one_place() -> None:
    stale = [
        f"{m['gap']}: {m['old']!r} occurs {count} times in {m['file']}"
        for m in MUTANTS
        if (count := (ROOT / m["file"]).read_text().count(m["old"])) != 1
    ]
    assert stale == []


def test_each_test_named_is_a_test_function_of_its_file() -> None:
    defined: dict[str, set[str]] = {}
    missing = []
    for mutant in MUTANTS:
        for test_id in mutant["tests"]:
            path, _, name = test_id.partition("::")
            if path not in defined:
                tree = ast.parse((ROOT / path).read_text()) if (ROOT / path).exists() else None
                defined[path] = {
                    node.name
                    for node in (tree.body if tree else [])
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                }
            if name.split("[")[0] not in defined[path]:
                missing.append(f"{mutant['gap']}: {test_id}")
    assert missing == []
