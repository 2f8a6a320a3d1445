"""The one way public objects get the module users import them from.

A public object reports ``zdevents`` (or ``zdevents.types``) as its ``__module__`` (repr,
``help()``, tracebacks, pickling by reference), not the private module that defines it; so
do the functions of a public class. :func:`publish` is called once per public module, on
its ``__all__``, after everything is imported; no module sets ``__module__`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable

#: mutmut (``make mutation``) keeps its copies of a class's methods on the class, named
#: ``x\u01c1Class\u01c1method__mutmut_N``, and finds the tests of a method by the module its
#: copies report: they keep theirs (relabelled, no test seemed to call the method).
_MUTMUT_MARK = "\u01c1"


def publish(module: str, objects: Iterable[object]) -> None:
    """Make each callable of ``objects``, and each function of a class among them defined in
    zdevents, report ``module``."""
    for obj in objects:
        if not callable(obj):
            continue
        obj.__module__ = module
        for cls in obj.__mro__[:-1] if isinstance(obj, type) else ():
            for name, member in vars(cls).items():
                if _MUTMUT_MARK in name:
                    continue
                function = getattr(member, "__func__", member)
                function = getattr(function, "fget", function)  # properties
                owner = getattr(function, "__module__", None) if callable(function) else None
                if isinstance(owner, str) and owner.startswith("zdevents."):
                    function.__module__ = module
