"""The deploy tools over the process target with the real sync runtime: deploy, status, logs, destroy."""

from __future__ import annotations

import httpx
import pytest

from vitesse.deployers import DeploymentState
from vitesse.deployers.process import ProcessDeployer
from vitesse.errors import ConfigError, NotFoundError
from vitesse.tools.deploy import (
    DeployerPool,
    DeployInput,
    DeploymentRef,
    LogsInput,
    deploy_integration,
    destroy_deployment,
    get_deployment_logs,
    get_deployment_status,
)

SECRET = "sk_live_0123456789abcdef"


async def test_the_tools_run_a_real_runtime_through_its_lifecycle(settings, runtime_config_for):
    pool = DeployerPool(settings)
    request = DeployInput(
        integration_id="tool-e2e",
        runtime_config=runtime_config_for("tool-e2e"),
        env={"SYNC_LABEL": "first"},
        secrets={"SOURCE_API_KEY": SECRET},
    )
    try:
        info = await deploy_integration(request, deployers=pool)
        assert info.state is DeploymentState.RUNNING
        assert httpx.get(info.url + "/healthz").json() == {"status": "ok", "running": False}
        assert httpx.get(info.url + "/status").json()["integration_id"] == "tool-e2e"
        assert SECRET not in info.model_dump_json() and info.details["secrets"] == ["SOURCE_API_KEY"]

        restarted = DeployerPool(settings)  # a new API server process finds the runtime by its state file
        status = await get_deployment_status(DeploymentRef(integration_id="tool-e2e"), deployers=restarted)
        assert (status.state, status.details["pid"]) == (DeploymentState.RUNNING, info.details["pid"])
        logs = await get_deployment_logs(LogsInput(integration_id="tool-e2e", lines=50), deployers=restarted)
        assert f"Uvicorn running on {info.url}" in logs.text and SECRET not in logs.text
    finally:
        gone = await destroy_deployment(DeploymentRef(integration_id="tool-e2e"), deployers=pool)
    assert gone.state is DeploymentState.DESTROYED
    with pytest.raises(httpx.ConnectError):
        httpx.get(info.url + "/healthz", timeout=2)
    with pytest.raises(NotFoundError):
        await get_deployment_status(DeploymentRef(integration_id="tool-e2e"), deployers=pool)


async def test_a_mapping_of_deployers_names_the_available_targets(settings):
    deployers = {"process": ProcessDeployer(settings=settings)}
    with pytest.raises(ConfigError, match=r"No deployer for target 'ecs' here; available: process"):
        await get_deployment_status(DeploymentRef(integration_id="x1", target="ecs"), deployers=deployers)


async def test_an_unknown_target_lists_the_known_ones(settings):
    with pytest.raises(ConfigError, match="known targets: ecs, eks, local, process"):
        await get_deployment_status(DeploymentRef(integration_id="x1", target="nomad"), settings=settings)


async def test_an_unusable_integration_id_is_refused_before_any_work(settings):
    with pytest.raises(ConfigError, match="cannot name a deployment"):
        await destroy_deployment(DeploymentRef(integration_id="../../etc"), settings=settings)
