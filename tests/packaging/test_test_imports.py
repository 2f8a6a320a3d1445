"""No test module imports another test module: what tests share lives in helper modules
(``tests/_mock.py``, ``tests/_secrets.py``, ``tests/cli/_helpers.py``, ...), so that moving or
deleting a test file never breaks another one."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _imported(tree: ast.AST, package: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):  # imports inside test functions too
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the module's own package
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found += [(node.lineno, base)]
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def test_no_test_module_imports_another_test_module() -> None:
    offending = []
    for path in sorted(TESTS.rglob("*.py")):
        package = ".".join(path.relative_to(TESTS.parent).parent.parts)
        for line, name in _imported(ast.parse(path.read_text()), package):
            if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_"):
                offending.append(f"{path.relative_to(TESTS.parent)}:{line} imports {name}")
    assert offending == []
