"""The REST endpoints through the real app (lifespan, SQLite, checkpointer, graph) with Starlette's TestClient."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.integration.api._support import API, PAUSING, SECRET, body, make_settings
from vitesse.api import create_app

SETTLED = ("ready", "active", "failed", "review")


async def resolver(host: str, port: int) -> list[str]:
    """No DNS in tests: a few names resolve to fixed addresses, every other name does not resolve."""
    table = {"localhost": ["127.0.0.1"], "intranet.example": ["10.1.2.3"], "public.example": ["93.184.215.14"]}
    if host in table:
        return table[host]
    raise OSError(f"{host} does not resolve")


@pytest.fixture(scope="module")
def client(api_settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings, resolver=resolver)) as test_client:
        yield test_client


def create(client: TestClient, headers: dict[str, str], *, wait: bool = True, **overrides: Any) -> dict[str, Any]:
    response = client.post(
        f"{API}/integrations", params={"wait": str(wait).lower()}, headers=headers, json=body(**overrides)
    )
    assert response.status_code == 201, response.text
    return response.json()


def settle(client: TestClient, headers: dict[str, str], iid: str) -> dict[str, Any]:
    """Poll until the integration's run is no longer running (bounded)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        integration = client.get(f"{API}/integrations/{iid}", headers=headers).json()["integration"]
        if integration["run"]["state"] != "running":
            return integration
        time.sleep(0.1)
    raise AssertionError(f"{iid} did not settle")


def test_create_answers_in_the_guides_shape_and_the_run_ends_ready(client, acme):
    response = client.post(f"{API}/integrations", params={"wait": "true"}, headers=acme, json=body())
    assert response.status_code == 201
    payload = response.json()
    assert set(payload) == {"status", "integration_id", "integration"}
    assert payload["status"] == "success"
    integration = payload["integration"]
    assert set(integration) == {"id", "name", "status", "health_score"}
    assert integration["id"] == payload["integration_id"]
    assert integration["name"] == "Acme Shop → Orbit CRM"
    assert integration["status"] == "ready"
    health = integration["health_score"]
    assert set(health) == {"overall_score", "success_rate", "endpoint_coverage", "critical_issues"}
    assert health["overall_score"] >= 70
    assert response.headers["location"] == f"{API}/integrations/{payload['integration_id']}"


def test_create_without_wait_answers_before_the_run_ends(client, acme):
    payload = create(client, acme, wait=False)
    assert payload["integration"]["status"] == "initializing"
    assert payload["integration"]["health_score"] is None
    final = settle(client, acme, payload["integration_id"])
    assert final["status"] == "ready" and final["run"]["state"] == "finished"
    assert final["run"]["last_event_id"] >= 5


def test_a_chosen_id_is_used_and_a_taken_one_is_refused(client, acme):
    first = create(client, acme, integration_id="acme-shop-crm")
    assert first["integration_id"] == "acme-shop-crm"
    again = client.post(f"{API}/integrations", headers=acme, json=body(integration_id="acme-shop-crm"))
    assert again.status_code == 409 and again.json()["error"] == "conflict"


def test_get_shows_the_run_mapping_and_credential_names_but_never_a_secret(client, acme):
    iid = create(client, acme, source_auth={"api_key": SECRET}, dest_auth={"token": "short"})["integration_id"]
    response = client.get(f"{API}/integrations/{iid}", headers=acme)
    assert response.status_code == 200
    integration = response.json()["integration"]
    assert integration["credentials"] == {"source_auth": {"api_key": "sk****"}, "dest_auth": {"token": "****"}}
    assert integration["mapping_logic"]["dest_endpoint"] == "POST /contacts"
    assert integration["health_score"]["total_tests"] >= 20
    assert integration["run"] == {
        "state": "finished",
        "last_event_id": integration["run"]["last_event_id"],
        "events_url": f"{API}/integrations/{iid}/events",
    }
    assert integration["created_by"] == "ana"
    assert SECRET not in response.text


