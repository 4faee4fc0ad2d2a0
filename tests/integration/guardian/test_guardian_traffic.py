"""Shadow traffic behaves: the concurrency bound holds, 429 storms are waited out, live writes need consent."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response

from tests.integration.guardian.mappings import golden_mapping
from tests.integration.guardian.servers import served
from vitesse.config import Settings
from vitesse.errors import GuardianError
from vitesse.graph.guardian import GuardianOptions, GuardianReport, Target, run_guardian
from vitesse.graph.guardian import shadow as shadow_module
from vitesse.sandbox.app import Sandbox
from vitesse.sandbox.faults import FaultPlan, Outcome
from vitesse.schemas import APISpecification, IssueKind, MappingLogic, TestCategory

GOLDEN = golden_mapping()


def sides(shop: APISpecification, crm: APISpecification, **dest: Any) -> tuple[Target, Target]:
    source = Target(shop, shop.find_endpoint("GET /customers"))  # type: ignore[arg-type]
    return source, Target(crm, crm.find_endpoint("POST /contacts"), **dest)  # type: ignore[arg-type]


async def prove(
    shop: APISpecification, crm: APISpecification, settings: Settings, mapping: MappingLogic = GOLDEN, **kw: Any
) -> GuardianReport:
    dest = kw.pop("dest", {})
    source, target = sides(shop, crm, **dest)
    return await run_guardian(mapping, source, target, options=GuardianOptions(**kw), settings=settings)


@pytest.mark.parametrize("bound", [1, 4])
async def test_no_more_calls_are_in_flight_than_the_concurrency_bound(
    shop: APISpecification,
    crm: APISpecification,
    guardian_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    bound: int,
) -> None:
    """Counted at the sandbox: with 20 ms of latency per answer, in-flight requests reach the bound, never more."""
    in_flight = {"now": 0, "max": 0}
    serve = Sandbox.serve

    async def counting(self: Sandbox, request: Request) -> Response:
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        try:
            return await serve(self, request)
        finally:
            in_flight["now"] -= 1

    monkeypatch.setattr(Sandbox, "serve", counting)
    report = await prove(shop, crm, guardian_settings, test_count=30, concurrency=bound, faults={"latency_ms": 20})
    assert in_flight["max"] == bound
    assert len(report.test_results) >= 30


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the Guardian's rate-limit waits instead of spending them."""
    seen: list[float] = []

    async def pause(seconds: float) -> None:
        seen.append(seconds)

    monkeypatch.setattr(shadow_module, "_pause", pause)
    return seen


async def test_a_429_storm_is_waited_out_reported_and_not_blamed_on_the_mapping(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings, pauses: list[float]
) -> None:
    """The first 15 writes and a fifth of the rest get 429 + Retry-After: 1; the score equals the calm run's."""
    storm = {
        "fail_first": 15,
        "fail_first_status": 429,
        "rate_limit_rate": 0.2,
        "retry_after_s": 1,
        "methods": ["POST"],
    }
    calm = await prove(shop, crm, guardian_settings, test_count=60)
    stormy = await prove(shop, crm, guardian_settings, test_count=60, faults=storm)
    posts = [r for r in stormy.test_results if r.method == "POST"]
    limited = [r for r in posts if r.category is TestCategory.RATE_LIMIT]
    expected = FaultPlan.model_validate(storm).expected(len(posts), seed=1)[Outcome.RATE_LIMITED]
    assert len(limited) == expected >= 15
    assert all(r.status_code == 429 and not r.success for r in limited)
    assert stormy.health.overall_score == calm.health.overall_score
    assert stormy.health.success_rate == calm.health.success_rate
    assert pauses and max(pauses) <= 1.0 and max(pauses) > 0.5  # the Retry-After of 1 s, never more
    assert not any("rate" in line.lower() or "429" in line for line in stormy.health.critical_issues)
    assert any(line.startswith(f"Rate limits: {expected} answers were 429") for line in stormy.health.warnings)


async def test_retry_after_waits_are_capped(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings, pauses: list[float]
) -> None:
    """A Retry-After longer than max_retry_wait_s is cut to it."""
    faults = {"fail_first": 3, "fail_first_status": 429, "retry_after_s": 30, "methods": ["POST"]}
    report = await prove(shop, crm, guardian_settings, test_count=20, max_retry_wait_s=0.25, faults=faults)
    assert report.count(TestCategory.RATE_LIMIT) == 3
    assert pauses and max(pauses) <= 0.25


async def test_calls_still_rate_limited_after_every_retry_fail_without_blaming_the_mapping(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings, pauses: list[float]
) -> None:
    """When every write meets 429, the proof cannot pass; the report blames the rate limit, with no heal feedback."""
    faults = {"rate_limit_rate": 1.0, "retry_after_s": 1, "methods": ["POST"]}
    report = await prove(shop, crm, guardian_settings, test_count=15, max_rate_limit_retries=2, faults=faults)
    reads = sum(r.method == "GET" for r in report.test_results)
    writes = [r for r in report.test_results if r.method == "POST"]
    assert all(r.category is TestCategory.RATE_LIMIT for r in writes)
    assert len(writes) == 3 * (15 - reads)  # each write: the first try and two retries
    assert report.health.success_rate == round(100 * reads / 15, 2)  # judged: each call's final answer
    assert not report.passed and report.feedback == []
    assert any("kept rate-limiting" in line for line in report.health.critical_issues)
    assert any("still rate-limited after 2 retries" in line for line in report.health.warnings)


