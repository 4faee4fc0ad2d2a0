"""The source reader pages through every pagination style the Ingestor detects, and stops where it must."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.unit.runtime.helpers import Sleeps, mock_client
from vitesse.runtime.auth import AppliedAuth
from vitesse.runtime.config import SourceConfig
from vitesse.runtime.delivery import RetryPolicy
from vitesse.runtime.errors import SyncAborted
from vitesse.runtime.reader import SourceReader
from vitesse.schemas import Endpoint, HttpMethod, Pagination, PaginationStyle, Parameter, ParameterLocation

BASE = "https://api.example.com/v1"
ITEMS = [{"id": i, "name": f"n{i}"} for i in range(1, 48)]


def endpoint(paging: Pagination | None, records_at: str = "data[]", **kw: Any) -> Endpoint:
    return Endpoint(method=HttpMethod.GET, path="/items", records_at=records_at, pagination=paging, **kw)


def server(style: str, cap: int = 100, records_key: str = "data"):
    """A list API over ITEMS in one pagination style; `cap` is the most records it returns per page."""
    requests: list[httpx.Request] = []

    def wrap(page: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {records_key: page, **extra}
        return body

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        p = request.url.params
        size = min(int(p.get("limit", "10")), cap)
        if style == "cursor":
            after = int(p.get("after", "0"))
            page = [i for i in ITEMS if i["id"] > after][:size]
            more = bool(page) and page[-1]["id"] < ITEMS[-1]["id"]
            return httpx.Response(200, json=wrap(page, has_more=more))
        if style == "token":
            start = int(p.get("pageToken", "0"))
            page = ITEMS[start : start + size]
            token = str(start + size) if start + size < len(ITEMS) else None
            return httpx.Response(200, json=wrap(page, nextPageToken=token))
        if style == "page":
            number = int(p.get("page", "1"))
            page = ITEMS[(number - 1) * size : number * size]
            return httpx.Response(200, json=wrap(page, meta={"total": len(ITEMS)}))
        if style == "page_no_total":
            number = int(p.get("page", "1"))
            return httpx.Response(200, json=wrap(ITEMS[(number - 1) * size : number * size]))
        if style == "offset":
            offset = int(p.get("offset", "0"))
            return httpx.Response(200, json=wrap(ITEMS[offset : offset + size], total=len(ITEMS)))
        start = int(p.get("start", "0"))
        page = ITEMS[start : start + size]
        nxt = f"/v1/items?start={start + size}&limit={size}" if start + size < len(ITEMS) else None
        if style == "link":
            headers = {"Link": f'<{BASE}/items?start={start + size}&limit={size}>; rel="next"'} if nxt else {}
            return httpx.Response(200, json=wrap(page), headers=headers)
        return httpx.Response(200, json=wrap(page, links={"next": nxt}))

    return handle, requests


async def read_all(source: SourceConfig, handler, start=None, since=None) -> tuple[list[Any], list[Any]]:
    client = mock_client(handler)
    reader = SourceReader(client, source, AppliedAuth(), RetryPolicy(sleep=Sleeps()), since=since)
    records, positions = [], []
    async for page in reader.pages(start):
        records += page.records
        positions.append(page.next_position)
    await client.aclose()
    return records, positions


STYLES = [
    ("cursor", Pagination(style=PaginationStyle.CURSOR, cursor_param="after", cursor_path="data[-1].id",
                          limit_param="limit", has_more_path="has_more")),
    ("token", Pagination(style=PaginationStyle.TOKEN, cursor_param="pageToken", next_path="nextPageToken",
                         limit_param="limit")),
    ("page", Pagination(style=PaginationStyle.PAGE, page_param="page", limit_param="limit", total_path="meta.total")),
    ("page_no_total", Pagination(style=PaginationStyle.PAGE, page_param="page", limit_param="limit")),
    ("offset", Pagination(style=PaginationStyle.OFFSET, offset_param="offset", limit_param="limit",
                          total_path="total")),
    ("link", Pagination(style=PaginationStyle.LINK_HEADER, limit_param="limit")),
    ("next", Pagination(style=PaginationStyle.NEXT_URL, next_path="links.next", limit_param="limit")),
]  # fmt: skip


@pytest.mark.parametrize(("style", "paging"), STYLES, ids=[s for s, _ in STYLES])
async def test_every_style_reads_each_record_once(style, paging):
    handle, requests = server(style)
    source = SourceConfig(base_url=BASE, endpoint=endpoint(paging), page_size=10)
    records, positions = await read_all(source, handle)
    assert [r["id"] for r in records] == [i["id"] for i in ITEMS]
    assert positions[-1] is None and all(p is not None for p in positions[:-1])
    assert len(requests) <= 6  # 5 pages of 10, plus at most one empty page to learn the end


@pytest.mark.parametrize(("style", "paging"), STYLES, ids=[s for s, _ in STYLES])
async def test_a_server_capping_the_page_size_loses_nothing(style, paging):
    handle, _ = server(style, cap=7)
    source = SourceConfig(base_url=BASE, endpoint=endpoint(paging), page_size=10)
    records, _ = await read_all(source, handle)
    assert [r["id"] for r in records] == [i["id"] for i in ITEMS]


@pytest.mark.parametrize(("style", "paging"), STYLES, ids=[s for s, _ in STYLES])
async def test_reading_resumes_from_a_stored_position(style, paging):
    handle, _ = server(style)
    source = SourceConfig(base_url=BASE, endpoint=endpoint(paging), page_size=10)
    _, positions = await read_all(source, handle)
    rest, _ = await read_all(source, handle, start=positions[1])
    assert [r["id"] for r in rest] == [i["id"] for i in ITEMS[20:]]


async def test_records_at_variants_and_an_unpaged_list():
    for records_at, body in (
        ("[]", ITEMS),
        ("data.results[]", {"data": {"results": ITEMS}}),
        ("results[]", {"results": ITEMS}),
    ):
        source = SourceConfig(base_url=BASE, endpoint=endpoint(None, records_at=records_at))
        records, positions = await read_all(source, lambda r, body=body: httpx.Response(200, json=body))
        assert len(records) == len(ITEMS) and positions == [None]


async def test_the_since_filter_fixed_params_and_query_auth_go_on_every_page():
    handle, requests = server("cursor")
    paging = STYLES[0][1]
    source = SourceConfig(base_url=BASE, endpoint=endpoint(paging), page_size=20, params={"status": "active"})
    client = mock_client(handle)
    reader = SourceReader(client, source, AppliedAuth(params={"api_key": "k" * 12}), RetryPolicy(sleep=Sleeps()),
                          since=("updated_since", "2024-01-01T00:00:00Z"))  # fmt: skip
    async for _ in reader.pages():
        pass
    for request in requests:
        assert request.url.params["updated_since"] == "2024-01-01T00:00:00Z"
        assert request.url.params["status"] == "active" and request.url.params["api_key"] == "k" * 12


async def test_a_next_link_to_another_host_is_refused():
    def handle(request):
        return httpx.Response(200, json={"data": ITEMS[:5], "next": "https://evil.example.net/steal"})

    paging = Pagination(style=PaginationStyle.NEXT_URL, next_path="next")
    source = SourceConfig(base_url=BASE, endpoint=endpoint(paging))
    with pytest.raises(SyncAborted, match="leaves") as info:
        await read_all(source, handle)
    assert info.value.retryable is False


async def test_a_cursor_that_does_not_move_stops_the_run_instead_of_looping():
    def handle(request):
        return httpx.Response(200, json={"data": ITEMS[:5], "next_cursor": "same"})

    paging = Pagination(style=PaginationStyle.CURSOR, cursor_param="c", cursor_path="next_cursor")
    with pytest.raises(SyncAborted, match="same cursor"):
        await read_all(SourceConfig(base_url=BASE, endpoint=endpoint(paging)), handle)


async def test_max_pages_bounds_a_list_that_never_ends():
    def handle(request):
        n = int(request.url.params.get("page", "1"))
        return httpx.Response(200, json={"data": [{"id": n}]})

    paging = Pagination(style=PaginationStyle.PAGE, page_param="page")
    source = SourceConfig(base_url=BASE, endpoint=endpoint(paging), max_pages=5)
    with pytest.raises(SyncAborted, match="max_pages=5"):
        await read_all(source, handle)


async def test_read_failures_say_whether_the_next_run_may_retry():
    source = SourceConfig(base_url=BASE, endpoint=endpoint(None))
    with pytest.raises(SyncAborted) as info:
        await read_all(source, lambda r: httpx.Response(503))
    assert info.value.retryable is True
    with pytest.raises(SyncAborted) as info:
        await read_all(source, lambda r: httpx.Response(401))
    assert info.value.retryable is False and "401" in info.value.message
    with pytest.raises(SyncAborted, match="no list of records"):
        await read_all(source, lambda r: httpx.Response(200, json={"items": []}))


async def test_a_zero_based_page_parameter_starts_at_zero():
    seen = []

    def handle(request):
        seen.append(int(request.url.params["p"]))
        return httpx.Response(200, json={"data": []})

    param = Parameter(name="p", location=ParameterLocation.QUERY, type="integer", default=0)
    paging = Pagination(style=PaginationStyle.PAGE, page_param="p")
    await read_all(SourceConfig(base_url=BASE, endpoint=endpoint(paging, parameters=[param])), handle)
    assert seen == [0]
