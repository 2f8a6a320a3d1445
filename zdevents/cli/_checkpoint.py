"""Resume state of a long export (``zdevents events --resume STATE``): an append-only journal.

The invariant that makes a resumed export exact: the state never claims more than the output
holds durably. A page is written to the output, and its *record* (the output's byte offset
after it, the events and pages so far, and where the export stands: the cursor of the next
page, or in bulk mode one person's next cursor or that the person is finished) is kept in
memory. The records are made durable in groups: the output is fsynced first, and only then
are the records appended to STATE and fsynced; a group is saved once :data:`INTERVAL`
seconds have passed since the last save, and whenever the export ends. A rerun replays
the journal, truncates the output to the last record's offset (dropping a page that was
written but not recorded) and continues from there.

Each step costs the same whatever the size of the export: a page appends one line, never
rewrites the file (the state of a 50,000-person export used to be rewritten and fsynced whole
after every page, which made ``--resume`` quadratic in people).

The file: a first line ``{"zdevents-resume": 2, "key": {...}}`` (the command the state
belongs to), then one JSON object a line. A last line that was cut off by a crash (no
newline, or not JSON) is dropped, and the file truncated to the lines before it, on the next
run; any other bad line is refused, with its number, as a tampered state. The whole-file
format of zdevents 0.2 (``"version": 1``) is read once and rewritten as a journal.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from typing import Any

import attrs

from zdevents import limits

from ._files import AtomicFile

#: The time (seconds) between two saves of the journal: a kill loses at most this much
#: work, which the rerun redoes. Two fsyncs after every page would cost more than a page
#: from a fast server; twenty saves a second cost a few percent of a run.
INTERVAL = 0.05

_MAGIC = "zdevents-resume"
_JOURNAL = 2
_OLD = 1  # the whole-file state of zdevents 0.2
#: The longest cursor a state may hold: what the library accepts in a request URL.
MAX_CURSOR = limits.MAX_URL_TEXT
_RECORD_FIELDS = frozenset({"events", "pages", "offset", "cursor", "person", "after", "done"})


class CheckpointError(ValueError):
    """A state file that cannot be used for this command."""


def people_key(labels: Iterable[str]) -> str:
    """The people of a bulk export, as a state's key holds them: their number and a digest
    of the list (a 50,000-line list is not copied into the state)."""
    digest = hashlib.sha256()
    count = 0
    for label in labels:
        digest.update(label.encode("utf-8", "surrogatepass") + b"\n")
        count += 1
    return f"{count} people, sha256:{digest.hexdigest()}"


@attrs.frozen
class Checkpoint:
    """Where an export stands (the journal replayed).

    ``key`` identifies the command (selector, filters, page size, limit, format, output file),
    so that a state file is never applied to another export. ``cursor`` is the cursor of the
    next page (``None``: from the first page), ``offset`` the output's size in bytes after the
    last recorded page, ``done`` whether the export finished. A bulk export keeps one position
    per person: ``cursors`` (the next page of a person under way) and ``finished`` (people
    whose export is complete); a person in neither starts at the first page. ``length`` is
    the size of the journal's good lines (a torn last line is past it).
    """

    key: dict[str, Any]
    cursor: str | None = None
    events: int = 0
    pages: int = 0
    offset: int = 0
    done: bool = False
    cursors: dict[str, str] = attrs.field(factory=dict)
    finished: list[str] = attrs.field(factory=list)
    length: int = attrs.field(default=0, eq=False)
    converted: bool = attrs.field(default=False, eq=False)

    @property
    def started(self) -> bool:
        """Whether anything was exported under this state (so the output has its header)."""
        return self.offset > 0 or self.cursor is not None or bool(self.cursors or self.finished)

    def journal(self) -> bytes:
        """This state as a journal: the header and one record for all of it."""
        lines = [header(self.key)]
        for person, after in self.cursors.items():
            lines.append(record(person=person, after=after))
        for person in self.finished:
            lines.append(record(person=person, after=None))
        lines.append(
            record(
                events=self.events,
                pages=self.pages,
                offset=self.offset,
                cursor=self.cursor,
                **({"done": True} if self.done else {}),
            )
        )
        return b"".join(lines)


def header(key: dict[str, Any]) -> bytes:
    return _line({_MAGIC: _JOURNAL, "key": key})


def record(**fields: Any) -> bytes:
    """One line of the journal."""
    return _line(fields)


def _line(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("ascii") + b"\n"


# --------------------------------------------------------------------------- reading


def _count(data: dict[str, Any], name: str, default: int) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f'"{name}" must be a whole number, not {json.dumps(value)}')
    return value


def _cursor(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        shown = json.dumps(value)
        raise ValueError(f"{name} must be a non-empty string, not {shown:.80}")
    if len(value) > MAX_CURSOR:
        raise ValueError(f"{name} is {len(value):,} characters long (at most {MAX_CURSOR:,})")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{name} is not valid text (character {exc.start + 1} is a lone surrogate)"
        ) from None
    return value


def _done(data: dict[str, Any], default: bool) -> bool:
    done = data.get("done", default)
    if not isinstance(done, bool):
        raise ValueError(f'"done" must be true or false, not {json.dumps(done)}')
    return done


class _Replay:
    """The journal's records applied one by one: each costs O(1)."""

    def __init__(self, key: dict[str, Any]) -> None:
        self.key = key
        self.cursor: str | None = None
        self.events = self.pages = self.offset = 0
        self.done = False
        self.cursors: dict[str, str] = {}
        self.finished: dict[str, None] = {}  # an ordered set

    def apply(self, data: object) -> None:
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        unknown = set(data) - _RECORD_FIELDS
        if unknown:
            raise ValueError(f"unknown fields {', '.join(sorted(unknown))}")
        self.events = _count(data, "events", self.events)
        self.pages = _count(data, "pages", self.pages)
        self.offset = _count(data, "offset", self.offset)
        self.done = _done(data, self.done)
        if "cursor" in data:
            cursor = data["cursor"]
            self.cursor = None if cursor is None else _cursor(cursor, '"cursor"')
        if "person" in data:
            person = _cursor(data["person"], '"person"')
            after = data.get("after")
            if after is None:
                self.cursors.pop(person, None)
                self.finished[person] = None
            else:
                self.cursors[person] = _cursor(after, f"the cursor of {json.dumps(person):.80}")
        elif "after" in data:
            raise ValueError('"after" without "person"')

    def result(self, length: int, converted: bool = False) -> Checkpoint:
        return Checkpoint(
            key=self.key,
            cursor=self.cursor,
            events=self.events,
            pages=self.pages,
            offset=self.offset,
            done=self.done,
            cursors=self.cursors,
            finished=list(self.finished),
            length=length,
            converted=converted,
        )


