"""Synthetic records are valid for their schema, deterministic per seed, realistic, and carry edge cases."""

from __future__ import annotations

import ipaddress
import re
import uuid
from datetime import date, datetime
from random import Random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from vitesse.errors import GuardianError
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.guardian.synthetic import (
    EDGE_PROFILES,
    EdgeCase,
    conforms,
    from_regex,
    generate_records,
    generate_value,
    profile_for,
)
from vitesse.graph.ingestor import ingest_path
from vitesse.sandbox.schema import to_json_schema
from vitesse.schemas import APISpecification


@pytest.fixture(scope="module")
def shop() -> APISpecification:
    return ingest_path(SHOP_SPEC)


@pytest.fixture(scope="module")
def crm() -> APISpecification:
    return ingest_path(CRM_SPEC)


def _validator(schema: dict[str, Any], schemas: dict[str, Any]) -> Draft202012Validator:
    """An independent check: our converter, jsonschema's own format checker."""
    return Draft202012Validator(
        to_json_schema(schema, schemas, mode="response"), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _record_schemas(spec: APISpecification) -> list[tuple[str, dict[str, Any]]]:
    return [(ep.key, ep.record_schema) for ep in spec.endpoints if ep.is_list and ep.record_schema]


def test_every_example_record_validates_against_its_schema_in_every_profile(shop, crm):
    """Forty records per list endpoint of both example APIs (all four edge profiles) pass jsonschema."""
    for spec in (shop, crm):
        for key, schema in _record_schemas(spec):
            validator = _validator(schema, spec.schemas)
            for index, record in enumerate(generate_records(schema, spec.schemas, count=40, seed=11)):
                errors = [e.message for e in validator.iter_errors(record)]
                assert errors == [], f"{key} record {index} ({profile_for(index)}): {errors}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32), index=st.integers(min_value=0, max_value=7))
def test_records_are_valid_for_any_seed(shop, crm, seed, index):
    """Property: whatever the seed, each profile's record validates (customers, orders, contacts, companies)."""
    for spec in (shop, crm):
        for key, schema in _record_schemas(spec):
            record = generate_records(schema, spec.schemas, count=index + 1, seed=seed)[index]
            assert not list(_validator(schema, spec.schemas).iter_errors(record)), key


def test_the_same_seed_gives_the_same_records_and_another_seed_does_not(crm):
    schema = crm.find_endpoint("GET /contacts").record_schema
    first = generate_records(schema, crm.schemas, count=12, seed="alpha")
    again = generate_records(schema, crm.schemas, count=12, seed="alpha")
    other = generate_records(schema, crm.schemas, count=12, seed="beta")
    assert first == again
    assert first != other
    assert generate_records(schema, crm.schemas, count=5, seed="alpha") == first[:5], "record i depends on i only"


def test_record_zero_is_the_schemas_own_example(shop):
    customer = generate_records(shop.find_endpoint("GET /customers").record_schema, shop.schemas, count=1, seed=3)[0]
    assert customer["id"] == "cus_8fK2mQ1xZt"
    assert customer["first_name"] == "María"
    assert customer["billing_address"]["province_code"] == "CA"


def test_fields_with_examples_mostly_take_them_but_identifiers_do_not(shop):
    """The shop's loose phone pattern is filled from its examples, as the example README asks; ids stay unique."""
    schema = shop.find_endpoint("GET /customers").record_schema
    records = generate_records(schema, shop.schemas, count=60, seed=5, edge_cases=False)
    examples = {"+1 (415) 555-0100", "415.555.0199", "+44 20 7946 0958"}
    phones = [r["phone"] for r in records if "phone" in r]
    assert sum(p in examples for p in phones) >= len(phones) // 2
    assert len({r["id"] for r in records}) == len(records)
    assert len({r["email"] for r in records[1:]}) >= 55


def test_values_look_real_and_hang_together(crm):
    contact = crm.find_endpoint("GET /contacts").record_schema
    records = generate_records(contact, crm.schemas, count=30, seed=9, edge_cases=False)[1:]
    for record in records:
        local = record["primary_email"].split("@")[0]
        assert record["given_name"].lower()[:3] in local, record
        assert record["primary_email"].endswith(("example.com", "example.org", "example.net"))
        for phone in record.get("phone_numbers", []):
            assert re.fullmatch(r"\+1\d{10}", phone["number"]), "E.164 numbers with a realistic length"
        if record.get("mailing_address", {}).get("country") == "US":
            assert re.fullmatch(r"\d{5}", record["mailing_address"].get("postal_code") or "00000")
        assert record["created_at"] <= record["updated_at"]


def test_edge_profiles_appear_at_odd_indexes_in_order():
    assert [profile_for(i) for i in range(10)] == [
        None, EdgeCase.MINIMAL, None, EdgeCase.UNICODE, None, EdgeCase.MAXIMAL, None, EdgeCase.BOUNDARY, None,
        EdgeCase.MINIMAL,
    ]  # fmt: skip
    assert all(profile_for(i, edge_cases=False) is None for i in range(10))
    assert profile_for(1, edge_cases=["unicode"]) == EdgeCase.UNICODE
    assert len(EDGE_PROFILES) == 4


def test_edge_cases_are_present(shop, crm):
    """Minimal: required fields only; unicode: non-ASCII names; maximal: every field at its longest; boundary."""
    customer = shop.find_endpoint("GET /customers").record_schema
    records = generate_records(customer, shop.schemas, count=8, seed=2)
    required = set(shop.schemas["Customer"]["required"])
    assert set(records[1]) == required, "minimal profile: only required properties"
    assert any(not c.isascii() for c in records[3]["first_name"] + records[3]["last_name"])
    maximal = records[5]
    assert len(maximal["first_name"]) == 100 and len(maximal["last_name"]) == 100
    assert set(maximal) >= set(shop.schemas["Customer"]["properties"]) - {"phone"}
    assert maximal["tags"] and len(maximal["tags"]) <= 50
    company = crm.find_endpoint("GET /companies").record_schema
    boundary = generate_records(company, crm.schemas, count=8, seed=2)[7]
    assert boundary["employee_count"] in (None, 0, 2**53 - 1)
    assert boundary["created_at"] in ("1970-01-01T00:00:00Z", "2038-01-19T03:14:07Z")


FORMATS = [
    ("email", lambda v: re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", v)),
    ("uuid", lambda v: uuid.UUID(v)),
    ("date-time", lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))),
    ("date", lambda v: date.fromisoformat(v)),
    ("uri", lambda v: v.startswith("https://")),
    ("ipv4", lambda v: ipaddress.IPv4Address(v)),
    ("ipv6", lambda v: ipaddress.IPv6Address(v)),
    ("hostname", lambda v: re.fullmatch(r"[a-z0-9.-]+", v)),
]


