"""Talk to the Kubernetes API for one kind table: server-side apply, read, delete, pod logs.

Objects go in and come out as plain dicts in the API's own (camelCase) shape, so the same dicts
serve apply bodies, offline validation and status reading.
"""

from __future__ import annotations

import re
from typing import Any

from vitesse.deployers.base import DeploymentState
from vitesse.errors import DeployError

APPLY = "application/apply-patch+yaml"
# kind → (typed API class, method suffix)
KIND_API = {
    "ConfigMap": ("CoreV1Api", "namespaced_config_map"),
    "Secret": ("CoreV1Api", "namespaced_secret"),
    "Service": ("CoreV1Api", "namespaced_service"),
    "Deployment": ("AppsV1Api", "namespaced_deployment"),
    "Ingress": ("NetworkingV1Api", "namespaced_ingress"),
    "HorizontalPodAutoscaler": ("AutoscalingV2Api", "namespaced_horizontal_pod_autoscaler"),
}
TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\S+) (.*)$")


class KubeApi:
    def __init__(self, api_client: Any, field_manager: str = "vitesse") -> None:
        from kubernetes import client

        self.api_client, self.field_manager, self._client = api_client, field_manager, client

    @staticmethod
    def connect(kubeconfig: str | None, context: str | None, cluster_name: str | None) -> Any:
        """Return an ApiClient from a kubeconfig (the EKS cluster's context when named) or the in-cluster account."""
        from kubernetes import config

        try:
            contexts, _ = config.list_kube_config_contexts(config_file=kubeconfig)  # type: ignore[no-untyped-call]
        except config.ConfigException:
            config.load_incluster_config()  # type: ignore[no-untyped-call]
            from kubernetes import client

            return client.ApiClient()
        if context is None and cluster_name:
            names = [c["name"] for c in contexts]
            context = next((n for n in names if n == cluster_name or n.endswith(f"/{cluster_name}")), None)
            if context is None:
                raise DeployError(
                    f"No kubeconfig context for EKS cluster {cluster_name} (have: {', '.join(names) or 'none'}); "
                    f"run `aws eks update-kubeconfig --name {cluster_name}`"
                )
        return config.new_client_from_config(config_file=kubeconfig, context=context)  # type: ignore[no-untyped-call]

    def _api(self, kind: str) -> tuple[Any, str]:
        api_name, suffix = KIND_API[kind]
        return getattr(self._client, api_name)(self.api_client), suffix

    def _dict(self, obj: Any) -> dict[str, Any]:
        return dict(self.api_client.sanitize_for_serialization(obj))

    def apply(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Server-side apply one object (PATCH, apply-patch+yaml, our field manager, force on conflicts)."""
        api, suffix = self._api(obj["kind"])
        meta = obj["metadata"]
        try:
            result = getattr(api, f"patch_{suffix}")(
                meta["name"], meta["namespace"], obj, field_manager=self.field_manager, force=True, _content_type=APPLY
            )
        except self._client.ApiException as exc:
            raise DeployError(f"Applying {obj['kind']} {meta['name']} failed: {exc.status} {exc.reason}") from None
        return self._dict(result)

    def apply_namespace(self, name: str) -> None:
        body = {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "vitesse"}},
        }
        try:
            self._client.CoreV1Api(self.api_client).patch_namespace(
                name, body, field_manager=self.field_manager, force=True, _content_type=APPLY
            )
        except self._client.ApiException as exc:
            raise DeployError(f"Applying namespace {name} failed: {exc.status} {exc.reason}") from None

    def read(self, kind: str, name: str, namespace: str) -> dict[str, Any] | None:
        api, suffix = self._api(kind)
        try:
            return self._dict(getattr(api, f"read_{suffix}")(name, namespace))
        except self._client.ApiException as exc:
            if exc.status == 404:
                return None
            raise DeployError(f"Reading {kind} {name} failed: {exc.status} {exc.reason}") from None

    def delete(self, kind: str, name: str, namespace: str) -> bool:
        """Delete one object; return False when it was not there."""
        api, suffix = self._api(kind)
        try:
            getattr(api, f"delete_{suffix}")(name, namespace, propagation_policy="Background")
        except self._client.ApiException as exc:
            if exc.status == 404:
                return False
            raise DeployError(f"Deleting {kind} {name} failed: {exc.status} {exc.reason}") from None
        return True

    def pod_logs(self, namespace: str, instance: str, lines: int) -> str:
        """Return the last `lines` log lines of the instance's pods, merged by time, each prefixed with its pod."""
        core = self._client.CoreV1Api(self.api_client)
        pods: list[Any] = core.list_namespaced_pod(
            namespace, label_selector=f"app.kubernetes.io/instance={instance}"
        ).items
        merged: list[tuple[str, str]] = []
        for pod in sorted(pods, key=lambda p: p.metadata.name):
            text = core.read_namespaced_pod_log(
                pod.metadata.name, namespace, container="runtime", tail_lines=max(lines, 1), timestamps=True
            )
            for line in str(text or "").splitlines():
                match = TIMESTAMP.match(line)
                stamp, message = match.groups() if match else ("", line)
                merged.append((stamp, f"{pod.metadata.name} | {message}"))
        merged.sort(key=lambda item: item[0])
        return "".join(f"{text}\n" for _, text in merged[-lines:]) if lines > 0 else ""


def deployment_state(deployment: dict[str, Any]) -> tuple[DeploymentState, str]:
    """Read a Deployment's state from its conditions and replica counts."""
    spec, status = deployment.get("spec", {}), deployment.get("status") or {}
    want = spec.get("replicas", 1)
    conditions = {c["type"]: c for c in status.get("conditions") or []}
    progressing, available = conditions.get("Progressing", {}), conditions.get("Available", {})
    if (
        progressing.get("reason") == "ProgressDeadlineExceeded"
        or conditions.get("ReplicaFailure", {}).get("status") == "True"
    ):
        failed = (
            progressing if progressing.get("reason") == "ProgressDeadlineExceeded" else conditions["ReplicaFailure"]
        )
        return DeploymentState.FAILED, failed.get("message") or failed.get("reason") or "rollout failed"
    if want == 0:
        return DeploymentState.STOPPED, "scaled to 0 replicas"
    ready, updated = status.get("readyReplicas") or 0, status.get("updatedReplicas") or 0
    observed = status.get("observedGeneration", 0) >= deployment["metadata"].get("generation", 0)
    if observed and available.get("status") == "True" and ready >= want and updated >= want:
        return DeploymentState.RUNNING, f"{ready}/{want} replicas ready"
    if available.get("status") == "True" and ready > 0:
        return DeploymentState.DEGRADED, f"{ready}/{want} replicas ready, rollout in progress"
    return DeploymentState.PENDING, progressing.get("message") or f"{ready}/{want} replicas ready"
