"""Run an integration as a Docker container behind Traefik: `http://vitesse-<id>.<domain>` routes to it.

The image is built from the generated Dockerfile (official slim Python base by default); the
container runs as a non-root user on a read-only root filesystem with a tmpfs /tmp and a named
volume for the runtime's state, memory and CPU limits from the config, and credentials given as
environment at run time only. The container itself is the record: its labels keep the non-secret
config, so a new LocalDeployer finds, updates and removes it. SDK calls run in a worker thread.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from vitesse.config import Settings
from vitesse.deployers._docker import (
    PROBE,
    LocalOptions,
    config_from_container,
    run_kwargs,
    traefik_labels,
    volume_name,
)
from vitesse.deployers._image import INTEGRATION_LABEL, BuildOptions, build_integration_image, default_ca_bundle
from vitesse.deployers.base import (
    RUNTIME_PORT,
    ContainerConfig,
    DeploymentInfo,
    DeploymentMode,
    DeploymentState,
    ThreadedDeployer,
    check_integration_id,
    coerce_config,
    parse_options,
    resource_name,
)
from vitesse.deployers.process import free_port
from vitesse.errors import DeployError, NotFoundError
from vitesse.net import mask_secrets


class LocalDeployer(ThreadedDeployer):
    """Docker + Traefik, through the `docker` SDK (DOCKER_HOST, or settings.docker_host, is honoured)."""

    def __init__(
        self, config: Mapping[str, Any] | None = None, *, settings: Settings | None = None, client: Any = None
    ) -> None:
        super().__init__(DeploymentMode.LOCAL, config, settings=settings)
        self.options = parse_options(LocalOptions, self.config)
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import docker

            host = self.options.docker_host or self.settings.docker_host
            self._client = docker.DockerClient(base_url=host) if host else docker.from_env()
        return self._client

    # -- the five methods -------------------------------------------------------------------

    async def deploy(
        self, integration_id: str, container_config: ContainerConfig | Mapping[str, Any] | None = None
    ) -> DeploymentInfo:
        config = coerce_config(container_config)
        return await self._blocking(self._deploy, check_integration_id(integration_id), config, config.image)

    async def get_logs(self, integration_id: str, lines: int = 100) -> str:
        return await self._blocking(self._logs, integration_id, lines)

    # -- blocking work ----------------------------------------------------------------------

    def _deploy(self, integration_id: str, config: ContainerConfig, image: str | None) -> DeploymentInfo:
        host_net = config.network_mode == "host"
        port = config.port or (free_port() if host_net else RUNTIME_PORT)
        built = None
        if image is None:
            built = build_integration_image(self.client, integration_id, config.runtime_config, self._build_options())
            image = built.tag
        self._remove_container(integration_id)
        if not host_net:
            self._ensure_network()
        labels = traefik_labels(integration_id, config, port, self._domain(config), self.options)
        container = self.client.containers.run(image, **run_kwargs(integration_id, config, port, labels, self.options))
        self._wait_healthy(integration_id, container, config)
        info = self._status(integration_id)
        if built is not None:
            info.details.update(build_seconds=round(built.seconds, 1), image_reused=built.reused)
        return info

    def _update(self, integration_id: str, updates: ContainerConfig | Mapping[str, Any]) -> DeploymentInfo:
        container = self._container(integration_id)
        raw = updates.model_dump(exclude_unset=True) if isinstance(updates, ContainerConfig) else dict(updates)
        merged = config_from_container(container).merged(raw)
        rebuild = "runtime_config" in raw and "image" not in raw
        image = None if rebuild else (merged.image or container.attrs["Config"]["Image"])
        old_image = container.image.id
        info = self._deploy(integration_id, merged, image)
        if info.details.get("image_id") != old_image:
            self._remove_images(integration_id, keep=info.details.get("image_id"))
        return info

    def _destroy(self, integration_id: str) -> DeploymentInfo:
        removed: list[str] = []
        if self._remove_container(integration_id):
            removed.append(f"container {resource_name(integration_id)}")
        removed += [f"image {tag}" for tag in self._remove_images(integration_id, keep=None)]
        volume = volume_name(integration_id)
        import docker.errors

        try:
            self.client.volumes.get(volume).remove(force=True)
            removed.append(f"volume {volume}")
        except docker.errors.NotFound:
            pass
        return self._info(
            integration_id, DeploymentState.DESTROYED, resource_name(integration_id), details={"removed": removed}
        )

    def _status(self, integration_id: str) -> DeploymentInfo:
        container = self._container(integration_id)
        state = container.attrs["State"]
        health = (state.get("Health") or {}).get("Status")
        if state.get("Status") != "running":
            status = DeploymentState.FAILED if state.get("ExitCode") else DeploymentState.STOPPED
            message = f"container {state.get('Status')} (exit code {state.get('ExitCode')})"
        elif health == "healthy" or (health != "unhealthy" and self._probe(container)):
            status, message = DeploymentState.RUNNING, "healthy"
        else:
            status = DeploymentState.DEGRADED if health == "unhealthy" else DeploymentState.PENDING
            message = f"health check: {health or 'not answering yet'}"
        return self._describe(integration_id, container, status, message)

    def _logs(self, integration_id: str, lines: int) -> str:
        container = self._container(integration_id)
        text = container.logs(stdout=True, stderr=True, tail=max(lines, 0)).decode(errors="replace")
        return mask_secrets(text, config_from_container(container).secret_values().values())

    # -- helpers ----------------------------------------------------------------------------

    def _build_options(self) -> BuildOptions:
        return BuildOptions(
            base_image=self.options.base_image,
            python_version=self.options.python_version,
            network_mode=self.options.build_network_mode,
            ca_bundle=self.options.ca_bundle or default_ca_bundle(),
            pip_index_url=self.options.pip_index_url,
        )

    def _domain(self, config: ContainerConfig) -> str:
        return config.domain or self.options.domain or self.settings.traefik_domain

    def _ensure_network(self) -> None:
        if not self.client.networks.list(names=[self.options.network]):
            self.client.networks.create(self.options.network, driver="bridge", labels={"io.vitesse.managed": "true"})

    def _wait_healthy(self, integration_id: str, container: Any, config: ContainerConfig) -> None:
        deadline = time.monotonic() + self.options.health_timeout_s
        while time.monotonic() < deadline:
            container.reload()
            if container.status in ("exited", "dead"):
                break
            if container.status == "running" and self._probe(container):
                return
            time.sleep(0.5)
        logs = mask_secrets(container.logs(tail=15).decode(errors="replace"), config.secret_values().values())
        self._remove_container(integration_id)
        raise DeployError(
            f"The container for {integration_id} did not become healthy ({container.status}); "
            f"it was removed. Last log lines:\n{logs or '(empty)'}"
        )

    def _probe(self, container: Any) -> bool:
        try:
            exit_code, _ = container.exec_run(["python3", "-c", PROBE])
        except Exception:  # noqa: BLE001 - a container that cannot exec is simply not healthy yet
            return False
        return bool(exit_code == 0)

    def _container(self, integration_id: str) -> Any:
        import docker.errors

        try:
            return self.client.containers.get(resource_name(integration_id))
        except docker.errors.NotFound:
            raise NotFoundError(
                f"No local deployment (container {resource_name(integration_id)}); deploy it first"
            ) from None

    def _remove_container(self, integration_id: str) -> bool:
        import docker.errors

        try:
            container = self.client.containers.get(resource_name(integration_id))
        except docker.errors.NotFound:
            return False
        container.stop(timeout=self.options.stop_timeout_s)
        container.remove(force=True)
        return True

    def _remove_images(self, integration_id: str, keep: str | None) -> list[str]:
        import docker.errors

        removed: list[str] = []
        for image in self.client.images.list(filters={"label": f"{INTEGRATION_LABEL}={integration_id}"}):
            if image.id == keep:
                continue
            try:
                self.client.images.remove(image.id, force=True)
                removed += image.tags or [image.short_id]
            except docker.errors.APIError:
                pass
        return removed

    def _describe(self, integration_id: str, container: Any, status: DeploymentState, message: str) -> DeploymentInfo:
        name = resource_name(integration_id)
        config = config_from_container(container)
        details = {
            "container_id": container.short_id,
            "image_id": container.image.id,
            "network": container.attrs["HostConfig"].get("NetworkMode"),
            "port": int(container.labels.get(f"traefik.http.services.{name}.loadbalancer.server.port", RUNTIME_PORT)),
            "env": sorted(config.env),
            "secrets": sorted(config.secrets),
            "docker_host": self.options.docker_host or os.environ.get("DOCKER_HOST") or self.settings.docker_host,
        }
        return self._info(
            integration_id,
            status,
            name,
            url=f"http://{name}.{self._domain(config)}",
            image=container.attrs["Config"]["Image"],
            replicas=1,
            ready_replicas=1 if status is DeploymentState.RUNNING else 0,
            message=message,
            details=details,
        )
