"""A large real API (Stripe, 446 operations) is summarised compactly and searched by resource, never returned whole."""

from __future__ import annotations

import pytest

from vitesse.tools import ingest_api

pytestmark = pytest.mark.corpus
BUDGET_BYTES = 25_000
"""About 6,000 tokens: what one tool result may cost a model's context."""


async def test_stripe_is_summarised_within_budget_and_searchable_by_resource(specs_dir, settings):
    source = str(specs_dir / "stripe" / "spec3.yaml")
    whole = await ingest_api(source, settings=settings)
    customers = await ingest_api(source, resource="customer", settings=settings)
    assert whole.endpoint_count > 400 and whole.truncated and len(whole.endpoints) == 40
    assert len(whole.model_dump_json()) < BUDGET_BYTES
    assert "customers" in {r.resource for r in whole.resources}
    assert {e.endpoint for e in customers.endpoints} >= {"GET /v1/customers", "POST /v1/customers"}
    assert all(e.resource == "customers" for e in customers.endpoints)
    listing = next(e for e in customers.endpoints if e.endpoint == "GET /v1/customers")
    assert any(f.startswith("email: string") for f in listing.fields)
    assert listing.fields[-1].startswith("… ") and "more fields" in listing.fields[-1]
    assert len(customers.model_dump_json()) < BUDGET_BYTES
