"""Names split into tokens, and each signal scores the cases it exists for."""

from __future__ import annotations

import pytest

from tests.unit.mapper.helpers import f
from vitesse.graph.mapper import signals
from vitesse.graph.mapper.fields import common_wrapper, match_concepts, view
from vitesse.graph.mapper.tokens import normalise, singular, split_name


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("CountrySubDivisionCode", ("country", "sub", "division", "code")),
        ("address_line_1", ("address", "line", "1")),
        ("idList", ("id", "list")),
        ("phone-number", ("phone", "number")),
        ("GSTIN", ("gstin",)),
    ],
)
def test_names_split_on_case_underscores_dashes_and_digits(name, words):
    assert split_name(name) == words


def test_normalise_expands_abbreviations_and_singularises():
    assert normalise("BillAddr") == ("billing", "address")
    assert normalise("addresses") == ("address",)
    assert singular("companies") == "company" and singular("status") == "status"


def test_synonym_phrases_become_one_concept():
    assert match_concepts(normalise("given_name")) == ("@first_name",)
    assert match_concepts(normalise("zip")) == match_concepts(normalise("postal_code")) == ("@postal_code",)
    assert match_concepts(normalise("administrative_district_level_1")) == ("@region",)


@pytest.mark.parametrize(
    ("dest", "source"),
    [("given_name", "first_name"), ("family_name", "last_name"), ("postal_code", "zip"), ("organization", "company")],
)
def test_synonyms_score_as_high_as_identical_names(dest, source):
    assert signals.name_similarity(view(f(dest)), view(f(source))) == pytest.approx(1.0)


def test_unrelated_names_score_zero():
    assert signals.name_similarity(view(f("given_name")), view(f("postal_code"))) == 0.0


def test_generic_leaf_takes_its_meaning_from_the_parent():
    assert signals.name_similarity(view(f("email[].value")), view(f("email"))) == pytest.approx(1.0)
    assert signals.name_similarity(view(f("PrimaryPhone.FreeFormNumber")), view(f("phone"))) > 0.8


def test_billing_and_shipping_roles_do_not_match():
    billing, shipping = view(f("BillAddr.City")), view(f("shipping_address.city"))
    assert signals.role_factor(billing, shipping) < 0.5
    assert signals.role_factor(billing, view(f("billing_address.city"))) == 1.0


def test_fuzzy_similarity_refuses_different_concepts_and_numbers():
    assert signals.fuzzy_similarity(view(f("Line4")), view(f("line1"))) == 0.0
    assert signals.fuzzy_similarity(view(f("ClassRef.name")), view(f("customer.last_name"))) == 0.0
    assert signals.fuzzy_similarity(view(f("custmer_note")), view(f("customer_note"))) > 0.9


def test_type_factor_prefers_same_types_and_penalises_dates_into_plain_text():
    text, number = view(f("code")), view(f("code", "integer"))
    assert signals.type_factor(text, view(f("code"))) == 1.0
    assert signals.type_factor(text, number) < 1.0
    assert signals.type_factor(view(f("nickname")), view(f("created_at", format="date-time"))) < 0.6


def test_unexplained_source_arrays_cost_more_than_same_name_arrays():
    city = view(f("address.city"))
    assert signals.array_factor(city, view(f("addresses[].city"))) > signals.array_factor(
        city, view(f("fulfillments[].origin.city"))
    )


def test_wrappers_are_found_from_the_body():
    fields = [f("contact.email"), f("contact.firstName")]
    assert common_wrapper(fields, None) == "contact"
    assert common_wrapper(fields, "contacts[]") == "contacts[]"
    assert common_wrapper([f("email"), f("name")], None) is None
