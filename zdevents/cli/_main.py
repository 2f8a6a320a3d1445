"""The ``zdevents`` command line: the top-level parser, the dispatch to a command's module,
and what every run shares (its streams and environment, signals, notices, exit status).

One module a command, as ``_parser.COMMANDS`` lists them: ``_events`` (events), ``_auth``
(auth), ``_sync`` (sync), ``_people_command`` (people), ``_load`` (load), ``_track`` (track),
``_profiles`` (profile, profiles), ``_forget`` (forget), ``_sandbox`` (sandbox),
``_completion`` (completion), over the shared options and client factory of ``_options``.
Exit status: 0 success, 1 an API, network or output failure, 2 a usage error (bad flags,
missing or conflicting credentials, an unusable output or state file, a missing extra), 130
interrupted (128 + the signal number for SIGTERM, SIGHUP and the like). Expected failures
are one line on stderr, never a traceback, never a secret.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import signal
import sys
from collections.abc import Iterator, Mapping
from types import FrameType
from typing import Any, NoReturn, TextIO

from zdevents import __version__, limits

from . import _run, _sandbox
from ._files import TERMINATING
from ._messages import PROG, Interrupted, error, say
from ._parser import COMMANDS, ENVIRONMENT, Parser, overview

#: ``build_parser(only=ALL)``: every command's whole parser.
ALL = "*"


def build_parser(only: str = ALL) -> argparse.ArgumentParser:
    """The argument parser of ``zdevents`` (also used to render ``--help``).

    ``only``: the name of the one command whose whole parser is built (with the commands its
    module adds with it); the others get their name and help line only, and their modules
    are not imported. ``""``: none (``zdevents --help``, ``--version``)."""
    parser = Parser(
        prog=PROG,
        description=(
            "Read, track and mirror the events of Zendesk profiles through the Events API."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = COMMANDS.get(only)
    built: set[str] = set()
    for name, entry in COMMANDS.items():
        if only != ALL and (chosen is None or entry.module != chosen.module):
            commands.add_parser(name, help=entry.help, add_help=False)
        elif entry.module not in built:  # _track adds track, profile and profiles at once
            built.add(entry.module)
            module = importlib.import_module(f"{__package__}.{entry.module}")
            getattr(module, entry.register)(commands)
    # After every command: an example of each, from the command's own help.
    parser.epilog = overview() + "\n" + ENVIRONMENT
    return parser


def _command(args: list[str]) -> str:
    """The command named in ``args`` (the first word that is not a flag), or ``""``."""
    return next((arg for arg in args if not arg.startswith("-")), "")


def _started() -> None:
    """Ctrl-C is Python's again: the package made it a quiet exit (status 130) while the
    command imported its modules, which goes on until its parser is built (see
    zdevents._startup, which marks its handler)."""
    if getattr(signal.getsignal(signal.SIGINT), "zdevents_start_up", False):
        signal.signal(signal.SIGINT, signal.default_int_handler)


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


_LOG_LEVELS = {name: logging.getLevelName(name.upper()) for name in limits.LOG_LEVELS}


@contextlib.contextmanager
def _run_log(environ: Mapping[str, str] | None) -> Iterator[None]:
    """``ZDEVENTS_LOG`` of an in-process run's own environment: the library reads it from
    the process's when it is imported, so a run given another one logs to its own stderr
    for as long as it runs (the logger is left as it was)."""
    level = _LOG_LEVELS.get((environ or {}).get("ZDEVENTS_LOG", "").strip().lower())
    stream = _run.stderr()
    if environ is None or level is None or stream is None:
        yield
        return
    logger = logging.getLogger("zdevents")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("[%(asctime)s %(levelname)s %(name)s] %(message)s"))
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def main(
    argv: list[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run ``zdevents`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status.

    ``stdin``, ``stdout``, ``stderr`` and ``environ``, when given, are this run's in place of
    the process's (which are then neither read nor changed): the command runs in-process,
    as the tests run it. ``stdout`` must have a binary ``buffer`` (an ``io.TextIOWrapper``).
    """
    _fill_closed_standard_fds()
    args = sys.argv[1:] if argv is None else list(argv)
    run = _run.Run(stdin=stdin, stdout=stdout, stderr=stderr, environ=environ)
    with _run.running(run):
        return _dispatch(args, environ)


def _unknown_log_level(environ: Mapping[str, str] | None) -> None:
    """Say that an in-process run's ``ZDEVENTS_LOG`` names no level, as the library says it
    of the process's own when imported."""
    value = (environ or {}).get("ZDEVENTS_LOG", "").strip()
    if environ is not None and value and value.lower() not in _LOG_LEVELS:
        shown = value if len(value) <= 40 else value[:40] + "..."
        say(
            f"{PROG}: ZDEVENTS_LOG={shown!r} is not a level {PROG} knows "
            f"({' or '.join(limits.LOG_LEVELS)}): nothing is logged"
        )


def _dispatch(args: list[str], environ: Mapping[str, str] | None) -> int:
    _unknown_log_level(environ)
    if args[:1] == ["sandbox"]:
        # The sandbox owns its options and its signal handling.
        _started()
        return _sandbox.run(args[1:])
    try:
        ns = build_parser(only=_command(args)).parse_args(args)
        if ns.command is not None and not hasattr(ns, "handler"):
            # The command was not the first word (after a "--"): parse with its parser.
            ns = build_parser(only=ns.command).parse_args(args)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else 2
    finally:
        _started()
    if ns.command is None:
        *first, last = COMMANDS
        commands = f"{', '.join(first)} or {last}"
        error(f"a command is needed: {commands} (see {PROG} --help)")
        return 2
    with (
        _signals_as_interrupts(),
        _notices(quiet=bool(getattr(ns, "quiet", False))),
        _run_log(environ),
    ):
        try:
            return int(ns.handler(ns))
        except (KeyboardInterrupt, Interrupted) as exc:
            # Before the export started (e.g. reading --identifiers-file - from a terminal).
            error("interrupted")
            return exc.status if isinstance(exc, Interrupted) else 130
        except Exception as exc:
            # The last line of defence outside an export (which cleans up its own files):
            # one line, never a traceback or a credential.
            from ._secrets import scrubbed

            error(f"unexpected {type(exc).__name__}: {scrubbed(str(exc))}")
            return 1
