"""The read-only schemathesis contract check, shared by the sandbox test and ``fuzz_live.py``.

It runs ``st run`` on ``openapi/events.yaml`` against a base URL, with the custom
``zendesk-time`` format and request fixes from ``_st_hooks.py``. Credentials reach
schemathesis through a config file that names environment variables of the child process,
so they never appear on a command line or in this process's output (schemathesis also
masks the Authorization header in its reports).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "events.yaml"
HOOKS = Path(__file__).resolve().parent / "_st_hooks.py"
ST = Path(sys.executable).parent / "st"

_CONFIG_BASIC = """\
[auth.openapi.apiToken]
username = "${ZDEVENTS_ST_USERNAME}"
password = "${ZDEVENTS_ST_PASSWORD}"
"""
_CONFIG_BEARER = """\
[auth.openapi.oauthToken]
bearer = "${ZDEVENTS_ST_BEARER}"
"""
# Read-only runs (the default, and what fuzz_live.py uses against a real account): the
# coverage phase's negative mode otherwise sends every method the spec does not declare
# (POST, PUT, PATCH, DELETE, OPTIONS, TRACE, QUERY) to each path, and Zendesk serves POST
# /api/v2/user_profiles/events as "track an event", a write. The probes that schemathesis
# sends before testing (GET on the base URL and on /schemathesis-probe...) are switched off
# by _st_hooks.py when READ_ONLY_ENV is set; no setting of schemathesis 4.32.5 disables them.
_CONFIG_READ_ONLY = """\
[phases.coverage]
unexpected-methods = []
"""
READ_ONLY_ENV = "ZDEVENTS_ST_READ_ONLY"

# Each operation's only declared link is its own NextPage. schemathesis starts stateful
# scenarios only from operations likely to succeed with generated data (GETs without path
# parameters) when there are any, so with all three operations selected the profile and user
# NextPage links would never run, and its summary ("API Links: N covered / M selected") does
# not say which links were covered. A stateful run per operation covers every NextPage link
# and shows it: "1 covered / 1 selected" in that run means its NextPage was followed.
NEXT_PAGE_OPERATIONS = ("listEventsByIdentifier", "listEventsByProfileId", "listEventsByUserId")


@dataclass(frozen=True)
class Credentials:
    """An API token (basic ``{email}/token``) or an OAuth bearer token."""

    email: str | None = None
    api_token: str | None = None
    oauth_token: str | None = None

    def __repr__(self) -> str:
        return "Credentials(***)"


@dataclass(frozen=True)
class ContractResult:
    """Exit status (0 only if every run passed) and the combined output of the runs."""

    returncode: int
    output: str


def _runs(
    base_url: str,
    *,
    max_examples: int,
    seed: int,
    extra_args: Sequence[str],
    exclude_checks: Sequence[str],
) -> list[list[str]]:
    common = [
        str(SPEC),
        "--url",
        base_url,
        "--checks",
        "all",
        "--mode",
        "all",  # positive and negative cases, explicitly rather than by default
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--generation-deterministic",  # also means no example database between runs
        "--request-timeout",
        "30",
        "--no-color",
        *extra_args,
    ]
    if exclude_checks:
        common += ["--exclude-checks", ",".join(exclude_checks)]
    runs = [["run", *common, "--phases", "examples,coverage,fuzzing,stateful"]]
    runs += [
        ["run", *common, "--phases", "stateful", "--include-operation-id", operation]
        for operation in NEXT_PAGE_OPERATIONS
    ]
    return runs


def run_contract(
    base_url: str,
    credentials: Credentials,
    *,
    max_examples: int = 100,
    seed: int = 20200228,
    extra_args: Sequence[str] = (),
    exclude_checks: Sequence[str] = (),
    read_only: bool = True,
    echo: bool = False,
) -> ContractResult:
    """Run the contract check against ``base_url``; ``echo`` streams output to stdout.

    ``read_only`` (the default) sends only the spec's GET operations: no requests with
    other methods and no capability probes. Only a sandbox should get ``read_only=False``.
    """
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)}
    env.pop("ZDEVENTS_ST_BEARER", None)
    env.pop(READ_ONLY_ENV, None)
    if credentials.oauth_token:
        config = _CONFIG_BEARER
        env["ZDEVENTS_ST_BEARER"] = credentials.oauth_token
    elif credentials.email and credentials.api_token:
        config = _CONFIG_BASIC
        env["ZDEVENTS_ST_USERNAME"] = f"{credentials.email}/token"
        env["ZDEVENTS_ST_PASSWORD"] = credentials.api_token
    else:
        raise ValueError("credentials need an email and an API token, or an OAuth token")
    if read_only:
        config += _CONFIG_READ_ONLY
        env[READ_ONLY_ENV] = "1"
    outputs: list[str] = []
    returncode = 0
    with tempfile.TemporaryDirectory(prefix="zdevents-st-") as tmp:
        config_file = Path(tmp) / "schemathesis.toml"
        config_file.write_text(config, encoding="utf-8")
        runs = _runs(
            base_url,
            max_examples=max_examples,
            seed=seed,
            extra_args=extra_args,
            exclude_checks=exclude_checks,
        )
        for args in runs:
            command = [str(ST), "--config-file", str(config_file), *args]
            process = subprocess.run(
                command,
                cwd=tmp,  # keeps reports and caches out of the repository
                env=env,
                stdout=None if echo else subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                check=False,
            )
            outputs.append(f"$ st {' '.join(args)}\n{process.stdout or ''}")
            returncode = returncode or process.returncode
    return ContractResult(returncode, "\n".join(outputs))
