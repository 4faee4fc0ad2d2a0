"""`vitesse test`'s face: maps with the Mapper, proves in-process, prints JSON or a rich report."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from tests.integration.guardian.mappings import edited, golden_mapping
from vitesse.config import Settings
from vitesse.errors import ConfigError, GuardianError
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.guardian import GuardianOptions, Target, run_guardian
from vitesse.graph.guardian import shadow as shadow_module
from vitesse.graph.guardian.cli import parse_credentials, render_report, run_test_command
from vitesse.schemas import APISpecification, TransformType


async def test_json_output_has_the_health_score_and_every_call(
    guardian_settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--json` prints one JSON document; its exit code agrees with `passed`; faults reach the sandboxes."""

    async def pause(seconds: float) -> None:
        return None

    monkeypatch.setattr(shadow_module, "_pause", pause)
    code = await run_test_command(
        str(SHOP_SPEC), str(CRM_SPEC), intent="sync shop customers into CRM contacts", test_count=30, as_json=True,
        faults=["rate_limit=0.3", "methods=POST", "retry_after=1"], settings=guardian_settings,
    )  # fmt: skip
    document = json.loads(capsys.readouterr().out)
    health = document["health_score"]
    for key in ("overall_score", "success_rate", "endpoint_coverage", "p95_ms", "critical_issues", "against"):
        assert key in health
    assert len(document["test_results"]) >= 30
    assert {r["category"] for r in document["test_results"]} >= {"ok", "rate_limit"}
    assert document["mapping"]["dest_endpoint"] == "POST /contacts"
    assert code == (0 if document["passed"] else 1)
    assert document["passed"] == (health["overall_score"] >= 70)


async def test_a_live_destination_without_consent_is_refused(guardian_settings: Settings) -> None:
    with pytest.raises(GuardianError, match="--allow-writes"):
        await run_test_command(
            str(SHOP_SPEC), str(CRM_SPEC), dest_base_url="http://127.0.0.1:9", test_count=5, settings=guardian_settings
        )


async def test_the_rich_report_shows_the_verdict_and_the_critical_issues(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings
) -> None:
    mapping = edited(golden_mapping(), "lifecycle_stage", transform_type=TransformType.DIRECT, transform_config={})
    source = Target(shop, shop.find_endpoint("GET /customers"))  # type: ignore[arg-type]
    dest = Target(crm, crm.find_endpoint("POST /contacts"))  # type: ignore[arg-type]
    report = await run_guardian(
        mapping, source, dest, options=GuardianOptions(test_count=20), settings=guardian_settings
    )
    console = Console(record=True, width=300)
    render_report(report, console)
    text = console.export_text()
    assert "FAIL" in text and "Critical issues" in text
    assert "Orbit CRM API rejected lifecycle_stage" in text and "Shadow calls" in text


def test_credentials_come_from_flags_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TOKEN", "from-env")
    assert parse_credentials(["token=abc", "BearerAuth=env:CRM_TOKEN"]) == {"token": "abc", "BearerAuth": "from-env"}
    with pytest.raises(ConfigError, match="NAME=VALUE"):
        parse_credentials(["token"])
    with pytest.raises(ConfigError, match="NOT_SET_ANYWHERE"):
        parse_credentials(["token=env:NOT_SET_ANYWHERE"])
