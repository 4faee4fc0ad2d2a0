"""The guide's REST example replayed against the HTTP API: its request body in, its response shape out.

Changes from the guide: the spec URLs are the example specs served on loopback, the credentials are test
values, `deployment_target` is `process` (the guide's `local` needs Docker and Traefik), every request
carries a bearer token, and `?wait=true` asks for the finished integration the guide's response shows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.integration.api._support import API, make_settings, sync_when_free
from vitesse.api import create_app, create_token
from vitesse.config import Settings


@pytest.fixture(scope="module")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("guide-api"))


@pytest.fixture(scope="module")
def client(api_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def headers(api_settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(api_settings, subject='user@example.com')}"}


def guide_request(guide_hosts) -> dict:
    return {
        "source_api_url": guide_hosts.shopify_spec_url,
        "source_api_name": "Shopify",
        "dest_api_url": guide_hosts.credo_spec_url,
        "dest_api_name": "Credo CRM",
        "user_intent": "Sync customers from Shopify to Credo",
        "deployment_target": "process",
        "source_auth": {"type": "oauth2", "token": "shppa_test_token"},
        "dest_auth": {"type": "api_key", "key": "sk_live_test_key"},
    }


def test_the_guides_create_request_gets_the_guides_response(client, headers, guide_hosts):
    response = client.post(
        f"{API}/integrations", params={"wait": "true"}, headers=headers, json=guide_request(guide_hosts)
    )
    assert response.status_code == 201, response.text
    payload = response.json()
    iid = payload["integration_id"]
    try:
        assert set(payload) == {"status", "integration_id", "integration"} and payload["status"] == "success"
        integration = payload["integration"]
        assert set(integration) == {"id", "name", "status", "health_score"}
        assert (integration["id"], integration["name"], integration["status"]) == (
            iid,
            "Shopify → Credo CRM",
            "active",
        )
        health = integration["health_score"]
        assert set(health) == {"overall_score", "success_rate", "endpoint_coverage", "critical_issues"}
        assert health["overall_score"] >= 70 and isinstance(health["critical_issues"], list)
        assert "shppa_test_token" not in response.text and "sk_live_test_key" not in response.text

        status = client.get(f"{API}/integrations/{iid}", headers=headers)
        assert status.status_code == 200 and status.json()["integration"]["status"] == "active"
        assert status.json()["integration"]["mapping_logic"]["source_endpoint"] == "GET /customers"

        synced = sync_when_free(client, headers, iid)
        assert synced.status_code == 200, synced.text
        assert (synced.json()["status"], synced.json()["integration_id"]) == ("success", iid)
        assert synced.json()["sync"]["run_id"] and "sk_live_test_key" not in synced.text

        system = client.get(f"{API}/status", headers=headers)
        assert system.status_code == 200
    finally:
        deleted = client.delete(f"{API}/integrations/{iid}", headers=headers)
    assert deleted.status_code in (200, 204), deleted.text