def _key(data: dict[str, Any]) -> dict[str, Any]:
    key = data.get("key")
    if not isinstance(key, dict):
        raise ValueError('"key" must be an object')
    return key


def _parse_old(data: dict[str, Any], size: int) -> Checkpoint:
    """A whole-file state of zdevents 0.2, as a journal's state (converted on use)."""
    unknown = set(data) - {"version", "key", "cursor", "events", "pages", "offset", "done",
                           "cursors", "finished"}  # fmt: skip
    if unknown:
        raise ValueError(f"unknown fields {', '.join(sorted(unknown))}")
    key = dict(_key(data))
    people = key.get("people")
    if isinstance(people, list) and all(isinstance(p, str) for p in people):
        key["people"] = people_key(people)
    replay = _Replay(key)
    cursors = data.get("cursors", {})
    finished = data.get("finished", [])
    if not isinstance(cursors, dict) or not isinstance(finished, list):
        raise ValueError('"cursors" must be an object and "finished" a list')
    for person, after in cursors.items():
        replay.apply({"person": person, "after": _cursor(after, f"the cursor of {person!r:.80}")})
    for person in finished:
        replay.apply({"person": _cursor(person, 'each of "finished"')})
    replay.apply({k: data[k] for k in ("events", "pages", "offset", "cursor", "done") if k in data})
    return replay.result(size, converted=True)


