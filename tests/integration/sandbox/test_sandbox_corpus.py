"""Every corpus spec gets a working sandbox whose list endpoints answer schema-valid pages."""

from __future__ import annotations

import time
from typing import Any

import pytest

from vitesse.graph.ingestor.extract import success_response
from vitesse.sandbox import Sandbox, example_request, sandbox_client
from vitesse.schemas import APISpecification

pytestmark = pytest.mark.corpus
MIN_VALID_SHARE = 0.99
"""A handful of corpus schemas no value can satisfy (allOf members that disagree on a property's type,
`additionalProperties: false` beside a oneOf, alternatives that overlap completely); everything else must pass."""


async def _probe_lists(spec: APISpecification) -> tuple[int, list[str], list[str]]:
    """Send a generated request to each list endpoint; return the count, refused requests, invalid pages."""
    sandbox = Sandbox(spec, seed=5, records_per_collection=3)
    refused: list[str] = []
    failures: list[str] = []
    count = 0
    async with sandbox_client(sandbox) as client:
        for endpoint in spec.endpoints:
            if not endpoint.is_list:
                continue
            count += 1
            request = example_request(spec, endpoint, seed=5)
            client.cookies.clear()
            client.cookies.update(request.cookies)
            kwargs: dict[str, Any] = request.send_kwargs()
            kwargs.pop("cookies")
            response = await client.request(request.method, request.path, **kwargs)
            if response.status_code >= 300:
                refused.append(f"{endpoint.key}: {response.status_code} {response.text[:200]}")
                continue
            success = success_response(endpoint.responses)
            if success is None or success.schema_ is None:
                continue
            errors = list(sandbox.schema_set.validator(success.schema_, "response").iter_errors(response.json()))
            if errors:
                failures.append(f"{endpoint.key}: {errors[0].message[:200]}")
    return count, refused, failures


async def test_every_corpus_sandbox_serves_valid_list_pages(corpus_specs, capsys):
    started = time.perf_counter()
    total = 0
    failures: dict[str, list[str]] = {}
    refused: list[str] = []
    for name, spec in corpus_specs.items():
        count, turned_away, failed = await _probe_lists(spec)
        total += count
        refused.extend(f"{name} {r}" for r in turned_away)
        if failed:
            failures[name] = failed
    failed_count = sum(len(f) for f in failures.values())
    with capsys.disabled():
        print(
            f"\n  sandbox corpus: {total} list endpoints, {failed_count} invalid, {time.perf_counter() - started:.1f} s"
        )
        for name, failed in failures.items():
            print(f"  {name}: {failed}")
    assert total > 800
    assert refused == [], "every generated request is accepted"
    assert (total - failed_count) / total >= MIN_VALID_SHARE, failures
