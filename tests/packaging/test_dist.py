"""The archives: the MIT LICENSE in the sdist and the wheel, the changelog, no tests in the
sdist (it ships none on purpose), the version everywhere (scripts/check_dist.py, which
``make wheel-check`` runs)."""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

import zdevents

ROOT = Path(__file__).resolve().parents[2]


def check_dist() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_dist", ROOT / "scripts" / "check_dist.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_license_is_the_mit_text() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_changelog_starts_with_this_release() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## (\d+\.\d+\.\d+)", text, flags=re.MULTILINE)
    assert versions[0] == zdevents.__version__ == "0.3.0"


def _sdist(path: Path, files: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"zdevents-0.2.0/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _wheel(path: Path, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as whl:
        for name, data in files.items():
            whl.writestr(name, data)


GOOD_SDIST = {
    "LICENSE": b"MIT License\n",
    "CHANGELOG.md": b"# Changelog\n",
    "pyproject.toml": b"",
    "zdevents/__init__.py": b"",
}
GOOD_WHEEL = {
    "zdevents-0.2.0.dist-info/licenses/LICENSE": b"MIT License\n",
    "zdevents/py.typed": b"",
    "zendesk_events_api/py.typed": b"",
    "zdevents/cli/__init__.py": b"",
}


@pytest.mark.parametrize(
    ("sdist", "wheel", "problem"),
    [
        (GOOD_SDIST, GOOD_WHEEL, None),
        ({**GOOD_SDIST, "LICENSE": b"Apache"}, GOOD_WHEEL, "MIT text"),
        ({k: v for k, v in GOOD_SDIST.items() if k != "CHANGELOG.md"}, GOOD_WHEEL, "CHANGELOG"),
        ({**GOOD_SDIST, "tests/test_x.py": b""}, GOOD_WHEEL, "ships tests"),
        (GOOD_SDIST, {k: v for k, v in GOOD_WHEEL.items() if "LICENSE" not in k}, "LICENSE"),
        (GOOD_SDIST, {k: v for k, v in GOOD_WHEEL.items() if "api/py" not in k}, "py.typed"),
    ],
)
def test_the_check_catches_what_is_missing(
    tmp_path: Path, sdist: dict[str, bytes], wheel: dict[str, bytes], problem: str | None
) -> None:
    _sdist(tmp_path / "zdevents-0.2.0.tar.gz", sdist)
    _wheel(tmp_path / "zdevents-0.2.0-py3-none-any.whl", wheel)
    found = check_dist().problems(tmp_path, "0.2.0")
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0], found


@pytest.mark.slow
def test_make_wheel_check_passes_on_the_real_archives() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_dist.py")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": OK" in result.stdout


def test_the_install_step_keeps_setuptools_banner_out_of_make_demo() -> None:
    # `make demo` installs first when needed; whatever pip and setuptools print then (the
    # "Editable installation" banner) must go to the log, not into the demo's output.
    dry = subprocess.run(
        ["make", "-n", "-B", "demo"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    installs = [line for line in dry.stdout.splitlines() if "pip install" in line]
    assert installs
    assert all("install.log 2>&1" in line for line in installs), installs