def test_list_filters_by_status_pages_and_sees_only_the_callers_tenant(client, acme, globex):
    mine = {create(client, globex)["integration_id"] for _ in range(2)}
    failed = client.post(
        f"{API}/integrations",
        params={"wait": "true"},
        headers=globex,
        json=body(dest_api_url="http://127.0.0.1:1/x.json"),
    )
    mine.add(failed.json()["integration_id"])
    everything = client.get(f"{API}/integrations", headers=globex).json()
    assert {i["id"] for i in everything["items"]} == mine and everything["total"] == 3
    ready = client.get(f"{API}/integrations", params={"status": "ready"}, headers=globex).json()
    assert len(ready["items"]) == 2 and {i["status"] for i in ready["items"]} == {"ready"}
    page = client.get(f"{API}/integrations", params={"limit": 2, "offset": 2}, headers=globex).json()
    assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (1, 3, 2, 2)
    acme_ids = {
        i["id"] for i in client.get(f"{API}/integrations", params={"limit": 1000}, headers=acme).json()["items"]
    }
    assert not acme_ids & mine


@pytest.mark.parametrize(
    ("method", "suffix", "json"),
    [
        ("GET", "", None),
        ("PUT", "", {"user_intent": "take it"}),
        ("DELETE", "", None),
        ("POST", "/review", {"action": "approve"}),
        ("POST", "/sync", None),
        ("GET", "/test-results", None),
        ("GET", "/logs", None),
        ("GET", "/events", None),
    ],
)
def test_another_tenants_integration_is_not_found(client, acme, globex, method, suffix, json):
    iid = tenancy_target(client, acme)
    response = client.request(method, f"{API}/integrations/{iid}{suffix}", headers=globex, json=json)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert client.get(f"{API}/integrations/{iid}", headers=acme).status_code == 200


_TARGET: dict[str, str] = {}


def tenancy_target(client: TestClient, headers: dict[str, str]) -> str:
    if "iid" not in _TARGET:
        _TARGET["iid"] = create(client, headers)["integration_id"]
    return _TARGET["iid"]


def test_a_failing_spec_url_fails_the_run_with_an_error_event_and_no_secret_anywhere(client, acme, caplog):
    caplog.set_level("INFO")
    url = f"http://127.0.0.1:1/openapi.json?q={SECRET}"
    created = create(client, acme, source_api_url=url, source_auth={"token": SECRET})
    assert created["integration"]["status"] == "failed"
    iid = created["integration_id"]
    detail = client.get(f"{API}/integrations/{iid}", headers=acme)
    integration = detail.json()["integration"]
    assert "source API" in integration["error"] and integration["run"]["state"] == "finished"
    events = client.get(f"{API}/integrations/{iid}/events", headers=acme)
    assert events.status_code == 200 and events.headers["content-type"].startswith("text/event-stream")
    names = [line.split(": ", 1)[1] for line in events.text.splitlines() if line.startswith("event: ")]
    assert names[-2:] == ["error", "done"]
    assert '"status":"failed"' in events.text
    logs = client.get(f"{API}/integrations/{iid}/logs", headers=acme)
    for text in (detail.text, events.text, logs.text, caplog.text):
        assert SECRET not in text
    assert "****" in events.text  # the URL's query value was masked, not dropped


def test_deleting_removes_the_integration_its_events_and_checkpoints(client, acme):
    iid = create(client, acme)["integration_id"]
    response = client.delete(f"{API}/integrations/{iid}", headers=acme)
    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "integration_id": iid,
        "deleted": True,
        "deployment_destroyed": False,
    }
    assert client.get(f"{API}/integrations/{iid}", headers=acme).status_code == 404
    assert client.get(f"{API}/integrations/{iid}/events", headers=acme).status_code == 404
    assert client.delete(f"{API}/integrations/{iid}", headers=acme).status_code == 404


