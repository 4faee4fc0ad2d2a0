"""Zero loss, no duplicates: a real runtime process syncs a faulty shop sandbox into a faulty CRM sandbox, is
killed with SIGKILL twice mid-sync and restarted; every source record ends up exactly once in the CRM or
in the dead-letter store with a reason."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.unit.runtime.helpers import golden_mapping, specs
from vitesse.runtime import build_runtime_config
from vitesse.sandbox import FaultPlan, Sandbox, start_sandbox

ROOT = Path(__file__).resolve().parents[3]
SHOP_RECORDS = 400
ENV = {"SHOP_KEY": "shop-key-for-tests", "CRM_TOKEN": "crm-token-for-tests"}
SHOP_FAULTS = FaultPlan(error_rate=0.08, rate_limit_rate=0.04, retry_after_s=1, drop_rate=0.04)
CRM_FAULTS = FaultPlan(
    error_rate=0.05, rate_limit_rate=0.03, retry_after_s=1, timeout_rate=0.02, timeout_s=1.5, drop_rate=0.03,
    latency_ms=4, latency_jitter_ms=4,
)  # fmt: skip
BAD = [{"phone": "555-0100"}] * 3 + [{"first_name": "N" * 90}] * 3
"""Shop customers the CRM cannot take: a 7-digit phone (no E.164 form) and a first name over the CRM's 80."""

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, **params: Any) -> Any:
    response = httpx.get(url, params=params, timeout=10)
    response.raise_for_status()
    return response.json()


def wait_for(check, what: str, timeout: float = 90.0, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # bounded
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


class Runtime:
    """`python -m vitesse.runtime` as a real child process."""

    def __init__(self, config_path: Path, state_dir: Path, log: Path) -> None:
        self.config_path, self.state_dir, self.log = config_path, state_dir, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> Runtime:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **ENV}
        env["VITESSE_STATE_DIR"] = str(self.state_dir)
        command = [sys.executable, "-m", "vitesse.runtime", "--config", str(self.config_path), "--port", str(port)]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.state_dir)
        wait_for(self._healthy, "the runtime to answer /healthz", timeout=30)
        return self

    def _healthy(self) -> bool:
        assert self.proc is not None and self.proc.poll() is None, self.log.read_text()[-3000:]
        try:
            return httpx.get(self.url + "/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def sandboxes():
    shop_spec, crm_spec = specs()
    shop = start_sandbox(Sandbox(shop_spec, seed=21, records_per_collection=SHOP_RECORDS, tokens={ENV["SHOP_KEY"]}))
    crm = start_sandbox(Sandbox(crm_spec, seed=22, records_per_collection=0, tokens={ENV["CRM_TOKEN"]}))
    try:
        for i, change in enumerate(BAD):
            body = {"email": f"bad{i}@example.com", "first_name": "Bad", "last_name": f"Record{i}", **change}
            created = httpx.post(shop.base_url + "/customers", json=body, headers={"X-API-Key": ENV["SHOP_KEY"]})
            assert created.status_code == 201, created.text
        shop.sandbox.set_faults(SHOP_FAULTS)
        crm.sandbox.set_faults(CRM_FAULTS)
        yield shop, crm
    finally:
        shop.stop()
        crm.stop()


def write_config(tmp_path: Path, shop_url: str, crm_url: str) -> Path:
    shop_spec, crm_spec = specs()
    options = {
        "batch_size": 20, "concurrency": 4, "schedule_interval_s": 1, "timeout_s": 0.5, "backoff_base_s": 0.05,
        "backoff_max_s": 0.5, "max_attempts": 8, "retry_after_max_s": 5, "lease_ttl_s": 3,
    }  # fmt: skip
    config = build_runtime_config(
        golden_mapping(), shop_spec, crm_spec, integration_id="kill-restart", source_base_url=shop_url,
        dest_base_url=crm_url, source_secret="SHOP_KEY", dest_secret="CRM_TOKEN", options=options,
        network={"allow_loopback": True},
    )  # fmt: skip
    config.source.page_size = 50
    path = tmp_path / "runtime-config.json"
    path.write_text(config.model_dump_json(by_alias=True))
    return path


def contacts(crm_url: str) -> list[dict[str, Any]]:
    response = httpx.get(crm_url + "/__sandbox/records", params={"collection": "/contacts"}, timeout=10)
    if response.status_code == 404:  # no request has reached /contacts yet
        return []
    response.raise_for_status()
    return list(response.json()["records"])


def settled(runtime: Runtime) -> dict[str, Any] | None:
    status = get(runtime.url + "/status")
    last = status["counts"]["last_run"] or {}
    ledger = status["counts"]["ledger"]
    if last.get("status") == "completed" and status["state"] == "idle" and not ledger.get("pending"):
        return status
    return None


def test_a_killed_and_restarted_runtime_delivers_every_record_exactly_once_or_dead_letters_it(tmp_path, sandboxes):
    shop, crm = sandboxes
    config_path = write_config(tmp_path, shop.base_url, crm.base_url)
    runtime = Runtime(config_path, tmp_path, tmp_path / "runtime.log")
    total = SHOP_RECORDS + len(BAD)
    try:
        for share in (0.25, 0.6):  # two SIGKILLs part-way through the first sync
            runtime.start()
            wait_for(lambda share=share: len(contacts(crm.base_url)) >= share * total, f"{share:.0%} delivered")
            runtime.kill()
        runtime.start()
        status = wait_for(lambda: settled(runtime), "a completed run with nothing pending", timeout=180, every=0.5)
        letters = get(runtime.url + "/dead-letters", limit=1000)["dead_letters"]
        metrics = httpx.get(runtime.url + "/metrics", timeout=10).text
    finally:
        runtime.stop()

    shop.sandbox.set_faults(None)
    source_ids = [c["id"] for c in get(shop.base_url + "/__sandbox/records", collection="/customers")["records"]]
    at_crm = Counter(c.get("external_ref") for c in contacts(crm.base_url))
    dead = Counter(letter["source_id"] for letter in letters)
    outcomes = Counter((at_crm[i], dead[i]) for i in source_ids)
    summary = {
        "source": len(source_ids), "delivered_once": outcomes[(1, 0)], "dead_lettered": outcomes[(0, 1)],
        "lost": outcomes[(0, 0)], "duplicated": sum(n for (c, _), n in outcomes.items() if c > 1),
        "both": outcomes[(1, 1)], "crm_posts": get(crm.base_url + "/__sandbox/stats")["counts"],
        "runtime_counts": status["counts"]["since_start"], "ledger": status["counts"]["ledger"],
    }  # fmt: skip
    print("\nkill/restart exactly-once:", json.dumps(summary, indent=1))
    assert len(source_ids) == total
    assert outcomes[(1, 0)] + outcomes[(0, 1)] == total, summary  # each record: once at the CRM xor dead-lettered
    assert set(at_crm) <= set(source_ids) and max(at_crm.values()) == 1, summary
    assert outcomes[(0, 1)] == len(BAD), summary
    assert all(letter["reason"] and letter["kind"] in ("transform", "rejected") for letter in letters)
    assert {letter["kind"] for letter in letters} == {"transform", "rejected"}
    faults = summary["crm_posts"]
    assert faults.get("fault:drop", 0) and faults.get("fault:timeout", 0) and faults.get("fault:rate_limited", 0)
    assert "vitesse_sync_records_written_total" in metrics
