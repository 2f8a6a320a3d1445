"""The ``zdevents`` command line: ``zdevents events`` and ``zdevents sandbox``.

Exit status: 0 success, 1 an API, network or output failure, 2 a usage error (bad flags,
missing credentials, an unusable state file), 130 interrupted (143 on SIGTERM). Expected
failures are one line on stderr, never a traceback, never a secret.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import IO, Any, NoReturn

import attrs

from zdevents import Client, Identifier, __version__, errors, is_transient
from zdevents._query import MAX_PAGE_SIZE, EventQuery, make_query  # TODO(cli): public names only

from ._checkpoint import (
    Checkpoint,
    CheckpointError,
    differences,
    fsync_file,
    load_checkpoint,
    save_checkpoint,
)
from ._files import AtomicFile
from ._formats import APPENDABLE_FORMATS, FORMATS, EventWriter, make_writer
from ._progress import Progress

__all__ = ["main"]

PROG = "zdevents"

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

  # many people at once, one identifier query a line
  zdevents events --identifiers-file people.txt --concurrency 8 --output events.jsonl

  # a local Events API server to try all of this on
  zdevents sandbox --port 8765 --seed demo
"""

ENVIRONMENT = """\
credentials come from the environment, never from a flag:
  ZENDESK_SUBDOMAIN (e.g. coolbikes) or ZENDESK_BASE_URL
  ZENDESK_EMAIL with ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN

exit status: 0 success, 1 API or network failure, 2 usage error, 130 interrupted
"""

EVENTS_DETAILS = """\
formats:
  jsonl  one event a line, the JSON object exactly as received (default)
  json   one JSON array
  csv    header, then id,source,type,description,created_at,received_at,properties
         (timestamps as received, properties as JSON text)
  table  aligned columns for reading in a terminal (long cells are cut)

bulk mode (--identifiers-file): events of several people are interleaved. csv and table
get a first column "selector"; jsonl and json wrap each event as
{"selector": "<identifier query>", "event": {...the event exactly as received...}}.

--output writes to a temporary file and renames it when the export is complete: a failed
or interrupted export leaves no file, and an existing file stays as it was.
--resume STATE (jsonl and csv) saves a checkpoint after each page; after an interruption,
run the same command again to continue where it stopped, with no event lost or repeated.
A fresh run writes to a temporary file that replaces --output at the first checkpoint;
from then on pages are appended to --output in place. A run that fails before its first
checkpoint changes neither --output nor STATE. A finished export leaves STATE marked done;
delete it to export again.

"""


class UsageError(Exception):
    """A mistake in the command line: exit status 2."""


class _Terminated(BaseException):
    """SIGTERM, handled like Ctrl-C (so that temporary files are removed)."""


def _on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    raise _Terminated


# --------------------------------------------------------------------------- arguments


def _int_at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {minimum}")
        return value

    return parse


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (not a usage block)."""

    def error(self, message: str) -> NoReturn:
        _error(f"{message} (see {self.prog} --help)")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``zdevents`` (also used to render ``--help``)."""
    parser = _Parser(
        prog=PROG,
        description="Read the events of Zendesk profiles through the Events API.",
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
        help="identifier query source:type:key:value, e.g. coolbikes:rider:email:jdoe@example.com",
    )
    selector.add_argument("--profile-id", metavar="ID", help="Zendesk profile id")
    selector.add_argument("--user-id", metavar="ID", help="Zendesk user id")
    selector.add_argument(
        "--identifiers-file",
        metavar="FILE",
        help="bulk mode: one identifier query a line ('-' for stdin; blank lines and "
        "lines starting with # are ignored)",
    )

    filters = ev.add_argument_group("filters")
    filters.add_argument("--source", help="only events from this source, e.g. coolbike")
    filters.add_argument("--type", help="only events of this type (needs --source)")
    filters.add_argument(
        "--start",
        metavar="TIME",
        help="events created at or after: YYYY-MM-DD (00:00 UTC) or RFC 3339 with offset",
    )
    filters.add_argument(
        "--end",
        metavar="TIME",
        help="events created at or before: YYYY-MM-DD (the whole UTC day) or RFC 3339",
    )
    filters.add_argument(
        "--limit", metavar="N", type=_positive_int, help="stop after N events in all"
    )

    out = ev.add_argument_group("output")
    out.add_argument(
        "--format", choices=FORMATS, default="jsonl", help="output format (default jsonl)"
    )
    out.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE, atomically (default stdout)"
    )
    out.add_argument(
        "--resume",
        metavar="STATE",
        help="checkpoint to STATE after each page and continue from it when run again "
        "(jsonl or csv, needs --output)",
    )
    out.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")

    net = ev.add_argument_group("requests")
    net.add_argument(
        "--page-size",
        metavar="N",
        type=_positive_int,
        default=None,
        help=f"events a request, 1..{MAX_PAGE_SIZE} (default {MAX_PAGE_SIZE})",
    )
    net.add_argument(
        "--concurrency",
        metavar="N",
        type=_positive_int,
        default=None,
        help="bulk mode: people exported at the same time (default 8)",
    )
    net.add_argument(
        "--rate-limit",
        metavar="PER_MIN",
        type=_positive_float,
        help="send at most this many requests a minute (stay under your plan's limit)",
    )
    net.add_argument(
        "--max-retries",
        metavar="N",
        type=_non_negative_int,
        help="retries of a failed request: 429, 5xx, network errors (default 4; 0: none)",
    )
    net.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_float,
        help="seconds to wait for each response (default 30)",
    )

    commands.add_parser(
        "sandbox",
        help="run a local Events API server for trying and testing "
        "(zdevents sandbox --help for its options)",
        add_help=False,
    )
    return parser


