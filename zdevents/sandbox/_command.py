"""The sandbox's command line: ``python -m zdevents.sandbox`` and ``zdevents sandbox``."""

from __future__ import annotations

import argparse
import importlib
import math
import shlex
import signal
import sqlite3
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from zdevents._config import is_loopback

from ._faults import FAULT_KINDS, parse_faults
from ._records import RecordError
from ._seed import SeedError
from ._server import INSTALL_HINT, Sandbox
from ._settings import DEFAULT_API_TOKEN, DEFAULT_EMAIL, DEFAULT_OAUTH_TOKEN, Options

_DEFAULT_PROG = "python -m zdevents.sandbox"
# How often the main thread wakes while it serves: a signal that lands just before a wait
# begins is then handled within this time.
_WAKE_SECONDS = 0.5


def _port(text: str) -> int:
    """An argparse type: a TCP port number, 0..65535 (0 picks any free port)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not in 0..65535")
    return port


def build_parser(prog: str = _DEFAULT_PROG) -> argparse.ArgumentParser:
    """The argument parser (exposed so that ``zdevents sandbox`` can share its help)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        allow_abbrev=False,
        description="Serve a local Zendesk Events API (reading and tracking events, reading "
        "profiles) from SQLite.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=8765, help="port (default 8765; 0 = any free)"
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host that is not loopback (the sandbox has no real security)",
    )
    parser.add_argument("--db", metavar="FILE", help="SQLite file to keep data in (default memory)")
    parser.add_argument(
        "--seed",
        metavar="demo|FILE.jsonl|scale:N",
        help="load the demo data, a JSONL file, or N people of two events each "
        "(user ids 1000001 on in a new sandbox)",
    )
    parser.add_argument("--email", default=DEFAULT_EMAIL, help="agent email for basic auth")
    parser.add_argument("--token", default=DEFAULT_API_TOKEN, help="API token for basic auth")
    parser.add_argument(
        "--oauth-token", default=DEFAULT_OAUTH_TOKEN, help="bearer token accepted as OAuth"
    )
    parser.add_argument(
        "--access-token-lifetime",
        type=int,
        metavar="SECONDS",
        help="the longest an issued OAuth access token lives (default: as asked, else 1800)",
    )
    parser.add_argument(
        "--refresh-token-lifetime",
        type=int,
        metavar="SECONDS",
        help="the longest an issued OAuth refresh token lives (default: as asked, else 30 days)",
    )
    parser.add_argument(
        "--deny-authorization",
        action="store_true",
        help="the OAuth authorization page denies (error=access_denied)",
    )
    parser.add_argument("--rate-limit", type=int, metavar="N", help="requests allowed per minute")
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="SECONDS", help="delay added to each request"
    )
    parser.add_argument(
        "--faults",
        metavar="KIND=SHARE,...",
        help=f"share of requests answered with a fault; kinds: {', '.join(FAULT_KINDS)}",
    )
    parser.add_argument("--fault-seed", type=int, default=0, help="random seed for --faults")
    parser.add_argument(
        "--retry-after", type=int, default=1, help="Retry-After seconds of injected 429s"
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="close connections whose request headers (or body) take longer (default 10)",
    )
    return parser


def _options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Options:
    """The behaviour options from the flags; a bad value is a usage error naming the flag."""
    for flag, value in (("--email", args.email), ("--token", args.token)):
        if not value.strip():
            parser.error(f"{flag} must not be empty")
    if not args.oauth_token.strip():
        parser.error("--oauth-token must not be empty (an empty token would match a bare Bearer)")
    if args.rate_limit is not None and args.rate_limit < 1:
        parser.error("--rate-limit must be at least 1")
    if not 0 <= args.latency < math.inf:
        parser.error("--latency must be a number of seconds, not negative")
    if args.retry_after < 0:
        parser.error("--retry-after must not be negative")
    if not 0 < args.request_timeout < 1e6:
        parser.error("--request-timeout must be a positive number of seconds")
    try:
        faults = parse_faults(args.faults)
    except ValueError as exc:
        parser.error(f"--faults: {exc}")
    for flag, lifetime in (
        ("--access-token-lifetime", args.access_token_lifetime),
        ("--refresh-token-lifetime", args.refresh_token_lifetime),
    ):
        if lifetime is not None and lifetime < 1:
            parser.error(f"{flag} must be at least 1")
    return Options(
        access_token_lifetime=args.access_token_lifetime,
        refresh_token_lifetime=args.refresh_token_lifetime,
        deny_authorization=args.deny_authorization,
        email=args.email,
        api_token=args.token,
        oauth_token=args.oauth_token,
        rate_limit=args.rate_limit,
        latency=args.latency,
        faults=faults or None,
        fault_seed=args.fault_seed,
        retry_after=args.retry_after,
        request_timeout=args.request_timeout,
    )


