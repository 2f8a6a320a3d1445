"""``zdevents load``: people's events into a warehouse through dlt (``zdevents.dlt``).

Needs the extra ``zdevents[dlt]``; dlt is imported only when the command runs, so the rest
of the command line starts without it. Exit status: 0 done, 1 an API, network or
destination failure (nothing of the run is committed; run again), 2 a usage error or dlt
missing, 3 done, but some people were skipped, 130/143 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from zdevents import errors, limits

from ._messages import PROG, Interrupted, error, hint, rerun_helps, say
from ._numbers import concurrency, duration, duration_text, whole
from ._options import add_request_options, add_verbosity, make_client
from ._parser import COMMANDS
from ._people import PeopleFileError, read_people

#: The exit status of a load that completed but skipped someone Zendesk does not know.
EXIT_SKIPPED = 3

#: What to run when dlt is missing.
INSTALL_HINT = "pip install 'zdevents[dlt]'"

DETAILS = """\
Runs a dlt pipeline (https://dlthub.com) over the source zdevents.dlt: tables people,
events (merged on id: a rerun never duplicates) and profiles in the dataset --dataset of
the destination --destination. DuckDB, the default, is a file in the working directory,
named after the pipeline (zdevents.duckdb); any other dlt destination (postgres, bigquery,
snowflake, filesystem, ...) is configured the dlt way: .dlt/secrets.toml or environment
variables such as DESTINATION__POSTGRES__CREDENTIALS.

Each person's later runs read from the newest created_at loaded for them minus --overlap
(default {overlap}); the marks are kept in dlt's state, committed with the data. --full reads
everything again (events backdated further than the overlap). Zendesk credentials: as for
every command (the environment, else the stored login).

examples:
  zdevents load --identifiers-file people.txt
  zdevents load --all-users --destination postgres --dataset zendesk_events
  duckdb zdevents.duckdb "SELECT type, count(*) FROM zendesk_events.events GROUP BY 1"

exit status: 0 done, 1 API, network or destination failure (run again), 2 usage error or
dlt not installed, 3 done but some people were skipped, 130 interrupted
"""

_MAX_PAGE_SIZE: int = limits.MAX_PAGE_SIZE
_CONCURRENCY: int = limits.DEFAULT_CONCURRENCY
_OVERLAP: float = limits.DEFAULT_OVERLAP.total_seconds()


def add_load_parser(commands: Any) -> None:
    """Add ``load`` to the ``zdevents`` subcommands."""
    p = commands.add_parser(
        "load",
        help=COMMANDS["load"].help,
        description="Load the events of many people into a warehouse through dlt,\n"
        "fetching only what is new since the last run (needs zdevents[dlt]).",
        epilog=DETAILS.format(overlap=duration_text(limits.DEFAULT_OVERLAP)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = p.add_argument_group("where to")
    where.add_argument(
        "--destination", default="duckdb", help="a dlt destination name (default duckdb)"
    )
    where.add_argument(
        "--dataset",
        default="zendesk_events",
        help="the dataset (schema) to load into (default zendesk_events)",
    )
    where.add_argument(
        "--pipeline", default="zdevents", help="the dlt pipeline name (default zdevents)"
    )
    where.add_argument(
        "--pipelines-dir",
        metavar="DIR",
        help="where dlt keeps the pipeline's state (default: dlt's)",
    )
    who = p.add_argument_group("whose events (exactly one)")
    selector = who.add_mutually_exclusive_group(required=True)
    selector.add_argument(
        "--all-users",
        action="store_true",
        help="every user of the account (the incremental user export)",
    )
    selector.add_argument(
        "--identifiers-file",
        metavar="FILE",
        help="one identifier query, user_id:N or profile_id:ID a line ('-': stdin)",
    )
    filters = p.add_argument_group("filters")
    filters.add_argument("--source", help="only events from this source")
    filters.add_argument("--type", help="only events of this type (needs --source)")
    filters.add_argument(
        "--start", metavar="TIME", help="never read events created before: YYYY-MM-DD or RFC 3339"
    )
    reading = p.add_argument_group("what to read again")
    reading.add_argument(
        "--overlap",
        metavar="DURATION",
        type=duration,
        default=_OVERLAP,
        help="re-read this far behind each person's newest event "
        f"(default {duration_text(limits.DEFAULT_OVERLAP)})",
    )
    reading.add_argument("--full", action="store_true", help="read everything again")
    net = p.add_argument_group("requests")
    net.add_argument(
        "--page-size",
        metavar="N",
        type=whole(1, _MAX_PAGE_SIZE),
        default=_MAX_PAGE_SIZE,
        help=f"events a request (default {_MAX_PAGE_SIZE})",
    )
    net.add_argument(
        "--concurrency",
        metavar="N",
        type=concurrency,
        default=_CONCURRENCY,
        help=f"people read at the same time (default {_CONCURRENCY})",
    )
    add_request_options(net)
    add_verbosity(p, quiet="no summary", exclusive=True)
    p.set_defaults(handler=run_load)


@contextlib.contextmanager
def _quiet_library_log() -> Iterator[None]:
    """The source logs each skipped person; the command reports them itself, once."""
    logger = logging.getLogger("zdevents.dlt")
    handler = logging.NullHandler()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the errors under dlt's wrappers (PipelineStepFailed,
    ResourceExtractionError, ...), outermost first."""
    seen: set[int] = set()
    inner: object = exc
    while isinstance(inner, BaseException) and id(inner) not in seen:
        seen.add(id(inner))
        yield inner
        inner = getattr(inner, "exception", None) or inner.__cause__ or inner.__context__


def _cause(exc: BaseException, *kinds: type[BaseException]) -> BaseException | None:
    """The first error of ``kinds`` under dlt's wrappers, or ``None``."""
    return next((e for e in _chain(exc) if isinstance(e, kinds)), None)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def run_load(ns: argparse.Namespace) -> int:
    """Run ``zdevents load``; returns the exit status."""
    try:
        import dlt
        from dlt.common.configuration.exceptions import ConfigurationException
        from dlt.common.exceptions import MissingDependencyException

        from zdevents.dlt import LoadReport, zendesk_events
    except ImportError:
        error(f"zdevents load needs dlt: {INSTALL_HINT}")
        return 2
    try:
        people: list[Any] | None = None
        if ns.identifiers_file is not None:
            people = [p.selector for p in read_people(ns.identifiers_file)]
    except PeopleFileError as exc:
        error(str(exc))
        return 2
    try:
        client = make_client(ns)
    except (TypeError, ValueError) as exc:  # errors.ConfigurationError is a ValueError
        error(str(exc))
        return 2
    report = LoadReport()
    kept = "nothing of this run was committed; run the same command again"
    began = time.monotonic()
    with client:
        try:
            source = zendesk_events(
                people,
                all_users=people is None,
                client=client,
                source=ns.source,
                type=ns.type,
                start=ns.start,
                overlap=ns.overlap,
                full=ns.full,
                page_size=ns.page_size,
                concurrency=ns.concurrency,
                report=report,
            )
            pipeline = dlt.pipeline(
                pipeline_name=ns.pipeline,
                destination=ns.destination,
                dataset_name=ns.dataset,
                pipelines_dir=ns.pipelines_dir,
            )
        except (TypeError, ValueError) as exc:  # bad --start, --type without --source, ...
            error(str(exc))
            return 2
        except Exception as exc:  # dlt: an unknown destination, a bad pipeline name, ...
            error(f"cannot set up the pipeline: {_first_line(exc)}")
            return 2
        try:
            with _quiet_library_log():
                info = pipeline.run(source)
        except (KeyboardInterrupt, Interrupted) as exc:
            error(f"interrupted; {kept}")
            return exc.status if isinstance(exc, Interrupted) else 130
        except Exception as exc:
            # dlt wraps what a step raised, a Ctrl-C included.
            stop = _cause(exc, KeyboardInterrupt, Interrupted)
            if stop is not None:
                error(f"interrupted; {kept}")
                return stop.status if isinstance(stop, Interrupted) else 130
            setup = _cause(exc, ConfigurationException, MissingDependencyException)
            if setup is not None:
                error(f"the destination {ns.destination} is not set up: {_first_line(setup)}")
                return 2
            cause = _cause(exc, errors.ZendeskError, ValueError, TypeError)
            if isinstance(cause, errors.ZendeskError):
                again = f"; {kept}" if rerun_helps(cause) else ""
                error(f"loading failed: {cause}; {hint(cause)}{again}")
            else:
                innermost = cause or list(_chain(exc))[-1]
                error(f"loading failed: {_first_line(innermost)}; {kept}")
            return 1
    for person, reason in report.skipped.items():
        say(f"{PROG}: skipped {person}: {reason}")
    if not ns.quiet:
        who = "1 person" if report.people == 1 else f"{report.people:,} people"
        skipped = f"; {len(report.skipped)} skipped" if report.skipped else ""
        say(
            f"{PROG}: loaded {report.events:,} events of {who} into {ns.destination} "
            f"dataset {pipeline.dataset_name} at {info.destination_displayable_credentials} in "
            f"{time.monotonic() - began:.1f} s{skipped}"
        )
    return EXIT_SKIPPED if report.skipped else 0
