"""Nothing public names a private type: every parameter and return of a public function,
method or property of ``zdevents`` and ``zdevents.sandbox`` is typed with public names
(``Sandbox.oauth`` is a ``zdevents.sandbox.OAuthState``, ``create_app`` an
``zdevents.sandbox.ASGIApp``). The stream constructors are the one exception, on purpose:
the clients make streams from their own parts, users never do, and the reference shows no
constructor for them."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator
from pathlib import Path

import zdevents
import zdevents.sandbox
import zdevents.types

ROOT = Path(__file__).resolve().parents[2]

#: Made by the clients only, from their private parts.
CONSTRUCTED_BY_THE_CLIENTS = ("EventStream", "AsyncEventStream", "UserStream", "AsyncUserStream")


def _types_in(hint: object) -> Iterator[object]:
    yield hint
    for arg in typing.get_args(hint):
        yield from _types_in(arg)


def _private(hint: object) -> bool:
    module = getattr(hint, "__module__", "") or ""
    return (
        isinstance(hint, type)
        and module.startswith("zdevents")
        and any(part.startswith("_") for part in module.split("."))
    )


def _signatures() -> Iterator[tuple[str, object]]:
    for module in (zdevents, zdevents.sandbox):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                for member, value in vars(obj).items():
                    if member.startswith("_") and member != "__init__":
                        continue
                    function = value.fget if isinstance(value, property) else value
                    function = getattr(function, "__func__", function)  # class/static methods
                    if inspect.isfunction(function):
                        yield f"{module.__name__}.{name}.{member}", function
            elif inspect.isfunction(obj):
                yield f"{module.__name__}.{name}", obj


def test_no_public_signature_names_a_private_type() -> None:
    public = {n: getattr(zdevents, n) for n in zdevents.__all__}
    found: dict[str, list[str]] = {}
    for where, function in _signatures():
        hints = typing.get_type_hints(function, localns=public, include_extras=True)
        private = [repr(t) for hint in hints.values() for t in _types_in(hint) if _private(t)]
        if private:
            found[where] = private
    exempt = {f"zdevents.{name}.__init__" for name in CONSTRUCTED_BY_THE_CLIENTS}
    assert set(found) <= exempt, {k: v for k, v in found.items() if k not in exempt}
    assert (
        "zdevents.sandbox.Sandbox.oauth" not in found and "zdevents.sandbox.create_app" not in found
    )


def test_the_streams_users_never_construct_say_so_and_show_no_constructor() -> None:
    reference = (ROOT / "docs" / "reference.md").read_text()
    for name in CONSTRUCTED_BY_THE_CLIENTS:
        assert "not constructed by users" in " ".join(getattr(zdevents, name).__doc__.split())
        block = reference.split(f"::: zdevents.{name}\n", 1)[1].split(":::", 1)[0]
        assert "merge_init_into_class: false" in block, name
