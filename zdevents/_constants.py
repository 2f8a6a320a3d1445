"""Every default of the library and every Zendesk limit it checks, defined once.

The library, the command line (through the public :mod:`zdevents.limits`), the spec check
(``tests/contract/test_spec.py``) and the help texts read them here. The sandbox keeps its
own copy of Zendesk's limits on purpose (see CONTRIBUTING.md): it plays Zendesk, and a
client bug must not be hidden by a server that shares the client's numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

# --------------------------------------------------------------------------- client options

#: Seconds for the whole response of one request, headers and body.
DEFAULT_TIMEOUT_SECONDS: Final = 30.0
#: Seconds to connect.
DEFAULT_CONNECT_TIMEOUT_SECONDS: Final = 10.0
#: Retries of one request after a transient failure.
DEFAULT_MAX_RETRIES: Final = 4
#: Seconds of the first backoff, doubled at each retry.
DEFAULT_BACKOFF_BASE: Final = 0.5
#: The longest backoff, in seconds.
DEFAULT_BACKOFF_CAP: Final = 8.0
#: A ``Retry-After`` (or a rate-limit pause) longer than this raises at once.
DEFAULT_MAX_RETRY_AFTER: Final = 60.0
#: The largest response body taken, raw or decoded: a page of 100 events is rarely over 1 MB.
DEFAULT_MAX_BODY_SIZE: Final = 64 * 1024 * 1024
#: The smallest ``max_body_size`` accepted.
MIN_BODY_SIZE: Final = 1024
#: What an error body is read up to: enough for any message, small enough to hold.
ERROR_BODY_LIMIT: Final = 64 * 1024
#: The longest single wait or timeout used (30 days): sleeps and socket timeouts overflow
#: near 2**63 ns, and nobody means more.
MAX_SECONDS: Final = 30 * 86400.0
#: Connections of one client's pool, and those kept alive between requests.
MAX_CONNECTIONS: Final = 100
MAX_KEEPALIVE_CONNECTIONS: Final = 50
#: Seconds an idle connection is kept for the next request.
KEEPALIVE_EXPIRY_SECONDS: Final = 5.0

#: What the text of one request URL (an identifier, the filters, a cursor or a next link)
#: may take once percent-encoded: httpx refuses URLs over 64 KiB, and the base URL, the route
#: and the parameter names need the rest. A cursor a ``--resume`` state holds is bounded by it
#: too, so that the state stays usable.
MAX_URL_TEXT: Final = 60 * 1024

#: The values of ``ZDEVENTS_LOG`` (any other is said once on stderr and logs nothing).
LOG_LEVELS: Final = ("info", "debug")

# --------------------------------------------------------------------------- bulk calls

#: Workers of ``events_many``/``pages_many``/``track_many``/``sync`` by default.
DEFAULT_CONCURRENCY: Final = 8
#: Worker tasks of one async export at most. httpcore's async pool scans every connection,
#: and polls every idle socket, each time a request comes in or ends (encode/httpcore#1035),
#: so past about 20 connections a page costs more CPU than the extra concurrency saves:
#: measured with scripts/bench_bulk.py, 50 tasks were slower than 20. Since the async pool
#: is split in ASYNC_POOL_SHARDS (below), 50 tasks are no slower, and no faster either
#: (make bench row c: 10.1x against 10.0x sequential at 50 ms): the cap stays.
ASYNC_MAX_WORKERS: Final = 20
#: The pools an AsyncClient's connections are shared out between (see _transport): each
#: task keeps one, so that httpcore's per-request scan of a pool sees a few connections.
ASYNC_POOL_SHARDS: Final = 10
#: How far behind its high-water mark ``sync`` reads again by default.
DEFAULT_OVERLAP: Final = dt.timedelta(hours=1)
#: The longest overlap, in seconds: what a ``timedelta`` holds (about 2.7 million years).
MAX_OVERLAP_SECONDS: Final = int(dt.timedelta.max.total_seconds())

#: Bad lines of a ``zdevents track`` FILE named one by one; the rest are counted.
BAD_LINES_SHOWN: Final = 20

# --------------------------------------------------------------------------- Zendesk's limits

#: The smallest and the largest page Zendesk serves; the largest is also the default (the
#: fewest requests).
MIN_PAGE_SIZE: Final = 1
MAX_PAGE_SIZE: Final = 100
DEFAULT_PAGE_SIZE: Final = MAX_PAGE_SIZE
#: Characters of an event's or a profile's ``source`` and ``type``.
NAME_LIMIT: Final = 40
#: Characters of an identifier's ``type``.
IDENTIFIER_TYPE_LIMIT: Final = 60
#: Identifiers a profile may have.
MAX_IDENTIFIERS: Final = 20
#: The source only Zendesk's own profiles and events use: no client may track or create
#: with it.
RESERVED_SOURCE: Final = "zendesk"
#: The largest Zendesk user id (ids are 64-bit signed integers), exclusive.
USER_ID_BOUND: Final = 2**63
#: Requests a minute of the incremental user export, on top of the account's limit.
USERS_EXPORT_RATE_LIMIT: Final = 10
#: Users a page of the incremental user export, at most (its default too).
MAX_USERS_PER_PAGE: Final = 1000
#: The Events and Profiles API's requests a minute by Suite plan (Zendesk's rate-limits page:
#: "Legacy Custom Objects, Profiles, and Events API"), what a plan of the runs is worked
#: out against when Zendesk has not said (X-Rate-Limit) and --rate-limit is not given.
EVENTS_API_RATE_LIMITS: Final = {
    "Team": 250,
    "Growth": 250,
    "Professional": 500,
    "Enterprise": 700,
    "Enterprise Plus": 1000,
}

# --------------------------------------------------------------------------- OAuth

#: The scope asked for when none is given: the Events API reads (``read``) and tracks
#: (``write``); Zendesk has no narrower scope for it.
DEFAULT_SCOPE: Final = "read write"
#: The access-token lifetime asked for, in seconds (Zendesk takes 300 < s < 172,800 and
#: leaves ``expires_in`` out of its answer unless it was asked for).
ACCESS_TOKEN_SECONDS: Final = 7_200
#: The refresh-token lifetime asked for at login and on refresh (604,800 < s < 7,776,000):
#: 89 days, so that a weekly or monthly job keeps its login.
REFRESH_TOKEN_SECONDS: Final = 89 * 86_400
#: A token is renewed this many seconds before it expires (a tenth of its life if shorter).
RENEW_AHEAD_SECONDS: Final = 120.0
#: The loopback port ``zdevents auth login`` listens on: register
#: ``http://127.0.0.1:47615/`` as a redirect URL of the OAuth client (and any --port used).
DEFAULT_LOGIN_PORT: Final = 47615
#: Seconds ``zdevents auth login`` waits for the browser.
LOGIN_TIMEOUT: Final = 300.0
