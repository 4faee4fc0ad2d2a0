"""Destination fields that hold the destination's own ids need a lookup; system fields are left alone."""

from __future__ import annotations

import pytest

from tests.unit.mapper.helpers import f
from vitesse.graph.mapper.classify import Skip, classify_dest, is_noise_source, is_reference
from vitesse.graph.mapper.fields import view


@pytest.mark.parametrize(
    "field",
    [
        f("owner_id", "integer"),
        f("org_id", "integer"),
        f("idList", description="id of the list that the card should be added to"),
        f("CustomerRef.value", description="The ID for the referenced object"),
        f("label", "integer", description="The ID of the label."),
        f("list_ids[]"),
    ],
    ids=lambda x: x.path,
)
def test_ids_of_destination_entities_need_a_lookup(field):
    assert classify_dest(view(field)) is Skip.LOOKUP


@pytest.mark.parametrize(
    "field",
    [
        f("phone_number_id", description="The contact's Phone Number ID. This must be a valid phone number."),
        f("external_id"),
        f("reference_id"),
        f("CurrencyRef.value", description="A three letter string representing the ISO 4217 code"),
        f("PrimaryTaxIdentifier"),
        f("email"),
    ],
    ids=lambda x: x.path,
)
def test_value_fields_that_look_like_ids_are_matched(field):
    assert classify_dest(view(field)) is None


@pytest.mark.parametrize("path", ["Id", "SyncToken", "MetaData.CreateTime", "idempotency_key"])
def test_fields_the_destination_manages_are_system_fields(path):
    assert classify_dest(view(f(path))) is Skip.SYSTEM


def test_read_only_destination_fields_are_skipped():
    assert classify_dest(view(f("created_at", read_only=True))) is Skip.READ_ONLY


def test_envelope_fields_of_the_source_are_noise():
    assert is_noise_source(view(f("object", enum=["customer"])))
    assert is_noise_source(view(f("tax_ids.has_more", "boolean")))
    assert not is_noise_source(view(f("email")))


def test_source_foreign_keys_are_references_but_the_record_id_is_not():
    assert is_reference(view(f("customer.id", "integer")))
    assert is_reference(view(f("default_source", description="ID of the default payment source.")))
    assert not is_reference(view(f("id")))
