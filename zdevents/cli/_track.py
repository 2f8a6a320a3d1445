"""``zdevents track``.

``track`` reads JSON lines of track records, validates every line before sending anything
(a bad line is a usage error naming its number, exit 2), then sends them with
``Client.track_many`` and reports on stderr (standard output stays empty): one line per
record that was not accepted, then a summary (not with ``-q``). ``--failed FILE`` gets each
record that was not accepted, as it was read plus an ``"error"`` field: a file that can be
fixed and given to ``zdevents track`` again (the ``"error"`` field is ignored on input).
Exit 0 when every record was accepted, 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import IO, Any, TextIO

from zdevents import Client, errors, limits, validate_record

from . import _numbers as numbers
from . import _run
from ._files import AtomicFile, NotOurLock, StateInUse, StateLock, open_special, special_file
from ._messages import PROG, Interrupted, error, say
from ._options import add_request_options, add_verbosity, make_client
from ._parser import COMMANDS, CREDENTIALS, ENVIRONMENT

TRACK_DETAILS = """\
each line of FILE is one track record, a JSON object: "event" plus its target,
  {"event": {...}, "profile": {...}}              found by its identifiers, or created
  {"event": {...}, "profile_id": "01E1G0NJSQPNPZRV096JXKXFAA"}
  {"event": {...}, "user_id": 85211553, "profile": {...}}
blank lines are skipped; an "error" field (as --failed writes it) is ignored.

FILE is read once (a pipe, /dev/stdin or a FIFO works too) and every line is checked
before anything is sent: bad lines are errors naming their numbers (the first
{shown}, then how many more; exit 2) and nothing is sent. --check stops there
(exit 0 or 1). A record whose request failed after it may have reached
Zendesk (a 5xx, a timeout, a dropped connection) is not sent again: it may or may not have
been stored, and the summary counts it as "possibly stored".

what it says goes to stderr: a line for each record not accepted, then a summary
(accepted, failed, possibly stored; on Ctrl-C also interrupted and not sent); standard
output stays empty. --failed gets every record not accepted, with its "error".

exit status: 0 every record accepted, 1 some not accepted, 2 usage error, 130 interrupted
""".replace("{shown}", str(limits.BAD_LINES_SHOWN))

TRACK_EXAMPLES = """\
examples:
  zdevents track events.jsonl --failed failed.jsonl
  cat events.jsonl | zdevents track - --concurrency 4 --rate-limit 200
  zdevents track failed.jsonl --failed failed-again.jsonl     # after fixing the records
  zdevents track --check events.jsonl                         # every line checked, none sent
