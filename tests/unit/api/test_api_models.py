"""Request models: what they accept and the messages of what they refuse; the metrics text."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from vitesse.api.metrics import Metrics
from vitesse.api.models import CreateIntegrationRequest, ReviewRequest, RunSettings, UpdateIntegrationRequest
from vitesse.api.problems import from_validation

BASE = {
    "source_api_url": "example:shop",
    "source_api_name": "Shop",
    "dest_api_url": "example:crm",
    "dest_api_name": "CRM",
    "user_intent": "sync",
}


def test_the_guides_body_is_accepted_with_credentials_and_a_target():
    request = CreateIntegrationRequest.model_validate(
        BASE | {"deployment_target": "local", "source_auth": {"api_key": "k"}, "dest_auth": {"token": "t"}}
    )
    assert request.deployment_target.value == "local" and request.source_auth == {"api_key": "k"}


def test_credentials_in_the_deployment_env_are_refused_with_where_to_put_them():
    with pytest.raises(ValidationError) as caught:
        CreateIntegrationRequest.model_validate(BASE | {"deployment": {"env": {"DEST_TOKEN": "x", "REGION": "eu"}}})
    problem = from_validation(caught.value, "body")
    assert problem.fields[0].field == "body.deployment.env"
    assert "DEST_TOKEN look like credentials: send them in source_auth / dest_auth" in problem.fields[0].message


def test_a_fault_plan_is_checked_and_kept_without_defaults():
    assert RunSettings(sandbox_faults={"latency_ms": 50}).sandbox_faults == {"latency_ms": 50.0}
    with pytest.raises(ValidationError, match="add up to"):
        RunSettings(sandbox_faults={"error_rate": 0.7, "timeout_rate": 0.7})
    with pytest.raises(ValidationError, match="unknown_knob"):
        RunSettings(sandbox_faults={"unknown_knob": 1})


def test_review_edit_needs_a_mapping_and_put_needs_a_change():
    with pytest.raises(ValidationError, match="edited mapping"):
        ReviewRequest(action="edit")
    assert ReviewRequest(action="abort", reason="no").reason == "no"
    with pytest.raises(ValidationError, match="at least one change"):
        UpdateIntegrationRequest()
    assert UpdateIntegrationRequest(settings={"test_count": 5}).settings.test_count == 5


def test_metrics_render_as_prometheus_text():
    metrics = Metrics()
    metrics.count_request("GET", 200)
    metrics.count_request("GET", 200)
    metrics.runs_started = 3
    text = metrics.render(runs_in_flight=1, watchers=4)
    assert 'vitesse_http_requests_total{method="GET",status="200"} 2' in text
    assert "# TYPE vitesse_runs_started_total counter\nvitesse_runs_started_total 3" in text
    assert "vitesse_sse_watchers 4" in text and text.endswith("\n")
