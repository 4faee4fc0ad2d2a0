"""LangGraph Studio's server (`langgraph dev`) loads langgraph.json and completes a run of the demo integration.

`langgraph-cli[inmem]` pins `jsonschema-rs<0.45` while Schemathesis (our API contract tests) needs
`>=0.60`, so the Studio server runs from its own virtualenv, built once per machine and reused.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, need

pytestmark = pytest.mark.slow
STUDIO_VENV = Path(os.environ.get("VITESSE_STUDIO_VENV", "/tmp/vitesse-studio-venv"))


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]


@pytest.fixture(scope="session")
def studio_bin() -> Path:
    marker = STUDIO_VENV / f".ready-{_fingerprint()}"
    langgraph = STUDIO_VENV / "bin" / "langgraph"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(STUDIO_VENV)], check=True, timeout=120)
        done = subprocess.run(
            [str(STUDIO_VENV / "bin" / "pip"), "install", "-q", "-e", str(ROOT), "langgraph-cli[inmem]>=0.4"],
            capture_output=True,
            text=True,
            timeout=900,
        )
        need(done.returncode == 0, f"could not install langgraph-cli[inmem]: {done.stderr[-500:]}")
        marker.touch()
    return langgraph


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_langgraph_dev_runs_the_demo_integration_offline(studio_bin, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGGRAPH_NO_VERSION_CHECK": "1",
        "VITESSE_ALLOW_LOOPBACK": "true",
        "VITESSE_DATA_DIR": str(tmp_path),
    }
    server = subprocess.Popen(
        [str(studio_bin), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    if client.get("/ok").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            thread = client.post("/threads", json={}).json()["thread_id"]
            specs = ROOT / "vitesse" / "examples" / "specs"
            result = client.post(
                f"/threads/{thread}/runs/wait",
                json={
                    "assistant_id": "vitesse",
                    "input": {
                        "source_api_url": str(specs / "shop.yaml"),
                        "source_api_name": "Acme Shop",
                        "dest_api_url": str(specs / "crm.yaml"),
                        "dest_api_name": "Orbit CRM",
                        "user_intent": "Sync shop customers into CRM contacts",
                    },
                    "context": {"test_count": 20},
                },
            ).json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "__error__" not in result, result
    assert result["status"] == "ready"
    assert result["integration"]["health_score"]["overall_score"] >= 70
