"""schemathesis against a running sandbox: examples, coverage, fuzzing and stateful phases."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from zdevents.sandbox import Sandbox

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_schemathesis_run", SCRIPTS / "_schemathesis_run.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_sandbox_meets_the_spec(zendesk_sandbox_factory: Callable[..., Sandbox]) -> None:
    runner = load_runner()
    sandbox = zendesk_sandbox_factory(seed="demo")
    credentials = runner.Credentials(email=sandbox.email, api_token=sandbox.api_token)
    # Every check applies: the sandbox answers other methods with 405 + Allow, so even
    # unsupported_method and allow_header_conformance run (fuzz_live.py excludes them).
    result = runner.run_contract(sandbox.base_url, credentials, max_examples=200)
    print(result.output)
    assert result.returncode == 0, "schemathesis found failures; see the output above"
    # The runs really happened and covered the pagination links.
    assert result.output.count("No issues found") == 3
    assert "API Links:    1 covered / 1 selected" in result.output


def run_fuzz_live(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "fuzz_live.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_fuzz_live_refuses_without_credentials() -> None:
    result = run_fuzz_live("https://example.zendesk.com", env={})
    assert result.returncode == 2
    for name in ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN"):
        assert name in result.stderr


@pytest.mark.slow
def test_fuzz_live_runs_read_only_and_never_prints_the_token(
    zendesk_sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = zendesk_sandbox_factory(seed="demo", api_token="live-secret-0123456789")
    result = run_fuzz_live(
        sandbox.base_url,
        "--max-examples",
        "5",
        "--rate-limit",
        "100000/m",
        env={"ZENDESK_EMAIL": sandbox.email, "ZENDESK_API_TOKEN": sandbox.api_token},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.count("No issues found") == 3
    assert "live-secret-0123456789" not in output
