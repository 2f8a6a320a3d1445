"""``zdevents sync``: keep a local SQLite copy of people's events up to date.

A thin layer over :func:`zdevents.sync`: flags in, one summary out. Exit status: 0 done,
1 an API, network or database failure (what was stored is kept; run again to go on),
2 a usage error, a database another sync is using or of another schema version,
3 done, but some people were skipped (unknown to Zendesk), 130/143 interrupted.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from zdevents import SyncReport, errors, limits, sync

from . import _run
from ._export import _listening
from ._messages import PROG, Interrupted, UsageError, error, hint, rerun_helps, say
from ._numbers import concurrency, duration, whole
from ._options import add_request_options, add_start_options, add_verbosity, make_client, start_of
from ._parser import COMMANDS
from ._people import PeopleFileError, read_people
from ._progress import Progress

#: The exit status of a sync that completed but skipped someone Zendesk does not know.
EXIT_SKIPPED = 3

DETAILS = """\
The first run of each person reads from --start (or from the beginning); each later run
re-reads from the newest created_at stored for that person minus --overlap (default 1h),
because created_at is set by the sender and late events arrive behind it. Events are
upserted by id: new ones inserted, changed ones updated, the others left alone; nothing is
deleted. An event backdated further than the overlap is not seen: run with --full now and
then (e.g. weekly) to read everything again. An event dated in the future (a sender's wrong
clock) is stored, but the mark never moves past the moment the run began, so later events
are still found.

Each page's rows are committed with the person's progress: a run that is interrupted or
killed keeps what it stored, and the same command run again ends exactly as an
uninterrupted run would. One sync at a time per database: a second one exits with 2.

--identifiers-file: one person a line, an identifier query (source:type:key:value),
user_id:N or profile_id:ID; blank lines and lines starting with # are ignored. A person
Zendesk does not know is reported and skipped, and the exit status is 3.

examples:
  zdevents sync --db events.db --identifier coolbikes:rider:email:jdoe@example.com
  zdevents sync --db events.db --identifiers-file people.txt --concurrency 8 -q
  sqlite3 events.db "SELECT type, count(*) FROM events GROUP BY type"

