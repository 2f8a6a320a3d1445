"""The schemathesis contract check, shared by the sandbox test and ``fuzz_live.py``.

It runs ``st run`` on ``openapi/events.yaml`` against a base URL, with the two request rules
the spec cannot say from ``_st_hooks.py`` (``hooks=False`` runs without them). Credentials
reach schemathesis through a config file that names environment variables of the child
process, so they never appear on a command line or in this process's output (schemathesis
also masks the Authorization header in its reports).

What is sent is chosen by two switches. By default (a real account) only the spec's GET
operations, no other methods and no capability probes. ``writes=True`` adds the spec's POST
operations (tracking events: they store events). ``probes=True`` adds the profile writes
(PUT, PATCH and DELETE: they replace and delete real people's profiles and events),
requests with methods the spec does not declare and schemathesis's probes; only a sandbox
should get it.
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
#: The hooks of HOOKS plus no probes, for runs without ``probes``.
READ_ONLY_HOOKS = Path(__file__).resolve().parent / "_st_read_only.py"
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
# Without probes (the default, and what fuzz_live.py uses against a real account): the
# coverage phase's negative mode otherwise sends every method the spec does not declare
# (PUT, PATCH, DELETE, OPTIONS, TRACE, QUERY) to each path, and Zendesk serves DELETE
# /api/v2/user_profiles/{profile_id} as "delete the profile and its events". The probes that
# schemathesis sends before testing (GET on the base URL and on /schemathesis-probe...) are
# switched off by _st_read_only.py; no setting of schemathesis 4.32.5 disables them.
_CONFIG_NO_OTHER_METHODS = """\
[phases.coverage]
unexpected-methods = []
"""

#: What the hooks put into positive cases of the OAuth routes.
_OAUTH_ENV = ("ZDEVENTS_ST_PUBLIC_CLIENT_ID", "ZDEVENTS_ST_CLIENT_ID", "ZDEVENTS_ST_CLIENT_SECRET")

#: The event-listing operations; each one's NextPage link leads back to itself.
NEXT_PAGE_OPERATIONS = (
    "listEventsByIdentifier",
    "listEventsByProfileId",
    "listEventsByUserId",
    "exportUsers",
)
#: The track operations; each 202 links to the profile's events and to the profile.
TRACK_OPERATIONS = ("trackEvent", "trackEventByProfileId", "trackEventByUserId")
#: Where the links of a 202 lead.
TRACK_LINK_TARGETS = ("listEventsByProfileId", "getProfile")
#: The profile write that starts the create, read, merge, read, delete, read (404) chain,
#: and the operations its links lead to (a sandbox only: they delete what they create).
PROFILE_WRITE = "putProfileByIdentifier"
PROFILE_LINK_TARGETS = ("getProfile", "patchProfile", "deleteProfile", "listEventsByProfileId")


def stateful_runs(writes: bool, probes: bool = False) -> dict[str, tuple[str, ...]]:
    """The operations of each extra stateful run, by the operation whose links it follows.

    schemathesis starts stateful scenarios only from operations likely to succeed with
    generated data (those without path parameters) when there are any, so with every
    operation selected most links would never run, and its summary ("API Links: N covered
    / M selected") does not say which links were covered. One run per link source shows it:
    a list operation alone (its NextPage link: "1 covered / 1 selected"), and a track
    operation with the two targets of its links, and (``probes``: a sandbox) the profile
    chain: create, read, merge, read, delete, read again (a 404).
    """
    runs = {operation: (operation,) for operation in NEXT_PAGE_OPERATIONS}
    if writes:
        runs.update({op: (op, *TRACK_LINK_TARGETS) for op in TRACK_OPERATIONS})
    if writes and probes:
        runs[PROFILE_WRITE] = (PROFILE_WRITE, *PROFILE_LINK_TARGETS)
    return runs


@dataclass(frozen=True)
class Credentials:
    """An API token (basic ``{email}/token``) or an OAuth bearer token."""

    email: str | None = None
    api_token: str | None = None
    oauth_token: str | None = None
    #: For the OAuth routes (a sandbox only): the clients the hooks put into positive cases.
    oauth_public_client_id: str | None = None
    oauth_client_id: str | None = None
    oauth_client_secret: str | None = None

    def __repr__(self) -> str:
        return "Credentials(***)"


@dataclass(frozen=True)
class ContractResult:
    """Exit status (0 only if every run passed) and the combined output of the runs."""

    returncode: int
    output: str


#: The name of the run over every operation selected (the other runs are named by the
#: operation whose links they follow, see stateful_runs).
EVERY_OPERATION = "*"


def run_names(writes: bool, probes: bool = False) -> tuple[str, ...]:
    """The runs of a contract check, in the order they run: the stateful runs of
    :func:`stateful_runs`, then the run over every operation (:data:`EVERY_OPERATION`)."""
    return (*stateful_runs(writes, probes), EVERY_OPERATION)


def _runs(
    base_url: str,
    *,
    max_examples: int,
    link_examples: int,
    seed: int,
    extra_args: Sequence[str],
    exclude_checks: Sequence[str],
    writes: bool,
    probes: bool = False,
    oauth: bool = False,
) -> dict[str, list[str]]:
    common = [
        str(SPEC),
        "--url",
        base_url,
        "--checks",
        "all",
        "--mode",
        "all",  # positive and negative cases, explicitly rather than by default
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
    if oauth:
        # The OAuth routes alone: the 302 of the authorization page is checked as it is.
        phases = "examples,coverage,fuzzing"
        only = ["--include-tag", "oauth", "--max-redirects", "0", "--max-examples"]
        return {EVERY_OPERATION: ["run", *common, *only, str(max_examples), "--phases", phases]}
    # The OAuth routes only in their own run (oauth=True), against a sandbox: a real
    # account's authorization page is a web page, and its tokens are not to be fuzzed.
    common += ["--exclude-tag", "oauth"]
    # Several --include-* options select the union of what each selects, so GET-only (or
    # GET and POST) is said on the run over all operations; the stateful runs name their
    # operations. PUT, PATCH and DELETE only with probes: against a sandbox.
    everything = [] if probes else ["--include-method", "GET"]
    if writes and not probes:
        everything += ["--include-method", "POST"]
    # The run over all operations comes last: with probes it sends the spec's DELETE example,
    # which deletes the demo profile that the link runs read through (a 404 follows no link).
    # A link run follows its few links: it needs fewer scenarios than the run that fuzzes
    # every operation (link_examples).
    runs = {}
    for name, operations in stateful_runs(writes, probes).items():
        selected = [arg for op in operations for arg in ("--include-operation-id", op)]
        examples = ["--max-examples", str(link_examples)]
        runs[name] = ["run", *common, *examples, "--phases", "stateful", *selected]
    phases = ["--phases", "examples,coverage,fuzzing,stateful"]
    examples = ["--max-examples", str(max_examples)]
    runs[EVERY_OPERATION] = ["run", *common, *examples, *phases, *everything]
    return runs


def run_contract(
    base_url: str,
    credentials: Credentials,
    *,
    max_examples: int = 100,
    link_examples: int | None = None,
    only: str | None = None,
    seed: int = 20200228,
    extra_args: Sequence[str] = (),
    exclude_checks: Sequence[str] = (),
    writes: bool = False,
    probes: bool = False,
    hooks: bool = True,
    echo: bool = False,
    oauth: bool = False,
) -> ContractResult:
    """Run the contract check against ``base_url``; ``echo`` streams output to stdout.

    By default only the spec's GET operations are sent, with no other methods and no
    capability probes. ``writes`` adds the POST (track) operations; ``probes`` adds other
    methods and probes (a sandbox only). ``hooks=False`` leaves out ``_st_hooks.py``.
    ``oauth=True`` runs the OAuth routes instead (a sandbox only): ``credentials`` then need
    the sandbox's bearer token and its OAuth clients, which the hooks put into positive cases.

    ``max_examples`` bounds each phase of the run over every operation, ``link_examples``
    (by default the same) the scenarios of each stateful link run. ``only`` runs one run of
    :func:`run_names` (a test gives each run its own fresh sandbox).
    """
    if not hooks and not probes:
        raise ValueError("hooks=False is for sandbox runs (probes=True)")
    env = {**os.environ}
    for name in (
        "SCHEMATHESIS_HOOKS",
        "ZDEVENTS_ST_BEARER",
        "ZDEVENTS_ST_USERNAME",
        "ZDEVENTS_ST_PASSWORD",
        *_OAUTH_ENV,
    ):
        env.pop(name, None)
    if oauth:
        given = (
            credentials.oauth_public_client_id,
            credentials.oauth_client_id,
            credentials.oauth_client_secret,
        )
        if not (credentials.oauth_token and all(given)):
            raise ValueError("an OAuth run needs the bearer token and the two OAuth clients")
        env.update({name: str(value) for name, value in zip(_OAUTH_ENV, given, strict=True)})
    if not probes:
        env["SCHEMATHESIS_HOOKS"] = str(READ_ONLY_HOOKS)
    elif hooks:
        env["SCHEMATHESIS_HOOKS"] = str(HOOKS)
    if credentials.oauth_token:
        config = _CONFIG_BEARER
        env["ZDEVENTS_ST_BEARER"] = credentials.oauth_token
    elif credentials.email and credentials.api_token:
        config = _CONFIG_BASIC
        env["ZDEVENTS_ST_USERNAME"] = f"{credentials.email}/token"
        env["ZDEVENTS_ST_PASSWORD"] = credentials.api_token
    else:
        raise ValueError("credentials need an email and an API token, or an OAuth token")
    if not probes:
        config += _CONFIG_NO_OTHER_METHODS
    outputs: list[str] = []
    returncode = 0
    with tempfile.TemporaryDirectory(prefix="zdevents-st-") as tmp:
        config_file = Path(tmp) / "schemathesis.toml"
        config_file.write_text(config, encoding="utf-8")
        runs = _runs(
            base_url,
            max_examples=max_examples,
            link_examples=max_examples if link_examples is None else link_examples,
            seed=seed,
            extra_args=extra_args,
            exclude_checks=exclude_checks,
            writes=writes,
            probes=probes,
            oauth=oauth,
        )
        if only is not None:
            if only not in runs:
                raise ValueError(f"no run {only!r}; the runs: {', '.join(runs)}")
            runs = {only: runs[only]}
        for args in runs.values():
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
