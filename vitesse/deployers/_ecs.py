"""Build the ECS Fargate task definition of one integration (awslogs, non-root, read-only root filesystem).

Credentials never appear in the task definition: each one is a Secrets Manager secret referenced by
ARN under `secrets`, resolved by ECS when the task starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vitesse.deployers.base import RUNTIME_PORT, resource_name
from vitesse.errors import ConfigError

CONTAINER = "runtime"
# Fargate's valid (cpu units → memory MiB choices) pairs.
FARGATE_SIZES: dict[int, list[int]] = {
    256: [512, 1024, 2048],
    512: [1024, 2048, 3072, 4096],
    1024: list(range(2048, 8192 + 1, 1024)),
    2048: list(range(4096, 16384 + 1, 1024)),
    4096: list(range(8192, 30720 + 1, 1024)),
}


def fargate_size(cpu_cores: float, memory_mb: int) -> tuple[int, int]:
    """Return the smallest valid Fargate (cpu units, memory MiB) that covers the request."""
    for cpu, memories in FARGATE_SIZES.items():
        if cpu >= cpu_cores * 1024:
            for memory in memories:
                if memory >= memory_mb:
                    return cpu, memory
    raise ConfigError(
        f"No Fargate size fits {cpu_cores} vCPU and {memory_mb} MiB (at most 4 vCPU and 30720 MiB); lower them"
    )


@dataclass(frozen=True)
class TaskSpec:
    integration_id: str
    image: str
    region: str
    execution_role_arn: str | None = None
    task_role_arn: str | None = None
    port: int = RUNTIME_PORT
    memory_mb: int = 512
    cpu_cores: float = 0.5
    env: Mapping[str, str] = field(default_factory=dict)
    secret_arns: Mapping[str, str] = field(default_factory=dict)
    """Env name → Secrets Manager ARN."""
    runtime_config_json: str | None = None
    command: list[str] | None = None

    @property
    def family(self) -> str:
        return resource_name(self.integration_id, max_len=255)

    @property
    def log_group(self) -> str:
        return f"/vitesse/{self.family}"


def _environment(spec: TaskSpec) -> list[dict[str, str]]:
    env = dict(spec.env)
    env.update(
        VITESSE_INTEGRATION_ID=spec.integration_id,
        VITESSE_PORT=str(spec.port),
        VITESSE_HOST="0.0.0.0",
        VITESSE_STATE_DIR="/var/lib/vitesse",
    )
    if spec.runtime_config_json is not None:
        env["VITESSE_RUNTIME_CONFIG_JSON"] = spec.runtime_config_json
    return [{"name": k, "value": v} for k, v in sorted(env.items())]


def container_definition(spec: TaskSpec) -> dict[str, Any]:
    probe = (
        "import os, urllib.request; "
        "urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['VITESSE_PORT'], timeout=2)"
    )
    definition: dict[str, Any] = {
        "name": CONTAINER,
        "image": spec.image,
        "essential": True,
        "user": "10001:10001",
        "readonlyRootFilesystem": True,
        "portMappings": [{"containerPort": spec.port, "protocol": "tcp"}],
        "environment": _environment(spec),
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(spec.secret_arns.items())],
        "mountPoints": [
            {"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False},
            {"sourceVolume": "state", "containerPath": "/var/lib/vitesse", "readOnly": False},
        ],
        "healthCheck": {
            "command": ["CMD", "python", "-c", probe],
            "interval": 30,
            "timeout": 5,
            "retries": 3,
            "startPeriod": 15,
        },
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": spec.log_group,
                "awslogs-region": spec.region,
                "awslogs-stream-prefix": "vitesse",
                "awslogs-create-group": "true",
            },
        },
    }
    if spec.command:
        definition["command"] = list(spec.command)
    return definition


def task_definition(spec: TaskSpec) -> dict[str, Any]:
    """Return the keyword arguments of `ecs.register_task_definition` (also the JSON a person can reuse)."""
    cpu, memory = fargate_size(spec.cpu_cores, spec.memory_mb)
    body: dict[str, Any] = {
        "family": spec.family,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": str(cpu),
        "memory": str(memory),
        "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"},
        "containerDefinitions": [container_definition(spec)],
        "volumes": [{"name": "tmp"}, {"name": "state"}],
        "tags": [{"key": "vitesse:integration-id", "value": spec.integration_id}],
    }
    if spec.execution_role_arn:
        body["executionRoleArn"] = spec.execution_role_arn
    if spec.task_role_arn:
        body["taskRoleArn"] = spec.task_role_arn
    return body
