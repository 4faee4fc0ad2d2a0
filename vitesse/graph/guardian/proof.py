"""Prove a mapping with shadow calls: read the source, write transformed records, score, explain.

`run_guardian` reads the source list page by page, makes source records (synthetic ones from the
source record schema, with edge cases, plus some of the records the source returned), transforms them
with the transform engine, checks each payload against the destination's request schema, writes them
concurrently (bulk bodies when the mapping has a `dest_array_wrapper`), and turns every answer into a
TestResult, the HealthScore (see `vitesse.graph.guardian.health`) and the heal feedback.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

from vitesse.config import Settings
from vitesse.errors import GuardianError, TransformError
from vitesse.graph.guardian.calls import read_call, wrap_bulk, write_call
from vitesse.graph.guardian.feedback import FeedbackCollector, WriteVerdict
from vitesse.graph.guardian.pagination import ReadPass, walk_pages
from vitesse.graph.guardian.rejections import Rejection, normalise_field_path
from vitesse.graph.guardian.report import GuardianOptions, GuardianReport
from vitesse.graph.guardian.shadow import CallOutcome, ShadowCaller
from vitesse.graph.guardian.sides import Side, open_sides
from vitesse.graph.guardian.summary import summarise
from vitesse.graph.guardian.synthetic import generate_records
from vitesse.graph.guardian.target import Target
from vitesse.graph.guardian.validation import LocalValidator
from vitesse.schemas import Endpoint, IssueKind, MappingLogic, TestCategory, TestResult
from vitesse.transforms import CompiledMapping, compile_mapping, compile_transformation

__all__ = ["run_guardian"]

MAX_BULK_RECORDS = 2000
"""Bulk bodies get fewer records each when `test_count × bulk_size` would need more than this."""
READ_RECORD_SHARE = 4
"""One write in this many carries a record the source itself returned (the rest are synthetic)."""


async def run_guardian(
    mapping: MappingLogic,
    source: Target,
    dest: Target,
    *,
    options: GuardianOptions | None = None,
    settings: Settings | None = None,
) -> GuardianReport:
    """Prove a mapping with at least `options.test_count` shadow calls and score it.

    Args:
        mapping: the mapping to prove.
        source: the source API and its list endpoint (sandbox unless `base_url` is given).
        dest: the destination API and its write endpoint (sandbox unless `base_url` is given; a live
            destination needs `allow_writes=True`).
        options: test count, concurrency, seed, pass score, retry and timeout bounds.
        settings: the process settings (the SSRF policy for live calls).

    Returns:
        The health score, every call's TestResult, and the heal feedback (FieldIssues).

    Raises:
        GuardianError: the proof cannot run (writes to a live API not allowed, no source records,
            destinations that cannot all be written).
    """
    options = options or GuardianOptions()
    settings = settings or Settings()
    for role, target in (("source", source), ("destination", dest)):
        if not isinstance(target.endpoint, Endpoint):
            raise GuardianError(f"The {role} target has no endpoint: pick one of {target.spec.name}'s endpoints")
    relative, prefix = per_record(mapping)
    compiled, broken = _compile(relative)
    async with open_sides(source, dest, options, settings) as (src, dst, client):
        proof = _Proof(relative, compiled, src, dst, client, options)
        proof.feedback.prefix = prefix
        proof.feedback.unit = "records" if mapping.dest_array_wrapper else "writes"
        proof.broken = broken
        await proof.run()
    return proof.report()


def per_record(mapping: MappingLogic) -> tuple[MappingLogic, str]:
    """Make destination paths relative to one record of a bulk body (`contacts[].email` → `email`).

    The Guardian maps each record on its own and wraps the payloads itself; the returned prefix
    (`contacts[].`, or empty) puts the mapping's own spelling back on the fields it reports.
    """
    wrapper = mapping.dest_array_wrapper
    prefix = (wrapper.rstrip(".") + ".") if wrapper else ""
    if not prefix or not any(t.dest_field.startswith(prefix) for t in mapping.transformations):
        return mapping, ""
    copy = mapping.model_copy(deep=True)
    for t in copy.transformations:
        t.dest_field = t.dest_field.removeprefix(prefix)
    return copy, prefix


def _compile(mapping: MappingLogic) -> tuple[CompiledMapping, list[Rejection]]:
    """Compile the mapping; transformations that do not compile are left out and reported."""
    broken: list[Rejection] = []
    kept = []
    for t in mapping.transformations:
        try:
            compile_transformation(t)
        except (TransformError, ValueError) as exc:
            field_path, _ = normalise_field_path(t.dest_field)
            broken.append(Rejection(field_path or t.dest_field, IssueKind.TRANSFORM_FAILED, str(exc)))
            continue
        kept.append(t)
    try:
        return compile_mapping(mapping.model_copy(update={"transformations": kept})), broken
    except TransformError as exc:
        raise GuardianError(f"The mapping cannot be applied: {exc}") from exc


@dataclass
class _Proof:
    mapping: MappingLogic
    compiled: CompiledMapping
    source: Side
    dest: Side
    client: httpx.AsyncClient
    options: GuardianOptions
    broken: list[Rejection] = field(default_factory=list)
    reads: ReadPass = field(default_factory=ReadPass)
    writes: list[CallOutcome] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        secrets = [*self.source.auth.secrets, *self.dest.auth.secrets]
        self.caller = ShadowCaller(
            self.client, concurrency=self.options.concurrency, timeout_s=self.options.timeout_s,
            max_retry_wait_s=self.options.max_retry_wait_s, max_rate_limit_retries=self.options.max_rate_limit_retries,
            secrets=secrets,
        )  # fmt: skip
        self.wrapper = self.mapping.dest_array_wrapper
        self.validator = LocalValidator(self.dest.target.spec, self.dest.target.endpoint, self.wrapper)
        self.feedback = FeedbackCollector(self.mapping, self.dest.name)
        self.per_call = 1

    async def run(self) -> None:
        src = self.source
        first = read_call(src.base_url, src.target.endpoint, src.target.spec, src.auth, self.options.seed)
        self.reads = await walk_pages(
            self.caller, src.gate, first, src.target.endpoint, max_pages=self.options.pages,
            page_size=self.options.page_size,
        )  # fmt: skip
        batches = self._batches(self._records())
        outcomes = await asyncio.gather(*(self._write(number, batch) for number, batch in enumerate(batches)))
        self.writes = [o for o in outcomes if o is not None]

    def _records(self) -> list[Any]:
        calls = max(1, self.options.test_count - len(self.reads.outcomes))
        self.per_call = min(self.options.bulk_size, max(1, MAX_BULK_RECORDS // calls)) if self.wrapper else 1
        wanted = calls * self.per_call
        returned = self.reads.records[: wanted // READ_RECORD_SHARE]
        schema = self.source.target.endpoint.record_schema
        if schema is None and not self.reads.records:
            raise GuardianError(
                f"{self.source.target.endpoint.key} of {self.source.name} has no record schema and returned no "
                "records: there is nothing to make test records from"
            )
        if schema is None:
            return [self.reads.records[i % len(self.reads.records)] for i in range(wanted)]
        synthetic = self._synthetic(schema, wanted - len(returned), returned)
        return synthetic + returned

    def _pk(self) -> str:
        return self.source.target.endpoint.primary_key or "id"

    def _synthetic(self, schema: dict[str, Any], count: int, returned: list[Any]) -> list[Any]:
        """Synthetic records with primary keys unique among themselves and the records read."""
        spec, key = self.source.target.spec, self._pk()
        taken = {str(r.get(key)) for r in returned if isinstance(r, dict) and r.get(key) is not None}
        kept = _unique_by(generate_records(schema, spec.schemas, count=count, seed=self.options.seed), key, taken)
        for round_ in range(5):  # top up with records of another seed when primary keys collided
            if len(kept) >= count:
                break
            more = generate_records(
                schema, spec.schemas, count=2 * (count - len(kept)) + 4, seed=f"{self.options.seed}:more:{round_}"
            )
            kept += _unique_by(more, key, taken | {str(r.get(key)) for r in kept if isinstance(r, dict)})
        return kept[:count]

    def _batches(self, records: list[Any]) -> list[list[tuple[int, Any]]]:
        numbered = list(enumerate(records))
        size = self.per_call
        return [numbered[i : i + size] for i in range(0, len(numbered), size)]

    async def _write(self, number: int, batch: list[tuple[int, Any]]) -> CallOutcome | None:
        applied = [(n, self.compiled.apply(record)) for n, record in batch]
        payloads = [result.payload for _, result in applied]
        body = wrap_bulk(self.wrapper, payloads) if self.wrapper else payloads[0]
        local = self.validator.check(body)
        if self.dest.target.live and local:
            outcome = self._not_sent(local)
        else:
            dst = self.dest
            call = write_call(
                dst.base_url, dst.target.endpoint, dst.target.spec, dst.auth, body, seed=self.options.seed,
                number=number, wrapper=self.wrapper,
            )  # fmt: skip
            outcome = await self.caller.call(call, dst.gate)
        self._judge(outcome, applied, local)
        return outcome

    def _not_sent(self, local: list[Rejection]) -> CallOutcome:
        endpoint = self.dest.target.endpoint
        named = "; ".join(r.message for r in local[:3])
        result = TestResult(
            endpoint=endpoint.path, method=endpoint.method.value, success=False, category=TestCategory.SCHEMA,
            error_message=f"not sent to the live API: the payload breaks its request schema ({named})",
            fields=sorted({r.field for r in local}),
        )  # fmt: skip
        return CallOutcome(result)

    def _judge(self, outcome: CallOutcome, applied: list[tuple[int, Any]], local: list[Rejection]) -> None:
        result = outcome.result
        status = result.status_code
        accepted = status is not None and 200 <= status < 300
        bulk = self.wrapper is not None
        lost = []
        for position, (number, mapped) in enumerate(applied):
            transform = [_from_field_error(e) for e in mapped.errors] + list(self.broken)
            lost.extend(transform)
            verdict = WriteVerdict(
                number, mapped.payload, _for_record(local, position, bulk),
                _for_record(outcome.rejections, position, bulk), transform,
                refused=not accepted and result.category is not TestCategory.RATE_LIMIT,
            )  # fmt: skip
            self.feedback.add(verdict)
            if accepted:
                self.accepted.append(mapped.payload)
        if accepted and lost:
            result.success = False
            result.category = TestCategory.TRANSFORM
            result.error_message = "accepted, but fields were lost in the transform: " + "; ".join(
                f"{r.field}: {r.message}" for r in lost[:3]
            )

    def report(self) -> GuardianReport:
        """Score the proof and gather its results and feedback."""
        return summarise(self)


def _unique_by(records: list[Any], key: str, taken: set[str]) -> list[Any]:
    seen = set(taken)
    kept = []
    for record in records:
        value = record.get(key) if isinstance(record, dict) else None
        if value is not None and str(value) in seen:
            continue
        if value is not None:
            seen.add(str(value))
        kept.append(record)
    return kept


def _for_record(rejections: list[Rejection], position: int, bulk: bool) -> list[Rejection]:
    return [r for r in rejections if r.index == position] if bulk else list(rejections)


def _from_field_error(error: Any) -> Rejection:
    path, _ = normalise_field_path(error.dest_field)
    return Rejection(path or error.dest_field, IssueKind.TRANSFORM_FAILED, error.message, None, error.value_excerpt)
