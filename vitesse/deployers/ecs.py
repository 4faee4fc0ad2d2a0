"""Run an integration on ECS Fargate via boto3: task definition, service, ALB target group and listener rule.

Credentials go to Secrets Manager (`vitesse/<name>/<VAR>`) and reach the container through the task
definition's `secrets` references; the runtime config travels as VITESSE_RUNTIME_CONFIG_JSON. Status
comes from the service's deployments, logs from the awslogs group `/vitesse/<name>`. boto3 calls are
blocking, so each public method runs its work in a worker thread.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from vitesse.config import Settings
from vitesse.deployers import _ecs
from vitesse.deployers._ecs_aws import AwsClients, LoadBalancing, SecretStore, read_logs
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

INTERNAL_ENV = (
    "VITESSE_INTEGRATION_ID",
    "VITESSE_PORT",
    "VITESSE_HOST",
    "VITESSE_STATE_DIR",
    "VITESSE_RUNTIME_CONFIG_JSON",
)


class ECSOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster: str = "vitesse"
    subnets: list[str] = []
    security_groups: list[str] = []
    assign_public_ip: bool = False
    vpc_id: str | None = None
    listener_arn: str | None = None
    """An ALB listener; with it each integration gets a target group and a host-header rule."""
    domain: str | None = None
    execution_role_arn: str | None = None
    task_role_arn: str | None = None
    log_retention_days: int = 14
    health_check_grace_s: int = 30


class ECSDeployer(ThreadedDeployer):
    """ECS Fargate; region, endpoint and credentials from settings (AWS_REGION, AWS_ENDPOINT_URL …)."""

    def __init__(
        self, config: Mapping[str, Any] | None = None, *, settings: Settings | None = None, clients: Any = None
    ) -> None:
        super().__init__(DeploymentMode.CLOUD_ECS, config, settings=settings)
        self.options = parse_options(ECSOptions, self.config)
        self.aws = clients or AwsClients.from_settings(self.settings)

    async def deploy(
        self, integration_id: str, container_config: ContainerConfig | Mapping[str, Any] | None = None
    ) -> DeploymentInfo:
        config = coerce_config(container_config)
        return await self._blocking(self._apply, check_integration_id(integration_id), config, {})

    async def get_logs(self, integration_id: str, lines: int = 100) -> str:
        self._service(integration_id)
        return await self._blocking(read_logs, self.aws.logs, self._log_group(integration_id), lines)

    # -- blocking work ----------------------------------------------------------------------

    def _apply(self, integration_id: str, config: ContainerConfig, secret_arns: dict[str, str]) -> DeploymentInfo:
        name = resource_name(integration_id)
        image = config.image or self._default_image(integration_id)
        network = self._network()  # checked before anything is created
        port = config.port or RUNTIME_PORT
        secrets = SecretStore(self.aws.secrets, name, integration_id)
        arns = {**secret_arns, **secrets.put(config.secret_values())}
        spec = _ecs.TaskSpec(
            integration_id=integration_id, image=image, region=self.settings.aws_region,
            execution_role_arn=self.options.execution_role_arn, task_role_arn=self.options.task_role_arn,
            port=port, memory_mb=config.memory_mb, cpu_cores=config.cpu_cores, env=config.env, secret_arns=arns,
            runtime_config_json=json.dumps(config.runtime_config, sort_keys=True) if config.runtime_config else None,
            command=config.command,
        )  # fmt: skip
        self._ensure_log_group(spec.log_group)
        task_arn = self.aws.ecs.register_task_definition(**_ecs.task_definition(spec))["taskDefinition"][
            "taskDefinitionArn"
        ]
        self._ensure_cluster()
        target_group = self._balancing().attach(integration_id, self._host(integration_id, config), port)
        self._upsert_service(name, task_arn, config.replicas or 1, target_group, port, network)
        return self._status(integration_id)

    def _update(self, integration_id: str, updates: ContainerConfig | Mapping[str, Any]) -> DeploymentInfo:
        service = self._service(integration_id)
        task = self.aws.ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        container = task["containerDefinitions"][0]
        env = {e["name"]: e["value"] for e in container.get("environment", [])}
        current = coerce_config(
            {
                "image": container["image"],
                "env": {k: v for k, v in env.items() if k not in INTERNAL_ENV},
                "runtime_config": json.loads(env.get("VITESSE_RUNTIME_CONFIG_JSON") or "{}"),
                "port": container["portMappings"][0]["containerPort"],
                "memory_mb": int(task["memory"]),
                "cpu_cores": int(task["cpu"]) / 1024,
                "replicas": service["desiredCount"] or 1,
                "command": container.get("command"),
            }
        )
        raw = updates.model_dump(exclude_unset=True) if isinstance(updates, ContainerConfig) else dict(updates)
        merged = current.merged(raw)
        # Secrets already stored stay referenced by ARN; new values are written, None removes one.
        arns = {s["name"]: s["valueFrom"] for s in container.get("secrets", [])}
        removed = [k for k, v in {**raw.get("env", {}), **raw.get("secrets", {})}.items() if v is None]
        SecretStore(self.aws.secrets, resource_name(integration_id), integration_id).delete(removed)
        kept = {k: v for k, v in arns.items() if k not in removed and k not in merged.secrets}
        return self._apply(integration_id, merged, kept)

    def _destroy(self, integration_id: str) -> DeploymentInfo:
        name = resource_name(integration_id)
        removed: list[str] = []
        if self._find_service(name) is not None:
            self.aws.ecs.update_service(cluster=self.options.cluster, service=name, desiredCount=0)
            self.aws.ecs.delete_service(cluster=self.options.cluster, service=name, force=True)
            removed.append(f"service {name}")
        for arn in self._task_definitions(name):
            self.aws.ecs.deregister_task_definition(taskDefinition=arn)
            removed.append(f"task definition {arn.rsplit('/', 1)[-1]}")
        removed += self._balancing().detach(integration_id)
        removed += [f"secret {n}" for n in SecretStore(self.aws.secrets, name, integration_id).delete_all()]
        group = self._log_group(integration_id)
        if self.aws.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            self.aws.logs.delete_log_group(logGroupName=group)
            removed.append(f"log group {group}")
        return self._info(integration_id, DeploymentState.DESTROYED, name, details={"removed": removed})

    def _status(self, integration_id: str) -> DeploymentInfo:
        service = self._service(integration_id)
        deployments: list[dict[str, Any]] = service.get("deployments", [])
        primary: dict[str, Any] = next((d for d in deployments if d.get("status") == "PRIMARY"), {})
        desired, running = service.get("desiredCount", 0), service.get("runningCount", 0)
        rollout = primary.get("rolloutState")
        if rollout == "FAILED":
            state = DeploymentState.FAILED
        elif desired == 0:
            state = DeploymentState.STOPPED
        elif running >= desired and rollout in (None, "COMPLETED"):
            state = DeploymentState.RUNNING
        else:
            state = DeploymentState.DEGRADED if running else DeploymentState.PENDING
        details = {
            "service_arn": service["serviceArn"],
            "cluster": self.options.cluster,
            "task_definition": service["taskDefinition"],
            "deployments": [
                {k: d.get(k) for k in ("status", "rolloutState", "desiredCount", "runningCount", "taskDefinition")}
                for d in service.get("deployments", [])
            ],
            "target_groups": [lb["targetGroupArn"] for lb in service.get("loadBalancers", [])],
            "log_group": self._log_group(integration_id),
        }
        message = primary.get("rolloutStateReason") or f"{running}/{desired} tasks running"
        url = f"http://{self._host(integration_id, None)}" if self.options.listener_arn else None
        return self._info(
            integration_id, state, service["serviceName"], url=url, replicas=desired, ready_replicas=running,
            image=self._image_of(service["taskDefinition"]), message=message, details=details,
        )  # fmt: skip

    # -- helpers ----------------------------------------------------------------------------

    def _balancing(self) -> LoadBalancing:
        return LoadBalancing(self.aws.elbv2, self.options.listener_arn, self.options.vpc_id)

    def _default_image(self, integration_id: str) -> str:
        registry = self.settings.ecr_registry_url
        if not registry:
            raise ConfigError("No image for the ECS task: pass container_config image or set ECR_REGISTRY_URL")
        return f"{registry.rstrip('/')}/vitesse-integration:{resource_name(integration_id)}"

    def _host(self, integration_id: str, config: ContainerConfig | None) -> str:
        domain = (config.domain if config else None) or self.options.domain or self.settings.traefik_domain
        return f"{resource_name(integration_id)}.{domain}"

    def _log_group(self, integration_id: str) -> str:
        return f"/vitesse/{resource_name(integration_id, max_len=255)}"

    def _ensure_log_group(self, group: str) -> None:
        if not self.aws.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            self.aws.logs.create_log_group(logGroupName=group)
            self.aws.logs.put_retention_policy(logGroupName=group, retentionInDays=self.options.log_retention_days)

    def _ensure_cluster(self) -> None:
        found = self.aws.ecs.describe_clusters(clusters=[self.options.cluster])["clusters"]
        if not any(c.get("status") == "ACTIVE" for c in found):
            self.aws.ecs.create_cluster(clusterName=self.options.cluster)

    def _network(self) -> dict[str, Any]:
        if not self.options.subnets or not self.options.security_groups:
            raise ConfigError(
                "The ECS target needs `subnets` and `security_groups` in its config (Fargate uses awsvpc)"
            )
        vpc = {
            "subnets": self.options.subnets,
            "securityGroups": self.options.security_groups,
            "assignPublicIp": "ENABLED" if self.options.assign_public_ip else "DISABLED",
        }
        return {"awsvpcConfiguration": vpc}

    def _upsert_service(
        self, name: str, task_arn: str, count: int, target_group: str | None, port: int, network: dict[str, Any]
    ) -> None:
        ecs, cluster = self.aws.ecs, self.options.cluster
        if self._find_service(name) is not None:
            ecs.update_service(
                cluster=cluster, service=name, taskDefinition=task_arn, desiredCount=count, forceNewDeployment=True
            )
            return
        balancers = [{"targetGroupArn": target_group, "containerName": _ecs.CONTAINER, "containerPort": port}]
        ecs.create_service(
            cluster=cluster, serviceName=name, taskDefinition=task_arn, desiredCount=count, launchType="FARGATE",
            networkConfiguration=network, loadBalancers=balancers if target_group else [],
            healthCheckGracePeriodSeconds=self.options.health_check_grace_s if target_group else 0,
            deploymentConfiguration={
                "maximumPercent": 200, "minimumHealthyPercent": 100,
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            },
            propagateTags="SERVICE", tags=[{"key": "vitesse:integration-id", "value": name}],
        )  # fmt: skip

    def _find_service(self, name: str) -> dict[str, Any] | None:
        try:
            found = self.aws.ecs.describe_services(cluster=self.options.cluster, services=[name])["services"]
        except self.aws.ecs.exceptions.ClusterNotFoundException:
            return None
        return next((s for s in found if s.get("status") == "ACTIVE"), None)

    def _service(self, integration_id: str) -> dict[str, Any]:
        name = resource_name(integration_id)
        service = self._find_service(name)
        if service is None:
            raise NotFoundError(f"No ECS service {name} in cluster {self.options.cluster}; deploy it first")
        return service

    def _task_definitions(self, family: str) -> list[str]:
        pages = self.aws.ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, status="ACTIVE")
        return [
            arn
            for page in pages
            for arn in page["taskDefinitionArns"]
            if arn.rsplit("/", 1)[-1].split(":")[0] == family
        ]

    def _image_of(self, task_arn: str) -> str | None:
        task = self.aws.ecs.describe_task_definition(taskDefinition=task_arn)["taskDefinition"]
        image = task["containerDefinitions"][0].get("image")
        return str(image) if image else None
