"""The local target end to end on a real Docker engine, with a real Traefik routing by Host header.

One deployment (`e2e-local`, image built by the deployer from the generated Dockerfile) is shared by
the tests of this module, which run in file order: inspect, route, logs, the bridge setup (a second
container from the same image), update, destroy. Traffic goes to 127.0.0.1 only: the routed
container runs on the host network and listens on a loopback port; the bridge-network test (the
users' default, `vitesse-net`) sends no traffic at all, its health probe runs inside the container.
The containers run the real sync runtime (`python -m vitesse.runtime` through the generated entry),
configured with no schedule so it contacts nothing.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from vitesse.config import Settings
from vitesse.deployers import DeployerFactory, DeploymentInfo, DeploymentState
from vitesse.deployers.local import LocalDeployer
from vitesse.deployers.process import free_port
from vitesse.errors import NotFoundError

pytestmark = pytest.mark.slow

SECRET = "sk_live_0123456789abcdef"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
HOST = "vitesse-e2e-local.localhost"


@pytest.fixture(scope="module")
def local_options(pybase) -> dict:
    """The users' defaults except the base image (no registry here), pip's network and CA, and a quick health check."""
    return {
        "base_image": pybase,
        "python_version": "3.11",
        "build_network_mode": "host",
        "ca_bundle": str(CA_BUNDLE) if CA_BUNDLE.exists() else None,
        "health_interval_s": 2,
    }


@pytest.fixture(scope="module")
def local_deployer(docker_client, local_options, tmp_path_factory) -> LocalDeployer:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), environment="test", allow_loopback=True)
    deployer = DeployerFactory.create_deployer("local", local_options, settings=settings, client=docker_client)
    assert isinstance(deployer, LocalDeployer)
    return deployer


@pytest.fixture(scope="module")
def deployed(local_deployer, runtime_config_for):
    """Deploy `e2e-local` once (building its image); removed at the end even when a test failed."""
    started = time.monotonic()
    info = asyncio.run(
        local_deployer.deploy(
            integration_id="e2e-local",
            container_config={
                "env": {"SYNC_LABEL": "first", "SOURCE_API_KEY": SECRET},
                "runtime_config": runtime_config_for("e2e-local"),
                "network_mode": "host",
                "port": free_port(),
                "memory_mb": 256,
            },
        )
    )
    print(f"\ndeploy with image build: {time.monotonic() - started:.1f}s (build {info.details['build_seconds']}s)")
    yield info
    asyncio.run(local_deployer.destroy("e2e-local"))


def _routed(traefik: str, path: str, want: dict | None = None, seconds: float = 45) -> dict:
    """GET through Traefik until the route exists (and the answer contains `want`), bounded in time."""
    deadline, last = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        try:
            last = httpx.get(traefik + path, headers={"Host": HOST}, timeout=3)
            if last.status_code == 200 and all(last.json().get(k) == v for k, v in (want or {}).items()):
                return last.json()
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"no route to {HOST}{path} through Traefik: {last!r}")


def test_deploy_builds_a_small_non_root_image_and_a_locked_down_container(deployed, docker_client, pybase):
    """The image comes from the generated Dockerfile, holds no credential, and the container has the limits."""
    assert (deployed.state, deployed.url) == (DeploymentState.RUNNING, f"http://{HOST}")
    assert deployed.image.startswith("vitesse/integration-e2e-local:") and deployed.details["image_reused"] is False
    image = docker_client.images.get(deployed.image)
    assert image.attrs["Config"]["User"] == "10001:10001"
    assert image.attrs["Config"]["Labels"]["io.vitesse.integration-id"] == "e2e-local"
    assert not any(SECRET in item for item in image.attrs["Config"]["Env"])
    added_mb = (image.attrs["Size"] - docker_client.images.get(pybase).attrs["Size"]) / 1e6
    print(f"\nimage {image.attrs['Size'] / 1e6:.0f} MB, {added_mb:.0f} MB over the base")
    assert added_mb < 80

    container = docker_client.containers.get("vitesse-e2e-local")
    hc = container.attrs["HostConfig"]
    assert (hc["ReadonlyRootfs"], hc["Memory"], hc["NanoCpus"], hc["CapDrop"]) == (
        True,
        256 * 1024 * 1024,
        500_000_000,
        ["ALL"],
    )
    assert "/tmp" in hc["Tmpfs"] and hc["NetworkMode"] == "host"
    assert [m["Destination"] for m in container.attrs["Mounts"]] == ["/var/lib/vitesse"]
    code, listing = container.exec_run(["sh", "-c", "id -u; ls /app; test ! -e /app/build-extras"])
    assert code == 0 and listing.split()[0] == b"10001" and b"runtime-config.json" in listing
    env = dict(item.split("=", 1) for item in container.attrs["Config"]["Env"])
    assert (env["SOURCE_API_KEY"], env["SYNC_LABEL"]) == (SECRET, "first")  # given at run time only


def test_traefik_routes_the_host_name_to_the_container(deployed, traefik):
    assert _routed(traefik, "/healthz") == {"status": "ok", "running": False}
    status = _routed(traefik, "/status")
    assert (status["integration_id"], status["state"], status["dead_letters"]) == ("e2e-local", "idle", 0)


async def test_logs_are_the_containers_output(deployed, local_deployer, traefik):
    logs = await local_deployer.get_logs("e2e-local", lines=20)
    assert f"Uvicorn running on http://127.0.0.1:{deployed.details['port']}" in logs


async def test_the_default_bridge_network_setup_on_vitesse_net(deployed, docker_client, local_options, local_deployer):
    """Users' default: the container joins `vitesse-net` (created when missing) with Traefik's network label."""
    bridge = LocalDeployer(
        {**local_options, "network": "vitesse-net-e2e"}, settings=local_deployer.settings, client=docker_client
    )
    config = {"image": deployed.image, "memory_mb": 128, "cpu_cores": 0.25}
    try:
        info = await bridge.deploy("e2e-bridge", config)
        assert info.state is DeploymentState.RUNNING  # the probe ran inside the container, on its own loopback
        container = docker_client.containers.get("vitesse-e2e-bridge")
        assert list(container.attrs["NetworkSettings"]["Networks"]) == ["vitesse-net-e2e"]
        labels = container.labels
        assert labels["traefik.docker.network"] == "vitesse-net-e2e"
        assert labels["traefik.http.routers.vitesse-e2e-bridge.rule"] == "Host(`vitesse-e2e-bridge.localhost`)"
        assert labels["traefik.http.services.vitesse-e2e-bridge.loadbalancer.server.port"] == "8080"
        assert container.attrs["HostConfig"]["Memory"] == 128 * 1024 * 1024
    finally:
        gone = await bridge.destroy("e2e-bridge")
        docker_client.networks.get("vitesse-net-e2e").remove()
    assert gone.details["removed"] == ["container vitesse-e2e-bridge", "volume vitesse-e2e-bridge-state"]
    assert docker_client.images.get(deployed.image)  # a given image is not that deployment's to remove


async def test_update_replaces_the_container_and_a_new_deployer_sees_it(
    deployed, local_deployer, local_options, docker_client, traefik
):
    updated = await local_deployer.update("e2e-local", {"env": {"SYNC_LABEL": "second"}})
    assert updated.details["container_id"] != deployed.details["container_id"]
    assert updated.image == deployed.image  # only the env changed: no rebuild
    container = docker_client.containers.get("vitesse-e2e-local")
    env = dict(item.split("=", 1) for item in container.attrs["Config"]["Env"])
    assert (env["SYNC_LABEL"], env["SOURCE_API_KEY"]) == ("second", SECRET)
    assert container.short_id == updated.details["container_id"]
    assert _routed(traefik, "/healthz")["status"] == "ok"

    fresh = LocalDeployer(local_options, settings=local_deployer.settings, client=docker_client)
    now = await fresh.get_status("e2e-local")
    assert (now.state, now.details["secrets"], now.details["env"]) == (
        DeploymentState.RUNNING,
        ["SOURCE_API_KEY"],
        ["SYNC_LABEL"],
    )
    assert SECRET not in now.model_dump_json()


async def test_destroy_removes_container_image_and_volume(deployed: DeploymentInfo, local_deployer, docker_client):
    gone = await local_deployer.destroy("e2e-local")
    assert gone.details["removed"] == [
        "container vitesse-e2e-local",
        f"image {deployed.image}",
        "volume vitesse-e2e-local-state",
    ]
    assert docker_client.containers.list(all=True, filters={"name": "vitesse-e2e-local"}) == []
    assert docker_client.images.list(filters={"label": "io.vitesse.integration-id=e2e-local"}) == []
    with pytest.raises(NotFoundError, match="deploy it first"):
        await local_deployer.get_status("e2e-local")
