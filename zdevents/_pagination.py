"""Where a page is followed: which request comes next, and the guards against loops.

The walk is sans-IO so that the sync and the async iterators share it. Nothing is ever sent
to another origin than the configured one. A next link is followed as sent (the documented
way) only if it is exactly this query plus the cursor: same origin and path, and as a
multiset the same parameters as the first request, plus one non-empty cursor and at most
the page size sent (parameter order and percent-encoding do not matter). Any other link,
a link to another origin included (a proxy, a host-mapped domain, the spec's own
``yoursubdomain`` examples), gives way to the cursor, re-sent with every selector and
filter on the configured host, with a warning; only without a cursor is it a
``PaginationError``. The walk stops when ``has_more`` is false or there is nothing to
follow; an empty page with ``has_more`` true goes on.

Since every request that goes out is this query plus a cursor, the cursor names the page,
however the link was dressed: a cursor seen before is a loop. The guard keeps a bounded
memory (:class:`_LoopGuard`), not every cursor of the walk.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import re
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

import httpx

from ._config import same_origin
from ._query import EventQuery
from ._responses import Page
from ._routes import AFTER_PARAM, SIZE_PARAM, build_request
from .errors import BadResponseError, PaginationError

logger = logging.getLogger("zdevents")

_API_NAME = re.compile(r"[a-z_]{1,30}(?:\[[a-z_]{1,30}\])?")

#: Consecutive empty pages that still claim more: past this the server is looping.
MAX_EMPTY_PAGES = 100


class PageRequest(NamedTuple):
    """An absolute URL, and the query parameters (``None``: the URL's own query)."""

    url: httpx.URL
    params: dict[str, Any] | None


class _LoopGuard:
    """Catches a cursor that comes back, in memory that does not grow with the walk.

    A server that loops hands out the same cursors in the same order again. The last
    :attr:`RECENT` cursors are remembered (as 16-byte digests), so a loop of up to that many
    pages is caught before any page is fetched twice. A longer loop is caught by Brent's
    cycle detection: one anchor cursor, moved to the current one after 1, 2, 4, 8, ...
    steps; once the anchor sits on the loop and the stretch is at least the loop's length,
    the anchor comes back within one turn. Memory: ``RECENT`` digests and one anchor.
    """

    RECENT = 1024

    def __init__(self) -> None:
        self._recent: collections.deque[bytes] = collections.deque()
        self._recent_set: set[bytes] = set()
        self._anchor: bytes | None = None
        self._stretch = 1
        self._steps = 0

    def see(self, cursor: str) -> None:
        # Every cursor is valid text by now (after= and each page are checked for it).
        key = hashlib.blake2b(cursor.encode(), digest_size=16).digest()
        if key in self._recent_set or key == self._anchor:
            raise PaginationError("the API sent a cursor it sent before; stopping a loop")
        self._recent.append(key)
        self._recent_set.add(key)
        if len(self._recent) > self.RECENT:
            self._recent_set.discard(self._recent.popleft())
        self._steps += 1
        if self._steps == self._stretch:
            self._anchor, self._stretch, self._steps = key, self._stretch * 2, 0


#: The guard, for the other cursor walks (the user export).
LoopGuard = _LoopGuard


class Walk:
    """The page-by-page state of one iteration."""

    def __init__(self, query: EventQuery, base_url: httpx.URL) -> None:
        self._query = query
        self._base = base_url
        self._guard = _LoopGuard()
        self._empty_run = 0
        kwargs = build_request(query)
        self._path = base_url.path.rstrip("/") + kwargs["url"]
        params: dict[str, Any] = kwargs["params"]
        #: The caller's query without cursor and page size, as a sorted multiset.
        self._expected = sorted(
            (name, str(value)) for name, value in params.items() if name != SIZE_PARAM
        )
        self._size = str(params[SIZE_PARAM])
        if query.after is not None:
            self._guard.see(query.after)
        try:
            self.first = self._from_cursor(query.after)
        except BadResponseError:
            # Not the query: make_query keeps its text within a URL's share. Only a long
            # base path (with a long profile_id in the route) gets here.
            raise ValueError(
                "the URL path of this query is over 64 KiB: base_url's path is too long"
            ) from None
        #: The URL of the last request built here; relative links resolve against it.
        self._current: httpx.URL = self.first.url

    def _from_cursor(self, cursor: str | None) -> PageRequest:
        kwargs = build_request(self._query, cursor)
        try:
            url = self._base.copy_with(path=self._path).copy_merge_params(kwargs["params"])
        except httpx.InvalidURL:
            raise BadResponseError("the cursor is too long to fit in a URL") from None
        return PageRequest(url, None)

    def advance(self, page: Page) -> PageRequest | None:
        """The request for the page after ``page``, or ``None`` at the end."""
        if not page.has_more:
            return None
        self._empty_run = self._empty_run + 1 if not page.events else 0
        if self._empty_run > MAX_EMPTY_PAGES:
            raise PaginationError(
                f"{MAX_EMPTY_PAGES} empty pages in a row still claim more events; giving up"
            )
        cursor = page.cursor
        if page.next_url is not None:
            url, problem = self._judge(page.next_url, cursor)
            if url is not None:
                self._guard.see(problem)  # the link's cursor
                self._current = url
                return PageRequest(url, None)
            if cursor is None:
                raise PaginationError(f"the next link {problem}, and there is no cursor")
            # The cursor, re-sent with every selector and filter, is the safe way on.
            logger.warning(
                "the next link %s; continuing from the cursor on %s instead",
                problem,
                self._origin(self._base),
            )
        if cursor is not None:
            self._guard.see(cursor)
            request = self._from_cursor(cursor)
            self._current = request.url
            return request
        logger.warning("the API says has_more but gave no next link or cursor; stopping")
        return None

    @staticmethod
    def _origin(url: httpx.URL) -> str:
        return f"{url.scheme}://{url.netloc.decode()}"  # httpx keeps the host IDNA-encoded

    def _judge(self, text: str, cursor: str | None) -> tuple[httpx.URL | None, str]:
        """The link as a URL to follow as sent and its cursor, or ``None`` and what is
        wrong with it."""
        try:
            url = httpx.URL(text)
            if not url.is_absolute_url:
                url = self._current.join(url)
        except httpx.InvalidURL:
            if cursor is None:
                # Not quoted: a hostile server chose the text (it may echo a credential).
                raise BadResponseError(
                    f"the next link is not a URL ({len(text):,} characters)"
                ) from None
            return None, "is not a URL"
        # What the messages below say of the link names no part of it: a hostile server
        # chose it, and may have put a credential anywhere in it.
        if url.userinfo:
            # Someone wants our client to send other credentials: never sent.
            return None, "carries credentials of its own; not following it"
        if not same_origin(url, self._base):
            return None, f"leaves {self._origin(self._base)} for another origin; not following it"
        if url.path != self._path:
            return None, f"points at another path than {self._path}"
        rest: list[tuple[str, str]] = []
        afters: list[str] = []
        sizes: list[str] = []
        # parse_qsl as httpx's url.params does, without building a QueryParams; httpx keeps
        # the query percent-encoded, so in ASCII.
        for name, value in parse_qsl(url.query.decode(), keep_blank_values=True):
            if name == AFTER_PARAM:
                afters.append(value)
            elif name == SIZE_PARAM:
                sizes.append(value)
            else:
                rest.append((name, value))
        rest.sort()
        if rest != self._expected:
            return None, self._difference(rest)
        if len(afters) != 1 or not afters[0]:
            return None, "does not carry exactly one cursor"
        if cursor is not None and afters[0] != cursor:
            return None, "carries another cursor than meta.after_cursor"
        if len(sizes) > 1 or (sizes and sizes[0] != self._size):
            return None, "changes the page size"
        return url, afters[0]

    def _difference(self, got: list[tuple[str, str]]) -> str:
        missing = collections.Counter(self._expected) - collections.Counter(got)
        if missing:
            return f"drops or changes the parameter {min(missing)[0]}"
        name = min(collections.Counter(got) - collections.Counter(self._expected))[0]
        # A parameter name is quoted only if it looks like one of the API's own (a hostile
        # server may have made a credential the name).
        return f"adds the parameter {name}" if _API_NAME.fullmatch(name) else "adds a parameter"
