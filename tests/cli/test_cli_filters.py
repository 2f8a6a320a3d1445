"""``zdevents events`` takes every filter of the events routes from the library's one
definition (``zdevents.types.EventFilters``): each has its flag, and each flag given reaches
the request under the spec's wire name. Adding a filter to the command line is adding its
flag (CONTRIBUTING.md, "Adding a filter to the events routes")."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from tests.cli._helpers import cli_env, run
from zdevents.sandbox import Sandbox
from zdevents.types import EventFilters

#: A value for each filter's flag, and the query parameter it becomes.
GIVEN = {
    "source": ("coolbike", "filter[source]", "coolbike"),
    "type": ("bike_rental_booked", "filter[type]", "bike_rental_booked"),
    "start": ("2020-02-23", "filter[start_time]", "2020-02-23T00:00:00Z"),
    "end": ("2020-02-29", "filter[end_time]", "2020-02-29T23:59:59.999999999Z"),
    "page_size": ("7", "page[size]", "7"),
}


def test_each_filter_of_the_library_has_its_flag() -> None:
    assert set(EventFilters.__annotations__) == set(GIVEN)
    text = run(None, "events", "--help").stdout
    for name in EventFilters.__annotations__:
        assert f"--{name.replace('_', '-')}" in text


def test_each_filter_given_reaches_the_request(module_sandbox: Sandbox) -> None:
    flags = [
        a for name, (value, _, _) in GIVEN.items() for a in (f"--{name.replace('_', '-')}", value)
    ]
    result = run(
        module_sandbox,
        "events", "--user-id", "85211553", *flags,
        env=cli_env(module_sandbox, ZDEVENTS_LOG="debug"),
    )  # fmt: skip
    (line,) = [line for line in result.stderr.splitlines() if " GET " in line]
    sent = dict(parse_qsl(urlsplit(line.split(" GET ")[1].split(" ")[0]).query))
    assert sent == {wire: value for _, wire, value in GIVEN.values()}
