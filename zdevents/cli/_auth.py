"""``zdevents auth login|status|token|logout``: signing in with OAuth.

``login`` runs the browser login (authorization code with PKCE on a loopback redirect) and
stores the login for the account; ``status`` says which credentials are in effect and what
Zendesk says of them; ``token`` prints a valid access token (the only output that shows a
secret, on stdout, for curl and other tools); ``logout`` revokes the stored login at
Zendesk, best effort, and removes it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import webbrowser
from collections.abc import Mapping
from typing import Any

from zdevents import AuthStatus, Client, Login, access_token, auth_status, errors, limits, logout

from . import _numbers as numbers
from . import _run
from ._messages import PROG, error, say
from ._options import add_verbosity, make_client
from ._parser import COMMANDS

#: Variables of credentials that take precedence over a stored login.
_CREDENTIAL_VARIABLES = (
    "ZENDESK_OAUTH_CLIENT_SECRET",
    "ZENDESK_OAUTH_TOKEN",
    "ZENDESK_EMAIL",
    "ZENDESK_API_TOKEN",
)
_KINDS = {
    "login": "stored login (zdevents auth login), refreshed as it nears expiry",
    "client_credentials": "OAuth client credentials (ZENDESK_OAUTH_CLIENT_ID and "
    "ZENDESK_OAUTH_CLIENT_SECRET), minted again before expiry",
    "oauth": "OAuth token (ZENDESK_OAUTH_TOKEN), which zdevents cannot renew",
    "api_token": "API token (ZENDESK_EMAIL and ZENDESK_API_TOKEN), which stops working "
    "on 2027-04-30",
}

AUTH_EXAMPLES = """\
examples:
  zdevents auth login
  zdevents auth status
  zdevents auth token
  zdevents auth logout
"""

AUTH_DETAILS = """\
login opens the account's OAuth authorization page (the URL is also printed on
stderr, so it works over SSH), waits for the redirect to http://127.0.0.1:PORT/,
and stores the login under ZDEVENTS_HOME (default ~/.config/zdevents), readable by
you only. Register http://127.0.0.1:{port}/ (and any --port you use) as a redirect
URL of the OAuth client in Admin Center. Every command then uses the stored login
when the environment has no credentials of its own.

environment:
  ZENDESK_SUBDOMAIN or ZENDESK_BASE_URL   the account
  ZENDESK_OAUTH_CLIENT_ID                 the OAuth client (or --client-id)
  ZENDESK_OAUTH_CLIENT_SECRET             sent along for a confidential client
  ZENDESK_OAUTH_SCOPE                     the scope (or --scope; default "read write")
  ZDEVENTS_HOME                           where logins are stored
  ZDEVENTS_LOGIN_STORE=keyring            the OS keyring instead (pip install
                                          'zdevents[keyring]'); the lock stays a file
"""


#: The library's defaults, defined once in zdevents.limits.
_LOGIN_PORT: int = limits.DEFAULT_LOGIN_PORT
_LOGIN_WAIT: float = limits.LOGIN_TIMEOUT


def add_commands(
    commands: Any, *, default_port: int = _LOGIN_PORT, default_wait: float = _LOGIN_WAIT
) -> None:
    """Register ``zdevents auth`` and its four subcommands."""
    auth = commands.add_parser(
        "auth",
        help=COMMANDS["auth"].help,
        description="Sign in to a Zendesk account with OAuth.",
        epilog=AUTH_EXAMPLES + "\nzdevents auth login --help tells how the login works.\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = auth.add_subparsers(dest="auth_command", metavar="ACTION")
    auth.set_defaults(handler=_missing_action)

    login = actions.add_parser(
        "login",
        help="log in through the browser and store the login",
        description="Log in through the browser (authorization code with PKCE).",
        epilog=AUTH_DETAILS.format(port=default_port)
        + "\nexamples:\n  zdevents auth login\n  zdevents auth login --no-browser --port 8080\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    login.add_argument("--client-id", metavar="ID", help="OAuth client (ZENDESK_OAUTH_CLIENT_ID)")
    login.add_argument(
        "--scope", metavar="S", help='scopes to ask for (ZENDESK_OAUTH_SCOPE; "read write")'
    )
    login.add_argument(
        "--port",
        type=numbers.port,
        default=default_port,
        help=f"loopback port of the redirect URL (default {default_port})",
    )
    login.add_argument(
        "--no-browser", action="store_true", help="only print the URL to open (over SSH)"
    )
    login.add_argument(
        "--wait",
        type=numbers.timeout,
        default=default_wait,
        metavar="SECONDS",
        help=f"how long to wait for the browser (default {default_wait:g})",
    )
    add_verbosity(login, quiet="no notices on stderr")
    login.set_defaults(handler=run_login)

    for name, text, handler in (
        ("status", "which credentials are in effect, for whom, until when", run_status),
        ("token", "print a valid OAuth access token (refreshed if needed)", run_token),
        ("logout", "revoke the stored login at Zendesk and remove it", run_logout),
    ):
        sub = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        add_verbosity(sub, quiet="no notices on stderr")
        sub.set_defaults(handler=handler)


def _missing_action(ns: argparse.Namespace) -> int:
    error(f"an action is needed: login, status, token or logout (see {PROG} auth --help)")
    return 2


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "unknown"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _shown(text: str) -> str:
    """A value Zendesk sent, as the terminal may show it: what is not printable (escapes,
    bidi overrides) spelled as ``\\x1b``, ``\\u202e``, never sent to the terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _describe(status: AuthStatus) -> list[str]:
    lines = [
        f"account:     {status.account}",
        f"credentials: {_KINDS.get(status.kind, status.kind)}",
    ]
    if status.kind != "api_token":
        lines.append(f"user id:     {status.user_id if status.user_id is not None else 'unknown'}")
        lines.append(f"scopes:      {_shown(' '.join(status.scopes)) or 'unknown'}")
        if status.client_id:
            lines.append(f"client:      {_shown(status.client_id)}")
        if status.kind in ("login", "client_credentials"):
            lines.append(f"access token expires:  {_when(status.expires_at)}")
        if status.kind == "login":
            lines.append(f"refresh token expires: {_when(status.refresh_expires_at)}")
            lines.append(f"stored in:   {status.stored_at}")
    return lines


