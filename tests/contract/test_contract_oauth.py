"""schemathesis over the OAuth routes of the spec, against a sandbox: the authorization
page, the token endpoint (positive cases made valid by the hooks' third rule, negative ones
that must be refused) and current.json with the sandbox's bearer token."""

from __future__ import annotations

import json
import re
from types import ModuleType
from typing import Any

import pytest

from tests.contract._runner import load_runner
from tests.contract._spec import load_spec
from zdevents.sandbox import Sandbox


def oauth_credentials(runner: ModuleType, sandbox: Sandbox) -> Any:
    """The sandbox's bearer token and its OAuth clients, for an OAuth run."""
    return runner.Credentials(
        oauth_token=sandbox.oauth_token,
        oauth_public_client_id=sandbox.oauth_public_client_id,
        oauth_client_id=sandbox.oauth_client_id,
        oauth_client_secret=sandbox.oauth_client_secret,
    )


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_sandbox_meets_the_spec_on_the_oauth_routes() -> None:
    runner = load_runner()
    with Sandbox(seed="demo") as sandbox:
        credentials = oauth_credentials(runner, sandbox)
        result = runner.run_contract(
            sandbox.base_url, credentials, max_examples=50, probes=True, oauth=True
        )
        issued = sandbox.oauth.issued["client_credentials"]
        refused = sum(sandbox.oauth.refused.values())
    print(result.output)
    assert result.returncode == 0, "schemathesis found failures; see the output above"
    # The spec's OAuth operations (those tagged oauth), of every operation in the spec.
    spec = load_spec()
    operations = [operation for methods in spec["paths"].values() for operation in methods.values()]
    oauth = sum("oauth" in operation.get("tags", ()) for operation in operations)
    assert oauth >= 4, "the authorization page, the token endpoint, current.json, ..."
    assert f"Operations:       {oauth} selected / {len(operations)} total" in result.output
    # Both kinds of case reached the token endpoint: tokens issued and requests refused.
    assert issued > 0 and refused > 0
    assert not re.search(r"sandbox-client-secret", result.output)


def test_an_oauth_run_needs_the_clients() -> None:
    runner = load_runner()
    with pytest.raises(ValueError, match="OAuth clients"):
        runner.run_contract("http://127.0.0.1:9", runner.Credentials(oauth_token="t"), oauth=True)


_REFUSED = re.compile(r"- (ST\d+) .*?\n\[(\d+)\] [^\n]*:\n\n\s+`(.*?)`\n", re.S)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_without_the_hooks_the_oauth_routes_fail_only_on_values_the_server_issues() -> None:
    # docs/other-languages.md, rule 3: without _st_hooks.py a positive case names a client
    # (or a code, a refresh token) no server issued, and only that is refused.
    runner = load_runner()
    with Sandbox(seed="demo") as sandbox:
        credentials = oauth_credentials(runner, sandbox)
        result = runner.run_contract(
            sandbox.base_url, credentials, max_examples=50, probes=True, oauth=True, hooks=False
        )
    failures = re.findall(r"^- (ST\d+) ", result.output, re.M)
    assert result.returncode != 0 and failures, result.output
    refusals = _REFUSED.findall(result.output)
    assert len(refusals) == len(failures), result.output
    for check, status, body in refusals:
        assert (check, status) == ("ST202", "400"), result.output
        assert json.loads(body)["error"] in ("invalid_client", "invalid_grant"), body
