"""Packaging: runtime dependencies, py.typed, and no wire names spelled out in the wrapper."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import zendesk_events_api

import zdevents

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# sniffio and msgspec: see pyproject.toml (httpcore retries its failed import of sniffio on
# every async request; msgspec.Raw gives each event's exact text in one pass, issue 11).
RUNTIME = {"httpx", "attrs", "python-dateutil", "sniffio", "msgspec"}


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return match.group(0).lower().replace("_", "-")


def test_runtime_dependencies_are_exactly_httpx_attrs_dateutil() -> None:
    declared = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert declared == RUNTIME


def test_installed_metadata_agrees() -> None:
    requires = metadata.requires("zdevents") or []
    unconditional = {requirement_name(r) for r in requires if "extra ==" not in r}
    assert unconditional == RUNTIME


def test_python_3_11_or_newer() -> None:
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"


@pytest.mark.parametrize("package", [zdevents, zendesk_events_api])
def test_both_packages_ship_py_typed(package: object) -> None:
    directory = Path(package.__file__).resolve().parent  # type: ignore[attr-defined]
    assert (directory / "py.typed").is_file()
    name = package.__name__  # type: ignore[attr-defined]
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"][name]


def test_both_packages_are_found_by_setuptools() -> None:
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    assert set(find["where"]) >= {".", "generated"}
    assert set(find["include"]) >= {"zdevents*", "zendesk_events_api*"}


def wrapper_sources() -> list[Path]:
    package = ROOT / "zdevents"
    return sorted(p for p in package.rglob("*.py") if "sandbox" not in p.relative_to(package).parts)


def code_strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant in the module's code, docstrings left out (comments never count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    found = []
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and id(node) not in docstrings:
            found.append((node.lineno, node.value))
    return found


WIRE_NAME = re.compile(r"(filter|page)\s*\[|/api/v2|user_profiles|/users/|\{(profile|user)_id\}")


def test_there_are_wrapper_sources_to_check() -> None:
    names = {p.name for p in wrapper_sources()}
    assert {"_routes.py", "_pagination.py", "_client.py"} <= names


@pytest.mark.parametrize("path", wrapper_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_route_path_or_wire_parameter_name_outside_the_sandbox(path: Path) -> None:
    offending = [(line, text) for line, text in code_strings(path) if WIRE_NAME.search(text)]
    assert offending == []


def test_the_wire_name_check_would_catch_a_spelled_out_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        '"""Docstrings may say filter[source]."""\n'
        'PARAM = "page[after]"\n'
        'PATH = f"/api/v2/users/{1}/events"\n',
        encoding="utf-8",
    )
    hits = [text for _, text in code_strings(bad) if WIRE_NAME.search(text)]
    assert hits == ["page[after]", "/api/v2/users/"]


def test_after_param_is_read_from_the_generated_package() -> None:
    from zdevents._routes import AFTER_PARAM

    assert AFTER_PARAM == "page[after]"


def test_public_names() -> None:
    for name in ("Client", "AsyncClient", "Identifier", "Event", "errors", "__version__"):
        assert name in zdevents.__all__
        assert getattr(zdevents, name) is not None
    assert zdevents.__version__ == metadata.version("zdevents")


def test_the_types_of_public_signatures_are_exported() -> None:
    import typing

    import zdevents.types

    hints = {
        **typing.get_type_hints(zdevents.Client.events),
        **typing.get_type_hints(zdevents.Client.events_many),
        **typing.get_type_hints(zdevents.sync),
    }
    exported = [getattr(zdevents.types, name) for name in zdevents.types.__all__]
    # Keyword arguments typed by a TypedDict (**options, **filters): the TypedDict, and
    # the bases the docs name, are exported.
    for cls in (zdevents.Client, zdevents.AsyncClient):
        for function in (cls.__init__, cls.from_env, cls.with_options, cls.events):
            for hint in typing.get_type_hints(function).values():
                if typing.get_origin(hint) is typing.Unpack:
                    (typed,) = typing.get_args(hint)
                    assert typed in exported, (function, typed)
                    assert typed.__module__ == "zdevents.types"
    assert zdevents.types.BaseClientOptions in exported

    def spelt_by(alias: object, hint: object) -> bool:
        parts = set(typing.get_args(alias))
        return alias in (hint, *typing.get_args(hint)) or (
            bool(parts) and parts <= set(typing.get_args(hint))
        )

    for name in ("start", "selectors", "on_missing"):
        assert any(spelt_by(alias, hints[name]) for alias in exported), name
    assert typing.get_type_hints(zdevents.EventStream.query.fget)["return"] is (
        zdevents.types.EventQuery
    )
    assert zdevents.types.EventQuery.__module__ == "zdevents.types"


def test_no_repr_of_a_query_shows_an_identifiers_value_or_a_cursor() -> None:
    client = zdevents.Client(base_url="http://127.0.0.1:9", oauth_token="t" * 20)
    query = client.events(
        identifier="coolbikes:rider:email:jdoe@example.com", after="c2VjcmV0LWN1cnNvcg"
    ).query
    shown = repr(query) + repr(query.identifier)
    assert "jdoe" not in shown and "c2VjcmV0" not in shown
    assert "value=<16 characters>" in shown and "after=<cursor of 18 characters>" in shown
    client.close()
