"""The sandbox's public names report ``zdevents.sandbox``, set the one way the library sets it
(``zdevents._public.publish``): the classes and the functions of the classes alike."""

from __future__ import annotations

import inspect

import zdevents.sandbox


def test_every_public_name_and_its_methods_report_the_package() -> None:
    wrong = []
    for name in zdevents.sandbox.__all__:
        obj = getattr(zdevents.sandbox, name)
        if not callable(obj):
            continue
        if obj.__module__ != "zdevents.sandbox":
            wrong.append(f"{name}: {obj.__module__}")
        for member, value in vars(obj).items() if inspect.isclass(obj) else ():
            function = getattr(getattr(value, "__func__", value), "fget", value)
            module = getattr(function, "__module__", None) if callable(function) else None
            if isinstance(module, str) and module.startswith("zdevents.sandbox."):
                wrong.append(f"{name}.{member}: {module}")
    assert wrong == []


def test_the_sandbox_sets_no_module_by_hand() -> None:
    source = inspect.getsource(zdevents.sandbox)
    assert "__module__ =" not in source
