"""Requests of a proof: auth from credentials, parameters, bodies, and every pagination style walked."""

from __future__ import annotations

import base64
import inspect
import math
from typing import Any

import httpx
import pytest

from vitesse.graph.guardian.calls import form_encode, read_call, wrap_bulk, write_call
from vitesse.graph.guardian.pagination import walk_pages
from vitesse.graph.guardian.shadow import Call, Gate, ShadowCaller
from vitesse.graph.guardian.target import Target, auth_for
from vitesse.runtime.paths import get_value, records_in
from vitesse.sandbox.app import Sandbox
from vitesse.schemas import (
    APISpecification,
    AuthScheme,
    AuthType,
    Endpoint,
    HttpMethod,
    Pagination,
    PaginationStyle,
    ParameterLocation,
)

BASE = "https://api.example.test"


def spec_with(*schemes: AuthScheme, security: list[list[str]]) -> APISpecification:
    return APISpecification(name="x", spec_version="3.0.3", auth_schemes=list(schemes), security=security)


def test_api_key_bearer_and_basic_credentials_are_placed_where_the_scheme_says() -> None:
    key = AuthScheme(name="Key", type=AuthType.API_KEY, location=ParameterLocation.QUERY, parameter_name="api_key")
    bearer = AuthScheme(name="Bearer", type=AuthType.HTTP_BEARER, scheme="bearer")
    basic = AuthScheme(name="Basic", type=AuthType.HTTP_BASIC, scheme="basic")
    endpoint = Endpoint(method=HttpMethod.GET, path="/x")
    parts = auth_for(spec_with(key, security=[["Key"]]), endpoint, {"api_key": "k-123456789"})
    assert parts.params == {"api_key": "k-123456789"} and parts.secrets == ["k-123456789"]
    parts = auth_for(spec_with(bearer, security=[["Bearer"]]), endpoint, {"Bearer": "t-1"})
    assert parts.headers == {"Authorization": "Bearer t-1"}
    parts = auth_for(spec_with(basic, security=[["Basic"]]), endpoint, {"username": "u", "password": "p"})
    assert parts.headers == {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
    parts = auth_for(spec_with(key, bearer, security=[["Key"], ["Bearer"]]), endpoint, {"token": "t-2"})
    assert parts.schemes == ["Key"] and parts.headers == {}  # a generic token also fits the first alternative


def test_missing_credentials_are_named_and_anonymous_endpoints_need_none() -> None:
    bearer = AuthScheme(name="Bearer", type=AuthType.HTTP_BEARER, scheme="bearer")
    endpoint = Endpoint(method=HttpMethod.GET, path="/x")
    assert auth_for(spec_with(bearer, security=[["Bearer"]]), endpoint, {}).missing == ["Bearer"]
    open_endpoint = Endpoint(method=HttpMethod.GET, path="/x", security=[[]])
    assert auth_for(spec_with(bearer, security=[["Bearer"]]), open_endpoint, {}).missing == []


def test_a_targets_repr_never_shows_credentials(crm: APISpecification) -> None:
    target = Target(crm, crm.endpoints[0], credentials={"token": "super-secret-value"})
    assert "super-secret-value" not in repr(target) and "token" in repr(target)


def test_bodies_are_wrapped_and_form_encoded_the_common_ways() -> None:
    assert wrap_bulk("contacts[]", [{"a": 1}]) == {"contacts": [{"a": 1}]}
    assert wrap_bulk("data.items[]", [{"a": 1}]) == {"data": {"items": [{"a": 1}]}}
    assert form_encode({"email": "a@b", "metadata": {"tier": "gold"}, "items": [{"sku": "x"}], "ok": True}) == {
        "email": "a@b",
        "metadata[tier]": "gold",
        "items[0][sku]": "x",
        "ok": "true",
    }


def test_write_calls_fill_path_parameters_and_idempotency_keys(shop: APISpecification) -> None:
    endpoint = shop.find_endpoint("POST /customers")
    assert endpoint is not None
    call = write_call(
        BASE, endpoint, shop, auth_for(shop, endpoint, {"api_key": "k"}), {"email": "a@b.example"}, seed=1, number=0
    )
    assert call.url == f"{BASE}/customers" and call.json == {"email": "a@b.example"}
    assert call.headers["X-API-Key"] == "k" and len(call.headers["Idempotency-Key"]) == 36
    again = write_call(BASE, endpoint, shop, auth_for(shop, endpoint, {"api_key": "k"}), {}, seed=1, number=0)
    assert again.headers["Idempotency-Key"] == call.headers["Idempotency-Key"]  # deterministic per seed and write
    item = shop.find_endpoint("GET /customers/{customer_id}")
    assert item is not None
    filled = read_call(BASE, item, shop, auth_for(shop, item, {"api_key": "k"}), seed=1)
    assert filled.url.startswith(f"{BASE}/customers/cus_") and "{" not in filled.url


def test_records_and_cursors_are_read_from_response_paths() -> None:
    body = {"data": {"results": [{"id": 1}, {"id": 2}]}, "meta": {"next": "c2"}}
    assert records_in(body, "data.results[]") == [{"id": 1}, {"id": 2}]
    assert records_in([{"id": 1}], "[]") == [{"id": 1}]
    assert records_in({"data": "nope"}, "data[]") is None
    assert get_value(body, "data.results[-1].id") == 2 and get_value(body, "meta.next") == "c2"


def sandbox_caller(sandbox: Sandbox) -> ShadowCaller:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app), base_url="http://sandbox")
    return ShadowCaller(client, concurrency=2, timeout_s=5, max_retry_wait_s=1)


