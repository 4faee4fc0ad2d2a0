"""Run an integration on Kubernetes (EKS) with the `kubernetes` client, by server-side apply.

Every deploy and update applies the whole desired state (ConfigMap, Secret, Deployment, Service,
Ingress, HorizontalPodAutoscaler; see `_k8s`) as `application/apply-patch+yaml` with one field
manager, so applying twice changes nothing and a person's edits to other fields survive. Status
comes from the Deployment's conditions, logs from its pods. The cluster is reached through an
injected ApiClient, a kubeconfig (the context of settings.eks_cluster_name when there is one) or
the in-cluster service account; images default to settings.ecr_registry_url.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from vitesse.config import Settings
from vitesse.deployers import _k8s
from vitesse.deployers._k8s_api import KubeApi, deployment_state
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
from vitesse.errors import ConfigError, NotFoundError

INTERNAL_ENV = {"VITESSE_INTEGRATION_ID", "VITESSE_PORT", "VITESSE_HOST", "VITESSE_RUNTIME_CONFIG", "VITESSE_STATE_DIR"}


class EKSOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    namespace: str = "vitesse"
    create_namespace: bool = True
    domain: str | None = None
    ingress_class: str | None = None
    max_replicas: int = 5
    cpu_target_percent: int = 70
    kubeconfig: str | None = None
    context: str | None = None
    field_manager: str = "vitesse"


class EKSDeployer(ThreadedDeployer):
    """Kubernetes Deployment (2 replicas by default) with Service, Ingress and HPA."""

    def __init__(
        self, config: Mapping[str, Any] | None = None, *, settings: Settings | None = None, api_client: Any = None
    ) -> None:
        super().__init__(DeploymentMode.CLOUD_EKS, config, settings=settings)
        self.options = parse_options(EKSOptions, self.config)
        self._api_client = api_client
        self._kube: KubeApi | None = None

    @property
    def kube(self) -> KubeApi:
        if self._kube is None:
            client = self._api_client or KubeApi.connect(
                self.options.kubeconfig, self.options.context, self.settings.eks_cluster_name
            )
            self._kube = KubeApi(client, self.options.field_manager)
        return self._kube

    async def deploy(
        self, integration_id: str, container_config: ContainerConfig | Mapping[str, Any] | None = None
    ) -> DeploymentInfo:
        config = coerce_config(container_config)
        return await self._blocking(self._apply, check_integration_id(integration_id), config)

    async def get_logs(self, integration_id: str, lines: int = 100) -> str:
        self._deployment(integration_id)
        name = resource_name(integration_id)
        return await self._blocking(self.kube.pod_logs, self.options.namespace, name, lines)

    # -- blocking work ----------------------------------------------------------------------

    def spec(self, integration_id: str, config: ContainerConfig) -> _k8s.K8sSpec:
        """Return the manifests' inputs for this config (what `deploy` applies)."""
        return _k8s.K8sSpec(
            integration_id=integration_id, image=config.image or self._default_image(integration_id),
            replicas=config.replicas or 2, max_replicas=self.options.max_replicas,
            cpu_target_percent=self.options.cpu_target_percent, port=config.port or RUNTIME_PORT,
            memory_mb=config.memory_mb, cpu_cores=config.cpu_cores, env=config.env, secrets=config.secret_values(),
            runtime_config=config.runtime_config, namespace=self.options.namespace,
            domain=config.domain or self.options.domain or self.settings.traefik_domain,
            ingress_class=self.options.ingress_class, command=config.command,
        )  # fmt: skip

    def _apply(self, integration_id: str, config: ContainerConfig) -> DeploymentInfo:
        spec = self.spec(integration_id, config)
        if self.options.create_namespace:
            self.kube.apply_namespace(self.options.namespace)
        for obj in _k8s.build_manifests(spec):
            self.kube.apply(obj)
        return self._status(integration_id)

    def _update(self, integration_id: str, updates: ContainerConfig | Mapping[str, Any]) -> DeploymentInfo:
        current = self._current_config(integration_id)
        return self._apply(integration_id, current.merged(updates))

    def _destroy(self, integration_id: str) -> DeploymentInfo:
        name, namespace = resource_name(integration_id), self.options.namespace
        removed = [f"{kind} {name}" for kind in reversed(_k8s.KINDS) if self.kube.delete(kind, name, namespace)]
        return self._info(integration_id, DeploymentState.DESTROYED, name, details={"removed": removed})

    def _status(self, integration_id: str) -> DeploymentInfo:
        deployment = self._deployment(integration_id)
        state, message = deployment_state(deployment)
        spec, status = deployment.get("spec", {}), deployment.get("status") or {}
        container = spec["template"]["spec"]["containers"][0]
        name = resource_name(integration_id)
        details = {
            "namespace": self.options.namespace,
            "generation": deployment["metadata"].get("generation"),
            "observed_generation": status.get("observedGeneration"),
            "conditions": [
                {k: c.get(k) for k in ("type", "status", "reason", "message")} for c in status.get("conditions") or []
            ],
            "env": sorted(e["name"] for e in container.get("env", []) if e["name"] not in INTERNAL_ENV),
            "cluster": self.settings.eks_cluster_name,
        }
        host = self._host(deployment)
        return self._info(
            integration_id, state, name, url=f"http://{host}" if host else None, image=container.get("image"),
            replicas=spec.get("replicas"), ready_replicas=status.get("readyReplicas") or 0, message=message,
            details=details,
        )  # fmt: skip

    # -- helpers ----------------------------------------------------------------------------

    def _default_image(self, integration_id: str) -> str:
        registry = self.settings.ecr_registry_url
        if not registry:
            raise ConfigError("No image for the Deployment: pass container_config image or set ECR_REGISTRY_URL")
        return f"{registry.rstrip('/')}/vitesse-integration:{resource_name(integration_id)}"

    def _deployment(self, integration_id: str) -> dict[str, Any]:
        name = resource_name(integration_id)
        found = self.kube.read("Deployment", name, self.options.namespace)
        if found is None:
            raise NotFoundError(f"No Deployment {name} in namespace {self.options.namespace}; deploy it first")
        return found

    def _host(self, deployment: dict[str, Any]) -> str | None:
        name = deployment["metadata"]["name"]
        ingress = self.kube.read("Ingress", name, self.options.namespace)
        rules = (ingress or {}).get("spec", {}).get("rules") or []
        return rules[0].get("host") if rules else None

    def _current_config(self, integration_id: str) -> ContainerConfig:
        name, namespace = resource_name(integration_id), self.options.namespace
        deployment = self._deployment(integration_id)
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        secret = self.kube.read("Secret", name, namespace) or {}
        config_map = self.kube.read("ConfigMap", name, namespace) or {}
        limits = container.get("resources", {}).get("limits", {})
        host = self._host(deployment)
        return coerce_config(
            {
                "image": container["image"],
                "env": {
                    e["name"]: e.get("value", "") for e in container.get("env", []) if e["name"] not in INTERNAL_ENV
                },
                "secrets": {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()},
                "runtime_config": json.loads((config_map.get("data") or {}).get("runtime-config.json") or "{}"),
                "port": container["ports"][0]["containerPort"],
                "memory_mb": _k8s.parse_memory_mb(limits.get("memory", "512Mi")),
                "cpu_cores": _k8s.parse_cpu(limits.get("cpu", "500m")),
                "replicas": deployment["spec"].get("replicas"),
                "domain": host.split(".", 1)[1] if host and "." in host else None,
                "command": container.get("command"),
            }
        )
