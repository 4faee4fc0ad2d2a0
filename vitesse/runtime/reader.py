"""Read a source list endpoint page by page, in every pagination style the Ingestor detects.

A page's `next_position` is where the following page starts (a cursor, a page number, an offset or a
URL, as a small JSON-able dict); the engine stores it only once the page is delivered, so a restarted
runtime resumes there. Without a total or a has-more flag, a list ends at an empty page or at a page
shorter than the longest page seen before it (a first short page is not trusted: the server may cap
the page size below what was asked).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from vitesse.runtime.auth import AppliedAuth
from vitesse.runtime.config import SourceConfig
from vitesse.runtime.delivery import Outcome, RetryPolicy, deliver
from vitesse.runtime.errors import SyncAborted
from vitesse.runtime.paths import get_value, records_in
from vitesse.schemas import Pagination, PaginationStyle

Position = dict[str, Any]


@dataclass
class Page:
    records: list[Any]
    next_position: Position | None
    """Where the next page starts; None after the last page."""


def endpoint_url(base_url: str, path: str, path_params: Mapping[str, str]) -> str:
    """Join a base URL and an endpoint path, filling `{name}` path parameters."""
    for name, value in path_params.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return base_url.rstrip("/") + "/" + path.lstrip("/")


class SourceReader:
    """Pages through the source endpoint; every request goes through the retry policy."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        source: SourceConfig,
        auth: AppliedAuth,
        policy: RetryPolicy,
        *,
        records_at: str | None = None,
        since: tuple[str, Any] | None = None,
    ) -> None:
        self._client = client
        self._source = source
        self._auth = auth
        self._policy = policy
        self._records_at = source.endpoint.records_at or records_at
        self._since = since
        self._paging = source.endpoint.pagination
        self._url = endpoint_url(source.base_url, source.endpoint.path, source.path_params)
        self._origin = httpx.URL(self._url).copy_with(path="/", query=None, fragment=None)

    @property
    def page_size(self) -> int:
        cap = self._paging.page_size_max if self._paging else None
        return min(self._source.page_size, cap) if cap else self._source.page_size

    async def pages(self, start: Position | None = None) -> AsyncGenerator[Page, None]:
        """Yield pages from `start` (None: the first page) until the list ends or `max_pages` is reached."""
        position = dict(start or {})
        for _ in range(self._source.max_pages):
            response = await self._get(position)
            page = self._page(response, position)
            yield page
            if page.next_position is None:
                return
            position = page.next_position
        raise SyncAborted(f"the source list did not end within max_pages={self._source.max_pages}", retryable=False)

    # -- requests ---------------------------------------------------------------------------

    def _params(self, position: Position) -> dict[str, Any]:
        params: dict[str, Any] = {**self._source.params, **self._auth.params}
        paging = self._paging
        if self._since is not None:
            params[self._since[0]] = self._since[1]
        if paging is None:
            return params
        if paging.limit_param:
            params[paging.limit_param] = self.page_size
        if paging.style in (PaginationStyle.CURSOR, PaginationStyle.TOKEN) and position.get("cursor") is not None:
            params[paging.cursor_param or "cursor"] = position["cursor"]
        elif paging.style == PaginationStyle.PAGE and paging.page_param:
            params[paging.page_param] = position.get("page", self._first_page())
        elif paging.style == PaginationStyle.OFFSET and paging.offset_param:
            params[paging.offset_param] = position.get("offset", 0)
        return params

    def _first_page(self) -> int:
        name = self._paging.page_param if self._paging else None
        param = self._source.endpoint.parameter(name) if name else None
        return 0 if param is not None and param.default == 0 else 1

    async def _get(self, position: Position) -> httpx.Response:
        request: tuple[str, dict[str, Any] | None]
        if position.get("url"):
            url = httpx.URL(position["url"])
            missing = {k: v for k, v in self._auth.params.items() if k not in url.params}
            request = (str(url.copy_merge_params(missing)), None)
        else:
            request = (self._url, self._params(position))
        headers = {**self._source.headers, **self._auth.headers, "Accept": "application/json"}

        async def send() -> httpx.Response:
            return await self._client.get(request[0], params=request[1], headers=headers)

        result = await deliver(send, self._policy)
        if result.outcome == Outcome.OK and result.response is not None:
            return result.response
        why = result.error or f"HTTP {result.status}"
        raise SyncAborted(f"reading the source failed: {why}", retryable=result.outcome == Outcome.TRANSIENT)

    # -- pages ------------------------------------------------------------------------------

    def _page(self, response: httpx.Response, position: Position) -> Page:
        try:
            body = response.json()
        except ValueError:
            raise SyncAborted("the source answered with a body that is not JSON", retryable=True) from None
        records = records_in(body, self._records_at)
        if records is None:
            where = self._records_at or "the top level"
            raise SyncAborted(f"the source's answer has no list of records at {where}", retryable=False)
        return Page(records, self._next(body, response, position, records))

    def _next(self, body: Any, response: httpx.Response, position: Position, records: list[Any]) -> Position | None:
        paging = self._paging
        if paging is None or not records or get_value(body, paging.has_more_path) is False:
            return None
        style = paging.style
        if style in (PaginationStyle.CURSOR, PaginationStyle.TOKEN):
            return self._next_cursor(body, paging, position)
        if style == PaginationStyle.LINK_HEADER:
            return self._next_url(response.links.get("next", {}).get("url"), response)
        if style == PaginationStyle.NEXT_URL:
            return self._next_url(get_value(body, paging.next_path), response)
        return self._next_count(body, paging, position, len(records))

    def _next_cursor(self, body: Any, paging: Pagination, position: Position) -> Position | None:
        cursor = get_value(body, paging.cursor_path) if paging.cursor_path else None
        if cursor in (None, "") and paging.next_path:
            cursor = get_value(body, paging.next_path)
        if cursor in (None, ""):
            return None
        if cursor == position.get("cursor"):
            raise SyncAborted(f"the source returned the same cursor twice ({str(cursor)[:40]})", retryable=False)
        return {"cursor": cursor}

    def _next_url(self, link: Any, response: httpx.Response) -> Position | None:
        if not isinstance(link, str) or not link:
            return None
        url = response.request.url.join(link)
        if url.copy_with(path="/", query=None, fragment=None) != self._origin:
            raise SyncAborted(f"the source's next-page link leaves {self._origin} ({url.host})", retryable=False)
        return {"url": str(url)}

    def _next_count(self, body: Any, paging: Pagination, position: Position, count: int) -> Position | None:
        seen = max(int(position.get("seen", 0)), count)
        if count < int(position.get("seen", 0)):
            return None  # shorter than an earlier page: the last one
        total = get_value(body, paging.total_path)
        if paging.style == PaginationStyle.PAGE:
            page = int(position.get("page", self._first_page()))
            done = page - self._first_page() + 1
            if isinstance(total, int) and done * seen >= total:
                return None
            return {"page": page + 1, "seen": seen}
        offset = int(position.get("offset", 0)) + count
        if isinstance(total, int) and offset >= total:
            return None
        return {"offset": offset, "seen": seen}
