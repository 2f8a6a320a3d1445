"""Pagination: links in either shape, the cursor fallback, stopping, loops and foreign links.

Pinned further where mutants of the walk outlived the suite (issue 15): a page without
``meta``, the run of empty pages, what loop detection remembers, relative links, and
spellings of one page. Through ``Client`` on a mock transport only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

from tests._mock import BASE, Recorder, client, event, never, ok, page_body
from zdevents import Page, errors

# A liveness bound (the longest test here takes a few seconds): a walk that no longer
# stops fails here, long before the suite's own timeout.
pytestmark = pytest.mark.timeout(60)

USER_URL = f"{BASE}/api/v2/users/85211553/events"


def ids(events: list[object]) -> list[int]:
    return [e.properties["n"] for e in events]  # type: ignore[attr-defined]


def test_links_array_form_is_followed_as_sent() -> None:
    link = f"{USER_URL}?page%5Bafter%5D=c2&page%5Bsize%5D=2&filter%5Bsource%5D=coolbike"
    rec = Recorder(
        page_body([event(1), event(2)], next=link, cursor="c2", has_more=True),
        page_body([event(3)], has_more=False),
    )
    with client(rec) as c:
        got = list(c.events(user_id=85211553, source="coolbike", page_size=2))
    assert ids(got) == [1, 2, 3]
    assert rec.calls == 2
    assert str(rec.requests[1].url) == link


def test_links_object_form_is_followed() -> None:
    link = f"{USER_URL}?page%5Bafter%5D=c2"
    rec = Recorder(
        page_body([event(1)], next=link, has_more=True, links="object"),
        page_body([event(2)], links="object", has_more=False),
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=85211553))) == [1, 2]
    assert str(rec.requests[1].url) == link


def test_link_without_meta_is_followed_until_an_empty_next() -> None:
    link = f"{USER_URL}?page%5Bafter%5D=c2"
    rec = Recorder(
        {"events": [event(1)], "links": [{"next": link}]},
        {"events": [event(2)], "links": [{"next": ""}]},
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=85211553))) == [1, 2]
    assert rec.calls == 2


def test_documented_last_page_with_empty_next_and_no_meta_stops() -> None:
    # Zendesk's "Accessing events" example, verbatim in shape.
    rec = Recorder({"events": [event(1)], "links": [{"next": ""}]})
    with client(rec) as c:
        assert ids(list(c.events(identifier="coolbikes:rider:email:jdoe@example.com"))) == [1]
    assert rec.calls == 1


def test_links_object_with_null_next_stops() -> None:
    rec = Recorder({"events": [event(1)], "links": {"next": None, "prev": None}})
    with client(rec) as c:
        assert ids(list(c.events(user_id=1))) == [1]
    assert rec.calls == 1


@pytest.mark.parametrize(
    ("selector", "path", "selector_params"),
    [
        (
            {"identifier": "coolbikes:rider:email:j+doe@example.com"},
            "/api/v2/user_profiles/events",
            {"identifier": "coolbikes:rider:email:j+doe@example.com"},
        ),
        (
            {"profile_id": "01E1G0NJSQPNPZRV096JXKXFAA"},
            "/api/v2/user_profiles/01E1G0NJSQPNPZRV096JXKXFAA/events",
            {},
        ),
        ({"user_id": 85211553}, "/api/v2/users/85211553/events", {}),
    ],
)
def test_cursor_without_links_rebuilds_the_request_with_every_filter(
    selector: dict[str, object], path: str, selector_params: dict[str, str]
) -> None:
    rec = Recorder(
        page_body([event(1)], cursor="cur/1+=", has_more=True, links="none"),
        page_body([event(2)], cursor="cur2", has_more=True, links="array"),
        page_body([event(3)], has_more=False, links="none"),
    )
    filters = {
        "source": "coolbike",
        "type": "bike_rental_booked",
        "start": "2020-02-23",
        "end": "2020-02-29",
        "page_size": 1,
    }
    with client(rec) as c:
        assert ids(list(c.events(**selector, **filters))) == [1, 2, 3]  # type: ignore[arg-type]
    assert rec.calls == 3
    expected = {
        **selector_params,
        "filter[source]": "coolbike",
        "filter[type]": "bike_rental_booked",
        "filter[start_time]": "2020-02-23T00:00:00Z",
        "filter[end_time]": "2020-02-29T23:59:59.999999999Z",
        "page[size]": "1",
    }
    assert rec.params(0) == expected
    assert rec.params(1) == {**expected, "page[after]": "cur/1+="}
    assert rec.params(2) == {**expected, "page[after]": "cur2"}
    for request in rec.requests:
        assert request.url.path == path
        assert request.url.host == "coolbikes.zendesk.com"


def test_empty_page_with_has_more_does_not_end_iteration() -> None:
    rec = Recorder(
        page_body([], cursor="c1", has_more=True),
        page_body([], cursor="c2", has_more=True),
        page_body([event(7)], has_more=False),
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=1))) == [7]
    assert rec.calls == 3


def test_has_more_false_stops_even_with_a_link_and_a_cursor() -> None:
    rec = Recorder(
        page_body([event(1)], next=f"{USER_URL}?page%5Bafter%5D=x", cursor="x", has_more=False)
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=85211553))) == [1]
    assert rec.calls == 1


def test_has_more_without_link_or_cursor_stops() -> None:
    rec = Recorder(page_body([event(1)], has_more=True))
    with client(rec) as c:
        assert ids(list(c.events(user_id=1))) == [1]
    assert rec.calls == 1


def test_cursor_without_has_more_goes_on() -> None:
    rec = Recorder(
        {"events": [event(1)], "meta": {"after_cursor": "c1"}},
        {"events": [event(2)], "meta": {"after_cursor": None}},
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=1))) == [1, 2]
    assert rec.params(1)["page[after]"] == "c1"


def test_repeated_cursor_is_a_pagination_error() -> None:
    rec = Recorder(
        page_body([event(1)], cursor="same", has_more=True, links="none"),
        page_body([event(2)], cursor="same", has_more=True, links="none"),
    )
    seen: list[int] = []
    with client(rec) as c, pytest.raises(errors.PaginationError, match="before"):
        for e in c.events(user_id=1):
            seen.append(e.properties["n"])
    assert seen == [1, 2]
    assert rec.calls == 2


def test_cursor_repeating_the_resume_cursor_is_a_pagination_error() -> None:
    rec = Recorder(page_body([event(1)], cursor="start-here", has_more=True, links="none"))
    with client(rec) as c, pytest.raises(errors.PaginationError):
        list(c.events(user_id=1, after="start-here"))
    assert rec.calls == 1


def test_repeated_next_link_is_a_pagination_error() -> None:
    link = f"{USER_URL}?page%5Bafter%5D=loop"
    rec = Recorder(
        {"events": [event(1)], "links": [{"next": link}]},
        {"events": [event(2)], "links": [{"next": link}]},
    )
    with client(rec) as c, pytest.raises(errors.PaginationError):
        list(c.events(user_id=85211553))
    assert rec.calls == 2


def test_next_link_back_to_the_first_page_is_a_pagination_error_before_sending() -> None:
    # zenpy#489: a last page whose next link points at itself.
    first = Recorder(page_body(has_more=False))
    with client(first) as c:
        list(c.events(user_id=85211553))
    self_link = str(first.last.url)
    rec = Recorder(page_body([event(1)], next=self_link, has_more=True))
    with client(rec) as c, pytest.raises(errors.PaginationError):
        list(c.events(user_id=85211553))
    assert rec.calls == 1


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example.com/api/v2/users/85211553/events?page%5Bafter%5D=x",
        "http://coolbikes.zendesk.com/api/v2/users/85211553/events?page%5Bafter%5D=x",
        "https://coolbikes.zendesk.com:8443/api/v2/users/85211553/events?page%5Bafter%5D=x",
        "https://coolbikes.zendesk.com.evil.example/api/v2/users/85211553/events",
        "//evil.example.com/api/v2/users/85211553/events?page%5Bafter%5D=x",
        "https://other.zendesk.com/api/v2/users/85211553/events?page%5Bafter%5D=x",
    ],
)
def test_next_link_to_another_origin_gives_way_to_the_cursor_on_the_configured_host(
    link: str, caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder(
        page_body([event(1)], next=link, cursor="x", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=85211553))) == [1, 2]
    assert rec.calls == 2
    assert all(r.url.host == "coolbikes.zendesk.com" for r in rec.requests)
    assert all(r.url.port is None and r.url.scheme == "https" for r in rec.requests)
    assert rec.params(1) == {"page[size]": "100", "page[after]": "x"}
    assert "continuing from the cursor on https://coolbikes.zendesk.com" in caplog.text


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example.com/api/v2/users/85211553/events?page%5Bafter%5D=x",
        "//evil.example.com/api/v2/users/85211553/events",
    ],
)
def test_next_link_to_another_origin_without_a_cursor_is_a_pagination_error(link: str) -> None:
    # meta says nothing; the link's own cursor is not taken from another origin's link...
    # unless it is there: then it is the page's cursor, and it goes to our host.
    body = {"events": [event(1)], "links": [{"next": link}], "meta": {"has_more": True}}
    rec = Recorder(body, page_body([event(2)], has_more=False))
    with client(rec) as c:
        if "page%5Bafter%5D" in link:
            assert ids(list(c.events(user_id=85211553))) == [1, 2]
            assert rec.requests[1].url.host == "coolbikes.zendesk.com"
        else:
            with pytest.raises(errors.PaginationError, match="not following"):
                list(c.events(user_id=85211553))
            assert rec.calls == 1
    assert all(r.url.host == "coolbikes.zendesk.com" for r in rec.requests)


@pytest.mark.parametrize(
    "link",
    [
        "https://coolbikes.zendesk.com:443/api/v2/users/85211553/events?page%5Bafter%5D=x",
        "https://COOLBIKES.zendesk.com/api/v2/users/85211553/events?page%5Bafter%5D=x",
        "/api/v2/users/85211553/events?page%5Bafter%5D=x",
    ],
)
def test_next_link_to_the_same_origin_in_another_spelling_is_followed(link: str) -> None:
    rec = Recorder(
        page_body([event(1)], next=link, has_more=True), page_body([event(2)], has_more=False)
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=85211553))) == [1, 2]
    assert rec.requests[1].url.host == "coolbikes.zendesk.com"
    assert rec.requests[1].url.path == "/api/v2/users/85211553/events"
    assert rec.params(1) == {"page[after]": "x"}


def test_loopback_base_link_to_another_port_is_refused() -> None:
    rec = Recorder(
        page_body([event(1)], next="http://127.0.0.1:9999/api/v2/users/1/events?x=1", has_more=True)
    )
    with client(rec, base_url="http://127.0.0.1:8765") as c, pytest.raises(errors.PaginationError):
        list(c.events(user_id=1))
    assert [r.url.port for r in rec.requests] == [8765]


def test_iteration_is_lazy_one_page_per_page_consumed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page[after]", "0"))
        more = n < 4
        return ok(
            page_body(
                [event(2 * n), event(2 * n + 1)],
                cursor=str(n + 1) if more else None,
                has_more=more,
                links="none",
            )
        )

    rec = Recorder(handler)
    with client(rec) as c:
        stream = c.events(user_id=1, page_size=2)
        assert rec.calls == 0
        it = iter(stream)
        assert rec.calls == 0
        assert next(it).properties["n"] == 0
        assert rec.calls == 1
        assert next(it).properties["n"] == 1
        assert rec.calls == 1
        assert next(it).properties["n"] == 2
        assert rec.calls == 2
        rest = [e.properties["n"] for e in it]
    assert rest == list(range(3, 10))
    assert rec.calls == 5


def test_pages_yields_one_page_at_a_time() -> None:
    link = f"{USER_URL}?page%5Bafter%5D=c1"
    rec = Recorder(
        ok(
            page_body([event(1), event(2)], next=link, cursor="c1", has_more=True),
            **{"X-Request-Id": "r1"},
        ),
        ok(page_body([], has_more=False), **{"X-Request-Id": "r2"}),
    )
    with client(rec) as c:
        pages = c.events(user_id=85211553).pages()
        assert rec.calls == 0
        first = next(pages)
        assert rec.calls == 1
        assert isinstance(first, Page)
        assert len(first) == 2
        assert ids(first.events) == [1, 2]
        assert first.has_more is True
        assert first.cursor == "c1"
        assert first.next_url == link
        assert first.request_id == "r1"
        second = next(pages)
        assert (len(second), second.has_more, second.cursor, second.next_url) == (
            0,
            False,
            None,
            None,
        )
        assert second.request_id == "r2"
        with pytest.raises(StopIteration):
            next(pages)
    assert rec.calls == 2


def test_page_cursor_falls_back_to_the_cursor_in_the_link() -> None:
    link = f"{USER_URL}?page%5Bsize%5D=2&page%5Bafter%5D=from-link"
    rec = Recorder({"events": [event(1)], "links": [{"next": link}]}, page_body(has_more=False))
    with client(rec) as c:
        first = next(c.events(user_id=85211553).pages())
    assert first.cursor == "from-link"
    assert first.has_more is True


def test_after_resumes_at_a_cursor_with_every_filter() -> None:
    rec = Recorder(page_body([event(5)], has_more=False))
    with client(rec) as c:
        got = list(
            c.events(
                profile_id="P1", source="coolbike", start="2020-02-23", page_size=10, after="c-42"
            )
        )
    assert ids(got) == [5]
    assert rec.params() == {
        "filter[source]": "coolbike",
        "filter[start_time]": "2020-02-23T00:00:00Z",
        "page[size]": "10",
        "page[after]": "c-42",
    }


def test_resume_from_a_page_cursor_continues_where_it_stopped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page[after]", "0"))
        return ok(
            page_body(
                [event(n)], cursor=str(n + 1) if n < 3 else None, has_more=n < 3, links="none"
            )
        )

    with client(Recorder(handler)) as c:
        pages = c.events(user_id=1).pages()
        cursor = next(pages).cursor
        assert cursor == "1"
        assert ids(list(c.events(user_id=1, after=cursor))) == [1, 2, 3]


def test_each_iteration_starts_again() -> None:
    rec = Recorder(page_body([event(1)], has_more=False))
    with client(rec) as c:
        stream = c.events(user_id=1)
        assert ids(list(stream)) == [1]
        assert ids(list(stream)) == [1]
    assert rec.calls == 2


def test_endless_empty_pages_stop_with_a_pagination_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page[after]", "0"))
        return ok(page_body([], cursor=str(n + 1), has_more=True, links="none"))

    rec = Recorder(handler)
    with client(rec) as c, pytest.raises(errors.PaginationError, match="empty pages"):
        list(c.events(user_id=1))
    assert rec.calls == 101


@pytest.mark.parametrize(
    "second_link",
    [
        # The same page as the first link, spelled differently.
        f"{USER_URL}?page[after]=c1&page[size]=5",
        "https://COOLBIKES.zendesk.com:443/api/v2/users/85211553/events?page%5Bsize%5D=5&page%5Bafter%5D=c1",
    ],
)
def test_repeated_next_link_in_another_spelling_is_a_pagination_error(second_link: str) -> None:
    first_link = f"{USER_URL}?page%5Bafter%5D=c1&page%5Bsize%5D=5"
    rec = Recorder(
        {"events": [event(1)], "links": [{"next": first_link}], "meta": {"has_more": True}},
        {"events": [event(2)], "links": [{"next": second_link}], "meta": {"has_more": True}},
    )
    with client(rec) as c, pytest.raises(errors.PaginationError):
        list(c.events(user_id=85211553))
    assert rec.calls == 2


@pytest.mark.parametrize("link", ["http://[::1", "https://coolbikes.zendesk.com:notaport/x"])
def test_next_link_that_is_not_a_url_is_a_bad_response(link: str) -> None:
    rec = Recorder(page_body([event(1)], next=link, has_more=True))
    with client(rec) as c, pytest.raises(errors.BadResponseError):
        list(c.events(user_id=85211553))
    assert rec.calls == 1


@pytest.mark.parametrize("after", ["", 5])
def test_bad_after_is_refused_by_events_itself(after: object) -> None:
    with client(never) as c, pytest.raises((ValueError, TypeError)):
        c.events(user_id=1, after=after)  # type: ignore[arg-type]


# --- next links that stray from the query -------------------------------------------------

ROUTE = f"{BASE}/api/v2/users/1/events"


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        # The link's own path is not quoted: a hostile server chose it.
        (f"{BASE}/api/v2/tickets.json?page%5Bafter%5D=c1", "points at another path"),
        (f"{BASE}/api/v2/users/2/events?page%5Bafter%5D=c1", "points at another path"),
        (f"{ROUTE}?page%5Bafter%5D=c1", "drops or changes the parameter filter[source]"),
        (f"{ROUTE}?filter%5Bsource%5D=other&page%5Bafter%5D=c1", "parameter filter[source]"),
    ],
)
def test_a_link_that_strays_is_replaced_by_the_cursor_with_every_filter(
    link: str, problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder(
        page_body([event(1)], next=link, cursor="c1", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=1, source="coolbike"))) == [1, 2]
    assert str(rec.requests[1].url).startswith(ROUTE + "?")
    assert rec.params(1) == {"filter[source]": "coolbike", "page[size]": "100", "page[after]": "c1"}
    assert problem in caplog.text


def test_a_link_that_strays_without_a_cursor_is_a_pagination_error() -> None:
    rec = Recorder(
        page_body([event(1)], next=f"{BASE}/api/v2/tickets.json?x=1", has_more=True),
    )
    with client(rec) as c, pytest.raises(errors.PaginationError, match=r"another path"):
        list(c.events(user_id=1))
    assert rec.calls == 1


@pytest.mark.parametrize(
    "query",
    [
        "page%5Bsize%5D=100&filter%5Bsource%5D=coolbike&page%5Bafter%5D=c1",
        "page[after]=c1&filter[source]=coolbike",  # reordered, not encoded, no page size
        "filter%5bsource%5d=cool%62ike&page%5Bafter%5D=%631",  # encoded otherwise
    ],
)
def test_a_link_that_is_exactly_the_query_plus_the_cursor_is_followed_as_sent(
    query: str,
) -> None:
    link = f"{ROUTE}?{query}"
    rec = Recorder(
        page_body([event(1)], next=link, cursor="c1", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=1, source="coolbike"))) == [1, 2]
    assert str(rec.requests[1].url) == str(httpx.URL(link))


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("filter%5Bsource%5D=coolbike&page%5Bafter%5D=c1&junk=1", "adds the parameter junk"),
        (
            "filter%5Bsource%5D=coolbike&filter%5Btype%5D=login&page%5Bafter%5D=c1",
            "adds the parameter filter[type]",
        ),
        (
            "filter%5Bsource%5D=coolbike&filter%5Bstart_time%5D=2020-01-01T00:00:00Z"
            "&page%5Bafter%5D=c1",
            "adds the parameter filter[start_time]",
        ),
        (
            "filter%5Bsource%5D=other&filter%5Bsource%5D=coolbike&page%5Bafter%5D=c1",
            "adds the parameter filter[source]",
        ),
        ("filter%5Bsource%5D=coolbike&page%5Bsize%5D=50&page%5Bafter%5D=c1", "page size"),
        ("filter%5Bsource%5D=coolbike&page%5Bafter%5D=c1&page%5Bafter%5D=c9", "one cursor"),
        ("filter%5Bsource%5D=coolbike&page%5Bafter%5D=other", "another cursor"),
    ],
)
def test_a_link_that_adds_or_changes_anything_gives_way_to_the_cursor(
    query: str, problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder(
        page_body([event(1)], next=f"{ROUTE}?{query}", cursor="c1", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=1, source="coolbike"))) == [1, 2]
    assert rec.params(1) == {"filter[source]": "coolbike", "page[size]": "100", "page[after]": "c1"}
    assert problem in caplog.text


def test_a_repeated_identifier_with_someone_else_first_gives_way_to_the_cursor() -> None:
    route = f"{BASE}/api/v2/user_profiles/events"
    mine, theirs = "coolbikes:rider:email:me@example.com", "coolbikes:rider:email:you@example.com"
    link = f"{route}?identifier={theirs}&identifier={mine}&page%5Bafter%5D=c1"
    rec = Recorder(
        page_body([event(1)], next=link, cursor="c1", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with client(rec) as c:
        assert ids(list(c.events(identifier=mine))) == [1, 2]
    assert rec.requests[1].url.params.get_list("identifier") == [mine]


@pytest.mark.parametrize("dress", ["junk", "reorder", "encode"])
def test_a_loop_is_caught_however_the_link_is_dressed(dress: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = len(rec.requests)
        query = {
            "junk": f"page%5Bafter%5D=same&junk={n}",
            "reorder": "page%5Bafter%5D=same" if n % 2 else "page[after]=same",
            "encode": "page%5Bafter%5D=%73ame" if n % 2 else "page%5Bafter%5D=s%61me",
        }[dress]
        return ok(page_body([event(n)], next=f"{ROUTE}?{query}", has_more=True))

    rec = Recorder(handler)
    with client(rec) as c, pytest.raises(errors.PaginationError, match="before"):
        list(c.events(user_id=1))
    assert rec.calls == 2


@pytest.mark.parametrize(
    ("length", "pages"),
    [
        # Up to 1,024 pages long, a loop is caught when its first cursor comes back.
        (3, 4),
        (1024, 1025),
        # Longer: the guard's one anchor moves to the cursor of page 1, 3, 7, ..., 2047
        # (2**k - 1); from page 2047 on it stays for 2,048 pages, more than one turn, so
        # the cursor of page 2047 comes back at page 2047 + 1500.
        (1500, 3547),
    ],
)
def test_a_cursor_loop_of_any_length_is_caught(length: int, pages: int) -> None:
    # Cursors 0, 1, ..., length-1, then 0 again: a loop longer than any window of recent
    # cursors is still caught, within a bounded number of pages.
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page[after]", "-1"))
        return ok(page_body([event(n)], cursor=str((n + 1) % length), has_more=True, links="none"))

    rec = Recorder(handler)
    with client(rec) as c, pytest.raises(errors.PaginationError, match="before"):
        list(c.events(user_id=1))
    assert rec.calls == pages


@pytest.mark.slow  # tracemalloc makes each page slow
def test_loop_detection_memory_does_not_grow_with_the_pages() -> None:
    import gc
    import tracemalloc

    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page[after]", "0"))
        # Long cursors: a guard that kept them would show at once.
        cursor = f"{n + 1:01000d}"
        return ok({"events": [event(1)], "meta": {"has_more": True, "after_cursor": cursor}})

    sizes: list[int] = []
    tracemalloc.start()
    try:
        # A bare handler, not a Recorder: the harness must not keep the requests itself.
        with client(handler) as c:
            pages = c.events(user_id=1).pages()
            # One walk, measured after 1,100 pages and again 1,000 pages on: both past the
            # guard's window of recent cursors (about a thousand), which is full from then on.
            for count in (1_100, 1_000):
                for _, page in zip(range(count), pages, strict=False):
                    assert page.has_more
                gc.collect()
                sizes.append(tracemalloc.get_traced_memory()[0])
            pages.close()  # type: ignore[attr-defined]
    finally:
        tracemalloc.stop()
    few, many = sizes
    # Keeping every cursor would cost about 1,000 x 1,300 bytes = 1.3 MB more. The window's
    # set of recent keys cycles through ~1,000 entries; its hash table (deleted slots
    # included) settles at 128 KiB, which may land between the two measurements.
    assert many - few < 300_000, (few, many)


def test_after_too_long_for_a_url_is_a_value_error_before_any_request() -> None:
    with client(never) as c, pytest.raises(ValueError, match="too long"):
        list(c.events(user_id=1, after="c" * 70_000))


def test_a_link_with_credentials_of_its_own_is_never_followed() -> None:
    link = "https://evil:pw@coolbikes.zendesk.com/api/v2/users/1/events?page%5Bafter%5D=c1"
    # With a cursor, the walk goes on from it, with our credentials only.
    rec = Recorder(
        page_body([event(1)], next=link, cursor="c1", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=1))) == [1, 2]
    assert rec.requests[1].url.userinfo == b""
    assert rec.params(1)["page[after]"] == "c1"
    assert "evil" not in rec.requests[1].headers["authorization"]
    # Without one, there is no safe way on.
    rec = Recorder(page_body([event(1)], next=link.split("?")[0], has_more=True))
    with client(rec) as c, pytest.raises(errors.PaginationError, match="credentials"):
        list(c.events(user_id=1))
    assert rec.calls == 1


def test_a_relative_link_resolves_against_the_request() -> None:
    rec = Recorder(
        page_body([event(1)], next="?page%5Bafter%5D=c1", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=1))) == [1, 2]
    assert str(rec.requests[1].url) == f"{ROUTE}?page%5Bafter%5D=c1"


# --- pinned where mutants of the walk outlived the suite (issue 15) -----------------------

HOST = "coolbikes.zendesk.com"


def link(cursor: str, *, base: str = ROUTE) -> str:
    return f"{base}?page%5Bafter%5D={cursor}"


def by_cursor(answer: Callable[[int], httpx.Response]) -> Recorder:
    """A server that answers page ``n`` (the cursor ``c{n}``; the first page is 0)."""

    def handler(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("page[after]", "c0")
        return answer(int(after.removeprefix("c")))

    return Recorder(handler)


# --- a page with links but no meta ---------------------------------------------------------


def test_a_page_with_a_next_link_and_no_meta_has_the_links_cursor_and_more() -> None:
    rec = Recorder(
        {"events": [event(1)], "links": [{"next": link("c2")}]},
        {"events": [event(2)], "links": [{"next": ""}]},
    )
    with client(rec) as c:
        pages = list(c.events(user_id=1).pages())
    assert [(p.has_more, p.cursor) for p in pages] == [(True, "c2"), (False, None)]
    assert [ids(p.events) for p in pages] == [[1], [2]]
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
        assert ids(list(c.events(user_id=1))) == list(range(150))
    assert rec.calls == 150


def test_the_empty_run_starts_again_after_a_page_with_events() -> None:
    # 100 empty pages, one event, 100 empty pages, the last: every run stays within 100.
    def answer(n: int) -> httpx.Response:
        events = [event(n)] if n in (100, 201) else []
        more = n < 201
        return ok(page_body(events, cursor=f"c{n + 1}" if more else None, has_more=more))

    rec = by_cursor(answer)
    with client(rec) as c:
        assert ids(list(c.events(user_id=1))) == [100, 201]
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
        assert ids(list(c.events(user_id=1))) == [1, 2, 3, 4]
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
        assert ids(list(c.events(user_id=1))) == [1, 2]
    assert rec.requests[1].url.params["page[after]"] == "c2"


# --- a next link to another origin (issue 10: the cursor is the way on, if there is one) ---


def test_a_link_to_another_origin_with_a_cursor_continues_from_the_cursor_here() -> None:
    foreign = link("c2", base="https://yoursubdomain.zendesk.com/api/v2/users/1/events")
    rec = Recorder(
        page_body([event(1)], next=foreign, cursor="c2", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with client(rec) as c:
        assert ids(list(c.events(user_id=1))) == [1, 2]
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
        assert ids(list(c.events(user_id=1))) == [1, 2]
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
        assert ids(list(c.events(user_id=1))) == [1]
    assert warnings_of(caplog) == [
        "the API says has_more but gave no next link or cursor; stopping"
    ]


def test_a_link_followed_as_sent_warns_of_nothing(caplog: pytest.LogCaptureFixture) -> None:
    rec = Recorder(
        page_body([event(1)], next=link("c2"), cursor="c2", has_more=True),
        page_body([event(2)], has_more=False),
    )
    with caplog.at_level(logging.WARNING, logger="zdevents"), client(rec) as c:
        assert ids(list(c.events(user_id=1, page_size=100))) == [1, 2]
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
        assert ids(list(c.events(user_id=1))) == [1, 2, 3]
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
        assert ids(list(c.events(user_id=1))) == [1, 2, 3]
    assert str(rec.requests[1].url) == f"{ROUTE}?page%5Bsize%5D=100&page%5Bafter%5D=c2"
    assert str(rec.requests[2].url) == f"{ROUTE}?page%5Bafter%5D=c3"
