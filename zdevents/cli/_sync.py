"""``zdevents sync``: keep a local SQLite copy of people's events up to date.

A thin layer over :func:`zdevents.sync` (and :func:`zdevents.plan_sync` for ``--plan``):
flags in, one summary out. Exit status: 0 done (people skipped with ``--skip-missing``
included), 1 an API, network or database failure (what was stored is kept; run again to go
on), 2 a usage error, a database another sync is using or of another schema version, 3
done, but some people were skipped (unknown to Zendesk) without ``--skip-missing``,
130/143 interrupted.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from zdevents import ALL_USERS, SyncPlan, SyncReport, errors, limits, plan_sync, sync

from . import _run
from ._export import _listening
from ._messages import PROG, Interrupted, UsageError, error, hint, rerun_helps, say
from ._numbers import concurrency, duration, duration_text, whole
from ._options import add_request_options, add_start_options, add_verbosity, make_client, start_of
from ._parser import COMMANDS
from ._people import PeopleFileError, read_people
from ._progress import Progress, human_time

#: The exit status of a sync that completed but skipped someone Zendesk does not know.
EXIT_SKIPPED = 3

DETAILS = """\
The first run of each person reads from --start (or from the beginning); each later run
re-reads from the newest created_at stored for that person minus --overlap (default {overlap}),
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
Zendesk does not know is reported and skipped, and the exit status is 3 (0 with
--skip-missing: each is named once in the summary and counted).

--all-users: every user of the account (admins only), found with Zendesk's incremental
user export and kept in the people table; each run reads only the users created or
changed since the last one, then syncs the events of every active user by user id.

--plan: write nothing; print the people, the requests the run needs at least, the rate
limit it will pace under (Zendesk's X-Rate-Limit, or --rate-limit) and the shortest time.
With --all-users it reads the user export to count the people (requests, no writes).

The events and people tables have synced_at (when a row was inserted) and changed_at
(when its content last changed), indexed: WHERE changed_at > :last_load picks out what
changed since a warehouse's last load.

examples:
  zdevents sync --db events.db --identifier coolbikes:rider:email:jdoe@example.com
  zdevents sync --db events.db --identifiers-file people.txt --concurrency 8 -q
  zdevents sync --db events.db --all-users --plan
  zdevents sync --db events.db --all-users --skip-missing -q
  sqlite3 events.db "SELECT type, count(*) FROM events GROUP BY type"

exit status: 0 done, 1 API, network or database failure (run again to go on),
2 usage error or unusable database (another sync is using it, another schema version),
3 done but some people were skipped (0 with --skip-missing), 130 interrupted (128 + the
signal for others)
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
        epilog=DETAILS.format(overlap=duration_text(limits.DEFAULT_OVERLAP)),
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
    selector.add_argument(
        "--all-users",
        action="store_true",
        help="every user of the account, found with the incremental user export (admins only)",
    )
    who.add_argument(
        "--skip-missing",
        action="store_true",
        help="people Zendesk does not know are skipped and reported, and the run exits 0",
    )
    who.add_argument(
        "--plan",
        action="store_true",
        help="write nothing: print the people, the requests, the rate limit and the shortest time",
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
        help="re-read this far behind the newest stored event: 90s, 30m, 1h, 2d "
        f"(default {duration_text(limits.DEFAULT_OVERLAP)})",
    )
    reading.add_argument("--full", action="store_true", help="read everything again")
    net = p.add_argument_group("requests")
    net.add_argument("--page-size", metavar="N", type=_page_size, default=_MAX_PAGE_SIZE,
                     help=f"events a request, 1..{_MAX_PAGE_SIZE} (default {_MAX_PAGE_SIZE})",
                     )  # fmt: skip
    net.add_argument("--concurrency", metavar="N", type=concurrency, default=_CONCURRENCY,
                     help=f"people read at the same time (default {_CONCURRENCY})")  # fmt: skip
    add_request_options(net)
    add_verbosity(
        p, quiet="no progress and no summary", verbose="a summary line per person", exclusive=True
    )
    p.set_defaults(handler=run_sync)


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count:,} people"


def _print_plan(plan: SyncPlan, rate_limit: float | None) -> None:
    """The plan on standard output, one fact a line."""
    out = _run.stdout()
    if out is None:
        return
    lines = [f"people: {plan.people:,}"]
    if plan.discovery_requests:
        lines.append(
            f"discovery: {plan.discovery_requests:,} requests to the user export were sent "
            f"to count them ({plan.new_people:,} new people); the run sends them again"
        )
    lines.append(f"requests: at least {plan.requests:,} (a page per person)")
    limit = rate_limit if rate_limit is not None else plan.rate_limit
    if limit is not None:
        source = "--rate-limit" if rate_limit is not None else "X-Rate-Limit"
        shortest = plan.shortest_seconds(limit) or 0.0
        lines.append(f"rate limit: {limit:,.0f} requests a minute ({source})")
        lines.append(f"shortest time: {human_time(shortest)}")
    else:
        lines.append("rate limit: unknown (Zendesk did not say; give --rate-limit)")
        for name, per_minute in limits.EVENTS_API_RATE_LIMITS.items():
            shortest = plan.shortest_seconds(per_minute) or 0.0
            lines.append(f"shortest time at {name}'s {per_minute:,}/min: {human_time(shortest)}")
    out.write("".join(line + "\n" for line in lines))
    out.flush()


