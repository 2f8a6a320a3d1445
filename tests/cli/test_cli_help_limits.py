"""The defaults and Zendesk limits the command line's help states come from
``zdevents.limits``, where the library reads them too: change one there and every help text
that mentions it follows (no number is written a second time in a help string)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cli._helpers import run
from zdevents import limits

REQUESTS = [
    ("events",),
    ("sync",),
    ("people",),
    ("track",),
    ("profile",),
    ("profiles",),
    ("forget",),
    ("load",),
]


@pytest.fixture
def other_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values no help text holds by chance."""
    monkeypatch.setattr(limits, "DEFAULT_MAX_RETRIES", 7)
    monkeypatch.setattr(limits, "DEFAULT_TIMEOUT_SECONDS", 45.0)
    monkeypatch.setattr(limits, "DEFAULT_OVERLAP", dt.timedelta(hours=2, minutes=30))
    monkeypatch.setattr(limits, "MAX_USERS_PER_PAGE", 500)
    monkeypatch.setattr(limits, "USERS_EXPORT_RATE_LIMIT", 20)


def help_of(*command: str) -> str:
    result = run(None, *command, "--help", env={"COLUMNS": "200", "PATH": "/usr/bin"})
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.split())


@pytest.mark.usefixtures("other_limits")
@pytest.mark.parametrize("command", REQUESTS, ids=" ".join)
def test_the_request_options_state_the_librarys_defaults(command: tuple[str, ...]) -> None:
    text = help_of(*command)
    assert "(default 7; 0: none)" in text
    assert "(default 4;" not in text and "(default 4)" not in text
    if "--timeout" in text:
        assert "(default 45)" in text and "(default 30)" not in text


@pytest.mark.usefixtures("other_limits")
@pytest.mark.parametrize("command", ["sync", "load"])
def test_the_overlap_states_the_librarys_default(command: str) -> None:
    text = help_of(command)
    assert "(default 2h30m)" in text
    assert "(default 1h)" not in text


@pytest.mark.usefixtures("other_limits")
def test_people_states_the_exports_limits() -> None:
    text = help_of("people")
    assert "up to 500 users a request and allows 20 requests a minute" in text
    assert "1,000" not in text and "10 requests" not in text
