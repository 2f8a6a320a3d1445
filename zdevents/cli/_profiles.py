"""``zdevents profile`` and ``zdevents profiles``: read profiles.

Each profile is printed as Zendesk sent it: one JSON object a line when standard output is a
file or a pipe (for ``jq`` and scripts), indented for a person when it is a terminal.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from zdevents import Client, Profile, errors

from . import _run
from ._formats import _one_line, terminal_json
from ._messages import error, hint
from ._options import add_request_options, make_client
from ._parser import COMMANDS, ENVIRONMENT


def add_commands(commands: Any, *, environment: str = ENVIRONMENT) -> None:
    """Register ``profile`` and ``profiles`` on the ``zdevents`` subparsers; ``environment``
    ends their help."""
    pr = commands.add_parser(
        "profile",
        help=COMMANDS["profile"].help,
        description=(
            "Print one profile as Zendesk sent it: one line when piped, indented on a terminal."
        ),
        epilog="examples:\n  zdevents profile --identifier coolbikes:rider:email:jdoe@example.com\n"
        "  zdevents profile --profile-id 01E1G0NJSQPNPZRV096JXKXFAA\n\n" + environment,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = pr.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--identifier",
        metavar="QUERY",
        help="identifier query source:type:key:value, e.g. coolbikes:rider:email:jdoe@example.com",
    )
    which.add_argument("--profile-id", metavar="ID", help="Zendesk profile id")
    request_options(pr)
    pr.set_defaults(handler=run_profile)

    ps = commands.add_parser(
        "profiles",
        help=COMMANDS["profiles"].help,
        description=(
            "Print each profile of a Zendesk user as Zendesk sent it: one a line when piped, "
            "indented on a terminal."
        ),
        epilog="examples:\n  zdevents profiles --user-id 85211553\n\n" + environment,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ps.add_argument("--user-id", metavar="ID", required=True, help="Zendesk user id")
    request_options(ps)
    ps.set_defaults(handler=run_profiles)


def request_options(parser: argparse.ArgumentParser) -> None:
    """``--max-retries`` and ``--timeout`` of a command that sends a few requests."""
    add_request_options(parser.add_argument_group("requests"), rate_limit=False)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def _shown(profile: Profile, pretty: bool) -> bytes:
    if pretty:
        try:
            text = json.dumps(profile.to_dict(), indent=2, ensure_ascii=False)
            return terminal_json(text).encode()
        except errors.BadResponseError:
            pass  # not decodable as a whole: shown as sent
    return _one_line(profile.raw)


def _print_profiles(ns: argparse.Namespace, what: str, read: Callable[[Client], list[Any]]) -> int:
    try:
        client = make_client(ns)
    except (TypeError, ValueError) as exc:
        error(str(exc))
        return 2
    with client:
        try:
            profiles = read(client)
        except (TypeError, ValueError) as exc:
            error(str(exc))
            return 2
        except errors.ZendeskError as exc:
            error(f"reading {what} failed: {exc}; {hint(exc)}")
            return 1
    stream = _run.stdout()
    if stream is None:
        return 0
    pretty = _is_terminal(stream)
    out = stream.buffer
    try:
        for profile in profiles:
            out.write(_shown(profile, pretty) + b"\n")
        out.flush()
    except BrokenPipeError:
        _run.null_stdout()
        return 0
    return 0


def run_profile(ns: argparse.Namespace) -> int:
    """``zdevents profile``."""
    if ns.identifier is not None:
        what = f"the profile of identifier {ns.identifier}"
    else:
        what = f"profile {ns.profile_id}"
    return _print_profiles(
        ns, what, lambda c: [c.profile(identifier=ns.identifier, profile_id=ns.profile_id)]
    )


def run_profiles(ns: argparse.Namespace) -> int:
    """``zdevents profiles``."""
    return _print_profiles(
        ns, f"the profiles of user {ns.user_id}", lambda c: c.profiles(user_id=ns.user_id)
    )
