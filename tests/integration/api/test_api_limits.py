"""Browser access (CORS) and per-caller rate limits on the HTTP API: off unless configured, exact when on."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.integration.api._support import API, bearer, make_settings
from vitesse.api import create_app, create_token
from vitesse.api.app import RateLimit


def test_a_caller_over_its_rate_gets_429_with_retry_after_and_others_go_on(tmp_path):
    settings = make_settings(tmp_path, rate_limit_per_minute=3)
    ana = bearer(create_token(settings, subject="ana", tenant="acme"))
    bob = bearer(create_token(settings, subject="bob", tenant="acme"))
    with TestClient(create_app(settings)) as client:
        answers = [client.get(f"{API}/integrations", headers=ana).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        limited = client.get(f"{API}/integrations", headers=ana)
        assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
        assert 1 <= int(limited.headers["Retry-After"]) <= 20, "a token comes back every 20 s at 3 a minute"
        assert client.get(f"{API}/integrations", headers=bob).status_code == 200, "bob has his own allowance"
        assert all(client.get("/healthz").status_code == 200 for _ in range(5)), "health checks are not counted"
        operation = client.get("/api/v1/openapi.json").json()["paths"][f"{API}/integrations"]["get"]
        assert "429" in operation["responses"]


def test_the_bucket_refills_at_the_rate_and_stays_bounded():
    now = [0.0]
    limit = RateLimit(app=None, per_minute=60, clock=lambda: now[0])  # type: ignore[arg-type]
    assert [limit._take("a") for _ in range(60)] == [0.0] * 60
    assert limit._take("a") == 1.0, "empty: one token a second"
    now[0] += 1.0
    assert limit._take("a") == 0.0 and limit._take("a") > 0
    for n in range(RateLimit.MAX_CALLERS + 5):
        limit._take(f"caller-{n}")
    assert len(limit.buckets) == RateLimit.MAX_CALLERS and "a" not in limit.buckets


def test_without_settings_there_is_no_limit_and_no_cors(tmp_path):
    settings = make_settings(tmp_path)
    token = bearer(create_token(settings, subject="ana", tenant="acme"))
    with TestClient(create_app(settings)) as client:
        assert all(client.get(f"{API}/integrations", headers=token).status_code == 200 for _ in range(30))
        answer = client.get(f"{API}/integrations", headers={**token, "Origin": "https://app.example"})
        assert "access-control-allow-origin" not in answer.headers


def test_cors_lets_the_configured_origins_in_and_no_others(tmp_path):
    settings = make_settings(tmp_path, cors_origins="https://app.example, https://admin.example")
    token = bearer(create_token(settings, subject="ana", tenant="acme"))
    with TestClient(create_app(settings)) as client:
        preflight = client.options(
            f"{API}/integrations",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Authorization, Content-Type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        listed = client.get(f"{API}/integrations", headers={**token, "Origin": "https://admin.example"})
        assert listed.headers["access-control-allow-origin"] == "https://admin.example"
        other = client.get(f"{API}/integrations", headers={**token, "Origin": "https://evil.example"})
        assert other.status_code == 200 and "access-control-allow-origin" not in other.headers
        refused = client.options(
            f"{API}/integrations",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE"},
        )
        assert refused.status_code == 400
