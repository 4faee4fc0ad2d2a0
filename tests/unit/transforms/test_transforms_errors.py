"""Bad configs fail at compile time with a message naming the field and key; bad values fail per record."""

from __future__ import annotations

from typing import Any

import pytest

from vitesse.errors import TransformError
from vitesse.schemas import DataTransformation, MappingLogic
from vitesse.transforms import FieldError, compile_mapping, register_transform


def T(source: str | list[str], dest: str, kind: str = "direct", **config: Any) -> DataTransformation:
    sources = [source] if isinstance(source, str) else source
    return DataTransformation(source_fields=sources, dest_field=dest, transform_type=kind, transform_config=config)


def mapping(*ts: DataTransformation) -> MappingLogic:
    return MappingLogic(source_endpoint="GET /a", dest_endpoint="POST /b", transformations=list(ts))


def dates(**config: Any) -> DataTransformation:
    return T("t", "t", "format", **config)


# (expected message fragment, transformation)
INVALID: list[tuple[str, DataTransformation]] = [
    (
        "Transformation for 'a' (direct): config key 'cst' is not a 'direct' option (known keys: cast, default, each, "
        "keep_null)",
        T("a", "a", cst="x"),
    ),
    ("config key 'cast' must be one of string, integer, number, boolean; got 'float'", T("a", "a", cast="float")),
    ("config key 'keep_null' must be a boolean, not 'yes'", T("a", "a", keep_null="yes")),
    ("(direct) takes exactly 1 source field(s), not 2", T(["a", "b"], "a")),
    ("dest_field 'a..b' is not a field path", T("a", "a..b")),
    ("source field 'a[0]' is not a field path", T("a[0]", "a")),
    ("(mapping): config key 'map' is required", T("a", "a", "mapping")),
    ("config key 'map' must be an object, not ['a']", T("a", "a", "mapping", map=["a"])),
    ("(enum): config key 'map' (or 'values') is required", T("a", "a", "enum")),
    ("config key 'map' has entries differing only in case", T("a", "a", "enum", map={"A": 1, "a": 2})),
    ("config key 'values' must be a list of strings", T("a", "a", "enum", values=[{"x": 1}])),
    ("(parse): config key 'as' is required", T("a", "a", "parse")),
    (
        "config key 'as' must be one of integer, number, boolean, json, date, datetime, phone_e164; got 'xml'",
        T("a", "a", "parse", **{"as": "xml"}),
    ),
    (
        "config key 'format' only applies to as: date or datetime",
        T("a", "a", "parse", **{"as": "integer", "format": "x"}),
    ),
    (
        "config key 'default_region' only applies to as: phone_e164",
        T("a", "a", "parse", **{"as": "date", "default_region": "US"}),
    ),
    (
        "config key 'timezone' 'Mars/Base' is not a known time zone",
        T("a", "a", "parse", **{"as": "datetime", "timezone": "Mars/Base"}),
    ),
    (
        "config key 'default_region' must be one of",
        T("a", "a", "parse", **{"as": "phone_e164", "default_region": "XX"}),
    ),
    ("'yes' is both a true and a false value", T("a", "a", "parse_bool", true_values=["yes"], false_values=["YES"])),
    ("config key 'true_values' must be a list, not 'yes'", T("a", "a", "parse_bool", true_values="yes")),
    ("config key 'as' must be one of string, list, object; got 'dict'", T("a", "a", "collect", **{"as": "dict"})),
    ("config key 'separator' only applies to as: string", T("a", "a", "collect", separator=",", **{"as": "list"})),
    ("config key 'keys' only applies to as: object", T("a", "a", "collect", keys=["x"])),
    ("config key 'keys' has 1 keys for 2 source fields", T(["a", "b"], "a", "collect", keys=["x"], **{"as": "object"})),
    ("(collect) takes at least 1 source field(s), not 0", T([], "a", "collect")),
    ("config key 'separator' must not be empty", T("a", "a", "split", separator="")),
    (
        "config key 'part' must be an index or one of first, rest, last, all; got 'middle'",
        T("a", "a", "split", part="middle"),
    ),
    ("config key 'decimals' cannot be combined with 'template'", T(["a"], "a", "format", template="{a}", decimals=2)),
    ("config key 'from/to' cannot be combined with 'decimals'", T("a", "a", "format", decimals=2, to="date")),
    ("config key 'template' has an unmatched '{'", T(["a"], "a", "format", template="{a} {")),
    ("config key 'template' uses {b}, which is not one of the source_fields", T(["a"], "a", "format", template="{b}")),
    ("config key 'template' has no {field} placeholder", T(["a"], "a", "format", template="fixed")),
    ("config key 'decimals' must be between 0 and 12, not 20", T("a", "a", "format", decimals=20)),
    ("config key 'decimals' must be an integer, not '2'", T("a", "a", "format", decimals="2")),
    ("config key 'decimals' must be an integer, not True", T("a", "a", "format", decimals=True)),
    ("config key 'from' must be one of auto, unix, unix_ms, iso8601 or a strftime pattern", dates(**{"from": "weird"})),
    ("config key 'to' must be one of iso8601, date, unix, unix_ms or a strftime pattern", dates(to="YYYY-MM-DD")),
    ("config key 'source_timezone' 'Nowhere' is not a known time zone", dates(source_timezone="Nowhere")),
    ("date and number formats take exactly 1 source field, not 2", T(["a", "b"], "a", "format", to="date")),
    ("(default): config key 'default' is required", T("a", "a", "default")),
    ("(constant): config key 'value' is required", T([], "a", "constant")),
    ("(constant) takes exactly 0 source field(s), not 1", T("a", "a", "constant", value=1)),
    ("(custom): config key 'function' is required", T("a", "a", "custom")),
    ("config key 'params' must be an object", T("a", "a", "custom", function="trim", params=[1])),
    (
        "config key 'params' does not fit cents_to_money(value, decimals=2, as_string=False) with 1 source field(s): "
        "got an unexpected keyword argument 'bogus'",
        T("a", "a", "custom", function="cents_to_money", params={"bogus": 1}),
    ),
    (
        "config key 'params' does not fit lowercase(value) with 2 source field(s): too many positional arguments",
        T(["a", "b"], "a", "custom", function="lowercase"),
    ),
    (
        "'Mars/Base' is not a known time zone",
        T(
            "a",
            "a",
            "custom",
            function="parse_shopify_timestamp",
            params={"format": "ISO8601", "timezone": "Mars/Base"},
        ),
    ),
    ("config key 'expression' is not valid JMESPath", T([], "a", "expression", expression="foo[")),
    ("(expression): config key 'expression' is required", T([], "a", "expression")),
    ("config key 'each' needs a [] destination, a [] source", T("a", "b[]", each=True)),
    ("config key 'keys' key 'x[]' has []", T(["a"], "o", "nest", keys=["x[]"])),
    ("config key 'keys' key 'a.b' clashes with another key", T(["a", "b"], "o", "nest", keys=["a", "a.b"])),
    ("config key 'path' 'a..b' is not a field path", T("a", "o", "flatten", path="a..b")),
    (
        "element-wise sources must iterate over one array, not a[] and b[]",
        T(["a[].x", "b[].y"], "out[].z", "custom", function="first_non_empty"),
    ),
]