async def test_writes_to_a_live_api_are_refused_unless_allowed(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings
) -> None:
    """A real sandbox on a 127.0.0.1 port stands in for a live CRM: no consent, no writes; consent, writes land."""
    live = Sandbox(crm, seed=7, tokens={"live-secret-token-123"})
    async with served(live) as base_url:
        with pytest.raises(GuardianError, match="allow writes explicitly"):
            await prove(shop, crm, guardian_settings, test_count=20, dest={"base_url": base_url})
        assert live.counts.total() == 0
        dest = {"base_url": base_url, "allow_writes": True, "credentials": {"BearerAuth": "live-secret-token-123"}}
        report = await prove(shop, crm, guardian_settings, test_count=30, dest=dest)
    accepted = [r for r in report.test_results if r.method == "POST" and r.status_code == 201]
    assert accepted and live.counts["status:201"] == len(accepted)
    assert report.health.against == "live"
    assert any(f"the live API at {base_url}" in w for w in report.health.warnings)
    not_sent = [r for r in report.test_results if r.method == "POST" and r.status_code is None]
    assert all("not sent to the live API" in (r.error_message or "") for r in not_sent)


async def test_wrong_live_credentials_are_an_auth_failure_and_never_shown(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings
) -> None:
    """A 403 from the live API is categorised as auth, said in a critical issue, and the token is not echoed."""
    live = Sandbox(crm, seed=7, tokens={"the-right-token"})
    secret = "wrong-token-abcdef123456"
    async with served(live) as base_url:
        dest = {"base_url": base_url, "allow_writes": True, "credentials": {"token": secret}}
        report = await prove(shop, crm, guardian_settings, test_count=15, dest=dest)
    sent = [r for r in report.test_results if r.method == "POST" and r.status_code is not None]
    assert sent and all(r.category is TestCategory.AUTH and r.status_code == 403 for r in sent)
    assert any("unauthorised (401/403)" in line for line in report.health.critical_issues)
    assert secret not in report.model_dump_json()
    assert report.health.overall_score < 70


async def test_loopback_is_refused_by_the_ssrf_guard_unless_settings_allow_it(
    shop: APISpecification, crm: APISpecification, tmp_path: Any
) -> None:
    """With default settings a 127.0.0.1 base URL is never contacted; the calls fail as connectivity."""
    strict = Settings(data_dir=tmp_path, allow_loopback=False, environment="test")
    live = Sandbox(crm, seed=7)
    async with served(live) as base_url:
        report = await prove(shop, crm, strict, test_count=12, dest={"base_url": base_url, "allow_writes": True})
    tried = [r for r in report.test_results if r.method == "POST" and "not sent" not in (r.error_message or "")]
    assert tried and all(r.category is TestCategory.CONNECTIVITY for r in tried)
    assert all("loopback addresses are refused" in (r.error_message or "") for r in tried)
    assert live.counts.total() == 0
    assert any("Could not reach Orbit CRM API" in line for line in report.health.critical_issues)


async def test_a_live_source_is_read_through_its_base_url(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings
) -> None:
    """Reads can go live while writes stay in the sandbox; the report says which side went where."""
    live_shop = Sandbox(shop, seed=3)
    async with served(live_shop) as base_url:
        source = Target(shop, shop.find_endpoint("GET /customers"), base_url=base_url)  # type: ignore[arg-type]
        dest = Target(crm, crm.find_endpoint("POST /contacts"))  # type: ignore[arg-type]
        report = await run_guardian(
            GOLDEN, source, dest, options=GuardianOptions(test_count=20), settings=guardian_settings
        )
    assert live_shop.counts["op:GET /customers"] == sum(r.method == "GET" for r in report.test_results) >= 1
    assert report.health.against == "live"
    assert any("Source reads went to the live API" in w and "in-process sandbox" in w for w in report.health.warnings)


FAULTS = [
    ({"error_rate": 1.0, "error_statuses": [503]}, TestCategory.SERVER, "failed with a server error (5xx)"),
    ({"drop_rate": 1.0}, TestCategory.CONNECTIVITY, "Could not reach Orbit CRM API"),
    ({"timeout_rate": 1.0, "timeout_s": 5}, TestCategory.TIMEOUT, "did not answer in time"),
]


@pytest.mark.parametrize(("faults", "category", "words"), FAULTS, ids=["5xx", "dropped", "timeout"])
async def test_sandbox_faults_on_writes_become_the_right_category_and_critical_issue(
    shop: APISpecification,
    crm: APISpecification,
    guardian_settings: Settings,
    faults: dict[str, Any],
    category: TestCategory,
    words: str,
) -> None:
    """Every write meets the fault: each is categorised, one sentence says so, and no field is blamed."""
    plan = {**faults, "methods": ["POST"]}
    report = await prove(shop, crm, guardian_settings, test_count=12, timeout_s=0.2, faults=plan)
    writes = [r for r in report.test_results if r.method == "POST"]
    assert writes and all(r.category is category and not r.success for r in writes)
    assert any(words in line and "POST /contacts" in line for line in report.health.critical_issues)
    assert [i for i in report.feedback if i.kind is not IssueKind.LENGTH] == []
    assert not report.passed
