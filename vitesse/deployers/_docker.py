"""Describe a local deployment's container: options, Traefik labels, run arguments, and reading them back.

The container is the record of a local deployment: its labels keep the non-secret config and the
names of its env variables, so `config_from_container` rebuilds the ContainerConfig after a restart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
    """The local target's config; the guide's `host`, `docker_socket` and `traefik_config` keys are accepted."""

    model_config = ConfigDict(extra="forbid")

    network: str = "vitesse-net"
    domain: str | None = None
    """Traefik host suffix: an integration is served at `<name>.<domain>` (the router's Host rule); default
    settings.traefik_domain (`localhost`). The guide's `host` key sets it."""
    entrypoint: str = "web"
    base_image: str | None = None
    """Default: the official `python:<python_version>-slim` image."""
    python_version: str = "3.12"
    build_network_mode: str | None = None
    ca_bundle: Path | None = None
    """CA bundle for pip during the build; default PIP_CERT when it names a file."""
    pip_index_url: str | None = None
    docker_host: str | None = None
    """The Docker daemon (`unix:///var/run/docker.sock`, `tcp://…`); default DOCKER_HOST. The guide's
    `docker_socket` key sets it; a bare path is a unix socket."""
    traefik_config: dict[str, Any] = Field(default_factory=dict)
    """More Traefik dynamic configuration for each integration's router, as a mapping or the path of a YAML/JSON
    file holding one. Keys are relative to the router (`tls.certResolver`, `middlewares`, `rule`) or absolute
    under `http.`/`tcp.`/`udp.`; they become the container's Traefik labels."""
    user: str = "10001:10001"
    health_timeout_s: float = 90.0
    health_interval_s: float = 5.0
    """How often Docker runs the health check; Traefik routes to a container once it is healthy."""
    stop_timeout_s: int = 10

    @model_validator(mode="before")
    @classmethod
    def _guide_keys(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        for guide, ours in GUIDE_KEYS.items():
            if guide in data:
                value = data.pop(guide)
                if data.get(ours) not in (None, value):
                    raise ValueError(f"{guide} and {ours} name the same setting with different values; give one")
                data[ours] = value
        return data

    @field_validator("docker_host")
    @classmethod
    def _socket_path(cls, value: str | None) -> str | None:
        return f"unix://{value}" if value and value.startswith("/") else value

    @field_validator("traefik_config", mode="before")
    @classmethod
    def _read_traefik_config(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, str | Path):
            return value
        try:
            loaded = yaml.safe_load(Path(value).expanduser().read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"cannot read the Traefik config {value}: {exc}") from None
        if not isinstance(loaded, Mapping):
            raise ValueError(f"the Traefik config {value} must hold a mapping")
        return loaded


GUIDE_KEYS = {"host": "domain", "docker_socket": "docker_host"}
"""The guide's names for LocalOptions fields."""
ABSOLUTE = ("traefik", "http", "tcp", "udp")
"""A `traefik_config` key starting with one of these is a whole Traefik path, not one under the router."""


def _flat(prefix: str, value: Any) -> list[tuple[str, str]]:
    """Flatten dynamic configuration into Traefik's label form (dotted keys, lists comma-joined)."""
    if isinstance(value, Mapping):
        return [pair for key, item in value.items() for pair in _flat(f"{prefix}.{key}", item)]
    if isinstance(value, list | tuple):
        return [(prefix, ",".join(map(str, value)))]
    return [(prefix, str(value).lower() if isinstance(value, bool) else str(value))]


def extra_traefik_labels(router: str, config: Mapping[str, Any]) -> dict[str, str]:
    """Return the labels of `LocalOptions.traefik_config` for one integration's router."""
    labels: dict[str, str] = {}
    for key, value in config.items():
        key = str(key)
        head = key.split(".", 1)[0]
        path = key if head == "traefik" else f"traefik.{key}" if head in ABSOLUTE else f"{router}.{key}"
        labels.update(_flat(path, value))
    return labels


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
    labels.update(extra_traefik_labels(router, options.traefik_config))
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
