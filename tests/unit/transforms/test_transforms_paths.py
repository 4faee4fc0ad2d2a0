"""Path semantics: reading (R1–R3), writing (W1–W3) and element-wise mapping (E1–E2) of the package docstring."""

from __future__ import annotations

from typing import Any

import pytest

from vitesse.schemas import DataTransformation, MappingLogic
from vitesse.transforms import compile_mapping


def T(source: str | list[str], dest: str, kind: str = "direct", **config: Any) -> DataTransformation:
    sources = [source] if isinstance(source, str) else source
    return DataTransformation(source_fields=sources, dest_field=dest, transform_type=kind, transform_config=config)


def apply(ts: list[DataTransformation], record: dict[str, Any]) -> dict[str, Any]:
    mapping = MappingLogic(source_endpoint="GET /a", dest_endpoint="POST /b", transformations=ts)
    result = compile_mapping(mapping).apply(record)
    assert result.errors == [], result.errors
    return result.payload


LINES = {
    "currency": "USD",
    "line_items": [
        {"sku": "A-1", "title": "Mug", "quantity": 2, "price": "9.50"},
        {"sku": None, "title": "Tea", "quantity": 1, "price": "4.00"},
        {"sku": "C-3", "title": "Spoon", "quantity": 6, "price": "1.25"},
    ],
}

