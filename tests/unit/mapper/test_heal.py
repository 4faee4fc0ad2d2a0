"""heal_mapping answers each kind of Guardian feedback with its own repair."""

from __future__ import annotations

from tests.unit.mapper.helpers import dest_spec, f, source_spec
from vitesse.graph.mapper import heal_mapping, propose_mapping
from vitesse.schemas import DataTransformation, FieldIssue, IssueKind, TransformType
from vitesse.transforms import compile_mapping

SRC = source_spec([f("phone"), f("status", enum=["active", "disabled"]), f("last_name"), f("surname_alt"),
                   f("company")])  # fmt: skip
DST = dest_spec([f("phone_numbers[].number"), f("lifecycle_stage"), f("family_name", required=True),
                 f("company_id", "integer"), f("nickname", default="n/a", required=True)])  # fmt: skip


def _naive():
    mapping = propose_mapping(SRC, DST)
    mapping.transformations = [
        DataTransformation(source_fields=["phone"], dest_field="phone_numbers[].number"),
        DataTransformation(source_fields=["status"], dest_field="lifecycle_stage"),
        DataTransformation(source_fields=["company"], dest_field="company_id"),
    ]
    return mapping


def _by_dest(mapping):
    return {t.dest_field: t for t in mapping.transformations}


def test_pattern_error_adds_an_e164_parse_and_bumps_the_version():
    issue = FieldIssue(dest_field="phone_numbers[0].number", kind=IssueKind.PATTERN,
                       message="destination rejected phone_numbers[].number: expected E.164")  # fmt: skip
    naive = _naive()
    healed = heal_mapping(naive, [issue], SRC, DST)
    t = _by_dest(healed)["phone_numbers[].number"]
    assert (t.transform_type, t.transform_config["as"]) == (TransformType.PARSE, "phone_e164")
    assert healed.version == naive.version + 1 and "E.164" in t.rationale and t.rationale.startswith("heal v2")
    assert _by_dest(naive)["phone_numbers[].number"].transform_type is TransformType.DIRECT


def test_enum_error_builds_a_value_table_from_the_allowed_values():
    issue = FieldIssue(dest_field="lifecycle_stage", kind=IssueKind.ENUM, message="422 on lifecycle_stage",
                       expected="one of LEAD, CUSTOMER, CHURNED")  # fmt: skip
    t = _by_dest(heal_mapping(_naive(), [issue], SRC, DST))["lifecycle_stage"]
    assert t.transform_type is TransformType.ENUM
    assert t.transform_config["map"] == {"active": "CUSTOMER", "disabled": "CHURNED"}


def test_missing_required_field_maps_the_next_candidate_or_a_default():
    issues = [FieldIssue(dest_field=p, kind=IssueKind.MISSING_REQUIRED, message=f"required {p} missing")
              for p in ("family_name", "nickname")]  # fmt: skip
    healed = _by_dest(heal_mapping(_naive(), issues, SRC, DST))
    assert healed["family_name"].source_fields == ["last_name"]
    assert (healed["nickname"].transform_type, healed["nickname"].transform_config) == (TransformType.CONSTANT,
                                                                                       {"value": "n/a"})  # fmt: skip


def test_type_mismatch_on_an_id_field_drops_it_as_needs_lookup():
    issue = FieldIssue(dest_field="company_id", kind=IssueKind.TYPE_MISMATCH, message="string where integer expected",
                       expected="integer")  # fmt: skip
    healed = heal_mapping(_naive(), [issue], SRC, DST)
    assert "company_id" not in _by_dest(healed)
    assert any(u.dest_field == "company_id" and u.reason == "needs_lookup" for u in healed.unmapped_dest)


def test_unknown_field_is_dropped_and_unrepairable_issues_are_reported():
    issues = [FieldIssue(dest_field="lifecycle_stage", kind=IssueKind.UNKNOWN_FIELD, message="unknown field"),
              FieldIssue(dest_field="nickname", kind=IssueKind.LENGTH, message="too long")]  # fmt: skip
    healed = heal_mapping(_naive(), issues, SRC, DST)
    assert "lifecycle_stage" not in _by_dest(healed)
    assert "could not repair" in healed.rationale and "nickname" in healed.rationale
    compile_mapping(healed)
