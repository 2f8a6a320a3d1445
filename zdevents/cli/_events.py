"""``zdevents events``: export the events of a profile, a user or many people.

Its parser (over the shared options of :mod:`._options`), the check of its arguments
together (:func:`make_plan`) and the run; the export itself is :mod:`._export`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from typing import Any

import zdevents
from zdevents import Client, Identifier, limits
from zdevents.types import EventFilters

from ._export import Plan, export
from ._formats import APPENDABLE_FORMATS, FORMATS
from ._messages import PROG, UsageError, error
from ._numbers import concurrency as _concurrency
from ._numbers import whole
from ._options import add_request_options, add_start_options, add_verbosity, make_client, start_of
from ._parser import COMMANDS, ENVIRONMENT, EXAMPLES, utf8
from ._people import PeopleFileError, read_people

# The library's defaults and Zendesk's limits, defined once in zdevents.limits.
_MAX_PAGE_SIZE: int = limits.MAX_PAGE_SIZE
_CONCURRENCY: int = limits.DEFAULT_CONCURRENCY

EVENTS_DETAILS = """\
formats:
  jsonl  one event a line, the JSON object exactly as received (default)
  json   one JSON array
  csv    header, then id,source,type,description,created_at,received_at,properties
         (timestamps as received, properties as JSON text)
  table  aligned columns for reading in a terminal (long cells are cut)

bulk mode (--identifiers-file FILE, '-' for standard input): one person a line, as
  user_id:85211553
  profile_id:01E1G0NJSQPNPZRV096JXKXFAA
  coolbikes:rider:email:jdoe@example.com      (an identifier query)
blank lines, lines starting with # and a trailing " # comment" are ignored; a person
named twice is exported once.
Events of several people are interleaved. csv and table get a first column "selector";
jsonl and json wrap each event as {"selector": "<the line>", "event": {...as received...}}.