def _estimate(progress: Progress, report: SyncReport, rate_limit: float | None) -> float | None:
    """What the run needs at least (as ``--plan`` says), once the people are known; its
    shortest time, which the progress line then shows the run against."""
    people = len(report.selectors)
    requests = people + report.discovery_requests
    plan = SyncPlan(people, report.discovery_requests, requests, None)
    shortest = None if rate_limit is None else plan.shortest_seconds(rate_limit)
    at = "" if shortest is None else f", at least {human_time(shortest)} at {rate_limit:,.0f}/min"
    progress.message(f"{PROG}: {_people(people)}: at least {requests:,} requests{at}")
    return shortest


def _summary(report: SyncReport, verbose: bool, skip_missing: bool, shortest: float | None) -> None:
    who = _people(len(report.selectors))
    skipped = f"; {len(report.skipped):,} skipped" if report.skipped else ""
    found = ""
    if report.discovery_requests:
        found = (
            f"; discovery: {report.people_inserted:,} new, {report.people_updated:,} changed "
            f"people in {report.discovery_requests:,} requests"
        )
    against = ""
    if shortest is not None:
        against = f" (the shortest at the rate limit: {human_time(shortest)})"
    if report.completed != len(report.selectors):
        who = f"{report.completed:,} of {who}"
    say(
        f"{PROG}: synced {who} into {report.database} in {report.seconds:.1f} s{against}: "
        f"{report.inserted:,} inserted, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged; {report.rows_changed:,} rows changed{skipped}{found}"
    )
    if skip_missing and report.skipped:
        names = ", ".join(s.selector for s in report.skipped)
        say(f"{PROG}: {_people(len(report.skipped))} unknown to Zendesk, skipped: {names}")
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
        people: Any
        if ns.all_users:
            people, what = ALL_USERS, "syncing the events of every user"
        elif ns.identifiers_file is not None:
            people = [p.selector for p in read_people(ns.identifiers_file)]
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
    if ns.plan:
        return _plan(ns, client, people, what)
    progress = Progress(_run.stderr(), enabled=not ns.quiet)
    pages = 0

    def show(report: SyncReport) -> None:
        # Called once a page is stored: the first time, the run's estimate is said; then
        # the line shows the people done against it. O(1): the report's counts are kept as
        # it goes, and its selectors are a view (len only).
        nonlocal pages
        shortest = None
        if pages == 0 and not ns.quiet:
            shortest = _estimate(progress, report, ns.rate_limit)
        pages += 1
        progress.people(report.completed, len(report.selectors), shortest)
        added = report.events - progress.events
        progress.add(events=added, pages=1 if added else 0)

    kept = "what was stored is kept; run the same command again to go on"
    many = ns.all_users or ns.identifiers_file is not None
    with client:
        try:
            try:
                # -v: the library's retries and pauses too, as for `zdevents events`.
                with _listening(progress, ns.verbose):
                    report = sync(
                        client, ns.db, people,
                        source=ns.source, type=ns.type, start=start_of(ns), overlap=ns.overlap,
                        full=ns.full, page_size=ns.page_size, concurrency=ns.concurrency,
                        on_missing="skip" if many or ns.skip_missing else "raise",
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
    if not ns.skip_missing:
        for s in report.skipped:
            say(f"{PROG}: skipped {s.selector}: {s.skipped}")
    else:
        for s in report.skipped:
            if not isinstance(s.skipped, errors.NotFoundError):  # not an unknown person
                say(f"{PROG}: skipped {s.selector}: {s.skipped}")
    # The run against the plan's estimate: the least it could have taken at its pace.
    people_count = len(report.selectors)
    estimate = SyncPlan(
        people_count,
        report.discovery_requests,
        people_count + report.discovery_requests,
        None,
    )
    shortest = None if ns.rate_limit is None else estimate.shortest_seconds(ns.rate_limit)
    if not ns.quiet:
        _summary(report, ns.verbose, ns.skip_missing, shortest)
        if ns.verbose:
            say(f"{PROG}: {pages:,} pages stored")
    elif ns.skip_missing and report.skipped:
        # Even with -q: each person skipped is named once.
        names = ", ".join(s.selector for s in report.skipped)
        say(f"{PROG}: {_people(len(report.skipped))} unknown to Zendesk, skipped: {names}")
    unknown = [s for s in report.skipped if isinstance(s.skipped, errors.NotFoundError)]
    other = len(report.skipped) - len(unknown)
    if other or (unknown and not ns.skip_missing):
        return EXIT_SKIPPED
    return 0


def _plan(ns: argparse.Namespace, client: Any, people: Any, what: str) -> int:
    """``--plan``: the cost of the run, nothing written."""
    with client:
        try:
            plan = plan_sync(client, ns.db, people)
        except (errors.SyncSchemaError, TypeError, ValueError) as exc:
            error(str(exc))
            return 2
        except errors.ZendeskError as exc:
            error(f"planning ({what}) failed: {exc}; {hint(exc)}")
            return 1
        except (KeyboardInterrupt, Interrupted) as exc:
            error("interrupted; nothing was written")
            return exc.status if isinstance(exc, Interrupted) else 130
    _print_plan(plan, ns.rate_limit)
    return 0
