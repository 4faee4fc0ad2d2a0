"""The public API: exports, apply and apply_batch, single-field helpers, masking, and a golden-shaped mapping."""

from __future__ import annotations

import copy
from types import MappingProxyType
from typing import Any

import pytest

import vitesse.transforms as transforms
from vitesse.errors import TransformError
from vitesse.schemas import DataTransformation, MappingLogic, TransformType
from vitesse.transforms import (
    BatchResult,
    CompiledMapping,
    FieldError,
    RecordResult,
    apply_transformation,
    compile_mapping,
    compile_transformation,
)


def T(source: str | list[str], dest: str, kind: str = "direct", **config: Any) -> DataTransformation:
    sources = [source] if isinstance(source, str) else source
    return DataTransformation(source_fields=sources, dest_field=dest, transform_type=kind, transform_config=config)


def mapping(*ts: DataTransformation) -> MappingLogic:
    return MappingLogic(source_endpoint="GET /a", dest_endpoint="POST /b", transformations=list(ts))


def test_exported_names_are_pinned() -> None:
    """The package exports exactly these names (a change here is an API change)."""
    assert sorted(transforms.__all__) == sorted(
        [
            "BatchResult",
            "COUNTRY_CODES",
            "CUSTOM_FUNCTIONS",
            "CompiledMapping",
            "FieldError",
            "RecordResult",
            "apply_transformation",
            "compile_mapping",
            "compile_transformation",
            "get_transform",
            "register_transform",
            "stringify",
            "to_e164",
        ]
    )
    for name in transforms.__all__:
        assert getattr(transforms, name) is not None


def test_the_guides_custom_transform_example_works() -> None:
    """The guide's DataTransformation (single `source_field`, parse_shopify_timestamp with params) maps."""
    t = DataTransformation(
        source_field="created_at",
        dest_field="created_date",
        transform_type=TransformType.CUSTOM,
        transform_config={"function": "parse_shopify_timestamp", "params": {"format": "ISO8601", "timezone": "UTC"}},
    )
    compiled = compile_mapping(mapping(t))
    assert isinstance(compiled, CompiledMapping)
    result = compiled.apply({"created_at": "2021-07-01T09:30:00-04:00"})
    assert result == RecordResult({"created_date": "2021-07-01T13:30:00Z"}, [])
    assert result.ok


BATCH_MAPPING = mapping(
    T("id", "external_id", "stringify"),
    T("state", "status", "enum", values=["ENABLED", "DISABLED"]),
    T("spent", "lifetime_value", cast="number"),
)


def test_batch_maps_good_records_and_collects_errors_per_record() -> None:
    """A batch with good and bad records maps the good ones and keys the bad ones' errors by index."""
    records: list[Any] = [
        {"id": 1, "state": "enabled", "spent": "10.5"},
        {"id": 2, "state": "frozen", "spent": "3"},
        {"id": 3, "state": "DISABLED"},
        {"id": 4, "state": "enabled", "spent": "lots"},
        None,
    ]
    result = compile_mapping(BATCH_MAPPING).apply_batch(records)
    assert isinstance(result, BatchResult)
    assert result.payloads == [
        {"external_id": "1", "status": "ENABLED", "lifetime_value": 10.5},
        {"external_id": "2", "lifetime_value": 3.0},
        {"external_id": "3", "status": "DISABLED"},
        {"external_id": "4", "status": "ENABLED"},
        {},
    ]
    assert sorted(result.errors) == [1, 3, 4]
    assert [(e.dest_field, e.value_excerpt) for e in result.errors[1]] == [("status", "frozen")]
    assert [(e.dest_field, e.source_fields, e.value_excerpt) for e in result.errors[3]] == [
        ("lifetime_value", ["spent"], "lots")
    ]
    assert result.errors[4] == [FieldError("*", [], "the record is null, not an object", None)]
    assert (result.ok_count, result.failed_count, len(result)) == (2, 3, 5)
    assert result.ok_payloads() == [result.payloads[0], result.payloads[2]]


