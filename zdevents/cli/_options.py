"""The options every command that talks to Zendesk shares, and the one client factory.

The account and the credentials come from the environment of the run (or the stored
login), never from a flag; the request options (``--timeout``, ``--max-retries``,
``--rate-limit``) and the verbosity (``-q``, ``-v``) are added to each command's parser
here, with the one set of number converters of :mod:`._numbers`; :func:`make_client` turns
them into a :class:`zdevents.Client`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any

from zdevents import Client, limits

from . import _numbers as numbers
from . import _run

#: The namespace attributes that are options of the client.
CLIENT_OPTIONS = ("timeout", "max_retries", "rate_limit")


def add_request_options(
    group: Any, *, rate_limit: bool = True, retry_note: str = "", rate_note: str = ""
) -> None:
    """``--rate-limit`` (unless ``rate_limit`` is false), ``--max-retries`` and
    ``--timeout`` on ``group`` (a parser or an argument group); ``retry_note`` goes between
    ``--max-retries``' help and its default."""
    if rate_limit:
        group.add_argument(
            "--rate-limit",
            metavar="PER_MIN",
            type=numbers.rate_limit,
            help="send at most this many requests a minute" + rate_note,
        )
    # The defaults shown are the library's (zdevents.limits), read when the parser is built.
    group.add_argument(
        "--max-retries",
        metavar="N",
        type=numbers.max_retries,
        help=f"retries of a failed request{retry_note} "
        f"(default {limits.DEFAULT_MAX_RETRIES}; 0: none)",
    )
    group.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=numbers.timeout,
        help=f"seconds to wait for each response (default {limits.DEFAULT_TIMEOUT_SECONDS:g})",
    )


def add_start_options(
    group: Any, *, start_help: str, since_help: str, start_type: Callable[[str], Any] = str
) -> None:
    """``--start TIME`` or ``--since DURATION`` (not both) on ``group``: an absolute start,
    or one relative to now with the duration syntax of ``--overlap`` (``7d``, ``12h``).
    :func:`start_of` gives the one that was given."""
    start = group.add_mutually_exclusive_group()
    start.add_argument("--start", metavar="TIME", type=start_type, help=start_help)
    start.add_argument("--since", metavar="DURATION", type=numbers.since, help=since_help)


def start_of(ns: argparse.Namespace) -> Any:
    """The start of a run: ``--start`` as given, or ``--since`` as a time (``None``: none)."""
    return ns.start if ns.start is not None else ns.since


def add_verbosity(
    group: Any, *, quiet: str, verbose: str | None = None, exclusive: bool = False
) -> None:
    """``--quiet``/``-q`` (and ``--verbose``/``-v`` when ``verbose`` is its help) on
    ``group``; ``exclusive``: not both."""
    if exclusive:
        group = group.add_mutually_exclusive_group()
    group.add_argument("--quiet", "-q", action="store_true", help=quiet)
    if verbose is not None:
        group.add_argument("--verbose", "-v", action="store_true", help=verbose)


def client_options(ns: argparse.Namespace | None) -> dict[str, Any]:
    """The client options the user gave (the library's defaults for the others)."""
    return {
        name: value for name in CLIENT_OPTIONS if (value := getattr(ns, name, None)) is not None
    }


def make_client(
    ns: argparse.Namespace | None = None, *, environ: Mapping[str, str] | None = None
) -> Client:
    """The client of a run: its account and credentials from ``environ`` (default: the
    run's environment, see :mod:`._run`), its options from ``ns``. Raises what
    :meth:`Client.from_env` raises (``errors.ConfigurationError`` is a ``ValueError``)."""
    env = _run.environ() if environ is None else environ
    return Client.from_env(env, **client_options(ns))
