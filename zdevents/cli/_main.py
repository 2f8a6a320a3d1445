"""The ``zdevents`` command line: ``zdevents events`` and ``zdevents sandbox``.

Exit status: 0 success, 1 an API, network or output failure, 2 a usage error (bad flags,
missing or conflicting credentials, an unusable output or state file, a missing extra),
130 interrupted (128 + the signal number for SIGTERM, SIGHUP and the like). Expected
failures are one line on stderr, never a traceback, never a secret.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import importlib
import logging
import os
import signal
import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any, NoReturn

from zdevents import Client, Identifier, __version__, limits

from ._auth import add_commands as _add_auth_commands
from ._export import Plan, export
from ._files import TERMINATING
from ._formats import APPENDABLE_FORMATS, FORMATS
from ._messages import PROG, Interrupted, UsageError, error, say
from ._numbers import concurrency as _concurrency
from ._numbers import max_retries as _max_retries
from ._numbers import rate_limit as _rate_limit
from ._numbers import timeout as _timeout
from ._numbers import whole
from ._people import PeopleFileError, read_people
from ._secrets import scrubbed
from ._sync import add_sync_parser, run_sync
from ._track import add_commands as _add_track_commands

# The library's defaults and Zendesk's limits, defined once in zdevents.limits.
_MAX_PAGE_SIZE: int = limits.MAX_PAGE_SIZE
_CONCURRENCY: int = limits.DEFAULT_CONCURRENCY
_LOGIN_PORT: int = limits.DEFAULT_LOGIN_PORT
_LOGIN_WAIT: float = limits.LOGIN_TIMEOUT

EXAMPLES = """\
examples:
  # the events of one person by identifier query (source:type:key:value), one week
  zdevents events --identifier coolbikes:rider:email:jdoe@example.com \\
      --start 2020-02-23 --end 2020-02-29

  # by profile id, one source and type, as a table
  zdevents events --profile-id 01E1G0NJSQPNPZRV096JXKXFAA \\
      --source coolbike --type bike_rental_booked --format table

  # by Zendesk user id, as CSV into a file (written atomically)
  zdevents events --user-id 85211553 --format csv --output events.csv

  # a long export that survives interruptions: run the same command again to go on
  zdevents events --user-id 85211553 --output events.jsonl --resume events.state

  # many people at once, one selector a line
  zdevents events --identifiers-file people.txt --concurrency 8 --output events.jsonl

  # a local Events API server to try all of this on
  zdevents sandbox --port 8765 --seed demo
"""

ENVIRONMENT = """\
credentials come from the environment or the stored login, never from a flag:
  ZENDESK_SUBDOMAIN (e.g. coolbikes) or ZENDESK_BASE_URL (not both)
  one kind of credentials: ZENDESK_OAUTH_CLIENT_ID with ZENDESK_OAUTH_CLIENT_SECRET
  (cron, CI), ZENDESK_OAUTH_TOKEN (not renewable), or ZENDESK_EMAIL with
  ZENDESK_API_TOKEN (ends 2027-04-30); with none, the login of `zdevents auth login`
  ZDEVENTS_LOG=info or debug: log retries, waits (and requests) to stderr

exit status: 0 success, 1 API, network or output failure, 2 usage error (flags,
credentials, an unusable --output or --resume, a missing extra), 130 interrupted
(128 + the signal number for SIGTERM, SIGHUP and the like)
"""

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
--resume STATE (jsonl and csv) saves a checkpoint after each page; after an interruption,
run the same command again to continue where it stopped, with no event lost or repeated
(also in bulk mode: each person's position is saved). A fresh run writes to a temporary
file that replaces --output at the first checkpoint; from then on pages are appended to
--output in place. A run that fails before its first checkpoint changes neither --output
nor STATE. Only one run at a time may use a STATE (STATE.lock). A finished export leaves
STATE marked done; delete it to export again.

"""


# --------------------------------------------------------------------------- arguments


