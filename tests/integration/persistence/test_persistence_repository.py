"""Repository functions on SQLite and PostgreSQL: round trips, tenancy, listing, audit, idempotency."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from vitesse.errors import NotFoundError, PersistenceError
from vitesse.persistence import (
    AuditAction,
    Integration,
    SyncRunStatus,
    TestResultRow,
    Transformation,
    add_test_results,
    create_integration,
    delete_integration,
    get_deployment,
    get_integration,
    list_audit_logs,
    list_integrations,
    list_test_results,
    list_transformations,
    record_sync_run,
    save_transformations,
    update_integration,
    upsert_deployment,
)
from vitesse.schemas import (
    HealthScore,
    IntegrationStatus,
    TestCategory,
    TestResult,
)


async def test_an_integration_round_trips_with_its_specs_and_mapping(db, data):
    """What create_integration stores, get_integration gives back unchanged, JSON columns included."""
    original = data.instance(created_at=data.at(0), updated_at=data.at(0))
    async with db.sessions() as session, session.begin():
        await create_integration(session=session, instance=original, tenant="acme", actor="ana")

    async with db.sessions() as session:
        row = await get_integration(session=session, integration_id=original.id, tenant="acme")
    assert row is not None
    assert row.to_schema() == original
    assert row.to_schema().source_spec.endpoints[0].pagination.cursor_path == "data[-1].id"
    assert row.source_spec_digest == data.shop_spec().compute_digest()
    assert row.dest_spec_digest == original.dest_spec.compute_digest()  # computed when the spec had none
    assert (row.tenant, row.created_by, row.mapping_version) == ("acme", "ana", 1)


async def test_another_tenant_sees_nothing_and_changes_nothing(db, data):
    """Tenant scoping: get gives None, list is empty, update raises NotFoundError, delete is refused."""
    original = data.instance()
    async with db.sessions() as session, session.begin():
        await create_integration(session=session, instance=original, tenant="acme")

    async with db.sessions() as session, session.begin():
        assert await get_integration(session=session, integration_id=original.id, tenant="globex") is None
        assert (await list_integrations(session=session, tenant="globex")).total == 0
        with pytest.raises(NotFoundError, match="globex"):
            await update_integration(
                session=session, integration_id=original.id, tenant="globex", status=IntegrationStatus.FAILED
            )
        assert await delete_integration(session=session, integration_id=original.id, tenant="globex") is False
        assert await get_deployment(session=session, integration_id=original.id, tenant="globex") is None

    async with db.sessions() as session:
        row = await get_integration(session=session, integration_id=original.id, tenant=None)
    assert row is not None and row.status == IntegrationStatus.INITIALIZING


async def test_listing_filters_by_status_and_tenant_and_pages_with_totals(db, data):
    statuses = [IntegrationStatus.ACTIVE, IntegrationStatus.FAILED, IntegrationStatus.ACTIVE] * 3  # 9 rows
    async with db.sessions() as session, session.begin():
        for n, status in enumerate(statuses):
            item = data.instance(name=f"i{n}", status=status, created_at=data.at(n), mapping_logic=None)
            await create_integration(session=session, instance=item, tenant="acme" if n < 7 else "globex")

    async with db.sessions() as session:
        first = await list_integrations(session=session, tenant="acme", limit=3)
        last = await list_integrations(session=session, tenant="acme", limit=3, offset=6)
        active = await list_integrations(session=session, tenant="acme", status=IntegrationStatus.ACTIVE, limit=2)
        either = await list_integrations(
            session=session, tenant=None, status=[IntegrationStatus.ACTIVE, IntegrationStatus.FAILED]
        )
        none = await list_integrations(session=session, tenant="acme", status=IntegrationStatus.REVIEW)

    assert (first.total, [r.name for r in first.items]) == (7, ["i6", "i5", "i4"])  # newest first
    assert (last.total, [r.name for r in last.items]) == (7, ["i0"])
    expected_active = [f"i{n}" for n in range(6, -1, -1) if statuses[n] == IntegrationStatus.ACTIVE]
    assert (active.total, [r.name for r in active.items]) == (len(expected_active), expected_active[:2])
    assert either.total == 9
    assert (none.total, none.items) == (0, [])


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (1001, 0), (10, -1)])
async def test_bad_page_bounds_are_refused(db, limit, offset):
    async with db.sessions() as session:
        with pytest.raises(PersistenceError, match="limit|offset"):
            await list_integrations(session=session, tenant=None, limit=limit, offset=offset)


async def test_creating_the_same_id_twice_is_refused(db, data):
    item = data.instance()
    async with db.sessions() as session, session.begin():
        await create_integration(session=session, instance=item)
        with pytest.raises(PersistenceError, match="already exists"):
            await create_integration(session=session, instance=item)


async def test_every_state_change_leaves_an_audit_row_with_its_actor(db, data):
    """created, updated, failed, tested, healed, reviewed, deployed, destroyed, in order; the trail outlives it."""
    item = data.instance()
    ok = TestResult(endpoint="/contacts", method="POST", status_code=201, success=True)
    async with db.sessions() as session, session.begin():
        await create_integration(session=session, instance=item, tenant="acme", actor="ana")
        await update_integration(
            session=session, integration_id=item.id, tenant="acme", actor="graph", status=IntegrationStatus.TESTING
        )
        await update_integration(
            session=session,
            integration_id=item.id,
            tenant="acme",
            actor="graph",
            status=IntegrationStatus.FAILED,
            error="proof failed: 401",
        )
        await add_test_results(session=session, integration_id=item.id, tenant="acme", run_key="r1", results=[ok])
        await save_transformations(
            session=session,
            integration_id=item.id,
            tenant="acme",
            transformations=data.mapping(version=2),
            actor="graph",
            action=AuditAction.HEALED,
        )
        await update_integration(
            session=session,
            integration_id=item.id,
            tenant="acme",
            actor="bob",
            action=AuditAction.REVIEWED,
            status=IntegrationStatus.READY,
            error=None,
        )
        await upsert_deployment(
            session=session, integration_id=item.id, tenant="acme", target="process", status="running", actor="bob"
        )
        assert await delete_integration(session=session, integration_id=item.id, tenant="acme", actor="bob")

    async with db.sessions() as session:
        page = await list_audit_logs(session=session, integration_id=item.id, tenant="acme")
        assert await get_integration(session=session, integration_id=item.id, tenant=None) is None
    trail = [(r.action, r.actor) for r in page.items]
    assert trail == [
        (AuditAction.CREATED, "ana"),
        (AuditAction.UPDATED, "graph"),
        (AuditAction.FAILED, "graph"),
        (AuditAction.TESTED, "system"),
        (AuditAction.HEALED, "graph"),
        (AuditAction.REVIEWED, "bob"),
        (AuditAction.DEPLOYED, "bob"),
        (AuditAction.DESTROYED, "bob"),
    ]
    assert page.items[1].details == {"changed": ["status"], "status": {"from": "initializing", "to": "testing"}}
    assert page.items[2].details["error"] == "proof failed: 401"
    assert page.items[5].details["status"] == {"from": "failed", "to": "ready"}


async def test_a_replayed_test_run_adds_no_rows(db, data):
    item = data.instance()
    results = [
        TestResult(endpoint="/contacts", method="POST", status_code=201, success=True, response_time_ms=12.5),
        TestResult(
            endpoint="/contacts",
            method="POST",
            status_code=422,
            error_message="email_address is required",
            category=TestCategory.SCHEMA,
            fields=["email_address"],
        ),
    ]
    async with db.sessions() as session, session.begin():
        await create_integration(session=session, instance=item)
    counts = []
    for run_key in ("run-1", "run-1", "run-2"):
        async with db.sessions() as session, session.begin():
            counts.append(
                await add_test_results(
                    session=session, integration_id=item.id, tenant=None, run_key=run_key, results=results
                )
            )
    async with db.sessions() as session:
        run1 = await list_test_results(session=session, integration_id=item.id, tenant=None, run_key="run-1")
        everything = await list_test_results(session=session, integration_id=item.id, tenant=None)
        tested = await list_audit_logs(session=session, integration_id=item.id, tenant=None, action=AuditAction.TESTED)
        stored = await session.scalar(select(func.count()).select_from(TestResultRow))
    assert counts == [2, 0, 2]
    assert [r.to_schema() for r in run1.items] == results
    assert (everything.total, stored, tested.total) == (4, 4, 2)


async def test_a_new_mapping_replaces_the_transformations_and_deleting_cascades(db, data):
    item = data.instance()
    async with db.sessions() as session, session.begin():
        await create_integration(session=session, instance=item)
        first = await list_transformations(session=session, integration_id=item.id, tenant=None)
        assert [t.to_schema() for t in first] == data.mapping(1).transformations
        await update_integration(session=session, integration_id=item.id, tenant=None, mapping_logic=data.mapping(2))
        second = await list_transformations(session=session, integration_id=item.id, tenant=None)
        assert [(t.to_schema(), t.mapping_version) for t in second] == [(t, 2) for t in data.mapping(2).transformations]
        await add_test_results(
            session=session,
            integration_id=item.id,
            tenant=None,
            run_key="r",
            results=[TestResult(endpoint="/x", method="GET")],
        )
        await record_sync_run(
            session=session, integration_id=item.id, tenant=None, status=SyncRunStatus.RUNNING, started_at=data.at(1)
        )
        await delete_integration(session=session, integration_id=item.id, tenant=None)

    async with db.sessions() as session:
        for model in (Transformation, TestResultRow, Integration):
            assert await session.scalar(select(func.count()).select_from(model)) == 0, model.__name__


async def test_update_changes_only_what_is_passed(db, data):
    item = data.instance(error="old error")
    health = HealthScore(overall_score=82.5, success_rate=90, endpoint_coverage=65, total_tests=10, passed_tests=9)
    async with db.sessions() as session, session.begin():
        await create_integration(session=session, instance=item)
        row = await update_integration(
            session=session,
            integration_id=item.id,
            tenant=None,
            health_score=health,
            deployment_url="http://127.0.0.1:9000",
            error=None,
        )
        assert row.updated_at >= row.created_at

    async with db.sessions() as session:
        stored = (await get_integration(session=session, integration_id=item.id, tenant=None)).to_schema()
    assert stored.health_score == health
    assert (stored.deployment_url, stored.error) == ("http://127.0.0.1:9000", None)
    assert (stored.name, stored.mapping_logic, stored.source_spec) == (item.name, item.mapping_logic, item.source_spec)