@pytest.mark.parametrize(("message", "t"), INVALID, ids=[m[:60] for m, _ in INVALID])
def test_invalid_config_is_refused_at_compile_time(message: str, t: DataTransformation) -> None:
    """compile_mapping raises TransformError whose message names the destination field and the bad key."""
    with pytest.raises(TransformError) as caught:
        compile_mapping(mapping(t))
    assert message in str(caught.value)
    assert f"'{t.dest_field}'" in str(caught.value)


@pytest.mark.parametrize(
    ("message", "ts"),
    [
        ("'email' and 'email' cannot both be written: both write the same field", [T("a", "email"), T("b", "email")]),
        (
            "'address' and 'address.city' cannot both be written: one writes inside the other",
            [T("a", "address"), T("b", "address.city")],
        ),
        (
            "'items[].sku' and 'items.name' cannot both be written: they disagree on whether 'items' is an array",
            [T("a[].sku", "items[].sku"), T("b", "items.name")],
        ),
        (
            "'tags[]' and 'tags' cannot both be written: they disagree on whether 'tags' is an array",
            [T("a", "tags[]"), T("b", "tags")],
        ),
    ],
)
def test_conflicting_destinations_are_refused(message: str, ts: list[DataTransformation]) -> None:
    """Two transformations that would overwrite each other's output are a compile error."""
    with pytest.raises(TransformError, match="cannot both be written") as caught:
        compile_mapping(mapping(*ts))
    assert message in str(caught.value)


def test_unknown_custom_function_lists_the_known_names() -> None:
    """An unknown custom function name is refused, and the message lists every registered name."""
    with pytest.raises(TransformError) as caught:
        compile_mapping(mapping(T("a", "a", "custom", function="parse_shopfy_timestamp")))
    text = str(caught.value)
    assert "Unknown custom transform function 'parse_shopfy_timestamp'" in text
    for name in ("parse_shopify_timestamp", "to_e164", "money_to_cents", "country_name_to_code", "join_address"):
        assert name in text


def _boom(value: Any) -> Any:
    raise ValueError("cannot handle this")


