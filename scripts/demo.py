"""``make demo``: the sandbox, then the real ``zdevents`` command against it.

Starts a local Events API sandbox with the demo data on a free port, runs the example of
Zendesk's "Accessing events" page as a table and then as JSON lines into a file, and stops the
sandbox. Exits 0 when every step worked, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
IDENTIFIER = "coolbikes:rider:email:jdoe@example.com"
_SCRIPT = Path(sys.executable).with_name("zdevents")
ZDEVENTS = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "zdevents"]
STARTUP_SECONDS = 30


class DemoError(Exception):
    """A step failed; the message says which."""


def say(text: str = "") -> None:
    print(text, flush=True)


def _lines(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def start_sandbox() -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Start ``python -m zdevents.sandbox --port 0 --seed demo``; read its exports."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "zdevents.sandbox", "--port", "0", "--seed", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    exports: dict[str, str] = {}
    while len(exports) < 3:
        try:
            line = lines.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            stop_sandbox(proc)
            raise DemoError(f"the sandbox did not start within {STARTUP_SECONDS} s") from None
        if line is None:
            error = proc.stderr.read() if proc.stderr else ""
            proc.wait()
            raise DemoError(f"the sandbox exited with status {proc.returncode}: {error.strip()}")
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").strip().partition("=")
            exports[name] = shlex.split(value)[0] if value else ""
    return proc, exports


def stop_sandbox(proc: subprocess.Popen[str]) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def zdevents(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real command, showing it first as a user would type it."""
    say("   $ zdevents " + " ".join(shlex.quote(a) for a in args))
    result = subprocess.run(
        [*ZDEVENTS, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise DemoError(f"zdevents exited with status {result.returncode}: {result.stderr.strip()}")
    return result


def indent(text: str) -> str:
    return "".join("   " + line for line in text.splitlines(keepends=True))


def demo(output_dir: Path) -> None:
    say("zdevents demo: a local Events API sandbox, then the zdevents command against it\n")
    say("1. Starting the sandbox with the demo data on a free port")
    say("   (the same as: zdevents sandbox --port 0 --seed demo)")
    proc, exports = start_sandbox()
    try:
        say(f"   listening at {exports['ZENDESK_BASE_URL']}; the CLI reads these variables:")
        for name, value in exports.items():
            say(f"   export {name}={shlex.quote(value)}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
        env.update(exports)
        week = ("--start", "2020-02-23", "--end", "2020-02-29")

        say(f"\n2. The events of {IDENTIFIER} in the week of 2020-02-23, as a table")
        table = zdevents(env, "events", "--identifier", IDENTIFIER, *week, "--format", "table")
        say(indent(table.stdout))

        target = output_dir / "events.jsonl"
        try:
            shown = target.relative_to(Path.cwd())
        except ValueError:
            shown = target
        say(f"3. The same events as JSON lines, exactly as received, into {shown}")
        output_dir.mkdir(parents=True, exist_ok=True)
        zdevents(env, "events", "--identifier", IDENTIFIER, *week, "--output", str(shown))
        lines = target.read_text(encoding="utf-8").splitlines()
        if not lines:
            raise DemoError(f"{shown} is empty")
        say(f"   wrote {len(lines)} events; the first one:")
        say(indent(lines[0]))
    finally:
        status = stop_sandbox(proc)
        say("\n4. Stopped the sandbox" + ("" if status == 0 else f" (exit status {status})"))
    if status != 0:
        raise DemoError(f"the sandbox exited with status {status}")
    say("\nDone. To read a real account, set ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and")
    say("ZENDESK_API_TOKEN, then run the same zdevents command (see README.md).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--output-dir", type=Path, default=Path("demo-output"), help="default demo-output/"
    )
    args = parser.parse_args(argv)
    try:
        demo(args.output_dir.resolve())
    except DemoError as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ndemo interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
