"""The export driver of ``zdevents events``: where the bytes go (standard output, a device,
a file written atomically, a resumable file), pages to the writer, checkpoints, progress,
the limit, and the one-line report of how it ended.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from typing import IO, Any

import attrs

from zdevents import Client, errors

from . import _run
from ._checkpoint import (
    INTERVAL,
    Checkpoint,
    CheckpointError,
    PendingCheckpoint,
    append,
    differences,
    header,
    load_checkpoint,
    people_key,
    record,
    save_checkpoint,
    truncate,
)
from ._files import (
    AtomicFile,
    NotOurLock,
    StateInUse,
    StateLock,
    deferred_signals,
    lock_path,
    open_special,
    special_file,
    state_file_problem,
)
from ._formats import EventWriter, make_writer, terminal_width
from ._messages import PROG, Interrupted, UsageError, error, hint, rerun_helps, say
from ._people import Person
from ._progress import LogListener, Progress, same_terminal
from ._secrets import holds_secret, scrubbed


@attrs.frozen
class Plan:
    """Everything an export needs, checked before any request."""

    selector: dict[str, Any]  # one person: identifier, profile_id or user_id
    people: list[Person] | None  # bulk mode
    filters: dict[str, Any]  # source, type, start, end, page_size (as the user gave them)
    fmt: str
    output: str | None  # None: standard output
    resume: str | None
    limit: int | None
    quiet: bool
    verbose: bool
    skip_missing: bool
    concurrency: int
    people_file: str = ""  # bulk mode: the --identifiers-file as given ('-': standard input)

    def describe(self) -> str:
        """What is being read, for error messages (the user typed it, so all of it)."""
        if self.people is not None:
            return f"reading the events of {len(self.people)} people"
        (kind, value), *_ = self.selector.items()
        name = {"identifier": "identifier", "profile_id": "profile", "user_id": "user"}[kind]
        return f"reading the events of {name} {value}"

    def checkpoint_key(self) -> dict[str, Any]:
        """What must match for a state file to be reused."""
        people = None if self.people is None else people_key(p.label for p in self.people)
        return {
            "identifier": self.selector.get("identifier"),
            "profile_id": self.selector.get("profile_id"),
            "user_id": self.selector.get("user_id"),
            "people": people,
            **self.filters,
            "limit": self.limit,
            "format": self.fmt,
            "output": os.path.realpath(self.output) if self.output else None,
        }


# --------------------------------------------------------------------------- the sink


@attrs.define
class _Sink:
    """Where the bytes go, and what to do with them at the end."""

    file: IO[bytes]
    name: str  # for messages
    atomic: AtomicFile | None = None
    start: Checkpoint | None = None  # resume mode: where we stand
    owned: bool = False
    lock: StateLock | None = None
    stdout: bool = False

    def close(self) -> None:
        if self.atomic is not None:
            self.atomic.commit()
        elif self.owned:
            self.file.close()
        self._unlock()

    def discard(self) -> None:
        if self.atomic is not None:
            self.atomic.discard()
        elif self.owned:
            with contextlib.suppress(OSError):
                self.file.close()
        self._unlock()

    def _unlock(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def _stdout() -> _Sink:
    stream = _run.stdout()
    try:
        if stream is None:
            raise ValueError
        stream.flush()
        if not _run.stdout_given():
            stream.fileno()
    except (OSError, ValueError, AttributeError):
        raise UsageError("standard output is closed; give --output FILE") from None
    return _Sink(stream.buffer, "standard output", stdout=True)


def _cannot_write(path: str, exc: OSError) -> UsageError:
    return UsageError(f"cannot write --output {path}: {exc.strerror or exc}")


def open_sink(plan: Plan) -> _Sink:
    """Open the output before any request, so a bad path costs nothing."""
    if plan.resume is not None:
        _check_resume(plan)
    if plan.output is None:
        return _stdout()
    if special_file(plan.output):
        if plan.resume is not None:
            raise UsageError(
                f"--resume needs --output to be a regular file; {plan.output} is a device, "
                "FIFO or socket, which cannot be truncated to a checkpoint"
            )
        # A device, FIFO or socket is written to as it is: replacing it with a regular file
        # would break whatever reads it.
        try:
            return _Sink(open_special(plan.output), plan.output, owned=True)
        except OSError as exc:
            raise _cannot_write(plan.output, exc) from None
    if plan.resume is None:
        try:
            atomic = AtomicFile(plan.output)
        except OSError as exc:
            raise _cannot_write(plan.output, exc) from None
        return _Sink(atomic.file, plan.output, atomic=atomic, owned=True)
    lock = StateLock(plan.resume)
    try:
        lock.acquire()
    except StateInUse:
        raise UsageError(
            f"--resume {plan.resume} is in use by another zdevents run; wait for it to end"
        ) from None
    except NotOurLock:
        raise UsageError(
            f"--resume {plan.resume} needs {lock.path} for its lock, and that is a file that "
            "is not a zdevents lock; move it away or pick another --resume STATE"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot write --resume {plan.resume}: {exc.strerror or exc}") from None
    try:
        return _open_resumable(plan, lock)
    except BaseException:
        lock.release()
        raise


def _check_resume(plan: Plan) -> None:
    """A state must be a regular file (or none yet) in an existing folder, and its lock no
    file of the user's: checked before the lock is taken and before any request."""
    assert plan.resume is not None
    problem = state_file_problem(plan.resume)
    if problem is not None:
        raise UsageError(f"cannot use --resume {plan.resume}: {problem}")
    if plan.output is not None and os.path.realpath(plan.output) == lock_path(plan.resume):
        raise UsageError(
            f"--output {plan.output} is the lock file of --resume {plan.resume} "
            f"({lock_path(plan.resume)}); pick another --output or --resume"
        )


