"""Answer each kind of operation from the store: list, get, create, update, replace, delete, other."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from random import Random
from typing import Any

from starlette.requests import Request

from vitesse.graph.guardian.synthetic import SchemaView, generate_value
from vitesse.graph.ingestor.extract import success_response
from vitesse.sandbox._errors import ErrorWriter, response_schema
from vitesse.sandbox._fielderrors import FieldError
from vitesse.sandbox._pages import Envelope, Page, PageError, cut, first_page
from vitesse.sandbox._records import build_record, matches_filters, touch, unique_conflict, unwrap, wrap
from vitesse.sandbox._routing import Operation
from vitesse.sandbox._store import Collection, CollectionSpec, Store
from vitesse.sandbox._validate import Checked
from vitesse.schemas import APISpecification, Endpoint, PaginationStyle, ParameterLocation


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Handlers:
    """The sandbox's behaviour for one spec, independent of HTTP plumbing."""

    def __init__(
        self,
        spec: APISpecification,
        store: Store,
        errors: ErrorWriter,
        collections: dict[str, CollectionSpec],
        seed: int,
    ) -> None:
        self.spec = spec
        self.store = store
        self.view: SchemaView = store.view
        self.errors = errors
        self.collections = collections
        self.seed = seed

    def error(self, endpoint: Endpoint | None, status: int, message: str, errors: list[FieldError] = ()) -> Reply:  # type: ignore[assignment]
        return Reply(status, self.errors.body(endpoint, status, message, list(errors)))

    def handle(self, op: Operation, values: dict[str, str], checked: Checked, request: Request) -> Reply:
        handler = getattr(self, f"_{op.kind}")
        return handler(op, values, checked, request)  # type: ignore[no-any-return]

    def _collection(self, op: Operation, values: dict[str, str]) -> Collection:
        key = op.concrete_collection(values) or op.endpoint.path
        spec = self.collections.get(op.collection or "", CollectionSpec(op.endpoint.path, None))
        return self.store.collection(key, spec)

    # -- reads ---------------------------------------------------------------------------------------

    def _list(self, op: Operation, values: dict[str, str], checked: Checked, request: Request) -> Reply:
        endpoint = op.endpoint
        coll = self._collection(op, values)
        filters, stamps = self._filters(endpoint, coll, checked.params)
        with self.store.lock:
            pairs = [(key, r) for key, r in coll.records.items() if matches_filters(r, filters, stamps)]
        ids = [key for key, _ in pairs]
        records = [r for _, r in pairs]
        params = dict(checked.params)
        for name, value in request.query_params.items():  # undeclared paging parameters our own links carry
            if name not in params:
                params[name] = int(value) if value.isdigit() else value
        try:
            page = cut(endpoint, ids, params)
        except PageError as exc:
            return self.error(endpoint, 400, "bad pagination value", [FieldError(exc.param, "invalid", exc.message)])
        items = copy.deepcopy(records[page.start : page.start + page.size])
        return self._page_reply(endpoint, items, page, request)

    def _filters(
        self, endpoint: Endpoint, coll: Collection, params: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        pagination = endpoint.pagination
        skip: set[str | None] = set()
        if pagination is not None:
            skip = {pagination.cursor_param, pagination.page_param, pagination.offset_param, pagination.limit_param}
        props = set(self.view.resolve(coll.spec.record_schema or {})[0].get("properties") or {})
        filters: dict[str, Any] = {}
        stamps: dict[str, str] = {}
        for param in endpoint.parameters:
            if param.location != ParameterLocation.QUERY or param.name in skip or param.name not in params:
                continue
            if param.name in props:
                filters[param.name] = params[param.name]
            elif param.format == "date-time" and isinstance(params[param.name], str):
                stamps[param.name] = params[param.name]
        return filters, stamps

    def _page_reply(self, endpoint: Endpoint, items: list[dict[str, Any]], page: Page, request: Request) -> Reply:
        success = success_response(endpoint.responses)
        status = int(success.status) if success and success.status.isdigit() else 200
        schema = success.schema_ if success else None
        records_at = endpoint.records_at or "[]"
        headers: dict[str, str] = {}
        if records_at == "[]" or not schema:
            body: Any = items
        else:
            body = generate_value(_without_records(self.view, schema, records_at), self.spec.schemas, Random(self.seed))
            body = body if isinstance(body, dict) else {}
            _place(body, records_at, items)
        next_url = None
        if page.has_more and page.next_param:
            next_url = str(request.url.include_query_params(**{page.next_param: page.next_value}))
        if schema and isinstance(body, dict):
            self._envelope(endpoint, schema, body, page, next_url)
        pagination = endpoint.pagination
        if pagination and pagination.style == PaginationStyle.LINK_HEADER and next_url:
            headers["Link"] = f'<{next_url}>; rel="next"'
        return Reply(status, body, headers)

    def _envelope(self, endpoint: Endpoint, schema: Any, body: dict[str, Any], page: Page, url: str | None) -> None:
        envelope = Envelope(self.view, schema)
        pagination = endpoint.pagination
        number = None
        if pagination and pagination.style in (
            PaginationStyle.PAGE,
            PaginationStyle.NEXT_URL,
            PaginationStyle.LINK_HEADER,
        ):
            name = page.next_param or "page"
            number = first_page(endpoint, name) + (page.start // page.limit if page.limit else 0)
        envelope.fill_named(body, page, number)
        if pagination is None:
            return
        if pagination.has_more_path:
            envelope.put(body, pagination.has_more_path, page.has_more)
        if pagination.total_path:
            envelope.put(body, pagination.total_path, page.total)
        targets = []
        if (
            pagination.style == PaginationStyle.CURSOR
            and pagination.cursor_path
            and "[-1]" not in pagination.cursor_path
        ):
            targets.append((pagination.cursor_path, page.next_value))
        if pagination.style == PaginationStyle.TOKEN and pagination.next_path:
            targets.append((pagination.next_path, page.next_value))
        if pagination.style == PaginationStyle.NEXT_URL and pagination.next_path:
            targets.append((pagination.next_path, url))
        for path, value in targets:
            if value is None:
                envelope.clear(body, path)
            else:
                envelope.put(body, path, value)

    def _get(self, op: Operation, values: dict[str, str], checked: Checked, request: Request) -> Reply:
        coll = self._collection(op, values)
        record = self.store.get(coll, values.get(op.item_param or "", ""))
        if record is None:
            return self.error(op.endpoint, 404, f"no record has {op.item_param} {values.get(op.item_param or '')}")
        return self._record_reply(op, coll, copy.deepcopy(record))

    def _record_reply(self, op: Operation, coll: Collection, record: dict[str, Any], headers: Any = None) -> Reply:
        success = success_response(op.endpoint.responses)
        status = int(success.status) if success and success.status.isdigit() else 200
        if status == 204:
            return Reply(204, None, dict(headers or {}))
        schema = success.schema_ if success else None
        body = wrap(self.view, record, schema, coll.spec.record_schema, f"{self.seed}:{op.endpoint.key}")
        return Reply(status, body, dict(headers or {}))

    # -- writes --------------------------------------------------------------------------------------

    def _create(self, op: Operation, values: dict[str, str], checked: Checked, request: Request) -> Reply:
        coll = self._collection(op, values)
        incoming = unwrap(self.view, checked.body, coll.spec.record_schema)
        if response_schema(op.endpoint, 409) is not None:
            with self.store.lock:
                clash = unique_conflict(self.view, coll.spec.record_schema, incoming, list(coll))
            if clash:
                return self.error(op.endpoint, 409, f"another record already has this {clash}")
        seed = f"{self.seed}:{coll.key}:new:{coll.created}"
        record = build_record(self.view, coll.spec.record_schema, incoming, seed)
        pk = coll.spec.primary_key
        if pk not in incoming or str(incoming.get(pk)) in coll.records:
            record[pk] = self.store.new_id(coll)
        stored = self.store.add(coll, record)
        headers = {}
        if any("location" == h.lower() for r in op.endpoint.responses for h in r.headers):
            headers["Location"] = f"{str(request.url).split('?')[0].rstrip('/')}/{stored.get(pk)}"
        return self._record_reply(op, coll, copy.deepcopy(stored), headers)

    def _update(self, op: Operation, values: dict[str, str], checked: Checked, request: Request) -> Reply:
        coll = self._collection(op, values)
        record_id = values.get(op.item_param or "", "")
        with self.store.lock:
            record = self.store.get(coll, record_id)
            if record is None:
                return self.error(op.endpoint, 404, f"no record has {op.item_param} {record_id}")
            incoming = unwrap(self.view, checked.body, coll.spec.record_schema)
            props = self.view.resolve(coll.spec.record_schema or {})[0].get("properties") or {}
            for key, value in incoming.items():
                if key in props and key != coll.spec.primary_key:
                    record[key] = copy.deepcopy(value)
            touch(self.view, coll.spec.record_schema, record, created=False)
            snapshot = copy.deepcopy(record)
        return self._record_reply(op, coll, snapshot)

    def _replace(self, op: Operation, values: dict[str, str], checked: Checked, request: Request) -> Reply:
        coll = self._collection(op, values)
        record_id = values.get(op.item_param or "", "")
        existing = self.store.get(coll, record_id)
        if existing is None and response_schema(op.endpoint, 404) is not None:
            return self.error(op.endpoint, 404, f"no record has {op.item_param} {record_id}")
        incoming = unwrap(self.view, checked.body, coll.spec.record_schema)
        record = build_record(self.view, coll.spec.record_schema, incoming, f"{self.seed}:{coll.key}:put:{record_id}")
        for key, value in (existing or {}).items():
            if key.lower().startswith("creat"):
                record[key] = value
        if existing is None:
            coll.created += 1
        stored = self.store.replace(coll, record_id, record)
        return self._record_reply(op, coll, copy.deepcopy(stored))

    def _delete(self, op: Operation, values: dict[str, str], checked: Checked, request: Request) -> Reply:
        coll = self._collection(op, values)
        record_id = values.get(op.item_param or "", "")
        record = self.store.get(coll, record_id)
        if record is None or not self.store.delete(coll, record_id):
            return self.error(op.endpoint, 404, f"no record has {op.item_param} {record_id}")
        return self._record_reply(op, coll, copy.deepcopy(record))

    def _other(self, op: Operation, values: dict[str, str], checked: Checked, request: Request) -> Reply:
        success = success_response(op.endpoint.responses)
        status = int(success.status) if success and success.status.isdigit() else 200
        if status == 204 or success is None or success.schema_ is None:
            return Reply(status, None if status == 204 else {})
        rng = Random(f"{self.seed}:{op.endpoint.key}:{request.url.path}")
        return Reply(status, generate_value(success.schema_, self.spec.schemas, rng))


def _without_records(view: SchemaView, schema: Any, records_at: str) -> dict[str, Any]:
    """The envelope schema with its records array emptied (the page's records are placed afterwards)."""
    resolved, _ = view.resolve(schema)
    parts = records_at.removesuffix("[]").split(".")
    return _strip(view, resolved, parts)


def _strip(view: SchemaView, schema: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    props = dict(schema.get("properties") or {})
    head = parts[0]
    if head not in props:
        return schema
    if len(parts) == 1:
        props[head] = {"type": "array", "maxItems": 0}
    else:
        props[head] = _strip(view, view.resolve(props[head])[0], parts[1:])
    return {**schema, "properties": props, "required": sorted(set(schema.get("required") or []) | {head})}


def _place(body: dict[str, Any], records_at: str, items: list[dict[str, Any]]) -> None:
    parts = records_at.removesuffix("[]").split(".")
    node = body
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = items
