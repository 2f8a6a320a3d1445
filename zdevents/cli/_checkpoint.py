"""Resume state of a long export (``zdevents events --resume STATE``).

The invariant that makes a resumed export exact: the checkpoint never claims more than the
output holds durably. After each page the output is flushed and fsynced first, and only then
is the checkpoint replaced (atomically) with the cursor of the next page, the number of events
written and the output's byte offset. A rerun truncates the output to that offset, which drops
anything written after the last checkpoint, and continues at the cursor.
"""

from __future__ import annotations

import json
import os
from typing import IO, Any

import attrs

from ._files import atomic_write

__all__ = ["Checkpoint", "CheckpointError", "load_checkpoint", "save_checkpoint"]

_VERSION = 1


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

    def to_json(self) -> dict[str, Any]:
        return {"version": _VERSION, **attrs.asdict(self)}


def load_checkpoint(path: str) -> Checkpoint | None:
    """The checkpoint in ``path``, or ``None`` if there is no such file."""
    try:
        with open(path, "rb") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"cannot read resume state {path}: {exc}") from None
    try:
        if data.pop("version") != _VERSION:
            raise ValueError("unknown version")
        cp = Checkpoint(**data)
        if not isinstance(cp.key, dict) or not isinstance(cp.offset, int) or cp.offset < 0:
            raise ValueError("bad fields")
        if cp.cursor is not None and not isinstance(cp.cursor, str):
            raise ValueError("bad cursor")
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(
            f"{path} is not a zdevents resume state ({exc}); delete it to start over"
        ) from None
    return cp


def save_checkpoint(path: str, checkpoint: Checkpoint) -> None:
    """Replace ``path`` atomically and durably with ``checkpoint``."""
    f: IO[bytes]
    with atomic_write(path) as f:
        f.write(json.dumps(checkpoint.to_json(), indent=1, sort_keys=True).encode() + b"\n")


def differences(saved: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """The names of the settings that differ between two checkpoint keys."""
    return sorted(k for k in saved.keys() | wanted.keys() if saved.get(k) != wanted.get(k))


def fsync_file(f: IO[bytes]) -> None:
    """Flush Python's buffer and the OS cache of ``f`` to disk."""
    f.flush()
    os.fsync(f.fileno())
