"""deploy_integration with only an id and a target builds the runtime from the stored, proven integration."""

from __future__ import annotations

import httpx

from vitesse.config import Settings
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.context import Context
from vitesse.graph.ingestor import ingest_path
from vitesse.orchestrator import VitesseOrchestrator
from vitesse.persistence import create_engine_from_settings, get_deployment, session_factory
from vitesse.sandbox import start_sandbox
from vitesse.tools.deploy import DeployInput, DeploymentRef, deploy_integration, destroy_deployment


async def test_a_ready_integration_is_deployed_from_what_the_database_holds(tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'v.db'}",
        allow_loopback=True,
        spec_cache=False,
        secret_key="stored-deploy-test-secret",
    )
    ready = await VitesseOrchestrator(settings=settings).create_integration(
        source_api_url=str(SHOP_SPEC),
        source_api_name="Acme Shop",
        dest_api_url=str(CRM_SPEC),
        dest_api_name="Orbit CRM",
        user_intent="Sync Acme Shop customers into Orbit CRM contacts",
        source_auth={"api_key": "shop-key-123"},
        dest_auth={"type": "api_key", "key": "crm-token-456"},
        integration_id="integ_stored",
        run_context=Context(test_count=20),
    )
    assert ready.status.value == "ready"
    engine = create_engine_from_settings(settings)
    sessions = session_factory(engine)
    shop = ingest_path(SHOP_SPEC, settings=settings)
    crm = ingest_path(CRM_SPEC, settings=settings)
    try:
        with start_sandbox(shop, seed=1) as source, start_sandbox(crm, seed=2) as dest:
            request = DeployInput(
                integration_id="integ_stored",
                target="process",
                env={"VITESSE_SOURCE_BASE_URL": source.base_url, "VITESSE_DEST_BASE_URL": dest.base_url},
            )
            info = await deploy_integration(request, settings=settings, sessions=sessions)
            try:
                assert info.state.value == "running" and info.url
                async with httpx.AsyncClient(timeout=60) as client:
                    report = (await client.post(f"{info.url}/sync")).json()
                assert report.get("status") == "completed" or "already running" in str(report)
                async with sessions() as session:
                    row = await get_deployment(session=session, integration_id="integ_stored", tenant=None)
                assert row is not None and row.url == info.url
                config_text = (settings.data_dir / "deployments" / "integ_stored" / "runtime-config.json").read_text()
                assert "crm-token-456" not in config_text and "shop-key-123" not in config_text
            finally:
                await destroy_deployment(DeploymentRef(integration_id="integ_stored"), settings=settings)
    finally:
        await engine.dispose()
