"""Cut a collection into the pages a list endpoint declares, and write each page's envelope.

Styles: `cursor` (the cursor is the last record's id, `starting_after` style, written at
`cursor_path` unless that path is the record-id form `data[-1].id`), `token` (an opaque token at
`next_path`), `page` (numbered from the parameter's minimum or default, else 1), `offset`,
`link_header` (an RFC 8288 `Link: <…>; rel="next"` header) and `next_url` (the next page's absolute
URL at `next_path`). On the last page cursor and URL fields become null, or are left out when the
schema forbids null, and `has_more` is false; totals and page counters are filled wherever the
envelope has a field of that name.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from random import Random
from typing import Any

from vitesse.graph.guardian.synthetic import SchemaView, conforms, generate_value
from vitesse.schemas import Endpoint, PaginationStyle

DEFAULT_PAGE_SIZE = 20
PAGE_NAMES = ("page", "current_page", "page_number", "pagenumber")
SIZE_NAMES = ("per_page", "page_size", "pagesize", "limit", "size")
PAGES_NAMES = ("total_pages", "page_count", "pages", "last_page", "num_pages")
TOTAL_NAMES = ("total", "total_count", "count", "total_results", "total_items", "totalcount")


class PageError(Exception):
    """A cursor, token or page value that names no page; `param` says which parameter."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass
class Page:
    start: int
    size: int
    """How many records this page holds."""
    total: int
    next_value: Any
    """What the client sends for the next page (a cursor, token, page number or offset); None at the end."""
    next_param: str | None
    limit: int = 0
    """The page size asked for (or the default); `size` is less on the last page."""

    @property
    def has_more(self) -> bool:
        return self.next_value is not None


def page_size(endpoint: Endpoint, params: dict[str, Any]) -> int:
    pagination = endpoint.pagination
    limit_name = pagination.limit_param if pagination else None
    param = endpoint.parameter(limit_name) if limit_name else None
    schema = (param.schema_ or {}) if param else {}
    size = params.get(limit_name) if limit_name else None
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        default = schema.get("default") if isinstance(schema.get("default"), int) else None
        size = default or (pagination.page_size_default if pagination else None) or DEFAULT_PAGE_SIZE
    high = schema.get("maximum") if isinstance(schema.get("maximum"), int) else None
    high = high or (pagination.page_size_max if pagination else None)
    return max(1, min(size, high) if high else size)


def cut(endpoint: Endpoint, ids: list[str], params: dict[str, Any]) -> Page:
    """Decide which slice of the collection this request gets, and what leads to the next one."""
    size = page_size(endpoint, params)
    total = len(ids)
    pagination = endpoint.pagination
    if pagination is None:
        limit = params.get("limit") if isinstance(params.get("limit"), int) else None
        return Page(0, min(total, limit) if limit else total, total, None, None, limit or total)
    style = pagination.style
    param, start = _start(endpoint, style, ids, params)
    end = min(start + size, total)
    if end >= total:
        return Page(start, max(0, end - start), total, None, param, size)
    return Page(start, end - start, total, _next_value(endpoint, style, ids, start, end, size), param, size)


def _start(endpoint: Endpoint, style: PaginationStyle, ids: list[str], params: dict[str, Any]) -> tuple[str, int]:
    pagination = endpoint.pagination
    assert pagination is not None
    if style in (PaginationStyle.CURSOR, PaginationStyle.LINK_HEADER) and pagination.cursor_param:
        name = pagination.cursor_param
        value = params.get(name)
        if value in (None, ""):
            return name, 0
        if str(value) not in ids:
            raise PageError(name, f"names no record ({value}); pass the cursor of the previous page")
        return name, ids.index(str(value)) + 1
    if style == PaginationStyle.TOKEN and pagination.cursor_param:
        name = pagination.cursor_param
        return name, decode_token(name, params.get(name))
    if style == PaginationStyle.OFFSET and pagination.offset_param:
        name = pagination.offset_param
        value = params.get(name)
        return name, value if isinstance(value, int) and value > 0 else 0
    name = _page_param(endpoint)
    first = first_page(endpoint, name)
    value = params.get(name)
    number = value if isinstance(value, int) and not isinstance(value, bool) else first
    return name, max(0, number - first) * page_size(endpoint, params)


def _next_value(endpoint: Endpoint, style: PaginationStyle, ids: list[str], start: int, end: int, size: int) -> Any:
    pagination = endpoint.pagination
    assert pagination is not None
    if style in (PaginationStyle.CURSOR, PaginationStyle.LINK_HEADER) and pagination.cursor_param:
        return ids[end - 1]
    if style == PaginationStyle.TOKEN:
        return encode_token(end)
    if style == PaginationStyle.OFFSET and pagination.offset_param:
        return end
    name = _page_param(endpoint)
    return first_page(endpoint, name) + end // size


