"""What the command line says: one line on stderr, never on stdout (the data stream), and
the hint that goes with each kind of failure."""

from __future__ import annotations

import contextlib
import signal

from zdevents import errors

from . import _run

PROG = "zdevents"


class UsageError(Exception):
    """A mistake in the command line: exit status 2."""


class Interrupted(BaseException):
    """A terminating signal other than SIGINT (SIGTERM, SIGHUP, ...), handled like Ctrl-C so
    that temporary files are removed; exit status 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.status = 128 + signum


def say(text: str) -> None:
    """A line on stderr; nothing if stderr is closed (never on stdout, the data stream)."""
    stream = _run.stderr()
    if stream is None:
        return
    with contextlib.suppress(OSError, ValueError):
        print(text, file=stream, flush=True)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def error(message: str) -> None:
    say(f"{PROG}: error: {_one_line(message)}")


def _account() -> str:
    """The variable that names the account, as this user set it."""
    return "ZENDESK_BASE_URL" if _run.environ().get("ZENDESK_BASE_URL") else "ZENDESK_SUBDOMAIN"


def _credentials() -> str:
    """The credentials in effect, by the precedence rule (one kind, else the stored login)."""
    if _run.environ().get("ZENDESK_OAUTH_CLIENT_SECRET"):
        return "ZENDESK_OAUTH_CLIENT_ID and ZENDESK_OAUTH_CLIENT_SECRET"
    if _run.environ().get("ZENDESK_OAUTH_TOKEN") and not _run.environ().get("ZENDESK_API_TOKEN"):
        return "ZENDESK_OAUTH_TOKEN"
    if _run.environ().get("ZENDESK_EMAIL") or _run.environ().get("ZENDESK_API_TOKEN"):
        return "ZENDESK_EMAIL and ZENDESK_API_TOKEN"
    return "the stored login (zdevents auth status)"


def hint(exc: errors.ZendeskError) -> str:
    """What to do about a failure, naming only the settings that can be the cause."""
    if isinstance(exc, errors.AuthenticationError):
        return f"check {_credentials()} and that {_account()} is the right account"
    if isinstance(exc, errors.PermissionDeniedError):
        return "the credentials' user must be an agent or admin allowed to read profiles and events"
    if isinstance(exc, errors.NotFoundError):
        return f"no such profile, identifier or user; check the selector (and {_account()})"
    if isinstance(exc, errors.BadRequestError):
        return "check --start, --end, --source, --type and the selector"
    if isinstance(exc, errors.RateLimitError):
        return (
            "the account's rate limit is used up; try again later, or set --rate-limit below "
            "your plan's requests a minute"
        )
    if isinstance(exc, errors.ServerError):
        return (
            "Zendesk could not answer; try again later (quote the request id to Zendesk "
            "support if it goes on)"
        )
    if isinstance(exc, errors.APITimeoutError):
        return "Zendesk or the network is slow; try again or raise --timeout"
    if isinstance(exc, errors.APIConnectionError):
        return f"check the network and {_account()}, then try again"
    if isinstance(exc, errors.BadResponseError):
        return (
            "the answer is not what the Events API sends; check that ZENDESK_BASE_URL points "
            "at Zendesk, then try again"
            if _account() == "ZENDESK_BASE_URL"
            else "the answer is not what the Events API sends; try again"
        )
    if isinstance(exc, errors.PaginationError):
        return "the API's paging went wrong; report this to Zendesk support"
    return "try again"


def rerun_helps(exc: errors.ZendeskError) -> bool:
    """Whether the same command may succeed when run again: the library's own retry
    decision (network, 429, the retryable 5xx), unlike a 400, 401, 403 or 404."""
    from zdevents import is_transient  # not imported by --help and --version

    return is_transient(exc)
