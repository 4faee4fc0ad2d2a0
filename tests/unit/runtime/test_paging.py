"""The one paging rule the runtime and the Guardian follow: parameters per position, and the next position."""

from __future__ import annotations

import pytest

from vitesse.runtime.paging import LinkElsewhere, Paging, RepeatedCursor
from vitesse.schemas import Endpoint, HttpMethod, Pagination, PaginationStyle, Parameter, ParameterLocation

URL = "https://api.example.test/v1/items?limit=10"


def endpoint(pagination: Pagination, *params: Parameter) -> Endpoint:
    return Endpoint(
        method=HttpMethod.GET, path="/items", records_at="data[]", pagination=pagination, parameters=list(params)
    )


def test_the_page_size_is_capped_by_the_api_and_a_zero_based_page_parameter_is_honoured():
    pages = Pagination(style=PaginationStyle.PAGE, page_param="page", limit_param="per_page", page_size_max=50)
    zero = Parameter(name="page", location=ParameterLocation.QUERY, type="integer", default=0)
    paging = Paging.of(endpoint(pages, zero), 200)
    assert (paging.page_size, paging.first_page) == (50, 0)
    assert paging.params({}) == {"per_page": 50, "page": 0}
    assert paging.next({"data": [1] * 50}, {}, 50) == {"page": 1, "seen": 50}
    assert Paging.of(endpoint(pages), None).params({}) == {"page": 1}, "no page size: none asked for"


def test_cursor_and_token_styles_pass_the_cursor_back_and_refuse_one_seen_before():
    cursor = Pagination(
        style=PaginationStyle.CURSOR, cursor_param="after", cursor_path="data[-1].id", has_more_path="more"
    )
    paging = Paging.of(endpoint(cursor), 2)
    first = paging.next({"data": [{"id": "a"}, {"id": "b"}], "more": True}, {}, 2)
    assert first == {"cursor": "b"} and paging.params(first) == {"after": "b"}
    assert paging.next({"data": [{"id": "c"}], "more": False}, first, 1) is None, "has_more false ends the list"
    with pytest.raises(RepeatedCursor, match="same cursor twice"):
        paging.next({"data": [{"id": "b"}], "more": True}, first, 1)
    token = Paging.of(endpoint(Pagination(style=PaginationStyle.TOKEN, next_path="next")), 5)
    assert token.params({"cursor": "t2"}) == {"page_token": "t2"}, "a token style without a named parameter"


def test_counted_styles_end_at_the_total_or_a_short_page_but_not_at_a_first_capped_one():
    offset = Paging.of(
        endpoint(Pagination(style=PaginationStyle.OFFSET, offset_param="offset", limit_param="limit")), 10
    )
    capped = offset.next({}, {}, 7)
    assert capped == {"offset": 7, "seen": 7}, "the server gave 7 of 10: not trusted as the end"
    assert offset.next({}, capped, 7) == {"offset": 14, "seen": 7}
    assert offset.next({}, {"offset": 14, "seen": 7}, 3) is None, "shorter than before: the last page"
    assert offset.next({}, {"offset": 14, "seen": 7}, 0) is None, "an empty page ends it"
    total = Pagination(style=PaginationStyle.PAGE, page_param="page", total_path="meta.total")
    assert Paging.of(endpoint(total), 10).next({"meta": {"total": 20}}, {"page": 2, "seen": 10}, 10) is None


def test_links_are_followed_on_the_same_origin_only_and_never_in_a_loop():
    link = Paging.of(endpoint(Pagination(style=PaginationStyle.NEXT_URL, next_path="links.next")), 10)
    following = link.next({"links": {"next": "/v1/items?page=2"}}, {}, 10, url=URL)
    assert following == {"url": "https://api.example.test/v1/items?page=2"}
    with pytest.raises(RepeatedCursor, match="same next link twice"):
        link.next({"links": {"next": "/v1/items?page=2"}}, following, 10, url=following["url"])
    with pytest.raises(LinkElsewhere) as elsewhere:
        link.next({"links": {"next": "https://evil.example/steal"}}, {}, 10, url=URL)
    assert elsewhere.value.host == "evil.example"
    header = Paging.of(endpoint(Pagination(style=PaginationStyle.LINK_HEADER)), 10)
    assert header.next({}, {}, 10, link_header="?page=3", url=URL) == {
        "url": "https://api.example.test/v1/items?page=3"
    }
    assert header.next({}, {}, 10, link_header=None, url=URL) is None
