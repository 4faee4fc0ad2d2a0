"""Walk a source list endpoint page by page, the way its `Pagination` says, within a page budget.

Cursor and token styles pass the next cursor back (`next_cursor`, or a record id such as
`data[-1].id`) until `has_more` is false or no cursor comes; page and offset styles count up until a
page comes back empty or short; next-URL and Link-header styles follow the link, but only on the same
origin (credentials are never sent to another host). A cursor seen twice ends the walk.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from vitesse.graph.guardian.shadow import Call, CallOutcome, Gate, ShadowCaller
from vitesse.runtime.paths import get_value, records_in
from vitesse.schemas import Endpoint, Pagination, PaginationStyle, TestCategory

__all__ = ["ReadPass", "walk_pages"]


@dataclass
class ReadPass:
    """The calls a walk made, the records it collected, and what it could not follow."""

    outcomes: list[CallOutcome] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


async def walk_pages(
    caller: ShadowCaller, gate: Gate, first: Call, endpoint: Endpoint, *, max_pages: int, page_size: int | None
) -> ReadPass:
    """Read up to `max_pages` pages of a list endpoint, collecting their records."""
    walk = ReadPass()
    pagination = endpoint.pagination
    call = replace(first, params=_first_params(first.params, pagination, page_size))
    seen: set[str] = set()
    for _ in range(max(1, max_pages)):
        outcome = await caller.call(call, gate)
        walk.outcomes.append(outcome)
        if not outcome.result.success:
            break
        page = records_in(outcome.body, endpoint.records_at)
        if page is None:
            _no_records(outcome, endpoint.records_at)
            break
        walk.records.extend(r for r in page if isinstance(r, dict))
        following = _next_call(call, outcome, page, pagination, page_size, seen, walk)
        if following is None:
            break
        call = following
    return walk


def _first_params(params: dict[str, Any], pagination: Pagination | None, page_size: int | None) -> dict[str, Any]:
    out = dict(params)
    if pagination is None:
        return out
    if pagination.limit_param and page_size:
        limit = min(page_size, pagination.page_size_max) if pagination.page_size_max else page_size
        out[pagination.limit_param] = limit
    if pagination.style is PaginationStyle.PAGE and pagination.page_param:
        out.setdefault(pagination.page_param, 1)
    if pagination.style is PaginationStyle.OFFSET and pagination.offset_param:
        out.setdefault(pagination.offset_param, 0)
    return out


def _no_records(outcome: CallOutcome, records_at: str | None) -> None:
    result = outcome.result
    result.success = False
    result.category = TestCategory.SCHEMA
    result.error_message = f"the answer has no list of records at {records_at or '[]'}"


def _more(body: Any, pagination: Pagination) -> bool:
    flag = get_value(body, pagination.has_more_path)
    return flag is not False


def _next_call(
    call: Call, outcome: CallOutcome, page: list[Any], pagination: Pagination | None, page_size: int | None,
    seen: set[str], walk: ReadPass,
) -> Call | None:  # fmt: skip
    if pagination is None or not page or not _more(outcome.body, pagination):
        return None
    style = pagination.style
    if style in (PaginationStyle.CURSOR, PaginationStyle.TOKEN):
        return _by_cursor(call, outcome.body, pagination, seen)
    if style in (PaginationStyle.PAGE, PaginationStyle.OFFSET):
        return _by_count(call, page, pagination, page_size)
    link = _link(outcome, pagination)
    if not link:
        return None
    if not _same_origin(link, call.url):
        walk.warnings.append("the next-page link points to another host; Vitesse did not follow it")
        return None
    if link in seen:
        return None
    seen.add(link)
    return replace(call, url=link, params={k: v for k, v in call.params.items() if k not in _paging_keys(pagination)})


def _by_cursor(call: Call, body: Any, pagination: Pagination, seen: set[str]) -> Call | None:
    cursor = get_value(body, pagination.cursor_path or pagination.next_path)
    param = pagination.cursor_param or ("page_token" if pagination.style is PaginationStyle.TOKEN else None)
    if cursor in (None, "") or param is None or str(cursor) in seen:
        return None
    seen.add(str(cursor))
    return replace(call, params={**call.params, param: cursor})


def _by_count(call: Call, page: list[Any], pagination: Pagination, page_size: int | None) -> Call | None:
    if page_size and len(page) < page_size:
        return None
    params = dict(call.params)
    if pagination.style is PaginationStyle.PAGE and pagination.page_param:
        params[pagination.page_param] = int(params.get(pagination.page_param) or 1) + 1
    elif pagination.style is PaginationStyle.OFFSET and pagination.offset_param:
        params[pagination.offset_param] = int(params.get(pagination.offset_param) or 0) + len(page)
    else:
        return None
    return replace(call, params=params)


def _link(outcome: CallOutcome, pagination: Pagination) -> str | None:
    response = outcome.response
    if pagination.style is PaginationStyle.LINK_HEADER and response is not None:
        url = response.links.get("next", {}).get("url")
    else:
        url = get_value(outcome.body, pagination.next_path)
    if not isinstance(url, str) or not url.strip():
        return None
    base = response.request.url if response is not None else httpx.URL("http://invalid/")
    return str(base.join(url.strip()))


def _same_origin(a: str, b: str) -> bool:
    ua, ub = httpx.URL(a), httpx.URL(b)
    return (ua.scheme, ua.host, ua.port) == (ub.scheme, ub.host, ub.port)


def _paging_keys(pagination: Pagination) -> set[str]:
    names = (pagination.cursor_param, pagination.page_param, pagination.offset_param, pagination.limit_param)
    return {n for n in names if n}
