"""schemathesis against a running sandbox: examples, coverage, fuzzing and stateful phases,
over every operation but the OAuth routes, with every check; and the live fuzz run's safety
rules."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from tests.contract._runner import SCRIPTS, load_runner
from tests.contract._spec import load_spec
from zdevents.sandbox import Sandbox

_LINKS = re.compile(r"API Links:\s+(\d+) covered / (\d+) selected")
_OPERATION = re.compile(r"--include-operation-id (\w+)")


_CLEAN_END = re.compile(r"^=+ (No issues found|\d+ warnings?) in [0-9.]+s =+$", re.M)


def clean_runs(output: str) -> int:
    """How many runs ended without a failure (warnings, e.g. of many 404s, are no failure)."""
    return len(_CLEAN_END.findall(output))


def link_coverage(output: str) -> dict[str, tuple[int, int]]:
    """Links (covered, selected) in each run's stateful phase, by the first operation the
    run names ("*": the run over all operations)."""
    coverage: dict[str, tuple[int, int]] = {}
    for run in output.split("$ st run ")[1:]:
        command = run.split("\n", 1)[0]
        operation = _OPERATION.search(command)
        links = _LINKS.search(run)
        assert "--mode all" in command, command
        assert "--exclude-checks" not in command, command
        assert links is not None, f"no stateful phase in the run: {command}"
        coverage[operation[1] if operation else "*"] = (int(links[1]), int(links[2]))
    return coverage


class RecordingApp:
    """Wraps the sandbox's ASGI app; records each request's method and raw path, the status
    of its answer, and the body of answers to the track and profile-event routes."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: list[tuple[str, bytes]] = []
        self.answers: list[tuple[str, bytes, int, bytes]] = []

    def __getattr__(self, name: str) -> Any:
        # The sandbox may ask its app for more than __call__ (its settings, say).
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope.get("raw_path") or scope["path"].encode()
        self.requests.append((method, path.split(b"?")[0]))
        status = 0
        body = bytearray()

        async def recording_send(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and _KEEP_BODY.match(path):
                body.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            self.answers.append((method, path.split(b"?")[0], status, bytes(body)))


_KEEP_BODY = re.compile(
    rb"^/api/v2/(user_profiles/[^/?]+/events|user_profiles/events|users/[^/?]+/events)"
)
_TRACK_PATHS = {
    "trackEvent": re.compile(rb"^/api/v2/user_profiles/events$"),
    "trackEventByProfileId": re.compile(rb"^/api/v2/user_profiles/[^/]+/events$"),
    "trackEventByUserId": re.compile(rb"^/api/v2/users/[^/]+/events$"),
}


def written_and_read_back(recorder: RecordingApp) -> dict[str, int]:
    """For each track operation, how many of its 202s were followed by reads of that
    profile and of its events, the events including one the 202 stored."""
    reads: dict[bytes, list[tuple[int, bytes]]] = {}
    for method, path, status, body in recorder.answers:
        if method == "GET" and status == 200:
            reads.setdefault(path, []).append((status, body))
    found = dict.fromkeys(_TRACK_PATHS, 0)
    for method, path, status, body in recorder.answers:
        if method != "POST" or status != 202:
            continue
        profile_id = json.loads(body)["profile_id"].encode()
        profile_path = b"/api/v2/user_profiles/" + profile_id
        events = reads.get(profile_path + b"/events", [])
        if profile_path in reads and any(json.loads(b)["events"] for _, b in events):
            for name, pattern in _TRACK_PATHS.items():
                if pattern.match(path):
                    found[name] += 1
    return found


def deleted_then_not_found(recorder: RecordingApp) -> int:
    """How many profiles were deleted (204) and then read as a 404 at the same path."""
    deleted: set[bytes] = set()
    found = 0
    for method, path, status, _ in recorder.answers:
        if method == "DELETE" and status == 204:
            deleted.add(path)
        elif method == "GET" and status == 404 and path in deleted:
            found += 1
            deleted.discard(path)
    return found


def _recording_sandbox(**options: Any) -> tuple[Sandbox, RecordingApp]:
    # The user export's own 10 a minute would answer most of a run 429.
    sandbox = Sandbox(seed="demo", export_rate_limit=None, **options)
    recorder = RecordingApp(sandbox.app)
    sandbox.app = recorder  # type: ignore[assignment]
    return sandbox, recorder


_RUNNER = load_runner()
#: The runs of the sandbox's contract check, each a test with its own fresh sandbox (so that
#: what one run writes or deletes cannot change what another reads, and the runs spread
#: over the workers).
_SANDBOX_RUNS = _RUNNER.run_names(writes=True, probes=True)
#: Scenarios of each link run: enough to follow every link (the assertions below), while the
#: run over every operation fuzzes with 100 examples. A track run needs more: an event it
#: wrote must also be read back through a generated read whose filters keep it.
_LINK_EXAMPLES = 25
_TRACK_LINK_EXAMPLES = 50


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("run", _SANDBOX_RUNS)
def test_sandbox_meets_the_spec(run: str) -> None:
    runner = _RUNNER
    sandbox, recorder = _recording_sandbox()
    with sandbox:
        credentials = runner.Credentials(email=sandbox.email, api_token=sandbox.api_token)
        # Every check applies, unsupported_method and allow_header_conformance included (the
        # sandbox answers other methods with 405 + Allow), and only here, against the
        # sandbox, does the run send writes, other methods and the probes.
        result = runner.run_contract(
            sandbox.base_url,
            credentials,
            max_examples=100,
            link_examples=(
                _TRACK_LINK_EXAMPLES if run in runner.TRACK_OPERATIONS else _LINK_EXAMPLES
            ),
            only=run,
            writes=True,
            probes=True,
        )
    print(result.output)
    assert result.returncode == 0, "schemathesis found failures; see the output above"
    # The run really happened, in positive and negative mode, and followed links.
    assert clean_runs(result.output) == 1
    coverage = link_coverage(result.output)
    assert set(coverage) == {run}, coverage
    covered, selected = coverage[run]
    if run == runner.EVERY_OPERATION:
        # Every operation but the OAuth routes, which have their own run
        # (test_contract_oauth.py), and at least one link followed.
        operations = [
            operation
            for methods in load_spec()["paths"].values()
            for method, operation in methods.items()
            if method in ("get", "put", "post", "delete", "options", "head", "patch", "trace")
        ]
        chosen = sum("oauth" not in operation.get("tags", ()) for operation in operations)
        assert f"Operations:       {chosen} selected / {len(operations)} total" in result.output
        assert covered >= 1, coverage
    elif run in runner.NEXT_PAGE_OPERATIONS:
        assert (covered, selected) == (1, 1), f"{run}'s NextPage link was not followed"
    elif run in runner.TRACK_OPERATIONS:
        assert covered >= 2, f"{run}'s links were not followed"
        # What the links mean: an event written by the route was read back through the
        # profile's events, and the profile itself was read.
        assert written_and_read_back(recorder)[run] >= 1, written_and_read_back(recorder)
    else:
        # The profile chain: created, read, merged, deleted, and read again as a 404.
        assert run == runner.PROFILE_WRITE, run
        assert covered >= 3, coverage
        assert deleted_then_not_found(recorder) >= 1


def test_the_sandbox_runs_are_every_stateful_run_and_the_run_over_every_operation() -> None:
    # The parametrization above is the runner's list: the four NextPage runs, the three track
    # runs, the profile chain, then the run over every operation.
    stateful = _RUNNER.stateful_runs(writes=True, probes=True)
    assert set(stateful) == {
        *_RUNNER.NEXT_PAGE_OPERATIONS,
        *_RUNNER.TRACK_OPERATIONS,
        _RUNNER.PROFILE_WRITE,
    }
    assert (*stateful, _RUNNER.EVERY_OPERATION) == _SANDBOX_RUNS


_REJECTION = re.compile(
    r"- ST202 Schema-valid request rejected.*?\n\[400\] Bad Request:\n\n\s+`(.*?)`\n", re.S
)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_without_the_hooks_only_rules_a_schema_cannot_say_fail() -> None:
    # The spec says everything else a request must satisfy: without _st_hooks.py the only
    # failures are positive cases the sandbox rejects for a cursor it never issued or for a
    # filter[type] without filter[source] (docs/other-languages.md says why a schema cannot
    # say them; the OAuth rule has its own run). A track past 20 identifiers is a declared
    # 409, which schemathesis accepts of a positive case.
    # The run over every operation is where such cases are made (the link runs follow links
    # the sandbox answers, cursors it issued included).
    runner = _RUNNER
    with Sandbox(seed="demo", export_rate_limit=None) as sandbox:
        credentials = runner.Credentials(email=sandbox.email, api_token=sandbox.api_token)
        result = runner.run_contract(
            sandbox.base_url,
            credentials,
            max_examples=30,
            only=runner.EVERY_OPERATION,
            writes=True,
            probes=True,
            hooks=False,
        )
    failures = re.findall(r"^- (ST\d+) ", result.output, re.M)
    assert result.returncode != 0, "without the hooks the cursor rule must fail"
    assert set(failures) == {"ST202"}, result.output
    bodies = _REJECTION.findall(result.output)
    assert len(bodies) == failures.count("ST202"), result.output
    reasons = set()
    for body in bodies:
        (error,) = json.loads(body)["errors"]
        if "page[after]" in error.get("detail", ""):
            reasons.add("cursor")
        elif "the user export" in error.get("detail", ""):
            reasons.add("export cursor")
        elif error["title"] in ("Too recent start_time", "start_time or cursor is required"):
            reasons.add("export start_time")
        elif "filter[type] requires filter[source]" in error["title"]:
            reasons.add("type without source")
        else:
            pytest.fail(f"a rejection the spec should have prevented: {body}")
    assert "cursor" in reasons, result.output


def run_fuzz_live(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "fuzz_live.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_fuzz_live_refuses_without_credentials() -> None:
    result = run_fuzz_live("https://example.zendesk.com", env={})
    assert result.returncode == 2
    for name in ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN"):
        assert name in result.stderr


# The spec's seven read routes, as raw request paths (a path parameter may be empty or
# percent-encoded in negative cases, but never contains a raw "/").
_READ_ROUTES = re.compile(
    rb"^/api/v2/(user_profiles(/[^/]*)?/events|users/[^/]*/events"
    rb"|user_profiles|user_profiles/[^/]*|users/[^/]*/profiles|incremental/users/cursor)$"
)


@pytest.mark.slow
def test_fuzz_live_sends_only_gets_to_the_read_routes_and_never_prints_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A real account serves POST .../events (track an event) and DELETE
    # /api/v2/user_profiles/{id}: the live run must never send anything but GETs to the
    # seven read routes, whatever the phase.
    sandbox, recorder = _recording_sandbox(api_token="live-secret-0123456789")
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
    assert "live-secret-0123456789" not in output
    assert "WRITES" not in output
    assert recorder.requests, "schemathesis sent no requests"
    strays = sorted(
        {(method, path) for method, path in recorder.requests if method != "GET"}
        | {(method, path) for method, path in recorder.requests if not _READ_ROUTES.match(path)}
    )
    assert not strays, f"the live run sent requests other than GETs to the read routes: {strays}"
    # Requests that never reach the app (schemathesis's NUL-byte header probe) show up here.
    rejected = [r.getMessage() for r in caplog.records if "Invalid HTTP request" in r.getMessage()]
    assert not rejected, rejected
    runs = len(_RUNNER.run_names(writes=False))
    assert clean_runs(output) == runs, output
    assert result.returncode == 0, output


@pytest.mark.slow
def test_fuzz_live_with_writes_says_so_and_sends_posts_only_to_the_track_routes() -> None:
    sandbox, recorder = _recording_sandbox()
    with sandbox:
        result = run_fuzz_live(
            sandbox.base_url,
            "--writes",
            "--max-examples",
            "3",
            "--rate-limit",
            "100000/m",
            env={"ZENDESK_EMAIL": sandbox.email, "ZENDESK_API_TOKEN": sandbox.api_token},
        )
    banner = result.stderr.splitlines()[0]
    assert "WRITES=1" in banner and "STORES EVENTS" in banner, result.stderr
    methods = {method for method, _ in recorder.requests}
    assert methods == {"GET", "POST"}, methods
    posts = {path for method, path in recorder.requests if method == "POST"}
    assert all(any(p.match(path) for p in _TRACK_PATHS.values()) for path in posts), posts