@pytest.mark.parametrize(
    ("spec_name", "path", "credentials"),
    [("shop", "/customers", {"api_key": "k"}), ("crm", "/contacts", {"token": "t"})],
)
async def test_cursor_and_page_styles_walk_a_sandbox_to_its_last_page(
    request: pytest.FixtureRequest, spec_name: str, path: str, credentials: dict[str, str]
) -> None:
    """Shop (cursor, `starting_after`) and CRM (page, `page`): every seeded record read once, then the walk stops."""
    spec: APISpecification = request.getfixturevalue(spec_name)
    endpoint = spec.find_endpoint(f"GET {path}")
    assert endpoint is not None and endpoint.pagination is not None
    sandbox = Sandbox(spec, seed=5)
    seeded = int(inspect.signature(Sandbox).parameters["records_per_collection"].default)
    first = read_call("http://sandbox", endpoint, spec, auth_for(spec, endpoint, credentials), seed=1)
    walk = await walk_pages(sandbox_caller(sandbox), Gate(), first, endpoint, max_pages=20, page_size=7)
    assert len(walk.outcomes) == math.ceil(seeded / 7) and all(o.result.success for o in walk.outcomes)
    ids = [r["id"] for r in walk.records]
    assert len(ids) == seeded == len(set(ids))


async def test_the_page_budget_stops_a_long_walk(shop: APISpecification) -> None:
    endpoint = shop.find_endpoint("GET /customers")
    assert endpoint is not None
    first = read_call("http://sandbox", endpoint, shop, auth_for(shop, endpoint, {"api_key": "k"}), seed=1)
    walk = await walk_pages(sandbox_caller(Sandbox(shop, seed=5)), Gate(), first, endpoint, max_pages=2, page_size=5)
    assert len(walk.outcomes) == 2 and len(walk.records) == 10


