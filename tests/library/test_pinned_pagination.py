"""How pages are followed, pinned where mutants of the walk outlived the suite (issue 15):
a page without ``meta``, the run of empty pages, what loop detection remembers, relative
links, and spellings of one page. Through ``Client`` on a mock transport only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

from tests._mock import BASE, Recorder, client, event, never, ok, page_body
from zdevents import errors

# A liveness bound (the longest test here takes a few seconds): a walk that no longer
# stops fails here, long before the suite's own timeout.
pytestmark = pytest.mark.timeout(60)

ROUTE = f"{BASE}/api/v2/users/1/events"
HOST = "coolbikes.zendesk.com"


def link(cursor: str, *, base: str = ROUTE) -> str:
    return f"{base}?page%5Bafter%5D={cursor}"


def by_cursor(answer: Callable[[int], httpx.Response]) -> Recorder:
    """A server that answers page ``n`` (the cursor ``c{n}``; the first page is 0)."""

    def handler(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("page[after]", "c0")
        return answer(int(after.removeprefix("c")))

    return Recorder(handler)


def numbers(events: list[object]) -> list[int]:
    return [e.properties["n"] for e in events]  # type: ignore[attr-defined]


# --- a page with links but no meta ---------------------------------------------------------


def test_a_page_with_a_next_link_and_no_meta_has_the_links_cursor_and_more() -> None:
    rec = Recorder(
        {"events": [event(1)], "links": [{"next": link("c2")}]},
        {"events": [event(2)], "links": [{"next": ""}]},
    )
    with client(rec) as c:
        pages = list(c.events(user_id=1).pages())
    assert [(p.has_more, p.cursor) for p in pages] == [(True, "c2"), (False, None)]
    assert [numbers(p.events) for p in pages] == [[1], [2]]
    assert rec.calls == 2


def test_a_page_with_only_a_cursor_in_meta_has_more() -> None:
    rec = Recorder(
        {"events": [event(1)], "meta": {"after_cursor": "c2"}},
        {"events": [], "meta": {"after_cursor": None}},
    )
    with client(rec) as c:
        pages = list(c.events(user_id=1).pages())
    assert [(p.has_more, p.cursor) for p in pages] == [(True, "c2"), (False, None)]
    assert rec.params(1)["page[after]"] == "c2"


def test_an_empty_meta_leaves_has_more_to_the_link_and_has_more_false_wins() -> None:
    rec = Recorder({"events": [event(1)], "links": [{"next": link("c2")}], "meta": {}})
    with client(rec) as c:
        page = next(iter(c.events(user_id=1).pages()))
    assert (page.has_more, page.cursor) == (True, "c2")
    rec = Recorder(
        {"events": [event(1)], "links": [{"next": link("c2")}], "meta": {"has_more": False}}
    )
    with client(rec) as c:
        [page] = list(c.events(user_id=1).pages())
    assert (page.has_more, page.cursor) == (False, "c2")
    assert rec.calls == 1


# --- runs of empty pages -------------------------------------------------------------------


def test_an_export_of_many_more_than_100_pages_with_events_is_read_to_the_end() -> None:
    def answer(n: int) -> httpx.Response:
        more = n < 149
        return ok(page_body([event(n)], cursor=f"c{n + 1}" if more else None, has_more=more))

    rec = by_cursor(answer)
    with client(rec) as c:
        assert numbers(list(c.events(user_id=1))) == list(range(150))
    assert rec.calls == 150


def test_the_empty_run_starts_again_after_a_page_with_events() -> None:
    # 100 empty pages, one event, 100 empty pages, the last: every run stays within 100.
    def answer(n: int) -> httpx.Response:
        events = [event(n)] if n in (100, 201) else []
        more = n < 201
        return ok(page_body(events, cursor=f"c{n + 1}" if more else None, has_more=more))

    rec = by_cursor(answer)
    with client(rec) as c:
        assert numbers(list(c.events(user_id=1))) == [100, 201]
    assert rec.calls == 202


def test_100_empty_pages_in_a_row_are_allowed_and_101_are_not() -> None:
    def answer(last: int) -> Callable[[int], httpx.Response]:
        def page(n: int) -> httpx.Response:
            more = n < last
            return ok(page_body([], cursor=f"c{n + 1}" if more else None, has_more=more))

        return page

    rec = by_cursor(answer(100))  # pages 0..99 empty and claiming more, page 100 the last
    with client(rec) as c:
        assert list(c.events(user_id=1)) == []
    assert rec.calls == 101

    rec = by_cursor(answer(10_000))
    with client(rec) as c, pytest.raises(errors.PaginationError, match="100 empty pages"):
        list(c.events(user_id=1))
    assert rec.calls == 101  # the 102nd page is never asked for


# --- what loop detection remembers ---------------------------------------------------------


def test_the_cursor_of_a_followed_link_is_remembered() -> None:
    # Page 1 is left by its next link (cursor c2); page 2 has no link and offers c2 again:
    # following it would fetch page 2 again.
    rec = Recorder(
        page_body([event(1)], next=link("c2"), cursor="c2", has_more=True),
        page_body([event(2)], cursor="c2", has_more=True, links="none"),
    )
    with client(rec) as c, pytest.raises(errors.PaginationError, match="before"):
        list(c.events(user_id=1))
    assert rec.calls == 2


def test_a_link_repeating_a_cursor_that_was_followed_is_a_loop() -> None:
    rec = Recorder(
        page_body([event(1)], cursor="c2", has_more=True, links="none"),
        page_body([event(2)], next=link("c2"), has_more=True),
    )
    with client(rec) as c, pytest.raises(errors.PaginationError):
        list(c.events(user_id=1))
    assert rec.calls == 2


@pytest.mark.parametrize("by", ["link", "cursor"])
def test_a_cycle_of_pages_is_caught(by: str) -> None:
    # c1 -> c2 -> c3 -> c1 ...: stopped with an error, within a few pages.
    def answer(n: int) -> httpx.Response:
        following = f"c{n % 3 + 1}"
        if by == "link":
            return ok(page_body([event(n)], next=link(following), has_more=True))
        return ok(page_body([event(n)], cursor=following, has_more=True, links="none"))

    rec = by_cursor(answer)
    with client(rec) as c, pytest.raises(errors.PaginationError):
        list(c.events(user_id=1))
    assert rec.calls <= 10


# --- relative links and spellings of one page ----------------------------------------------


def test_a_relative_link_after_an_absolute_one_resolves_against_the_last_request() -> None:
    rec = Recorder(
        page_body([event(1)], next=link("c2"), has_more=True),
        page_body([event(2)], next="events?page%5Bafter%5D=c3", has_more=True),
        page_body([event(3)], next="/api/v2/users/1/events?page%5Bafter%5D=c4", has_more=True),
        page_body([event(4)], has_more=False),
    )
    with client(rec) as c:
        assert numbers(list(c.events(user_id=1))) == [1, 2, 3, 4]
    assert [str(r.url) for r in rec.requests[1:]] == [link("c2"), link("c3"), link("c4")]


@pytest.mark.parametrize(
    "again",
    [
        "https://coolbikes.zendesk.com:443/api/v2/users/1/events?page%5Bafter%5D=c2",
        "https://COOLBIKES.zendesk.com/api/v2/users/1/events?page%5Bafter%5D=c2",
        "https://coolbikes.zendesk.com/api/v2/users/1/events?page[after]=c2",
    ],
)
def test_one_page_in_another_spelling_is_the_same_page(again: str) -> None:
    rec = Recorder(
        page_body([event(1)], next=link("c2"), has_more=True),
        page_body([event(2)], next=again, has_more=True),
    )
    with client(rec) as c, pytest.raises(errors.PaginationError):
        list(c.events(user_id=1))
    assert rec.calls == 2


@pytest.mark.parametrize(
    "first",
    [
        "https://coolbikes.zendesk.com:443/api/v2/users/1/events?filter%5Bsource%5D=shop&page%5Bsize%5D=100",
        "https://COOLBIKES.zendesk.com/api/v2/users/1/events?filter%5Bsource%5D=shop&page%5Bsize%5D=100",
        "https://coolbikes.zendesk.com/api/v2/users/1/events?filter[source]=shop&page[size]=100",
        "https://coolbikes.zendesk.com/api/v2/users/1/events?page%5Bsize%5D=100&filter%5Bsource%5D=shop",
    ],
    ids=["default-port", "host-case", "brackets", "order"],
)
def test_a_link_back_to_the_first_page_in_any_spelling_is_refused_unsent(first: str) -> None:
    # The first page has no cursor: only the link itself can show that it is the same page.
    rec = Recorder(page_body([event(1)], next=first, has_more=True))
    with client(rec) as c, pytest.raises(errors.PaginationError):
        list(c.events(user_id=1, source="shop"))
    assert rec.calls == 1


def test_a_link_with_the_default_port_spelt_out_is_followed() -> None:
    spelt = "https://coolbikes.zendesk.com:443/api/v2/users/1/events?page%5Bafter%5D=c2"
    rec = Recorder(
        page_body([event(1)], next=spelt, has_more=True), page_body([event(2)], has_more=False)
    )
    with client(rec) as c:
        assert numbers(list(c.events(user_id=1))) == [1, 2]
    assert rec.requests[1].url.params["page[after]"] == "c2"


# --- a next link to another origin (issue 10: the cursor is the way on, if there is one) ---


def test_a_link_to_another_origin_with_a_cursor_continues_from_the_cursor_here() -> None:
    foreign = link("c2", base="https://yoursubdomain.zendesk.com/api/v2/users/1/events")
    rec = Recorder(
        page_body([event(1)], next=foreign, cursor="c2", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with client(rec) as c:
        assert numbers(list(c.events(user_id=1))) == [1, 2]
    assert rec.requests[1].url.host == "coolbikes.zendesk.com"
    assert rec.params(1) == {"page[after]": "c2", "page[size]": "100"}


def test_a_link_to_another_origin_without_a_cursor_is_refused_unsent() -> None:
    foreign = "https://coolbikes.zendesk.com.evil.example/api/v2/users/1/events?x=1"
    rec = Recorder(page_body([event(1)], next=foreign, has_more=True))
    with client(rec) as c, pytest.raises(errors.PaginationError):
        list(c.events(user_id=1))
    assert rec.calls == 1


# --- what the walk says: each message in full (issue 15: messages are part of the UX) ------


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_a_loop_is_stopped_with_a_message_that_says_so() -> None:
    rec = Recorder(
        page_body([event(1)], cursor="c2", has_more=True, links="none"),
        page_body([event(2)], cursor="c2", has_more=True, links="none"),
    )
    with client(rec) as c, pytest.raises(errors.PaginationError) as info:
        list(c.events(user_id=1))
    assert str(info.value) == "the API sent a cursor it sent before; stopping a loop"


def test_endless_empty_pages_are_stopped_with_a_message_that_says_so() -> None:
    rec = by_cursor(lambda n: ok(page_body([], cursor=f"c{n + 1}", has_more=True)))
    with client(rec) as c, pytest.raises(errors.PaginationError) as info:
        list(c.events(user_id=1))
    assert str(info.value) == "100 empty pages in a row still claim more events; giving up"


@pytest.mark.parametrize(
    ("next_link", "problem"),
    [
        (f"{BASE}/api/v2/tickets.json?x=1", "points at another path than /api/v2/users/1/events"),
        (
            f"https://evil:pw@{HOST}/api/v2/users/1/events",
            "carries credentials of its own; not following it",
        ),
        (
            "https://evil.example/api/v2/users/1/events",
            f"leaves {BASE} for another origin; not following it",
        ),
        (f"{ROUTE}?page%5Bsize%5D=100", "does not carry exactly one cursor"),
        (f"{ROUTE}?page%5Bafter%5D=", "does not carry exactly one cursor"),
        (f"{ROUTE}?filter%5Btype%5D=x", "adds the parameter filter[type]"),
        (f"{ROUTE}?junk=", "adds the parameter junk"),
        (f"{ROUTE}?Junk=1", "adds a parameter"),
        (f"{ROUTE}?a%20b=1", "adds a parameter"),
    ],
)
def test_a_link_that_cannot_be_followed_and_no_cursor_say_what_is_wrong(
    next_link: str, problem: str
) -> None:
    # Neither meta nor the link has a cursor: there is no safe way on.
    body = {"events": [event(1)], "links": [{"next": next_link}], "meta": {"has_more": True}}
    rec = Recorder(body)
    with client(rec) as c, pytest.raises(errors.PaginationError) as info:
        list(c.events(user_id=1, page_size=100))
    assert str(info.value) == f"the next link {problem}, and there is no cursor"
    assert rec.calls == 1


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("page%5Bafter%5D=c9", "carries another cursor than meta.after_cursor"),
        ("page%5Bafter%5D=c2&junk=", "adds the parameter junk"),
        ("page%5Bafter%5D=c2&page%5Bsize%5D=100&page%5Bsize%5D=100", "changes the page size"),
        ("page%5Bafter%5D=c2&filter%5Bsource%5D=shop", "adds the parameter filter[source]"),
        ("page%5Bsize%5D=100", "does not carry exactly one cursor"),
        # urlsplit takes it, httpx refuses it: the walk's own "not a URL".
        ("http://[::1", "is not a URL"),
    ],
)
def test_a_link_that_gives_way_to_the_cursor_says_why_in_one_warning(
    link: str, problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    next_link = link if "://" in link else f"{ROUTE}?{link}"
    rec = Recorder(
        page_body([event(1)], next=next_link, cursor="c2", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with caplog.at_level(logging.WARNING, logger="zdevents"), client(rec) as c:
        assert numbers(list(c.events(user_id=1))) == [1, 2]
    assert rec.params(1) == {"page[after]": "c2", "page[size]": "100"}
    assert warnings_of(caplog) == [
        f"the next link {problem}; continuing from the cursor on {BASE} instead"
    ]


def test_a_link_httpx_refuses_without_a_cursor_is_a_bad_response_that_counts_it() -> None:
    # urlsplit takes it (so the page has no cursor), httpx does not (a port that is no number).
    text = "https://coolbikes.zendesk.com:notaport/" + "x" * 1000
    rec = Recorder(page_body([event(1)], next=text, has_more=True))
    with client(rec) as c, pytest.raises(errors.BadResponseError) as info:
        list(c.events(user_id=1))
    assert str(info.value).startswith("the next link is not a URL (1,039 characters)")
    assert rec.calls == 1


def test_more_without_a_way_on_stops_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    rec = Recorder(page_body([event(1)], has_more=True))
    with caplog.at_level(logging.WARNING, logger="zdevents"), client(rec) as c:
        assert numbers(list(c.events(user_id=1))) == [1]
    assert warnings_of(caplog) == [
        "the API says has_more but gave no next link or cursor; stopping"
    ]


def test_a_link_followed_as_sent_warns_of_nothing(caplog: pytest.LogCaptureFixture) -> None:
    rec = Recorder(
        page_body([event(1)], next=link("c2"), cursor="c2", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with caplog.at_level(logging.WARNING, logger="zdevents"), client(rec) as c:
        assert numbers(list(c.events(user_id=1, page_size=100))) == [1, 2]
    assert str(rec.requests[1].url) == link("c2")
    assert warnings_of(caplog) == []


def test_a_cursor_too_long_for_the_url_of_this_query_is_a_bad_response() -> None:
    # Within the limit of a cursor, but not beside this identifier: the URL would be too long.
    rec = Recorder(page_body([event(1)], cursor="c" * 40_000, has_more=True, links="none"))
    with client(rec) as c, pytest.raises(errors.BadResponseError) as info:
        list(c.events(identifier="a:b:c:" + "d" * 30_000))
    assert str(info.value).startswith("the cursor is too long to fit in a URL")
    assert rec.calls == 1


def test_a_base_path_too_long_for_the_query_is_a_value_error_before_any_request() -> None:
    base = f"{BASE}/{'p' * 8000}"
    with client(never, base_url=base) as c, pytest.raises(ValueError) as info:
        list(c.events(profile_id="q" * 60_000))
    assert str(info.value) == (
        "the URL path of this query is over 64 KiB: base_url's path is too long"
    )


def test_a_base_url_with_a_path_prefix_is_kept_for_every_page() -> None:
    base = f"{BASE}/proxy/X"
    route = f"{base}/api/v2/users/1/events"
    rec = Recorder(
        page_body([event(1)], next=link("c2", base=route), has_more=True),
        page_body([event(2)], cursor="c3", has_more=True, links="none"),
        page_body([event(3)], has_more=False),
    )
    with client(rec, base_url=base) as c:
        assert numbers(list(c.events(user_id=1))) == [1, 2, 3]
    assert [r.url.path for r in rec.requests] == ["/proxy/X/api/v2/users/1/events"] * 3
    assert rec.params(1) == {"page[after]": "c2"}
    assert rec.params(2) == {"page[after]": "c3", "page[size]": "100"}


def test_a_relative_link_after_a_page_from_the_cursor_resolves_against_that_request() -> None:
    rec = Recorder(
        page_body([event(1)], cursor="c2", has_more=True, links="none"),
        page_body([event(2)], next="?page%5Bafter%5D=c3", has_more=True),
        page_body([event(3)], has_more=False),
    )
    with client(rec) as c:
        assert numbers(list(c.events(user_id=1))) == [1, 2, 3]
    assert str(rec.requests[1].url) == f"{ROUTE}?page%5Bsize%5D=100&page%5Bafter%5D=c2"
    assert str(rec.requests[2].url) == f"{ROUTE}?page%5Bafter%5D=c3"
