"""Describe a local deployment's container: options, Traefik labels, run arguments, and reading them back.

The container is the record of a local deployment: its labels keep the non-secret config and the
names of its env variables, so `config_from_container` rebuilds the ContainerConfig after a restart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from vitesse.deployers._image import INTEGRATION_LABEL
from vitesse.deployers.base import ContainerConfig, coerce_config, fill_command, resource_name

CONFIG_LABEL, ENV_LABEL, SECRET_LABEL = "io.vitesse.container-config", "io.vitesse.env-keys", "io.vitesse.secret-keys"
PROBE = (
    "import os, urllib.request; "
    "urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['VITESSE_PORT'], timeout=2)"
)
SECOND = 1_000_000_000
STATE_DIR = "/var/lib/vitesse"


class LocalOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    network: str = "vitesse-net"
    domain: str | None = None
    """Traefik host suffix; default settings.traefik_domain (`localhost`)."""
    entrypoint: str = "web"
    base_image: str | None = None
    """Default: the official `python:<python_version>-slim` image."""
    python_version: str = "3.12"
    build_network_mode: str | None = None
    ca_bundle: Path | None = None
    """CA bundle for pip during the build; default PIP_CERT when it names a file."""
    pip_index_url: str | None = None
    docker_host: str | None = None
    user: str = "10001:10001"
    health_timeout_s: float = 90.0
    health_interval_s: float = 5.0
    """How often Docker runs the health check; Traefik routes to a container once it is healthy."""
    stop_timeout_s: int = 10


def volume_name(integration_id: str) -> str:
    return f"{resource_name(integration_id)}-state"


def traefik_labels(
    integration_id: str, config: ContainerConfig, port: int, domain: str, options: LocalOptions
) -> dict[str, str]:
    """Return the Traefik router/service labels and Vitesse's own record labels (never a secret value)."""
    name = resource_name(integration_id)
    router = f"traefik.http.routers.{name}"
    labels = {
        "traefik.enable": "true",
        f"{router}.rule": f"Host(`{name}.{domain}`)",
        f"{router}.entrypoints": options.entrypoint,
        f"{router}.service": name,
        f"traefik.http.services.{name}.loadbalancer.server.port": str(port),
        INTEGRATION_LABEL: integration_id,
        CONFIG_LABEL: config.model_dump_json(exclude={"env", "secrets", "runtime_config", "image"}),
        ENV_LABEL: ",".join(sorted(config.env)),
        SECRET_LABEL: ",".join(sorted(config.secrets)),
    }
    if config.network_mode != "host":
        labels["traefik.docker.network"] = options.network
    return labels


def run_kwargs(
    integration_id: str, config: ContainerConfig, port: int, labels: dict[str, str], options: LocalOptions
) -> dict[str, Any]:
    """Return the `containers.run` arguments: limits, non-root, read-only root, tmpfs, state volume, health check."""
    from docker.types import LogConfig

    host_net = config.network_mode == "host"
    env = {
        **config.run_env(),
        "VITESSE_INTEGRATION_ID": integration_id,
        "VITESSE_PORT": str(port),
        "VITESSE_HOST": "127.0.0.1" if host_net else "0.0.0.0",
        "VITESSE_STATE_DIR": STATE_DIR,
    }
    values = {"config": "/app/runtime-config.json", "host": env["VITESSE_HOST"], "port": str(port)}
    health = {"test": ["CMD", "python3", "-c", PROBE], "interval": int(options.health_interval_s * SECOND),
              "timeout": 3 * SECOND, "retries": 3, "start_period": 5 * SECOND}  # fmt: skip
    kwargs: dict[str, Any] = {
        "name": resource_name(integration_id),
        "detach": True,
        "init": True,
        "command": fill_command(config.command, values) if config.command else None,
        "environment": env,
        "labels": labels,
        "user": options.user,
        "read_only": True,
        "tmpfs": {"/tmp": "rw,nosuid,nodev,size=64m"},
        "volumes": {volume_name(integration_id): {"bind": STATE_DIR, "mode": "rw"}},
        "mem_limit": f"{config.memory_mb}m",
        "nano_cpus": int(config.cpu_cores * SECOND),
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges:true"],
        "restart_policy": {"Name": "unless-stopped"},
        "log_config": LogConfig(type="json-file", config={"max-size": "10m", "max-file": "3"}),
        "healthcheck": health,
    }
    if host_net:
        kwargs["network_mode"] = "host"
    else:
        kwargs["network"] = config.network_mode or options.network
    return kwargs


def config_from_container(container: Any) -> ContainerConfig:
    """Rebuild a deployment's ContainerConfig from its container's labels and environment."""
    labels = container.labels
    env = dict(item.split("=", 1) for item in container.attrs["Config"].get("Env") or [] if "=" in item)
    plain = {k: env[k] for k in filter(None, labels.get(ENV_LABEL, "").split(",")) if k in env}
    secrets = {k: env[k] for k in filter(None, labels.get(SECRET_LABEL, "").split(",")) if k in env}
    return coerce_config({**json.loads(labels.get(CONFIG_LABEL, "{}")), "env": plain, "secrets": secrets})
