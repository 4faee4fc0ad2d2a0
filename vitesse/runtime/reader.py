"""Read a source list endpoint page by page, in every pagination style the Ingestor detects.

A page's `next_position` is where the following page starts (see `vitesse.runtime.paging`, the rule the
Guardian's proofs follow too); the engine stores it only once the page is delivered, so a restarted
runtime resumes there.
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
from vitesse.runtime.paging import LinkElsewhere, Paging, Position, RepeatedCursor
from vitesse.runtime.paths import records_in


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
        self._paging = Paging.of(source.endpoint, source.page_size)
        self._url = endpoint_url(source.base_url, source.endpoint.path, source.path_params)

    @property
    def page_size(self) -> int:
        return self._paging.page_size

    async def pages(self, start: Position | None = None) -> AsyncGenerator[Page, None]:
        """Yield pages from `start` (None: the first page) until the list ends or `max_pages` is reached."""
        self._paging = Paging.of(self._source.endpoint, self._source.page_size)  # cursors seen: this walk's
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
        if self._since is not None:
            params[self._since[0]] = self._since[1]
        return {**params, **self._paging.params(position)}

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
            return await self._client.get(request[0], params=request[1], headers=headers, auth=self._auth.request_auth)

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
        try:
            following = self._paging.next(
                body,
                position,
                len(records),
                link_header=response.links.get("next", {}).get("url"),
                url=str(response.request.url),
            )
        except (LinkElsewhere, RepeatedCursor) as exc:
            raise SyncAborted(f"the source's {exc}", retryable=False) from None
        return Page(records, following)