# (case id, transformations, record, expected payload)
CASES: list[tuple[str, list[DataTransformation], dict[str, Any], dict[str, Any]]] = [
    # R1: plain paths
    ("R1 nested read", [T("address.city", "city")], {"address": {"city": "Paris"}}, {"city": "Paris"}),
    ("R1 through a non-object is no value", [T("address.city", "city")], {"address": "Paris"}, {}),
    ("R1 through a list without [] is no value", [T("address.city", "city")], {"address": [{"city": "x"}]}, {}),
    ("R1 names may hold spaces", [T("First Name", "first_name")], {"First Name": "Mary"}, {"first_name": "Mary"}),
    # R2, R3: [] sources into single-value destinations
    (
        "R3 first non-null element",
        [T("emails[].value", "email")],
        {"emails": [{"value": None}, {"kind": "work"}, {"value": "b@x.example"}, {"value": "c@x.example"}]},
        {"email": "b@x.example"},
    ),
    (
        "R2 a lone object counts as one element",
        [T("emails[].value", "email")],
        {"emails": {"value": "a@x.example"}},
        {"email": "a@x.example"},
    ),
    ("R3 a plain-value array", [T("labels[]", "label")], {"labels": [None, "bug", "ui"]}, {"label": "bug"}),
    (
        "R3 nested [] are flattened for collect",
        [T("orders[].lines[].sku", "skus", "collect", **{"as": "list"})],
        {"orders": [{"lines": [{"sku": "a"}, {"sku": "b"}]}, {"lines": []}, {"lines": [{"sku": "c"}]}]},
        {"skus": ["a", "b", "c"]},
    ),
    ("R3 empty array is no value", [T("emails[].value", "email")], {"emails": []}, {}),
    # W1–W3: writing
    (
        "W1 objects are created",
        [T("city", "BillAddr.City"), T("zip", "BillAddr.PostalCode")],
        {"city": "Paris", "zip": "75001"},
        {"BillAddr": {"City": "Paris", "PostalCode": "75001"}},
    ),
    ("W1 no empty object for missing values", [T("city", "BillAddr.City")], {}, {}),
    ("W2 leaf array wraps one value", [T("tag", "tags[]")], {"tag": "vip"}, {"tags": ["vip"]}),
    ("W2 leaf array takes a list as it is", [T("tags", "tags[]")], {"tags": ["a", "b"]}, {"tags": ["a", "b"]}),
    (
        "W3 one value through an array",
        [T("email", "email[].value")],
        {"email": "a@x.example"},
        {"email": [{"value": "a@x.example"}]},
    ),
    (
        "W3 several fields build one element",
        [T("email", "email[].value"), T([], "email[].primary", "constant", value=True)],
        {"email": "a@x.example"},
        {"email": [{"value": "a@x.example", "primary": True}]},
    ),
    (
        "W3 nested arrays",
        [T("phone", "contact.phones[].number")],
        {"phone": "+1"},
        {"contact": {"phones": [{"number": "+1"}]}},
    ),
    (
        "golden shape: sendgrid contacts[] from a full name",
        [
            T("name", "contacts[].first_name", "split", part="first"),
            T("name", "contacts[].last_name", "split", part="rest"),
            T("email", "contacts[].email"),
        ],
        {"name": "Mary Ann Smith", "email": "m@x.example"},
        {"contacts": [{"first_name": "Mary", "last_name": "Ann Smith", "email": "m@x.example"}]},
    ),
    # E1: element-wise
    (
        "E1 one destination element per source element",
        [T("line_items[].sku", "items[].sku"), T("line_items[].quantity", "items[].qty")],
        LINES,
        {"items": [{"sku": "A-1", "qty": 2}, {"qty": 1}, {"sku": "C-3", "qty": 6}]},
    ),
    (
        "E1 conversion per element",
        [T("line_items[].price", "items[].price", cast="number")],
        LINES,
        {"items": [{"price": 9.5}, {"price": 4.0}, {"price": 1.25}]},
    ),
    (
        "W3 a single value reaches every element made element-wise",
        [T("currency", "items[].currency"), T("line_items[].title", "items[].name")],
        LINES,
        {
            "items": [
                {"name": "Mug", "currency": "USD"},
                {"name": "Tea", "currency": "USD"},
                {"name": "Spoon", "currency": "USD"},
            ]
        },
    ),
    (
        "E1 whole elements copied into a leaf array",
        [T("line_items[]", "Line[]")],
        {"line_items": [{"a": 1}, None, {"b": 2}]},
        {"Line": [{"a": 1}, {"b": 2}]},
    ),
    (
        "E1 nest builds QuickBooks Line objects",
        [
            T(
                ["line_items[].title", "line_items[].quantity", "line_items[].price", "currency"],
                "Line[]",
                "nest",
                keys=["Description", "SalesItemLineDetail.Qty", "SalesItemLineDetail.UnitPrice", "Currency"],
            )
        ],
        {"currency": "USD", "line_items": LINES["line_items"][:2]},
        {
            "Line": [
                {"Description": "Mug", "SalesItemLineDetail": {"Qty": 2, "UnitPrice": "9.50"}, "Currency": "USD"},
                {"Description": "Tea", "SalesItemLineDetail": {"Qty": 1, "UnitPrice": "4.00"}, "Currency": "USD"},
            ]
        },
    ),
    (
        "E1 deeper [] follow R3 inside each element",
        [T("orders[].lines[].sku", "shipments[].items[].sku")],
        {"orders": [{"lines": [{"sku": None}, {"sku": "a"}]}, {"lines": [{"sku": "b"}]}]},
        {"shipments": [{"items": [{"sku": "a"}]}, {"items": [{"sku": "b"}]}]},
    ),
    (
        "E1 collect aggregates by default",
        [T("labels[].name", "labels[]", "collect", **{"as": "list"})],
        {"labels": [{"name": "bug"}, {"name": "ui"}]},
        {"labels": ["bug", "ui"]},
    ),
    (
        "E1 collect element-wise with each",
        [T(["people[].first", "people[].last"], "contacts[].name", "collect", each=True)],
        {"people": [{"first": "Mary", "last": "Smith"}, {"first": "Wei"}]},
        {"contacts": [{"name": "Mary Smith"}, {"name": "Wei"}]},
    ),
    (
        "E1 each false reads the first element",
        [T("tags[]", "tags[]", each=False)],
        {"tags": ["a", "b"]},
        {"tags": ["a"]},
    ),
    # E2: missing values inside element-wise mapping
    (
        "E2 elements without any value are dropped",
        [T("line_items[].sku", "items[].sku")],
        LINES,
        {"items": [{"sku": "A-1"}, {"sku": "C-3"}]},
    ),
    ("E2 leaf arrays skip missing values", [T("line_items[].sku", "skus[]")], LINES, {"skus": ["A-1", "C-3"]}),
    (
        "E2 keep_null per element",
        [T("line_items[].sku", "items[].sku", keep_null=True)],
        LINES,
        {"items": [{"sku": "A-1"}, {"sku": None}, {"sku": "C-3"}]},
    ),
    (
        "E2 default per element",
        [T("line_items[].sku", "items[].sku", default="NONE")],
        LINES,
        {"items": [{"sku": "A-1"}, {"sku": "NONE"}, {"sku": "C-3"}]},
    ),
    ("E2 missing source array writes nothing", [T("line_items[].sku", "items[].sku")], {}, {}),
    (
        "E2 empty source array writes an empty array",
        [T("line_items[].sku", "items[].sku")],
        {"line_items": []},
        {"items": []},
    ),
    (
        "E2 a lone object where an array was expected",
        [T("line_items[].sku", "items[].sku")],
        {"line_items": {"sku": "only"}},
        {"items": [{"sku": "only"}]},
    ),
]


@pytest.mark.parametrize(("case", "ts", "record", "expected"), CASES, ids=[c[0] for c in CASES])
def test_path_rule(case: str, ts: list[DataTransformation], record: dict[str, Any], expected: dict[str, Any]) -> None:
    """Each documented read, write and element-wise rule produces exactly the expected payload."""
    assert apply(ts, record) == expected


def test_required_element_wise_field_with_a_missing_array_is_an_error() -> None:
    """A required element-wise field whose source array is absent gives a FieldError, not silence."""
    t = T("line_items[].sku", "items[].sku").model_copy(update={"required": True})
    mapping = MappingLogic(source_endpoint="GET /a", dest_endpoint="POST /b", transformations=[t])
    result = compile_mapping(mapping).apply({})
    assert [e.message for e in result.errors] == ["the destination requires this field and the source array is missing"]
    with_default = t.model_copy(update={"transform_config": {"default": "NONE"}})
    mapping = MappingLogic(source_endpoint="GET /a", dest_endpoint="POST /b", transformations=[with_default])
    assert [e.message for e in compile_mapping(mapping).apply({}).errors] == [
        "the destination requires this field and the source array is missing"
    ]
    assert compile_mapping(mapping).apply({"line_items": [{}]}).payload == {"items": [{"sku": "NONE"}]}
