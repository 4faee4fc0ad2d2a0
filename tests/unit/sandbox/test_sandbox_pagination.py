"""Every pagination style is served as declared and can be walked to the end without duplicates."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.ingestor import ingest_bytes, ingest_path
from vitesse.graph.ingestor.extract import success_response
from vitesse.sandbox import Sandbox, sandbox_client
from vitesse.schemas import APISpecification, PaginationStyle

THING = """
components:
  schemas:
    Thing:
      type: object
      required: [id, name]
      properties:
        id: {type: string, format: uuid}
        name: {type: string, maxLength: 40}
"""
SIZES = {
    PaginationStyle.OFFSET: 7,
    PaginationStyle.TOKEN: 6,
    PaginationStyle.LINK_HEADER: 8,
    PaginationStyle.NEXT_URL: 9,
}
SPECS = {
    PaginationStyle.OFFSET: """
paths:
  /things:
    get:
      parameters:
        - {name: offset, in: query, schema: {type: integer, minimum: 0}}
        - {name: limit, in: query, schema: {type: integer, maximum: 50, default: 7}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [items, total]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/Thing'}}
                  total: {type: integer}
""",
    PaginationStyle.TOKEN: """
paths:
  /things:
    get:
      parameters:
        - {name: page_token, in: query, schema: {type: string}}
        - {name: page_size, in: query, schema: {type: integer, default: 6}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/Thing'}}
                  next_page_token: {type: string, nullable: true}
""",
    PaginationStyle.LINK_HEADER: """
paths:
  /things:
    get:
      parameters:
        - {name: per_page, in: query, schema: {type: integer, default: 8}}
      responses:
        '200':
          description: ok
          headers:
            Link: {schema: {type: string}}
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Thing'}
""",
    PaginationStyle.NEXT_URL: """
paths:
  /things:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, default: 9}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [data, links]
                properties:
                  data: {type: array, items: {$ref: '#/components/schemas/Thing'}}
                  links:
                    type: object
                    properties:
                      next: {type: string, format: uri}
""",
}


def _spec(style: PaginationStyle) -> APISpecification:
    text = f"openapi: 3.0.3\ninfo: {{title: {style.value}, version: '1'}}\n{SPECS[style]}{THING}"
    return ingest_bytes(text)


def _next(style: PaginationStyle, response: httpx.Response, body: Any, params: dict[str, Any]) -> Any:
    """What a client of this style sends for the next page (None at the end)."""
    if style == PaginationStyle.OFFSET:
        seen = params.get("offset", 0) + len(body["items"])
        return {"offset": seen} if seen < body["total"] else None
    if style == PaginationStyle.TOKEN:
        return {"page_token": body["next_page_token"]} if body.get("next_page_token") else None
    if style == PaginationStyle.LINK_HEADER:
        found = re.search(r'<([^>]+)>;\s*rel="next"', response.headers.get("link", ""))
        return found.group(1) if found else None
    return body["links"].get("next")


def _records(style: PaginationStyle, body: Any) -> list[dict[str, Any]]:
    return body if style == PaginationStyle.LINK_HEADER else body["items" if "items" in body else "data"]


@pytest.mark.parametrize("style", list(SPECS), ids=[s.value for s in SPECS])
async def test_each_style_walks_to_the_end_once(style):
    spec = _spec(style)
    endpoint = spec.find_endpoint("GET /things")
    assert endpoint.pagination is not None and endpoint.pagination.style == style
    sandbox = Sandbox(spec, seed=2, records_per_collection=23)
    validator = sandbox.schema_set.validator(success_response(endpoint.responses).schema_, "response")
    seen: list[str] = []
    pages = 0
    async with sandbox_client(sandbox) as client:
        request: Any = "/things"
        params: dict[str, Any] = {}
        while request is not None and pages < 20:
            response = await (client.get(request) if isinstance(request, str) else client.get("/things", params=params))
            body = response.json()
            assert response.status_code == 200 and not list(validator.iter_errors(body))
            seen.extend(r["id"] for r in _records(style, body))
            pages += 1
            nxt = _next(style, response, body, params)
            request, params = (nxt, {}) if isinstance(nxt, str) or nxt is None else (0, nxt)
    assert len(seen) == 23 and len(set(seen)) == 23
    assert pages == -(-23 // SIZES[style]), "pages hold the declared default page size"


async def _walk_shop(client: httpx.AsyncClient, limit: int) -> list[str]:
    ids: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    for _ in range(50):
        body = (await client.get("/customers", params=params, headers={"X-API-Key": "k"})).json()
        ids.extend(c["id"] for c in body["data"])
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return ids
        params["starting_after"] = body["next_cursor"]
    raise AssertionError("the cursor never ended")


async def test_shop_cursor_pages_end_and_include_what_a_client_created():
    sandbox = Sandbox(ingest_path(SHOP_SPEC), seed=6, records_per_collection=25)
    async with sandbox_client(sandbox) as client:
        first = await _walk_shop(client, 7)
        created = await client.post(
            "/customers",
            json={"email": "new@example.com", "first_name": "N", "last_name": "W"},
            headers={"X-API-Key": "k"},
        )
        second = await _walk_shop(client, 10)
        unknown = await client.get("/customers", params={"starting_after": "cus_unknown"}, headers={"X-API-Key": "k"})
    assert len(first) == 25 and len(set(first)) == 25
    assert second == [*first, created.json()["id"]]
    assert unknown.status_code == 400 and unknown.json()["error"]["fields"][0]["field"] == "starting_after"


async def test_crm_pages_count_from_one_with_totals():
    sandbox = Sandbox(ingest_path(CRM_SPEC), seed=6, records_per_collection=23)
    ids: list[int] = []
    async with sandbox_client(sandbox) as client:
        page = 1
        while True:
            body = (
                await client.get(
                    "/contacts", params={"page": page, "per_page": 5}, headers={"Authorization": "Bearer t"}
                )
            ).json()
            assert body["meta"] == {"page": page, "per_page": 5, "total": 23, "total_pages": 5}
            ids.extend(c["id"] for c in body["results"])
            if page >= body["meta"]["total_pages"]:
                break
            page += 1
        beyond = (await client.get("/contacts", params={"page": 9}, headers={"Authorization": "Bearer t"})).json()
    assert len(ids) == 23 and len(set(ids)) == 23
    assert beyond["results"] == [] and beyond["meta"]["total"] == 23
