"""Where a page is followed: which request comes next, and the guards against loops.

The walk is sans-IO so that the sync and the async iterators share it. It prefers the next
link as Zendesk sent it (the documented way), and rebuilds the request from the cursor, with
every selector and filter, only when there is no link. It stops when ``has_more`` is false or
there is nothing to follow; an empty page with ``has_more`` true goes on. A cursor or link
seen before, a link to another origin, or an endless run of empty pages raise
``PaginationError`` before anything is sent.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

import httpx

from ._config import DEFAULT_PORTS, same_origin
from ._query import EventQuery
from ._responses import Page
from ._routes import AFTER_PARAM, SIZE_PARAM, build_request
from .errors import BadResponseError, PaginationError

__all__ = ["PageRequest", "Walk"]

logger = logging.getLogger("zdevents")

#: Consecutive empty pages that still claim more: past this the server is looping.
MAX_EMPTY_PAGES = 100


class PageRequest(NamedTuple):
    """An absolute URL, and the query parameters (``None``: the URL's own query)."""

    url: httpx.URL
    params: dict[str, Any] | None
    path: str  # for log records: never the query, which holds identifiers


class Walk:
    """The page-by-page state of one iteration."""

    def __init__(self, query: EventQuery, base_url: httpx.URL) -> None:
        self._query = query
        self._base = base_url
        self._seen: set[str] = set()
        self._empty_run = 0
        if query.after is not None:
            self._seen.add("cursor:" + query.after)
        self.first = self._from_cursor(query.after)
        #: The URL of the last request built here; relative links resolve against it.
        self._current: httpx.URL = self.first.url.copy_merge_params(self.first.params or {})

    def _from_cursor(self, cursor: str | None) -> PageRequest:
        kwargs = build_request(self._query, cursor)
        base_path = self._base.path.rstrip("/")
        url = self._base.copy_with(path=base_path + kwargs["url"])
        # Remembered so that a next link back to a page already fetched is refused before it
        # is sent (zenpy#489: a last page whose next link points at itself).
        self._seen.add(_url_key(url.copy_merge_params(kwargs["params"])))
        return PageRequest(url, kwargs["params"], url.path)

    def advance(self, page: Page) -> PageRequest | None:
        """The request for the page after ``page``, or ``None`` at the end."""
        if not page.has_more:
            return None
        self._empty_run = self._empty_run + 1 if not page.events else 0
        if self._empty_run > MAX_EMPTY_PAGES:
            raise PaginationError(
                f"{MAX_EMPTY_PAGES} empty pages in a row still claim more events; giving up"
            )
        if page.next_url is not None:
            url = self._checked_link(page.next_url)
            query = parse_qsl(url.query.decode("ascii", "replace"), keep_blank_values=True)
            problem = self._drift(url, dict(query))
            if problem is None:
                self._remember(_url_key(url, query), "next link")
                if page.cursor is not None:
                    self._remember("cursor:" + page.cursor, "cursor")
                self._current = url
                return PageRequest(url, None, url.path)
            if page.cursor is None:
                raise PaginationError(f"the next link {problem}, and there is no cursor")
            # The cursor, re-sent with every selector and filter, is the safe way on.
            logger.warning("the next link %s; continuing from the cursor instead", problem)
        if page.cursor is not None:
            self._remember("cursor:" + page.cursor, "cursor")
            request = self._from_cursor(page.cursor)
            self._current = request.url.copy_merge_params(request.params or {})
            return request
        logger.warning("the API says has_more but gave no next link or cursor; stopping")
        return None

    def _checked_link(self, text: str) -> httpx.URL:
        # Parsed once here and handed to httpx as is: this runs once per page.
        try:
            url = httpx.URL(text)
            if not url.is_absolute_url:
                url = self._current.join(url)
        except httpx.InvalidURL:
            raise BadResponseError(f"the next link is not a URL: {text!r:.200}") from None
        if not same_origin(url, self._base):
            raise PaginationError(
                f"the next link leaves {self._base.scheme}://{self._base.netloc.decode()} "
                f"for {url.scheme}://{url.netloc.decode()}; not following it"
            )
        if url.userinfo:
            # httpx would send the link's user:password instead of our credentials.
            raise PaginationError("the next link carries credentials of its own; not following it")
        return url

    def _drift(self, url: httpx.URL, got: dict[str, str]) -> str | None:
        """How a same-origin link strays from this query, or ``None`` if it does not."""
        if url.path != self.first.url.path:
            return f"points at {url.path}, not {self.first.url.path}"
        sent = self.first.params or {}
        for name, value in sent.items():
            if name not in (AFTER_PARAM, SIZE_PARAM) and got.get(name) != str(value):
                return f"drops or changes the parameter {name}"
        return None

    def _remember(self, key: str, what: str) -> None:
        if key in self._seen:
            raise PaginationError(f"the API sent a {what} it sent before; stopping a loop")
        self._seen.add(key)


def _url_key(url: httpx.URL, query: list[tuple[str, str]] | None = None) -> str:
    # One page, however it is spelled: default port, host case, parameter order and
    # percent-encoding do not make a link new.
    port = url.port or DEFAULT_PORTS.get(url.scheme)
    if query is None:
        query = parse_qsl(url.query.decode("ascii", "replace"), keep_blank_values=True)
    return f"link:{url.scheme}://{url.host.lower()}:{port}{url.path}?{sorted(query)!r}"
