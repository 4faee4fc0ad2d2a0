"""The guide's agent snippets (Ingestor, Mapper, Guardian) run as printed, only the import line changed.

Placeholders: the guide's spec URLs are the example specs served on loopback (see conftest), credentials
are test values, and `integration_obj` is the IntegrationInstance the first two snippets produce.
"""

from __future__ import annotations

import pytest

from vitesse import AgentContext, IntegrationInstance, VitesseGuardian, VitesseIngestor, VitesseMapper
from vitesse.errors import ConfigError, GuardianError, MappingError
from vitesse.examples import SHOP_SPEC
from vitesse.graph.ingestor.load import load_document
from vitesse.graph.ingestor.pagination import Evidence
from vitesse.schemas import APISpecification, AuthType, Field, HealthScore, MappingLogic, PaginationStyle, TestResult


@pytest.fixture
def context(guide_env) -> AgentContext:
    return AgentContext()


async def test_the_ingestor_snippet_reads_the_spec_url_and_reports_the_documented_fields(context, guide_hosts):
    ingestor = VitesseIngestor(context)

    result = await ingestor.execute(
        context={...},
        input_data={
            "api_url": guide_hosts.shopify_spec_url,
            "api_name": "Shopify",
            "auth_details": {"type": "oauth2", "...": "..."},
        },
    )

    spec = result["api_spec"]
    assert isinstance(spec, APISpecification)
    assert spec.name == "Shopify" and spec.title == "Acme Shop API"
    assert result["endpoints_count"] == len(spec.endpoints) == 8
    assert result["auth_type"] == AuthType.API_KEY.value == "api_key"
    listing = spec.find_endpoint("GET /customers")
    assert listing is not None and listing.pagination is not None
    assert listing.pagination.style is PaginationStyle.CURSOR
    assert spec.base_url == guide_hosts.shop_sandbox.base_url


async def test_the_ingestor_snippet_for_apis_without_a_public_spec_takes_spec_url(context, guide_hosts):
    """The CoinGecko case: the API's base URL publishes nothing, `spec_url` names the document."""
    ingestor = VitesseIngestor(context)

    result = await ingestor.execute(
        context={},
        input_data={
            "api_url": f"{guide_hosts.coingecko.url}/api/v3",
            "api_name": "CoinGecko",
            "spec_url": guide_hosts.credo_spec_url,
            "auth_details": {},
        },
    )

    assert result["api_spec"].title == "Orbit CRM API"
    assert (result["endpoints_count"], result["auth_type"]) == (8, "http_bearer")
    assert not any(path.startswith("/api/v3") for path in guide_hosts.coingecko.requested), "spec_url is read as is"


async def test_an_api_base_url_is_discovered_at_the_common_locations(context, guide_hosts):
    result = await VitesseIngestor(context).execute(
        context={}, input_data={"api_url": guide_hosts.shopify.url, "api_name": "Shopify"}
    )
    assert result["api_spec"].title == "Acme Shop API"
    assert "/swagger.json" in guide_hosts.shopify.requested


async def test_the_ingestors_helper_methods_delegate_to_the_engine(context, guide_hosts):
    ingestor = VitesseIngestor(context)
    document = await ingestor._fetch_spec(guide_hosts.shopify_spec_url)
    assert document["info"]["title"] == "Acme Shop API"
    assert await ingestor._fetch_spec(str(SHOP_SPEC)) == load_document(SHOP_SPEC.read_bytes())

    spec = ingestor._parse_openapi_spec(document, "Shopify")
    assert (spec.name, spec.spec_version) == ("Shopify", "3.1.0")
    assert [e.key for e in ingestor._extract_endpoints(document)] == [e.key for e in spec.endpoints]
    assert "GET /customers" in [e.key for e in ingestor._extract_endpoints(spec)]
    (scheme,) = ingestor._extract_auth(document)
    assert (scheme.name, scheme.type, scheme.parameter_name) == ("ApiKeyAuth", AuthType.API_KEY, "X-API-Key")

    listing = spec.find_endpoint("GET /customers")
    assert ingestor._detect_pagination(listing) == listing.pagination
    evidence = Evidence(
        query_params=["page", "per_page"],
        envelope=[Field(path="total", type="integer")],
        headers=[],
        records_at="data[]",
        primary_key="id",
    )
    paging = ingestor._detect_pagination(evidence)
    assert (paging.style, paging.page_param, paging.limit_param, paging.total_path) == (
        PaginationStyle.PAGE,
        "page",
        "per_page",
        "total",
    )


