"""Compare an integration's specs with freshly ingested ones: what changed, and which mapped fields it touches."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import Field as PydField

from vitesse.schemas import APISpecification, MappingLogic


class DriftReport(BaseModel):
    """What changed in either API since the integration was built."""

    changed: bool = False
    source_digest_changed: bool = False
    dest_digest_changed: bool = False
    missing_endpoints: list[str] = PydField(default_factory=list)
    source_fields_removed: list[str] = PydField(default_factory=list)
    source_fields_added: list[str] = PydField(default_factory=list)
    dest_fields_removed: list[str] = PydField(default_factory=list)
    dest_fields_added: list[str] = PydField(default_factory=list)
    new_required_dest_fields: list[str] = PydField(default_factory=list)
    affected_mappings: list[str] = PydField(default_factory=list)
    """Destination fields of the mapping whose source or destination side changed."""

    def summary(self) -> str:
        if not self.changed:
            return "no drift: both APIs are as they were"
        parts = []
        if self.missing_endpoints:
            parts.append(f"endpoints gone: {', '.join(self.missing_endpoints)}")
        if self.affected_mappings:
            parts.append(f"mapped fields affected: {', '.join(self.affected_mappings)}")
        if self.new_required_dest_fields:
            parts.append(f"new required destination fields: {', '.join(self.new_required_dest_fields)}")
        if not parts:
            parts.append("the specs changed outside the mapped endpoints")
        return "; ".join(parts)


def compare_specs(
    old_source: APISpecification,
    old_dest: APISpecification,
    new_source: APISpecification,
    new_dest: APISpecification,
    mapping: MappingLogic,
) -> DriftReport:
    """Diff digests and the field sets of the mapping's two endpoints."""
    report = DriftReport(
        source_digest_changed=old_source.digest != new_source.digest,
        dest_digest_changed=old_dest.digest != new_dest.digest,
    )
    report.changed = report.source_digest_changed or report.dest_digest_changed
    if not report.changed:
        return report
    old_src, new_src = (
        old_source.find_endpoint(mapping.source_endpoint),
        new_source.find_endpoint(mapping.source_endpoint),
    )
    old_dst, new_dst = old_dest.find_endpoint(mapping.dest_endpoint), new_dest.find_endpoint(mapping.dest_endpoint)
    report.missing_endpoints = [
        ref for ref, ep in ((mapping.source_endpoint, new_src), (mapping.dest_endpoint, new_dst)) if ep is None
    ]
    before_src = {f.path for f in old_src.record_fields} if old_src else set()
    after_src = {f.path for f in new_src.record_fields} if new_src else set()
    before_dst = {f.path: f for f in old_dst.body_fields()} if old_dst else {}
    after_dst = {f.path: f for f in new_dst.body_fields()} if new_dst else {}
    report.source_fields_removed = sorted(before_src - after_src)
    report.source_fields_added = sorted(after_src - before_src)
    report.dest_fields_removed = sorted(set(before_dst) - set(after_dst))
    report.dest_fields_added = sorted(set(after_dst) - set(before_dst))
    report.new_required_dest_fields = sorted(
        p for p, f in after_dst.items() if f.required and not (p in before_dst and before_dst[p].required)
    )
    removed_src, removed_dst = set(report.source_fields_removed), set(report.dest_fields_removed)
    report.affected_mappings = sorted(
        t.dest_field
        for t in mapping.transformations
        if t.dest_field in removed_dst
        or removed_src & set(t.source_fields)
        or (
            t.dest_field in after_dst
            and t.dest_field in before_dst
            and after_dst[t.dest_field].model_dump() != before_dst[t.dest_field].model_dump()
        )
    )
    return report
