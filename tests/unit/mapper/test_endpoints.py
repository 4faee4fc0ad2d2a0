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


# (intent, source head, source modifiers, dest head, dest modifiers, dest names a container)
READINGS = [
    ("Copy GitHub repository issues into a GitLab project", {"issue"}, {"git", "hub", "repository"}, {"project"},
     {"git", "lab"}, True),
    ("Add Asana project tasks to a Trello list as cards", {"task"}, {"asana", "project"}, {"card"},
     {"trello", "list"}, False),
    ("Sync Stripe customers to the CRM's contacts", {"customer"}, {"stripe"}, {"contact"}, {"crm"}, False),
    ("Create Trello cards from Asana tasks", {"task"}, {"asana"}, {"card"}, {"trello"}, False),
    ("Record Shopify orders as QuickBooks Online invoices", {"order"}, {"shopify"}, {"invoice"},
     {"quick", "book", "online"}, False),
    ("Sync my shop's customers into my CRM", {"customer"}, {"shop"}, {"crm"}, set(), True),
    ("Post Discord channel messages to Slack", {"message"}, {"discord", "channel"}, {"slack"}, set(), False),
]  # fmt: skip


@pytest.mark.parametrize(("intent", "src_head", "src_mods", "dst_head", "dst_mods", "container"), READINGS)
def test_the_intent_is_read_into_records_and_containers(intent, src_head, src_mods, dst_head, dst_mods, container):
    """The head noun names the records, other words their containers; `a <singular>` is one container."""
    from vitesse.graph.mapper.intent import read_intent

    src, dst, _ = read_intent(intent)
    assert (set(src.head), set(src.modifiers), src.container) == (src_head, src_mods, False)
    assert (set(dst.head), set(dst.modifiers), dst.container) == (dst_head, dst_mods, container)


def test_the_leading_verb_is_read_and_dropped_from_the_records():
    from vitesse.graph.mapper.intent import intent_verb, read_intent

    assert intent_verb("Provision Okta users from Personio employees") == "provision"
    assert intent_verb("Shopify customers to HubSpot") is None
    src, dst, verb = read_intent("Provision Okta users from Personio employees")
    assert verb == "provision" and set(dst.head) == {"user"} and "provision" not in dst.modifiers
    assert "provision" in dst.words and set(src.head) == {"employee"}


NESTED_SOURCE = [
    ("GET", "/issues", "issues", "list"),
    ("GET", "/repos/{owner}/{repo}/issues", "issues", "list"),
    ("GET", "/repositories", "repositories", "list"),
    ("GET", "/orgs/{org}/issues", "issues", "list"),
]
NESTED_DEST = [("POST", "/projects", "projects", "create"), ("POST", "/projects/{id}/issues", "issues", "create"),
               ("POST", "/projects/{id}/labels", "labels", "create"), ("POST", "/notes", "notes", "create"),
               ("POST", "/chat.postMessage", "chat", "create"), ("POST", "/chat.meMessage", "chat", "create"),
               ("POST", "/lists/{id}/cards", "cards", "create"), ("POST", "/cards", "cards", "create")]  # fmt: skip

# (intent, expected source, expected destination)
CONTAINER_CASES = [
    ("Copy Acme repository issues into a Bolt project", "GET /repos/{owner}/{repo}/issues",
     "POST /projects/{id}/issues"),
    ("Copy Acme issues into Bolt projects", "GET /issues", "POST /projects"),
    ("Copy Acme issues into Bolt", "GET /issues", "POST /projects/{id}/issues"),
    ("Sync Acme organisation issues into a Bolt project as notes", "GET /orgs/{org}/issues", "POST /notes"),
    ("Copy Acme repositories into Bolt projects", "GET /repositories", "POST /projects"),
    ("Post Acme issues to a Bolt list as cards", "GET /issues", "POST /lists/{id}/cards"),
    ("Copy Acme issues into Bolt cards", "GET /issues", "POST /cards"),
]  # fmt: skip


@pytest.mark.parametrize(("intent", "source_endpoint", "dest_endpoint"), CONTAINER_CASES)
def test_named_containers_select_the_nested_endpoint_and_records_carry_over(intent, source_endpoint, dest_endpoint):
    """A container named beside the records picks the path holding both; `into a <container>` keeps the records."""
    choice = select_endpoints(_api(*NESTED_SOURCE), _api(*NESTED_DEST), intent)
    assert (choice.source_endpoint, choice.dest_endpoint) == (source_endpoint, dest_endpoint)


def test_records_named_inside_an_operation_name_and_the_intent_verb_pick_the_call():
    """`/chat.postMessage` holds the record word; the intent's verb decides between look-alike operations."""
    choice = select_endpoints(_api(*NESTED_SOURCE), _api(*NESTED_DEST), "Post Acme messages to Bolt")
    assert choice.dest_endpoint == "POST /chat.postMessage"