def _utf8(text: str) -> str:
    """Reject what the terminal passed as undecodable bytes (surrogate escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
        raise argparse.ArgumentTypeError(f"'{shown}' is not valid UTF-8 text") from None
    return text


# The numeric options, bounded once for every command (cli/_numbers.py).
_int_in = whole


def _time(text: str) -> str:
    """A time bound as typed; the library validates it, this adds the hints it cannot."""
    _utf8(text)
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


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (not a usage block), and which
    takes no abbreviation of a flag (``--sourc`` is no ``--source``): a flag added later
    would change what an abbreviation in someone's script means."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: list[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        # An unknown flag is named before argparse says a required one is missing (which
        # it checks first): `--userid 1` is a misspelt --user-id, not a missing selector.
        if self._subparsers is None and args is not None:
            known = set(self._option_string_actions)
            for arg in args:
                if arg == "--":
                    break
                flag = arg.split("=", 1)[0]
                if flag.startswith("--") and flag not in known:
                    close = difflib.get_close_matches(flag, sorted(known), n=1)
                    hint = f" (did you mean {close[0]}?)" if close else ""
                    self.error(f"unrecognized argument {flag}{hint}")
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        error(f"{message} (see {self.prog} --help)")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``zdevents`` (also used to render ``--help``)."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Read, track and mirror the events of Zendesk profiles through the Events API."
        ),
        epilog=EXAMPLES + "\n" + ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ev = commands.add_parser(
        "events",
        help="export the events of a profile, a user or many people",
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
        type=_utf8,
        help="identifier query source:type:key:value, e.g. coolbikes:rider:email:jdoe@example.com",
    )
    selector.add_argument("--profile-id", metavar="ID", type=_utf8, help="Zendesk profile id")
    selector.add_argument("--user-id", metavar="ID", type=_utf8, help="Zendesk user id")
    selector.add_argument(
        "--identifiers-file",
        metavar="FILE",
        help="bulk mode: one person a line (user_id:N, profile_id:ID or an identifier "
        "query; '-' for standard input; see below)",
    )

    filters = ev.add_argument_group("filters")
    filters.add_argument("--source", type=_utf8, help="only events from this source, e.g. coolbike")
    filters.add_argument("--type", type=_utf8, help="only events of this type (needs --source)")
    filters.add_argument(
        "--start",
        metavar="TIME",
        type=_time,
        help="events created at or after: YYYY-MM-DD (00:00 UTC) or RFC 3339 with offset",
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
        help="checkpoint to STATE after each page and continue from it when run again "
        "(jsonl or csv, needs --output)",
    )
    out.add_argument(
        "--skip-missing",
        action="store_true",
        help="bulk mode: a person Zendesk does not know (404) is named on stderr and skipped",
    )
    out.add_argument("--quiet", "-q", action="store_true", help="no progress, no summary")
    out.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="show retries and waits on stderr (as ZDEVENTS_LOG=info does)",
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
    net.add_argument(
        "--rate-limit",
        metavar="PER_MIN",
        type=_rate_limit,
        help="send at most this many requests a minute (stay under your plan's limit)",
    )
    net.add_argument(
        "--max-retries",
        metavar="N",
        type=_max_retries,
        help="retries of a failed request: 429, 5xx, network errors (default 4; 0: none)",
    )
    net.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_timeout,
        help="seconds to wait for each response (default 30)",
    )

    _add_auth_commands(commands, default_port=_LOGIN_PORT, default_wait=_LOGIN_WAIT)
    add_sync_parser(commands)
    _add_track_commands(commands, environment=ENVIRONMENT)  # track, profile(s): cli/_track.py

    commands.add_parser(
        "sandbox",
        help="run a local Events API server for trying and testing "
        "(zdevents sandbox --help for its options)",
        add_help=False,
    )
    return parser


# --------------------------------------------------------------------------- plan

#: The library names its parameters in its messages; the user typed flags.
_FLAGS = {
    "identifier": "--identifier",
    "profile_id": "--profile-id",
    "user_id": "--user-id",
    "source": "--source",
    "type": "--type",
    "start": "--start",
    "end": "--end",
    "page_size": "--page-size",
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
    filters: dict[str, Any] = {
        name: value
        for name, value in (
            ("source", ns.source),
            ("type", ns.type),
            ("start", ns.start),
            ("end", ns.end),
        )
        if value is not None
    }
    filters["page_size"] = page_size
    try:
        if bulk:
            # The filters first, with a stand-in person (events() is lazy: nothing is sent),
            # so that a bad filter is not blamed on a line of the file.
            client.events(user_id=1, **filters)
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


def _client_options(ns: argparse.Namespace) -> dict[str, Any]:
    return {
        name: value
        for name, value in (
            ("timeout", ns.timeout),
            ("max_retries", ns.max_retries),
            ("rate_limit", ns.rate_limit),
        )
        if value is not None
    }


# --------------------------------------------------------------------------- commands


def _usage(message: str, command: str = "events") -> int:
    error(f"{message} (see {PROG} {command} --help)")
    return 2


def _events(ns: argparse.Namespace) -> int:
    try:
        client = Client.from_env(**_client_options(ns))
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


def _sandbox(argv: list[str]) -> int:
    try:
        module = importlib.import_module("zdevents.sandbox")
        sandbox_main = module.main
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("zdevents"):
            raise
        error(
            f"the sandbox needs extra packages ({exc.name} is missing): "
            "pip install 'zdevents[sandbox]'"
        )
        return 2
    return int(sandbox_main(argv, prog="zdevents sandbox"))


def _on_signal(signum: int, frame: FrameType | None) -> NoReturn:
    raise Interrupted(signum)


@contextlib.contextmanager
def _signals_as_interrupts() -> Iterator[None]:
    """SIGTERM, SIGHUP and the other terminating signals end the run the way Ctrl-C does:
    through the handlers that remove temporary files."""
    previous: dict[int, Any] = {}
    try:
        for signum in TERMINATING:
            if signum != signal.SIGINT:
                previous[signum] = signal.signal(signum, _on_signal)
    except ValueError:  # not the main thread (e.g. main() called from a test thread)
        pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _fill_closed_standard_fds() -> None:
    """Put the null device on a closed fd 0, 1 or 2 (``>&-``), so that no file this run
    opens gets that number: a stray write to "stderr" must not land in the output file.
    Python has already set ``sys.stdout``/``sys.stderr`` to None for them, which is how a
    closed stdout is still told apart (see _export)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