@pytest.mark.parametrize(("fmt", "check"), FORMATS, ids=[f for f, _ in FORMATS])
def test_formats_are_produced_in_their_shape(fmt, check):
    rng = Random(4)
    for _ in range(20):
        value = generate_value({"type": "string", "format": fmt}, {}, rng)
        assert check(value), (fmt, value)


PATTERNS = [
    r"^cus_[A-Za-z0-9]+$",
    r"^\+[1-9]\d{1,14}$",
    r"^AC[0-9a-fA-F]{32}$",
    r"^(SM|MM)[0-9a-fA-F]{32}$",
    r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?$",
    r"(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
    r"^[UW][A-Z0-9]{8,}$|^$",
    r"^[^@\s]+@example\.com$",
    r"(\w{1,4})-\1",
    "JWT \\S+",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_patterns_are_matched(pattern):
    rng = Random(8)
    for _ in range(15):
        value = from_regex(pattern, rng)
        assert value is not None and re.search(pattern, value), (pattern, value)


def test_patterns_respect_length_bounds_and_impossible_ones_fall_back_honestly():
    rng = Random(1)
    value = from_regex(r"^[a-z]+$", rng, min_len=30, max_len=32)
    assert value is not None and 30 <= len(value) <= 32
    assert from_regex(r"^a$", rng, min_len=2) is None
    assert from_regex(r"[", rng) is None
    misses: list[list[str]] = []
    schema = {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string", "pattern": "^a$", "minLength": 3}},
    }
    generate_records(schema, {}, count=2, seed=1, misses=misses)
    assert misses == [["code"], ["code"]]


def test_numbers_respect_exclusive_bounds_and_multiples():
    rng = Random(3)
    schemas = [
        {"type": "integer", "minimum": 10, "maximum": 12, "exclusiveMaximum": True},
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        {"type": "integer", "minimum": 5, "multipleOf": 5, "maximum": 50},
    ]
    for schema in schemas:
        for profile in (None, *EDGE_PROFILES):
            value = generate_value(schema, {}, rng, profile=profile)
            assert conforms(value, schema, {}), (schema, profile, value)
    assert generate_value(schemas[0], {}, rng, profile="maximal") == 11


def test_nested_nullable_optional_arrays_and_discriminated_alternatives():
    schemas = {
        "Cat": {
            "type": "object",
            "required": ["kind", "lives"],
            "properties": {"kind": {"type": "string"}, "lives": {"type": "integer", "maximum": 9}},
        },
        "Dog": {
            "type": "object",
            "required": ["kind"],
            "properties": {"kind": {"type": "string"}, "good": {"type": "boolean"}},
        },
    }
    schema = {
        "type": "object",
        "required": ["pets", "note"],
        "properties": {
            "note": {"type": "string", "nullable": True, "maxLength": 5},
            "pets": {
                "type": "array",
                "minItems": 2,
                "maxItems": 4,
                "uniqueItems": True,
                "items": {
                    "oneOf": [{"$ref": "#/schemas/Cat"}, {"$ref": "#/schemas/Dog"}],
                    "discriminator": {
                        "propertyName": "kind",
                        "mapping": {"cat": "#/schemas/Cat", "dog": "#/schemas/Dog"},
                    },
                },
            },
            "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "uniqueItems": True},
        },
    }
    validator = _validator(schema, schemas)
    records = generate_records(schema, schemas, count=24, seed=6)
    for record in records:
        assert not list(validator.iter_errors(record)), record
        assert all(p["kind"] in ("cat", "dog") for p in record["pets"])
    assert any(r["note"] is None for r in records), "nullable fields are sometimes null"
    assert any("tags" not in r for r in records) and any("tags" in r for r in records), "optional fields vary"


def test_recursive_schemas_stop():
    schemas = {
        "Node": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/schemas/Node"}},
            },
        }
    }
    records = generate_records({"$ref": "#/schemas/Node"}, schemas, count=6, seed=1)
    validator = _validator({"$ref": "#/schemas/Node"}, schemas)
    assert all(not list(validator.iter_errors(r)) for r in records)


def test_read_and_write_modes_leave_out_the_other_sides_fields():
    schema = {
        "type": "object",
        "properties": {"id": {"type": "integer", "readOnly": True}, "password": {"type": "string", "writeOnly": True}},
    }
    read = generate_records(schema, {}, count=4, seed=1, edge_cases=["maximal"], mode="read")
    write = generate_records(schema, {}, count=4, seed=1, edge_cases=["maximal"], mode="write")
    assert all("password" not in r for r in read) and any("id" in r for r in read)
    assert all("id" not in r for r in write) and any("password" in r for r in write)


@pytest.mark.parametrize(
    ("schema", "schemas", "count", "message"),
    [
        ([], {}, 1, "must be a JSON object"),
        ({}, [], 1, "named schemas"),
        ({}, {}, -1, "non-negative"),
    ],
)
def test_bad_input_is_a_guardian_error_that_says_what_to_fix(schema, schemas, count, message):
    with pytest.raises(GuardianError, match=message):
        generate_records(schema, schemas, count=count, seed=1)
