"""The OS keyring as the opt-in store of logins (``ZDEVENTS_LOGIN_STORE=keyring``): the pair
lives in the keyring, the lock stays a file under ZDEVENTS_HOME so refreshes are
single-flight across processes, and the extra stays optional. A real keyring backend
(tests/_keyring.py, file-backed) in this process and in child processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

keyring = pytest.importorskip("keyring")

from tests._keyring import BrokenKeyring, FileKeyring  # noqa: E402
from tests._login import login, login_env  # noqa: E402
from tests.cli._helpers import run as run_cli  # noqa: E402
from zdevents import Client, access_token, auth_status, errors, logout  # noqa: E402
from zdevents.sandbox import Sandbox  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
USER = 85211553


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as started:
        yield started


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "zdevents-home"


@pytest.fixture
def ring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    file = tmp_path / "keyring.json"
    monkeypatch.setenv("ZDEVENTS_TEST_KEYRING", str(file))
    monkeypatch.setenv("ZDEVENTS_LOGIN_STORE", "keyring")
    before = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    try:
        yield file
    finally:
        keyring.set_keyring(before)


def ring_env(sandbox: Sandbox, home: Path, ring: Path) -> dict[str, str]:
    env = login_env(sandbox, home)
    env["ZDEVENTS_LOGIN_STORE"] = "keyring"
    env["ZDEVENTS_TEST_KEYRING"] = str(ring)
    env["PYTHON_KEYRING_BACKEND"] = "tests._keyring.FileKeyring"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "generated")])
    return env


def in_ring(ring: Path) -> dict[str, object]:
    (value,) = json.loads(ring.read_text()).values()
    data: dict[str, object] = json.loads(value)
    return data


def expire_in_ring(ring: Path) -> None:
    data = json.loads(ring.read_text())
    (key,) = data
    login_data = json.loads(data[key])
    login_data["expires_at"] = 1.0
    data[key] = json.dumps(login_data)
    ring.write_text(json.dumps(data))


def test_login_stores_the_pair_in_the_keyring_and_no_file(
    sandbox: Sandbox, home: Path, ring: Path
) -> None:
    status = login(sandbox, home)
    assert status.stored_at is not None and "keyring" in status.stored_at
    assert in_ring(ring)["refresh_token"]
    assert not list((home / "logins").glob("*.json"))
    # The lock stays on disk under ZDEVENTS_HOME, private like the files.
    (lock,) = (home / "logins").glob("*.lock")
    assert lock.stat().st_mode & 0o077 == 0


def test_the_keyring_login_is_used_refreshed_and_logged_out(
    sandbox: Sandbox, home: Path, ring: Path
) -> None:
    login(sandbox, home)
    env = ring_env(sandbox, home, ring)
    old = in_ring(ring)["refresh_token"]
    expire_in_ring(ring)
    with Client.from_env(env) as client:
        assert list(client.events(user_id=USER, limit=1))
        assert auth_status(client).kind == "login"
        assert access_token(client) == in_ring(ring)["access_token"]
    assert sandbox.oauth.issued["refresh_token"] == 1
    assert in_ring(ring)["refresh_token"] != old
    with Client.from_env(env) as client:
        assert logout(client) is True
    assert json.loads(ring.read_text()) == {}
    with pytest.raises(errors.ConfigurationError, match="no Zendesk credentials"):
        Client.from_env(env)


_CHILD = textwrap.dedent(
    """
    import sys
    from zdevents import Client
    sys.stdin.readline()
    with Client.from_env() as client:
        print(len(list(client.events(user_id=85211553, limit=3))), flush=True)
    """
)


def test_processes_sharing_a_keyring_login_refresh_once(
    sandbox: Sandbox, home: Path, ring: Path
) -> None:
    login(sandbox, home)
    expire_in_ring(ring)
    env = ring_env(sandbox, home, ring)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = [child.communicate(timeout=120) for child in children]
    assert [c.returncode for c in children] == [0] * 3, outputs
    assert sandbox.oauth.issued["refresh_token"] == 1
    with Client.from_env(env) as client:
        assert list(client.events(user_id=USER, limit=1))
    assert sandbox.oauth.issued["refresh_token"] == 1


def test_without_the_extra_the_keyring_store_is_one_clear_line(
    sandbox: Sandbox, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring fails
    env = login_env(sandbox, home)
    env["ZDEVENTS_LOGIN_STORE"] = "keyring"
    with pytest.raises(errors.ConfigurationError) as info:
        Client.from_env(env)
    assert "pip install 'zdevents[keyring]'" in str(info.value)
    assert "\n" not in str(info.value)


def test_an_unknown_store_is_named() -> None:
    env = {"ZENDESK_SUBDOMAIN": "coolbikes", "ZDEVENTS_LOGIN_STORE": "vault"}
    with pytest.raises(errors.ConfigurationError, match="ZDEVENTS_LOGIN_STORE"):
        Client.from_env(env)


def test_the_file_store_stays_the_default(sandbox: Sandbox, home: Path, ring: Path) -> None:
    os.environ.pop("ZDEVENTS_LOGIN_STORE")  # the fixture's; restored by monkeypatch
    login(sandbox, home)
    assert list((home / "logins").glob("*.json"))
    assert not ring.exists()


def test_a_failing_keyring_is_one_line_without_its_details(
    sandbox: Sandbox, home: Path, ring: Path
) -> None:
    login(sandbox, home)
    secret = in_ring(ring)["access_token"]
    keyring.set_keyring(BrokenKeyring())
    env = login_env(sandbox, home)
    env["ZDEVENTS_LOGIN_STORE"] = "keyring"
    with pytest.raises(errors.ConfigurationError) as info:
        Client.from_env(env)
    message = str(info.value)
    assert "OS keyring failed" in message and "locked" not in message
    assert isinstance(secret, str) and secret not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_the_command_line_uses_the_keyring_login(sandbox: Sandbox, home: Path, ring: Path) -> None:
    # In-process (tests/cli/_helpers.py): the children of the refresh test above read the
    # keyring in processes of their own.
    login(sandbox, home)
    env = ring_env(sandbox, home, ring)
    status = run_cli(None, "auth", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "stored in:   the OS keyring (service 'zdevents'" in status.stdout
    token = run_cli(None, "auth", "token", env=env)
    assert token.stdout.strip() == in_ring(ring)["access_token"]
    env.pop("ZDEVENTS_LOGIN_STORE")  # the file store is the default: no login there
    missing = run_cli(None, "auth", "status", env=env)
    assert missing.returncode == 1 and "no Zendesk credentials" in missing.stderr
