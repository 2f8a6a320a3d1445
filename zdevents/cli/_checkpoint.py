"""Resume state of a long export (``zdevents events --resume STATE``).

The invariant that makes a resumed export exact: the checkpoint never claims more than the
output holds durably. After each page the output is flushed and fsynced first, and only then
is the checkpoint replaced (atomically) with the cursor of the next page, the number of events
written and the output's byte offset. A rerun truncates the output to that offset, which drops
anything written after the last checkpoint, and continues at the cursor.

A bulk export keeps one position per person: ``cursors`` (the next page of a person under
way) and ``finished`` (people whose export is complete); a person in neither starts at the
first page.

A state file is checked field by field on load: a tampered one (``"events": "2"``, a
``null``, empty, overlong or not-UTF-8 cursor, ``"done": "false"``) is refused with a
one-line reason.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from ._files import AtomicFile

_VERSION = 1
#: The longest cursor a state may hold: what the library accepts in a request URL (60 KiB).
MAX_CURSOR = 60 * 1024


class CheckpointError(ValueError):
    """A state file that cannot be used for this command."""


@attrs.frozen
class Checkpoint:
    """Where an export stands.

    ``key`` identifies the command (selector, filters, page size, limit, format, output file),
    so that a state file is never applied to another export. ``cursor`` is the cursor of the
    next page (``None``: from the first page), ``offset`` the output's size in bytes after the
    last complete page, ``done`` whether the export finished.
    """

    key: dict[str, Any]
    cursor: str | None = None
    events: int = 0
    pages: int = 0
    offset: int = 0
    done: bool = False
    cursors: dict[str, str] = attrs.field(factory=dict)
    finished: list[str] = attrs.field(factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"version": _VERSION, **attrs.asdict(self)}

    @property
    def started(self) -> bool:
        """Whether anything was exported under this state (so the output has its header)."""
        return self.offset > 0 or self.cursor is not None or bool(self.cursors or self.finished)


def _count(data: dict[str, Any], name: str) -> int:
    value = data.get(name, 0)
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


def _parse(data: object) -> Checkpoint:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("version") != _VERSION:
        raise ValueError(f'unknown "version" {json.dumps(data.get("version"))}')
    unknown = set(data) - {"version", *attrs.fields_dict(Checkpoint)}
    if unknown:
        raise ValueError(f"unknown fields {', '.join(sorted(unknown))}")
    key = data.get("key")
    if not isinstance(key, dict):
        raise ValueError('"key" must be an object')
    cursor = data.get("cursor")
    done = data.get("done", False)
    if not isinstance(done, bool):
        raise ValueError(f'"done" must be true or false, not {json.dumps(done)}')
    cursors = data.get("cursors", {})
    finished = data.get("finished", [])
    if not isinstance(cursors, dict) or not isinstance(finished, list):
        raise ValueError('"cursors" must be an object and "finished" a list')
    for who, after in cursors.items():
        _cursor(after, f"the cursor of {json.dumps(who):.80}")
    for who in finished:
        _cursor(who, 'each of "finished"')
    return Checkpoint(
        key=key,
        cursor=None if cursor is None else _cursor(cursor, '"cursor"'),
        events=_count(data, "events"),
        pages=_count(data, "pages"),
        offset=_count(data, "offset"),
        done=done,
        cursors=dict(cursors),
        finished=list(finished),
    )


def load_checkpoint(path: str) -> Checkpoint | None:
    """The checkpoint in ``path``, or ``None`` if there is no such file."""
    try:
        with open(path, "rb") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        raise CheckpointError(f"cannot read resume state {path}: {exc}") from None
    try:
        return _parse(data)
    except ValueError as exc:
        raise CheckpointError(
            f"{path} is not a zdevents resume state ({exc}); delete it to start over"
        ) from None


class PendingCheckpoint:
    """A checkpoint written and fsynced to a temporary file, not yet in place.

    Saving in two steps lets the first checkpoint of a fresh run be prepared before the
    output is renamed into place: a state that cannot be written (a full disk, a folder
    made read-only) then fails before the previous output is replaced.
    """

    def __init__(self, path: str, checkpoint: Checkpoint) -> None:
        self._file = AtomicFile(path, own_lock=True)  # the run holds path.lock
        try:
            text = json.dumps(checkpoint.to_json(), indent=1, sort_keys=True)
            self._file.file.write(text.encode() + b"\n")
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
    """Replace ``path`` atomically and durably with ``checkpoint``."""
    PendingCheckpoint(path, checkpoint).commit()


def differences(saved: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """The names of the settings that differ between two checkpoint keys."""
    return sorted(k for k in saved.keys() | wanted.keys() if saved.get(k) != wanted.get(k))
