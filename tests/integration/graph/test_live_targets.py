"""Shadow calls reach a live API only when the user gives its base URL; stored credentials go with them."""

from __future__ import annotations

from pathlib import Path

from vitesse.config import Settings
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.context import Context
from vitesse.graph.ingestor import ingest_path
from vitesse.orchestrator import VitesseOrchestrator
from vitesse.sandbox import Sandbox, start_sandbox
from vitesse.schemas import IntegrationStatus


def settings_for(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'v.db'}",
        allow_loopback=True,
        spec_cache=False,
        secret_key="live-target-test-secret",
    )


async def create(tmp_path: Path, base_url: str, key: str, iid: str):
    return await VitesseOrchestrator(settings=settings_for(tmp_path)).create_integration(
        source_api_url=str(SHOP_SPEC),
        source_api_name="Acme Shop",
        dest_api_url=str(CRM_SPEC),
        dest_api_name="Orbit CRM",
        user_intent="Sync Acme Shop customers into Orbit CRM contacts",
        dest_base_url=base_url,
        dest_auth={"type": "api_key", "key": key},
        allow_live_writes=True,
        integration_id=iid,
        run_context=Context(test_count=20, max_heal_attempts=0),
    )


async def test_live_destination_writes_carry_the_stored_credentials(tmp_path):
    crm = ingest_path(CRM_SPEC, settings=Settings(spec_cache=False))
    with start_sandbox(Sandbox(crm, seed=5, tokens={"crm-live-secret"})) as live:
        good = await create(tmp_path, live.base_url, "crm-live-secret", "integ_live_ok")
        assert good.status == IntegrationStatus.READY
        assert good.health_score.against == "live" and good.health_score.overall_score >= 70
        bad = await create(tmp_path, live.base_url, "wrong-token", "integ_live_bad")
    assert bad.status == IntegrationStatus.REVIEW
    issues = " ".join(bad.health_score.critical_issues)
    assert "401" in issues or "403" in issues
    assert "wrong-token" not in issues and "crm-live-secret" not in issues
