"""Running the sandbox's command line, for the tests of this folder: in a real process
(:func:`run_cli`) for a run that serves or gets a signal, in this one (:func:`run_main`) for
a run refused before it serves."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import threading

from zdevents.sandbox import main


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``python -m zdevents.sandbox ARGS`` with pipes for stdout and stderr."""
    return subprocess.Popen(
        [sys.executable, "-m", "zdevents.sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )


def run_main(*args: str) -> tuple[int, str, str]:
    """``python -m zdevents.sandbox ARGS`` in this process (the ``main`` its ``__main__``
    exits with): its exit status, stdout and stderr. For runs that end by themselves; one
    that serves instead is stopped after 30 s by the SIGTERM its handler turns into exit 0."""
    out, err = io.StringIO(), io.StringIO()
    default = signal.getsignal(signal.SIGTERM)

    def stop() -> None:
        if signal.getsignal(signal.SIGTERM) is not default:  # the command's handler is in
            os.kill(os.getpid(), signal.SIGTERM)

    timer = threading.Timer(30, stop)
    timer.start()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as exc:  # argparse's own refusals
                status = exc.code if isinstance(exc.code, int) else 1
    finally:
        timer.cancel()
        timer.join()
    return status, out.getvalue(), err.getvalue()