@pytest.mark.parametrize("record", [None, [1, 2], "text", 42])
def test_apply_reports_a_record_that_is_not_an_object(record: Any) -> None:
    """apply never raises for a non-object record; it reports it under the `*` field."""
    result = compile_mapping(BATCH_MAPPING).apply(record)
    assert result.payload == {}
    assert [e.dest_field for e in result.errors] == ["*"]
    assert "not an object" in result.errors[0].message


def test_apply_accepts_any_mapping_and_never_changes_the_record_or_the_mapping() -> None:
    """Records may be any Mapping; neither the record nor the MappingLogic is modified by compile or apply."""
    record = {"id": 7, "state": "disabled", "spent": 1, "nested": {"a": [1]}}
    before_record, before_mapping = copy.deepcopy(record), BATCH_MAPPING.model_dump()
    compiled = compile_mapping(BATCH_MAPPING)
    first = compiled.apply(MappingProxyType(record))
    assert compiled.apply(record) == first
    assert first.payload == {"external_id": "7", "status": "DISABLED", "lifetime_value": 1.0}
    assert record == before_record
    assert BATCH_MAPPING.model_dump() == before_mapping


def test_a_custom_function_that_raises_anything_becomes_a_field_error() -> None:
    """Even an unexpected exception type in a custom function is collected, not raised."""

    def explode(value: Any) -> Any:
        raise RuntimeError("internal failure")

    compiled = compile_mapping(
        mapping(T("a", "a", "custom", function="explode"), T("b", "b")), registry={"explode": explode}
    )
    result = compiled.apply({"a": 1, "b": 2})
    assert result.payload == {"b": 2}
    assert [e.message for e in result.errors] == ["RuntimeError: internal failure"]


def test_compile_and_apply_transformation_return_the_field_value() -> None:
    """The single-field helpers give the value the engine would write, None when nothing would be written."""
    split_first = T("name", "first_name", "split", part="first")
    assert apply_transformation(split_first, {"name": "Mary Ann Smith"}) == "Mary"
    assert apply_transformation(split_first, {}) is None
    each = compile_transformation(T("items[].sku", "lines[].sku"))
    assert each({"items": [{"sku": "a"}, {}, {"sku": "c"}]}) == ["a", None, "c"]
    assert compile_transformation(T("n", "n", default=0))({}) == 0


def test_apply_transformation_raises_transform_error_for_a_bad_value() -> None:
    """For one field, a value the transform cannot handle raises TransformError with the excerpt."""
    with pytest.raises(TransformError, match=r"'n': value is not a whole number \(value: 4.5\)"):
        apply_transformation(T("n", "n", cast="integer"), {"n": 4.5})
    with pytest.raises(TransformError, match="config key 'cast'"):
        apply_transformation(T("n", "n", cast="decimal"), {"n": 4.5})


SECRET = "sk_live_51HxYzAbCdEf1234567890abcdef"


@pytest.mark.parametrize(
    ("t", "record", "shown"),
    [
        (T("code", "status", "enum", values=["A"]), {"code": SECRET}, "sk****"),
        (T("code", "status", "enum", values=["A"]), {"code": f"Bearer {SECRET} rest"}, "Bearer sk**** rest"),
        (T("api_key", "status", "enum", values=["A"]), {"api_key": "short"}, "****"),
        (T("note", "n", "enum", values=["A"]), {"note": "word " * 20}, ("word " * 8)[:39] + "…"),
        (T("d", "d", "format"), {"d": "2024-13-45T99:00:00"}, "2024-13-45T99:00:00"),
    ],
)
def test_value_excerpts_are_short_and_never_hold_a_secret(
    t: DataTransformation, record: dict[str, Any], shown: str
) -> None:
    """Excerpts are at most 40 characters; secret-looking tokens and credential fields are masked."""
    error = compile_mapping(mapping(t)).apply(record).errors[0]
    assert error.value_excerpt == shown
    assert len(error.value_excerpt or "") <= 40
    assert SECRET not in error.message and SECRET[8:20] not in (error.value_excerpt or "")


