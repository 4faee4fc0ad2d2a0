"""Heal repairs for length and range errors: fit_text / fit_number, limits read from issues or schemas."""

from __future__ import annotations

import pytest

from tests.unit.mapper.helpers import dest_spec, f, source_spec
from vitesse.errors import TransformError
from vitesse.graph.mapper import MapperOptions, heal_mapping, propose_mapping
from vitesse.graph.mapper.fitting import fit_number, fit_text
from vitesse.graph.mapper.heal_limits import length_limits, range_limits
from vitesse.schemas import DataTransformation, FieldIssue, IssueKind, TransformType
from vitesse.transforms import compile_mapping, compile_transformation

SRC = source_spec([f("first_name"), f("last_name"), f("bio"), f("qty", "integer"), f("score", "number"),
                   f("discount", "string")])  # fmt: skip
DST = dest_spec([f("full_name", max_length=12), f("family_name", required=True), f("about", max_length=20),
                 f("quantity", "integer", required=True, minimum=1, maximum=100), f("rating", "number", maximum=5),
                 f("percent", "integer")])  # fmt: skip


FIT = MapperOptions(fit_limits=True)


def _mapping(*ts: DataTransformation):
    mapping = propose_mapping(SRC, DST)
    mapping.transformations = list(ts)
    return mapping


def _healed(mapping, *issues: FieldIssue):
    healed = heal_mapping(mapping, list(issues), SRC, DST, options=FIT)
    return {t.dest_field: t for t in healed.transformations}, healed


def _apply(t: DataTransformation, record: dict):
    return compile_mapping(_mapping(t)).apply(record).payload.get(t.dest_field)


def test_fit_text_cuts_joins_and_drops_too_short_values():
    assert fit_text("Garcia " + "x" * 90, max_length=10) == "Garcia xxx"
    assert fit_text("Ana Maria", max_length=4) == "Ana"  # a cut never ends in a blank
    assert fit_text("Ada", "", None, "Lovelace", separator=" ", max_length=20) == "Ada Lovelace"
    assert fit_text(["a", "b", "c"], max_length=2) == ["a", "b"]
    assert fit_text("x", min_length=2) is None and fit_text(12345, max_length=3) == "123"
    assert fit_text(None, max_length=3) is None


def test_fit_number_rounds_clamps_or_drops():
    assert fit_number(0, minimum=1, maximum=100, integer=True) == 1
    assert fit_number("250", maximum=100) == 100.0
    assert fit_number(250, maximum=100, out_of_range="drop") is None
    assert fit_number(7, maximum=100, out_of_range="drop") == 7
    assert fit_number(0, exclusive_minimum=0, integer=True) == 1
    assert 0 < fit_number(0.0, exclusive_minimum=0) < 1e-300
    assert fit_number(3.14159, multiple_of=0.01) == 3.14
    with pytest.raises(TypeError):
        fit_number(True, maximum=1)
    with pytest.raises(ValueError, match="not a number"):
        fit_number("lots", maximum=1)


@pytest.mark.parametrize(
    ("config", "message"),
    [({"function": "fit_text", "params": {"max_length": -1}}, "max_length"),
     ({"function": "fit_text", "params": {"max_length": 2, "min_length": 3}}, "min_length"),
     ({"function": "fit_number", "params": {"out_of_range": "wrap"}}, "out_of_range"),
     ({"function": "fit_number", "params": {"multiple_of": 0}}, "multiple_of")],
)  # fmt: skip
def test_bad_fit_params_are_refused_when_the_mapping_compiles(config, message):
    t = DataTransformation(source_fields=["bio"], dest_field="about", transform_type=TransformType.CUSTOM,
                           transform_config=config)  # fmt: skip
    with pytest.raises(TransformError, match=message):
        compile_transformation(t)


@pytest.mark.parametrize(
    ("expected", "message", "limits"),
    [("at most 80 characters", "", {"max_length": 80}),
     (None, "it must be at least 2 characters long", {"min_length": 2}),
     ("at most 10 items", "", {"max_length": 10}), (None, "too long", {"max_length": 12})],
)  # fmt: skip
def test_length_limits_come_from_the_issue_else_the_schema(expected, message, limits):
    issue = FieldIssue(dest_field="full_name", kind=IssueKind.LENGTH, message=message, expected=expected)
    assert length_limits(issue, DST.endpoints[0].body_fields()[0]) == limits


@pytest.mark.parametrize(
    ("expected", "limits"),
    [("≥ 1", {"minimum": 1}), ("≤ 5", {"maximum": 5}), ("> 0", {"exclusive_minimum": 0}),
     ("< 10.5", {"exclusive_maximum": 10.5}), ("a multiple of 0.01", {"multiple_of": 0.01}),
     (None, {"minimum": 1, "maximum": 100})],
)  # fmt: skip
def test_range_limits_come_from_the_issue_else_the_schema(expected, limits):
    issue = FieldIssue(dest_field="quantity", kind=IssueKind.RANGE, message="out of range", expected=expected)
    assert range_limits(issue, DST.endpoints[0].body_fields()[3]) == limits


def test_a_too_long_direct_copy_is_cut_to_the_stated_length():
    direct = DataTransformation(source_fields=["last_name"], dest_field="family_name")
    issue = FieldIssue(dest_field="family_name", kind=IssueKind.LENGTH, expected="at most 8 characters",
                       message="API rejected family_name in 9 writes: it must be at most 8 characters")  # fmt: skip
    by_dest, healed = _healed(_mapping(direct), issue)
    t = by_dest["family_name"]
    assert t.transform_type is TransformType.CUSTOM
    assert t.transform_config == {"function": "fit_text", "params": {"max_length": 8}}
    assert t.rationale.startswith("heal v2") and "fit_text" in t.rationale and healed.version == 2
    assert _apply(t, {"last_name": "Whitfield-Smythe"}) == "Whitfiel"
    assert _apply(t, {"last_name": "Lopez"}) == "Lopez"


