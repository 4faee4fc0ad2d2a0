"""Revise a mapping from the Guardian's structured feedback (a list of `FieldIssue`).

Each kind of issue has its own repair, and every changed transformation says why in its rationale:

pattern / format    add a parse/format transform the expected text asks for (E.164 phones, dates)
enum                a value table onto the allowed values (from the issue, else from the spec)
missing_required    map the next-best source candidate, else the field's default/example as a constant
unknown_field / rejected   drop the transformation
type_mismatch       cast to the expected type, or drop an id-like field and mark it `needs_lookup`
transform_failed    fall back to the next candidate source, else drop
length / range      fit the values into the stated limit (`heal_limits`: fit_text / fit_number)
The new MappingLogic has `version + 1`; its `rationale` lists the issues that could not be repaired.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vitesse.errors import MappingError, TransformError
from vitesse.graph.mapper import values
from vitesse.graph.mapper.advice import refresh_unmapped_advice
from vitesse.graph.mapper.classify import needs_lookup
from vitesse.graph.mapper.complexity import complexity_score
from vitesse.graph.mapper.heal_limits import fix_length, fix_range
from vitesse.graph.mapper.options import EndpointChoice, MapperOptions
from vitesse.graph.mapper.propose import Prepared, endpoints_of
from vitesse.graph.mapper.transforms_choice import choose
from vitesse.graph.mapper.value_tables import enum_table
from vitesse.schemas import (
    APISpecification,
    DataTransformation,
    FieldIssue,
    IssueKind,
    MappingLogic,
    TransformType,
    UnmappedField,
)
from vitesse.transforms import compile_transformation

_INDEX = re.compile(r"\[\d+\]")
_ONE_OF = re.compile(r"one of[:\s]+(.+)$", re.I)


class _Healing:
    def __init__(self, mapping: MappingLogic, prep: Prepared) -> None:
        self.logic = mapping.model_copy(deep=True)
        self.prep = prep
        self.by_dest = {t.dest_field: t for t in self.logic.transformations}
        self.unrepaired: list[str] = []

    def field(self, path: str) -> Any:
        return next((v.field for v in self.prep.dest_all if v.path == path), None)

    def put(self, t: DataTransformation, why: str) -> bool:
        try:
            compile_transformation(t)
        except (TransformError, ValueError) as exc:
            self.unrepaired.append(f"{t.dest_field}: repair did not compile ({exc})")
            return False
        t.rationale = f"heal v{self.logic.version + 1}: {why}"
        self.by_dest[t.dest_field] = t
        self.logic.unmapped_dest = [u for u in self.logic.unmapped_dest if u.dest_field != t.dest_field]
        return True

    def drop(self, path: str, reason: str, why: str) -> None:
        self.by_dest.pop(path, None)
        field = self.field(path)
        required = bool(field.required) if field is not None else False
        self.logic.unmapped_dest = [u for u in self.logic.unmapped_dest if u.dest_field != path]
        self.logic.unmapped_dest.append(UnmappedField(dest_field=path, required=required, reason=reason))
        self.logic.rationale += f"; heal v{self.logic.version + 1}: dropped {path} ({why})"


def _resolve(path: str, known: set[str], wrapper: str | None) -> str:
    path = _INDEX.sub("[]", path.strip())
    if path in known:
        return path
    for candidate in (f"{wrapper}.{path}" if wrapper else "", *known):
        if candidate and (candidate == path or candidate.endswith("." + path)):
            return candidate
    return path


def _fix_format(h: _Healing, issue: FieldIssue, path: str) -> None:
    t = h.by_dest.get(path)
    if t is None:
        return _fix_missing(h, issue, path)
    text = f"{issue.expected or ''} {issue.message}".lower()
    new = t.model_copy(deep=True)
    if "e.164" in text or "e164" in text or "phone" in text or r"^\+" in text:
        new.transform_type, new.transform_config = TransformType.PARSE, {"as": "phone_e164", "default_region": "US"}
    elif any(w in text for w in ("date", "time", "yyyy", "iso 8601", "iso8601")):
        pattern = values.pattern_in_text(issue.expected or issue.message) or "iso8601"
        new.transform_type, new.transform_config = TransformType.FORMAT, {"from": "auto", "to": pattern}
    else:
        h.unrepaired.append(f"{path}: no automatic repair for {issue.kind.value} ({issue.message})")
        return
    h.put(new, f"{issue.message} → {new.transform_type.value} {new.transform_config}")


def _allowed(issue: FieldIssue, field: Any) -> list[Any] | None:
    if issue.allowed_values:
        return list(issue.allowed_values)
    match = _ONE_OF.search(issue.expected or "") or _ONE_OF.search(issue.message)
    if match:
        return [v.strip(" `'\"") for v in re.split(r",|\bor\b", match.group(1)) if v.strip(" `'\".")]
    return values.allowed_values(field) if field is not None else None


def _fix_enum(h: _Healing, issue: FieldIssue, path: str) -> None:
    t = h.by_dest.get(path)
    allowed = _allowed(issue, h.field(path))
    if t is None or not allowed:
        h.unrepaired.append(f"{path}: enum error without a mapping or allowed values")
        return
    source = h.prep.source_view(t.source_field or "")
    source_values = source.field.enum if source is not None else None
    new = t.model_copy(deep=True)
    new.transform_type = TransformType.ENUM
    new.transform_config = {"map": enum_table(source_values, allowed)} if source_values else {"values": allowed}
    h.put(new, f"{issue.message} → value table onto {', '.join(map(str, allowed[:6]))}")


def _fix_missing(h: _Healing, issue: FieldIssue, path: str) -> None:
    row = h.prep.dest_row(path)
    used = {s for t in h.by_dest.values() for s in t.source_fields}
    current = h.by_dest.get(path)
    if row is not None:
        for col, score in h.prep.matrix.ranked(row, 8):
            s = h.prep.matrix.source[col]
            if s.path in used or (current is not None and s.path in current.source_fields):
                continue
            kind, config, why = choose(h.prep.matrix.dest[row], [s], "one", {})
            t = DataTransformation(source_fields=[s.path], dest_field=path, transform_type=kind,
                                   transform_config=config, confidence=round(score * 0.9, 3),
                                   required=True)  # fmt: skip
            if h.put(t, f"{issue.message} → next-best candidate {s.path} ({score:.2f}); {why}"):
                return
    field = h.field(path)
    spec_values = (getattr(field, "default", None), getattr(field, "example", None))
    fallback = next((v for v in spec_values if v is not None), None)
    if fallback is None and field is not None and field.enum:
        fallback = field.enum[0]
    if fallback is None:
        h.unrepaired.append(f"{path}: required but no candidate or default is known")
        return
    t = DataTransformation(dest_field=path, transform_type=TransformType.CONSTANT, transform_config={"value": fallback},
                           confidence=0.3, required=True)  # fmt: skip
    h.put(t, f"{issue.message} → constant {fallback!r} from the spec's default/example")


def _fix_type(h: _Healing, issue: FieldIssue, path: str) -> None:
    t = h.by_dest.get(path)
    view = next((v for v in h.prep.dest_all if v.path == path), None)
    if view is not None and needs_lookup(view):
        h.drop(path, "needs_lookup", f"{issue.message}; it holds an id of the destination system")
        return
    expected = (issue.expected or (view.field.type if view else "") or "").lower()
    casts = {"integer": (TransformType.PARSE, {"as": "integer"}), "number": (TransformType.PARSE, {"as": "number"}),
             "string": (TransformType.STRINGIFY, {}), "boolean": (TransformType.PARSE_BOOL, {})}  # fmt: skip
    if t is None or expected not in casts:
        h.unrepaired.append(f"{path}: type mismatch without a known cast ({issue.message})")
        return
    new = t.model_copy(deep=True)
    new.transform_type, new.transform_config = casts[expected]
    h.put(new, f"{issue.message} → cast to {expected}")


def _fix_rejected(h: _Healing, issue: FieldIssue, path: str) -> None:
    h.drop(path, "rejected", issue.message)


def _fix_failed(h: _Healing, issue: FieldIssue, path: str) -> None:
    t = h.by_dest.pop(path, None)
    if t is not None:
        _fix_missing(h, issue, path)
        if path not in h.by_dest:
            h.drop(path, "transform_failed", issue.message)


HANDLERS: dict[IssueKind, Callable[[_Healing, FieldIssue, str], None]] = {
    IssueKind.PATTERN: _fix_format,
    IssueKind.FORMAT: _fix_format,
    IssueKind.ENUM: _fix_enum,
    IssueKind.MISSING_REQUIRED: _fix_missing,
    IssueKind.UNKNOWN_FIELD: _fix_rejected,
    IssueKind.REJECTED: _fix_rejected,
    IssueKind.TYPE_MISMATCH: _fix_type,
    IssueKind.TRANSFORM_FAILED: _fix_failed,
    IssueKind.LENGTH: fix_length,
    IssueKind.RANGE: fix_range,
}


def heal_mapping(
    mapping: MappingLogic,
    feedback: list[FieldIssue],
    source: APISpecification,
    dest: APISpecification,
    *,
    options: MapperOptions | None = None,
) -> MappingLogic:
    """Return a revised mapping (version + 1) that answers each issue; the input mapping is not changed.

    Raises:
        MappingError: the mapping's endpoints are not in the given specs.
    """
    choice = EndpointChoice(source_endpoint=mapping.source_endpoint, dest_endpoint=mapping.dest_endpoint)
    src, dst = endpoints_of(source, dest, choice)
    h = _Healing(mapping, Prepared(src, dst, options or MapperOptions()))
    known = {v.path for v in h.prep.dest_all}
    for issue in feedback:
        path = _resolve(issue.dest_field, known, mapping.dest_array_wrapper)
        handler = HANDLERS.get(issue.kind)
        if handler is None:
            h.unrepaired.append(f"{path}: no automatic repair for {issue.kind.value}")
            continue
        handler(h, issue, path)
    order = {v.path: k for k, v in enumerate(h.prep.dest_all)}
    h.logic.transformations = sorted(h.by_dest.values(), key=lambda t: order.get(t.dest_field, len(order)))
    used = {s for t in h.logic.transformations for s in t.source_fields}
    h.logic.unmapped_source = [s.path for s in h.prep.matrix.source if s.path not in used]
    h.logic.version = mapping.version + 1
    if h.unrepaired:
        h.logic.rationale += f"; heal v{h.logic.version} could not repair: " + "; ".join(h.unrepaired)
    h.logic.complexity_score = complexity_score(h.logic)
    refresh_unmapped_advice(h.logic)
    return h.logic


__all__ = ["HANDLERS", "MappingError", "heal_mapping"]
