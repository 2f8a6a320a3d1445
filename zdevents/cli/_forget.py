"""``zdevents forget``: erase a person at Zendesk and in the mirrors of ``zdevents sync``.

Shows what will be deleted (the person's profiles and their events, the rows of each mirror
given with ``--db``), asks on a terminal (``--yes`` to run without asking; without a
terminal ``--yes`` is required), then deletes at Zendesk and purges each mirror. Appends a
line to the erasure log (ids and counts only). Exit 0 when everything is erased, 1 when a
mirror is still to purge (a sync holds it: run the same command again) or on a failure,
2 on a usage error.
"""

from __future__ import annotations

import argparse
from typing import Any

from zdevents import ForgetReport, errors, forget

from . import _numbers as numbers
from . import _run
from ._messages import PROG, error, hint, say
from ._options import add_request_options, make_client
from ._parser import COMMANDS, ENVIRONMENT

DETAILS = """\
what it does: finds the person's profiles (--user-id: every profile of that Zendesk
user), shows them with their number of events and the rows of each --db mirror, asks
for "yes" (--yes: does not ask; without a terminal --yes is required), deletes each
profile at Zendesk (its events go with it; Zendesk's own "zendesk" profile is kept if
Zendesk refuses, and said so), then purges the person's rows from each mirror in one
transaction (events, people, sync state), waiting --wait seconds for a running sync.

the erasure log (--log FILE, else erasures.jsonl under ZDEVENTS_HOME) gets one JSON
line per run: when, the kind of request, profile and user ids, counts; never an
identifier's value or a name.

a mirror that a running sync holds is reported as NOT purged (exit 1): run the same
command again once the sync is over; it finishes the job.

examples:
  zdevents forget --identifier coolbikes:rider:email:jdoe@example.com --db events.db \\
      --dry-run
  zdevents forget --user-id 85211553 --db events.db --db archive.db --yes
"""


def add_parser(commands: Any, *, environment: str = ENVIRONMENT) -> None:
    """Register ``forget`` on the ``zdevents`` subparsers."""
    fp = commands.add_parser(
        "forget",
        help=COMMANDS["forget"].help,
        description=(
            "Delete a person's profiles and events at Zendesk and purge them from each "
            "mirror of zdevents sync, keeping a record without personal data."
        ),
        epilog=DETAILS + "\n" + environment,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    who = fp.add_mutually_exclusive_group(required=True)
    who.add_argument("--identifier", metavar="QUERY", help="the profile of an identifier query")
    who.add_argument("--profile-id", metavar="ID", help="one profile, by id")
    who.add_argument("--user-id", metavar="N", help="every profile of a Zendesk user")
    fp.add_argument(
        "--db",
        metavar="FILE",
        action="append",
        default=[],
        help="a mirror of zdevents sync to purge too (repeat for several)",
    )
    fp.add_argument("--dry-run", action="store_true", help="show what would go; change nothing")
    fp.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    fp.add_argument("--log", metavar="FILE", help="the erasure log (default: under ZDEVENTS_HOME)")
    fp.add_argument(
        "--wait",
        metavar="SECONDS",
        type=numbers.timeout,
        default=0.0,
        help="wait this long for a sync that holds a mirror (default 0: report it)",
    )
    add_request_options(fp.add_argument_group("requests"), rate_limit=False)
    fp.set_defaults(handler=run)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def _out(line: str) -> None:
    stream = _run.stdout()
    if stream is not None:
        print(line, file=stream, flush=True)


def _show(report: ForgetReport) -> None:
    for p in report.profiles:
        if p.refused:
            state = f"KEPT: {p.refused}; a sync of its user brings its events back"
        elif p.deleted:
            state = "deleted"
        else:
            state = "to delete"
        _out(f"profile {p.id} ({p.source}:{p.type}), {p.events} events: {state}")
    if not report.profiles:
        _out("no profile found at Zendesk (deleted already, or never there)")
    for m in report.mirrors:
        rows = ", ".join(f"{n} {table}" for table, n in sorted(m.rows.items()) if n) or "no rows"
        if m.purged:
            _out(f"mirror {m.path}: purged ({rows})")
        elif m.problem and not report.dry_run:
            _out(f"mirror {m.path}: NOT purged yet ({rows} left): {m.problem}")
        else:
            _out(f"mirror {m.path}: {rows} to purge")


def _ask(report: ForgetReport) -> bool:
    _show(report)
    if not report.profiles and not any(m.total for m in report.mirrors):
        return True  # nothing to lose: the log still records the request
    stream = _run.stderr()
    if stream is not None:
        print(f"{PROG}: delete these for good? type yes: ", end="", file=stream, flush=True)
    stdin = _run.stdin()
    answer = stdin.readline() if stdin is not None else ""
    return answer.strip().lower() in ("y", "yes")


def run(ns: argparse.Namespace) -> int:
    """``zdevents forget``."""
    interactive = not ns.yes and not ns.dry_run
    if interactive and not _is_terminal(_run.stdin()):
        error(
            "forget deletes for good and there is no terminal to ask on: give --yes "
            "(or --dry-run to see what it would delete)"
        )
        return 2
    try:
        client = make_client(ns)
    except (TypeError, ValueError) as exc:
        error(str(exc))
        return 2
    with client:
        try:
            report = forget(
                client,
                identifier=ns.identifier,
                profile_id=ns.profile_id,
                user_id=ns.user_id,
                mirrors=ns.db,
                dry_run=ns.dry_run,
                log=ns.log,
                wait=ns.wait,
                confirm=_ask if interactive else None,
                environ=_run.environ(),
            )
        except errors.SyncError as exc:
            error(f"forget failed: {exc}")
            return 1
        except errors.ZendeskError as exc:
            error(f"forget failed: {exc}; {hint(exc)}")
            return 1
        except (TypeError, ValueError) as exc:
            error(str(exc))
            return 2
        except OSError as exc:
            error(f"forget failed: cannot write the erasure log or its state: {exc.strerror}")
            return 1
    if report.cancelled:
        say(f"{PROG}: nothing was deleted")
        return 1
    if not interactive or report.dry_run:
        _show(report)
    else:
        _out("done:")
        _show(report)
    if report.dry_run:
        return 0
    if report.log_problem is not None:
        error(f"{report.log_problem}; the lines above are the only record of this erasure")
        return 1
    if report.pending:
        error(
            f"{len(report.pending)} mirror(s) not purged yet (a sync holds them, or the "
            "purge failed: see above): run the same command again when that is over"
        )
        return 1
    return 0
