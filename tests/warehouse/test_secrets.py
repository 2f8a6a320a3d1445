"""Credentials from dlt's secrets (``.dlt/secrets.toml``, the environment in dlt's naming)
or zdevents' own, and none of them in any file dlt writes (state, trace, schema, load
packages, the DuckDB file)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli._helpers import run
from tests.warehouse._subprocess import run_pipeline
from tests.warehouse._warehouse import NO_DLT, People, events

pytest.importorskip("dlt", reason=NO_DLT)

from zdevents.sandbox import Sandbox


def files_holding(folder: Path, secrets: list[str], *, but: set[Path]) -> list[str]:
    """Every file under ``folder`` (but those of ``but``) that holds one of ``secrets``."""
    found = []
    written = [p for p in folder.rglob("*") if p.is_file() and p not in but]
    assert written  # dlt wrote something: the check below looks at it
    for path in written:
        data = path.read_bytes()
        found += [f"{path}: {s[:4]}..." for s in secrets if s.encode() in data]
    return found


def test_dlt_secrets_toml_gives_the_credentials_and_they_stay_out_of_every_file_dlt_writes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    # A process of its own: dlt reads .dlt/secrets.toml of the working directory once.
    folk = People(sandbox)
    folk.add(0, [0, 1])
    settings = tmp_path / ".dlt" / "secrets.toml"
    settings.parent.mkdir()
    settings.write_text(
        "[sources.zdevents]\n"
        f'base_url = "{sandbox.base_url}"\n'
        f'oauth_client_id = "{sandbox.oauth_client_id}"\n'
        f'oauth_client_secret = "{sandbox.oauth_client_secret}"\n'
    )
    secrets = [sandbox.oauth_client_secret]
    issued = sandbox.oauth.issued.get("client_credentials", 0)
    spec = {"folder": str(tmp_path), "people": [folk.selector(0)], "client": None}
    done = run_pipeline(spec)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["events"] == 2
    assert set(events(tmp_path / "zdevents.duckdb")) == set(folk.served(0))
    assert sandbox.oauth.issued["client_credentials"] == issued + 1
    assert files_holding(tmp_path, secrets, but={settings}) == []
    # The search does find a secret where there is one.
    assert files_holding(tmp_path, secrets, but=set()) == [f"{settings}: {secrets[0][:4]}..."]
    assert not any(s in done.stdout + done.stderr for s in secrets)


def test_dlt_secrets_in_the_environment_give_the_credentials_and_stay_out_of_every_file(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # In this process (dlt reads the environment at each look-up): cheaper than another.
    from tests.warehouse._warehouse import pipeline
    from zdevents.dlt import LoadReport, zendesk_events

    folk = People(sandbox)
    folk.add(0, [0, 1])
    for name in [n for n in os.environ if n.startswith("ZENDESK_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SOURCES__ZDEVENTS__BASE_URL", sandbox.base_url)
    monkeypatch.setenv("SOURCES__ZDEVENTS__OAUTH_TOKEN", sandbox.oauth_token or "")
    secrets = [sandbox.oauth_token or ""]
    report = LoadReport()
    pipeline(tmp_path).run(zendesk_events([folk.selector(0)], report=report))
    assert report.events == 2
    assert set(events(tmp_path / "zdevents.duckdb")) == set(folk.served(0))
    assert files_holding(tmp_path, secrets, but=set()) == []
    out, err = capfd.readouterr()
    assert not any(s in out + err for s in secrets)


def test_the_load_command_keeps_the_api_token_out_of_every_file(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folk = People(sandbox)
    folk.add(0, [0])
    people = tmp_path / "people.txt"
    people.write_text(folk.selector(0) + "\n")
    result = run(
        sandbox,
        "load",
        "--identifiers-file",
        str(people),
        "--pipelines-dir",
        str(tmp_path / "pipelines"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert files_holding(tmp_path, [sandbox.api_token], but=set()) == []
    assert sandbox.api_token not in result.stdout + result.stderr


def test_a_load_with_the_stored_login_keeps_its_tokens_out_of_every_file(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    from tests._login import expire_stored, login, login_env, stored

    home = tmp_path / "home"
    login(sandbox, home)
    expire_stored(home)  # the load refreshes the token: the old pair and the new one
    before = stored(home)
    folk = People(sandbox)
    folk.add(0, [0])
    work = tmp_path / "work"
    work.mkdir()
    people = work / "people.txt"
    people.write_text(folk.selector(0) + "\n")
    args = ["load", "--identifiers-file", str(people), "--pipelines-dir", str(work / "p")]
    result = run(None, *args, env=login_env(sandbox, home), cwd=work)
    assert result.returncode == 0, result.stderr
    after = stored(home)
    assert after["access_token"] != before["access_token"]  # refreshed during the load
    tokens = [
        str(login[name])
        for login in (before, after)
        for name in ("access_token", "refresh_token")
        if login.get(name)
    ]
    assert files_holding(work, tokens, but=set()) == []
    assert not any(t in result.stdout + result.stderr for t in tokens)


def test_a_failed_load_keeps_the_token_out_of_dlts_trace_and_every_file(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    from tests.cli._helpers import cli_env

    people = tmp_path / "people.txt"
    people.write_text("user_id:1\n")
    token = "wrong-but-secret-0123456789abcdef"
    args = ["load", "--identifiers-file", str(people), "--pipelines-dir", str(tmp_path / "p")]
    env = cli_env(sandbox, ZENDESK_API_TOKEN=token)
    result = run(None, *args, "--max-retries", "0", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert list((tmp_path / "p").rglob("trace.pickle"))  # dlt kept the failure's trace
    assert files_holding(tmp_path, [token], but=set()) == []
    assert token not in result.stdout + result.stderr
