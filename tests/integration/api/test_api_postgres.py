"""The API on PostgreSQL (database and checkpoints): a run, its event log, a review, a restart that resumes."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from tests.integration.api._support import API, PAUSING, bearer, body, make_settings
from vitesse.api import create_app, create_token


@pytest.fixture
def pg_settings(postgres_url, tmp_path) -> Iterator:
    name = f"vitesse_api_{secrets.token_hex(5)}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        yield make_settings(tmp_path, database_url=url)
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def settle(client: TestClient, headers: dict[str, str], iid: str) -> dict:
    for _ in range(600):
        integration = client.get(f"{API}/integrations/{iid}", headers=headers).json()["integration"]
        if integration["run"]["state"] != "running":
            return integration
        time.sleep(0.1)
    raise AssertionError("the run did not settle")


def test_runs_events_and_reviews_work_on_postgresql(pg_settings):
    acme = bearer(create_token(pg_settings, subject="ana", tenant="acme"))
    with TestClient(create_app(pg_settings)) as client:
        status = client.get(f"{API}/status", headers=acme).json()
        assert status["database"]["backend"] == "postgresql" and status["checkpointer"]["backend"] == "postgres"
        ready = client.post(f"{API}/integrations", params={"wait": "true"}, headers=acme, json=body()).json()
        assert ready["integration"]["status"] == "ready"
        events = client.get(f"{API}/integrations/{ready['integration_id']}/events", headers=acme).text
        names = [line.split(": ", 1)[1] for line in events.splitlines() if line.startswith("event: ")]
        assert names == ["stage"] * 8 + ["test_result", "health", "done"]
        paused = client.post(
            f"{API}/integrations", params={"wait": "true"}, headers=acme, json=body(settings=PAUSING)
        ).json()
        assert paused["integration"]["status"] == "review"
        iid = paused["integration_id"]
    # A new app on the same database finds the paused run and can still resume it.
    with TestClient(create_app(pg_settings)) as client:
        assert client.get(f"{API}/integrations/{iid}", headers=acme).json()["integration"]["run"]["state"] == "paused"
        answer = client.post(f"{API}/integrations/{iid}/review", headers=acme, json={"action": "approve"})
        assert answer.status_code == 202
        assert settle(client, acme, iid)["status"] == "ready"
