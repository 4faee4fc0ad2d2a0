"""The facade runs the checkpointed graph on both databases: rows, audit trail, review, resume, drift."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.context import Context
from vitesse.orchestrator import VitesseOrchestrator
from vitesse.persistence import (
    AuditLog,
    create_engine_from_settings,
    credential_key,
    get_integration,
    list_test_results,
    load_credentials,
    session_factory,
)
from vitesse.schemas import IntegrationStatus

INTENT = "Sync Acme Shop customers into Orbit CRM contacts"


def create_kwargs(**extra):
    return {
        "source_api_url": str(SHOP_SPEC),
        "source_api_name": "Acme Shop",
        "dest_api_url": str(CRM_SPEC),
        "dest_api_name": "Orbit CRM",
        "user_intent": INTENT,
        **extra,
    }


async def audit_actions(settings, iid):
    engine = create_engine_from_settings(settings)
    try:
        async with session_factory(engine)() as session:
            rows = (await session.execute(select(AuditLog).where(AuditLog.integration_id == iid))).scalars().all()
            return [str(r.action) for r in sorted(rows, key=lambda r: r.id)]
    finally:
        await engine.dispose()


async def test_a_healed_integration_is_recorded_with_its_proofs_and_audit_trail(db_settings):
    orchestrator = VitesseOrchestrator(settings=db_settings)
    events = []
    instance = await orchestrator.create_integration(
        **create_kwargs(integration_id="integ_heal", created_by="alice", source_auth={"api_key": "sk_live_SHOPSECRET"}),
        run_context=Context(test_count=20, naive_first_mapping=True),
        on_event=events.append,
    )
    assert instance.status == IntegrationStatus.READY
    assert instance.health_score.overall_score >= 70
    assert [e["event"] for e in events].count("heal") == 1
    assert all("SHOPSECRET" not in repr(e) for e in events)
    engine = create_engine_from_settings(db_settings)
    try:
        async with session_factory(engine)() as session:
            row = await get_integration(session=session, integration_id="integ_heal", tenant="default")
            assert row is not None and row.status == IntegrationStatus.READY and row.created_by == "alice"
            results = await list_test_results(session=session, integration_id="integ_heal", tenant="default")
            assert results.total >= 40, "two proofs of at least 20 calls each"
            stored = await load_credentials(
                session=session, integration_id="integ_heal", tenant=None, key=credential_key(db_settings)
            )
            assert stored.source_auth == {"api_key": "sk_live_SHOPSECRET"}
    finally:
        await engine.dispose()
    actions = await audit_actions(db_settings, "integ_heal")
    assert actions[0] == "created"
    assert {"tested", "healed"} <= set(actions)


async def test_a_run_paused_for_review_is_resumed_through_the_facade(db_settings):
    orchestrator = VitesseOrchestrator(settings=db_settings)
    context = Context(test_count=20, naive_first_mapping=True, max_heal_attempts=0)
    paused = await orchestrator.create_integration(**create_kwargs(integration_id="integ_rev"), run_context=context)
    assert paused.status == IntegrationStatus.REVIEW
    done = await orchestrator.review_integration(
        "integ_rev", action="abort", reason="not today", run_context=Context(test_count=20)
    )
    assert done.status == IntegrationStatus.FAILED and done.error == "not today"
    assert "failed" in await audit_actions(db_settings, "integ_rev")


async def test_schema_drift_is_detected_and_a_changed_api_is_remapped(tmp_path, db_settings):
    shop = tmp_path / "shop.yaml"
    shutil.copy(SHOP_SPEC, shop)
    orchestrator = VitesseOrchestrator(settings=db_settings)
    first = await orchestrator.create_integration(
        **create_kwargs(integration_id="integ_drift", source_api_url=str(shop)), run_context=Context(test_count=20)
    )
    assert first.status == IntegrationStatus.READY
    report, same = await orchestrator.recheck_integration("integ_drift", run_context=Context(test_count=20))
    assert report.changed is False and same.status == IntegrationStatus.READY
    text = shop.read_text()
    assert "accepts_marketing" in text
    shop.write_text(text.replace("accepts_marketing", "marketing_consent"))
    report, after = await orchestrator.recheck_integration("integ_drift", run_context=Context(test_count=20))
    assert report.changed and report.source_digest_changed and not report.dest_digest_changed
    assert "accepts_marketing" in report.source_fields_removed
    assert "marketing_opt_in" in report.affected_mappings
    assert after.status == IntegrationStatus.READY
    sources = {t.dest_field: t.source_fields for t in after.mapping_logic.transformations}
    assert sources.get("marketing_opt_in") == ["marketing_consent"]