def test_a_joined_name_keeps_its_separator_and_is_cut_after_joining():
    joined = DataTransformation(source_fields=["first_name", "last_name"], dest_field="full_name",
                                transform_type=TransformType.COLLECT, transform_config={"separator": " "})  # fmt: skip
    issue = FieldIssue(dest_field="full_name", kind=IssueKind.LENGTH, message="full_name is too long")
    t = _healed(_mapping(joined), issue)[0]["full_name"]
    assert t.transform_config["params"] == {"max_length": 12, "separator": " "}
    assert _apply(t, {"first_name": "Ada", "last_name": "Lovelace-Byron"}) == "Ada Lovelace"


def test_a_second_length_issue_updates_the_earlier_fit():
    first = DataTransformation(source_fields=["bio"], dest_field="about", transform_type=TransformType.CUSTOM,
                               transform_config={"function": "fit_text", "params": {"max_length": 20}})  # fmt: skip
    issue = FieldIssue(dest_field="about", kind=IssueKind.LENGTH, message="x", expected="at least 3 characters")
    t = _healed(_mapping(first), issue)[0]["about"]
    assert t.transform_config["params"] == {"max_length": 20, "min_length": 3}


def test_a_transform_that_cannot_take_a_second_step_is_reported_not_broken():
    split = DataTransformation(source_fields=["bio"], dest_field="about", transform_type=TransformType.SPLIT,
                               transform_config={"part": "first"})  # fmt: skip
    issue = FieldIssue(dest_field="about", kind=IssueKind.LENGTH, message="too long", expected="at most 5 characters")
    by_dest, healed = _healed(_mapping(split), issue)
    assert by_dest["about"].transform_type is TransformType.SPLIT
    assert "could not repair" in healed.rationale and "about: a split transform cannot" in healed.rationale


def test_range_errors_clamp_required_fields_and_leave_optional_ones_out():
    qty = DataTransformation(source_fields=["qty"], dest_field="quantity")
    rating = DataTransformation(source_fields=["score"], dest_field="rating", transform_type=TransformType.PARSE,
                                transform_config={"as": "number"})  # fmt: skip
    issues = [FieldIssue(dest_field="quantity", kind=IssueKind.RANGE, message="quantity must be ≥ 1", expected="≥ 1"),
              FieldIssue(dest_field="rating", kind=IssueKind.RANGE, message="rating out of range")]  # fmt: skip
    by_dest, _ = _healed(_mapping(qty, rating), *issues)
    assert by_dest["quantity"].transform_config["params"] == {"minimum": 1, "out_of_range": "clamp", "integer": True}
    assert by_dest["rating"].transform_config["params"] == {"maximum": 5, "out_of_range": "drop", "integer": False}
    assert _apply(by_dest["quantity"], {"qty": 0}) == 1
    assert _apply(by_dest["rating"], {"score": "9.5"}) is None
    assert _apply(by_dest["rating"], {"score": "4.5"}) == 4.5


def test_a_range_error_without_any_known_bound_is_reported():
    t = DataTransformation(source_fields=["discount"], dest_field="percent")
    issue = FieldIssue(dest_field="percent", kind=IssueKind.RANGE, message="percent is out of range")
    by_dest, healed = _healed(_mapping(t), issue)
    assert by_dest["percent"].transform_type is TransformType.DIRECT
    assert "percent: range error without a known limit" in healed.rationale


async def test_the_guardians_length_issue_on_the_example_apis_is_gone_after_heal(shop, crm, settings):
    """Orbit CRM refuses family names over 80 characters; after one heal no write is refused for it."""
    from vitesse.graph.guardian import GuardianOptions, Target, run_guardian

    mapping = propose_mapping(shop, crm, "Sync Acme Shop customers to Orbit CRM contacts")
    source = Target(shop, shop.find_endpoint("GET /customers"))
    dest = Target(crm, crm.find_endpoint("POST /contacts"))
    first = await run_guardian(mapping, source, dest, options=GuardianOptions(), settings=settings)
    (issue,) = [i for i in first.feedback if i.dest_field == "family_name"]
    assert issue.kind is IssueKind.LENGTH and "at most 80 characters" in issue.message
    healed = heal_mapping(mapping, first.feedback, shop, crm, options=FIT)
    assert {t.dest_field: t for t in healed.transformations}["family_name"].transform_config == {
        "function": "fit_text", "params": {"max_length": 80}}  # fmt: skip
    second = await run_guardian(healed, source, dest, options=GuardianOptions(), settings=settings)
    assert [i for i in second.feedback if i.kind is IssueKind.LENGTH] == []
    assert second.health.overall_score > first.health.overall_score


def test_length_and_range_repairs_are_on_by_default_and_can_be_switched_off():
    """The fitters live in the transform engine (the sync runtime has them), so a default heal uses them."""
    direct = DataTransformation(source_fields=["last_name"], dest_field="family_name")
    issue = FieldIssue(dest_field="family_name", kind=IssueKind.LENGTH, message="x", expected="at most 8 characters")
    healed = heal_mapping(_mapping(direct), [issue], SRC, DST)
    assert healed.transformations[0].transform_config.get("function") == "fit_text"
    kept = heal_mapping(_mapping(direct), [issue], SRC, DST, options=MapperOptions(fit_limits=False))
    assert kept.transformations[0].transform_type is TransformType.DIRECT
    assert "family_name: length repairs are off" in kept.rationale
