"""Serve any ingested spec as a stateful mock: the `Sandbox` and its Starlette app.

Each request goes through, in order: the fault plan (latency, dropped connection, timeout, 429,
5xx), the operation's security requirement (401/403), request validation (400/415/422 naming each
field), an `Idempotency-Key` replay, then the operation itself against the in-memory store.
Admin routes under `/__sandbox/` (never faulted, never authenticated) read and change the fault
plan and inspect stored records and counters while the sandbox runs.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Collection as Collectionish
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from vitesse.graph.guardian.synthetic import EdgeCase
from vitesse.graph.ingestor.extract import success_response
from vitesse.sandbox._admin import admin_routes
from vitesse.sandbox._auth import check_auth
from vitesse.sandbox._errors import ErrorWriter
from vitesse.sandbox._handlers import Handlers, Reply
from vitesse.sandbox._routing import Operation, build_router
from vitesse.sandbox._store import CollectionSpec, Store
from vitesse.sandbox._validate import RequestValidator
from vitesse.sandbox.faults import Decision, FaultPlan, Outcome
from vitesse.sandbox.schema import SchemaSet
from vitesse.schemas import APISpecification, Endpoint, HttpMethod

ALL_METHODS = [m.value for m in HttpMethod]
IDEMPOTENT_WRITES = ("POST", "PUT", "PATCH")


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised by the app to cut a response short: uvicorn then closes the socket; in-process clients see it."""

    def __init__(self) -> None:
        super().__init__("sandbox fault: connection dropped in the middle of the response")


