"""The normalised-schema → JSON Schema converter keeps OpenAPI's meaning."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from vitesse.sandbox import to_json_schema
from vitesse.sandbox.schema import format_checker

SCHEMAS: dict[str, dict[str, Any]] = {
    "Address": {"type": "object", "required": ["street"], "properties": {"street": {"type": "string"}}},
    "Pet": {
        "oneOf": [{"$ref": "#/schemas/Cat"}, {"$ref": "#/schemas/Dog"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/schemas/Dog"},
        },
    },
    "Cat": {"type": "object", "properties": {"kind": {"type": "string"}}},
    "Dog": {"type": "object", "properties": {"kind": {"type": "string"}}},
    "a/b": {"type": "integer"},
}

CASES = [
    # (schema, mode, valid values, invalid values)
    ({"type": "string", "nullable": True}, "response", ["x", None], [1]),
    ({"$ref": "#/schemas/Address", "nullable": True}, "response", [None, {"street": "x"}], [{}, 3]),
    ({"type": "string", "enum": ["A"], "nullable": True}, "response", ["A", None], ["B"]),
    ({"type": "string", "x-vitesse-types": ["string", "integer"]}, "response", ["x", 3], [1.5, None]),
    ({"type": "number", "minimum": 0, "exclusiveMinimum": True}, "response", [0.1], [0]),
    ({"type": "number", "exclusiveMaximum": 10}, "response", [9.9], [10]),
    ({"type": "string", "pattern": r"(?<name>a)"}, "response", ["anything"], []),  # ECMA-only syntax dropped
    ({"type": "string", "format": "email"}, "response", ["a@b.co"], ["no-at-sign"]),
    ({"type": "string", "format": "date-time"}, "response", ["2024-05-01T00:00:00Z"], ["2024-05-01", "yesterday"]),
    ({"type": "string", "format": "uuid"}, "response", ["123e4567-e89b-12d3-a456-426614174000"], ["123"]),
    ({"type": "string", "format": "ipv4"}, "response", ["192.0.2.1"], ["999.1.1.1"]),
    ({"type": "string", "format": "int-ish-unknown"}, "response", ["whatever"], []),
    ({"type": "float"}, "response", [1.5], ["x"]),
    ({"type": "file"}, "response", ["x", 1], []),
    ({"$ref": "#/schemas/Pet"}, "response", [{"kind": "cat"}, {"kind": "dog"}], [{"kind": "cow"}, {}]),
    ({"$ref": "#/schemas/a/b"}, "response", [3], ["3"]),
    (
        {"type": "object", "required": ["id", "secret"],
         "properties": {"id": {"type": "integer", "readOnly": True}, "secret": {"type": "string", "writeOnly": True}}},
        "request", [{"secret": "s"}], [{"id": 1}],
    ),
    (
        {"type": "object", "required": ["id", "secret"],
         "properties": {"id": {"type": "integer", "readOnly": True}, "secret": {"type": "string", "writeOnly": True}}},
        "response", [{"id": 1}], [{"secret": "s"}],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("schema", "mode", "good", "bad"), CASES)
def test_converted_schemas_accept_and_refuse_what_openapi_means(schema, mode, good, bad):
    validator = Draft202012Validator(to_json_schema(schema, SCHEMAS, mode=mode), format_checker=format_checker())
    for value in good:
        assert validator.is_valid(value), (schema, value)
    for value in bad:
        assert not validator.is_valid(value), (schema, value)


def test_the_converted_schema_is_self_contained_and_drops_openapi_only_keywords():
    converted = to_json_schema({"$ref": "#/schemas/Address", "example": {"street": "x"}, "x-internal": 1}, SCHEMAS)
    assert converted["$ref"] == "#/$defs/Address"
    assert set(converted["$defs"]) == {"Address"}, "only the schemas it reaches"
    assert "example" not in converted and "x-internal" not in converted
    Draft202012Validator.check_schema(converted)