# --------------------------------------------------------------------------- plan


@attrs.frozen
class Plan:
    """Everything an export needs, checked before any request."""

    query: EventQuery
    selectors: list[str] | None  # bulk mode
    fmt: str
    output: str | None
    resume: str | None
    limit: int | None
    quiet: bool
    concurrency: int
    client_options: dict[str, Any]

    def query_kwargs(self) -> dict[str, Any]:
        q = self.query
        return {
            "source": q.source,
            "type": q.type,
            "start": q.start,
            "end": q.end,
            "page_size": q.page_size,
        }

    def selector_kwargs(self) -> dict[str, Any]:
        q = self.query
        return {"identifier": q.identifier, "profile_id": q.profile_id, "user_id": q.user_id}

    def describe(self) -> str:
        """What is being read, for error messages (the user typed it, so all of it)."""
        if self.selectors is not None:
            return f"reading the events of {len(self.selectors)} identifiers"
        q = self.query
        if q.identifier is not None:
            return f"reading the events of identifier {q.identifier}"
        if q.profile_id is not None:
            return f"reading the events of profile {q.profile_id}"
        return f"reading the events of user {q.user_id}"

    def checkpoint_key(self) -> dict[str, Any]:
        """What must match for a state file to be reused."""
        q = self.query
        return {
            "identifier": None if q.identifier is None else str(q.identifier),
            "profile_id": q.profile_id,
            "user_id": q.user_id,
            "source": q.source,
            "type": q.type,
            "start": q.start,
            "end": q.end,
            "page_size": q.page_size,
            "limit": self.limit,
            "format": self.fmt,
            "output": os.path.abspath(self.output) if self.output else None,
        }


def read_identifiers(path: str) -> list[str]:
    """Identifier queries of a bulk file, checked, in order, without repeats.

    Raises :class:`UsageError` naming the first bad line.
    """
    try:
        if path == "-":
            lines = sys.stdin.read().splitlines()
        else:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --identifiers-file {path}: {exc}") from None
    # A repeated identifier would export the same events twice; the first spelling is kept.
    seen: dict[tuple[str, ...], str] = {}
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            identifier = Identifier.parse(text)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{path} line {number}: {exc}") from None
        seen.setdefault(identifier.matching_key(), str(identifier))
    if not seen:
        raise UsageError(f"{path} holds no identifier queries")
    return list(seen.values())


