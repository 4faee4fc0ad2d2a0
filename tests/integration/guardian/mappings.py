"""The correct example mapping (shop Customer → CRM ContactCreate) written by hand, and edits of it."""

from __future__ import annotations

from vitesse.schemas import DataTransformation, MappingLogic, TransformType

# The golden table of vitesse/examples/specs/README.md, written out by hand. The README's config column
# names a `format` {"format": "e164"} and an enum {"mapping": …}; the transform engine spells them
# `parse` {"as": "phone_e164"} and enum {"map": …}, so the engine's spelling is used here.
GOLDEN_ROWS: list[tuple[str, str, TransformType, dict[str, object]]] = [
    ("given_name", "first_name", TransformType.DIRECT, {}),
    ("family_name", "last_name", TransformType.DIRECT, {}),
    ("primary_email", "email", TransformType.DIRECT, {}),
    ("phone_numbers[].number", "phone", TransformType.PARSE, {"as": "phone_e164", "default_region": "US"}),
    ("organization", "company", TransformType.DIRECT, {}),
    (
        "lifecycle_stage",
        "status",
        TransformType.ENUM,
        {"map": {"active": "CUSTOMER", "invited": "LEAD", "disabled": "CHURNED"}},
    ),
    ("marketing_opt_in", "accepts_marketing", TransformType.DIRECT, {}),
    ("labels[]", "tags[]", TransformType.DIRECT, {}),
    ("mailing_address.street", "billing_address.line1", TransformType.DIRECT, {}),
    ("mailing_address.street2", "billing_address.line2", TransformType.DIRECT, {}),
    ("mailing_address.locality", "billing_address.city", TransformType.DIRECT, {}),
    ("mailing_address.region", "billing_address.province_code", TransformType.DIRECT, {}),
    ("mailing_address.postal_code", "billing_address.zip", TransformType.DIRECT, {}),
    ("mailing_address.country", "billing_address.country_code", TransformType.DIRECT, {}),
    ("external_ref", "id", TransformType.DIRECT, {}),
]
REQUIRED = {"given_name", "family_name", "primary_email"}


def golden_mapping() -> MappingLogic:
    """The correct shop Customer → CRM ContactCreate mapping of the examples README."""
    return MappingLogic(
        source_endpoint="GET /customers",
        dest_endpoint="POST /contacts",
        source_records_at="data[]",
        transformations=[
            DataTransformation(
                dest_field=dest,
                source_fields=[source],
                transform_type=kind,
                transform_config=config,
                required=dest in REQUIRED,
            )
            for dest, source, kind, config in GOLDEN_ROWS
        ],
        produced_by="human",
    )


def edited(mapping: MappingLogic, target_field: str, **changes: object) -> MappingLogic:
    """A copy of the mapping with one transformation changed (or removed when `remove=True`)."""
    copy = mapping.model_copy(deep=True)
    if changes.pop("remove", False):
        copy.transformations = [t for t in copy.transformations if t.dest_field != target_field]
        return copy
    for t in copy.transformations:
        if t.dest_field == target_field:
            for key, value in changes.items():
                setattr(t, key, value)
    return copy