def _open_resumable(plan: Plan, lock: StateLock) -> _Sink:
    assert plan.output is not None and plan.resume is not None
    key = plan.checkpoint_key()
    try:
        cp = load_checkpoint(plan.resume)
    except CheckpointError as exc:
        raise UsageError(str(exc)) from None
    if cp is None:
        # A fresh run writes to a temporary file, renamed over --output at the first
        # checkpoint: a run that fails before its first page changes no file.
        try:
            atomic = AtomicFile(plan.output, hold=True)
        except OSError as exc:
            raise _cannot_write(plan.output, exc) from None
        return _Sink(atomic.file, plan.output, atomic=atomic, start=Checkpoint(key), owned=True,
                     lock=lock)  # fmt: skip
    changed = differences(cp.key, key)
    if changed:
        raise UsageError(
            f"{plan.resume} is the state of another export (differs in: {', '.join(changed)}); "
            "rerun that command, or delete the file or pick another --resume STATE to start "
            "this one"
        )
    try:
        if cp.converted:
            # The whole-file state of zdevents 0.2, read once: from now on a journal.
            save_checkpoint(plan.resume, cp)
        else:
            truncate(plan.resume, cp.length)  # a line torn by a crash goes
    except OSError as exc:
        raise UsageError(f"cannot write --resume {plan.resume}: {exc.strerror or exc}") from None
    if cp.done:
        return _Sink(open(os.devnull, "wb"), plan.output, start=cp, owned=True, lock=lock)
    try:
        f = open(plan.output, "r+b")  # noqa: SIM115 - closed by the sink
    except FileNotFoundError:
        raise UsageError(
            f"{plan.output} is gone, so {plan.resume} cannot be resumed; "
            "delete the state file to start over"
        ) from None
    except OSError as exc:
        raise _cannot_write(plan.output, exc) from None
    try:
        # Held until the sink is closed: another export (another --resume STATE, or none)
        # writing to the same --output is refused while this one runs.
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        f.close()
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            raise UsageError(
                f"--output {plan.output} is in use by another zdevents run; wait for it to end"
            ) from None
        raise _cannot_write(plan.output, exc) from None
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
    return _Sink(f, plan.output, start=cp, owned=True, lock=lock)


# --------------------------------------------------------------------------- the export


class _StateError(OSError):
    """Saving the checkpoint failed (the output and the previous checkpoint are intact)."""


