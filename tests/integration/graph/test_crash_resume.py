"""A run killed while the Guardian works resumes from its last checkpoint: no node re-run, nothing doubled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from vitesse.config import Settings
from vitesse.graph.context import Context
from vitesse.orchestrator import VitesseOrchestrator
from vitesse.persistence import create_engine_from_settings, list_test_results, session_factory
from vitesse.schemas import IntegrationStatus

SCRIPT = r"""
import asyncio, json, sys
from vitesse.config import Settings
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.context import Context
from vitesse.orchestrator import VitesseOrchestrator

settings = Settings(data_dir=sys.argv[1], database_url=sys.argv[2], allow_loopback=True, spec_cache=False,
                    secret_key="crash-test-secret-key")
asyncio.run(VitesseOrchestrator(settings=settings).create_integration(
    source_api_url=str(SHOP_SPEC), source_api_name="Acme Shop", dest_api_url=str(CRM_SPEC),
    dest_api_name="Orbit CRM", user_intent="Sync Acme Shop customers into Orbit CRM contacts",
    integration_id="integ_crash",
    run_context=Context(test_count=40, sandbox_faults={"latency_ms": 300}),
    on_event=lambda event: print(json.dumps(event), flush=True),
))
print(json.dumps({"event": "finished-before-kill"}), flush=True)
"""


async def test_a_run_killed_in_the_guardian_resumes_without_repeating_finished_nodes(db_settings):
    db_url = db_settings.database_url
    child = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(db_settings.data_dir), db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    seen: list[dict] = []
    deadline = time.monotonic() + 120
    try:
        assert child.stdout is not None
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            event = json.loads(line)
            seen.append(event)
            if event.get("event") == "stage" and event.get("stage") == "guardian" and event.get("phase") == "started":
                child.send_signal(signal.SIGKILL)
                break
    finally:
        child.kill()
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert any(e.get("stage") == "guardian" for e in seen), f"the child never reached the guardian: {seen}"
    assert not any(e.get("event") == "finished-before-kill" for e in seen)

    resumed: list[dict] = []
    orchestrator = VitesseOrchestrator(settings=db_settings)
    instance = await orchestrator.resume_integration(
        "integ_crash", run_context=Context(test_count=40), on_event=resumed.append
    )
    stages = [e["stage"] for e in resumed if e["event"] == "stage" and e["phase"] == "started"]
    assert stages[0] == "guardian", "ingest and map finished before the kill and are not run again"
    assert "ingest_source" not in stages and "map" not in stages
    assert instance.status == IntegrationStatus.READY

    engine = create_engine_from_settings(db_settings)
    try:
        async with session_factory(engine)() as session:
            page = await list_test_results(session=session, integration_id="integ_crash", tenant="default")
            keys = {r.run_key for r in page.items}
            assert keys == {"mapping-v1"} and page.total == instance.health_score.total_tests
    finally:
        await engine.dispose()


def test_settings_fixture_uses_its_own_database(db_settings: Settings):
    assert db_settings.database_url and "vitesse" in db_settings.database_url
