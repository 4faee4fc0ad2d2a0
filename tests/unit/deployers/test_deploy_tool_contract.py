"""The deploy tools' faces: a description for the model in the first docstring line, typed inputs, no secrets out."""

from __future__ import annotations

import inspect

import pytest

import vitesse.tools.deploy as deploy
from vitesse.tools.deploy import DeployInput, LogsInput

TOOLS = [deploy.deploy_integration, deploy.get_deployment_status, deploy.destroy_deployment, deploy.get_deployment_logs]


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.__name__)
def test_each_tool_is_an_async_function_with_one_model_input_and_keyword_dependencies(tool):
    assert inspect.iscoroutinefunction(tool)
    params = list(inspect.signature(tool).parameters.values())
    assert params[0].name == "request"
    dependencies = [(p.name, p.kind) for p in params[1:]]
    assert dependencies[:2] == [
        ("deployers", inspect.Parameter.KEYWORD_ONLY),
        ("settings", inspect.Parameter.KEYWORD_ONLY),
    ]
    # deploy_integration may also read the stored integration through database sessions.
    assert dependencies[2:] in ([], [("sessions", inspect.Parameter.KEYWORD_ONLY)])
    assert all(p.default is not inspect.Parameter.empty for p in params[1:])
    first_line = inspect.getdoc(tool).splitlines()[0]
    assert 20 < len(first_line) <= 120 and first_line.endswith(".")


def test_secrets_are_write_only_in_the_input_schema_and_masked_in_dumps():
    schema = DeployInput.model_json_schema()
    secret_schema = schema["properties"]["secrets"]["additionalProperties"]
    assert secret_schema.get("writeOnly") is True
    request = DeployInput(integration_id="x1", secrets={"SOURCE_API_KEY": "sk_live_abcdef123456"})
    assert "sk_live_abcdef123456" not in request.model_dump_json() + repr(request)
    assert request.container_config()["secrets"] == {"SOURCE_API_KEY": "sk_live_abcdef123456"}


def test_unknown_input_fields_are_refused():
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        LogsInput(integration_id="x1", line=5)


def test_container_config_carries_only_what_was_given():
    request = DeployInput(integration_id="x1", target="local", env={"A": "1"}, network_mode="host")
    assert request.container_config() == {
        "env": {"A": "1"},
        "runtime_config": {},
        "memory_mb": 512,
        "cpu_cores": 0.5,
        "network_mode": "host",
        "secrets": {},
    }
