"""The runtime's HTTP face: health, Prometheus metrics, status, sync on demand, dead letters, the schedule."""

from __future__ import annotations

import asyncio
import time

import pytest
from starlette.testclient import TestClient

from tests.unit.runtime.fakes import FakeCRM, FakeShop, Router, customer, status
from tests.unit.runtime.helpers import ENV, make_config, mock_client
from vitesse.runtime import RunStatus, StateStore, SyncInProgress, create_runtime_app
from vitesse.runtime.app import schedule


@pytest.fixture
def app_parts(tmp_path):
    shop = FakeShop(customers=[customer(i) for i in range(1, 121)])
    crm = FakeCRM(faults={0: status(422)})
    config = make_config(options={"run_on_start": False})
    store = StateStore.open(config.integration_id, state_dir=tmp_path)
    yield config, store, shop, crm
    store.close()


def client_for(config, store, shop, crm, **env):
    app = create_runtime_app(config, environ={**ENV, **env}, store=store, client=mock_client(Router(shop, crm)))
    return TestClient(app)


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in metrics")


def test_health_sync_status_and_metrics_tell_the_same_story(app_parts):
    config, store, shop, crm = app_parts
    with client_for(config, store, shop, crm) as client:
        assert client.get("/healthz").json() == {"status": "ok", "running": False}
        assert client.get("/status").json()["state"] == "idle"
        report = client.post("/sync").json()
        assert (report["status"], report["read"], report["written"], report["failed"]) == ("completed", 120, 119, 1)
        status_body = client.get("/status").json()
        assert status_body["counts"]["last_run"]["run_id"] == report["run_id"]
        assert status_body["counts"]["ledger"] == {"delivered": 119, "dead": 1}
        assert status_body["dead_letters"] == 1 and status_body["last_error"] is None
        assert status_body["cursor"]["high_water_mark"]["raw"] == customer(120)["updated_at"]
        assert status_body["incremental"] == {"mode": "updated", "updated_field": "updated_at",
                                              "since_param": "updated_since"}  # fmt: skip
        response = client.get("/metrics")
        assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
        text = response.text
        assert metric(text, "vitesse_sync_records_read_total") == 120
        assert metric(text, "vitesse_sync_records_written_total") == 119
        assert metric(text, "vitesse_sync_records_failed_total") == 1
        assert metric(text, "vitesse_sync_records_duplicates_total") == 0
        assert metric(text, "vitesse_sync_dead_letters") == 1
        assert 0 <= metric(text, "vitesse_sync_lag_seconds") < 60
        assert abs(metric(text, "vitesse_sync_last_success_timestamp_seconds") - time.time()) < 60
        assert 'vitesse_sync_runs_total{integration="shop-to-crm",kind="sync",status="completed"} 1' in text
        letters = client.get("/dead-letters").json()["dead_letters"]
        assert [d["source_id"] for d in letters] == ["cus_00120"] and letters[0]["status_code"] == 422
        replay = client.post("/dead-letters/replay").json()
        assert (replay["kind"], replay["written"]) == ("replay", 1)
        assert client.get("/status").json()["dead_letters"] == 0


def test_post_sync_answers_409_while_a_sync_runs(app_parts):
    config, store, shop, crm = app_parts
    with client_for(config, store, shop, crm) as client:
        engine = client.app_state["engine"]
        client.portal.call(engine._lock.acquire)
        try:
            response = client.post("/sync")
            assert response.status_code == 409 and "already running" in response.json()["error"]
            assert client.post("/dead-letters/replay").status_code == 409
        finally:
            client.portal.call(lambda: engine._lock.release())
        assert client.post("/sync").status_code == 200


def test_a_runtime_token_guards_the_actions_and_the_dead_letters(app_parts):
    config, store, shop, crm = app_parts
    with client_for(config, store, shop, crm, VITESSE_RUNTIME_TOKEN="t0ken-for-tests") as client:
        assert client.post("/sync").status_code == 401
        assert client.get("/dead-letters").status_code == 401
        assert client.post("/sync", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/healthz").status_code == 200 and client.get("/metrics").status_code == 200
        ok = client.post("/sync", headers={"Authorization": "Bearer t0ken-for-tests"})
        assert ok.status_code == 200 and ok.json()["written"] == 119
        assert (
            client.get("/dead-letters?limit=x", headers={"Authorization": "Bearer t0ken-for-tests"}).status_code == 422
        )


def test_the_schedule_runs_at_start_then_on_its_interval_until_shutdown(app_parts):
    config, store, shop, crm = app_parts
    config.options.run_on_start, config.options.schedule_interval_s = True, 3600
    with client_for(config, store, shop, crm) as client:
        for _ in range(200):
            last = client.get("/status").json()["counts"]["last_run"]
            if last is not None:
                break
            time.sleep(0.02)
        assert last["status"] == "completed" and last["written"] == 119
    assert len(crm.contacts) == 119  # shutdown stopped the loop before a second run


class CountingEngine:
    def __init__(self, stop: asyncio.Event, stop_after: int, busy_on: int = -1) -> None:
        self.calls, self.stop, self.stop_after, self.busy_on = 0, stop, stop_after, busy_on

    async def run_once(self):
        self.calls += 1
        if self.calls == self.busy_on:
            raise SyncInProgress("busy")
        if self.calls == 2:
            raise RuntimeError("one bad run must not end the loop")
        if self.calls >= self.stop_after:
            self.stop.set()
        from vitesse.runtime import SyncReport

        return SyncReport(run_id=str(self.calls), status=RunStatus.COMPLETED)


async def test_the_schedule_loop_survives_bad_runs_and_stops_when_asked():
    stop = asyncio.Event()
    engine = CountingEngine(stop, stop_after=4, busy_on=3)
    await asyncio.wait_for(schedule(engine, 0.001, True, stop), 5)
    assert engine.calls == 4
    stop = asyncio.Event()
    once = CountingEngine(stop, stop_after=99)
    await asyncio.wait_for(schedule(once, None, True, stop), 5)  # on-demand only: the start run, then idle
    assert once.calls == 1
