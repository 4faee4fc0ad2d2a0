"""The server's small parts: secret collection and masking, progress messages, the event log, request identity."""

from __future__ import annotations

from types import SimpleNamespace

from vitesse.mcp_server.masking import argument_secrets, mask_result, mask_tool_secrets
from vitesse.mcp_server.progress import ProgressSink, describe_event
from vitesse.mcp_server.state import EventLog, request_identity
from vitesse.schemas import HealthScore, IntegrationInstance, IntegrationStatus
from vitesse.tools._views import integration_view, next_steps


def test_secrets_are_collected_under_credential_names_at_any_depth_and_bearer_tokens_are_split():
    arguments = {
        "source_auth": {"api_key": "sk_live_abcdef", "extra": ["nested-secret-1"]},
        "headers": {"Authorization": "Bearer tok_123456789", "Accept": "application/json"},
        "request": {"secrets": {"DEST_API_KEY": "crm-token-999"}, "env": {"MODE": "production"}},
        "note": "a plain sentence",
        "api_key": "short",
    }
    secrets = argument_secrets(arguments)
    assert set(secrets) == {
        "sk_live_abcdef",
        "nested-secret-1",
        "Bearer tok_123456789",
        "tok_123456789",
        "crm-token-999",
    }
    assert secrets == sorted(secrets, key=len, reverse=True)


def test_masking_replaces_secrets_in_string_leaves_and_keeps_the_structure():
    result = {
        "content": [{"type": "text", "text": "key sk_live_abcdef used"}],
        "structuredContent": {"n": 3, "ok": True},
    }
    masked = mask_result(result, ["sk_live_abcdef"])
    assert masked == {"content": [{"type": "text", "text": "key **** used"}], "structuredContent": {"n": 3, "ok": True}}
    assert mask_result(result, []) is result


async def test_the_middleware_masks_only_tool_calls():
    async def call_next(_ctx):
        return {"text": "echo sk_live_abcdef"}

    tool_call = SimpleNamespace(method="tools/call", params={"arguments": {"token": "sk_live_abcdef"}})
    listing = SimpleNamespace(method="tools/list", params={"arguments": {"token": "sk_live_abcdef"}})
    assert await mask_tool_secrets(tool_call, call_next) == {"text": "echo ****"}
    assert await mask_tool_secrets(listing, call_next) == {"text": "echo sk_live_abcdef"}


def test_each_run_event_reads_as_one_line():
    assert describe_event({"event": "stage", "stage": "map", "phase": "started", "message": "matching"}) == (
        "map started: matching"
    )
    assert describe_event({"event": "health", "overall_score": 91.25, "passed": True, "against": "sandbox"}) == (
        "health 91.2 (passes, against sandbox)"
    )
    assert describe_event({"event": "heal", "attempt": 2}) == "healing the mapping (attempt 2)"
    assert describe_event({"event": "done", "status": "ready", "overall_score": 90.0}) == "finished: ready, health 90.0"
    assert describe_event({"event": "deployed", "target": "process", "url": "http://127.0.0.1:9"}) == (
        "deployed on process at http://127.0.0.1:9"
    )


async def test_the_progress_sink_counts_up_and_closes_with_the_done_event():
    reported = []

    class Ctx:
        async def report_progress(self, progress, total, message):
            reported.append((progress, total, message))

    log = EventLog()
    sink = ProgressSink(Ctx(), log)
    await sink({"event": "stage", "integration_id": "i1", "stage": "map", "phase": "started"})
    await sink({"event": "done", "integration_id": "i1", "status": "ready"})
    assert [(p, t) for p, t, _ in reported] == [(1.0, None), (2.0, 2.0)]
    assert [e["event"] for e in log.of("i1")] == ["stage", "done"]


def test_the_event_log_masks_credential_fields_and_keeps_a_bounded_tail():
    log = EventLog(keep=2)
    for n in range(3):
        log.add({"event": "stage", "integration_id": "i1", "n": n, "details": {"api_token": "secret-value"}})
    log.add({"event": "stage"})  # no integration id: not kept
    kept = log.of("i1")
    assert [e["n"] for e in kept] == [1, 2]
    assert kept[0]["details"]["api_token"] == "****"
    assert log.of("other") == []


def test_the_tenant_and_actor_come_from_the_http_authentication_else_the_defaults():
    app = SimpleNamespace(tenant="default")
    authenticated = SimpleNamespace(request=SimpleNamespace(state=SimpleNamespace(tenant="acme", subject="ana")))
    anonymous = SimpleNamespace(request=SimpleNamespace(state=SimpleNamespace()))
    assert request_identity(authenticated, app) == ("acme", "ana")
    assert request_identity(anonymous, app) == ("default", "mcp")
    assert request_identity(SimpleNamespace(request=None), app) == ("default", "mcp")


def test_next_steps_follow_the_status():
    def steps(status, **extra):
        return " ".join(next_steps(IntegrationInstance(id="i1", status=status, **extra)))

    health = HealthScore(overall_score=42.0)
    assert "review_integration(integration_id='i1', action='approve')" in steps(
        IntegrationStatus.REVIEW, health_score=health
    )
    assert "42.0" in steps(IntegrationStatus.REVIEW, health_score=health)
    assert "deployment_target='process'" in steps(IntegrationStatus.READY)
    assert "sync_integration(integration_id='i1')" in steps(IntegrationStatus.ACTIVE, deployment_url="http://h:1")
    assert "boom" in steps(IntegrationStatus.FAILED, error="boom")
    assert "Still running" in steps(IntegrationStatus.MAPPING)


def test_the_view_masks_credentials_in_the_deployment_url():
    instance = IntegrationInstance(id="i1", deployment_url="http://user:pw@127.0.0.1:9/?token=abc")
    view = integration_view(instance)
    assert "pw" not in view.deployment_url and "abc" not in view.deployment_url
