"""Turn jsonschema errors into one `FieldError` per offending field, with the CRM's vocabulary of codes.

Fields are dot paths with array indexes (`phone_numbers[0].number`). Codes: `required`,
`invalid_type`, `invalid_format`, `not_in_enum`, `too_short`, `too_long`, `out_of_range`,
`unknown_field`, `not_unique`, `invalid`. For a failed oneOf/anyOf the closest alternative is
explained (the one whose own errors are fewest, skipping alternatives of the wrong type), so a
nullable field with a bad value reports the value's fault, not "is not null".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

CODES = {
    "required": "required",
    "type": "invalid_type",
    "format": "invalid_format",
    "pattern": "invalid_format",
    "enum": "not_in_enum",
    "const": "not_in_enum",
    "minLength": "too_short",
    "minItems": "too_short",
    "minProperties": "too_short",
    "maxLength": "too_long",
    "maxItems": "too_long",
    "maxProperties": "too_long",
    "minimum": "out_of_range",
    "maximum": "out_of_range",
    "exclusiveMinimum": "out_of_range",
    "exclusiveMaximum": "out_of_range",
    "multipleOf": "out_of_range",
    "additionalProperties": "unknown_field",
    "unevaluatedProperties": "unknown_field",
    "uniqueItems": "not_unique",
}


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


def dot_path(parts: Iterable[Any], prefix: str = "") -> str:
    """Join a jsonschema path into `a.b[0].c` (with an optional prefix such as a parameter name)."""
    out = prefix
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out = f"{out}.{part}" if out else str(part)
    return out


def field_errors(validator: Draft202012Validator, instance: Any, prefix: str = "") -> list[FieldError]:
    """Validate and return one entry per (field, code), in the order the fields appear."""
    found: list[FieldError] = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
        found.extend(_explain(error, prefix))
    return list(dict.fromkeys(found))


def _explain(error: ValidationError, prefix: str) -> list[FieldError]:
    where = dot_path(error.absolute_path, prefix)
    keyword = str(error.validator)
    if keyword in ("anyOf", "oneOf"):
        return _alternatives(error, prefix, where)
    if keyword == "required":
        missing = [p for p in error.validator_value if isinstance(error.instance, dict) and p not in error.instance]
        return [FieldError(_join(where, p), "required", "is required") for p in missing or ["?"]]
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        allowed = set((error.schema.get("properties") or {}) if isinstance(error.schema, dict) else ())
        extra = [k for k in error.instance if k not in allowed] or ["?"]
        return [FieldError(_join(where, k), "unknown_field", "is not a known field") for k in extra]
    code = CODES.get(keyword, "invalid")
    return [FieldError(where or "body", code, _message(keyword, error))]


def _alternatives(error: ValidationError, prefix: str, where: str) -> list[FieldError]:
    if not error.context:  # oneOf matched several alternatives
        return [FieldError(where or "body", "invalid", "matches more than one allowed form")]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    plausible = [errs for errs in branches.values() if not _wrong_type(errs, error)]
    if not plausible:
        types = sorted({t for errs in branches.values() for e in errs if e.validator == "type" for t in _types(e)})
        expected = " or ".join(types) if types else "one of the allowed forms"
        return [FieldError(where or "body", "invalid_type", f"must be {expected}")]
    best = min(plausible, key=len)
    out: list[FieldError] = []
    for sub in best:
        out.extend(_explain(sub, prefix))
    return out


def _wrong_type(errors: Sequence[ValidationError], parent: ValidationError) -> bool:
    return any(
        e.validator in ("type", "const", "enum") and list(e.absolute_path) == list(parent.absolute_path) for e in errors
    )


def _types(error: ValidationError) -> list[str]:
    value = error.validator_value
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _message(keyword: str, error: ValidationError) -> str:
    value = error.validator_value
    if keyword == "type":
        return f"must be of type {' or '.join(_types(error))}"
    if keyword == "format":
        return f"must be a valid {value}"
    if keyword == "pattern":
        return f"must match the pattern {value}"
    if keyword in ("enum", "const"):
        options = value if isinstance(value, list) else [value]
        return "must be one of " + ", ".join(str(o) for o in options[:20])
    if keyword in ("minLength", "minItems", "minProperties"):
        return f"must have at least {value} {'characters' if keyword == 'minLength' else 'items'}"
    if keyword in ("maxLength", "maxItems", "maxProperties"):
        return f"must have at most {value} {'characters' if keyword == 'maxLength' else 'items'}"
    if keyword in ("minimum", "exclusiveMinimum"):
        return f"must be {'greater than' if keyword.startswith('exclusive') else 'at least'} {value}"
    if keyword in ("maximum", "exclusiveMaximum"):
        return f"must be {'less than' if keyword.startswith('exclusive') else 'at most'} {value}"
    if keyword == "multipleOf":
        return f"must be a multiple of {value}"
    if keyword == "uniqueItems":
        return "must not repeat items"
    return "is invalid"