class Exporter:
    """Runs one export: pages to the writer, checkpoints, progress, the limit."""

    def __init__(self, plan: Plan, client: Client, sink: _Sink) -> None:
        self.plan = plan
        self.client = client
        self.sink = sink
        self.saved = False  # a checkpoint was written: a rerun goes on from it
        self.skipped: list[str] = []
        self.writer: EventWriter = make_writer(
            plan.fmt,
            sink.file,
            bulk=plan.people is not None,
            width=terminal_width() if sink.stdout else None,  # a file is no terminal
        )
        start = sink.start
        self.progress = Progress(
            _run.stderr(),
            enabled=not plan.quiet,
            events=start.events if start else 0,
            pages=start.pages if start else 0,
            output_is_terminal=sink.stdout and same_terminal(_run.stdout(), _run.stderr()),
        )
        self.position = start  # where the run started (resume mode)
        self.saved_events = start.events if start else 0  # as the journal says, durably
        self.labels: dict[int, str] = {}  # bulk: id of each selector given -> its line
        self.lines: dict[int, int] = {}  # bulk: id of each selector -> its line in the file
        self._records: list[bytes] = []  # journal lines of written pages, not yet durable
        self._last_save = time.monotonic()
        self._recording = start is not None  # every page so far can be resumed after

    def resumable(self) -> bool:
        """Whether running the same command again would go on from a checkpoint."""
        return self.saved or (self.position is not None and self.position.started)

    @property
    def count(self) -> int:
        return self.progress.events

    def _room(self) -> int | None:
        return None if self.plan.limit is None else self.plan.limit - self.count

    def _note(self, **fields: Any) -> None:
        """Record the page just written (resume mode): one journal line, made durable with
        the lines before it in groups (see :mod:`._checkpoint`; the first one at once: it
        puts the output of a fresh run in place)."""
        if not self._recording:
            return
        self.sink.file.flush()
        line = record(
            events=self.count, pages=self.progress.pages, offset=self.sink.file.tell(), **fields
        )
        self._records.append(line)
        if not self.saved or time.monotonic() - self._last_save >= INTERVAL:
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Make the recorded pages durable: the output first, then their journal lines."""
        assert self.sink.start is not None and self.plan.resume is not None
        if not self._records:
            return
        # Signals wait until the checkpoint is whole: no temporary file is left behind and
        # the state never points past what the output durably holds.
        with deferred_signals():
            out = self.sink.atomic
            if out is not None:
                out.sync()
            else:
                self.sink.file.flush()
                os.fsync(self.sink.file.fileno())
            lines = b"".join(self._records)
            if out is not None and not out.published:
                # The first checkpoint of a fresh run: from now on --output is the
                # export's (only now that its state is ready to go in place).
                try:
                    pending = PendingCheckpoint(
                        self.plan.resume, header(self.sink.start.key) + lines
                    )
                except OSError as exc:
                    raise _StateError(exc.errno, exc.strerror) from None
                try:
                    out.publish()
                    pending.commit()
                except BaseException:
                    pending.discard()
                    raise
            else:
                try:
                    append(self.plan.resume, lines)
                except OSError as exc:
                    raise _StateError(exc.errno, exc.strerror) from None
            self.saved_events = self._record_events(self._records[-1])
            self._records.clear()
            self._last_save = time.monotonic()
            self.saved = True

    @staticmethod
    def _record_events(line: bytes) -> int:
        events: int = json.loads(line)["events"]
        return events

    def save_pending(self) -> None:
        """After a failure that left the output whole: make the recorded pages durable, so
        that a rerun redoes as little as possible (nothing if that fails too)."""
        if self.sink.start is None or not self.saved:
            return
        with contextlib.suppress(OSError):
            self._checkpoint()

    def run(self) -> None:
        start = self.sink.start
        if start is None or not start.started:
            self.writer.begin()
        if self.plan.people is not None:
            self._run_bulk()
        else:
            self._run_single(start.cursor if start else None)
        self.writer.finish()
        self.sink.file.flush()
        if start is not None:
            self._recording = True
            self._note(cursor=None, done=True)
            self._checkpoint()

    def _run_single(self, after: str | None) -> None:
        # The library's limit fetches no page past it; the last page is cut here, because
        # pages stay whole for their cursors.
        try:
            stream = self.client.events(
                **self.plan.selector, **self.plan.filters, after=after, limit=self._room()
            )
        except (TypeError, ValueError) as exc:
            raise self._bad_state(exc) from None
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
            # Nor after a cursor that spells the credentials (a hostile server echoing
            # them): the state file must never hold a secret.
            if self._savable(page.cursor):
                self._note(cursor=page.cursor)

    def _savable(self, cursor: str | None) -> bool:
        """Whether a checkpoint may record ``cursor``: one that spells a credential (as the
        library's scrubber decodes it) never goes into a state file."""
        return cursor is not None and not holds_secret(cursor, self.client)

    def _bad_state(self, exc: Exception) -> UsageError:
        """The library refused a cursor read from the state file."""
        return UsageError(
            f'{self.plan.resume} is not a usable zdevents resume state (its "cursor" is '
            f"refused: {scrubbed(str(exc), self.client)}); delete it to start over"
        )

    def _skip(self, selector: object, error: Exception) -> None:
        """``on_missing`` of a bulk export with --skip-missing (called in this thread)."""
        label = self.labels.get(id(selector), str(selector))
        self.skipped.append(label)
        self._note(person=label, after=None)
        status = getattr(error, "status_code", None)
        # Where it is, not who: identifiers are emails and phone numbers, and this goes to
        # logs; -v names the person.
        file = "standard input" if self.plan.people_file == "-" else self.plan.people_file
        line = self.lines.get(id(selector), 0)
        who = label if self.plan.verbose else _kind(label)
        self.progress.message(
            f"{PROG}: skipped line {line:,} of {file} ({who}): not found"
            + (f" ({status})" if status else "")
        )

    def _run_bulk(self) -> None:
        """Each person's pages through ``Client.pages_many``; in resume mode a checkpoint
        after each page records every person's cursor and who is finished, so a rerun asks
        each unfinished person for the rest only (``{"user_id": N, "after": cursor}``)."""
        assert self.plan.people is not None
        start = self.position
        cursors = start.cursors if start else {}
        done = set(start.finished) if start else set()
        todo: list[dict[str, Any]] = []
        self.labels = {}
        for person in self.plan.people:
            if person.label in done:
                continue
            selector = dict(person.selector)
            if person.label in cursors:
                selector["after"] = cursors[person.label]
            todo.append(selector)
            self.labels[id(selector)] = person.label
            self.lines[id(selector)] = person.line
        if not todo:
            return
        try:
            pages = self.client.pages_many(
                todo,
                concurrency=self.plan.concurrency,
                on_missing=self._skip if self.plan.skip_missing else "raise",
                **self.plan.filters,
            )
        except (TypeError, ValueError) as exc:
            raise self._bad_state(exc) from None
        try:
            for given, page in pages:
                label = self.labels[id(given)]
                room = self._room()
                events = page.events if room is None or room >= len(page) else page.events[:room]
                for event in events:
                    self.writer.write(event, label)
                self.writer.end_page()
                self.sink.file.flush()
                self.progress.add(events=len(events), pages=1)
                if self._room() == 0:
                    return
                if page.has_more and not self._savable(page.cursor):
                    # This person cannot be resumed after this page (no cursor, or one that
                    # spells the credentials); a later checkpoint of someone else would count
                    # its lines as saved. Keep the last good one.
                    self._recording = False
                self._note(person=label, after=page.cursor if page.has_more else None)
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()


# --------------------------------------------------------------------------- the report

_AGAIN = "; run the same command again to resume"


@contextlib.contextmanager
def _listening(progress: Progress, verbose: bool) -> Iterator[None]:
    logger = logging.getLogger("zdevents")
    # With ZDEVENTS_LOG set the library prints its records itself: -v must not repeat them.
    printed = any(not isinstance(h, logging.NullHandler) for h in logger.handlers)
    listener = LogListener(progress, verbose=verbose and not printed)
    level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(listener)
    try:
        yield
    finally:
        logger.removeHandler(listener)
        logger.setLevel(level)


def export(plan: Plan, client: Client) -> int:
    """Run the export; the exit status (one line on stderr if it failed)."""
    try:
        sink = open_sink(plan)
    except UsageError as exc:
        error(str(exc))
        return 2
    if sink.start is not None and sink.start.done:
        sink.discard()
        if not plan.quiet:
            say(
                f"{PROG}: {plan.output} is already complete ({sink.start.events} events); "
                f"delete {plan.resume} to export again"
            )
        return 0
    exporter = Exporter(plan, client, sink)
    try:
        try:
            with _listening(exporter.progress, plan.verbose):
                exporter.run()
        finally:
            exporter.progress.close()
        sink.close()
    except errors.ZendeskError as exc:
        exporter.save_pending()
        sink.discard()
        after = _AGAIN if rerun_helps(exc) and exporter.resumable() else ""
        where = _whose(exc, exporter)
        skip = ""
        if plan.people is not None and isinstance(exc, errors.NotFoundError):
            skip = (
                "; to skip the people Zendesk does not know and keep the others, add --skip-missing"
            )
        error(f"{plan.describe()} failed{where}: {exc}; {hint(exc)}{skip}{after}")
        return 1
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): that is how it says it has enough.
        sink.discard()
        _run.null_stdout()
        return 0
    except _StateError as exc:
        sink.discard()
        again = _AGAIN if exporter.resumable() else ""
        kept = "the previous checkpoint is kept" if exporter.resumable() else "nothing was kept"
        error(f"saving --resume {plan.resume} failed: {exc.strerror}; {kept}{again}")
        return 1
    except OSError as exc:
        sink.discard()
        again = _AGAIN if exporter.resumable() else ""
        error(f"writing {sink.name} failed: {exc.strerror or exc}{again}")
        return 1
    except (KeyboardInterrupt, Interrupted) as exc:
        exporter.save_pending()
        sink.discard()
        error(f"{_interrupted(exc)}{_what_is_kept(plan, sink, exporter)}")
        return exc.status if isinstance(exc, Interrupted) else 130
    except UsageError as exc:  # a state file whose cursor the library refuses
        sink.discard()
        error(str(exc))
        return 2
    except Exception as exc:  # the last line of defence: no traceback, no files
        sink.discard()
        again = _AGAIN if exporter.resumable() else ""
        error(
            f"{plan.describe()} failed: unexpected {type(exc).__name__}: "
            f"{scrubbed(str(exc), client)}{again}"
        )
        return 1
    if not plan.quiet and not sink.stdout:
        say(
            f"{PROG}: wrote {exporter.count:,} events to {plan.output} "
            f"in {exporter.progress.elapsed:.1f} s"
        )
    return 0


def _whose(exc: errors.ZendeskError, exporter: Exporter) -> str:
    """Whose export failed, in bulk mode: the line of the file (the error's ``.selector``)."""
    selector = getattr(exc, "selector", None)
    if selector is not None:
        label = exporter.labels.get(id(selector))
        if label is not None:
            return f" (at {label})"
    return "".join(f" ({note})" for note in getattr(exc, "__notes__", ()))


def _kind(label: str) -> str:
    """What kind of selector a line of the file is, without its value."""
    kind = label.partition(":")[0]
    return kind if kind in ("user_id", "profile_id") else "an identifier query"


def _interrupted(exc: BaseException) -> str:
    return f"interrupted ({exc})" if isinstance(exc, Interrupted) else "interrupted"


def _what_is_kept(plan: Plan, sink: _Sink, exporter: Exporter) -> str:
    if exporter.resumable():
        return f"; {exporter.saved_events:,} events are saved in {plan.output}{_AGAIN}"
    if sink.stdout or sink.atomic is None:
        # Streamed: what was written is out there already.
        return f" after writing {exporter.count:,} events to {sink.name}" if exporter.count else ""
    return f"; {plan.output} was not written"
