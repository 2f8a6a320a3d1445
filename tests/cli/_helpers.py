"""Helpers of the command-line tests (no test module imports another).

:func:`run` runs ``zdevents`` in-process through ``zdevents.cli.main(argv, stdin=...,
stdout=..., stderr=..., environ=...)``, as httpie and gh test theirs, and checks that the
run left the process's global state as it found it. :func:`run_process` and :func:`popen`
run the real executable in a subprocess: only for what needs a process (signals, terminals,
closed or odd file descriptors, start-up, two runs at once, the installed entry point).
"""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import attrs
import pytest

from zdevents.cli import main
from zdevents.cli._checkpoint import CheckpointError, load_checkpoint

_SCRIPT = Path(sys.executable).with_name("zdevents")
#: The installed console script when there is one, else the module (the same code).
ZDEVENTS = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "zdevents"]

JDOE = "coolbikes:rider:email:jdoe@example.com"
PROFILE = "01E1G0NJSQPNPZRV096JXKXFAA"
USER = "85211553"
demo = pytest.mark.zendesk_sandbox(seed="demo")

#: The once-per-run notice of a CLI using an API token (tested in test_cli_auth.py);
#: these tests use one, and look at what else stderr says.
API_TOKEN_NOTICE = "zdevents: notice: API tokens stop working on 2027-04-30"


def cli_env(sandbox: Any | None = None, **extra: str) -> dict[str, str]:
    """The environment of a user pointed at ``sandbox`` (no outside ZENDESK_* leaks in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    if sandbox is not None:
        env.update(
            ZENDESK_BASE_URL=sandbox.base_url,
            ZENDESK_EMAIL=sandbox.email,
            ZENDESK_API_TOKEN=sandbox.api_token,
        )
    env.update(extra)
    return env


def without_notice(stderr: str) -> str:
    return "".join(
        line for line in stderr.splitlines(keepends=True) if not line.startswith(API_TOKEN_NOTICE)
    )


def run_in_pty(
    sandbox: Any,
    *args: str,
    stdout: IO[bytes] | None = None,
    timeout: float = 60,
    env: dict[str, str] | None = None,
    columns: int | None = None,
    stdin_tty: bool = False,
    answer: tuple[bytes, bytes] | None = None,
) -> tuple[int, bytes]:
    """Run the CLI with stderr (and stdout, unless given; stdin too with ``stdin_tty``) on a
    new pseudo-terminal (of ``columns`` columns when given); return the exit status and
    everything the terminal received. ``answer``: (prompt, reply): type the reply once the
    terminal shows the prompt."""
    master, slave = pty.openpty()
    if columns is not None:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(
        [*ZDEVENTS, *args],
        stdin=slave if stdin_tty else subprocess.DEVNULL,
        stdout=stdout if stdout is not None else slave,
        stderr=slave,
        env=cli_env(sandbox) if env is None else env,
        close_fds=True,
    )
    os.close(slave)
    received = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the last writer closed the terminal
                break
            if not chunk:
                break
            received.extend(chunk)
            if answer is not None and answer[0] in received:
                os.write(master, answer[1])
                answer = None
        return proc.wait(timeout=max(deadline - time.monotonic(), 1)), bytes(received)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()


# --------------------------------------------------------------------------- in-process


_SIGNALS = [
    s for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGPIPE)
]


def _global_state() -> dict[str, Any]:
    """What a run must leave as it found it."""
    logger = logging.getLogger("zdevents")
    umask = os.umask(0o022)
    os.umask(umask)
    return {
        "environ": dict(os.environ),
        "cwd": os.getcwd(),
        "umask": umask,
        "signals": {s: signal.getsignal(s) for s in _SIGNALS},
        "log handlers": list(logger.handlers),
        # The library scrubs its records with a filter it installs once per process.
        "log filters": [f for f in logger.filters if type(f).__module__.startswith("zdevents.cli")],
        "log level": logger.level,
        "streams": (sys.stdin, sys.stdout, sys.stderr),
    }


def _text(data: bytes) -> str:
    # As subprocess.run(text=True, encoding="utf-8") reads it: universal newlines.
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def run(
    sandbox: Any | None,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
    input: str | bytes | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``zdevents *args`` in-process (``env``: its whole environment, default
    :func:`cli_env`; ``cwd``: its working directory for the run; ``input``: its stdin)."""
    del timeout  # kept for the callers' sake: an in-process run is not timed out
    environ = cli_env(sandbox) if env is None else dict(env)
    data = input.encode() if isinstance(input, str) else (input or b"")
    out, err = io.BytesIO(), io.BytesIO()
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="surrogateescape")
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="surrogateescape")
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace")
    before = _global_state()
    threads = set(threading.enumerate())
    here = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        try:
            status = main(list(args), stdin=stdin, stdout=stdout, stderr=stderr, environ=environ)
        except SystemExit as exc:  # pragma: no cover - main returns its status
            status = exc.code if isinstance(exc.code, int) else 1
        for stream in (stdout, stderr):
            stream.flush()
        result = subprocess.CompletedProcess(
            ["zdevents", *args], status, _text(out.getvalue()), _text(err.getvalue())
        )
    finally:
        os.chdir(here)
    _left_no_thread(threads)
    after = _global_state()
    for key, value in before.items():
        assert after[key] == value, f"the run changed the process's {key}"
    result.stderr = without_notice(result.stderr)
    return result