def test_messages_from_custom_functions_are_scrubbed_of_secrets() -> None:
    """A custom function that puts the secret into its exception message does not leak it."""

    def leaky(value: Any) -> Any:
        raise ValueError(f"rejected token {value}")

    result = compile_mapping(mapping(T("code", "c", "custom", function="leaky")), registry={"leaky": leaky}).apply(
        {"code": SECRET}
    )
    error = result.errors[0]
    assert SECRET not in error.message and SECRET not in str(error)
    assert error.message == "ValueError: rejected token sk****"
    assert error.value_excerpt == "sk****"


SHOPIFY_ORDER = {
    "name": "#1001",
    "currency": "EUR",
    "processed_at": "2024-03-01T23:30:00-05:00",
    "taxes_included": True,
    "customer": {"first_name": "Mary", "last_name": "Smith"},
    "billing_address": {"address1": "1 Rue X", "city": "Paris", "zip": "75001", "country": "France"},
    "payment_terms": {"payment_schedules": [{"due_at": None}, {"due_at": "2024-03-31T00:00:00Z"}]},
    "line_items": [{"title": "Mug", "quantity": 2, "price": "9.50"}, {"title": "Tea", "quantity": 1, "price": "4.00"}],
}


def test_a_golden_shaped_order_to_invoice_mapping() -> None:
    """Shopify order → QuickBooks invoice, the hardest golden's shape: Line[], collect, dates, enum, nested refs."""
    compiled = compile_mapping(
        mapping(
            T(["line_items[].title", "line_items[].quantity", "line_items[].price"], "Line[]", "nest",
              keys=["Description", "SalesItemLineDetail.Qty", "SalesItemLineDetail.UnitPrice"]),
            T(["customer.first_name", "customer.last_name"], "CustomerRef.name", "collect"),
            T("currency", "CurrencyRef.value"),
            T("name", "DocNumber"),
            T("processed_at", "TxnDate", "format", to="date", timezone="America/New_York"),
            T("billing_address.address1", "BillAddr.Line1"),
            T("billing_address.city", "BillAddr.City"),
            T("billing_address.zip", "BillAddr.PostalCode"),
            T("billing_address.country", "BillAddr.Country"),
            T("payment_terms.payment_schedules[].due_at", "DueDate", "format", to="date"),
            T("taxes_included", "GlobalTaxCalculation", "enum", map={"true": "TaxInclusive", "false": "TaxExcluded"}),
        )
    )  # fmt: skip
    assert compiled.apply(SHOPIFY_ORDER) == RecordResult(
        {
            "Line": [
                {"Description": "Mug", "SalesItemLineDetail": {"Qty": 2, "UnitPrice": "9.50"}},
                {"Description": "Tea", "SalesItemLineDetail": {"Qty": 1, "UnitPrice": "4.00"}},
            ],
            "CustomerRef": {"name": "Mary Smith"},
            "CurrencyRef": {"value": "EUR"},
            "DocNumber": "#1001",
            "TxnDate": "2024-03-01",
            "BillAddr": {"Line1": "1 Rue X", "City": "Paris", "PostalCode": "75001", "Country": "France"},
            "DueDate": "2024-03-31",
            "GlobalTaxCalculation": "TaxInclusive",
        },
        [],
    )
    assert compiled.dest_fields[0] == "Line[]"


def test_a_credential_fields_value_is_masked_in_the_message_too() -> None:
    """For a field named like a credential, even a short value is removed from a custom function's message."""

    def picky(value: Any) -> Any:
        raise ValueError(f"password {value} is too weak")

    compiled = compile_mapping(mapping(T("password", "secret", "custom", function="picky")), registry={"picky": picky})
    error = compiled.apply({"password": "hunter2"}).errors[0]
    assert "hunter2" not in str(error)
    assert error.message == "ValueError: password **** is too weak"


def test_an_exception_that_cannot_be_printed_is_still_reported() -> None:
    """A custom function raising an exception whose str() fails still yields a FieldError."""

    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    def bad(value: Any) -> Any:
        raise Unprintable()

    result = compile_mapping(mapping(T("a", "a", "custom", function="bad")), registry={"bad": bad}).apply({"a": 1})
    assert [e.message for e in result.errors] == ["Unprintable (no message)"]
