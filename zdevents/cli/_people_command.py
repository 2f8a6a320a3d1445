"""``zdevents people --all-users``: every user of the account, as an identifiers file.

The users come from :meth:`zdevents.Client.users` (Zendesk's incremental user export:
admins only, 10 requests a minute); each active one is written as ``user_id:N``, the
``--identifiers-file`` format (:func:`zdevents.read_selectors`), so that ``events`` and
``sync`` take the file as it is. The output is written atomically: it appears whole or not
at all. Exit status: 0 done, 1 an API, network or output failure, 2 a usage error.
"""

from __future__ import annotations

import argparse
from typing import IO, Any

from zdevents import errors, limits

from . import _run
from ._files import AtomicFile, path_kind
from ._messages import PROG, Interrupted, error, hint, say
from ._options import add_request_options, add_verbosity, make_client
from ._parser import COMMANDS

DETAILS = """\
Deleted users are left out (--include-deleted keeps them). The export reads up to {per_page:,}
users a request and allows {per_minute} requests a minute: 50,000 users take {requests}
requests, about {minutes:g} minutes. Only an admin's credentials may read it (an agent is
refused with 403).

The file is what `zdevents events` and `zdevents sync` take as their identifiers file.

examples:
  zdevents people --all-users -o people.txt

exit status: 0 done, 1 API, network or output failure, 2 usage error, 130 interrupted
"""


def _details() -> str:
    """:data:`DETAILS` with the export's limits of :mod:`zdevents.limits` (and what they make
    of 50,000 users)."""
    per_page, per_minute = limits.MAX_USERS_PER_PAGE, limits.USERS_EXPORT_RATE_LIMIT
    requests = -(-50_000 // per_page)
    return DETAILS.format(
        per_page=per_page, per_minute=per_minute, requests=requests, minutes=requests / per_minute
    )


def add_parser(commands: Any) -> None:
    """Add ``people`` to the ``zdevents`` subcommands."""
    p = commands.add_parser(
        "people",
        help=COMMANDS["people"].help,
        description="Discover every user of the account with Zendesk's incremental user\n"
        "export and write them in the --identifiers-file format.",
        epilog=_details(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--all-users",
        action="store_true",
        required=True,
        help="every user of the account (the one way to choose people for now)",
    )
    p.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write here, atomically (default: standard output)",
    )
    p.add_argument("--include-deleted", action="store_true", help="keep deleted users too")
    net = p.add_argument_group("requests")
    add_request_options(net)
    add_verbosity(p, quiet="no summary on stderr")
    p.set_defaults(handler=run_people)


def run_people(ns: argparse.Namespace) -> int:
    """Run ``zdevents people``; returns the exit status."""
    if ns.output is not None and ns.output != "-":
        kind = path_kind(ns.output)
        if kind == "directory":
            error(f"--output {ns.output} is a directory")
            return 2
    try:
        client = make_client(ns)
    except (TypeError, ValueError) as exc:  # errors.ConfigurationError is a ValueError
        error(str(exc))
        return 2
    users: dict[int, bool] = {}  # the last state of each, in the order first seen
    requests = 0
    with client:
        try:
            for page in client.users().pages():
                requests += 1
                for user in page.users:
                    users[user.id] = user.active
        except errors.ZendeskError as exc:
            error(f"discovering the users failed: {exc}; {hint(exc)}")
            return 1
        except (KeyboardInterrupt, Interrupted) as exc:
            error("interrupted; nothing was written")
            return exc.status if isinstance(exc, Interrupted) else 130
    kept = [uid for uid, active in users.items() if active or ns.include_deleted]
    text = "".join(f"user_id:{uid}\n" for uid in kept)
    header = f"# {len(kept):,} users of {client.base_url} (zdevents people --all-users)\n"
    try:
        _write(ns.output, (header + text).encode())
    except OSError as exc:
        error(f"cannot write {ns.output}: {exc.strerror or exc}")
        return 1
    if not ns.quiet:
        left_out = len(users) - len(kept)
        deleted = f" ({left_out:,} deleted left out)" if left_out else ""
        say(f"{PROG}: {len(kept):,} people{deleted} in {requests:,} requests")
    return 0


def _write(path: str | None, data: bytes) -> None:
    if path is None or path == "-":
        out = _run.stdout()
        if out is None:
            raise OSError("standard output is closed")
        out.write(data.decode())
        out.flush()
        return
    atomic = AtomicFile(path)
    try:
        file: IO[bytes] = atomic.file
        file.write(data)
        atomic.commit()
    except BaseException:
        atomic.discard()
        raise