"""

#: The library's default, read from its public signature rather than repeated here.
_CONCURRENCY: int = limits.DEFAULT_CONCURRENCY
#: Redraw progress at most this often.
_INTERVAL = 0.2
#: A field ``--failed`` adds and ``track`` ignores.
ERROR_FIELD = "error"


class _UsageError(Exception):
    """Exit status 2."""


class _BadLines(_UsageError):
    """Lines of FILE that are not valid track records: the first ``limits.BAD_LINES_SHOWN``
    of them named, the rest counted (exit status 2; 1 with ``--check``)."""

    def __init__(self, name: str, shown: list[str], count: int) -> None:
        super().__init__(shown[0])
        self.name = name
        self.shown = shown
        self.count = count

    def report(self, *, sending: bool) -> None:
        for message in self.shown:
            _say(message)
        if self.count == 1:
            return
        left = self.count - len(self.shown)
        more = f" (the first {len(self.shown)} above, {left} more not shown)" if left else ""
        outcome = "; nothing was sent" if sending else ""
        _say(f"{self.name}: {self.count} bad lines{more}{outcome}")


def add_commands(commands: Any, *, environment: str = ENVIRONMENT) -> None:
    """Register ``track`` on the ``zdevents`` subparsers (profile and profiles: ``_profiles``);
    ``environment`` ends its help."""
    tr = commands.add_parser(
        "track",
        help=COMMANDS["track"].help,
        description="Track the events of a file of JSON lines, one track record a line.",
        epilog=TRACK_DETAILS + "\n" + TRACK_EXAMPLES + "\n" + CREDENTIALS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tr.add_argument("file", metavar="FILE", help="JSON lines of track records ('-' for stdin)")
    only = tr.add_mutually_exclusive_group()
    only.add_argument(
        "--check",
        action="store_true",
        help="check every line and send nothing (no credentials needed): exit 0 when all "
        "are valid, 1 naming the bad lines",
    )
    only.add_argument(
        "--failed",
        metavar="FILE",
        help='write each record that was not accepted to FILE, with its "error" '
        "(written atomically, empty when all were accepted; a device, FIFO or socket is "
        "written to directly)",
    )
    tr.add_argument(
        "--concurrency",
        metavar="N",
        type=numbers.concurrency,
        default=_CONCURRENCY,
        help=f"records sent at the same time (default {_CONCURRENCY})",
    )
    add_verbosity(tr, quiet="no progress and no summary on stderr")
    _request_options(tr, rate_limit=True)
    tr.set_defaults(handler=run_track)


def _request_options(parser: argparse.ArgumentParser, rate_limit: bool = False) -> None:
    # rate_limit: the options of track, which sends many requests (and writes).
    add_request_options(
        parser.add_argument_group("requests"),
        rate_limit=rate_limit,
        rate_note=" (stay under your plan's limit)",
        retry_note="; a record that may have been stored is never sent again" if rate_limit else "",
    )


_client = make_client


def _say(message: str) -> None:
    error(message)  # one line: "zdevents: error: ..."


# --------------------------------------------------------------------------- track


#: Bytes of a FILE held in memory as it is read; beyond that, its copy goes to a temporary
#: file (in $TMPDIR, deleted at once, so no signal can leave it behind).
_SPOOL_MEMORY = 8 * 1024 * 1024


class RecordFile:
    """The track records of FILE (``-``: standard input).

    FILE is read once, whatever it is (a regular file, a pipe, ``/dev/stdin``, a process
    substitution, a FIFO): each line is copied as it is read into a private spool (memory,
    then an anonymous temporary file) and checked; the records are then sent from the spool.
    What is sent is exactly what was checked, and a FILE changed or replaced while its
    records are sent changes nothing.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = "standard input" if path == "-" else path
        self.count = 0
        self._spool: IO[bytes] | None = None

    def check(self, *, keep: bool = True) -> None:
        """Read FILE once into the spool (not with ``keep=False``: only checked), checking
        every record and counting them; raises
        :class:`_BadLines` naming the bad lines (up to ``limits.BAD_LINES_SHOWN``, the rest
        counted), or :class:`_UsageError` saying that there is no record."""
        # Kept open past this method: closed by close(), once the records are sent.
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY)  # noqa: SIM115
        count = 0
        bad: list[str] = []
        bad_count = 0
        try:
            with contextlib.ExitStack() as stack:
                if self.path == "-":
                    stdin = _run.stdin()
                    if stdin is None:  # <&-: Python leaves no sys.stdin
                        raise _UsageError("cannot read standard input: it is closed")
                    source: IO[bytes] = stdin.buffer
                else:
                    source = stack.enter_context(open(self.path, "rb"))
                for number, raw in enumerate(source, 1):
                    try:
                        record = self._parse(number, raw)
                        if record is not None:
                            try:
                                validate_record(_without_error(record))
                            except (TypeError, ValueError) as exc:
                                raise _UsageError(f"{self.name}, line {number}: {exc}") from None
                    except _UsageError as exc:
                        # Every bad line is counted, so that one run finds them all.
                        bad_count += 1
                        if len(bad) < limits.BAD_LINES_SHOWN:
                            bad.append(str(exc))
                        continue
                    # Copied only while something may be sent from the copy: never with
                    # --check, nor after a bad line (a huge file would fill $TMPDIR).
                    if keep and not bad_count:
                        try:
                            spool.write(raw)
                        except OSError as exc:  # $TMPDIR full: not the file's fault
                            raise _UsageError(
                                f"cannot keep a copy of {self.name} in the temporary folder "
                                f"($TMPDIR): {exc.strerror or exc}"
                            ) from None
                    if record is not None:
                        count += 1
        except _UsageError:
            spool.close()
            raise
        except OSError as exc:
            spool.close()
            raise _UsageError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        except BaseException:
            spool.close()
            raise
        if bad_count:
            spool.close()
            raise _BadLines(self.name, bad, bad_count)
        if not count:
            spool.close()
            raise _UsageError(f"{self.name} holds no track records")
        self.count = count
        self._spool = spool

    def _parse(self, number: int, raw: bytes) -> dict[str, Any] | None:
        """The record of one line, ``None`` for a blank line; :class:`_UsageError` naming
        a line that is not a JSON object."""
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _UsageError(
                f"{self.name}, line {number}: not UTF-8 text ({exc.reason})"
            ) from None
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            return None
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not JSON"
            raise _UsageError(f"{self.name}, line {number}: not a JSON object ({reason})") from None
        if not isinstance(record, dict):
            raise _UsageError(f"{self.name}, line {number}: a record must be a JSON object")
        return record

    def records(self, after: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(line number, record)`` of each record checked, from the spool, after line
        ``after``."""
        spool = self._spool
        assert spool is not None, "check() first"
        spool.seek(0)
        for number, raw in enumerate(spool, 1):
            if number > after:
                record = self._parse(number, raw)
                if record is not None:
                    yield number, record

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()


def _without_error(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != ERROR_FIELD}


def possibly_stored(exc: BaseException) -> bool:
    """Whether a failed track request may have been stored anyway: it was sent and got no
    answer, a 5xx, a 408, or a 2xx whose body was broken (the library's own rule, which
    also decides that such a request is not sent again)."""
    if isinstance(exc, errors.APIConnectionError):
        return exc.sent
    if isinstance(exc, errors.APIError):
        return exc.status_code >= 500 or exc.status_code == 408
    return isinstance(exc, errors.BadResponseError)


class _Progress:
    """``12 of 40 records, 2 failed`` updated in place, only on a terminal."""

    def __init__(self, stream: TextIO, total: int, *, enabled: bool) -> None:
        self._stream = stream
        self._total = total
        try:
            self.enabled = enabled and stream.isatty()
        except (AttributeError, ValueError):
            self.enabled = False
        self._last = 0.0
        self._drawn = False

    def update(self, done: int, failed: int, *, final: bool = False) -> None:
        if not self.enabled or (not final and time.monotonic() - self._last < _INTERVAL):
            return
        self._last = time.monotonic()
        self._stream.write(f"\r{done:,} of {self._total:,} records, {failed:,} failed\x1b[K")
        self._stream.flush()
        self._drawn = True

    def clear(self) -> None:
        """End the progress line, so that a message never shares it."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False


def _failed_line(record: dict[str, Any], error: str) -> bytes:
    line = {k: v for k, v in record.items() if k != ERROR_FIELD}
    line[ERROR_FIELD] = error
    return json.dumps(line, ensure_ascii=False).encode() + b"\n"


#: The "error" of a record whose request was started and not answered when the run stopped.
_UNKNOWN = "interrupted before its outcome was known; it may or may not have been stored"
#: The "error" of a record that was never sent.
_NOT_SENT = "not sent: the run stopped before this record was sent"


class _FailedFile:
    """Where ``--failed`` goes: a regular file (or a new one) written atomically, replaced
    only when complete; a device, FIFO or socket written to directly, never replaced (as
    ``-o`` does)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._atomic: AtomicFile | None = None
        self._lock: StateLock | None = None
        if special_file(path):
            self.file: IO[bytes] = open_special(path)
            return
        # Held for the whole run (FILE.lock, as a resume state's): two runs given the same
        # --failed would each replace (or, stopped, delete) what the other one wrote.
        lock = StateLock(path)
        lock.acquire()
        try:
            self._atomic = AtomicFile(path, own_lock=True)
        except BaseException:
            lock.release()
            raise
        self._lock = lock
        self.file = self._atomic.file

    def commit(self) -> None:
        """Make what was written the file's content (flushed, for a special file)."""
        try:
            if self._atomic is not None:
                self._atomic.commit()
            else:
                self.file.close()
        except BaseException:
            self.discard()
            raise
        self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def discard(self) -> None:
        """Give up: the temporary file is removed, and an earlier ``--failed`` at the same
        path too, so that it is never taken for this run's (a special file is closed)."""
        if self._atomic is None:
            with contextlib.suppress(OSError):
                self.file.close()
            return
        try:
            self._atomic.discard()
            with contextlib.suppress(OSError):
                if os.path.isfile(self._atomic.target):
                    os.unlink(self._atomic.target)
        finally:
            self._unlock()


def run_track(ns: argparse.Namespace) -> int:
    """``zdevents track``."""
    source = RecordFile(ns.file)
    try:
        source.check(keep=not ns.check)
    except _BadLines as exc:
        exc.report(sending=not ns.check)
        return 1 if ns.check else 2
    except _UsageError as exc:
        _say(str(exc))
        return 2
    if ns.check:
        source.close()
        if not ns.quiet:
            records = "record" if source.count == 1 else "records"
            say(f"{PROG}: {source.name}: {source.count} {records} checked, all valid; none sent")
        return 0
    try:
        client = _client(ns)
    except (TypeError, ValueError) as exc:  # ConfigurationError is a ValueError
        source.close()
        _say(str(exc))
        return 2
    failed_file: _FailedFile | None = None
    if ns.failed is not None:
        try:
            failed_file = _FailedFile(ns.failed)
        except (OSError, StateInUse, NotOurLock) as exc:
            client.close()
            source.close()
            if isinstance(exc, StateInUse):
                _say(f"--failed {ns.failed} is in use by another zdevents run; wait for it to end")
            elif isinstance(exc, NotOurLock):
                _say(
                    f"--failed {ns.failed} needs {exc} for its lock, and that is a file that "
                    "is not a zdevents lock; move it away or pick another --failed FILE"
                )
            else:
                _say(f"cannot write --failed {ns.failed}: {exc.strerror or exc}")
            return 2
    try:
        with client:
            return _Run(ns, source, failed_file).send(client)
    finally:
        source.close()


class _Run:
    """One ``zdevents track`` run: outcomes counted, reported and written to ``--failed``."""

    def __init__(
        self, ns: argparse.Namespace, source: RecordFile, failed_file: _FailedFile | None
    ) -> None:
        self.ns = ns
        self.source = source
        self.failed_file = failed_file
        self.done = self.accepted = self.failed = self.maybe = 0
        # Failures that show the record was not sent (stopped while it waited, a refused
        # connection): on an interruption, counted as "not sent".
        self.unsent_failures = 0
        self.progress = _Progress(
            _run.stderr(),  # type: ignore[arg-type]  # None (2>&-): as with sys.stderr
            source.count,
            enabled=not ns.quiet,
        )
        # The records handed to track_many whose outcome has not come back yet, in order.
        # Interrupted, track_many still yields the outcome of each record it had started
        # ("not sent" for one stopped while it waited), so only a second signal leaves
        # some here: they may have been sent.
        self.pending: collections.deque[tuple[int, dict[str, Any]]] = collections.deque()
        self.handed = 0  # the line number of the last record handed to track_many
        self.writable = True  # False once writing --failed failed

    def _feed(self) -> Iterator[dict[str, Any]]:
        for item in self.source.records():
            self.pending.append(item)
            self.handed = item[0]
            yield _without_error(item[1])

    def _take(self, outcome: object) -> None:
        number, record = self.pending.popleft()
        self.done += 1
        if isinstance(outcome, Exception):
            self._not_accepted(number, record, outcome)
        else:
            self.accepted += 1
        self.progress.update(self.done, self.failed)

    def send(self, client: Client) -> int:
        outcomes = client.track_many(self._feed(), concurrency=self.ns.concurrency)
        try:
            try:
                for outcome in outcomes:
                    self._take(outcome)
            except (KeyboardInterrupt, Interrupted) as exc:
                # A signal while an outcome was handled here: passed on to track_many, which
                # stops and still gives the outcome of every record it had started, then
                # raises it (at once if it was track_many that was interrupted).
                throw: Callable[[BaseException], object] = outcomes.throw  # type: ignore[attr-defined]
                self._take(throw(exc))
                for outcome in outcomes:
                    self._take(outcome)
                raise
        except OSError as exc:
            # --failed cannot be written (a full disk), or the spool read: nothing more is
            # sent, and the records already started still get their outcome (thrown into
            # track_many as an interruption is), so that the summary says what happened to
            # each: an answered record is never counted as "interrupted (possibly stored)".
            self.writable = False
            with contextlib.suppress(OSError, StopIteration):  # exc again, once drained
                throw_in: Callable[[BaseException], object] = outcomes.throw  # type: ignore[attr-defined]
                self._take(throw_in(exc))
                for outcome in outcomes:
                    self._take(outcome)
            self._stop(outcomes)
            if self.failed_file is not None:
                self.failed_file.discard()
            self._summary(stopped=True)
            left = self.source.count - self.accepted
            _say(
                f"writing --failed {self.ns.failed} failed: {exc.strerror or exc}; "
                f"the {left} records not accepted are in no file"
                if self.failed_file is not None
                else f"reading the records of {self.source.name} again failed: "
                f"{exc.strerror or exc}; {left} records were not accepted"
            )
            return 1
        except BaseException:
            # Interrupted: what has no known outcome goes to --failed too, so that nothing
            # is lost: sent and unanswered (it may have been stored), or never sent. A second
            # Ctrl-C while the requests on the wire end does not skip it.
            try:
                self._stop(outcomes)
            finally:
                try:
                    self._write_unfinished()
                finally:
                    self._summary(stopped=True)
            raise
        self.progress.update(self.done, self.failed, final=True)
        self.progress.clear()
        if self.failed_file is not None:
            try:
                self.failed_file.commit()
            except OSError as exc:
                _say(f"writing --failed {self.ns.failed} failed: {exc.strerror or exc}")
                return 1
        self._summary()
        return 0 if self.accepted == self.source.count else 1

    def _write_unfinished(self) -> None:
        if self.failed_file is None:
            return
        try:
            out = self.failed_file.file
            for _, record in self.pending:
                out.write(_failed_line(record, _UNKNOWN))
            for _, record in self.source.records(after=self.handed):
                out.write(_failed_line(record, _NOT_SENT))
            self.failed_file.commit()
        except (OSError, _UsageError):
            self.failed_file.discard()
            _say(
                f"writing --failed {self.ns.failed} failed; the records not accepted are in no file"
            )
        except BaseException:
            self.failed_file.discard()  # no temporary file left behind by another signal
            raise

    def _not_accepted(self, number: int, record: dict[str, Any], outcome: Exception) -> None:
        self.failed += 1
        if possibly_stored(outcome):
            self.maybe += 1
        elif isinstance(outcome, errors.APIConnectionError):
            self.unsent_failures += 1
        message = _one_line_text(str(outcome))
        self.progress.clear()
        _say(f"{self.source.name}, line {number}: not accepted: {message}")
        if self.failed_file is not None and self.writable:
            self.failed_file.file.write(_failed_line(record, message))

    def _stop(self, outcomes: object) -> None:
        close: Callable[[], None] | None = getattr(outcomes, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()
        self.progress.clear()

    def _summary(self, *, stopped: bool = False) -> None:
        if self.ns.quiet:
            return
        interrupted = len(self.pending) if stopped else 0
        # Stopped, the records that were not sent are told apart from those refused.
        moved = self.unsent_failures if stopped else 0
        _summary(
            self.source.count,
            self.accepted,
            self.failed - moved,
            self.maybe,
            interrupted=interrupted,
            unsent=self.source.count - self.done - interrupted + moved,
        )


def _one_line_text(text: str) -> str:
    return " ".join(text.split())


def _summary(
    total: int,
    accepted: int,
    failed: int,
    maybe: int,
    interrupted: int = 0,
    unsent: int = 0,
) -> None:
    records = "record" if total == 1 else "records"
    text = f"{total} {records}: {accepted} accepted, {failed} failed ({maybe} possibly stored)"
    if interrupted:
        text += f", {interrupted} interrupted (possibly stored)"
    if unsent:
        text += f", {unsent} not sent"
    # say(): with stderr closed (2>&-), sys.stderr is None and print() would write the
    # summary to standard output, which track keeps empty.
    say(f"{PROG}: {text}")
