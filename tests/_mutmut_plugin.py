"""A pytest plugin for mutation runs only (``scripts/mutation.py`` loads it through
``PYTEST_ADDOPTS``; it is no part of the test suite).

``zdevents._publish`` sets ``__module__ = "zdevents"`` on every function of a public class,
so that ``help()`` and tracebacks name the public module. mutmut 3 keys the tests of a
mutated method on ``__module__`` of its copy of the original (``xǁEventǁ_text__mutmut_orig``),
and finds none under ``zdevents``: every mutant of ``Event``, ``Identifier`` or ``Page`` would
be "no tests". This gives mutmut's own copies (their names start with ``xǁ``) back the module
whose file defines them; the public methods keep ``zdevents``.
"""

from __future__ import annotations

import sys

import zdevents  # noqa: F401  (imported for its side effect: _publish has run)


def _restore_module_names() -> None:
    for name, module in list(sys.modules.items()):
        if not name.startswith("zdevents.") or not getattr(module, "__file__", None):
            continue
        for cls in [obj for obj in vars(module).values() if isinstance(obj, type)]:
            for member_name, member in vars(cls).items():
                if not member_name.startswith("x\u01c1"):
                    continue
                function = getattr(member, "__func__", member)
                code = getattr(function, "__code__", None)
                if code is not None and code.co_filename == module.__file__:
                    function.__module__ = name


_restore_module_names()