def make_plan(ns: argparse.Namespace) -> Plan:
    """Check the arguments together; raises UsageError, ValueError or TypeError."""
    bulk = ns.identifiers_file is not None
    if ns.concurrency is not None and not bulk:
        raise UsageError("--concurrency only applies with --identifiers-file")
    if ns.resume is not None:
        if ns.output is None:
            raise UsageError("--resume needs --output FILE: standard output cannot be resumed")
        if ns.format not in APPENDABLE_FORMATS:
            raise UsageError(
                f"--resume works with --format jsonl or csv, not {ns.format} "
                "(a json array or a table cannot be appended to)"
            )
        if bulk:
            raise UsageError("--resume does not work with --identifiers-file yet")
        if os.path.abspath(ns.resume) == os.path.abspath(ns.output):
            raise UsageError("--resume STATE must be another file than --output")
    page_size = ns.page_size
    if page_size is None:
        # A small --limit needs no full page.
        page_size = min(MAX_PAGE_SIZE, ns.limit) if ns.limit else MAX_PAGE_SIZE
    selectors = read_identifiers(ns.identifiers_file) if bulk else None
    query = make_query(
        selectors[0] if selectors else ns.identifier,
        ns.profile_id,
        ns.user_id,
        source=ns.source,
        type=ns.type,
        start=ns.start,
        end=ns.end,
        page_size=page_size,
    )
    if ns.output is not None:
        directory = os.path.dirname(os.path.abspath(ns.output))
        if not os.path.isdir(directory):
            raise UsageError(f"--output {ns.output}: directory {directory} does not exist")
        if os.path.isdir(ns.output):
            raise UsageError(f"--output {ns.output} is a directory")
    options = {
        name: value
        for name, value in (
            ("timeout", ns.timeout),
            ("max_retries", ns.max_retries),
            ("rate_limit", ns.rate_limit),
        )
        if value is not None
    }
    return Plan(
        query=query,
        selectors=selectors,
        fmt=ns.format,
        output=ns.output,
        resume=ns.resume,
        limit=ns.limit,
        quiet=ns.quiet,
        concurrency=ns.concurrency or 8,
        client_options=options,
    )


# --------------------------------------------------------------------------- errors

_HINTS: list[tuple[type[errors.ZendeskError], str]] = [
    (
        errors.AuthenticationError,
        "check ZENDESK_EMAIL and ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN) "
        "and the account in ZENDESK_SUBDOMAIN/ZENDESK_BASE_URL",
    ),
    (
        errors.PermissionDeniedError,
        "the credentials' user must be an agent or admin allowed to read profiles and events",
    ),
    (
        errors.NotFoundError,
        "no such profile, identifier or user in this account; check the selector and "
        "ZENDESK_SUBDOMAIN/ZENDESK_BASE_URL",
    ),
    (errors.BadRequestError, "check --start, --end, --source, --type and the selector"),
    (
        errors.RateLimitError,
        "the account's rate limit is used up; try again later, or set --rate-limit below "
        "your plan's requests a minute",
    ),
    (
        errors.ServerError,
        "Zendesk could not answer; try again later (quote the request id to Zendesk support "
        "if it goes on)",
    ),
    (errors.APITimeoutError, "Zendesk or the network is slow; try again or raise --timeout"),
    (
        errors.APIConnectionError,
        "check the network and ZENDESK_SUBDOMAIN/ZENDESK_BASE_URL, then try again",
    ),
    (
        errors.BadResponseError,
        "the answer is not what the Events API sends; check that ZENDESK_BASE_URL points "
        "at Zendesk, then try again",
    ),
    (errors.PaginationError, "the API's paging went wrong; report this to Zendesk support"),
]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _hint(exc: errors.ZendeskError) -> str:
    for cls, hint in _HINTS:
        if isinstance(exc, cls):
            return hint
    return "try again"


def _error(message: str) -> None:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr, flush=True)


def _usage(message: str) -> int:
    _error(message)
    return 2


# --------------------------------------------------------------------------- export


@attrs.define
class _Sink:
    """Where the bytes go, and what to do with them at the end."""

    file: IO[bytes]
    atomic: AtomicFile | None = None
    start: Checkpoint | None = None  # resume mode: where we stand
    owned: bool = False


