"""Build the Kubernetes objects of one integration: ConfigMap, Secret, Deployment, Service, Ingress, HPA.

Plain dicts in apply order, so the same objects serve server-side apply, offline validation and
the YAML a person reads (`render_yaml`). Secret values are base64 in `data`; `placeholder_secrets`
writes names with empty values for the files a dry run leaves behind.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from vitesse.deployers.base import RUNTIME_PORT, resource_name

RUNTIME_UID = 10001
CONFIG_MOUNT = "/etc/vitesse"
KINDS = ("ConfigMap", "Secret", "Deployment", "Service", "Ingress", "HorizontalPodAutoscaler")
"""The kinds of one integration, in apply order (deleted in reverse)."""


@dataclass(frozen=True)
class K8sSpec:
    """What the manifests need; everything but the id and image has a default."""

    integration_id: str
    image: str
    replicas: int = 2
    max_replicas: int = 5
    cpu_target_percent: int = 70
    port: int = RUNTIME_PORT
    memory_mb: int = 512
    cpu_cores: float = 0.5
    env: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    runtime_config: Mapping[str, Any] = field(default_factory=dict)
    namespace: str = "default"
    domain: str = "localhost"
    ingress_class: str | None = None
    command: list[str] | None = None

    @property
    def name(self) -> str:
        return resource_name(self.integration_id)

    @property
    def host(self) -> str:
        return f"{self.name}.{self.domain}"


def labels(spec: K8sSpec) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "vitesse-runtime",
        "app.kubernetes.io/instance": spec.name,
        "app.kubernetes.io/managed-by": "vitesse",
        "vitesse.dev/integration-id": spec.integration_id,
    }


def selector(spec: K8sSpec) -> dict[str, str]:
    return {"app.kubernetes.io/name": "vitesse-runtime", "app.kubernetes.io/instance": spec.name}


def _meta(spec: K8sSpec, name: str | None = None) -> dict[str, Any]:
    return {"name": name or spec.name, "namespace": spec.namespace, "labels": labels(spec)}


def config_map(spec: K8sSpec) -> dict[str, Any]:
    data = {"runtime-config.json": json.dumps(dict(spec.runtime_config), indent=2, sort_keys=True)}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(spec), "data": data}


def secret(spec: K8sSpec) -> dict[str, Any]:
    data = {k: base64.b64encode(v.encode()).decode() for k, v in sorted(spec.secrets.items())}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": _meta(spec), "type": "Opaque", "data": data}


def _rollout_checksum(spec: K8sSpec) -> str:
    # Changing a credential or the mapping changes the pod template, so the Deployment rolls.
    payload = json.dumps([sorted(spec.secrets.items()), spec.runtime_config], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _container(spec: K8sSpec) -> dict[str, Any]:
    env = [{"name": k, "value": v} for k, v in sorted(spec.env.items())]
    env += [
        {"name": "VITESSE_INTEGRATION_ID", "value": spec.integration_id},
        {"name": "VITESSE_PORT", "value": str(spec.port)},
        {"name": "VITESSE_HOST", "value": "0.0.0.0"},
        {"name": "VITESSE_RUNTIME_CONFIG", "value": f"{CONFIG_MOUNT}/runtime-config.json"},
        {"name": "VITESSE_STATE_DIR", "value": "/var/lib/vitesse"},
    ]
    probe = {"httpGet": {"path": "/healthz", "port": "http"}, "timeoutSeconds": 3}
    resources = {"memory": f"{spec.memory_mb}Mi", "cpu": f"{max(1, round(spec.cpu_cores * 1000))}m"}
    container: dict[str, Any] = {
        "name": "runtime",
        "image": spec.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": spec.port, "protocol": "TCP"}],
        "env": env,
        "envFrom": [{"secretRef": {"name": spec.name}}],
        "resources": {"requests": resources, "limits": resources},
        "livenessProbe": {**probe, "initialDelaySeconds": 10, "periodSeconds": 15, "failureThreshold": 3},
        "readinessProbe": {**probe, "initialDelaySeconds": 2, "periodSeconds": 5, "failureThreshold": 3},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [
            {"name": "tmp", "mountPath": "/tmp"},
            {"name": "state", "mountPath": "/var/lib/vitesse"},
            {"name": "config", "mountPath": CONFIG_MOUNT, "readOnly": True},
        ],
    }
    if spec.command:
        container["command"] = list(spec.command)
    return container


def deployment(spec: K8sSpec) -> dict[str, Any]:
    pod_spec = {
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUNTIME_UID,
            "runAsGroup": RUNTIME_UID,
            "fsGroup": RUNTIME_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [_container(spec)],
        "volumes": [
            {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
            {"name": "state", "emptyDir": {"sizeLimit": "256Mi"}},
            {"name": "config", "configMap": {"name": spec.name}},
        ],
    }
    template = {
        "metadata": {"labels": labels(spec), "annotations": {"vitesse.dev/checksum": _rollout_checksum(spec)}},
        "spec": pod_spec,
    }
    body = {
        "replicas": spec.replicas,
        "revisionHistoryLimit": 3,
        "selector": {"matchLabels": selector(spec)},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
        "template": template,
    }
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta(spec), "spec": body}


def service(spec: K8sSpec) -> dict[str, Any]:
    ports = [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    body = {"type": "ClusterIP", "selector": selector(spec), "ports": ports}
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(spec), "spec": body}


def ingress(spec: K8sSpec) -> dict[str, Any]:
    backend = {"service": {"name": spec.name, "port": {"name": "http"}}}
    rule = {"host": spec.host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}
    body: dict[str, Any] = {"rules": [rule]}
    if spec.ingress_class:
        body["ingressClassName"] = spec.ingress_class
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": _meta(spec), "spec": body}


def autoscaler(spec: K8sSpec) -> dict[str, Any]:
    target = {"type": "Utilization", "averageUtilization": spec.cpu_target_percent}
    body = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.name},
        "minReplicas": spec.replicas,
        "maxReplicas": max(spec.replicas, spec.max_replicas),
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": target}}],
    }
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": _meta(spec), "spec": body}


def build_manifests(spec: K8sSpec) -> list[dict[str, Any]]:
    """Return the integration's objects in the order they are applied."""
    return [config_map(spec), secret(spec), deployment(spec), service(spec), ingress(spec), autoscaler(spec)]


def placeholder_secrets(names: list[str]) -> dict[str, str]:
    """Empty values under the given names, for manifests written to disk by a dry run."""
    return {name: "" for name in names}


def render_yaml(objects: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(objects, sort_keys=False, default_flow_style=False)


def parse_memory_mb(quantity: str) -> int:
    """Turn a Kubernetes memory quantity (`512Mi`, `1Gi`, `536870912`) into MiB."""
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "Ti": 1024 * 1024, "K": 1000 / 1024**2, "M": 1000**2 / 1024**2,
             "G": 1000**3 / 1024**2}  # fmt: skip
    for suffix, factor in sorted(units.items(), key=lambda kv: -len(kv[0])):
        if quantity.endswith(suffix):
            return max(1, round(float(quantity[: -len(suffix)]) * factor))
    return max(1, round(float(quantity) / 1024**2))


def parse_cpu(quantity: str) -> float:
    """Turn a Kubernetes CPU quantity (`500m`, `2`) into cores."""
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)
