"""Property tests: round trips on random values, and apply never raising on random records."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vitesse.schemas import DataTransformation, MappingLogic
from vitesse.transforms import compile_mapping, stringify, to_e164

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
JSON = st.recursive(
    JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip
NON_NULL_JSON = JSON.filter(lambda v: v is not None)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def T(source: str | list[str], dest: str, kind: str = "direct", **config: Any) -> DataTransformation:
    sources = [source] if isinstance(source, str) else source
    return DataTransformation(source_fields=sources, dest_field=dest, transform_type=kind, transform_config=config)


def compiled(*ts: DataTransformation) -> Any:
    return compile_mapping(MappingLogic(source_endpoint="GET /a", dest_endpoint="POST /b", transformations=list(ts)))


DIRECT_NESTED = compiled(T("a.b", "x.y.z"))
DIRECT_TOP = compiled(T("v", "v"))


@FAST
@given(NON_NULL_JSON)
def test_direct_round_trips_any_non_null_json_value(value: Any) -> None:
    """direct copies any non-null JSON value unchanged, at the top level and between nested paths."""
    assert DIRECT_TOP.apply({"v": value}).payload == {"v": value}
    assert DIRECT_NESTED.apply({"a": {"b": value}}).payload == {"x": {"y": {"z": value}}}


STRINGIFY_INT = compiled(T("v", "v", "stringify"), T("v", "w", cast="string"))
INTEGER = compiled(T("v", "v", cast="integer"))
NUMBER = compiled(T("v", "v", cast="number"))


@FAST
@given(st.integers())
def test_integers_survive_stringify_then_cast_back(value: int) -> None:
    """stringify then cast integer gives the integer back."""
    text = STRINGIFY_INT.apply({"v": value}).payload["v"]
    assert text == str(value)
    assert INTEGER.apply({"v": text}).payload == {"v": value}


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_survive_stringify_then_cast_back(value: float) -> None:
    """stringify writes no trailing .0 and cast number reads the text back to the same float."""
    text = stringify(value)
    assert not text.endswith(".0")
    assert NUMBER.apply({"v": text}).payload == {"v": value}


SPLIT = compiled(T("name", "first", "split", part="first"), T("name", "rest", "split", part="rest"))


@FAST
@given(st.lists(st.text(alphabet="abcXYZé-'", min_size=1, max_size=6), min_size=1, max_size=5))
def test_split_first_and_rest_rebuild_the_name(words: list[str]) -> None:
    """first + rest give back every word of a name, in order; a one-word name has no rest."""
    payload = SPLIT.apply({"name": "  " + "   ".join(words) + " "}).payload
    assert " ".join(filter(None, [payload.get("first"), payload.get("rest")])) == " ".join(words)
    assert ("rest" in payload) == (len(words) > 1)


COLLECT_LIST = compiled(T("items[].v", "values", "collect", **{"as": "list"}))


@FAST
@given(st.lists(st.none() | st.integers() | st.text(max_size=5), max_size=8))
def test_collect_list_keeps_every_non_null_value_in_order(values: list[Any]) -> None:
    """collect as list over a [] path gives exactly the non-null values in order (no value when there is none)."""
    payload = COLLECT_LIST.apply({"items": [{"v": v} for v in values]}).payload
    expected = [v for v in values if v is not None]
    assert payload == ({"values": expected} if expected else {})


UNIX_ROUND_TRIP = compiled(T("t", "iso", "format", **{"from": "unix"}))
ISO_TO_UNIX = compiled(T("iso", "t", "format", to="unix"))


@FAST
@given(st.integers(min_value=-2_000_000_000, max_value=32_000_000_000))
def test_unix_to_iso_and_back_is_the_same_second(seconds: int) -> None:
    """An epoch second written as ISO 8601 reads back as the same epoch second."""
    iso = UNIX_ROUND_TRIP.apply({"t": seconds}).payload["iso"]
    assert iso.endswith("Z")
    assert ISO_TO_UNIX.apply({"iso": iso}).payload == {"t": seconds}


MONEY = compiled(T("c", "m", "custom", function="cents_to_money", params={"as_string": True}))
CENTS = compiled(T("m", "c", "custom", function="money_to_cents"))


@FAST
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_cents_to_money_and_back(cents: int) -> None:
    """cents_to_money then money_to_cents returns the same number of cents."""
    text = MONEY.apply({"c": cents}).payload["m"]
    assert CENTS.apply({"m": text}).payload == {"c": cents}


@FAST
@given(
    st.sampled_from("23456789"),
    st.text(alphabet="0123456789", min_size=2, max_size=2),
    st.sampled_from("23456789"),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.sampled_from(["{a}{e}{n}", "({a}) {e}-{n}", "1-{a}-{e}-{n}", "+1 {a} {e} {n}", "{a}.{e}.{n} x99"]),
)
def test_every_way_of_writing_a_nanp_number_gives_one_e164(a0: str, a12: str, e0: str, rest: str, shape: str) -> None:
    """Any common way of writing the same North American number normalises to the same E.164 text."""
    area, exchange, line = a0 + a12, e0 + rest[:2], rest[2:]
    written = shape.format(a=area, e=exchange, n=line)  # test data only; the engine never calls str.format
    assert to_e164(written) == f"+1{area}{exchange}{line}"


EVERYTHING = compiled(
    T("a", "direct"),
    T("a", "cast_int", cast="integer"),
    T("b", "mapped", "mapping", map={"x": 1}),
    T("b", "enum", "enum", values=["X", "Y"], default="X"),
    T("c", "parsed_date", "parse", **{"as": "date"}),
    T("c", "parsed_json", "parse", **{"as": "json"}),
    T("c", "phone", "parse", **{"as": "phone_e164"}),
    T("a", "text", "stringify"),
    T("b", "flag", "parse_bool"),
    T(["a", "b", "list[].x"], "joined", "collect"),
    T("c", "first", "split", part="first"),
    T("a", "iso", "format", to="iso8601"),
    T("a", "rounded", "format", decimals=2),
    T(["a", "b"], "template", "format", template="{a}-{b}"),
    T("b", "defaulted", "default", default="none"),
    T([], "fixed", "constant", value=1),
    T(["a", "b"], "nested", "nest"),
    T("c", "flat", "flatten", path="k"),
    T("c", "cents", "custom", function="money_to_cents"),
    T(["list[].x"], "expr", "expression", expression="list[].x | [0]"),
    T("list[].x", "out[].x", cast="number"),
    T("list[].y", "leaf[]"),
)
KEYS = st.sampled_from(["a", "b", "c", "list", "k", "x", "y"])
SMALL_JSON = st.recursive(
    JSON_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3), max_leaves=4
)
RECORDS = st.dictionaries(
    KEYS, SMALL_JSON | st.lists(st.dictionaries(KEYS, SMALL_JSON, max_size=3), max_size=3), max_size=5
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RECORDS, max_size=3))
def test_apply_never_raises_on_random_records(records: list[dict[str, Any]]) -> None:
    """Every transform type over random records: no exception escapes, errors are well-formed and short."""
    result = EVERYTHING.apply_batch(records)
    assert len(result.payloads) == len(records)
    assert result.ok_count + result.failed_count == len(records)
    for errors in result.errors.values():
        for error in errors:
            assert error.dest_field in EVERYTHING.dest_fields
            assert error.value_excerpt is None or len(error.value_excerpt) <= 40
            assert len(error.message) <= 300
    for record, payload in zip(records, result.payloads, strict=True):
        assert EVERYTHING.apply(record).payload == payload  # deterministic
