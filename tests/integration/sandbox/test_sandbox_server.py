"""The sandbox as a real server on 127.0.0.1: two at once, restart with state kept, dropped connections."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from vitesse.errors import ConfigError
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.sandbox import FaultPlan, Sandbox, start_sandbox

TOKEN = {"Authorization": "Bearer t"}
CONTACT = {"given_name": "Ana", "family_name": "Ruiz", "primary_email": "ana@example.com", "external_ref": "cus_1"}


def test_two_sandboxes_serve_at_once_on_free_ports():
    with start_sandbox(ingest_path(SHOP_SPEC), seed=1) as shop, start_sandbox(ingest_path(CRM_SPEC), seed=1) as crm:
        assert shop.base_url != crm.base_url and shop.base_url.startswith("http://127.0.0.1:")
        customers = httpx.get(f"{shop.base_url}/customers", headers={"X-API-Key": "k"}, timeout=5)
        contacts = httpx.get(f"{crm.base_url}/contacts", headers=TOKEN, timeout=5)
    assert customers.status_code == 200 and customers.json()["object"] == "list"
    assert contacts.status_code == 200 and contacts.json()["meta"]["total"] == 25


def test_a_stopped_sandbox_restarts_on_its_port_with_its_state():
    sandbox = Sandbox(ingest_path(CRM_SPEC), seed=2)
    server = start_sandbox(sandbox)
    created = httpx.post(f"{server.base_url}/contacts", json=CONTACT, headers=TOKEN, timeout=5).json()
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/contacts", headers=TOKEN, timeout=2)
    server.start()
    try:
        again = httpx.get(f"{server.base_url}/contacts/{created['id']}", headers=TOKEN, timeout=5)
        counts = httpx.get(f"{server.base_url}/__sandbox/records", timeout=5).json()
    finally:
        server.stop()
    assert again.status_code == 200 and again.json() == created
    assert counts["collections"]["/contacts"]["created"] == 1


def test_a_taken_port_is_a_config_error():
    with start_sandbox(ingest_path(CRM_SPEC)) as first:
        with pytest.raises(ConfigError, match="cannot listen"):
            start_sandbox(ingest_path(CRM_SPEC), port=first.port)


async def test_dropped_connections_and_timeouts_are_transport_errors_over_a_real_socket():
    sandbox = Sandbox(ingest_path(CRM_SPEC), seed=3, faults=FaultPlan(drop_rate=1.0))
    with start_sandbox(sandbox) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as client:
            with pytest.raises(httpx.TransportError):
                await client.get("/contacts", headers=TOKEN)
            sandbox.set_faults(FaultPlan(timeout_rate=1.0, timeout_s=3))
            with pytest.raises(httpx.ReadTimeout):
                await client.get("/contacts", headers=TOKEN, timeout=0.2)
            sandbox.set_faults(None)
            assert (await client.get("/contacts", headers=TOKEN)).status_code == 200


async def test_concurrent_requests_see_the_plans_outcomes():
    plan = FaultPlan(error_rate=0.3)
    with start_sandbox(ingest_path(CRM_SPEC), seed=4, faults=plan) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as client:
            responses = await asyncio.gather(*(client.get("/contacts", headers=TOKEN) for _ in range(40)))
            stats = (await client.get("/__sandbox/stats")).json()["counts"]
    errors = sum(r.status_code >= 500 for r in responses)
    assert errors == plan.expected(40, 4)["server_error"], "arrival order changes who fails, not how many"
    assert stats.get("fault:server_error", 0) == errors and stats["status:200"] == 40 - errors
