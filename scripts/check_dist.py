"""``make wheel-check``: build the sdist and the wheel, then check what they hold.

The wheel is checked by check-wheel-contents (its settings in pyproject.toml) and here: the
MIT LICENSE in both archives, the changelog in the sdist, no tests in the sdist (it ships
none on purpose: they need a development checkout), both packages and their py.typed in the
wheel, and the version of the archives equal to zdevents.__version__.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def problems(dist: Path, version: str) -> list[str]:
    """What is wrong with the sdist and wheel in ``dist`` (empty: nothing)."""
    found: list[str] = []
    sdists = sorted(dist.glob("zdevents-*.tar.gz"))
    wheels = sorted(dist.glob("zdevents-*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        return [f"expected one sdist and one wheel in {dist}, found {sdists + wheels}"]
    sdist, wheel = sdists[0], wheels[0]
    for archive in (sdist, wheel):
        if f"-{version}" not in archive.name:
            found.append(f"{archive.name} is not version {version}")
    with tarfile.open(sdist) as tar:
        names = [name.split("/", 1)[1] for name in tar.getnames() if "/" in name]
        license_text = tar.extractfile(f"zdevents-{version}/LICENSE")
        if license_text is None or b"MIT License" not in license_text.read():
            found.append("the sdist's LICENSE is not the MIT text")
    for needed in ("LICENSE", "CHANGELOG.md", "pyproject.toml", "zdevents/__init__.py"):
        if needed not in names:
            found.append(f"the sdist lacks {needed}")
    tests = [name for name in names if name.startswith("tests/")]
    if tests:
        found.append(f"the sdist ships tests without what they need: {tests[:3]}")
    with zipfile.ZipFile(wheel) as whl:
        wheel_names = whl.namelist()
        licenses = [n for n in wheel_names if n.endswith(".dist-info/licenses/LICENSE")]
        if not licenses or b"MIT License" not in whl.read(licenses[0]):
            found.append("the wheel lacks the MIT LICENSE in its .dist-info/licenses")
    for needed in ("zdevents/py.typed", "zendesk_events_api/py.typed", "zdevents/cli/__init__.py"):
        if needed not in wheel_names:
            found.append(f"the wheel lacks {needed}")
    return found


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from zdevents import __version__

    with tempfile.TemporaryDirectory() as out:
        built = subprocess.run(
            [sys.executable, "-m", "build", "--outdir", out, str(ROOT)],
            capture_output=True,
            text=True,
            check=False,
        )
        if built.returncode:
            print(built.stdout + built.stderr, file=sys.stderr)
            return 1
        dist = Path(out)
        (wheel,) = dist.glob("*.whl")
        checked = subprocess.run(
            [Path(sys.executable).with_name("check-wheel-contents"), str(wheel)], check=False
        )
        found = problems(dist, __version__)
    for problem in found:
        print(f"check_dist: {problem}", file=sys.stderr)
    return 1 if found or checked.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