exit status: 0 done, 1 API, network or database failure (run again to go on),
2 usage error or unusable database (another sync is using it, another schema version),
3 done but some people were skipped, 130 interrupted (128 + the signal for others)
"""

# The library's defaults, read from its signature rather than repeated here.
_MAX_PAGE_SIZE: int = limits.MAX_PAGE_SIZE  # also the default page size
_CONCURRENCY: int = limits.DEFAULT_CONCURRENCY
_OVERLAP: float = limits.DEFAULT_OVERLAP.total_seconds()

_page_size = whole(1, _MAX_PAGE_SIZE)


def add_sync_parser(commands: Any) -> None:
    """Add ``sync`` to the ``zdevents`` subcommands."""
    p = commands.add_parser(
        "sync",
        help=COMMANDS["sync"].help,
        description="Keep a SQLite database of the events of one or many people up to date:\n"
        "each run fetches only what is new since the last one.",
        epilog=DETAILS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--db", metavar="FILE", required=True, help="the SQLite database (created)")
    who = p.add_argument_group("whose events (exactly one)")
    selector = who.add_mutually_exclusive_group(required=True)
    selector.add_argument(
        "--identifier", metavar="QUERY", help="identifier query source:type:key:value"
    )
    selector.add_argument("--profile-id", metavar="ID", help="Zendesk profile id")
    selector.add_argument("--user-id", metavar="ID", help="Zendesk user id")
    selector.add_argument(
        "--identifiers-file",
        metavar="FILE",
        help="many people: one identifier query, user_id:N or profile_id:ID a line ('-': stdin)",
    )
    filters = p.add_argument_group("filters")
    filters.add_argument("--source", help="only events from this source")
    filters.add_argument("--type", help="only events of this type (needs --source)")
    add_start_options(
        filters,
        start_help="never read events created before: YYYY-MM-DD or RFC 3339 with offset",
        since_help="never read events created more than DURATION ago: 12h, 7d (instead of --start)",
    )
    reading = p.add_argument_group("what to read again")
    reading.add_argument(
        "--overlap",
        metavar="DURATION",
        type=duration,
        default=_OVERLAP,
        help="re-read this far behind the newest stored event: 90s, 30m, 1h, 2d (default 1h)",
    )
    reading.add_argument("--full", action="store_true", help="read everything again")
    net = p.add_argument_group("requests")
    net.add_argument("--page-size", metavar="N", type=_page_size, default=_MAX_PAGE_SIZE,
                     help=f"events a request, 1..{_MAX_PAGE_SIZE} (default {_MAX_PAGE_SIZE})",
                     )  # fmt: skip
    net.add_argument("--concurrency", metavar="N", type=concurrency, default=_CONCURRENCY,
                     help=f"people read at the same time (default {_CONCURRENCY})")  # fmt: skip
    add_request_options(net, retry_note=" (default 4)")
    add_verbosity(
        p, quiet="no progress and no summary", verbose="a summary line per person", exclusive=True
    )
    p.set_defaults(handler=run_sync)


def _summary(report: SyncReport, verbose: bool) -> None:
    people = len(report.selectors)
    who = "1 person" if people == 1 else f"{people:,} people"
    skipped = f"; {len(report.skipped)} skipped" if report.skipped else ""
    say(
        f"{PROG}: synced {who} into {report.database} in {report.seconds:.1f} s: "
        f"{report.inserted:,} inserted, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged{skipped}"
    )
    if verbose:
        for s in report.selectors:
            if s.skipped is not None:
                continue
            since = f"read from {s.start}" if s.start else "read from the beginning"
            say(
                f"{PROG}:   {s.selector}: {s.inserted:,} inserted, {s.updated:,} updated, "
                f"{s.unchanged:,} unchanged, {since}"
            )


def run_sync(ns: argparse.Namespace) -> int:
    """Run ``zdevents sync``; returns the exit status."""
    try:
        if ns.identifiers_file is not None:
            people: list[Any] = [p.selector for p in read_people(ns.identifiers_file)]
            what = f"syncing the events of {len(people)} people"
        elif ns.identifier is not None:
            people, what = [ns.identifier], f"syncing the events of identifier {ns.identifier}"
        elif ns.profile_id is not None:
            people = [{"profile_id": ns.profile_id}]
            what = f"syncing the events of profile {ns.profile_id}"
        else:
            people, what = [{"user_id": ns.user_id}], f"syncing the events of user {ns.user_id}"
        directory = os.path.dirname(os.path.abspath(ns.db))
        if not os.path.isdir(directory):
            raise UsageError(f"--db {ns.db}: directory {directory} does not exist")
        if os.path.isdir(ns.db):
            raise UsageError(f"--db {ns.db} is a directory")
    except (UsageError, PeopleFileError) as exc:
        error(str(exc))
        return 2
    try:
        client = make_client(ns)
    except (TypeError, ValueError) as exc:  # errors.ConfigurationError is a ValueError
        error(str(exc))
        return 2
    progress = Progress(_run.stderr(), enabled=not ns.quiet)

    def show(report: SyncReport) -> None:
        # Called once a page is stored.
        added = report.events - progress.events
        progress.add(events=added, pages=1 if added else 0)

    kept = "what was stored is kept; run the same command again to go on"
    with client:
        try:
            try:
                # -v: the library's retries and pauses too, as for `zdevents events`.
                with _listening(progress, ns.verbose):
                    report = sync(
                        client, ns.db, people,
                        source=ns.source, type=ns.type, start=start_of(ns), overlap=ns.overlap,
                        full=ns.full, page_size=ns.page_size, concurrency=ns.concurrency,
                        on_missing="skip" if ns.identifiers_file is not None else "raise",
                        progress=show,
                    )  # fmt: skip
            finally:
                progress.close()
        except (errors.SyncLockedError, errors.SyncSchemaError) as exc:
            error(str(exc))
            return 2
        except errors.SyncError as exc:
            error(f"{exc}; {kept}")
            return 1
        except (TypeError, ValueError) as exc:  # bad --start, --type without --source, ...
            error(str(exc))
            return 2
        except errors.ZendeskError as exc:
            # A 400, 401, 403 or 404 would come back on a rerun; a 5xx, 429 or network
            # failure may not.
            again = f"; {kept}" if rerun_helps(exc) else ""
            error(f"{what} failed: {exc}; {hint(exc)}{again}")
            return 1
        except (KeyboardInterrupt, Interrupted) as exc:
            error(f"interrupted; {kept}")
            return exc.status if isinstance(exc, Interrupted) else 130
    for s in report.skipped:
        say(f"{PROG}: skipped {s.selector}: {s.skipped}")
    if not ns.quiet:
        _summary(report, ns.verbose)
    return EXIT_SKIPPED if report.skipped else 0
