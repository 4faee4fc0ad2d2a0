"""The runtime as a process: a one-off sync with --once, and a clean stop on SIGTERM that the next run resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.integration.runtime.test_runtime_kill_restart import (
    ENV,
    ROOT,
    Runtime,
    contacts,
    get,
    wait_for,
    write_config,
)
from tests.unit.runtime.helpers import specs
from vitesse.sandbox import FaultPlan, Sandbox, start_sandbox

pytestmark = pytest.mark.slow


@pytest.fixture
def pair():
    shop_spec, crm_spec = specs()
    shop = start_sandbox(Sandbox(shop_spec, seed=31, records_per_collection=150, tokens={ENV["SHOP_KEY"]}))
    crm = start_sandbox(Sandbox(crm_spec, seed=32, records_per_collection=0, tokens={ENV["CRM_TOKEN"]}))
    yield shop, crm
    shop.stop()
    crm.stop()


def run_once(config: Path, state: Path) -> tuple[int, dict]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **ENV, "VITESSE_STATE_DIR": str(state)}
    command = [sys.executable, "-m", "vitesse.runtime", "--config", str(config), "--once"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=state)
    return done.returncode, json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}


def test_once_runs_one_sync_prints_its_report_and_exits(tmp_path, pair):
    shop, crm = pair
    config = write_config(tmp_path, shop.base_url, crm.base_url)
    code, report = run_once(config, tmp_path)
    assert code == 0 and (report["status"], report["read"], report["written"]) == ("completed", 150, 150)
    code, report = run_once(config, tmp_path)
    assert code == 0 and report["written"] == 0  # the state file remembered the first run
    assert len(contacts(crm.base_url)) == 150


def test_a_bad_config_exits_2_with_a_message(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps({"mapping": {}}))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "vitesse.runtime", "--config", str(tmp_path / "bad.json")]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "the runtime config is invalid" in done.stderr and "source" in done.stderr


def test_sigterm_stops_a_running_sync_cleanly_and_the_next_run_resumes(tmp_path, pair):
    shop, crm = pair
    crm.sandbox.set_faults(FaultPlan(latency_ms=40, methods=["POST"]))
    config = write_config(tmp_path, shop.base_url, crm.base_url)
    runtime = Runtime(config, tmp_path, tmp_path / "runtime.log").start()
    wait_for(lambda: len(contacts(crm.base_url)) >= 20, "the sync to be under way")
    assert get(runtime.url + "/status")["state"] == "running"
    assert runtime.proc is not None
    started = time.monotonic()
    runtime.proc.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught: the exit status says SIGTERM
    assert runtime.proc.wait(timeout=30) in (0, -signal.SIGTERM) and time.monotonic() - started < 30
    log = runtime.log.read_text()
    assert "Traceback" not in log and "Application shutdown complete" in log and "sync stopped" in log
    assert ENV["SHOP_KEY"] not in log and ENV["CRM_TOKEN"] not in log
    crm.sandbox.set_faults(None)
    code, report = run_once(config, tmp_path)
    assert code == 0 and report["resumed"] is True and report["status"] == "completed"
    refs = Counter(c["external_ref"] for c in contacts(crm.base_url))
    assert len(refs) == 150 and max(refs.values()) == 1
    assert httpx.get(shop.base_url + "/__sandbox/stats").status_code == 200
