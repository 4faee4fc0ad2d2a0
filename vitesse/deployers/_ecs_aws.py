"""The AWS pieces around an ECS service: clients, Secrets Manager entries, ALB routing, CloudWatch logs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vitesse.config import Settings
from vitesse.deployers.base import RUNTIME_PORT, resource_name


@dataclass(frozen=True)
class AwsClients:
    ecs: Any
    elbv2: Any
    logs: Any
    secrets: Any

    @classmethod
    def from_settings(cls, settings: Settings) -> AwsClients:
        """Build the four boto3 clients from settings (region, optional endpoint URL and keys)."""
        import boto3

        secret = settings.aws_secret_access_key.get_secret_value() if settings.aws_secret_access_key else None
        session = boto3.session.Session(
            region_name=settings.aws_region,
            aws_access_key_id=settings.aws_access_key_id,
            aws_secret_access_key=secret,
        )

        def make(name: str) -> Any:
            return session.client(name, endpoint_url=settings.aws_endpoint_url)

        return cls(ecs=make("ecs"), elbv2=make("elbv2"), logs=make("logs"), secrets=make("secretsmanager"))


class SecretStore:
    """One Secrets Manager secret per credential, named `vitesse/<name>/<VAR>`."""

    def __init__(self, client: Any, name: str, integration_id: str) -> None:
        self.client, self.prefix, self.integration_id = client, f"vitesse/{name}/", integration_id

    def put(self, values: dict[str, str]) -> dict[str, str]:
        """Create or update each secret; return env name → ARN."""
        arns = {}
        for key, value in sorted(values.items()):
            secret_id = self.prefix + key
            try:
                arns[key] = self.client.put_secret_value(SecretId=secret_id, SecretString=value)["ARN"]
            except self.client.exceptions.ResourceNotFoundException:
                tags = [{"Key": "vitesse:integration-id", "Value": self.integration_id}]
                arns[key] = self.client.create_secret(Name=secret_id, SecretString=value, Tags=tags)["ARN"]
        return arns

    def delete(self, keys: list[str]) -> list[str]:
        deleted = []
        for key in keys:
            try:
                self.client.delete_secret(SecretId=self.prefix + key, ForceDeleteWithoutRecovery=True)
                deleted.append(self.prefix + key)
            except self.client.exceptions.ResourceNotFoundException:
                pass
        return deleted

    def delete_all(self) -> list[str]:
        pages = self.client.get_paginator("list_secrets").paginate(Filters=[{"Key": "name", "Values": [self.prefix]}])
        names = [s["Name"] for page in pages for s in page["SecretList"] if s["Name"].startswith(self.prefix)]
        return self.delete([n.removeprefix(self.prefix) for n in names])


def target_group_name(integration_id: str) -> str:
    """ALB target group names stop at 32 characters."""
    return resource_name(integration_id, max_len=32)


class LoadBalancing:
    """A target group per integration and a host-header rule on a shared ALB listener (when one is given)."""

    def __init__(self, client: Any, listener_arn: str | None, vpc_id: str | None) -> None:
        self.client, self.listener_arn, self.vpc_id = client, listener_arn, vpc_id

    def attach(self, integration_id: str, host: str, port: int = RUNTIME_PORT) -> str | None:
        """Ensure the target group and the listener rule; return the target group ARN (None without a listener)."""
        if self.listener_arn is None:
            return None
        group = self._target_group(integration_id) or self._create_target_group(integration_id, port)
        rule = self._rule_for(group)
        conditions = [{"Field": "host-header", "HostHeaderConfig": {"Values": [host]}}]
        actions = [{"Type": "forward", "TargetGroupArn": group}]
        if rule is None:
            self.client.create_rule(
                ListenerArn=self.listener_arn, Priority=self._free_priority(), Conditions=conditions, Actions=actions
            )
        else:
            self.client.modify_rule(RuleArn=rule["RuleArn"], Conditions=conditions, Actions=actions)
        return group

    def detach(self, integration_id: str) -> list[str]:
        group = self._target_group(integration_id)
        if group is None:
            return []
        removed = []
        if self.listener_arn is not None:
            rule = self._rule_for(group)
            if rule is not None:
                self.client.delete_rule(RuleArn=rule["RuleArn"])
                removed.append(f"listener rule {rule['Priority']}")
        self.client.delete_target_group(TargetGroupArn=group)
        return [*removed, f"target group {target_group_name(integration_id)}"]

    def _target_group(self, integration_id: str) -> str | None:
        try:
            groups = self.client.describe_target_groups(Names=[target_group_name(integration_id)])["TargetGroups"]
        except self.client.exceptions.TargetGroupNotFoundException:
            return None
        return groups[0]["TargetGroupArn"] if groups else None

    def _create_target_group(self, integration_id: str, port: int) -> str:
        group = self.client.create_target_group(
            Name=target_group_name(integration_id), Protocol="HTTP", Port=port,
            VpcId=self.vpc_id, TargetType="ip", HealthCheckPath="/healthz", HealthCheckProtocol="HTTP",
            Matcher={"HttpCode": "200"},
        )  # fmt: skip
        return str(group["TargetGroups"][0]["TargetGroupArn"])

    def _rules(self) -> list[dict[str, Any]]:
        return list(self.client.describe_rules(ListenerArn=self.listener_arn)["Rules"])

    def _rule_for(self, group: str) -> dict[str, Any] | None:
        for rule in self._rules():
            if any(a.get("TargetGroupArn") == group for a in rule.get("Actions", [])) and not rule.get("IsDefault"):
                return rule
        return None

    def _free_priority(self) -> int:
        used = {int(r["Priority"]) for r in self._rules() if str(r.get("Priority", "")).isdigit()}
        return next(p for p in range(1, 50_001) if p not in used)


def read_logs(client: Any, group: str, lines: int) -> str:
    """Return the last `lines` messages of a log group, across its most recent streams, oldest first."""
    try:
        streams = client.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True, limit=10)[
            "logStreams"
        ]
    except client.exceptions.ResourceNotFoundException:
        return ""
    events: list[tuple[int, str]] = []
    for stream in streams:
        found = client.get_log_events(
            logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=False, limit=max(lines, 1)
        )["events"]
        events += [(e["timestamp"], e["message"]) for e in found]
    events.sort(key=lambda e: e[0])
    return "".join(m if m.endswith("\n") else m + "\n" for _, m in events[-lines:]) if lines > 0 else ""