def main(argv: Sequence[str] | None = None, *, prog: str | None = None) -> int:
    """Run the sandbox until SIGINT or SIGTERM; return the exit status (0 on a clean stop).

    A signal while the seed is still loading (from a file, a pipe or a FIFO) ends the run
    with 128 + its number (130 for Ctrl-C), without a traceback and with nothing of the seed
    stored. Every error is one line on stderr starting ``PROG: error:``, as argparse's own;
    without the ``sandbox`` extra that line is the install hint, and the status 2.

    ``argv`` defaults to ``sys.argv[1:]``; ``prog`` names the command in help and errors
    (``zdevents sandbox`` passes its own name).
    """
    parser = build_parser(prog or _DEFAULT_PROG)

    def fail(message: str, status: int) -> int:
        print(f"{parser.prog}: error: {message}", file=sys.stderr)
        return status

    args = parser.parse_args(argv)
    try:
        importlib.import_module("uvicorn")
    except ModuleNotFoundError:
        return fail(INSTALL_HINT, 2)
    if not args.allow_remote and not is_loopback(args.host):
        parser.error(
            f"--host {args.host} is not a loopback address; add --allow-remote to serve it"
        )
    options = _options(parser, args)
    # Handlers go in before the seed loads: a large seed takes a while, and Ctrl-C (or
    # SIGTERM) then ends the run quietly with 128 + the signal number (130 for Ctrl-C).
    # The seed is stored in one transaction, so an interrupted load stores nothing.
    stop = threading.Event()
    loading = threading.Event()
    received: list[int] = []

    def request_stop(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        stop.set()
        if loading.is_set():
            raise KeyboardInterrupt  # unwinds the seed load; caught below

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    sandbox: Sandbox | None = None
    try:
        loading.set()
        try:
            sandbox = Sandbox(
                host=args.host,
                port=args.port,
                db=args.db,
                seed=args.seed,
                allow_remote=args.allow_remote,
                **options,
            )
            loading.clear()
        except KeyboardInterrupt:
            return 128 + (received[0] if received else signal.SIGINT)
        except (SeedError, RecordError, ValueError) as exc:
            return fail(str(exc), 2)
        except sqlite3.Error as exc:  # a directory, an unwritable path or not a database
            return fail(f"--db {args.db}: cannot use it as a SQLite database: {exc}", 2)
        finally:
            loading.clear()
        if stop.is_set():  # a signal between the load and here
            return 0
        try:
            sandbox.start()
        except OSError as exc:
            return fail(f"cannot listen on {args.host}:{args.port}: {exc}", 1)
        print(f"Zendesk Events API sandbox at {sandbox.base_url}", flush=True)
        print(f"export ZENDESK_BASE_URL={shlex.quote(sandbox.base_url)}")
        print(f"export ZENDESK_EMAIL={shlex.quote(sandbox.email)}")
        print(f"export ZENDESK_API_TOKEN={shlex.quote(sandbox.api_token)}")
        print("# OAuth: `zdevents auth login` with the public client (unset the API token)")
        print(f"#   ZENDESK_OAUTH_CLIENT_ID={shlex.quote(sandbox.oauth_public_client_id)}")
        print("# or client credentials with the confidential client:")
        print(f"#   ZENDESK_OAUTH_CLIENT_ID={shlex.quote(sandbox.oauth_client_id)}")
        print(
            f"#   ZENDESK_OAUTH_CLIENT_SECRET={shlex.quote(sandbox.oauth_client_secret)}",
            flush=True,
        )
        print("Press Ctrl-C to stop.", file=sys.stderr, flush=True)
        # A wait with a timeout: a signal landing just before a wait without one would be
        # handled only when something else woke the thread.
        while not stop.wait(_WAKE_SECONDS):
            pass
    finally:
        if sandbox is not None:
            sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