def paged_api(style: PaginationStyle) -> tuple[Endpoint, Any]:
    """A three-page API of nine records in the given style (MockTransport handler), and its endpoint."""
    rows = [{"id": n} for n in range(9)]

    def handler(request: httpx.Request) -> httpx.Response:
        q = request.url.params
        if style is PaginationStyle.OFFSET:
            start = int(q.get("offset", 0))
        elif style is PaginationStyle.TOKEN:
            start = int(q.get("page_token") or 0)
        else:
            start = int(q.get("start", 0))
        page = rows[start : start + 3]
        more = start + 3 < len(rows)
        body: dict[str, Any] = {"items": page}
        headers = {}
        if style is PaginationStyle.TOKEN:
            body["next_token"] = str(start + 3) if more else None
        if style is PaginationStyle.NEXT_URL:
            body["next"] = f"/items?start={start + 3}" if more else None
        if style is PaginationStyle.LINK_HEADER and more:
            headers["Link"] = f'<{BASE}/items?start={start + 3}>; rel="next"'
        return httpx.Response(200, json=body, headers=headers)

    pagination = Pagination(
        style=style, offset_param="offset", limit_param="limit", cursor_param="page_token", next_path="next_token"
        if style is PaginationStyle.TOKEN else "next",
    )  # fmt: skip
    return Endpoint(method=HttpMethod.GET, path="/items", records_at="items[]", pagination=pagination), handler


@pytest.mark.parametrize(
    "style", [PaginationStyle.OFFSET, PaginationStyle.TOKEN, PaginationStyle.NEXT_URL, PaginationStyle.LINK_HEADER]
)
async def test_offset_token_and_link_styles_walk_every_page(style: PaginationStyle) -> None:
    endpoint, handler = paged_api(style)
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    shadow = ShadowCaller(client, concurrency=1, timeout_s=5, max_retry_wait_s=1)
    walk = await walk_pages(shadow, Gate(), Call("GET", "/items", f"{BASE}/items"), endpoint, max_pages=10, page_size=3)
    assert [r["id"] for r in walk.records] == list(range(9))
    assert len(walk.outcomes) == (
        4 if style is PaginationStyle.OFFSET else 3
    )  # offset learns the end from an empty page


async def test_a_next_link_to_another_host_is_not_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"items": [{"id": 1}], "next": "https://elsewhere.example/items?page=2"})

    endpoint = Endpoint(
        method=HttpMethod.GET, path="/items", records_at="items[]",
        pagination=Pagination(style=PaginationStyle.NEXT_URL, next_path="next"),
    )  # fmt: skip
    shadow = ShadowCaller(
        httpx.AsyncClient(transport=httpx.MockTransport(handler)), concurrency=1, timeout_s=5, max_retry_wait_s=1
    )
    walk = await walk_pages(
        shadow, Gate(), Call("GET", "/items", f"{BASE}/items"), endpoint, max_pages=5, page_size=None
    )
    assert len(walk.outcomes) == 1 and walk.warnings == [
        "the next-page link points to another host; Vitesse did not follow it"
    ]


async def test_a_next_link_loop_stops_with_a_warning() -> None:
    def handler(request: httpx.Request) -> httpx.Response:  # page 2 links back to page 2
        return httpx.Response(200, json={"items": [{"id": 1}], "next": f"{BASE}/items?page=2"})

    endpoint = Endpoint(
        method=HttpMethod.GET, path="/items", records_at="items[]",
        pagination=Pagination(style=PaginationStyle.NEXT_URL, next_path="next"),
    )  # fmt: skip
    shadow = ShadowCaller(
        httpx.AsyncClient(transport=httpx.MockTransport(handler)), concurrency=1, timeout_s=5, max_retry_wait_s=1
    )
    walk = await walk_pages(shadow, Gate(), Call("GET", "/items", f"{BASE}/items"), endpoint, max_pages=9, page_size=5)
    assert len(walk.outcomes) == 2, "the first page and page 2, then the link back to page 2 is refused"
    assert len(walk.warnings) == 1 and "same next link twice" in walk.warnings[0]


async def test_an_answer_without_records_fails_the_read() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"unexpected": True})

    endpoint = Endpoint(method=HttpMethod.GET, path="/items", records_at="items[]")
    shadow = ShadowCaller(
        httpx.AsyncClient(transport=httpx.MockTransport(handler)), concurrency=1, timeout_s=5, max_retry_wait_s=1
    )
    walk = await walk_pages(
        shadow, Gate(), Call("GET", "/items", f"{BASE}/items"), endpoint, max_pages=5, page_size=None
    )
    (outcome,) = walk.outcomes
    assert not outcome.result.success and outcome.result.error_message == "the answer has no list of records at items[]"