def run_login(ns: argparse.Namespace) -> int:
    try:
        login = Login.from_env(_run.environ(), client_id=ns.client_id, scope=ns.scope, port=ns.port)
    except (ValueError, errors.ZendeskError) as exc:
        error(str(exc))
        return 2
    with login:
        say(f"Open this URL in a browser to log in to {login.base_url}:")
        say(f"  {login.url}")
        if not ns.no_browser:
            # The URL is printed above either way.
            with contextlib.suppress(Exception):
                webbrowser.open(login.url)
        say(f"Waiting for the browser (at most {ns.wait:g} seconds)...")
        try:
            status = login.wait(ns.wait)
        except errors.ZendeskError as exc:
            error(str(exc))
            return 1
    print(f"Logged in to {status.account} as user {status.user_id}", file=_run.stdout(), flush=True)
    print(
        f"scopes: {_shown(' '.join(status.scopes))}; stored in {status.stored_at}",
        file=_run.stdout(),
        flush=True,
    )
    shadowing = [name for name in _CREDENTIAL_VARIABLES if _run.environ().get(name, "").strip()]
    if shadowing and not ns.quiet:
        say(
            f"note: {', '.join(shadowing)} set in the environment take precedence over this "
            "login; unset them to use it"
        )
    return 0


def _client(environ: Mapping[str, str] | None = None) -> Client | int:
    try:
        return make_client(environ=environ)
    except (ValueError, errors.ZendeskError) as exc:
        error(f"{exc}")
        return 1


def run_status(ns: argparse.Namespace) -> int:
    client = _client()
    if isinstance(client, int):
        return client
    with client:
        try:
            status = auth_status(client)
        except errors.ZendeskError as exc:
            error(f"no usable credentials: {exc}")
            return 1
    for line in _describe(status):
        print(line, file=_run.stdout())
    _run.stdout().flush()  # type: ignore[union-attr]
    return 0


def run_token(ns: argparse.Namespace) -> int:
    client = _client()
    if isinstance(client, int):
        return client
    with client:
        try:
            token = access_token(client)
        except errors.ZendeskError as exc:
            error(str(exc))
            return 1
    try:
        print(token, file=_run.stdout(), flush=True)
    except BrokenPipeError:
        # Nobody read the token: say so once, and leave Python nothing to flush at exit.
        _run.null_stdout()
        error("the token was not printed: its reader closed the pipe")
        return 1
    return 0


def run_logout(ns: argparse.Namespace) -> int:
    # The stored login, whatever else the environment holds.
    env = {k: v for k, v in _run.environ().items() if k not in _CREDENTIAL_VARIABLES}
    client = _client(env)
    if isinstance(client, int):
        return client
    with client:
        try:
            removed = logout(client)
        except errors.ZendeskError as exc:
            error(str(exc))
            return 1
    if removed:
        print(f"Logged out of {client.base_url}".rstrip("/"), file=_run.stdout(), flush=True)
    return 0
