"""A deployed integration (process target, example sandboxes on loopback): sync, runtime logs, delete destroys it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from tests.integration.api._support import API, bearer, body, make_settings, sync_when_free
from vitesse.api import create_app, create_token
from vitesse.examples import CRM_SPEC, SHOP_SPEC

SHOP_KEY = "shop-key-7f3a9c1e55"
CRM_TOKEN = "crm-token-2b8d4e6f77"


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[tuple[str, str]]:
    from vitesse.graph.ingestor import ingest_path
    from vitesse.sandbox import start_sandbox

    with start_sandbox(ingest_path(SHOP_SPEC), seed=7) as shop, start_sandbox(ingest_path(CRM_SPEC), seed=8) as crm:
        yield shop.base_url, crm.base_url


# The deploy step's ProcessDeployer is dropped while its runtime runs on (by design, the state file finds it
# again); Popen.__del__ then warns "subprocess … is still running".
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_deployed_integration_syncs_on_demand_logs_without_secrets_and_is_destroyed_on_delete(tmp_path, sandboxes):
    shop_url, crm_url = sandboxes
    settings = make_settings(tmp_path)
    acme = bearer(create_token(settings, subject="ana", tenant="acme"))
    deployment = {
        "schedule_interval_s": None,
        "env": {"VITESSE_SOURCE_BASE_URL": shop_url, "VITESSE_DEST_BASE_URL": crm_url},
    }
    request = body(
        deployment_target="process",
        deployment=deployment,
        source_auth={"api_key": SHOP_KEY},
        dest_auth={"token": CRM_TOKEN},
    )
    with TestClient(create_app(settings)) as client:
        created = client.post(f"{API}/integrations", params={"wait": "true"}, headers=acme, json=request)
        assert created.status_code == 201 and created.json()["integration"]["status"] == "active", created.text
        iid = created.json()["integration_id"]
        detail = client.get(f"{API}/integrations/{iid}", headers=acme).json()["integration"]
        runtime_url = detail["deployment_url"]
        assert runtime_url.startswith("http://127.0.0.1:")

        sync = sync_when_free(client, acme, iid)
        assert sync.status_code == 200, sync.text
        report = sync.json()["sync"]
        assert sync.json()["integration_id"] == iid
        assert report["status"] == "completed" and report["read"] >= 1 and report["failed"] == 0

        logs = client.get(f"{API}/integrations/{iid}/logs", params={"lines": 200}, headers=acme)
        assert logs.status_code == 200 and logs.json()["runtime"]
        events = client.get(f"{API}/integrations/{iid}/events", headers=acme).text
        assert "event: deployed" in events
        for text in (created.text, str(detail), sync.text, logs.text, events):
            assert SHOP_KEY not in text and CRM_TOKEN not in text

        deleted = client.delete(f"{API}/integrations/{iid}", headers=acme)
        assert deleted.status_code == 200 and deleted.json()["deployment_destroyed"] is True
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{runtime_url}/healthz", timeout=2)
