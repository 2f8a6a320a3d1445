"""What every command's parser shares: the parser class (one-line errors, no abbreviated
flags), the text converter, and the help texts about examples and the environment."""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

from . import _run
from ._messages import error


class Command(NamedTuple):
    """A command of ``zdevents``: the module that builds its parser (imported only when the
    command runs or asks for its own help), that module's function adding it (and its
    siblings) to the subcommands, and its line in ``zdevents --help``."""

    module: str
    register: str
    help: str


#: Every command, in the order of ``zdevents --help``. ``zdevents --help`` and ``--version``
#: import none of these modules (nor httpx, which they import): a command's own parser is
#: built when it runs.
COMMANDS: dict[str, Command] = {
    "events": Command(
        "_events", "add_parser", "export the events of a profile, a user or many people"
    ),
    "auth": Command("_auth", "add_commands", "sign in with OAuth: login, status, token, logout"),
    "sync": Command(
        "_sync",
        "add_sync_parser",
        "keep a local SQLite copy of people's events, fetching only what is new",
    ),
    "track": Command("_track", "add_commands", "track events from a file of JSON lines"),
    "profile": Command(
        "_track", "add_commands", "print one profile, by identifier query or profile id"
    ),
    "profiles": Command("_track", "add_commands", "print the profiles of a Zendesk user"),
    "sandbox": Command(
        "_sandbox",
        "add_parser",
        "run a local Events API server for trying and testing "
        "(zdevents sandbox --help for its options)",
    ),
}

EXAMPLES = """\
examples:
  # the events of one person by identifier query (source:type:key:value), one week
  zdevents events --identifier coolbikes:rider:email:jdoe@example.com \\
      --start 2020-02-23 --end 2020-02-29

  # by profile id, one source and type, as a table
  zdevents events --profile-id 01E1G0NJSQPNPZRV096JXKXFAA \\
      --source coolbike --type bike_rental_booked --format table

  # by Zendesk user id, as CSV into a file (written atomically)
  zdevents events --user-id 85211553 --format csv --output events.csv

  # a long export that survives interruptions: run the same command again to go on
  zdevents events --user-id 85211553 --output events.jsonl --resume events.state

  # many people at once, one selector a line
  zdevents events --identifiers-file people.txt --concurrency 8 --output events.jsonl

  # a local Events API server to try all of this on
  zdevents sandbox --port 8765 --seed demo
"""

ENVIRONMENT = """\
credentials come from the environment or the stored login, never from a flag:
  ZENDESK_SUBDOMAIN (e.g. coolbikes) or ZENDESK_BASE_URL (not both)
  one kind of credentials: ZENDESK_OAUTH_CLIENT_ID with ZENDESK_OAUTH_CLIENT_SECRET
  (cron, CI), ZENDESK_OAUTH_TOKEN (not renewable), or ZENDESK_EMAIL with
  ZENDESK_API_TOKEN (ends 2027-04-30); with none, the login of `zdevents auth login`
  ZDEVENTS_LOG=info or debug: log retries, waits (and requests) to stderr

exit status: 0 success, 1 API, network or output failure, 2 usage error (flags,
credentials, an unusable --output or --resume, a missing extra), 130 interrupted
(128 + the signal number for SIGTERM, SIGHUP and the like)
"""


def utf8(text: str) -> str:
    """Reject what the terminal passed as undecodable bytes (surrogate escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
        raise argparse.ArgumentTypeError(f"'{shown}' is not valid UTF-8 text") from None
    return text


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (not a usage block), and which
    takes no abbreviation of a flag (``--sourc`` is no ``--source``): a flag added later
    would change what an abbreviation in someone's script means."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: list[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        # An unknown flag is named before argparse says a required one is missing (which
        # it checks first): `--userid 1` is a misspelt --user-id, not a missing selector.
        if self._subparsers is None and args is not None:
            known = set(self._option_string_actions)
            for arg in args:
                if arg == "--":
                    break
                flag = arg.split("=", 1)[0]
                if flag.startswith("--") and flag not in known:
                    close = difflib.get_close_matches(flag, sorted(known), n=1)
                    hint = f" (did you mean {close[0]}?)" if close else ""
                    self.error(f"unrecognized argument {flag}{hint}")
        return super().parse_known_args(args, namespace)

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        # --help and --version go to this run's standard output (see _run), not sys.stdout.
        if file is None or file is sys.stdout:
            file = _run.stdout()
        elif file is sys.stderr:
            file = _run.stderr()
        super()._print_message(message, file)

    def error(self, message: str) -> NoReturn:
        error(f"{message} (see {self.prog} --help)")
        sys.exit(2)
