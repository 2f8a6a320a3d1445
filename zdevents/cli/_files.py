"""Files the command line writes: atomically (a temporary file renamed into place), directly
(devices, FIFOs, sockets), and the lock that keeps two runs off one resume state.

Every step that creates or renames a temporary file runs with terminating signals deferred
(:func:`deferred_signals`), so a signal never lands between "the file exists" and "we know
its name": whatever signal a process can catch, the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import socket
import stat
import tempfile
import threading
from collections.abc import Iterator
from types import FrameType
from typing import IO, Any

#: The signals the command line turns into a clean exit (temporary files removed): every
#: catchable one whose default would end the process. SIGPIPE is a BrokenPipeError already.
TERMINATING = (
    signal.SIGINT,
    signal.SIGTERM,
    signal.SIGHUP,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGALRM,
)


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold the :data:`TERMINATING` signals until the block is over, then act on them as usual.

    Python runs signal handlers in the main thread between bytecodes, so a KeyboardInterrupt
    can otherwise appear between any two steps of a rename. Outside the main thread (where
    handlers cannot be changed) this is a no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous: dict[int, Any] = {}
    try:
        for signum in TERMINATING:
            previous[signum] = signal.signal(signum, hold)
        yield
    finally:
        for held, handler in previous.items():
            if handler is not None:  # None: a handler not set from Python, left as it is
                signal.signal(held, handler)
        for number in dict.fromkeys(caught):
            handler = previous[number]
            if callable(handler):
                handler(number, None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), number)


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

    Writes go to a temporary file in the target's directory; :meth:`commit` flushes, fsyncs
    and renames it over the target; :meth:`discard` (or leaving a ``with`` block by an
    exception) deletes it, so a failed export leaves no partial file and an existing file
    untouched. A symlinked target is followed: the file it points to is replaced, the link
    stays. A device, FIFO or socket is written to directly (``direct``): nothing is renamed
    over it, :meth:`commit` closes it. A directory or a loop of symlinks is an ``OSError``.

    A file that another run is using (:func:`in_use`: a sync's database or its lock, a
    resumable export's output, a resume state's lock) is never replaced: ``OSError``
    (``EBUSY``), when opened and again when renamed into place. ``hold`` keeps the file
    locked (``flock``) while it is written, so that others see it in use too (a resumable
    export's output, written in place after its first checkpoint); ``own_lock`` is for a
    resume state, whose ``.lock`` this run holds itself.
    """

    def __init__(self, target: str, *, hold: bool = False, own_lock: bool = False) -> None:
        self.target = os.path.realpath(target)
        directory, name = os.path.split(self.target)
        self._done = False
        self.published = False
        kind = path_kind(self.target)
        if kind == "directory":
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), target)
        if kind == "dangling" and os.path.lexists(self.target):
            # A loop of symlinks (realpath stops in it): renaming over it would replace a
            # link, not write the file it names.
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), target)
        #: A device, FIFO or socket: written to as it is, never replaced (as root, a
        #: rename over /dev/null would put a regular file in its place).
        self.direct = kind == "special"
        self.file: IO[bytes]
        if self.direct:
            self.temp_path = ""
            self.file = open_special(self.target)
            self.published = True
            return
        self._own_lock = own_lock
        self._refuse_in_use()
        mode = _new_file_mode(self.target)
        with deferred_signals():
            fd, self.temp_path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            try:
                os.fchmod(fd, mode)
                if hold:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: never held
                self.file = os.fdopen(fd, "wb")
            except BaseException:
                os.close(fd)
                os.unlink(self.temp_path)
                raise

    def _refuse_in_use(self) -> None:
        if in_use(self.target, own_lock=self._own_lock):
            raise OSError(errno.EBUSY, "in use by another zdevents run", self.target)

    def sync(self) -> None:
        """Flush Python's buffer and the OS cache of the file to disk."""
        self.file.flush()
        if not self.direct:  # a pipe or a socket has no disk to sync to
            os.fsync(self.file.fileno())

    def publish(self) -> None:
        """Rename the file, as written so far, over the target and keep it open: later
        writes go to the target in place (how a resumable export goes on after its first
        checkpoint). Durable when it returns; a no-op once published."""
        self.sync()
        if not self.published:
            self._refuse_in_use()  # another run may have taken the name since we opened
            with deferred_signals():
                os.replace(self.temp_path, self.target)
                self.published = True
            fsync_directory(os.path.dirname(self.target))

    def commit(self) -> None:
        """Make the complete file visible under the target name."""
        if self.direct:
            self.file.close()  # flushes: a reader that went away is an error here
            self._done = True
            return
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
        atomic.commit()
    except BaseException:
        atomic.discard()
        raise


