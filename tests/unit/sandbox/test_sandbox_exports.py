"""The public names of the sandbox and of synthetic data are pinned (a change here is an API change)."""

from __future__ import annotations

import vitesse.graph.guardian.synthetic as synthetic
import vitesse.sandbox as sandbox


def test_the_sandbox_exports_exactly_its_public_api():
    assert sorted(sandbox.__all__) == [
        "ConnectionDropped", "Decision", "ExampleRequest", "FaultPlan", "Outcome", "Sandbox", "SandboxServer",
        "SandboxTransport", "SchemaSet", "create_sandbox_app", "credentials", "example_request", "parse_fault_flags",
        "run_sandbox", "sandbox_client", "serve_mock", "start_sandbox", "to_json_schema",
    ]  # fmt: skip
    assert all(hasattr(sandbox, name) for name in sandbox.__all__)


def test_synthetic_exports_exactly_its_public_api():
    assert sorted(synthetic.__all__) == [
        "EDGE_PROFILES", "EdgeCase", "FORMAT_CHECKS", "SchemaView", "conforms", "declared_types", "discriminator_keys",
        "format_ok", "from_regex", "generate_records", "generate_value", "pattern_compiles", "profile_for",
    ]  # fmt: skip
    assert all(hasattr(synthetic, name) for name in synthetic.__all__)
