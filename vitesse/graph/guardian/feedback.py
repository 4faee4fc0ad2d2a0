"""Turn what went wrong in each write into the Mapper's heal input: one `FieldIssue` per field and fault.

Three witnesses speak about each record: the transform engine (a field could not be produced), local
validation against the destination's request schema (exactly what the schema wants), and the
destination's own 400/422 answer (what it actually refused). For one record, a field the destination
names is merged with the local finding for the same field, so the issue keeps the destination's
verdict and the schema's precise expectation. Across records, issues are grouped by destination
field (house path convention) and kind, with a count of the records affected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vitesse.graph.guardian.rejections import Rejection, excerpt, split_path
from vitesse.graph.guardian.sentences import issue_sentence
from vitesse.net import MASK, SENSITIVE_HEADER
from vitesse.schemas import FieldIssue, IssueKind, MappingLogic

__all__ = ["FeedbackCollector", "WriteVerdict", "value_at"]

EXAMPLE_TEXT_MAX = 120


@dataclass
class WriteVerdict:
    """What happened to one record's payload."""

    record: int
    payload: dict[str, Any]
    local: list[Rejection] = field(default_factory=list)
    remote: list[Rejection] = field(default_factory=list)
    transform: list[Rejection] = field(default_factory=list)
    refused: bool = False
    """True when the destination refused the write (or it was not sent because it breaks the schema)."""


@dataclass
class _Group:
    path: str
    kind: IssueKind
    refused: bool
    records: set[int] = field(default_factory=set)
    expected: str | None = None
    observed: str | None = None
    allowed: list[Any] | None = None
    message: str = ""
    example: dict[str, Any] | None = None
    remote: bool = False


def value_at(payload: Any, path: str) -> Any:
    """Return the first value at a house-convention path in a payload (None when absent)."""
    node = payload
    for part in split_path(path.replace("[]", "[0]")):
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and len(node) > part else None
        else:
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is None:
            return None
    return node


def masked_example(value: Any, key: str = "") -> Any:
    """A payload safe to show and store: credential-looking fields masked, long texts cut."""
    if isinstance(value, Mapping):
        return {k: masked_example(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [masked_example(v, key) for v in value[:10]]
    if isinstance(value, str):
        if key and SENSITIVE_HEADER.search(key):
            return MASK
        return value if len(value) <= EXAMPLE_TEXT_MAX else value[: EXAMPLE_TEXT_MAX - 1] + "…"
    return value


class FeedbackCollector:
    """Gather write verdicts and build the FieldIssue list (refused issues first, most frequent first)."""

    def __init__(self, mapping: MappingLogic, dest_name: str) -> None:
        self.mapping = mapping
        self.dest_name = dest_name
        self.writes = 0
        self.unit = "writes"
        """What a count counts: `writes`, or `records` when several travel in one bulk write."""
        self.prefix = ""
        """Put back on reported fields when the mapping spells them with its bulk wrapper (`contacts[].`)."""
        self._groups: dict[tuple[str, IssueKind, bool], _Group] = {}

    def add(self, verdict: WriteVerdict) -> None:
        """Record one record's outcome (call once per record written or attempted)."""
        self.writes += 1
        for rejection, remote in self._merged(verdict):
            refused = verdict.refused or rejection.kind is IssueKind.TRANSFORM_FAILED
            self._group(rejection, refused, remote, verdict)

    def _merged(self, verdict: WriteVerdict) -> Iterable[tuple[Rejection, bool]]:
        local = {r.field: r for r in verdict.local}
        named: set[str] = set()
        for remote in verdict.remote:
            mine = local.get(remote.field)
            named.add(remote.field)
            if mine is not None:
                yield _merge(mine, remote), True
            else:
                seen = value_at(verdict.payload, remote.field)
                shown = (
                    "missing"
                    if seen is None and remote.kind is IssueKind.MISSING_REQUIRED
                    else excerpt(seen, remote.field)
                )
                yield Rejection(remote.field, remote.kind, remote.message, remote.expected, shown, remote.allowed), True
        for rejection in verdict.local:
            if rejection.field not in named:
                yield rejection, False
        for rejection in verdict.transform:
            yield rejection, False

    def _group(self, r: Rejection, refused: bool, remote: bool, verdict: WriteVerdict) -> None:
        key = (r.field, r.kind, refused)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(r.field, r.kind, refused)
            group.example = masked_example(verdict.payload)
        group.records.add(verdict.record)
        group.remote = group.remote or remote
        group.expected = group.expected or r.expected
        group.observed = group.observed or r.observed
        group.allowed = group.allowed or r.allowed
        group.message = group.message or r.message

    def issues(self, *, refused: bool = True) -> list[FieldIssue]:
        """Return the issues of refused writes and failed transforms (with False: breaches it let through)."""
        chosen = [g for g in self._groups.values() if g.refused is refused]
        chosen.sort(key=lambda g: (-len(g.records), g.path, g.kind.value))
        return [self._issue(g) for g in chosen]

    def _issue(self, group: _Group) -> FieldIssue:
        issue = FieldIssue(
            dest_field=self.prefix + group.path,
            kind=group.kind,
            message=group.message,
            expected=group.expected,
            observed=group.observed,
            allowed_values=group.allowed,
            example_payload=group.example,
            source_fields=self.source_fields(group.path),
            count=len(group.records),
        )
        issue.message = issue_sentence(
            issue, self.dest_name, self.writes, refused=group.refused, remote=group.remote, unit=self.unit
        )
        return issue

    def source_fields(self, dest_field: str) -> list[str]:
        """The mapping's source fields for a destination field (or for its closest mapped relative)."""
        for t in self.mapping.transformations:
            if t.dest_field == dest_field:
                return list(t.source_fields)
        related = [
            t
            for t in self.mapping.transformations
            if dest_field.startswith(t.dest_field + ".") or t.dest_field.startswith(dest_field + ".")
        ]
        return sorted({s for t in related for s in t.source_fields})


def _merge(local: Rejection, remote: Rejection) -> Rejection:
    """The destination's verdict with the schema's precise expectation."""
    return Rejection(
        field=local.field,
        kind=local.kind,
        message=remote.message,
        expected=local.expected or remote.expected,
        observed=local.observed,
        allowed=local.allowed or remote.allowed,
        index=remote.index,
    )