def _open_sink(plan: Plan) -> _Sink:
    """Open the output before any request, so a bad path costs nothing."""
    if plan.output is None:
        sys.stdout.flush()
        return _Sink(sys.stdout.buffer)
    if plan.resume is None:
        try:
            atomic = AtomicFile(plan.output)
        except OSError as exc:
            raise UsageError(f"cannot write --output {plan.output}: {exc.strerror}") from None
        return _Sink(atomic.file, atomic=atomic, owned=True)
    key = plan.checkpoint_key()
    try:
        cp = load_checkpoint(plan.resume)
    except CheckpointError as exc:
        raise UsageError(str(exc)) from None
    f: IO[bytes]
    if cp is None:
        # A fresh run writes to a temporary file, renamed over --output at the first
        # checkpoint: a run that fails before its first page changes no file.
        try:
            atomic = AtomicFile(plan.output)
        except OSError as exc:
            raise UsageError(f"cannot write --output {plan.output}: {exc.strerror}") from None
        return _Sink(atomic.file, atomic=atomic, start=Checkpoint(key), owned=True)
    changed = differences(cp.key, key)
    if changed:
        raise UsageError(
            f"{plan.resume} is the state of another export (differs in: {', '.join(changed)}); "
            "rerun that command, or delete the file or pick another --resume STATE to start "
            "this one"
        )
    if cp.done:
        return _Sink(sys.stdout.buffer, start=cp)
    try:
        f = open(plan.output, "r+b")  # noqa: SIM115 - closed by _export
    except FileNotFoundError:
        raise UsageError(
            f"{plan.output} is gone, so {plan.resume} cannot be resumed; "
            "delete the state file to start over"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot write --output {plan.output}: {exc.strerror}") from None
    size = os.fstat(f.fileno()).st_size
    if size < cp.offset:
        f.close()
        raise UsageError(
            f"{plan.output} is shorter than {plan.resume} says ({size} < {cp.offset} bytes); "
            "delete the state file to start over"
        )
    # Drop whatever was written after the last checkpoint: a page that did not finish.
    f.truncate(cp.offset)
    f.seek(cp.offset)
    return _Sink(f, start=cp, owned=True)


class _Exporter:
    """Runs one export: pages to the writer, checkpoints, progress, the limit."""

    def __init__(self, plan: Plan, client: Client, sink: _Sink) -> None:
        self.plan = plan
        self.client = client
        self.sink = sink
        self.saved = False  # a checkpoint was written: a rerun goes on from it
        self.writer: EventWriter = make_writer(plan.fmt, sink.file, bulk=plan.selectors is not None)
        start = sink.start
        self.progress = Progress(
            sys.stderr,
            enabled=not plan.quiet,
            events=start.events if start else 0,
            pages=start.pages if start else 0,
        )

    def resumable(self) -> bool:
        """Whether running the same command again would go on from a checkpoint."""
        start = self.sink.start
        return self.saved or (start is not None and start.cursor is not None)

    @property
    def count(self) -> int:
        return self.progress.events

    def _room(self) -> int | None:
        return None if self.plan.limit is None else self.plan.limit - self.count

    def _checkpoint(self, cursor: str | None, *, done: bool) -> None:
        assert self.sink.start is not None and self.plan.resume is not None
        if self.sink.atomic is not None:
            # The first checkpoint of a fresh run: from now on --output is the export's.
            self.sink.atomic.publish()
        else:
            fsync_file(self.sink.file)
        cp = attrs.evolve(
            self.sink.start,
            cursor=cursor,
            events=self.count,
            pages=self.progress.pages,
            offset=self.sink.file.tell(),
            done=done,
        )
        save_checkpoint(self.plan.resume, cp)
        self.saved = True

    def run(self) -> None:
        start = self.sink.start
        if start is None or (start.cursor is None and start.offset == 0):
            self.writer.begin()
        if self.plan.selectors is not None:
            self._run_bulk()
        else:
            self._run_single(start.cursor if start else None)
        self.writer.finish()
        self.sink.file.flush()
        if start is not None:
            self._checkpoint(None, done=True)

    def _run_single(self, after: str | None) -> None:
        stream = self.client.events(**self.plan.selector_kwargs(), **self.plan.query_kwargs(),
                                    after=after)  # fmt: skip
        for page in stream.pages():
            room = self._room()
            events = page.events if room is None or room >= len(page) else page.events[:room]
            for event in events:
                self.writer.write(event)
            self.writer.end_page()
            self.sink.file.flush()
            self.progress.add(events=len(events), pages=1)
            if self._room() == 0 or not page.has_more:
                return
            # Without a cursor this page cannot be resumed after; the previous checkpoint
            # stays, and a rerun redoes this page (the truncation drops its lines).
            if self.sink.start is not None and page.cursor is not None:
                self._checkpoint(page.cursor, done=False)

    def _run_bulk(self) -> None:
        assert self.plan.selectors is not None
        pairs = self.client.events_many(
            self.plan.selectors, concurrency=self.plan.concurrency, **self.plan.query_kwargs()
        )
        try:
            batch = 0
            for selector, event in pairs:
                self.writer.write(event, str(selector))
                self.progress.add(events=1)
                batch += 1
                if batch == self.plan.query.page_size:
                    self.writer.end_page()
                    self.sink.file.flush()
                    batch = 0
                if self._room() == 0:
                    break
            self.writer.end_page()
        finally:
            close = getattr(pairs, "close", None)
            if close is not None:
                close()


_AGAIN = "; run the same command again to resume"


def _rerun_helps(exc: errors.ZendeskError) -> bool:
    """Whether the failure may be gone on a rerun (network, 5xx, 429, timeouts), unlike a
    400, 401, 403 or 404, which the same command would get again."""
    return is_transient(exc)


def _export(plan: Plan) -> int:
    try:
        client = Client.from_env(**plan.client_options)
    except (TypeError, ValueError) as exc:  # errors.ConfigurationError is a ValueError
        return _usage(str(exc))
    with client:
        try:
            sink = _open_sink(plan)
        except UsageError as exc:
            return _usage(str(exc))
        if sink.start is not None and sink.start.done:
            if not plan.quiet:
                print(
                    f"{PROG}: {plan.output} is already complete ({sink.start.events} events); "
                    f"delete {plan.resume} to export again",
                    file=sys.stderr,
                )
            return 0
        exporter = _Exporter(plan, client, sink)
        try:
            try:
                exporter.run()
            finally:
                exporter.progress.close()
            if sink.atomic is not None:
                sink.atomic.commit()
            elif sink.owned:
                sink.file.close()
        except errors.ZendeskError as exc:
            _discard(sink)
            after = _AGAIN if _rerun_helps(exc) and exporter.resumable() else ""
            # Bulk export notes which selector failed.
            where = "".join(f" ({note})" for note in getattr(exc, "__notes__", ()))
            _error(f"{plan.describe()} failed{where}: {exc}; {_hint(exc)}{after}")
            return 1
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): that is how it says it has enough.
            _discard(sink)
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except OSError as exc:
            _discard(sink)
            where = plan.output or "standard output"
            again = _AGAIN if exporter.resumable() else ""
            _error(f"writing {where} failed: {exc}{again}")
            return 1
        except (KeyboardInterrupt, _Terminated) as exc:
            _discard(sink)
            done = f" after {exporter.count} events" if exporter.count else ""
            again = _AGAIN if exporter.resumable() else ""
            _error(f"interrupted{done}{again}")
            return 143 if isinstance(exc, _Terminated) else 130
    if not plan.quiet and plan.output is not None and sys.stderr.isatty():
        print(f"{PROG}: wrote {exporter.count} events to {plan.output}", file=sys.stderr)
    return 0


