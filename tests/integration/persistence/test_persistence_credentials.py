"""Credentials are stored encrypted on both backends, never in clear, and only the right key opens them."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from vitesse.errors import NotFoundError, PersistenceError
from vitesse.persistence import (
    create_integration,
    credential_key,
    derive_key,
    list_audit_logs,
    load_credentials,
    store_credentials,
)

SOURCE = {"type": "api_key", "header": "X-API-Key", "value": "sk_live_51HxQmPlainTextSecret"}
DEST = {"type": "oauth2", "client_id": "crm-client", "client_secret": "cs_9f8e7d6c5b4a-very-secret"}


async def _stored(db, data, key):
    item = data.instance()
    async with db.sessions() as session, session.begin():
        await create_integration(session=session, instance=item, tenant="acme")
        await store_credentials(
            session=session,
            integration_id=item.id,
            tenant="acme",
            key=key,
            source_auth=SOURCE,
            dest_auth=DEST,
            actor="ana",
        )
    return item


async def test_credentials_round_trip(db, data):
    key = credential_key(db.settings)
    item = await _stored(db, data, key)
    async with db.sessions() as session:
        creds = await load_credentials(session=session, integration_id=item.id, tenant="acme", key=key)
    assert (creds.source_auth, creds.dest_auth) == (SOURCE, DEST)


async def test_no_column_holds_a_secret_in_clear(db, data):
    """Read every table's raw rows as text: neither secret value appears anywhere, audit details included."""
    item = await _stored(db, data, credential_key(db.settings))
    secrets_in_clear = [SOURCE["value"], DEST["client_secret"]]
    async with db.engine.connect() as conn:
        enc = (await conn.execute(text("SELECT source_auth_enc, dest_auth_enc FROM integrations"))).one()
        dumps = []
        for table in ("integrations", "integration_audit_logs"):
            rows = (await conn.execute(text(f"SELECT * FROM {table}"))).all()
            dumps.append(repr([tuple(r) for r in rows]))
    assert all(enc) and enc[0] != enc[1]
    for secret in secrets_in_clear:
        assert all(secret not in dump for dump in dumps), secret
    async with db.sessions() as session:
        trail = await list_audit_logs(session=session, integration_id=item.id, tenant="acme")
    assert trail.items[-1].details == {"changed": ["source_auth", "dest_auth"]}


async def test_the_wrong_key_gives_a_clear_persistence_error(db, data):
    item = await _stored(db, data, derive_key("the-original-secret-key"))
    async with db.sessions() as session:
        with pytest.raises(PersistenceError, match="SECRET_KEY"):
            await load_credentials(
                session=session, integration_id=item.id, tenant="acme", key=derive_key("another-secret")
            )


async def test_one_side_can_be_replaced_alone_and_other_tenants_cannot_read(db, data):
    key = credential_key(db.settings)
    item = await _stored(db, data, key)
    async with db.sessions() as session, session.begin():
        await store_credentials(
            session=session, integration_id=item.id, tenant="acme", key=key, dest_auth={"token": "new-token-123"}
        )
        with pytest.raises(NotFoundError):
            await load_credentials(session=session, integration_id=item.id, tenant="globex", key=key)
    async with db.sessions() as session:
        creds = await load_credentials(session=session, integration_id=item.id, tenant="acme", key=key)
    assert (creds.source_auth, creds.dest_auth) == (SOURCE, {"token": "new-token-123"})


async def test_an_integration_without_credentials_loads_empty_ones(db, data):
    item = data.instance()
    async with db.sessions() as session, session.begin():
        await create_integration(session=session, instance=item)
        creds = await load_credentials(
            session=session, integration_id=item.id, tenant=None, key=credential_key(db.settings)
        )
    assert (creds.source_auth, creds.dest_auth) == ({}, {})
