"""Turn a proven integration into a running sync runtime on the target its DeploymentConfig names.

The runtime's config (mapping, endpoints, base URLs) is built by `vitesse.runtime.build`; credentials
reach the runtime as secrets at run time only (stored credentials, decrypted here, or `*_API_KEY`
entries of the DeploymentConfig env). Deploying twice with the same integration id replaces the
first deployment, so a replayed node does not leave two runtimes behind.
"""

from __future__ import annotations

from typing import Any

from vitesse.errors import DeployError
from vitesse.graph.context import Services
from vitesse.graph.state import State

SOURCE_URL_ENV = "VITESSE_SOURCE_BASE_URL"
DEST_URL_ENV = "VITESSE_DEST_BASE_URL"


async def deploy_integration_runtime(state: State, integration_id: str, services: Services) -> dict[str, Any]:
    """Build the runtime config, deploy it, and return what the state and the database record."""
    from vitesse.deployers import DeployerFactory
    from vitesse.deployers.base import ContainerConfig

    config = state.deployment_config
    if config is None:
        raise DeployError("nothing to deploy: the run has no deployment config")
    settings = services.settings
    env = dict(config.env)
    stored = await stored_credentials(services, integration_id)
    runtime_config = runtime_config_for(state, integration_id, services, env, stored.runtime_references())
    secrets = stored.runtime_secrets()
    container = ContainerConfig.from_deployment_config(
        config.model_copy(update={"env": env}),
        runtime_config=runtime_config.model_dump(mode="json", by_alias=True),
        secrets=secrets,
    )
    deployer = DeployerFactory.create_deployer(config.target.value, {}, settings=settings)
    info = await deployer.deploy(integration_id, container)
    return {
        "target": config.target.value,
        "status": info.state.value,
        "url": info.url,
        "external_id": info.container_id,
        "message": info.message,
    }


def runtime_config_for(
    state: State, integration_id: str, services: Services, env: dict[str, str], refs: dict[str, str] | None = None
) -> Any:
    """Build the runtime's config from the state; base URL overrides are taken out of `env`.

    `refs` names the variables of a stored basic-auth user or OAuth2 client (see `runtime_references`).
    """
    from vitesse.runtime.build import build_runtime_config

    if state.mapping is None or state.source_spec is None or state.dest_spec is None:
        raise DeployError("nothing to deploy: the integration has no proven mapping yet")
    settings = services.settings
    schedule = state.deployment_config.schedule_interval_s if state.deployment_config else None
    return build_runtime_config(
        state.mapping,
        state.source_spec,
        state.dest_spec,
        integration_id=integration_id,
        source_base_url=state.source_base_url or env.pop(SOURCE_URL_ENV, None),
        dest_base_url=state.dest_base_url or env.pop(DEST_URL_ENV, None),
        options={"batch_size": settings.batch_size, "schedule_interval_s": schedule},
        network={"allow_loopback": settings.allow_loopback, "allow_private": settings.allow_private_networks},
        **(refs or {}),
    )


async def stored_credentials(services: Services, integration_id: str) -> Any:
    """Return the integration's stored credentials (none stored, or no database: empty ones)."""
    from vitesse.persistence import credential_key, load_credentials
    from vitesse.persistence._credentials import Credentials

    if services.sessions is None:
        return Credentials()
    async with services.sessions() as session:
        return await load_credentials(
            session=session, integration_id=integration_id, tenant=None, key=credential_key(services.settings)
        )