def test_test_results_are_paged_in_run_order(client, acme):
    iid = create(client, acme)["integration_id"]
    first = client.get(f"{API}/integrations/{iid}/test-results", params={"limit": 5}, headers=acme).json()
    rest = client.get(
        f"{API}/integrations/{iid}/test-results", params={"offset": 5, "limit": 1000}, headers=acme
    ).json()
    assert first["total"] == rest["total"] >= 20
    assert len(first["items"]) == 5 and len(rest["items"]) == first["total"] - 5
    assert first["items"][0]["method"] == "GET" and first["items"][0]["endpoint"] == "/customers"
    assert {r["method"] for r in rest["items"]} >= {"POST"}


def test_logs_hold_the_audit_trail_and_no_runtime_before_a_deployment(client, acme):
    iid = create(client, acme)["integration_id"]
    logs = client.get(f"{API}/integrations/{iid}/logs", headers=acme).json()
    assert logs["runtime"] is None
    actions = [entry["action"] for entry in logs["audit"]]
    assert actions[0] == "created" and "tested" in actions
    assert logs["audit"][0]["actor"] == "ana"


def test_sync_before_a_deployment_is_a_conflict(client, acme):
    iid = create(client, acme)["integration_id"]
    response = client.post(f"{API}/integrations/{iid}/sync", headers=acme)
    assert response.status_code == 409 and "not deployed" in response.json()["message"]


def test_review_approve_edit_and_abort_resume_a_paused_run(client, acme):
    paused = [create(client, acme, settings=PAUSING)["integration_id"] for _ in range(3)]
    detail = client.get(f"{API}/integrations/{paused[0]}", headers=acme).json()["integration"]
    assert detail["status"] == "review" and detail["run"]["state"] == "paused"
    assert "below the pass score" in detail["review"]["reason"] and detail["review"]["critical_issues"]
    mapping = detail["mapping_logic"]

    approve = client.post(f"{API}/integrations/{paused[0]}/review", headers=acme, json={"action": "approve"})
    assert approve.status_code == 202 and approve.json()["action"] == "approve"
    edit = client.post(
        f"{API}/integrations/{paused[1]}/review", headers=acme, json={"action": "edit", "mapping": mapping}
    )
    assert edit.status_code == 202
    abort = client.post(
        f"{API}/integrations/{paused[2]}/review", headers=acme, json={"action": "abort", "reason": "wrong CRM"}
    )
    assert abort.status_code == 202

    approved, edited, aborted = (settle(client, acme, iid) for iid in paused)
    assert approved["status"] == "ready"
    assert (
        edited["mapping_logic"]["produced_by"] == "human"
        and edited["mapping_logic"]["version"] == mapping["version"] + 1
    )
    assert edited["status"] == "review"  # the same naive mapping fails its proof again
    assert aborted["status"] == "failed" and aborted["error"] == "wrong CRM"
    audit = client.get(f"{API}/integrations/{paused[2]}/logs", headers=acme).json()["audit"]
    assert any(a["action"] == "reviewed" and a["details"]["action"] == "abort" for a in audit)


def test_review_of_a_run_that_is_not_paused_is_a_conflict(client, acme):
    iid = create(client, acme)["integration_id"]
    response = client.post(f"{API}/integrations/{iid}/review", headers=acme, json={"action": "approve"})
    assert response.status_code == 409 and "not waiting for a review" in response.json()["message"]