class _Notices(logging.Filter):
    """The library's once-per-process notices (API tokens end on 2027-04-30) said the
    command line's way: one line on stderr per run, none with -q."""

    def __init__(self, quiet: bool) -> None:
        super().__init__()
        self.quiet = quiet

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "zdevents_notice", None) is None:
            return True
        if not self.quiet:
            say(f"{PROG}: notice: {record.getMessage()}")
        return False


@contextlib.contextmanager
def _notices(*, quiet: bool) -> Iterator[None]:
    logger = logging.getLogger("zdevents")
    notices = _Notices(quiet)
    logger.addFilter(notices)
    try:
        yield
    finally:
        logger.removeFilter(notices)


def main(argv: list[str] | None = None) -> int:
    """Run ``zdevents`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    _fill_closed_standard_fds()
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["sandbox"]:
        # The sandbox owns its options and its signal handling.
        return _sandbox(args[1:])
    parser = build_parser()
    try:
        ns = parser.parse_args(args)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else 2
    if ns.command is None:
        commands = "auth, events, sync, track, profile, profiles or sandbox"
        error(f"a command is needed: {commands} (see {PROG} --help)")
        return 2
    with _signals_as_interrupts(), _notices(quiet=bool(getattr(ns, "quiet", False))):
        try:
            if ns.command == "sync":
                return run_sync(ns)
            if getattr(ns, "handler", None) is not None:
                return int(ns.handler(ns))
            return _events(ns)
        except (KeyboardInterrupt, Interrupted) as exc:
            # Before the export started (e.g. reading --identifiers-file - from a terminal).
            error("interrupted")
            return exc.status if isinstance(exc, Interrupted) else 130
        except Exception as exc:
            # The last line of defence outside an export (which cleans up its own files):
            # one line, never a traceback or a credential.
            error(f"unexpected {type(exc).__name__}: {scrubbed(str(exc))}")
            return 1
