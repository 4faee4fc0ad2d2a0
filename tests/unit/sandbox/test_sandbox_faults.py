"""Fault plans: validated, deterministic per seed, observed as planned, changeable while the sandbox runs."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from vitesse.errors import ConfigError
from vitesse.examples import CRM_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.sandbox import ConnectionDropped, FaultPlan, Outcome, Sandbox, parse_fault_flags, sandbox_client
from vitesse.schemas import APISpecification

TOKEN = {"Authorization": "Bearer t"}


@pytest.fixture(scope="module")
def crm() -> APISpecification:
    return ingest_path(CRM_SPEC)


def _outcome(response: httpx.Response) -> Outcome:
    if response.status_code == 429:
        return Outcome.RATE_LIMITED
    if response.status_code >= 500:
        return Outcome.SERVER_ERROR
    return Outcome.OK


def test_a_plan_decides_the_same_way_for_the_same_seed_and_index():
    plan = FaultPlan(error_rate=0.2, rate_limit_rate=0.1, drop_rate=0.05, timeout_rate=0.05)
    assert [plan.decide(i, 7) for i in range(200)] == [plan.decide(i, 7) for i in range(200)]
    assert [plan.decide(i, 7).outcome for i in range(200)] != [plan.decide(i, 8).outcome for i in range(200)]
    counts = plan.expected(2000, 7)
    assert abs(counts[Outcome.SERVER_ERROR] / 2000 - 0.2) < 0.03
    assert abs(counts[Outcome.RATE_LIMITED] / 2000 - 0.1) < 0.02
    assert sum(counts.values()) == 2000


def test_bad_plans_are_refused_with_a_reason():
    with pytest.raises(ConfigError, match="at most 1"):
        FaultPlan(error_rate=0.7, rate_limit_rate=0.5)
    with pytest.raises(ConfigError, match="4xx or 5xx"):
        FaultPlan(error_statuses=[200])
    with pytest.raises(ConfigError, match="unknown fault"):
        parse_fault_flags(["explode=1"])


def test_fault_flags_parse_into_a_plan():
    plan = parse_fault_flags(["latency=20..200", "429=0.1", "error_statuses=500,503", "methods=POST", "retry_after=3"])
    assert (plan.latency_ms, plan.latency_jitter_ms, plan.latency_distribution) == (110.0, 90.0, "uniform")
    assert plan.rate_limit_rate == 0.1 and plan.error_statuses == [500, 503] and plan.retry_after_s == 3
    assert plan.applies("POST", "/contacts") and not plan.applies("GET", "/contacts")
    assert parse_fault_flags([]) == FaultPlan()


async def test_error_rate_over_n_requests_matches_the_seeds_plan(crm):
    plan = FaultPlan(error_rate=0.25, rate_limit_rate=0.1, retry_after_s=2)
    sandbox = Sandbox(crm, seed=9, faults=plan)
    seen: Counter[Outcome] = Counter()
    async with sandbox_client(sandbox) as client:
        for _ in range(120):
            response = await client.get("/contacts", headers=TOKEN)
            seen[_outcome(response)] += 1
            if response.status_code == 429:
                assert response.headers["retry-after"] == "2"
                assert response.json()["message"], "the API's own error shape (CRM: message, code)"
    assert seen == plan.expected(120, 9)
    assert 15 <= seen[Outcome.SERVER_ERROR] <= 45 and seen[Outcome.RATE_LIMITED] > 3


async def test_fail_first_then_succeed_and_admin_routes_are_never_faulted(crm):
    sandbox = Sandbox(crm, seed=1, faults=FaultPlan(fail_first=3, fail_first_status=429))
    async with sandbox_client(sandbox) as client:
        statuses = [(await client.get("/contacts", headers=TOKEN)).status_code for _ in range(5)]
        admin = await client.get("/__sandbox/stats")
    assert statuses == [429, 429, 429, 200, 200]
    assert admin.status_code == 200
    assert admin.json()["counts"]["fault:rate_limited"] == 3 and admin.json()["counts"]["status:200"] == 2


async def test_faults_change_at_run_time_through_the_admin_route(crm):
    sandbox = Sandbox(crm, seed=1)
    async with sandbox_client(sandbox) as client:
        assert (await client.get("/contacts", headers=TOKEN)).status_code == 200
        set_plan = await client.put("/__sandbox/faults", json={"error_rate": 1.0, "error_statuses": [503]})
        assert set_plan.status_code == 200 and set_plan.json()["error_rate"] == 1.0
        assert (await client.get("/contacts", headers=TOKEN)).status_code == 503
        assert (await client.put("/__sandbox/faults", json={"error_rate": 3})).status_code == 422
        assert (await client.delete("/__sandbox/faults")).json()["error_rate"] == 0.0
        assert (await client.get("/contacts", headers=TOKEN)).status_code == 200
    assert sandbox.faults == FaultPlan()


async def test_faults_can_be_scoped_to_methods_and_paths(crm):
    plan = FaultPlan(error_rate=1.0, methods=["POST"], paths=["/contacts*"])
    body = {"given_name": "A", "family_name": "B", "primary_email": "a@example.com"}
    async with sandbox_client(Sandbox(crm, faults=plan)) as client:
        assert (await client.get("/contacts", headers=TOKEN)).status_code == 200
        assert (await client.post("/companies", json={"name": "X"}, headers=TOKEN)).status_code == 201
        assert (await client.post("/contacts", json=body, headers=TOKEN)).status_code >= 500


async def test_in_process_timeouts_and_drops_surface_as_httpx_transport_errors(crm):
    sandbox = Sandbox(crm, seed=1, faults=FaultPlan(timeout_rate=1.0, timeout_s=5))
    async with sandbox_client(sandbox, timeout=0.05) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/contacts", headers=TOKEN)
    sandbox.set_faults(FaultPlan(drop_rate=1.0))
    async with sandbox_client(sandbox) as client:
        with pytest.raises(httpx.TransportError) as caught:
            await client.get("/contacts", headers=TOKEN)
    assert isinstance(caught.value, ConnectionDropped)


async def test_latency_is_added_as_planned(crm):
    plan = FaultPlan(latency_ms=30, latency_distribution="fixed")
    assert all(plan.decide(i, 1).latency_s == 0.03 for i in range(20))
    normal = FaultPlan(latency_ms=100, latency_jitter_ms=20, latency_distribution="normal")
    draws = [normal.decide(i, 1).latency_s for i in range(500)]
    assert 0.09 < sum(draws) / len(draws) < 0.11 and min(draws) >= 0
