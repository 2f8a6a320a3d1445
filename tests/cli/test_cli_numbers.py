"""Every number a flag takes goes through the one set of converters (``cli/_numbers.py``):
the same wording for the same mistake, whichever command it is given to."""

from __future__ import annotations

import pytest

from tests.cli._helpers import run

ENV = {"PATH": "/usr/bin", "HOME": "/nonexistent"}


def usage_error(*args: str) -> str:
    result = run(None, *args, env=ENV)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    return line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("events", "--user-id", "1", "--timeout", "0"), "argument --timeout: '0'"),
        (("auth", "login", "--wait", "0"), "argument --wait: '0'"),
        (("auth", "login", "--wait", "86401"), "argument --wait: '86401'"),
    ],
)
def test_seconds_out_of_range_read_the_same_everywhere(
    args: tuple[str, ...], expected: str
) -> None:
    line = usage_error(*args)
    assert f"{expected} must be a number above 0, at most 86400" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("events", "--user-id", "1", "--page-size", "101"),
            "argument --page-size: '101' is outside 1..100",
        ),
        (("auth", "login", "--port", "65536"), "argument --port: '65536' is outside 0..65535"),
        (("auth", "login", "--port", "x"), "argument --port: 'x' is not a whole number"),
    ],
)
def test_whole_numbers_out_of_range_read_the_same_everywhere(
    args: tuple[str, ...], expected: str
) -> None:
    assert expected in usage_error(*args)
