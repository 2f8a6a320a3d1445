"""``make demo``: the sandbox, then the real ``zdevents`` command against it.

Starts a local Events API sandbox with the demo data on a free port, logs in to it the way a
person does (``zdevents auth login --no-browser``: the demo plays the browser, following the
printed URL, and the sandbox approves at once), shows the login, runs the example of
Zendesk's "Accessing events" page as a table and then as JSON lines into a file, logs out and
stops the sandbox. Exits 0 when every step worked, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import queue
import shlex
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
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


def start_sandbox() -> tuple[subprocess.Popen[str], dict[str, str], dict[str, str]]:
    """Start ``python -m zdevents.sandbox --port 0 --seed demo``; read its exports and the
    OAuth clients it prints (the public client's id first)."""
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
    oauth: dict[str, str] = {}
    while "ZENDESK_OAUTH_CLIENT_SECRET" not in oauth:
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
        elif line.startswith("#   ZENDESK_OAUTH_"):
            name, _, value = line.removeprefix("#").strip().partition("=")
            oauth.setdefault(name, shlex.split(value)[0] if value else "")
    return proc, exports, oauth


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


def login(env: dict[str, str], port: int) -> str:
    """``zdevents auth login --no-browser``, its printed URL followed as a browser would."""
    say(f"   $ zdevents auth login --no-browser --port {port}")
    proc = subprocess.Popen(
        [*ZDEVENTS, "auth", "login", "--no-browser", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    url = ""
    for line in proc.stderr:
        say("   " + line.rstrip())
        if line.strip().startswith("http"):
            url = line.strip()
            break
    if not url:
        proc.wait()
        raise DemoError(f"zdevents auth login printed no URL (exit status {proc.returncode})")
    say("   (the demo opens the URL as a browser would; the sandbox approves at once)")
    try:
        with urllib.request.urlopen(url, timeout=30) as page:  # follows the redirect
            page.read()
    except OSError as exc:
        proc.kill()
        raise DemoError(f"following the login URL failed: {exc}") from None
    out, err = proc.communicate(timeout=60)
    if proc.returncode != 0:
        raise DemoError(f"zdevents auth login exited with status {proc.returncode}: {err.strip()}")
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def indent(text: str) -> str:
    return "".join("   " + line for line in text.splitlines(keepends=True))


def demo(output_dir: Path) -> None:
    say("zdevents demo: a local Events API sandbox, then the zdevents command against it\n")
    say("1. Starting the sandbox with the demo data on a free port")
    say("   (the same as: zdevents sandbox --port 0 --seed demo)")
    proc, exports, oauth = start_sandbox()
    try:
        base_url = exports["ZENDESK_BASE_URL"]
        client_id = oauth["ZENDESK_OAUTH_CLIENT_ID"]
        home = output_dir / "zdevents-home"
        say(f"   listening at {base_url}, with a public OAuth client; the CLI reads:")
        settings = {
            "ZENDESK_BASE_URL": base_url,
            "ZENDESK_OAUTH_CLIENT_ID": client_id,
            "ZDEVENTS_HOME": str(home),  # the demo's own login store, not yours
        }
        for name, value in settings.items():
            say(f"   export {name}={shlex.quote(value)}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
        env.update(settings)
        week = ("--start", "2020-02-23", "--end", "2020-02-29")

        say("\n2. Logging in through the browser (authorization code with PKCE)")
        # A free port for the redirect (a real OAuth client registers the port it uses).
        say(indent(login(env, free_port())))
        status = zdevents(env, "auth", "status")
        say(indent(status.stdout))

        say(f"3. The events of {IDENTIFIER} in the week of 2020-02-23, as a table")
        table = zdevents(env, "events", "--identifier", IDENTIFIER, *week, "--format", "table")
        say(indent(table.stdout))

        target = output_dir / "events.jsonl"
        try:
            shown = target.relative_to(Path.cwd())
        except ValueError:
            shown = target
        say(f"4. The same events as JSON lines, exactly as received, into {shown}")
        output_dir.mkdir(parents=True, exist_ok=True)
        zdevents(env, "events", "--identifier", IDENTIFIER, *week, "--output", str(shown))
        lines = target.read_text(encoding="utf-8").splitlines()
        if not lines:
            raise DemoError(f"{shown} is empty")
        say(f"   wrote {len(lines)} events; the first one:")
        say(indent(lines[0]))

        say("\n5. Logging out (the token is revoked, the stored login removed)")
        say(indent(zdevents(env, "auth", "logout").stdout))
    finally:
        code = stop_sandbox(proc)
        say("6. Stopped the sandbox" + ("" if code == 0 else f" (exit status {code})"))
    if code != 0:
        raise DemoError(f"the sandbox exited with status {code}")
    say("\nDone. For a real account: create an OAuth client in Admin Center, set")
    say("ZENDESK_SUBDOMAIN and ZENDESK_OAUTH_CLIENT_ID, run zdevents auth login, then the")
    say("same zdevents commands (see README.md, 'Using it against a real account').")
    say()
    say(how_to_run_it())


def how_to_run_it() -> str:
    """Where the demo's ``zdevents`` is, so that the reader can type the same commands:
    ``make install`` put it into the project's virtual environment, not on the PATH."""
    venv = Path(sys.prefix)
    if sys.prefix == sys.base_prefix or not (venv / "bin" / "zdevents").exists():
        # This interpreter: "python" may not exist, or be another one without zdevents.
        return f"To run zdevents yourself: {shlex.quote(sys.executable)} -m zdevents --help"
    try:
        shown = venv.relative_to(Path.cwd())
    except ValueError:
        shown = venv
    activate = shown / "bin" / "activate"
    return (
        "To run zdevents yourself, use the virtual environment that make install created:\n"
        f"   {shlex.quote(str(shown / 'bin' / 'zdevents'))} --help\n"
        f"or activate it first (then plain zdevents works):\n"
        f"   . {shlex.quote(str(activate))}\n"
        "   zdevents --help"
    )


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