def _page_param(endpoint: Endpoint) -> str:
    pagination = endpoint.pagination
    if pagination and pagination.page_param:
        return pagination.page_param
    declared = [p.name for p in endpoint.parameters if p.name.lower() in PAGE_NAMES]
    return declared[0] if declared else "page"


def first_page(endpoint: Endpoint, name: str) -> int:
    param = endpoint.parameter(name)
    schema = (param.schema_ or {}) if param else {}
    for key in ("minimum", "default"):
        if schema.get(key) == 0:
            return 0
    return 1


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_token(name: str, token: Any) -> int:
    if token in (None, ""):
        return 0
    try:
        text = base64.urlsafe_b64decode(str(token) + "=" * (-len(str(token)) % 4)).decode()
        return int(text.removeprefix("o:"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PageError(name, "is not a page token this API issued") from exc


def total_pages(page: Page) -> int:
    return math.ceil(page.total / page.limit) if page.limit else 0


class Envelope:
    """Fill an envelope body's pagination fields, keeping it valid for its schema."""

    def __init__(self, view: SchemaView, schema: dict[str, Any]) -> None:
        self.view = view
        self.schema = schema

    def put(self, body: Any, path: str, value: Any, create: bool = True) -> bool:
        """Set a dotted path; when the value does not fit the schema there, clear the field instead.

        Missing objects on the way are generated from their schema (`create`), or the field is skipped.
        """
        parts = path.split(".")
        node, node_schema = body, self.schema
        for part in parts[:-1]:
            prop = self._prop(node_schema, part)
            if not isinstance(node, dict) or prop is None:
                return False
            if not isinstance(node.get(part), dict):
                if not create:
                    return False
                made = generate_value(prop, self.view.schemas, Random(path))
                node[part] = made if isinstance(made, dict) else {}
            node, node_schema = node[part], prop
        prop = self._prop(node_schema, parts[-1])
        if not isinstance(node, dict) or prop is None:
            return False
        if conforms(value, prop, self.view.schemas, mode="read"):
            node[parts[-1]] = value
            return True
        self.clear(body, path)
        return False

    def clear(self, body: Any, path: str) -> None:
        """Null a field, or drop it (or its nearest optional ancestor) when null is not allowed."""
        parts = path.split(".")
        chain: list[tuple[dict[str, Any], dict[str, Any], str]] = []
        node, node_schema = body, self.schema
        for part in parts:
            if not isinstance(node, dict):
                return
            chain.append((node, node_schema, part))
            node, node_schema = node.get(part), self._prop(node_schema, part) or {}
        parent, parent_schema, name = chain[-1]
        if conforms(None, self._prop(parent_schema, name) or {}, self.view.schemas):
            parent[name] = None
            return
        for parent, parent_schema, name in reversed(chain):
            required = self.view.resolve(parent_schema)[0].get("required") or []
            if name not in required:
                parent.pop(name, None)
                return

    def fill_named(self, body: Any, page: Page, number: int | None) -> None:
        """Fill totals, page numbers and sizes wherever the envelope has fields of those names."""
        if not isinstance(body, dict):
            return
        for path, name in self._leaves(self.schema, "", 0):
            key = name.lower()
            if key in TOTAL_NAMES:
                self.put(body, path, page.total, create=False)
            elif key in PAGES_NAMES:
                self.put(body, path, total_pages(page), create=False)
            elif key in SIZE_NAMES:
                self.put(body, path, page.limit, create=False)
            elif key in PAGE_NAMES and number is not None:
                self.put(body, path, number, create=False)

    def _leaves(self, schema: Any, prefix: str, depth: int) -> list[tuple[str, str]]:
        resolved, _ = self.view.resolve(schema)
        props = resolved.get("properties")
        props = props if isinstance(props, dict) else {}
        out: list[tuple[str, str]] = []
        for name, prop in props.items():
            path = f"{prefix}.{name}" if prefix else name
            target, _ = self.view.resolve(prop)
            if target.get("type") == "object" and depth < 2:
                out.extend(self._leaves(prop, path, depth + 1))
            elif target.get("type") == "integer":
                out.append((path, name))
        return out

    def _prop(self, schema: Any, name: str) -> dict[str, Any] | None:
        resolved, _ = self.view.resolve(schema)
        props = resolved.get("properties")
        props = props if isinstance(props, dict) else {}
        prop = props.get(name)
        return prop if isinstance(prop, dict) else None