def run_meanwhile(
    sandbox: Any | None,
    *args: str,
    meanwhile: Callable[[], object],
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """:func:`run`, with ``meanwhile`` called in a thread of its own while the command runs:
    what a test does to the server or to the files once the run is under way (it waits for
    that moment itself, e.g. with :func:`wait_for_requests`). What it raises is raised here,
    after the run."""
    raised: list[BaseException] = []

    def call() -> None:
        try:
            meanwhile()
        except BaseException as exc:  # raised again in the test's own thread
            raised.append(exc)

    thread = threading.Thread(target=call, name="meanwhile")
    thread.start()
    try:
        result = run(sandbox, *args, env=env)
    finally:
        thread.join(60)
    if raised:
        raise raised[0]
    return result


def wait_for_requests(sandbox: Any, count: int, timeout: float = 20) -> None:
    """Until ``sandbox`` has answered ``count`` requests (or ``timeout`` s went by)."""
    deadline = time.monotonic() + timeout
    while sandbox.request_count < count and time.monotonic() < deadline:
        time.sleep(0.005)


def _left_no_thread(before: set[threading.Thread]) -> None:
    deadline = time.monotonic() + 10
    for thread in set(threading.enumerate()) - before:
        thread.join(max(0.0, deadline - time.monotonic()))
    left = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert not left, f"the run left threads running: {left}"


# --------------------------------------------------------------------------- subprocess


def run_process(
    sandbox: Any | None,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run the real ``zdevents`` executable in a subprocess."""
    result = subprocess.run(
        [*ZDEVENTS, *args],
        env=cli_env(sandbox) if env is None else env,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    result.stderr = without_notice(result.stderr)
    return result


def popen(sandbox: Any, *args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*ZDEVENTS, *args],
        env=cli_env(sandbox),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- data


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def person(n: int, count: int, *, source: str = "shop") -> list[dict[str, Any]]:
    """``count`` track-event records of person ``n`` (see :func:`selector`)."""
    profile = {
        "source": source,
        "type": "customer",
        "identifiers": [{"type": "email", "value": f"p{n}@example.com"}],
    }
    return [
        {
            "profile": profile,
            "event": {
                "source": source,
                "type": "page_view",
                "description": f"person {n} event {i}",
                "created_at": f"2021-03-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
                f".{n:03d}{i:06d}Z",
                "properties": {"n": n, "i": i},
            },
        }
        for i in range(count)
    ]


def selector(n: int, source: str = "shop") -> str:
    return f"{source}:customer:email:p{n}@example.com"


def library_events(sandbox: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """What the library itself returns: the reference the CLI output is checked against."""
    return [event.to_dict() for event in sandbox.client.events(**kwargs)]


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    stderr = without_notice(result.stderr)
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


# --------------------------------------------------------------------------- resume


#: The events of person 0 in the ``slow_sandbox`` fixture.
EVENTS = 240
PAGE = "10"


def state_of(path: Path) -> dict[str, Any]:
    """A resume state (its journal replayed) as a dict, or ``{}`` while there is none."""
    try:
        saved = load_checkpoint(str(path))
    except CheckpointError:
        return {}
    return {} if saved is None else attrs.asdict(saved)


def tamper_state(path: Path, field: str, value: object) -> None:
    """Set ``field`` of the last record of a resume state's journal to ``value``."""
    *lines, last = path.read_text().splitlines()
    record = json.loads(last)
    record[field] = value
    path.write_text("\n".join([*lines, json.dumps(record)]) + "\n")


def wait_for_checkpoint(state: Path, events: int, proc: Any | None = None) -> None:
    """Until the resume state at ``state`` counts ``events`` (``proc``: the run's process,
    which must not end before; none for a run in this process)."""
    deadline = time.monotonic() + 30
    while state_of(state).get("events", 0) < events:
        assert proc is None or proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no checkpoint"
        time.sleep(0.005)


def resume_args(out: Path, state: Path, fmt: str = "jsonl") -> list[str]:
    return ["events", "--identifier", selector(0), "--page-size", PAGE, "--format", fmt,
            "--output", str(out), "--resume", str(state)]  # fmt: skip


# --------------------------------------------------------------------------- track


def record(n: int, **target: Any) -> dict[str, Any]:
    if not target:
        target = {
            "profile": {
                "source": "shopco",
                "type": "customer",
                "identifiers": [{"type": "email", "value": f"p{n}@x.com"}],
            }
        }
    return {"event": {"source": "shop", "type": f"e{n}", "properties": {"n": n}}, **target}


def write_lines(path: Path, *items: Any) -> Path:
    path.write_text(
        "".join((item if isinstance(item, str) else json.dumps(item)) + "\n" for item in items)
    )
    return path


def stored_types(sandbox: Any, **selector: Any) -> list[str]:
    return [e.type for e in sandbox.client.events(**selector)]


# --------------------------------------------------------------------------- hostile server

#: Given the request number (1, 2, ...) and the Authorization header: status and body.
Answer = Callable[[int, str], tuple[int, bytes]]


def page(n: int, cursor: str | None, has_more: bool = True) -> bytes:
    """A page of one event; ``cursor`` goes in as JSON text (so "\\ud800" stays an escape)."""
    event = {"id": f"e{n}", "source": "s", "type": "t", "created_at": "2020-01-01T00:00:00Z"}
    after = "null" if cursor is None else cursor
    return (
        '{"events":[' + json.dumps(event) + '],"meta":{"has_more":'
        + ("true" if has_more else "false") + ',"after_cursor":' + after + "}}"
    ).encode()  # fmt: skip
