"""In-memory stand-ins for the example shop (source) and CRM (destination), served through httpx.MockTransport.

They follow the example specs closely enough for the runtime: the shop pages customers with
`limit`/`starting_after`/`has_more`/`next_cursor` and filters by `updated_since`; the CRM stores
contacts, refuses a second `external_ref` with 409, validates `primary_email` with 422 and finds a
contact by `?external_ref=`. Faults are scripted per request number.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

SHOP = "https://api.acmeshop.example/v1"
CRM = "https://api.orbitcrm.example/api/v2"
SHOP_KEY = "shop-secret-key-123456"
CRM_TOKEN = "crm-token-abcdef-987654"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def customer(i: int, *, minutes: int | None = None, **changes: Any) -> dict[str, Any]:
    record = {
        "id": f"cus_{i:05d}",
        "first_name": f"First{i}",
        "last_name": f"Last{i}",
        "email": f"user{i}@example.com",
        "phone": "+1 (415) 555-0100",
        "status": "active",
        "company": None,
        "accepts_marketing": i % 2 == 0,
        "tags": ["vip"] if i % 3 == 0 else [],
        "billing_address": None,
        "updated_at": (T0 + timedelta(minutes=i if minutes is None else minutes)).isoformat().replace("+00:00", "Z"),
    }
    record.update(changes)
    return record


Fault = Callable[[httpx.Request], httpx.Response | None]


@dataclass
class FakeShop:
    customers: list[dict[str, Any]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    faults: dict[int, Fault] = field(default_factory=dict)
    newest_first: bool = True

    def handle(self, request: httpx.Request) -> httpx.Response:
        number = len(self.requests)
        self.requests.append(request)
        if request.headers.get("X-API-Key") != SHOP_KEY:
            return httpx.Response(401, json={"error": {"type": "auth", "message": "bad key"}})
        if number in self.faults:
            answer = self.faults[number](request)
            if answer is not None:
                return answer
        return self._list(request)

    def _list(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        limit = min(int(params.get("limit", "20")), 100)
        rows = sorted(self.customers, key=lambda c: c["id"], reverse=self.newest_first)
        if "updated_since" in params:
            since = datetime.fromisoformat(params["updated_since"])
            rows = [c for c in rows if datetime.fromisoformat(c["updated_at"]) >= since]
        after = params.get("starting_after")
        if after:
            ids = [c["id"] for c in rows]
            rows = rows[ids.index(after) + 1 :] if after in ids else []
        page = rows[:limit]
        more = len(rows) > limit
        body = {"object": "list", "data": page, "has_more": more, "next_cursor": page[-1]["id"] if more else None}
        return httpx.Response(200, json=body)


@dataclass
class FakeCRM:
    contacts: list[dict[str, Any]] = field(default_factory=list)
    posts: int = 0
    requests: list[httpx.Request] = field(default_factory=list)
    faults: dict[int, Fault] = field(default_factory=dict)
    """Faults by the number of the POST (0-based); a fault may store the contact first (see `commit_then`)."""
    unique_refs: bool = True

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("Authorization") != f"Bearer {CRM_TOKEN}":
            return httpx.Response(401, json={"message": "unauthenticated"})
        if request.method == "GET":
            ref = request.url.params.get("external_ref")
            found = [c for c in self.contacts if ref is None or c.get("external_ref") == ref]
            return httpx.Response(200, json={"results": found, "meta": {"total": len(found)}})
        number = self.posts
        self.posts += 1
        if number in self.faults:
            answer = self.faults[number](request)
            if answer is not None:
                return answer
        return self.create(request)

    def create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if not body.get("primary_email"):
            errors = [{"field": "primary_email", "code": "required", "message": "required"}]
            return httpx.Response(422, json={"message": "invalid", "errors": errors})
        ref = body.get("external_ref")
        if self.unique_refs and ref in {c.get("external_ref") for c in self.contacts}:
            return httpx.Response(409, json={"message": "exists"})
        stored = {"id": len(self.contacts) + 1, **body}
        self.contacts.append(stored)
        return httpx.Response(201, json=stored)

    def refs(self) -> list[str]:
        return [c["external_ref"] for c in self.contacts]

    def commit_then(self, exc: type[httpx.TransportError]) -> Fault:
        """A fault that stores the contact, then loses the answer (an ambiguous failure)."""

        def fault(request: httpx.Request) -> httpx.Response:
            self.create(request)
            raise exc("connection lost after the write", request=request)

        return fault


def status(code: int, **headers: str) -> Fault:
    return lambda request: httpx.Response(code, headers=headers, json={"message": f"fault {code}"})


def raise_(exc: type[httpx.TransportError]) -> Fault:
    def fault(request: httpx.Request) -> httpx.Response:
        raise exc("injected", request=request)

    return fault


@dataclass
class Router:
    shop: FakeShop
    crm: FakeCRM

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url.startswith(SHOP):
            return self.shop.handle(request)
        if url.startswith(CRM):
            return self.crm.handle(request)
        return httpx.Response(404)
