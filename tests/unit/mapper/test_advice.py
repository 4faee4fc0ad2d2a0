"""A thin mapping carries advice a person can act on: guessed endpoints, required fields left unmapped."""

from __future__ import annotations

import pytest

from tests.unit.mapper.helpers import dest_spec, f, source_spec
from vitesse.graph.mapper import heal_mapping, propose_mapping, select_endpoints
from vitesse.graph.mapper.advice import UNMAPPED_REQUIRED, endpoint_advice, records_word
from vitesse.schemas import APISpecification, Endpoint, FieldIssue, HttpMethod, IssueKind


def _api(*endpoints: tuple[str, str, str, str]) -> APISpecification:
    eps = [Endpoint(method=HttpMethod(m), path=p, resource=r, action=a) for m, p, r, a in endpoints]
    return APISpecification(name="api", spec_version="3.0.3", endpoints=eps)


def test_a_vague_intent_guesses_the_destination_and_the_advice_points_to_the_better_endpoint(shop, crm):
    """The guide's intent names no CRM records: POST /companies is a guess, POST /contacts is offered."""
    mapping = propose_mapping(shop, crm, "Sync Shopify customers to Credo CRM")

    assert mapping.dest_endpoint == "POST /companies"
    assert mapping.warnings == [
        "The destination endpoint POST /companies is a best-available guess: the intent names none of its records. "
        "Name the endpoint with dest_endpoint (best alternatives: POST /contacts), or write an intent that names "
        'the records, e.g. "customers to contacts".'
    ]
    assert mapping.rationale.endswith(
        "; destination guessed: name dest_endpoint (e.g. POST /contacts) or write an intent that names its records"
    )


def test_the_clearer_intent_the_advice_suggests_picks_the_endpoint_it_names(shop, crm):
    assert propose_mapping(shop, crm, "customers to contacts").dest_endpoint == "POST /contacts"


@pytest.mark.parametrize(
    ("intent", "endpoints"),
    [
        ("Sync Shopify customers to CRM contacts", {}),
        ("Sync Shopify customers to Credo CRM", {"source_endpoint": "/customers", "dest_endpoint": "/contacts"}),
    ],
    ids=["named-by-intent", "given"],
)
def test_endpoints_named_by_the_intent_or_given_carry_no_advice(shop, crm, intent, endpoints):
    mapping = propose_mapping(shop, crm, intent, **endpoints)
    assert mapping.warnings == [] and "guessed" not in mapping.rationale


def test_a_guessed_source_suggests_its_alternatives_and_a_clearer_intent():
    src = _api(("GET", "/tasks", "tasks", "list"), ("GET", "/boards", "boards", "list"))
    dst = _api(("POST", "/cards", "cards", "create"))
    choice = select_endpoints(src, dst, "copy everything into cards")
    assert choice.source_guessed and not choice.dest_guessed

    (line,) = endpoint_advice(choice)
    other = choice.source_alternatives[0]
    assert line.startswith(f"The source endpoint {choice.source_endpoint} is a best-available guess")
    assert f"source_endpoint (best alternatives: {other})" in line
    assert f'e.g. "{records_word(other)} to cards"' in line


def test_required_fields_nothing_maps_to_are_named_with_what_to_do(shop, crm):
    mapping = propose_mapping(shop, crm, "Sync shop orders into CRM companies")

    assert mapping.unmapped_required == ["name"]
    (line,) = mapping.warnings
    assert line.startswith(f"{UNMAPPED_REQUIRED} in POST /companies: name (below the match threshold; closest ")
    assert "give it a constant or default" in line and "dest_endpoint (best alternatives: POST /contacts)" in line
    assert mapping.rationale.endswith("; required fields unmapped: name")


def test_heal_drops_the_unmapped_line_once_the_field_is_filled():
    """A required field with a default stays unmapped by the matcher; heal gives it a constant and the advice goes."""
    src = source_spec([f("email")])
    dst = dest_spec([f("email"), f("nickname", default="n/a", required=True)])
    mapping = propose_mapping(src, dst, "customers to contacts")
    assert [w for w in mapping.warnings if w.startswith(UNMAPPED_REQUIRED)], "nickname is named first"
    issue = FieldIssue(dest_field="nickname", kind=IssueKind.MISSING_REQUIRED, message="nickname is required")

    healed = heal_mapping(mapping, [issue], src, dst)

    assert healed.unmapped_required == [] and healed.warnings == []


@pytest.mark.parametrize(
    ("key", "word"),
    [("POST /v1/contacts", "contacts"), ("GET /line_items/{id}", "line items"), ("POST /chat.postMessage", None)],
)
def test_records_word_is_the_last_plain_path_segment(key, word):
    assert records_word(key) == word
