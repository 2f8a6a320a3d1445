"""Limits the library and the command line both enforce are defined once, in
``zdevents.limits``: what one request URL may carry (httpx refuses URLs over 64 KiB) and the
longest ``sync`` overlap (a ``timedelta``'s range). Each refusal quotes the public value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import zdevents
from tests.cli._helpers import run
from zdevents import Client, limits


def test_the_url_text_limit_is_public_and_is_the_one_the_library_enforces() -> None:
    assert limits.MAX_URL_TEXT == 60 * 1024
    client = Client(subdomain="coolbikes", oauth_token="t0k3n")
    client.events(user_id=1, source="s" * limits.MAX_URL_TEXT)
    with pytest.raises(ValueError, match=f"may take {limits.MAX_URL_TEXT:,} together"):
        client.events(user_id=1, source="s" * (limits.MAX_URL_TEXT + 1))


def test_the_overlap_limit_is_public_and_is_the_one_sync_and_the_command_line_enforce(
    tmp_path: Path,
) -> None:
    assert int(dt.timedelta.max.total_seconds()) == limits.MAX_OVERLAP_SECONDS
    client = Client(subdomain="coolbikes", oauth_token="t0k3n")
    with pytest.raises(ValueError, match=f"at most {limits.MAX_OVERLAP_SECONDS:,} seconds"):
        zdevents.sync(client, str(tmp_path / "e.db"), ["user_id:1"], overlap=1e30)
    result = run(None, "sync", "--db", str(tmp_path / "e.db"), "--user-id", "1", "--overlap",
                 f"{limits.MAX_OVERLAP_SECONDS + 1}s", env={"PATH": "/usr/bin"})  # fmt: skip
    assert result.returncode == 2
    assert f"at most {limits.MAX_OVERLAP_SECONDS // 86400:,}d" in result.stderr
