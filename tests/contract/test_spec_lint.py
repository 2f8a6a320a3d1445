"""Spectral's ``spectral:oas`` and Redocly's ``recommended`` rules find nothing in the spec:
no error, no warning, no hint (versions pinned in other_languages/package-lock.json)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.contract._node import PACKAGE, SPEC, bin_path, install

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("node")]

#: No telemetry and no update check: tests reach nothing but loopback.
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "CI": "true"}


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_spectral_oas_reports_nothing(tmp_path: Path) -> None:
    tools = install()
    report = tmp_path / "spectral.json"
    ruleset = PACKAGE / ".spectral.yaml"
    command = [bin_path(tools, "spectral"), "lint", "-r", str(ruleset), str(SPEC)]
    result = run([*command, "-f", "json", "-o", str(report)], tmp_path)
    problems = json.loads(report.read_text(encoding="utf-8"))
    found = [f"{p['code']} at {'.'.join(map(str, p['path']))}: {p['message']}" for p in problems]
    assert found == [], "\n".join(found)
    assert result.returncode == 0, result.stdout + result.stderr


def test_redocly_recommended_reports_nothing(tmp_path: Path) -> None:
    tools = install()
    command = [bin_path(tools, "redocly"), "lint", "--extends", "recommended", str(SPEC)]
    result = run([*command, "--format", "json"], tmp_path)
    report = json.loads(result.stdout)
    found = [f"{p['ruleId']}: {p['message']}" for p in report["problems"]]
    assert found == [], "\n".join(found)
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}
    assert result.returncode == 0, result.stderr