# (transformation, record, expected FieldError message, expected value excerpt)
FAILING: list[tuple[DataTransformation, dict[str, Any], str, str | None]] = [
    (T("n", "n", cast="integer"), {"n": "abc"}, "value is not a whole number", "abc"),
    (T("n", "n", cast="integer"), {"n": 4.5}, "value is not a whole number", "4.5"),
    (T("n", "n", cast="integer"), {"n": [1]}, "cannot turn an array into an integer", "<array of 1 items>"),
    (T("n", "n", cast="number"), {"n": "1_000"}, "value is not a number", "1_000"),
    (T("n", "n", cast="number"), {"n": "nan"}, "value is not a finite number", "nan"),
    (T("n", "n", cast="boolean"), {"n": {"a": 1}}, "cannot turn an object into a boolean", "<object with 1 keys>"),
    (
        T("s", "s", "enum", values=["ACTIVE", "INACTIVE"]),
        {"s": "weird"},
        "value has no entry in the enum and there is no default (known: active, inactive)",
        "weird",
    ),
    (T("b", "b", "parse_bool"), {"b": "maybe"}, "value is not a recognised boolean", "maybe"),
    (T("j", "j", "parse", **{"as": "json"}), {"j": "{bad"}, "value is not valid JSON", "{bad"),
    (
        T("d", "d", "parse", **{"as": "date"}),
        {"d": "not a date"},
        "value is not an ISO 8601 date or date-time",
        "not a date",
    ),
    (
        T("d", "d", "format", **{"from": "%d/%m/%Y"}),
        {"d": "2024-01-05"},
        "value does not match the date pattern %d/%m/%Y",
        "2024-01-05",
    ),
    (
        T("d", "d", "format", **{"from": "unix"}),
        {"d": 10**20},
        "value is out of the supported date range",
        "100000000000000000000",
    ),
    (T("d", "d", "format"), {"d": True}, "value is a boolean, not a date", "true"),
    (
        T("p", "p", "parse", **{"as": "phone_e164"}),
        {"p": "555-0100"},
        "value has 7 digits; a +1 national number has 10",
        "555-0100",
    ),
    (
        T("p", "p", "parse", **{"as": "phone_e164"}),
        {"p": "(155) 555-0100"},
        "value is not a valid North American number",
        "(155) 555-0100",
    ),
    (
        T("p", "p", "parse", **{"as": "phone_e164"}),
        {"p": "1-800-FLOWERS"},
        "value is not a phone number",
        "1-800-FLOWERS",
    ),
    (T("p", "p", "parse", **{"as": "phone_e164"}), {"p": "+123"}, "value is not a valid international number", "+123"),
    (T("n", "n", "split"), {"n": 42}, "value is a number; split needs a string", "42"),
    (
        T("c", "c", "mapping", map={"a": "b"}),
        {"c": {"x": 1}},
        "value is an object; a value table only looks up plain",
        "<object with 1 keys>",
    ),
    (
        T("c", "c", "custom", function="country_name_to_code"),
        {"c": "Atlantis"},
        "value is not a country this table knows",
        "Atlantis",
    ),
    (T("m", "m", "custom", function="money_to_cents"), {"m": "abc"}, "value is not a number", "abc"),
    (T("m", "m", "custom", function="boom"), {"m": "x"}, "ValueError: cannot handle this", "x"),
    (
        T([], "n", "expression", expression="join(' ', [a, b])"),
        {"a": 5, "b": "x"},
        "JMESPathTypeError: In function join()",
        None,
    ),
    (
        T("email", "email", "direct").model_copy(update={"required": True}),
        {},
        "the destination requires this field and the source has no value",
        None,
    ),
    (
        T("items[].qty", "lines[].qty", cast="integer"),
        {"items": [{"qty": "1"}, {"qty": "x"}, {"qty": "y"}]},
        "2 of 3 elements failed; element 1: value is not a whole number",
        "x",
    ),
]


@pytest.mark.parametrize(("t", "record", "message", "shown"), FAILING, ids=[f[2][:50] for f in FAILING])
def test_bad_value_becomes_a_field_error_and_the_field_is_left_out(
    t: DataTransformation, record: dict[str, Any], message: str, shown: str | None
) -> None:
    """A value a transform cannot handle gives one FieldError (field, sources, why, excerpt); nothing is written."""
    result = compile_mapping(mapping(t), registry={"boom": _boom}).apply(record)
    assert result.payload == {}
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.dest_field, error.source_fields) == (t.dest_field, t.source_fields)
    assert message in error.message
    assert error.value_excerpt == shown


def test_a_registry_function_can_be_registered_by_decorator() -> None:
    """register_transform(name, registry=...) adds a function that compile_mapping then finds."""
    mine: dict[str, Any] = {}

    @register_transform("double", registry=mine)
    def double(value: Any, times: int = 2) -> Any:
        return value * times

    compiled = compile_mapping(mapping(T("n", "n", "custom", function="double", params={"times": 3})), registry=mine)
    assert compiled.apply({"n": 5}).payload == {"n": 15}
    with pytest.raises(TransformError, match="Unknown custom transform function 'double'"):
        compile_mapping(mapping(T("n", "n", "custom", function="double")))


def test_field_error_reads_as_one_line() -> None:
    """str(FieldError) names the destination, the sources, the reason and the excerpt."""
    error = FieldError("status", ["state"], "value has no entry", "weird")
    assert str(error) == "status ← state: value has no entry (value: weird)"
