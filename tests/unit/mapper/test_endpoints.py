"""Endpoint selection from the intent; explicit endpoints always win."""

from __future__ import annotations

import pytest

from tests.unit.mapper.helpers import dest_spec, f, source_spec
from vitesse.errors import MappingError
from vitesse.graph.mapper import select_endpoints
from vitesse.graph.mapper.endpoints import split_intent
from vitesse.schemas import APISpecification, Endpoint, HttpMethod


def _api(*endpoints: tuple[str, str, str, str]) -> APISpecification:
    eps = [Endpoint(method=HttpMethod(m), path=p, resource=r, action=a) for m, p, r, a in endpoints]
    return APISpecification(name="api", spec_version="3.0.3", endpoints=eps)


def test_intent_splits_into_source_and_destination_words():
    assert split_intent("Sync Shopify customers to the CRM's contacts") == (
        {"sync", "shopify", "customer"}, {"the", "crm", "s", "contact"},
    )  # fmt: skip
    src, dst = split_intent("Create Trello cards from Asana tasks")
    assert "task" in src and "card" in dst


def test_the_resource_named_in_the_intent_wins(shop, crm):
    choice = select_endpoints(shop, crm, "Sync Acme Shop customers to Orbit CRM contacts")
    assert (choice.source_endpoint, choice.dest_endpoint) == ("GET /customers", "POST /contacts")
    assert choice.source_records_at == "data[]" and not choice.explicit
    assert "customers" in choice.rationale and choice.dest_alternatives


def test_orders_intent_picks_the_orders_endpoint(shop, crm):
    assert select_endpoints(shop, crm, "copy shop orders into the CRM companies").source_endpoint == "GET /orders"


def test_list_beats_search_and_create_beats_update_and_simple_paths_beat_nested():
    src = _api(("POST", "/tasks/search", "tasks", "search"), ("GET", "/projects/{id}/tasks", "tasks", "list"),
               ("GET", "/tasks", "tasks", "list"))  # fmt: skip
    dst = _api(("PUT", "/cards/{id}", "cards", "update"), ("POST", "/cards", "cards", "create"))
    choice = select_endpoints(src, dst, "tasks to cards")
    assert (choice.source_endpoint, choice.dest_endpoint) == ("GET /tasks", "POST /cards")
    assert choice.source_alternatives[0] == "GET /projects/{id}/tasks"


def test_explicit_endpoints_win_in_every_accepted_form(shop, crm):
    choice = select_endpoints(shop, crm, "customers to contacts", source_endpoint="/orders", dest_endpoint="/companies")
    assert (choice.source_endpoint, choice.dest_endpoint) == ("GET /orders", "POST /companies")
    assert choice.explicit and "(given)" in choice.rationale


def test_unknown_explicit_endpoint_is_a_mapping_error_naming_close_ones(shop, crm):
    with pytest.raises(MappingError, match="closest: .*GET /customers"):
        select_endpoints(shop, crm, "", source_endpoint="GET /customer")


def test_an_api_without_list_endpoints_is_a_mapping_error():
    only_create = dest_spec([f("email")])
    with pytest.raises(MappingError, match="no endpoint that lists or creates"):
        select_endpoints(only_create, source_spec([f("email")]), "x to y")
