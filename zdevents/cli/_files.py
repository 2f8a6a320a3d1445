"""Files the command line writes: atomically (a temporary file renamed into place)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import IO

__all__ = ["AtomicFile", "atomic_write", "fsync_directory"]


def fsync_directory(path: str) -> None:
    """Make a rename or a new file in ``path`` durable (a no-op where unsupported)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _new_file_mode(target: str) -> int:
    try:
        return os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        # What open() would have given: the umask can only be read by setting it.
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class AtomicFile:
    """A file that appears under its name only when complete.

    Writes go to a temporary file in the same directory; :meth:`commit` flushes, fsyncs and
    renames it over the target; :meth:`discard` (or leaving a ``with`` block by an exception)
    deletes it, so a failed export leaves no partial file and an existing file untouched.
    """

    def __init__(self, target: str) -> None:
        self.target = os.path.abspath(target)
        directory, name = os.path.split(self.target)
        mode = _new_file_mode(self.target)
        fd, self.temp_path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
        try:
            os.fchmod(fd, mode)
            self.file: IO[bytes] = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            os.unlink(self.temp_path)
            raise
        self._done = False
        self.published = False

    def publish(self) -> None:
        """Rename the file, as written so far, over the target and keep it open: later
        writes go to the target in place (how a resumable export goes on after its first
        checkpoint). Durable when it returns; a no-op once published."""
        self.file.flush()
        os.fsync(self.file.fileno())
        if not self.published:
            os.replace(self.temp_path, self.target)
            self.published = True
            fsync_directory(os.path.dirname(self.target))

    def commit(self) -> None:
        """Make the complete file visible under the target name."""
        self.publish()
        self.file.close()
        self._done = True

    def discard(self) -> None:
        """Delete the temporary file; the target is left as it was (or, once published,
        as written so far)."""
        if self._done:
            return
        self._done = True
        with contextlib.suppress(OSError):
            self.file.close()
        if not self.published:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.temp_path)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            self.discard()


@contextlib.contextmanager
def atomic_write(target: str) -> Iterator[IO[bytes]]:
    """``with atomic_write(path) as f:`` — the file appears only if the block succeeds."""
    atomic = AtomicFile(target)
    try:
        yield atomic.file
    except BaseException:
        atomic.discard()
        raise
    atomic.commit()
