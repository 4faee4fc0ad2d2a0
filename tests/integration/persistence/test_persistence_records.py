"""Repository functions on SQLite and PostgreSQL: deployments, sync runs, missing parents, API keys."""

from __future__ import annotations

import pytest

from vitesse.errors import NotFoundError
from vitesse.persistence import (
    SyncRunStatus,
    create_api_key,
    create_integration,
    find_api_key,
    get_deployment,
    get_integration,
    list_sync_runs,
    list_test_results,
    record_sync_run,
    revoke_api_key,
    upsert_deployment,
)
from vitesse.schemas import DeploymentConfig, DeploymentTarget


async def test_one_deployment_per_integration_is_upserted_and_mirrored(db, data):
    item = data.instance()
    config = DeploymentConfig(target=DeploymentTarget.LOCAL, port=18090, schedule_interval_s=60)
    async with db.sessions() as session, session.begin():
        await create_integration(session=session, instance=item, tenant="acme")
        await upsert_deployment(
            session=session,
            integration_id=item.id,
            tenant="acme",
            target=DeploymentTarget.LOCAL,
            status="starting",
            external_id="c0ffee",
            config=config,
        )
        await upsert_deployment(
            session=session,
            integration_id=item.id,
            tenant="acme",
            target=DeploymentTarget.LOCAL,
            status="running",
            url="http://127.0.0.1:18090",
            external_id="c0ffee",
            config=config,
        )
    async with db.sessions() as session:
        deployment = await get_deployment(session=session, integration_id=item.id, tenant="acme")
        row = await get_integration(session=session, integration_id=item.id, tenant="acme")
    assert deployment is not None
    assert (deployment.target, deployment.status, deployment.url) == ("local", "running", "http://127.0.0.1:18090")
    assert DeploymentConfig.model_validate(deployment.config) == config
    assert (row.deployment_url, row.container_id) == ("http://127.0.0.1:18090", "c0ffee")
    assert row.to_schema().deployment_config == config


async def test_sync_runs_are_listed_newest_first(db, data):
    item = data.instance()
    async with db.sessions() as session, session.begin():
        await create_integration(session=session, instance=item)
        await record_sync_run(
            session=session,
            integration_id=item.id,
            tenant=None,
            status=SyncRunStatus.SUCCEEDED,
            started_at=data.at(0),
            finished_at=data.at(1),
            records_read=120,
            records_written=118,
            records_failed=2,
        )
        await record_sync_run(
            session=session,
            integration_id=item.id,
            tenant=None,
            status=SyncRunStatus.FAILED,
            started_at=data.at(5),
            finished_at=data.at(6),
            error="429 from destination",
        )
    async with db.sessions() as session:
        page = await list_sync_runs(session=session, integration_id=item.id, tenant=None)
    assert [(r.status, r.started_at, r.error) for r in page.items] == [
        (SyncRunStatus.FAILED, data.at(5), "429 from destination"),
        (SyncRunStatus.SUCCEEDED, data.at(0), None),
    ]
    assert (page.items[1].records_read, page.items[1].records_written, page.items[1].records_failed) == (120, 118, 2)


async def test_child_records_of_a_missing_integration_raise_not_found(db, data):
    async with db.sessions() as session:
        with pytest.raises(NotFoundError, match="nope"):
            await list_test_results(session=session, integration_id="nope", tenant=None)
        with pytest.raises(NotFoundError):
            await record_sync_run(
                session=session, integration_id="nope", tenant=None, status=SyncRunStatus.RUNNING, started_at=data.at(0)
            )


async def test_api_keys_are_stored_hashed_found_and_revoked(db, data):
    async with db.sessions() as session, session.begin():
        row, plaintext = await create_api_key(session=session, subject="ci-bot", tenant="acme")
    async with db.sessions() as session, session.begin():
        found = await find_api_key(session=session, plaintext=plaintext)
        assert found is not None and (found.id, found.tenant, found.subject) == (row.id, "acme", "ci-bot")
        assert plaintext not in found.hashed_key
        assert await find_api_key(session=session, plaintext=plaintext + "x") is None
        assert await revoke_api_key(session=session, key_id=row.id, tenant="globex") is False
        assert await revoke_api_key(session=session, key_id=row.id, tenant="acme") is True
    async with db.sessions() as session:
        assert await find_api_key(session=session, plaintext=plaintext) is None
