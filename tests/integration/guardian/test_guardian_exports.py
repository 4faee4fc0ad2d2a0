"""The Guardian's public names stay importable from the package (the graph is wired against them)."""

from __future__ import annotations

import pytest

import vitesse.graph.guardian as guardian
from vitesse.config import Settings
from vitesse.errors import GuardianError
from vitesse.schemas import APISpecification

PINNED = {"GuardianOptions", "GuardianReport", "Target", "run_guardian", "score_health", "coverage", "percentile"}


def test_the_public_names_are_exported() -> None:
    assert PINNED <= set(guardian.__all__)
    for name in guardian.__all__:
        assert getattr(guardian, name) is not None


async def test_bad_inputs_get_a_guardian_error_a_person_can_act_on(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings
) -> None:
    from tests.integration.guardian.mappings import golden_mapping

    source = guardian.Target(shop, shop.find_endpoint("GET /customers"))  # type: ignore[arg-type]
    missing = guardian.Target(crm, crm.find_endpoint("POST /nowhere"))  # type: ignore[arg-type]
    with pytest.raises(GuardianError, match="destination target has no endpoint"):
        await guardian.run_guardian(golden_mapping(), source, missing, settings=guardian_settings)
    dest = guardian.Target(crm, crm.find_endpoint("POST /contacts"))  # type: ignore[arg-type]
    options = guardian.GuardianOptions(test_count=5, faults={"rate_limit_rate": 2})
    with pytest.raises(GuardianError, match="fault plan is not valid"):
        await guardian.run_guardian(golden_mapping(), source, dest, options=options, settings=guardian_settings)
