"""Detect how a list endpoint pages: cursor, page, offset, token, Link header or next URL.

Evidence comes from three places: the query parameters the operation takes, the envelope fields
its response carries (everything beside the records), and the response headers it declares.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from vitesse.schemas import Field, Pagination, PaginationStyle

CURSOR_PARAMS = ("starting_after", "after", "cursor", "next_cursor", "page_after", "continuation", "since_id")
TOKEN_PARAMS = ("page_token", "pagetoken", "next_page_token", "continuation_token", "continuationtoken", "nexttoken")
OFFSET_PARAMS = ("offset", "start", "startat", "skip", "start_index", "startindex")
PAGE_PARAMS = ("page", "page_number", "pagenumber", "pageno", "page_num")
LIMIT_PARAMS = (
    "limit", "per_page", "perpage", "page_size", "pagesize", "maxresults", "max_results", "count", "size", "top",
    "pagelimit", "page_limit", "results_per_page", "max",
)  # fmt: skip
HAS_MORE = ("has_more", "hasmore", "more", "more_items_in_collection", "has_next", "hasnext", "has_next_page")
TOTAL = ("total", "total_count", "totalcount", "count", "total_results", "totalresults", "total_items", "totalitems")
NEXT_CURSOR = (
    "next_cursor",
    "nextcursor",
    "cursor",
    "next",
    "after",
    "starting_after",
    "next_page_cursor",
    "endcursor",
)
NEXT_TOKEN = ("next_page_token", "nextpagetoken", "next_token", "nexttoken", "continuation_token", "page_token")
NEXT_URL = ("next", "next_url", "nexturl", "next_link", "nextlink", "@odata.nextlink", "next_page_url", "nextpage")
_NORM = re.compile(r"[^a-z0-9@.]")


@functools.lru_cache(maxsize=4096)
def _norm(name: str) -> str:
    return _NORM.sub("", name.lower().replace("-", "_")).replace("_", "") if name else ""


def _match(names: Iterable[str], wanted: Iterable[str]) -> str | None:
    table = {_norm(w) for w in wanted}
    for name in names:
        if _norm(name) in table:
            return name
    return None


@dataclass
class Evidence:
    query_params: list[str]
    envelope: list[Field]
    headers: list[str]
    records_at: str | None
    primary_key: str | None


def _find_field(envelope: list[Field], wanted: Iterable[str], types: tuple[str, ...] | None = None) -> str | None:
    table = [_norm(w) for w in wanted]
    best: tuple[int, int, str] | None = None
    for f in envelope:
        if "[]" in f.path or (types and f.type not in types):
            continue
        leaf = _norm(f.path.rsplit(".", 1)[-1])
        if leaf in table:
            rank = (table.index(leaf), f.path.count("."), f.path)
            best = rank if best is None or rank < best else best
    return best[2] if best else None


def _find_url(envelope: list[Field]) -> str | None:
    for f in envelope:
        if "[]" in f.path or f.type != "string":
            continue
        parts = [_norm(p) for p in f.path.split(".")]
        if parts[-1] in {_norm(w) for w in NEXT_URL} or (len(parts) > 1 and parts[-2] == "next" and parts[-1] in (
            "href", "link", "url"
        )):  # fmt: skip
            return f.path
    return None


def detect_pagination(ev: Evidence) -> Pagination | None:
    """Return the pagination of a list endpoint, or None when it shows no sign of paging."""
    params = ev.query_params
    limit = _match(params, LIMIT_PARAMS)
    has_more = _find_field(ev.envelope, HAS_MORE, ("boolean",))
    total = _find_field(ev.envelope, TOTAL, ("integer", "number"))
    common = {"limit_param": limit, "has_more_path": has_more, "total_path": total}
    link_header = any(h.lower() == "link" for h in ev.headers)
    if (token := _match(params, TOKEN_PARAMS)) is not None:
        next_token = _find_field(ev.envelope, NEXT_TOKEN, ("string",))
        return Pagination(style=PaginationStyle.TOKEN, cursor_param=token, next_path=next_token, **common)
    if (cursor := _match(params, CURSOR_PARAMS)) is not None:
        cursor_path = _find_field(ev.envelope, (cursor, *NEXT_CURSOR), ("string", "integer"))
        if cursor_path is None and link_header:
            return Pagination(style=PaginationStyle.LINK_HEADER, cursor_param=cursor, **common)
        if cursor_path is None and ev.records_at is not None and ev.primary_key:
            cursor_path = f"{ev.records_at.removesuffix('[]')}[-1].{ev.primary_key}".lstrip(".")
        return Pagination(style=PaginationStyle.CURSOR, cursor_param=cursor, cursor_path=cursor_path, **common)
    if link_header:
        return Pagination(style=PaginationStyle.LINK_HEADER, **common)
    if (next_url := _find_url(ev.envelope)) is not None and not _match(params, OFFSET_PARAMS + PAGE_PARAMS):
        return Pagination(style=PaginationStyle.NEXT_URL, next_path=next_url, **common)
    if (offset := _match(params, OFFSET_PARAMS)) is not None:
        return Pagination(style=PaginationStyle.OFFSET, offset_param=offset, **common)
    if (page := _match(params, PAGE_PARAMS)) is not None:
        return Pagination(style=PaginationStyle.PAGE, page_param=page, **common)
    if next_url is not None:
        return Pagination(style=PaginationStyle.NEXT_URL, next_path=next_url, **common)
    return None
