"""Rate how hard a mapping is to run and to trust, from 1 (copy fields as they are) to 10.

complexity_score = 1
    + 1 when any transformation is not `direct`, + 1 more when more than three are not
    + 1 for each kind of structural work present: collect/split (several fields ↔ one),
      nest (an untyped destination object or array built), value tables (enum/mapping), date/number formats
    + 1 when a source array is read into a single destination value or mapped element by element
    + 1 when a required destination field is left unmapped, + 1 when some field needs a lookup
    + 1 when more than 15 fields are mapped
    + 1 when the mean confidence is below 0.75
capped at 10.
"""

from __future__ import annotations

from vitesse.schemas import MappingLogic, TransformType

_KINDS = (
    {TransformType.COLLECT, TransformType.SPLIT},
    {TransformType.NEST, TransformType.FLATTEN, TransformType.CUSTOM},
    {TransformType.ENUM, TransformType.MAPPING},
    {TransformType.FORMAT, TransformType.PARSE},
)


def complexity_score(mapping: MappingLogic) -> int:
    """Return the mapping's complexity on the 1–10 scale defined in this module's docstring."""
    ts = mapping.transformations
    non_direct = [t for t in ts if t.transform_type != TransformType.DIRECT]
    score = 1 + (len(non_direct) > 0) + (len(non_direct) > 3)
    kinds = {t.transform_type for t in ts}
    score += sum(1 for group in _KINDS if kinds & group)
    score += any("[]" in s for t in ts for s in t.source_fields)
    score += bool(mapping.unmapped_required)
    score += any(u.reason == "needs_lookup" for u in mapping.unmapped_dest)
    score += len(ts) > 15
    if ts:
        score += sum(t.confidence for t in ts) / len(ts) < 0.75
    return max(1, min(10, int(score)))
