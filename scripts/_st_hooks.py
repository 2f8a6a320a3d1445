"""schemathesis hooks for the Events API spec (loaded through ``SCHEMATHESIS_HOOKS``).

Used by ``tests/test_contract.py`` against the sandbox and by ``scripts/fuzz_live.py``
against a real account.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.engine.run import probes

# A read-only run (_schemathesis_run.READ_ONLY_ENV) sends no capability probes: they are
# requests outside the spec's operations (GET on the base URL with a NUL byte in a header,
# and GET /schemathesis-probe%5C%1B%01), and schemathesis 4.32.5 has no setting that turns
# them off. Each probe is reported as skipped instead of sent, so schemathesis keeps its
# defaults (it assumes the server accepts such input, as when a probe cannot run).


def _skip_probe(probe: probes.Probe, ctx: Any) -> probes.ProbeRun:
    return probes.ProbeRun(probe, probes.ProbeOutcome.SKIP)


if os.environ.get("ZDEVENTS_ST_READ_ONLY") == "1":
    probes.send = _skip_probe

_OFFSETS = ["Z", "Z", "+00:00", "-00:00", "+01:00", "+05:30", "-08:00", "+14:00", "-12:00"]


def _date_time(moment: dt.datetime, digits: int, fraction: int, offset: str) -> str:
    # Not strftime: its %Y drops the zero padding of years below 1000 on some platforms.
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    if digits:
        text += "." + str(fraction).zfill(9)[:digits]
    return text + offset


# The spec's custom format: an ISO 8601 date or an RFC 3339 date-time with 0-9 fractional
# digits; dates around 2020 are favoured so that filters cut through the demo data.
ZENDESK_TIME = st.one_of(
    st.dates(min_value=dt.date(2019, 10, 1), max_value=dt.date(2020, 8, 31)).map(str),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(
        lambda day: day.isoformat()
    ),
    st.builds(
        _date_time,
        st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
        st.sampled_from([0, 3, 6, 9, 1, 8]),
        st.integers(0, 999_999_999),
        st.sampled_from(_OFFSETS),
    ),
)

schemathesis.openapi.format("zendesk-time", ZENDESK_TIME)


# -- requests the spec cannot describe ----------------------------------------------------------
#
# Two rules of the API are outside what OpenAPI can say, so schemathesis would generate
# "valid" requests that the server rightly rejects (and then report ST202):
#
# 1. `page[after]` is an opaque cursor: only strings the server issued are valid. Every
#    cursor seen in a response is remembered; a positive case keeps `page[after]` only when
#    it carries such a cursor (which is how the stateful phase follows NextPage links).
# 2. `filter[type]` needs `filter[source]` (documented by Zendesk, not expressible as a
#    parameter dependency in OpenAPI 3.1): a positive case without a source loses its type.
#
# Negative cases are left alone: they must still be rejected.

_ISSUED_CURSORS: set[str] = set()


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: schemathesis.Case, response: Any) -> None:
    """Remember the cursors the server hands out."""
    if response.status_code != 200:
        return
    try:
        cursor = response.json().get("meta", {}).get("after_cursor")
    except (ValueError, AttributeError):
        return
    if isinstance(cursor, str) and cursor:
        _ISSUED_CURSORS.add(cursor)


def _make_valid(case: schemathesis.Case) -> None:
    query = case.query
    if not isinstance(query, dict):
        return
    if "page[after]" in query and query["page[after]"] not in _ISSUED_CURSORS:
        del query["page[after]"]
    if "filter[type]" in query and "filter[source]" not in query:
        del query["filter[type]"]


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Make generated positive cases valid by the two rules above."""
    if case.meta is not None and case.meta.generation.mode.is_positive:
        _make_valid(case)
    return case


@schemathesis.hook
def before_add_examples(
    context: schemathesis.HookContext, examples: list[schemathesis.Case]
) -> None:
    """The spec's examples are positive cases too; its `page[after]` example is `hkjhdjk`."""
    for case in examples:
        if case.meta is None or case.meta.generation.mode.is_positive:
            _make_valid(case)