class Sandbox:
    """A stateful mock of one API, with its fault plan and its Starlette app (`sandbox.app`)."""

    def __init__(
        self,
        spec: APISpecification,
        *,
        seed: int = 0,
        faults: FaultPlan | None = None,
        tokens: Collectionish[str] | None = None,
        records_per_collection: int = 25,
        edge_cases: bool | tuple[EdgeCase | str, ...] = (EdgeCase.UNICODE, EdgeCase.MINIMAL),
        validate: bool = True,
        enforce_auth: bool = True,
    ) -> None:
        self.spec = spec
        self.seed = seed
        self.tokens = set(tokens) if tokens is not None else None
        self.validate = validate
        self.enforce_auth = enforce_auth
        self.schema_set = SchemaSet(spec.schemas)
        self.router = build_router(spec)
        self.store = Store(
            spec.schemas, seed=seed, records_per_collection=records_per_collection, edge_cases=edge_cases
        )
        self.errors = ErrorWriter(spec.schemas, seed)
        self.handlers = Handlers(spec, self.store, self.errors, self._collections(), seed)
        self.validator = RequestValidator(self.schema_set)
        self._lock = threading.Lock()
        self._faults = faults or FaultPlan()
        self._fault_index = 0
        self.counts: Counter[str] = Counter()
        self._idempotent: dict[tuple[str, str, str], Reply] = {}
        self.app = Starlette(routes=[*admin_routes(self), Route("/{path:path}", self.serve, methods=ALL_METHODS)])
        self.app.state.sandbox = self

    # -- faults --------------------------------------------------------------------------------------

    @property
    def faults(self) -> FaultPlan:
        return self._faults

    def set_faults(self, plan: FaultPlan | None) -> None:
        """Replace the fault plan; request counting starts again from 0."""
        with self._lock:
            self._faults = plan or FaultPlan()
            self._fault_index = 0

    def _decide(self, method: str, path: str) -> Decision | None:
        with self._lock:
            plan = self._faults
            if not plan.active or not plan.applies(method, path):
                return None
            index = self._fault_index
            self._fault_index += 1
        return plan.decide(index, self.seed)

    def reset(self) -> None:
        """Forget created and deleted records, counters and idempotency keys (faults stay)."""
        with self._lock:
            self.store.reset()
            self.counts.clear()
            self._idempotent.clear()
            self._fault_index = 0

    # -- serving -------------------------------------------------------------------------------------

    async def serve(self, request: Request) -> Response:
        raw = request.scope.get("raw_path")
        raw_path = raw.decode("latin-1").split("?", 1)[0] if isinstance(raw, bytes) else None
        matched = self.router.match(request.method, request.url.path, raw_path)
        decision = self._decide(request.method, request.url.path)
        if decision is not None:
            faulted = await self._fault(decision, matched[0].endpoint if matched[0] else None)
            if faulted is not None:
                self.counts[f"fault:{decision.outcome.value}"] += 1
                return faulted
        reply = await self._answer(request, *matched)
        self.counts[f"status:{reply.status}"] += 1
        return _respond(reply)

    async def _fault(self, decision: Decision, endpoint: Endpoint | None) -> Response | None:
        if decision.latency_s:
            await asyncio.sleep(decision.latency_s)
        if decision.outcome == Outcome.DROP:
            return _DroppedResponse()
        if decision.outcome == Outcome.TIMEOUT:
            await asyncio.sleep(self._faults.timeout_s)
        if decision.outcome == Outcome.OK or decision.status is None:
            return None
        reply = self.handlers.error(endpoint, decision.status, f"sandbox fault: {decision.outcome.value}")
        if decision.status == 429:
            reply.headers["Retry-After"] = str(self._faults.retry_after_s)
        return _respond(reply)

    async def _answer(
        self, request: Request, op: Operation | None, values: dict[str, str], allowed: list[str]
    ) -> Reply:
        if op is None:
            if allowed:
                reply = self.handlers.error(
                    None, 405, f"{request.method} is not allowed here; use {', '.join(allowed)}"
                )
                reply.headers["Allow"] = ", ".join(allowed)
                return reply
            return self.handlers.error(
                None, 404, f"no operation of this API matches {request.method} {request.url.path}"
            )
        endpoint = op.endpoint
        self.counts[f"op:{endpoint.key}"] += 1
        if self.enforce_auth:
            verdict = check_auth(request, self.spec, endpoint, self.tokens)
            if verdict.status is not None:
                reply = self.handlers.error(endpoint, verdict.status, verdict.message)
                if verdict.challenge:
                    reply.headers["WWW-Authenticate"] = verdict.challenge
                return reply
        checked = await self.validator.check(request, endpoint, values)
        if self.validate:
            rejected = self._rejection(endpoint, checked)
            if rejected is not None:
                return rejected
        key = request.headers.get("idempotency-key")
        replay_key = (key or "", request.method, request.url.path)
        if key and request.method in IDEMPOTENT_WRITES and replay_key in self._idempotent:
            return self._idempotent[replay_key]
        reply = self.handlers.handle(op, values, checked, request)
        if key and request.method in IDEMPOTENT_WRITES and reply.status < 500:
            self._idempotent[replay_key] = reply
        return reply

    def _rejection(self, endpoint: Any, checked: Any) -> Reply | None:
        declared = {r.status for r in endpoint.responses}
        if checked.malformed is not None:
            status = 415 if checked.wrong_content_type and "415" in declared else 400
            return self.handlers.error(endpoint, status, "the request body could not be read", [checked.malformed])
        if checked.param_errors:
            status = 400 if "400" in declared or "422" not in declared else 422
            return self.handlers.error(endpoint, status, "invalid parameters", checked.param_errors)
        if checked.body_errors:
            status = 422 if "422" in declared or "400" not in declared else 400
            count = len(checked.body_errors)
            noun = "field is" if count == 1 else "fields are"
            return self.handlers.error(endpoint, status, f"{count} {noun} invalid", checked.body_errors)
        return None

    # -- set-up --------------------------------------------------------------------------------------

    def _collections(self) -> dict[str, CollectionSpec]:
        """Pick each collection template's record schema and primary key (list, then get, then create)."""
        found: dict[str, CollectionSpec] = {}
        rank = {"list": 0, "get": 1, "create": 2, "replace": 3, "update": 4, "delete": 5}
        best: dict[str, int] = {}
        for op in self.router.operations:
            if op.collection is None or op.kind not in rank:
                continue
            schema = op.endpoint.record_schema
            if op.kind != "list":
                success = success_response(op.endpoint.responses)
                schema = success.schema_ if success else None
            if schema is None or best.get(op.collection, 99) <= rank[op.kind]:
                continue
            best[op.collection] = rank[op.kind]
            pk = op.endpoint.primary_key or "id"
            found[op.collection] = CollectionSpec(op.collection, schema, pk)
        return found


class _DroppedResponse(Response):
    """Send the headers and part of a body, then fail: the client sees the connection cut."""

    def __init__(self) -> None:
        super().__init__(content=b"", status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"partial": ', "more_body": True})
        raise ConnectionDropped()


def _respond(reply: Reply) -> Response:
    if reply.status == 204 or reply.body is None and reply.status < 300:
        return Response(status_code=reply.status, headers=reply.headers)
    return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)


def create_sandbox_app(spec: APISpecification, **options: Any) -> Starlette:
    """Return the Starlette app of a new `Sandbox` (the sandbox itself is `app.state.sandbox`)."""
    return Sandbox(spec, **options).app
