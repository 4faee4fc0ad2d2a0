"""Page through a list endpoint the way its `Pagination` says: one rule for the runtime and the Guardian.

A position says where a page starts: `{}` for the first, then `{"cursor": …}`, `{"page": n, "seen": k}`,
`{"offset": n, "seen": k}` or `{"url": …}` (small, JSON-able: the runtime stores it once a page is
delivered, so a restarted sync resumes there). `Paging.params(position)` gives a request's paging
parameters; `Paging.next(...)` reads an answer and gives the following position, or None after the last
page. Without a total or a has-more flag a list ends at an empty page, or at a page shorter than the
longest seen before it (a first short page is not trusted: the server may cap the page size below what
was asked). A next link is followed only on the list's own origin (credentials never go to another
host), and a cursor seen before ends the walk as an error, not a loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from vitesse.runtime.paths import get_value
from vitesse.schemas import Endpoint, Pagination, PaginationStyle

__all__ = ["LinkElsewhere", "Paging", "Position", "RepeatedCursor"]

Position = dict[str, Any]


class LinkElsewhere(Exception):
    """The next-page link points to another origin; it is not followed."""

    def __init__(self, origin: str, host: str) -> None:
        super().__init__(f"the next-page link leaves {origin} ({host})")
        self.host = host


class RepeatedCursor(Exception):
    """The API handed back a cursor (or a next link) it had already given: following it would loop."""

    def __init__(self, cursor: Any, what: str = "cursor") -> None:
        super().__init__(f"the list returned the same {what} twice ({str(cursor)[:60]})")


@dataclass
class Paging:
    """How one list endpoint pages, with the page size to ask for."""

    pagination: Pagination | None
    page_size: int | None
    """Records to ask for per page; None asks for none (the API's default)."""
    first_page: int = 1
    """0 when the page parameter says it counts from zero (its default is 0), else 1."""
    _seen: set[str] = field(default_factory=set)
    """Cursors and next links this walk has followed."""

    @classmethod
    def of(cls, endpoint: Endpoint, page_size: int | None) -> Paging:
        """The endpoint's paging, asking for `page_size` records (or the API's maximum, if lower)."""
        pagination = endpoint.pagination
        cap = pagination.page_size_max if pagination else None
        name = pagination.page_param if pagination else None
        param = endpoint.parameter(name) if name else None
        first = 0 if param is not None and param.default == 0 else 1
        return cls(pagination, min(page_size, cap) if cap and page_size else page_size, first)

    @property
    def paging_names(self) -> set[str]:
        """The query parameters paging sets (a next link carries its own)."""
        p = self.pagination
        names = (p.cursor_param, p.page_param, p.offset_param, p.limit_param) if p else ()
        return {n for n in names if n}

    def params(self, position: Position) -> dict[str, Any]:
        """The paging parameters of the request that reads the page at `position` (not a `url` one)."""
        paging = self.pagination
        if paging is None:
            return {}
        out: dict[str, Any] = {}
        if paging.limit_param and self.page_size:
            out[paging.limit_param] = self.page_size
        if paging.style in (PaginationStyle.CURSOR, PaginationStyle.TOKEN) and position.get("cursor") is not None:
            out[paging.cursor_param or ("page_token" if paging.style is PaginationStyle.TOKEN else "cursor")] = (
                position["cursor"]
            )
        elif paging.style == PaginationStyle.PAGE and paging.page_param:
            out[paging.page_param] = position.get("page", self.first_page)
        elif paging.style == PaginationStyle.OFFSET and paging.offset_param:
            out[paging.offset_param] = position.get("offset", 0)
        return out

    def next(
        self, body: Any, position: Position, count: int, *, link_header: str | None = None, url: str | None = None
    ) -> Position | None:
        """Where the page after this one starts, or None when this was the last.

        Args:
            body: the decoded answer.
            position: where this page started.
            count: how many records it held.
            link_header: the `Link: <…>; rel="next"` URL, for that style.
            url: the URL this page was read from (relative links are joined to it; its origin is the list's).

        Raises:
            LinkElsewhere: the next link leaves the list's origin.
            RepeatedCursor: the API gave a cursor it had given before.
        """
        paging = self.pagination
        if paging is None or not count or get_value(body, paging.has_more_path) is False:
            return None
        style = paging.style
        if style in (PaginationStyle.CURSOR, PaginationStyle.TOKEN):
            return self._next_cursor(body, paging)
        if style in (PaginationStyle.LINK_HEADER, PaginationStyle.NEXT_URL):
            link = link_header if style == PaginationStyle.LINK_HEADER else get_value(body, paging.next_path)
            following = _next_url(link, url)
            if following is not None:
                if following["url"] in self._seen:
                    raise RepeatedCursor(following["url"], "next link")
                self._seen.add(following["url"])
            return following
        return self._next_count(body, paging, position, count)

    def _next_cursor(self, body: Any, paging: Pagination) -> Position | None:
        cursor = get_value(body, paging.cursor_path) if paging.cursor_path else None
        if cursor in (None, "") and paging.next_path:
            cursor = get_value(body, paging.next_path)
        if cursor in (None, ""):
            return None
        if str(cursor) in self._seen:
            raise RepeatedCursor(cursor)
        self._seen.add(str(cursor))
        return {"cursor": cursor}

    def _next_count(self, body: Any, paging: Pagination, position: Position, count: int) -> Position | None:
        before = int(position.get("seen", 0))
        if count < before:
            return None  # shorter than an earlier page: the last one
        seen = max(before, count)
        total = get_value(body, paging.total_path)
        if paging.style == PaginationStyle.PAGE:
            if not paging.page_param:
                return None
            page = int(position.get("page", self.first_page))
            if isinstance(total, int) and (page - self.first_page + 1) * seen >= total:
                return None
            return {"page": page + 1, "seen": seen}
        if not paging.offset_param:
            return None
        offset = int(position.get("offset", 0)) + count
        if isinstance(total, int) and offset >= total:
            return None
        return {"offset": offset, "seen": seen}


def _next_url(link: Any, url: str | None) -> Position | None:
    if not isinstance(link, str) or not link.strip():
        return None
    here = httpx.URL(url or "")
    following = here.join(link.strip())
    if _origin(following) != _origin(here):
        raise LinkElsewhere(str(_origin(here)), following.host)
    return {"url": str(following)}


def _origin(url: httpx.URL) -> httpx.URL:
    return url.copy_with(path="/", query=None, fragment=None)
