"""schemathesis against a running sandbox: examples, coverage, fuzzing and stateful phases."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from zdevents.sandbox import Sandbox
from zdevents.sandbox._app import SandboxApp

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_schemathesis_run", SCRIPTS / "_schemathesis_run.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


_LINKS = re.compile(r"API Links:\s+(\d+) covered / (\d+) selected")
_OPERATION = re.compile(r"--include-operation-id (\w+)")


def link_coverage(output: str) -> dict[str, tuple[int, int]]:
    """Links (covered, selected) in each run's stateful phase, by operation id ("*": all)."""
    coverage: dict[str, tuple[int, int]] = {}
    for run in output.split("$ st run ")[1:]:
        command = run.split("\n", 1)[0]
        operation = _OPERATION.search(command)
        links = _LINKS.search(run)
        assert "--mode all" in command, command
        assert links is not None, f"no stateful phase in the run: {command}"
        coverage[operation[1] if operation else "*"] = (int(links[1]), int(links[2]))
    return coverage


@pytest.mark.slow
def test_sandbox_meets_the_spec(zendesk_sandbox_factory: Callable[..., Sandbox]) -> None:
    runner = load_runner()
    sandbox = zendesk_sandbox_factory(seed="demo")
    credentials = runner.Credentials(email=sandbox.email, api_token=sandbox.api_token)
    # Every check applies: the sandbox answers other methods with 405 + Allow, so even
    # unsupported_method and allow_header_conformance run (fuzz_live.py excludes them), and
    # only here, against the sandbox, does the run send those other methods and the probes.
    result = runner.run_contract(sandbox.base_url, credentials, max_examples=200, read_only=False)
    print(result.output)
    assert result.returncode == 0, "schemathesis found failures; see the output above"
    # The runs really happened, in positive and negative mode, and each followed links: the
    # run over all operations at least one, and each operation's own run its NextPage link.
    runs = len(runner.NEXT_PAGE_OPERATIONS) + 1
    assert result.output.count("No issues found") == runs
    coverage = link_coverage(result.output)
    assert len(coverage) == runs, coverage
    assert coverage["*"][0] >= 1, coverage
    for operation in runner.NEXT_PAGE_OPERATIONS:
        assert coverage[operation] == (1, 1), f"{operation}'s NextPage link was not followed"


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


# The spec's three read routes, as raw request paths (a path parameter may be empty or
# percent-encoded in negative cases, but never contains a raw "/").
_EVENT_ROUTES = re.compile(rb"^/api/v2/(user_profiles|user_profiles/[^/]*|users/[^/]*)/events$")


class RecordingApp:
    """Wraps the sandbox's ASGI app and records the method and raw path of every request."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.settings = app.settings
        self.requests: list[tuple[str, bytes]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests.append((scope["method"], scope.get("raw_path") or scope["path"].encode()))
        await self.app(scope, receive, send)


@pytest.mark.slow
def test_fuzz_live_sends_only_gets_to_the_event_routes_and_never_prints_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A real account serves POST /api/v2/user_profiles/events (track an event): the live run
    # must never send anything but GETs to the three read routes, whatever the phase.
    sandbox = Sandbox(seed="demo", api_token="live-secret-0123456789")
    recorder = RecordingApp(sandbox.app)
    sandbox.app = recorder  # type: ignore[assignment]
    with sandbox:
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
    assert output.count("No issues found") == 4
    assert "live-secret-0123456789" not in output
    assert recorder.requests, "schemathesis sent no requests"
    strays = sorted(
        {(method, path) for method, path in recorder.requests if method != "GET"}
        | {(method, path) for method, path in recorder.requests if not _EVENT_ROUTES.match(path)}
    )
    assert not strays, f"the live run sent requests other than GETs to the event routes: {strays}"
    # Requests that never reach the app (schemathesis's NUL-byte header probe) show up here.
    rejected = [r.getMessage() for r in caplog.records if "Invalid HTTP request" in r.getMessage()]
    assert not rejected, rejected