--output FILE writes to a temporary file and renames it over FILE when the export is
complete: a failed or interrupted export leaves no file, and an existing file stays as it
was. A symlink is followed (its target is replaced). An existing device, FIFO or socket is
written to as it is, streaming. '-o -' is standard output.
--resume STATE (jsonl and csv) journals its position as it goes (made durable every 50 ms
and when the run stops); after an interruption, even a crash, run the same command again
to continue where it stopped, with no event lost or repeated (also in bulk mode: each
person's position is saved). A fresh run writes to a temporary
file that replaces --output at the first checkpoint; from then on pages are appended to
--output in place. A run that fails before its first checkpoint changes neither --output
nor STATE. Only one run at a time may use a STATE (STATE.lock). A finished export leaves
STATE marked done; delete it to export again.

"""


# The numeric options, bounded once for every command (cli/_numbers.py).
_int_in = whole


def _time(text: str) -> str:
    """A time bound as typed; the library validates it, this adds the hints it cannot."""
    utf8(text)
    if text.isascii() and text.isdigit() and len(text) == 8:
        spelled = f"{text[:4]}-{text[4:6]}-{text[6:]}"
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date the API takes: write it with dashes, as {spelled}"
        )
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text  # the library says what is wrong with it
    if moment.tzinfo is None and len(text) > 10:
        raise argparse.ArgumentTypeError(
            f"{text!r} is a time without a UTC offset, which would be ambiguous: add Z (UTC) "
            f"or an offset, as in {text}Z or {text}+01:00"
        )
    return text


def add_parser(commands: Any) -> None:
    """Add ``events`` to the ``zdevents`` subcommands."""
    ev = commands.add_parser(
        "events",
        help=COMMANDS["events"].help,
        description="Export the events of one profile (by identifier query, profile id or\n"
        "Zendesk user id) or of many people, across every page.",
        epilog=EVENTS_DETAILS + EXAMPLES + "\n" + ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    who = ev.add_argument_group("whose events (exactly one)")
    selector = who.add_mutually_exclusive_group(required=True)
    selector.add_argument(
        "--identifier",
        metavar="QUERY",
        type=utf8,
        help="identifier query source:type:key:value, e.g. coolbikes:rider:email:jdoe@example.com",
    )
    selector.add_argument("--profile-id", metavar="ID", type=utf8, help="Zendesk profile id")
    selector.add_argument("--user-id", metavar="ID", type=utf8, help="Zendesk user id")
    selector.add_argument(
        "--identifiers-file",
        metavar="FILE",
        help="bulk mode: one person a line (user_id:N, profile_id:ID or an identifier "
        "query; '-' for standard input; see below)",
    )

    filters = ev.add_argument_group("filters")
    filters.add_argument("--source", type=utf8, help="only events from this source, e.g. coolbike")
    filters.add_argument("--type", type=utf8, help="only events of this type (needs --source)")
    add_start_options(
        filters,
        start_type=_time,
        start_help="events created at or after: YYYY-MM-DD (00:00 UTC) or RFC 3339 with offset",
        since_help="events created in the last DURATION: 12h, 7d, 1d12h (instead of --start)",
    )
    filters.add_argument(
        "--end",
        metavar="TIME",
        type=_time,
        help="events created at or before: YYYY-MM-DD (the whole UTC day) or RFC 3339",
    )
    filters.add_argument("--limit", metavar="N", type=_int_in(1), help="stop after N events in all")

    out = ev.add_argument_group("output")
    out.add_argument(
        "--format", choices=FORMATS, default="jsonl", help="output format (default jsonl)"
    )
    out.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write to FILE, atomically ('-' or none: standard output)",
    )
    out.add_argument(
        "--resume",
        metavar="STATE",
        help="journal the position to STATE and continue from it when run again "
        "(jsonl or csv, needs --output)",
    )
    out.add_argument(
        "--skip-missing",
        action="store_true",
        help="bulk mode: a person Zendesk does not know (404) is named on stderr and skipped",
    )
    add_verbosity(
        out,
        quiet="no progress, no summary",
        verbose="show retries and waits on stderr (as ZDEVENTS_LOG=info does)",
    )

    net = ev.add_argument_group("requests")
    net.add_argument(
        "--page-size",
        metavar="N",
        type=_int_in(1, _MAX_PAGE_SIZE),
        default=None,
        help=f"events a request, 1..{_MAX_PAGE_SIZE} (default {_MAX_PAGE_SIZE})",
    )
    net.add_argument(
        "--concurrency",
        metavar="N",
        type=_concurrency,
        default=None,
        help=f"bulk mode: people exported at the same time (default {_CONCURRENCY})",
    )
    add_request_options(
        net,
        rate_note=" (stay under your plan's limit)",
        retry_note=": 429, 5xx, network errors",
    )
    ev.set_defaults(handler=run)


# --------------------------------------------------------------------------- plan

#: The filters of the events routes: the library's one definition. Each has its flag in the
#: "filters" group above (``--name``, its dest the filter's name), and :func:`make_plan` hands
#: every one given to the library: adding a filter here is adding its flag.
_FILTERS = tuple(EventFilters.__annotations__)

#: The library names its parameters in its messages; the user typed flags.
_FLAGS = {
    name: "--" + name.replace("_", "-")
    for name in ("identifier", "profile_id", "user_id", *_FILTERS)
}


def _as_flags(exc: Exception) -> str:
    """A library ValueError in the command line's words: ``start='x' is ...`` becomes
    ``argument --start: 'x' is ...``."""
    text = str(exc)
    for name, flag in _FLAGS.items():
        if text.startswith(name + "="):
            return f"argument {flag}: {text[len(name) + 1 :]}"
    return text


def make_plan(ns: argparse.Namespace, client: Client) -> Plan:
    """Check the arguments together (``client.events`` validates without sending
    anything); raises UsageError, ValueError or TypeError."""
    bulk = ns.identifiers_file is not None
    if ns.output == "-":
        ns.output = None
    if ns.concurrency is not None and not bulk:
        raise UsageError("--concurrency only applies with --identifiers-file")
    if ns.skip_missing and not bulk:
        raise UsageError("--skip-missing only applies with --identifiers-file")
    if ns.resume is not None:
        if ns.since is not None:
            raise UsageError(
                "--since is relative to now, so a resumed run would read another window: "
                "give --start TIME with --resume"
            )
        if ns.output is None:
            raise UsageError("--resume needs --output FILE: standard output cannot be resumed")
        if ns.format not in APPENDABLE_FORMATS:
            raise UsageError(
                f"--resume works with --format jsonl or csv, not {ns.format} "
                "(a json array or a table cannot be appended to)"
            )
        if _same_file(ns.resume, ns.output):
            raise UsageError("--resume STATE must be another file than --output")
    page_size = ns.page_size
    if page_size is None:
        # A small --limit needs no full page.
        page_size = min(_MAX_PAGE_SIZE, ns.limit) if ns.limit else _MAX_PAGE_SIZE
    given = {name: getattr(ns, name, None) for name in _FILTERS}
    filters: dict[str, Any] = {
        **{name: value for name, value in given.items() if value is not None},
        "start": start_of(ns),  # --start, or --since as a time
        "page_size": page_size,
    }
    if filters["start"] is None:
        del filters["start"]
    try:
        if bulk:
            # The filters first, so that a bad filter is not blamed on a line of the file.
            zdevents.validate_filters(**filters)
            people = read_people(ns.identifiers_file, lambda sel: client.events(**sel))
            selector: dict[str, Any] = {}
        else:
            people = None
            selector = _selector(ns)
            client.events(**selector, **filters)
    except PeopleFileError as exc:
        raise UsageError(str(exc)) from None
    except (TypeError, ValueError) as exc:
        raise UsageError(_as_flags(exc)) from None
    if ns.output is not None:
        directory = os.path.dirname(os.path.abspath(ns.output))
        if not os.path.isdir(directory):
            raise UsageError(f"--output {ns.output}: directory {directory} does not exist")
        if os.path.isdir(ns.output):
            raise UsageError(f"--output {ns.output} is a directory")
    return Plan(
        selector=selector,
        people=people,
        filters=filters,
        fmt=ns.format,
        output=ns.output,
        resume=ns.resume,
        limit=ns.limit,
        quiet=ns.quiet,
        verbose=ns.verbose,
        skip_missing=ns.skip_missing,
        people_file=ns.identifiers_file or "",
        concurrency=ns.concurrency or _CONCURRENCY,
    )


def _selector(ns: argparse.Namespace) -> dict[str, Any]:
    if ns.identifier is not None:
        try:
            return {"identifier": str(Identifier.parse(ns.identifier))}
        except (TypeError, ValueError) as exc:
            raise UsageError(f"argument --identifier: {exc}") from None
    if ns.profile_id is not None:
        return {"profile_id": ns.profile_id}
    return {"user_id": ns.user_id}


def _same_file(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


# --------------------------------------------------------------------------- commands


def _usage(message: str, command: str = "events") -> int:
    error(f"{message} (see {PROG} {command} --help)")
    return 2


def run(ns: argparse.Namespace) -> int:
    """Run ``zdevents events``; the exit status."""
    try:
        client = make_client(ns)
    except (TypeError, ValueError, OverflowError) as exc:
        # errors.ConfigurationError (a ValueError): missing, invalid or conflicting
        # credentials; the message names the variables.
        error(str(exc))
        return 2
    with client:
        try:
            plan = make_plan(ns, client)
        except UsageError as exc:
            return _usage(str(exc))
        return export(plan, client)
