"""The pytest plugin's ``zendesk_env`` fixture, in a pytest run of its own (a subprocess, as a
user's suite runs it): ``Client.from_env()`` and the ``zdevents`` command in a subprocess
find the sandbox, a leftover production account does not leak in, and the environment is
restored after the test, a failing one too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

USERS_TESTS = """
import json, os, subprocess, sys

import pytest

import zdevents

PROFILE = {"source": "shop", "type": "customer",
           "identifiers": [{"type": "email", "value": "ann@example.com"}]}
QUERY = "shop:customer:email:ann@example.com"


def test_from_env_and_the_command_find_the_sandbox(zendesk_env, zendesk_sandbox):
    zendesk_sandbox.add_event(profile=PROFILE, event={"source": "shop", "type": "login"})
    assert zendesk_env["ZENDESK_BASE_URL"] == zendesk_sandbox.base_url
    assert "ZENDESK_SUBDOMAIN" not in os.environ and "ZENDESK_EMAIL" not in os.environ
    with zdevents.Client.from_env() as client:
        assert [e.type for e in client.events(identifier=QUERY)] == ["login"]
        assert "auth='oauth'" in repr(client)
    done = subprocess.run([sys.executable, "-m", "zdevents", "events", "--identifier", QUERY],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["type"] for line in done.stdout.splitlines()] == ["login"]
    assert os.environ["ZDEVENTS_HOME"] != os.environ["OUTER_HOME"]


@pytest.mark.zendesk_env(credentials="client_credentials")
def test_client_credentials_on_request(zendesk_env, zendesk_sandbox):
    assert "ZENDESK_OAUTH_TOKEN" not in os.environ
    zendesk_sandbox.add_event(profile=PROFILE, event={"source": "shop", "type": "login"})
    with zdevents.Client.from_env() as client:
        assert [e.type for e in client.events(identifier=QUERY)] == ["login"]
    assert zendesk_sandbox.oauth.issued["client_credentials"] == 1


@pytest.mark.zendesk_env(credentials="api_token")
def test_an_api_token_on_request(zendesk_env, zendesk_sandbox):
    assert zendesk_env["ZENDESK_EMAIL"] == zendesk_sandbox.email
    with zdevents.Client.from_env() as client:
        assert "auth='api_token'" in repr(client)


def test_a_test_that_fails_with_it(zendesk_env):
    os.environ["ZENDESK_SUBDOMAIN"] = "set-by-the-failing-test"
    raise AssertionError("this test fails on purpose")


def test_the_environment_is_restored_after_each_test():
    assert os.environ["ZENDESK_SUBDOMAIN"] == "coolbikes-production"
    assert os.environ["ZENDESK_EMAIL"] == "ops@coolbikes.example"
    assert "ZENDESK_BASE_URL" not in os.environ
    assert os.environ["ZDEVENTS_HOME"] == os.environ["OUTER_HOME"]
"""


def test_zendesk_env_points_from_env_and_the_command_at_the_sandbox(tmp_path: Path) -> None:
    (tmp_path / "test_users_code.py").write_text(USERS_TESTS)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZENDESK_", "PYTEST_"))}
    # A developer's shell with a production account exported, and a login store of theirs.
    env.update(
        ZENDESK_SUBDOMAIN="coolbikes-production",
        ZENDESK_EMAIL="ops@coolbikes.example",
        ZDEVENTS_HOME=str(tmp_path / "home"),
        OUTER_HOME=str(tmp_path / "home"),
    )
    # Only the plugin under test is loaded (the others installed here cost seconds to
    # import). The tests run in file order: the last one checks what the others restored.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "zdevents",
         "--strict-markers", str(tmp_path / "test_users_code.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    # One test fails on purpose: what it and the fixture set is undone all the same.
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 4 passed" in done.stdout, done.stdout
    assert "this test fails on purpose" in done.stdout
