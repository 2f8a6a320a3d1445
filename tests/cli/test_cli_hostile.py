"""The command line against a small hostile Events API server on loopback: an exception
nobody expected, a cursor that echoes the credentials. And trailing comments in an
``--identifiers-file`` (against the sandbox)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli._helpers import (
    JDOE,
    PROFILE,
    USER,
    Answer,
    cli_env,
    demo,
    jsonl,
    library_events,
    no_traceback,
    page,
    run,
    state_of,
)

EMAIL = "devs@coolbikes.com"
TOKEN = "Zx9TokenSecretValue1234567890abcdefABCDEF"
OAUTH = "OauthSecretValue9876543210zyxwvutsrqponm"
PAIR = base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()


def _env(url: str, oauth: bool = False) -> dict[str, str]:
    if oauth:
        return cli_env(ZENDESK_BASE_URL=url, ZENDESK_OAUTH_TOKEN=OAUTH)
    return cli_env(ZENDESK_BASE_URL=url, ZENDESK_EMAIL=EMAIL, ZENDESK_API_TOKEN=TOKEN)


def _export(url: str, folder: Path, *more: str, oauth: bool = False) -> Any:
    args = ["events", "--user-id", "1", "--max-retries", "0", "--output",
            str(folder / "out.jsonl"), *more]  # fmt: skip
    return run(None, *args, env=_env(url, oauth), cwd=folder, timeout=60)


def _files_holding(folder: Path, *secrets: str) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(s.encode() in data or s.rstrip("=").encode() in data for s in secrets):
                found.append(path.name)
    return found


# --------------------------------------------------------------------------- unexpected


@pytest.mark.parametrize("resume", [False, True], ids=["output", "resume"])
def test_a_surrogate_cursor_from_the_server_leaves_no_file_and_no_traceback(
    hostile: Callable[[Answer], str], tmp_path: Path, resume: bool
) -> None:
    # The first page's cursor is a lone surrogate (a JSON escape): sending it back fails
    # in a way that used to escape as an unexpected UnicodeEncodeError.
    url = hostile(lambda n, auth: (200, page(n, '"\\ud800x"')))
    more = ["--resume", str(tmp_path / "STATE")] if resume else []
    result = _export(url, tmp_path, *more)
    assert result.returncode == 1, result.stderr
    no_traceback(result)
    assert result.stderr.startswith("zdevents: error: ")
    assert TOKEN not in result.stderr and PAIR.rstrip("=") not in result.stderr
    # No output, no temporary file, no lock; and no state pointing at the bad cursor.
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [], left


# --------------------------------------------------------------------------- tampered state


def _state_after_one_page(url: str, folder: Path) -> Path:
    state = folder / "STATE"
    first = _export(url, folder, "--resume", str(state))
    assert first.returncode == 1, first.stderr  # the 500 of the second page
    assert state_of(state)["cursor"] == "c1"
    return state


@pytest.mark.parametrize(
    "cursor",
    ['"\\ud800"', json.dumps("x" * 100_000), json.dumps("\u00e9" * 30_000)],
    ids=["surrogate", "100k", "too-long-once-encoded"],
)
def test_a_tampered_cursor_is_refused_naming_the_field(
    hostile: Callable[[Answer], str], tmp_path: Path, cursor: str
) -> None:
    requests: list[int] = []

    def answer(n: int, auth: str) -> tuple[int, bytes]:
        requests.append(n)
        return (200, page(n, '"c1"')) if n == 1 else (500, b"{}")

    url = hostile(answer)
    state = _state_after_one_page(url, tmp_path)
    text = state.read_text()
    state.write_text(text.replace('"c1"', cursor))
    before = (tmp_path / "out.jsonl").read_bytes()
    sent = len(requests)
    result = _export(url, tmp_path, "--resume", str(state))
    assert result.returncode == 2, result.stderr
    no_traceback(result)
    assert '"cursor"' in result.stderr and "delete it to start over" in result.stderr
    assert len(requests) == sent  # refused before any request
    assert (tmp_path / "out.jsonl").read_bytes() == before
    assert not (tmp_path / "STATE.lock").exists()


# --------------------------------------------------------------------------- secrets


@pytest.mark.parametrize(
    ("oauth", "spelling"),
    [(False, "pair"), (False, "token"), (True, "oauth"), (False, "entities"), (True, "hex")],
)
def test_a_cursor_echoing_the_credentials_is_never_saved(
    hostile: Callable[[Answer], str], tmp_path: Path, oauth: bool, spelling: str
) -> None:
    def answer(n: int, auth: str) -> tuple[int, bytes]:
        secret = auth.split(" ")[-1]
        echo = {
            "pair": secret,
            "token": TOKEN,
            "oauth": secret,
            # HTML entities, as the library's scrubber decodes them: "&#115;&#97;..."
            "entities": "".join(f"&#{ord(c)};" for c in TOKEN),
            "hex": "".join(f"&#x{ord(c):x};" for c in secret),
        }
        if n == 1:
            return 200, page(n, '"c1"')
        if n == 2:  # the hostile page: its cursor is the secret
            return 200, page(n, json.dumps(echo[spelling]))
        return 500, b"{}"

    url = hostile(answer)
    state = tmp_path / "STATE"
    result = _export(url, tmp_path, "--resume", str(state), oauth=oauth)
    assert result.returncode == 1, result.stderr
    no_traceback(result)
    assert _files_holding(tmp_path, TOKEN, PAIR, OAUTH) == []
    assert TOKEN not in result.stderr and OAUTH not in result.stderr
    # The page after which only the secret could resume is not resumable: the checkpoint
    # of the first page stays, and the output holds exactly what it counts.
    saved = state_of(state)
    assert saved["cursor"] == "c1" and saved["events"] == 1
    out = (tmp_path / "out.jsonl").read_bytes()
    assert len(out) >= saved["offset"]
    assert [e["id"] for e in jsonl(out[: saved["offset"]].decode())] == ["e1"]


def test_a_first_page_echoing_the_credentials_writes_no_state(
    hostile: Callable[[Answer], str], tmp_path: Path
) -> None:
    url = hostile(lambda n, auth: (200, page(n, json.dumps(PAIR))) if n == 1 else (500, b"{}"))
    result = _export(url, tmp_path, "--resume", str(tmp_path / "STATE"))
    assert result.returncode == 1, result.stderr
    no_traceback(result)
    # No checkpoint could be saved: nothing is kept, and no file holds the secret.
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- people file


@demo
def test_trailing_comments_in_the_people_file(zendesk_sandbox: Any, tmp_path: Path) -> None:
    ids = tmp_path / "people.txt"
    # The example of docs/cli/events.md: a trailing " # ..." on every kind of line, a tab
    # before one.
    ids.write_text(
        '# blank lines, lines starting with #, and a trailing " # ..." are ignored\n'
        f"user_id:{USER}                          # a Zendesk user id\n"
        f"profile_id:{PROFILE}\t# a profile id\n"
        f"{JDOE}    # anything else: an identifier query\n"
    )
    result = run(zendesk_sandbox, "events", "--identifiers-file", str(ids))
    assert result.returncode == 0, result.stderr
    records = jsonl(result.stdout)
    by = {
        f"user_id:{USER}": library_events(zendesk_sandbox, user_id=USER),
        f"profile_id:{PROFILE}": library_events(zendesk_sandbox, profile_id=PROFILE),
        JDOE: library_events(zendesk_sandbox, identifier=JDOE),
    }
    assert {r["selector"] for r in records} == set(by)
    for label, expected in by.items():
        assert [r["event"] for r in records if r["selector"] == label] == expected


def test_a_hash_without_a_space_stays_in_the_value(zendesk_sandbox: Any, tmp_path: Path) -> None:
    ids = tmp_path / "people.txt"
    ids.write_text("shop:customer:url:https://example.com/a#b  # the comment\n")
    result = run(zendesk_sandbox, "events", "--identifiers-file", str(ids), "--skip-missing", "-v")
    assert result.returncode == 0, result.stderr
    # The person asked for is the value with its "#b", without the comment.
    assert "(shop:customer:url:https://example.com/a#b): not found" in result.stderr
    assert "the comment" not in result.stderr


def test_a_bulk_cursor_echoing_the_credentials_is_never_saved(
    hostile: Callable[[Answer], str], tmp_path: Path
) -> None:
    def answer(n: int, auth: str) -> tuple[int, bytes]:
        if n == 1:
            return 200, page(n, '"c1"')
        if n == 2:
            return 200, page(n, json.dumps(auth.split(" ")[-1]))
        return 500, b"{}"

    url = hostile(answer)
    ids = tmp_path / "people.txt"
    ids.write_text("user_id:1\n")
    state = tmp_path / "STATE"
    args = ["events", "--identifiers-file", str(ids), "--max-retries", "0",
            "--output", str(tmp_path / "out.jsonl"), "--resume", str(state)]  # fmt: skip
    result = run(None, *args, env=_env(url), cwd=tmp_path, timeout=60)
    assert result.returncode == 1, result.stderr
    no_traceback(result)
    assert _files_holding(tmp_path, TOKEN, PAIR) == []
    saved = state_of(state)
    assert saved["cursors"] == {"user_id:1": "c1"} and saved["events"] == 1
