"""What every command's parser shares: the parser class (one-line errors, no abbreviated
flags), the text converter, and the help texts about examples and the environment."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

from . import _run
from ._messages import error


class Command(NamedTuple):
    """A command of ``zdevents``: the module that builds its parser (imported only when the
    command runs or shows its own help), that module's function adding it (and its
    siblings) to the subcommands, its line in ``zdevents --help`` and the example shown
    there (the first of its own help's examples; tests/cli/test_cli_startup.py checks it)."""

    module: str
    register: str
    help: str
    example: str


#: Every command, in the order of ``zdevents --help``. ``zdevents --help`` and ``--version``
#: import none of these modules (nor httpx, which they import): a command's own parser is
#: built when it runs.
COMMANDS: dict[str, Command] = {
    "events": Command(
        "_events",
        "add_parser",
        "export the events of a profile, a user or many people",
        "zdevents events --identifier coolbikes:rider:email:jdoe@example.com \\\n"
        "      --start 2020-02-23 --end 2020-02-29",
    ),
    "auth": Command(
        "_auth",
        "add_commands",
        "sign in with OAuth: login, status, token, logout",
        "zdevents auth login",
    ),
    "sync": Command(
        "_sync",
        "add_sync_parser",
        "keep a local SQLite copy of people's events, fetching only what is new",
        "zdevents sync --db events.db --identifier coolbikes:rider:email:jdoe@example.com",
    ),
    "people": Command(
        "_people_command",
        "add_parser",
        "list every user of the account as an identifiers file (user_id:N a line)",
        "zdevents people --all-users -o people.txt",
    ),
    "load": Command(
        "_load",
        "add_load_parser",
        "load people's events into DuckDB, Postgres, BigQuery, ... through dlt",
        "zdevents load --identifiers-file people.txt",
    ),
    "track": Command(
        "_track",
        "add_commands",
        "track events from a file of JSON lines",
        "zdevents track events.jsonl --failed failed.jsonl",
    ),
    "profile": Command(
        "_profiles",
        "add_commands",
        "print one profile, by identifier query or profile id",
        "zdevents profile --identifier coolbikes:rider:email:jdoe@example.com",
    ),
    "profiles": Command(
        "_profiles",
        "add_commands",
        "print the profiles of a Zendesk user",
        "zdevents profiles --user-id 85211553",
    ),
    "forget": Command(
        "_forget",
        "add_parser",
        "erase a person at Zendesk and in local mirrors (GDPR/CCPA)",
        "zdevents forget --identifier coolbikes:rider:email:jdoe@example.com --db events.db \\\n"
        "      --dry-run",
    ),
    "sandbox": Command(
        "_sandbox",
        "add_parser",
        "run a local Events API server for trying and testing "
        "(zdevents sandbox --help for its options)",
        "zdevents sandbox --port 8765 --seed demo",
    ),
    "completion": Command(
        "_completion",
        "add_parser",
        "print the shell completion script for bash, zsh or fish",
        "zdevents completion bash > ~/.local/share/bash-completion/completions/zdevents",
    ),
}

#: The examples of ``zdevents events`` (its epilog; the top-level help shows the first).
EXAMPLES = """\
examples:
  # the events of one person by identifier query (source:type:key:value), one week
  zdevents events --identifier coolbikes:rider:email:jdoe@example.com \\
      --start 2020-02-23 --end 2020-02-29

  # by profile id, one source and type, as a table
  zdevents events --profile-id 01E1G0NJSQPNPZRV096JXKXFAA \\
      --source coolbike --type bike_rental_booked --format table

  # by Zendesk user id, the last 7 days, as CSV into a file (written atomically)
  zdevents events --user-id 85211553 --since 7d --format csv --output events.csv

  # a long export that survives interruptions: run the same command again to go on
  zdevents events --user-id 85211553 --output events.jsonl --resume events.state

  # many people at once, one selector a line
  zdevents events --identifiers-file people.txt --concurrency 8 --output events.jsonl
"""

CREDENTIALS = """\
credentials come from the environment or the stored login, never from a flag:
  ZENDESK_SUBDOMAIN (e.g. coolbikes) or ZENDESK_BASE_URL (not both)
  one kind of credentials: ZENDESK_OAUTH_CLIENT_ID with ZENDESK_OAUTH_CLIENT_SECRET
  (cron, CI), ZENDESK_OAUTH_TOKEN (not renewable), or ZENDESK_EMAIL with
  ZENDESK_API_TOKEN (ends 2027-04-30); with none, the login of `zdevents auth login`
  ZDEVENTS_LOG=info or debug: log retries, waits (and requests) to stderr
"""

ENVIRONMENT = (
    CREDENTIALS
    + """
exit status: 0 success, 1 API, network or output failure, 2 usage error (flags,
credentials, an unusable output or state file, a missing extra), 130 interrupted
(128 + the signal number for SIGTERM, SIGHUP and the like)
"""
)

_EXAMPLE = re.compile(r"^\s+zdevents\s")


def examples_of(epilog: str | None) -> list[str]:
    """The example commands of a help epilog, as written there: each ``zdevents ...`` line
    (without its indent and a trailing ``# comment``) with the lines it continues onto (a
    trailing backslash)."""
    found: list[str] = []
    lines = (epilog or "").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not _EXAMPLE.match(line):
            continue
        parts = [line.strip().split("  #")[0].rstrip()]
        while parts[-1].endswith("\\") and index < len(lines):
            parts.append(lines[index].rstrip())
            index += 1
        found.append("\n".join(parts))
    return found


def overview() -> str:
    """The top-level help's examples: the first example of each command's own help (its
    epilog), as the registry holds it so that no command module is imported for it."""
    lines = ["examples (one a command; zdevents COMMAND --help shows more):"]
    # With the indent of the help (continuation lines keep theirs).
    lines.extend(f"  {command.example}" for command in COMMANDS.values())
    return "\n".join(lines) + "\n"


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