def test_put_reruns_only_what_each_change_needs(client, acme):
    iid = create(client, acme, source_auth={"api_key": "old-key-123"})["integration_id"]
    first = client.get(f"{API}/integrations/{iid}", headers=acme).json()["integration"]

    creds = client.put(f"{API}/integrations/{iid}", headers=acme, json={"source_auth": {"api_key": "new-key-456789"}})
    assert creds.status_code == 200 and creds.json()["rerun"] is None and creds.json()["changed"] == ["source_auth"]
    shown = client.get(f"{API}/integrations/{iid}", headers=acme).json()["integration"]
    assert shown["credentials"]["source_auth"] == {"api_key": "ne****"}
    assert shown["run"]["last_event_id"] == first["run"]["last_event_id"]

    intent = client.put(
        f"{API}/integrations/{iid}", headers=acme, json={"user_intent": "Copy shop customers to CRM contacts"}
    )
    assert intent.status_code == 202 and intent.json()["rerun"] == "map"
    after_intent = settle(client, acme, iid)
    assert after_intent["user_intent"] == "Copy shop customers to CRM contacts" and after_intent["status"] == "ready"

    mapping = dict(after_intent["mapping_logic"], transformations=after_intent["mapping_logic"]["transformations"][:3])
    edited = client.put(f"{API}/integrations/{iid}", headers=acme, json={"mapping": mapping})
    assert edited.status_code == 202 and edited.json()["rerun"] == "guardian"
    after_mapping = settle(client, acme, iid)
    assert after_mapping["mapping_logic"]["produced_by"] == "human"
    assert len(after_mapping["mapping_logic"]["transformations"]) == 3
    assert after_mapping["mapping_logic"]["version"] > after_intent["mapping_logic"]["version"]
    assert after_mapping["health_score"]["timestamp"] != after_intent["health_score"]["timestamp"]


def test_put_after_a_failed_run_starts_again_from_the_beginning(client, acme):
    created = create(client, acme, dest_endpoint="POST /no-such-endpoint")
    iid = created["integration_id"]
    assert created["integration"]["status"] == "failed"
    fixed = client.put(f"{API}/integrations/{iid}", headers=acme, json={"dest_endpoint": "POST /contacts"})
    assert fixed.status_code == 202 and fixed.json()["rerun"] == "full"
    final = settle(client, acme, iid)
    assert final["status"] == "ready" and final["error"] is None


def test_put_deployment_of_a_mapping_that_did_not_pass_is_a_conflict(client, acme):
    iid = create(client, acme, settings=PAUSING)["integration_id"]
    response = client.put(f"{API}/integrations/{iid}", headers=acme, json={"deployment_target": "process"})
    assert response.status_code == 409 and "review" in response.json()["message"]


def test_put_during_a_run_is_a_conflict(client, acme):
    iid = create(client, acme, wait=False)["integration_id"]
    response = client.put(f"{API}/integrations/{iid}", headers=acme, json={"user_intent": "anything else"})
    assert response.status_code == 409 and "in progress" in response.json()["message"]
    settle(client, acme, iid)


def test_status_and_metrics_need_a_token(client, acme):
    assert client.get(f"{API}/status").status_code == 401
    assert client.get("/metrics").status_code == 401
    status = client.get(f"{API}/status", headers=acme).json()
    assert status["status"] == "ok" and status["version"]
    assert status["database"] == {"ok": True, "backend": "sqlite", "detail": status["database"]["detail"]}
    assert status["checkpointer"]["ok"] is True
    assert {d["name"] for d in status["deployers"]} >= {"process", "local", "eks", "ecs"}
    assert status["runs_in_flight"] >= 0 and status["mcp"] is True
    metrics = client.get("/metrics", headers=acme).text
    assert (
        "vitesse_runs_started_total" in metrics and 'vitesse_http_requests_total{method="GET",status="401"}' in metrics
    )


def test_a_setting_makes_status_and_metrics_public(tmp_path):
    with TestClient(create_app(make_settings(tmp_path, public_status=True))) as public:
        assert public.get(f"{API}/status").status_code == 200
        assert public.get("/metrics").status_code == 200
        assert public.get(f"{API}/integrations").status_code == 401


def test_healthz_and_the_openapi_document_are_public(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"] == "3.1.0" and f"{API}/integrations" in document["paths"]


def test_unknown_routes_and_methods_answer_json(client, acme):
    missing = client.get("/nowhere", headers=acme)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = client.patch(f"{API}/integrations", headers=acme)
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