async def test_the_mapper_snippet_maps_customers_to_contacts(context, example_specs):
    source_spec, dest_spec = example_specs
    mapper = VitesseMapper(context)

    result = await mapper.execute(
        context={},
        input_data={
            "source_api_spec": source_spec,
            "dest_api_spec": dest_spec,
            "user_intent": "Sync Shopify customers to Credo CRM",
            "source_endpoint": "/customers",
            "dest_endpoint": "/contacts",
        },
    )

    mapping = result["mapping_logic"]
    assert isinstance(mapping, MappingLogic)
    assert (mapping.source_endpoint, mapping.dest_endpoint) == ("GET /customers", "POST /contacts")
    assert result["transformation_count"] == len(mapping.transformations) >= 10
    assert 1 <= result["complexity_score"] == mapping.complexity_score <= 10
    assert result["unmapped_required"] == mapping.unmapped_required == []
    pairs = {t.dest_field: t.source_fields for t in mapping.transformations}
    assert pairs["given_name"] == ["first_name"] and pairs["primary_email"] == ["email"]
    kinds = {t.dest_field: t.transform_type.value for t in mapping.transformations}
    assert kinds["phone_numbers[].number"] == "parse" and kinds["lifecycle_stage"] == "enum"


async def test_the_mapper_takes_specs_as_json_too(context, example_specs):
    source_spec, dest_spec = example_specs
    result = await VitesseMapper(context).execute(
        context={},
        input_data={
            "source_api_spec": source_spec.model_dump(mode="json", by_alias=True),
            "dest_api_spec": dest_spec.model_dump(mode="json", by_alias=True),
            "user_intent": "Sync Shopify customers to Credo CRM contacts",
        },
    )
    assert (result["mapping_logic"].source_endpoint, result["mapping_logic"].dest_endpoint) == (
        "GET /customers",
        "POST /contacts",
    )


async def test_the_guardian_snippet_proves_the_mapping_with_100_shadow_calls(context, example_specs):
    source_spec, dest_spec = example_specs
    mapped = await VitesseMapper(context).execute(
        context={},
        input_data={"source_api_spec": source_spec, "dest_api_spec": dest_spec, "user_intent": "customers to contacts"},
    )
    integration_obj = IntegrationInstance(
        name="Shopify → Credo CRM",
        source_spec=source_spec,
        dest_spec=dest_spec,
        mapping_logic=mapped["mapping_logic"],
    )
    guardian = VitesseGuardian(context)

    result = await guardian.execute(
        context={},
        input_data={
            "integration_instance": integration_obj,
            "test_count": 100,
            "source_endpoint": "/customers",
            "dest_endpoint": "/contacts",
        },
    )

    health = result["health_score"]
    assert isinstance(health, HealthScore)
    assert 70 <= health.overall_score <= 100 and result["passed"] is True
    assert health.overall_score == HealthScore.combine(health.success_rate, health.endpoint_coverage)
    assert len(result["test_results"]) >= 100 and all(isinstance(r, TestResult) for r in result["test_results"])
    assert {(r.method, r.endpoint) for r in result["test_results"]} == {("GET", "/customers"), ("POST", "/contacts")}
    assert result["critical_issues"] == health.critical_issues
    assert health.against == "sandbox"


async def test_the_context_relays_each_agents_progress_events(guide_env, example_specs):
    events: list[dict] = []
    context = AgentContext(on_event=events.append)
    source_spec, dest_spec = example_specs
    await VitesseMapper(context).execute(
        context={"integration_id": "integ_abc123"},
        input_data={"source_api_spec": source_spec, "dest_api_spec": dest_spec, "user_intent": "customers to contacts"},
    )
    assert [(e["event"], e["stage"], e["phase"], e["integration_id"]) for e in events] == [
        ("stage", "map", "started", "integ_abc123"),
        ("stage", "map", "finished", "integ_abc123"),
    ]
    assert events[1]["counts"]["transformation_count"] >= 10


async def test_missing_or_wrong_inputs_get_typed_errors_that_say_what_to_give(context, example_specs):
    with pytest.raises(ConfigError, match=r"VitesseIngestor.execute needs input_data\['api_url'\]"):
        await VitesseIngestor(context).execute(context={}, input_data={"api_name": "Shopify"})
    with pytest.raises(ConfigError, match=r"needs input_data\['dest_api_spec'\]"):
        await VitesseMapper(context).execute(context={}, input_data={"source_api_spec": example_specs[0]})
    with pytest.raises(MappingError, match=r"has no endpoint '/invoices'; closest:"):
        await VitesseMapper(context).execute(
            context={},
            input_data={
                "source_api_spec": example_specs[0],
                "dest_api_spec": example_specs[1],
                "source_endpoint": "/invoices",
            },
        )
    with pytest.raises(GuardianError, match="no mapping_logic to prove: run VitesseMapper first"):
        await VitesseGuardian(context).execute(
            context={}, input_data={"integration_instance": IntegrationInstance(source_spec=example_specs[0])}
        )
