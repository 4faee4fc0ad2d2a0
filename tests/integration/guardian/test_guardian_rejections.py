"""Destination error bodies of many shapes are read generically into house-convention field paths."""

from __future__ import annotations

from typing import Any

import pytest

from vitesse.graph.guardian.rejections import classify_reason, excerpt, normalise_field_path, parse_error_body
from vitesse.schemas import IssueKind

PATHS: list[tuple[Any, str | None, tuple[str, int | None]]] = [
    ("phone_numbers[0].number", None, ("phone_numbers[].number", 0)),
    ("phone_numbers.0.number", None, ("phone_numbers[].number", 0)),
    ("/phone_numbers/2/number", None, ("phone_numbers[].number", 2)),
    (["body", "phone_numbers", 1, "number"], None, ("phone_numbers[].number", 1)),
    ("labels[3]", None, ("labels[]", 3)),
    ("mailing_address.street", None, ("mailing_address.street", None)),
    ("contacts[4].email", "contacts[]", ("email", 4)),
    ("contacts.4.phones.0.number", "contacts[]", ("phones[].number", 4)),
    ("$.given_name", None, ("given_name", None)),
    ("/data/attributes/email", None, ("email", None)),
]


@pytest.mark.parametrize(("raw", "wrapper", "expected"), PATHS)
def test_reported_paths_become_the_house_convention(
    raw: Any, wrapper: str | None, expected: tuple[str, int | None]
) -> None:
    """Indexes in brackets, dots, JSON pointers and loc lists all map to `[]` paths with the first index."""
    assert normalise_field_path(raw, wrapper) == expected


BODIES: list[tuple[str, Any, str | None, list[tuple[str, IssueKind, int | None]]]] = [
    (
        "crm (message + errors[field, code, message])",
        {
            "message": "2 fields are invalid.",
            "errors": [
                {"field": "phone_numbers[0].number", "code": "invalid_format", "message": "must be E.164"},
                {"field": "lifecycle_stage", "code": "not_in_enum", "message": "must be one of LEAD, CUSTOMER"},
            ],
        },
        None,
        [("phone_numbers[].number", IssueKind.FORMAT, 0), ("lifecycle_stage", IssueKind.ENUM, None)],
    ),
    (
        "shop (error.fields nested one level down)",
        {"error": {"type": "invalid_request", "message": "bad", "fields": [{"field": "email", "code": "required"}]}},
        None,
        [("email", IssueKind.MISSING_REQUIRED, None)],
    ),
    (
        "fastapi detail[loc, msg, type]",
        {"detail": [{"loc": ["body", "age"], "msg": "value is not a valid integer", "type": "type_error.integer"}]},
        None,
        [("age", IssueKind.TYPE_MISMATCH, None)],
    ),
    (
        "json:api errors[source.pointer, detail]",
        {
            "errors": [
                {"source": {"pointer": "/data/attributes/name"}, "detail": "is too long (maximum is 80 characters)"}
            ]
        },
        None,
        [("name", IssueKind.LENGTH, None)],
    ),
    (
        "rails errors{field: [messages]}",
        {"errors": {"email": ["can't be blank"], "age": ["must be greater than 0"]}},
        None,
        [("email", IssueKind.MISSING_REQUIRED, None), ("age", IssueKind.RANGE, None)],
    ),
    (
        "one error object as the whole body",
        {"param": "currency", "message": "Invalid currency: xyz", "code": "parameter_invalid_string"},
        None,
        [("currency", IssueKind.REJECTED, None)],
    ),
    (
        "bulk body with the wrapper in the path",
        {"errors": [{"path": "contacts[7].primary_email", "message": "is not a valid email", "code": "invalid"}]},
        "contacts[]",
        [("primary_email", IssueKind.FORMAT, 7)],
    ),
    ("a plain text answer", "Bad Request", None, []),
    ("no field named", {"message": "Something went wrong", "code": "oops"}, None, []),
]


@pytest.mark.parametrize(("label", "body", "wrapper", "expected"), BODIES, ids=[b[0] for b in BODIES])
def test_error_bodies_name_their_fields(
    label: str, body: Any, wrapper: str | None, expected: list[tuple[str, IssueKind, int | None]]
) -> None:
    """Every common validation-error shape yields the refused fields, their kind and the record index."""
    found = parse_error_body(body, wrapper)
    assert [(r.field, r.kind, r.index) for r in found] == expected


def test_enum_values_given_by_the_api_are_kept() -> None:
    """An error that lists the allowed values passes them on (and counts as an enum fault)."""
    body = {"errors": [{"field": "stage", "message": "invalid", "allowed_values": ["a", "b"]}]}
    (rejection,) = parse_error_body(body)
    assert (rejection.kind, rejection.allowed) == (IssueKind.ENUM, ["a", "b"])


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        ("required", None, IssueKind.MISSING_REQUIRED),
        ("invalid_type", None, IssueKind.TYPE_MISMATCH),
        ("not_in_enum", None, IssueKind.ENUM),
        ("too_long", None, IssueKind.LENGTH),
        ("out_of_range", None, IssueKind.RANGE),
        ("unknown_field", None, IssueKind.UNKNOWN_FIELD),
        (None, "does not match the pattern", IssueKind.PATTERN),
        ("weird", "nobody knows", IssueKind.REJECTED),
    ],
)
def test_reasons_are_classified_by_code_then_message(code: str | None, message: str | None, kind: IssueKind) -> None:
    assert classify_reason(code, message) == kind


def test_excerpts_are_short_and_mask_secret_fields() -> None:
    """Values shown in feedback are cut to 40 characters, and credential-named fields are masked."""
    assert excerpt("x" * 100).endswith("…") and len(excerpt("x" * 100)) == 40
    assert excerpt("sk_live_1234567890", "billing.api_key") == "sk****"
    assert excerpt({"a": 1}) == "<object with 1 keys>"
