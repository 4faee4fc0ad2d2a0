"""Synthetic records are valid for the record schemas of the real-world corpus, or honestly flagged."""

from __future__ import annotations

import pytest

from vitesse.graph.guardian.synthetic import generate_records
from vitesse.sandbox import SchemaSet

pytestmark = pytest.mark.corpus
ENDPOINTS_PER_SPEC = 12
RECORDS = 4  # a typical record, then the minimal, a typical and the unicode profile


def test_corpus_records_validate_or_are_flagged_as_misses(corpus_specs, capsys):
    total = invalid = 0
    unflagged: list[str] = []
    for name, spec in corpus_specs.items():
        schemas = SchemaSet(spec.schemas)
        endpoints = [e for e in spec.endpoints if e.is_list and e.record_schema][:ENDPOINTS_PER_SPEC]
        for endpoint in endpoints:
            misses: list[list[str]] = []
            records = generate_records(endpoint.record_schema, spec.schemas, count=RECORDS, seed=name, misses=misses)
            validator = schemas.validator(endpoint.record_schema, "response")
            for index, (record, missed) in enumerate(zip(records, misses, strict=True)):
                total += 1
                if validator.is_valid(record):
                    continue
                invalid += 1
                if not missed:
                    unflagged.append(
                        f"{name} {endpoint.key} #{index}: {next(validator.iter_errors(record)).message[:160]}"
                    )
    with capsys.disabled():
        print(
            f"\n  synthetic corpus: {total} records, {invalid} invalid (all flagged by the generator: {not unflagged})"
        )
    assert total > 500
    assert unflagged == [], "a record the generator believed valid is not"
    assert invalid / total < 0.02
