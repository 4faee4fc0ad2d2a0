"""propose_mapping: global assignment, threshold, collect/split, transforms and the example pair's golden."""

from __future__ import annotations

import re

import pytest

from tests.unit.mapper.helpers import dest_spec, f, source_spec
from vitesse.examples import EXAMPLE_SPECS_DIR
from vitesse.graph.mapper import MapperOptions, propose_mapping
from vitesse.schemas import TransformType
from vitesse.transforms import compile_mapping


def _by_dest(mapping):
    return {t.dest_field: t for t in mapping.transformations}


def _example_golden() -> dict[str, list[set[str]]]:
    text = (EXAMPLE_SPECS_DIR / "README.md").read_text()
    block = text.split("<!-- golden-mapping:start -->")[1].split("<!-- golden-mapping:end -->")[0]
    golden = {}
    for line in block.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 5:
            continue
        sources = [{s} for s in re.findall(r"`([^`]+)`", cells[1] + " " + cells[4])]
        golden[cells[0].strip("`")] = sources
    return golden


def test_the_example_pair_matches_its_golden_table(shop, crm):
    mapping = propose_mapping(shop, crm, "Sync Acme Shop customers to Orbit CRM contacts")
    golden = _example_golden()
    got = _by_dest(mapping)
    correct = [d for d, t in got.items() if d in golden and set(t.source_fields) in golden[d]]
    assert len(golden) == 15
    assert len(correct) / len(got) >= 0.9 and len(correct) / len(golden) >= 0.9
    assert {u.dest_field for u in mapping.unmapped_dest if u.reason == "needs_lookup"} == {"owner_id", "company_id"}


def test_the_example_mapping_sets_endpoints_and_compiles(shop, crm):
    mapping = propose_mapping(shop, crm, "Sync Acme Shop customers to Orbit CRM contacts")
    assert (mapping.source_endpoint, mapping.dest_endpoint) == ("GET /customers", "POST /contacts")
    assert mapping.source_records_at == "data[]"
    assert mapping.produced_by == "offline" and mapping.version == 1 and 1 <= mapping.complexity_score <= 10
    compile_mapping(mapping)
    got = _by_dest(mapping)
    assert got["phone_numbers[].number"].transform_config == {"as": "phone_e164", "default_region": "US"}
    assert got["lifecycle_stage"].transform_config["map"] == {"active": "CUSTOMER", "invited": "LEAD",
                                                              "disabled": "CHURNED"}  # fmt: skip
    assert all(0 < t.confidence <= 1 and t.rationale for t in mapping.transformations)


def test_one_source_field_is_not_used_twice():
    src = source_spec([f("email"), f("email_domain")])
    dst = dest_spec([f("email"), f("alternate_emails[]")])
    got = _by_dest(propose_mapping(src, dst))
    assert got["email"].source_fields == ["email"]
    assert "alternate_emails[]" not in got


def test_fields_below_the_threshold_stay_unmapped_with_candidates():
    src = source_spec([f("nickname"), f("shipping.phone")])
    dst = dest_spec([f("phone", required=True), f("job_title")])
    strict = propose_mapping(src, dst, options=MapperOptions(threshold=0.95))
    missing = {u.dest_field: u for u in strict.unmapped_dest}
    assert missing["phone"].required and missing["phone"].reason == "below_threshold"
    assert missing["phone"].candidates[0][0] == "shipping.phone"
    assert missing["job_title"].reason == "no_candidate"
    assert strict.unmapped_required == ["phone"]
    assert _by_dest(propose_mapping(src, dst))["phone"].source_fields == ["shipping.phone"]


def test_first_and_last_name_are_collected_into_a_full_name():
    src = source_spec([f("first_name"), f("last_name"), f("email")])
    got = _by_dest(propose_mapping(src, dest_spec([f("name", required=True), f("email")])))
    assert got["name"].transform_type is TransformType.COLLECT
    assert got["name"].source_fields == ["first_name", "last_name"]


def test_a_full_name_is_split_when_the_destination_has_only_first_and_last():
    src = source_spec([f("name"), f("email")])
    got = _by_dest(propose_mapping(src, dest_spec([f("first_name"), f("last_name"), f("email")])))
    assert (got["first_name"].transform_type, got["first_name"].transform_config) == (TransformType.SPLIT,
                                                                                      {"part": "first"})  # fmt: skip
    assert got["last_name"].transform_config == {"part": "rest"}


def test_a_full_name_is_not_split_when_the_destination_takes_it_whole():
    src = source_spec([f("name")])
    got = _by_dest(propose_mapping(src, dest_spec([f("DisplayName"), f("GivenName"), f("FamilyName")])))
    assert list(got) == ["DisplayName"]


def test_billing_fields_come_from_billing_and_shipping_from_shipping():
    src = source_spec([f(f"{p}.{leaf}") for p in ("billing_address", "shipping_address") for leaf in ("city", "zip")])
    dst = dest_spec([f(f"{p}.{leaf}") for p in ("BillAddr", "ShipAddr") for leaf in ("City", "PostalCode")])
    got = _by_dest(propose_mapping(src, dst))
    assert got["BillAddr.City"].source_fields == ["billing_address.city"]
    assert got["ShipAddr.PostalCode"].source_fields == ["shipping_address.zip"]


def test_array_wrapper_and_records_path_come_from_the_endpoints():
    src = source_spec([f("email")])
    mapping = propose_mapping(src, dest_spec([f("contacts[].email")], wrapper="contacts[]"))
    assert mapping.dest_array_wrapper == "contacts[]" and mapping.source_records_at == "data[]"
    assert _by_dest(mapping)["contacts[].email"].source_fields == ["email"]


@pytest.mark.parametrize(
    ("dest", "source", "kind", "config"),
    [
        (
            f("add_time", description="Format: YYYY-MM-DD HH:MM:SS"),
            f("created", "integer", format="unix-time"),
            TransformType.FORMAT,
            {"from": "unix", "to": "%Y-%m-%d %H:%M:%S"},
        ),
        (f("reference_id"), f("id", "integer"), TransformType.STRINGIFY, {}),
        (f("phone", "integer"), f("phone"), TransformType.PARSE, {"as": "integer"}),
        (
            f("Taxable", "boolean"),
            f("tax_exempt", enum=["none", "exempt"]),
            TransformType.ENUM,
            {"map": {"none": True, "exempt": False}},
        ),
        (
            f("country", description="Country name, or ISO alpha-3"),
            f("country", description="Two-letter code"),
            TransformType.MAPPING,
            None,
        ),
        (
            f("status", enum=["ACTIVE", "ARCHIVED"]),
            f("status", enum=["active", "archived"]),
            TransformType.ENUM,
            {"map": {"active": "ACTIVE", "archived": "ARCHIVED"}},
        ),
    ],
    ids=["unix-to-pattern", "stringify", "parse", "inverted-enum", "country-name", "enum-case"],
)
def test_transform_follows_types_formats_and_enums(dest, source, kind, config):
    t = _by_dest(propose_mapping(source_spec([source]), dest_spec([dest])))[dest.path]
    assert t.transform_type is kind
    if config is not None:
        assert t.transform_config == config
    else:
        assert t.transform_config["map"]["FR"] == "France"
    compile_mapping(propose_mapping(source_spec([source]), dest_spec([dest])))