def _discard(sink: _Sink) -> None:
    if sink.atomic is not None:
        sink.atomic.discard()
    elif sink.owned:
        with contextlib.suppress(OSError):
            sink.file.close()


# --------------------------------------------------------------------------- commands


def _events(ns: argparse.Namespace) -> int:
    try:
        plan = make_plan(ns)
    except (UsageError, TypeError, ValueError) as exc:
        return _usage(str(exc))
    return _export(plan)


def _sandbox(argv: list[str]) -> int:
    try:
        module = importlib.import_module("zdevents.sandbox")
        sandbox_main = module.main
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("zdevents"):
            raise
        _error(
            f"the sandbox needs extra packages ({exc.name} is missing): "
            "pip install 'zdevents[sandbox]'"
        )
        return 2
    return int(sandbox_main(argv, prog="zdevents sandbox"))


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread (e.g. main() called from a test thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    """Run ``zdevents`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
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
        return _usage(f"a command is needed: events or sandbox (see {PROG} --help)")
    with _sigterm_as_interrupt():
        try:
            return _events(ns)
        except (KeyboardInterrupt, _Terminated) as exc:
            # Before the export started (e.g. reading --identifiers-file - from a terminal).
            _error("interrupted")
            return 143 if isinstance(exc, _Terminated) else 130
