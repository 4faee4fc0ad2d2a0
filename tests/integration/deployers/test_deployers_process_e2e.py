"""The process target end to end: a real subprocess on a loopback port, found again by a new Deployer.

The runtime here is the stand-in `stub_runtime.py` (same command line and HTTP face as
`python -m vitesse.runtime`); switch `command` off once the real runtime is in the tree.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import sys

import httpx
import pytest

from vitesse.deployers import DeployerFactory, DeploymentState
from vitesse.deployers._state import deployment_dir
from vitesse.deployers.process import ProcessDeployer, proc_start_time
from vitesse.errors import DeployError, NotFoundError

SECRET = "sk_live_0123456789abcdef"


@pytest.fixture
def deployer(settings):
    return DeployerFactory.create_deployer("process", {"start_timeout_s": 20}, settings=settings)


@pytest.fixture
async def deployed(deployer, stub_command):
    # The shell prints the credential before starting the runtime, so the log-masking test has something to mask.
    command = ["sh", "-c", 'echo "starting with key=$SOURCE_API_KEY"; exec "$@"', "sh", *stub_command]
    info = await deployer.deploy(
        integration_id="integ_abc123",
        container_config={
            "env": {"SOURCE_API_KEY": SECRET, "SYNC_LABEL": "first"},
            "runtime_config": {"mapping": {"transformations": []}, "source_base_url": "http://127.0.0.1:9"},
            "command": command,
        },
    )
    yield info
    await deployer.destroy("integ_abc123")


async def test_deploy_starts_a_healthy_process_on_a_loopback_port(deployed, settings):
    """Deploy starts the runtime, records pid and port in a state file, and the runtime answers /healthz."""
    assert deployed.state is DeploymentState.RUNNING
    assert deployed.url == f"http://127.0.0.1:{deployed.details['port']}"
    assert httpx.get(deployed.url + "/healthz").json() == {"status": "ok"}
    status = httpx.get(deployed.url + "/status").json()
    assert status == {
        "integration_id": "integ_abc123",
        "config_keys": ["mapping", "source_base_url"],
        "label": "first",
        "credentials": ["SOURCE_API_KEY"],
        "uid": os.getuid(),
    }
    folder = deployment_dir(settings, "integ_abc123")
    state = json.loads((folder / "state.json").read_text())
    assert (state["pid"], state["port"]) == (deployed.details["pid"], deployed.details["port"])
    assert SECRET not in (folder / "state.json").read_text()
    assert stat.S_IMODE((folder / "secrets.json").stat().st_mode) == 0o600
    assert SECRET not in deployed.model_dump_json()


async def test_logs_come_from_the_log_file_with_credentials_masked(deployer, deployed):
    """get_logs returns the runtime's output (requests included) and never the secret value."""
    httpx.get(deployed.url + "/healthz")
    logs = await deployer.get_logs("integ_abc123", lines=50)
    assert "stub runtime for integ_abc123 listening" in logs
    assert "GET /healthz" in logs
    assert "starting with key=****" in logs
    assert SECRET not in logs
    assert len((await deployer.get_logs("integ_abc123", lines=1)).splitlines()) == 1


async def test_a_new_deployer_finds_the_running_process_by_its_state_file(deployed, settings):
    """After an API-server restart (a new Deployer instance), status still reports the same running process."""
    fresh = ProcessDeployer(settings=settings)
    info = await fresh.get_status("integ_abc123")
    assert info.state is DeploymentState.RUNNING
    assert info.details["pid"] == deployed.details["pid"]
    assert info.details["secrets"] == ["SOURCE_API_KEY"]


async def test_update_restarts_with_merged_env_on_the_same_port(deployer, deployed):
    """update merges the new env into the old one, replaces the process and keeps the URL."""
    info = await deployer.update("integ_abc123", {"env": {"SYNC_LABEL": "second"}})
    assert info.state is DeploymentState.RUNNING
    assert info.details["pid"] != deployed.details["pid"]
    assert proc_start_time(deployed.details["pid"]) is None
    assert info.url == deployed.url
    status = httpx.get(info.url + "/status").json()
    assert (status["label"], status["credentials"]) == ("second", ["SOURCE_API_KEY"])


async def test_status_reports_a_process_that_died_as_stopped(deployer, deployed):
    """A runtime killed behind the deployer's back shows as stopped, not running."""
    os.kill(deployed.details["pid"], signal.SIGKILL)
    for _ in range(50):
        info = await deployer.get_status("integ_abc123")
        if info.state is DeploymentState.STOPPED:
            break
    assert info.state is DeploymentState.STOPPED


async def test_destroy_kills_the_process_group_and_removes_the_files(deployer, stub_command, settings):
    """destroy ends the runtime (and its children), removes the folder, and a second destroy is harmless."""
    # A parent shell with a child runtime: killing only the parent would leave the runtime running.
    command = ["sh", "-c", '"$@" & wait', "sh", *stub_command]
    info = await deployer.deploy("integ-group", {"command": command})
    child_port = info.details["port"]
    gone = await deployer.destroy("integ-group")
    assert gone.state is DeploymentState.DESTROYED
    assert "state.json" in gone.details["removed"]
    assert not deployment_dir(settings, "integ-group").exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{child_port}/healthz", timeout=2)
    with pytest.raises(NotFoundError, match="deploy it first"):
        await deployer.get_status("integ-group")
    assert (await deployer.destroy("integ-group")).details["removed"] == []


async def test_a_runtime_that_exits_at_start_fails_the_deploy_with_its_log(deployer):
    """A runtime that crashes while starting raises DeployError quoting its last log lines."""
    command = [sys.executable, "-c", "import sys; print('bad mapping: no endpoint'); sys.exit(3)"]
    with pytest.raises(DeployError, match="exited while starting(.|\n)*bad mapping: no endpoint"):
        await deployer.deploy("integ-crash", {"command": command})
    await deployer.destroy("integ-crash")


async def test_update_of_an_unknown_deployment_is_not_found(deployer):
    with pytest.raises(NotFoundError):
        await deployer.update("never-deployed", {"env": {"A": "b"}})