def path_kind(path: str) -> str:
    """What is at ``path``, symlinks followed: ``"missing"``, ``"file"`` (a regular file),
    ``"directory"``, ``"special"`` (a device, a FIFO or a socket) or ``"dangling"`` (a
    symlink to nothing, or a loop of them)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "dangling" if os.path.islink(path) else "missing"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "dangling"
        return "missing"  # e.g. a folder on the way that is a file: opening it says so
    if stat.S_ISREG(mode):
        return "file"
    return "directory" if stat.S_ISDIR(mode) else "special"


def in_use(path: str, *, own_lock: bool = False) -> bool:
    """Whether another run is using the regular file ``path``: it holds a ``flock`` on it
    (a sync's lock file, a resume state's lock, a resumable export's output) or on
    ``path.lock`` beside it (a sync's database, a resume state), unless ``own_lock``: this
    run holds ``path.lock`` itself. Asked with a shared lock, let go at once."""
    for name in (path,) if own_lock else (path, path + ".lock"):
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue  # none, a symlink, unreadable: not a lock of ours
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    return True
        finally:
            os.close(fd)
    return False


def special_file(path: str) -> bool:
    """Whether ``path`` exists and is not a regular file (after symlinks): a device, a FIFO
    or a socket, which is written to as it is rather than replaced."""
    return path_kind(path) == "special"


def _what(path: str) -> str:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "a device, FIFO or socket"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def state_file_problem(path: str) -> str | None:
    """Why ``path`` cannot be a state file (one that is read, then replaced atomically
    under a lock beside it), or ``None``: it must be a regular file with one name, or not
    exist yet."""
    kind = path_kind(path)
    if kind == "directory":
        return f"{path} is a directory"
    if kind == "special":
        return f"{path} is {_what(path)}, not a regular file"
    if kind == "dangling":
        return f"{path} is a symlink to nothing ({os.path.realpath(path)} does not exist)"
    real = os.path.realpath(path)
    # A missing or unwritable folder: creating the lock says so, with the system's words.
    if kind == "file":
        try:
            links = os.stat(real).st_nlink
        except OSError:
            links = 1
        if links > 1:
            return (
                f"{path} has {links} names (hard links): it is replaced at each checkpoint, "
                "which would leave the other names behind; give it one name"
            )
    return None


def open_special(path: str) -> IO[bytes]:
    """Open a device or FIFO for writing (a FIFO waits for its reader), or connect to a Unix
    socket; never truncated, never replaced."""
    if stat.S_ISSOCK(os.stat(path).st_mode):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock.makefile("wb")
        finally:
            sock.close()  # the file object keeps the connection open
    return open(path, "wb")


class StateInUse(Exception):
    """Another run holds the lock of this resume state."""


class NotOurLock(Exception):
    """The lock's name is taken by a file that is not a zdevents lock."""


#: What a lock file holds: how a file of the user's (``-o X.lock --resume X``) is told apart
#: from a lock, so that it is never taken, nor removed at the end.
LOCK_MARK = b"zdevents: a run holds this lock; removed when it ends\n"


def lock_path(state: str) -> str:
    """The lock of a state: beside the file the state resolves to, so that every name of
    it (symlinks, relative paths) takes the same lock."""
    return os.path.realpath(state) + ".lock"


class StateLock:
    """An exclusive lock on a resume state, held for the whole run: ``STATE.lock`` beside
    the real STATE (symlinks followed), locked with ``flock`` (released by the kernel if the
    process dies) and removed at the end. Creating it is also the check that STATE's folder
    exists and is writable. A file of that name that is not a zdevents lock is refused
    (:class:`NotOurLock`), never locked or removed."""

    def __init__(self, state: str) -> None:
        self.path = lock_path(state)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`StateInUse` at once (``OSError`` if the folder is
        missing or unwritable, :class:`NotOurLock` if the name holds another file)."""
        for _ in range(10):
            with deferred_signals():
                if os.path.islink(self.path) or path_kind(self.path) not in ("missing", "file"):
                    raise NotOurLock(self.path)
                fd = os.open(
                    self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644
                )
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    os.close(fd)
                    if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                        raise StateInUse(self.path) from None
                    raise
                # The holder before us may have removed the file after we opened it: then
                # our lock is on a name nobody sees, and we try again.
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(self.path))
                except FileNotFoundError:
                    same = False
                if same:
                    held = os.pread(fd, len(LOCK_MARK) + 1, 0)
                    if held not in (b"", LOCK_MARK):
                        os.close(fd)
                        raise NotOurLock(self.path)
                    if not held:
                        os.write(fd, LOCK_MARK)
                    self._fd = fd
                    return
                os.close(fd)
        raise StateInUse(self.path)

    def release(self) -> None:
        if self._fd is None:
            return
        with deferred_signals():
            # Only the file we locked: never one renamed over its name since.
            with contextlib.suppress(OSError):
                if os.path.samestat(os.fstat(self._fd), os.stat(self.path)):
                    os.unlink(self.path)
            os.close(self._fd)
            self._fd = None