def _parse(raw: bytes) -> Checkpoint:
    try:
        whole_file = json.loads(raw)
    except ValueError:
        pass  # a journal of several lines (or no state at all: said below)
    else:
        if not isinstance(whole_file, dict):
            raise ValueError("not a JSON object")
        if _MAGIC not in whole_file:
            if whole_file.get("version") == _OLD:
                return _parse_old(whole_file, len(raw))
            raise ValueError(f'unknown "version" {json.dumps(whole_file.get("version"))}')
    lines = raw.split(b"\n")
    # A last line without its newline was cut off mid-write: dropped (lines[-1] is b"" when
    # the file ends with a newline).
    whole = lines[:-1]
    if not whole:
        raise ValueError("not a JSON object")
    try:
        first = json.loads(whole[0])
    except ValueError:
        raise ValueError("line 1 is not JSON") from None
    if not isinstance(first, dict):
        raise ValueError("not a JSON object")
    if first.get(_MAGIC) != _JOURNAL:
        found = first.get(_MAGIC, first.get("version"))
        raise ValueError(f'unknown "version" {json.dumps(found)}')
    replay = _Replay(_key(first))
    length = len(whole[0]) + 1
    for number, line in enumerate(whole[1:], 2):
        try:
            data = json.loads(line)
        except ValueError:
            if number == len(whole) and not line.rstrip().endswith(b"}"):
                break  # the last line, torn by a crash (or zeros a crash left): dropped
            raise ValueError(f"line {number} is not JSON") from None
        try:
            replay.apply(data)
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from None
        length += len(line) + 1
    return replay.result(length)


def load_checkpoint(path: str) -> Checkpoint | None:
    """The state in ``path`` (the journal replayed), or ``None`` if there is no such file."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckpointError(f"cannot read resume state {path}: {exc}") from None
    try:
        return _parse(raw)
    except (ValueError, RecursionError) as exc:
        raise CheckpointError(
            f"{path} is not a zdevents resume state ({exc}); delete it to start over"
        ) from None


# --------------------------------------------------------------------------- writing


class PendingCheckpoint:
    """A journal written and fsynced to a temporary file, not yet in place.

    Saving in two steps lets the first checkpoint of a fresh run be prepared before the
    output is renamed into place: a state that cannot be written (a full disk, a folder
    made read-only) then fails before the previous output is replaced.
    """

    def __init__(self, path: str, content: bytes) -> None:
        self._file = AtomicFile(path, own_lock=True)  # the run holds path.lock
        try:
            self._file.file.write(content)
            self._file.sync()
        except BaseException:
            self._file.discard()
            raise

    def commit(self) -> None:
        """Rename it over the state file (atomic and durable)."""
        try:
            self._file.commit()
        except BaseException:
            self._file.discard()
            raise

    def discard(self) -> None:
        self._file.discard()


def save_checkpoint(path: str, checkpoint: Checkpoint) -> None:
    """Replace ``path`` atomically and durably with ``checkpoint`` as a fresh journal."""
    PendingCheckpoint(path, checkpoint.journal()).commit()


def append(path: str, records: bytes) -> None:
    """Append ``records`` (whole lines) to the journal at ``path`` and make them durable.

    Opened by name each time (never created: a journal without its header is no state), so
    a state folder moved away or replaced is an ``OSError`` here, not writes into a file
    nobody will read."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
    try:
        view = memoryview(records)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def truncate(path: str, length: int) -> None:
    """Drop a torn last line (the journal's good lines are ``length`` bytes long)."""
    with open(path, "r+b") as f:
        if os.fstat(f.fileno()).st_size > length:
            f.truncate(length)
            os.fsync(f.fileno())


def differences(saved: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """The names of the settings that differ between two checkpoint keys."""
    return sorted(k for k in saved.keys() | wanted.keys() if saved.get(k) != wanted.get(k))
