"""Authentication (JWT, API keys), input validation (422 naming fields, 400, 413, 415) and the SSRF guard."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from starlette.testclient import TestClient

from tests.integration.api._support import API, bearer, body, make_settings
from vitesse.api import create_api_key_token, create_app, create_token


async def resolver(host: str, port: int) -> list[str]:
    table = {"intranet.example": ["10.1.2.3"], "rebind.example": ["127.0.0.1", "169.254.169.254"]}
    if host in table:
        return table[host]
    raise OSError(f"{host} does not resolve")


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return make_settings(tmp_path_factory.mktemp("security"), max_request_bytes=4096)


@pytest.fixture(scope="module")
def client(settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, resolver=resolver)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def token(settings) -> dict[str, str]:
    return bearer(create_token(settings, subject="ana", tenant="acme"))


def post(client: TestClient, headers: dict[str, str], payload: object) -> dict:
    response = client.post(f"{API}/integrations", headers=headers, json=payload)
    return {**response.json(), "http": response.status_code}


# ------------------------------------------------------------------------------------------------
# Authentication
# ------------------------------------------------------------------------------------------------


def claims(**overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    return {"iss": "vitesse", "sub": "ana", "tenant": "acme", "exp": now + timedelta(minutes=5)} | overrides


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Send Authorization: Bearer"),
        ("Basic YW5hOnNlY3JldA==", "Use the Bearer scheme"),
        ("Bearer ", "Use the Bearer scheme"),
        ("Bearer not.a.jwt", "The token is not valid"),
        ("Bearer vk_never_issued_key", "unknown or revoked"),
    ],
)
def test_requests_without_a_valid_token_get_401_with_what_to_send(client, header, message):
    headers = {} if header is None else {"Authorization": header}
    response = client.get(f"{API}/integrations", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"] == "unauthorized" and message in response.json()["message"]


@pytest.mark.parametrize(
    ("token_claims", "key", "message"),
    [
        (claims(exp=datetime.now(UTC) - timedelta(seconds=5)), None, "expired"),
        (claims(iss="someone-else"), None, "Invalid issuer"),
        (claims(), "another-secret-of-enough-length-000000", "Signature verification failed"),
        ({k: v for k, v in claims().items() if k != "sub"}, None, '"sub"'),
        (claims(tenant="../../etc"), None, "tenant"),
    ],
)
def test_jwts_are_checked_for_signature_issuer_expiry_subject_and_tenant(client, settings, token_claims, key, message):
    from vitesse.api import jwt_secret

    token = jwt.encode(token_claims, key or jwt_secret(settings), algorithm="HS256")
    response = client.get(f"{API}/integrations", headers=bearer(token))
    assert response.status_code == 401 and message in response.json()["message"]


def test_an_unsigned_token_is_refused(client):
    token = jwt.encode(claims(), key=None, algorithm="none")
    assert client.get(f"{API}/integrations", headers=bearer(token)).status_code == 401


def test_an_api_key_authenticates_as_its_tenant_and_stops_working_when_revoked(client, settings):
    from vitesse.persistence import create_engine_from_settings, revoke_api_key, session_factory

    key = asyncio.run(create_api_key_token(settings, subject="ci-bot", tenant="acme"))
    assert key.startswith("vk_")
    created = client.post(f"{API}/integrations", params={"wait": "true"}, headers=bearer(key), json=body())
    assert created.status_code == 201
    iid = created.json()["integration_id"]
    acme = bearer(create_token(settings, subject="ana", tenant="acme"))
    assert client.get(f"{API}/integrations/{iid}", headers=acme).json()["integration"]["created_by"] == "ci-bot"

    async def revoke() -> None:
        from sqlalchemy import select

        from vitesse.persistence import ApiKey, hash_api_key

        engine = create_engine_from_settings(settings)
        try:
            async with session_factory(engine)() as session, session.begin():
                row = await session.scalar(select(ApiKey).where(ApiKey.hashed_key == hash_api_key(key)))
                assert row is not None and row.hashed_key != key  # only the digest is stored
                assert await revoke_api_key(session=session, key_id=row.id, tenant="acme")
        finally:
            await engine.dispose()

    asyncio.run(revoke())
    assert client.get(f"{API}/integrations", headers=bearer(key)).status_code == 401


# ------------------------------------------------------------------------------------------------
# Validation
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (
            {},
            {
                "body.source_api_url",
                "body.source_api_name",
                "body.dest_api_url",
                "body.dest_api_name",
                "body.user_intent",
            },
        ),
        (body(user_intent=""), {"body.user_intent"}),
        (body(deployment_target="mainframe"), {"body.deployment_target"}),
        (body(settings={"test_count": 0, "pass_score": 101}), {"body.settings.test_count", "body.settings.pass_score"}),
        (body(integration_id="bad id!"), {"body.integration_id"}),
        (body(source_auth={"api_key": 42}), {"body.source_auth.api_key"}),
        (body(surprise=True), {"body.surprise"}),
        (body(deployment={"env": {"SOURCE_API_KEY": "x"}}), {"body.deployment.env"}),
        (body(settings={"sandbox_faults": {"error_rate": 0.9, "drop_rate": 0.9}}), {"body.settings.sandbox_faults"}),
        ([1, 2, 3], {"body"}),
    ],
)
def test_invalid_bodies_get_422_naming_every_field(client, token, payload, fields):
    answer = post(client, token, payload)
    assert answer["http"] == 422 and answer["error"] == "validation_failed"
    assert {f["field"] for f in answer["fields"]} == fields


def test_review_and_put_bodies_are_validated_too(client, token):
    review = client.post(f"{API}/integrations/any/review", headers=token, json={"action": "edit"})
    assert review.status_code == 422 and "edited mapping" in review.json()["message"]
    put = client.put(f"{API}/integrations/any", headers=token, json={})
    assert put.status_code == 422 and "at least one change" in put.json()["message"]


def test_query_parameters_are_validated(client, token):
    response = client.get(f"{API}/integrations", params={"limit": 0, "status": "sleeping"}, headers=token)
    assert response.status_code == 422
    assert {f["field"] for f in response.json()["fields"]} == {"query.limit", "query.status"}


def test_malformed_json_unsupported_media_and_oversized_bodies(client, token):
    broken = client.post(f"{API}/integrations", headers=token | {"content-type": "application/json"}, content=b"{no")
    assert broken.status_code == 400 and broken.json()["error"] == "malformed_json"
    form = client.post(f"{API}/integrations", headers=token, data={"a": "b"})
    assert form.status_code == 415
    big = body(
        user_intent="x" * 3000, source_api_name="y" * 200, dest_api_name="z" * 200, source_auth={"k": "v" * 2000}
    )
    too_large = client.post(f"{API}/integrations", headers=token, json=big)
    assert too_large.status_code == 413 and "4096 bytes" in too_large.json()["message"]


def test_a_chunked_body_over_the_limit_is_refused_while_reading(client, token):
    def chunks() -> Iterator[bytes]:
        yield b'{"user_intent": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    response = client.post(
        f"{API}/integrations", headers=token | {"content-type": "application/json"}, content=chunks()
    )
    assert response.status_code == 413


# ------------------------------------------------------------------------------------------------
# Where specs may come from
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("source_api_url", "http://169.254.169.254/latest/meta-data/", "never contacted"),
        ("source_api_url", "http://metadata.google.internal/openapi.json", "metadata"),
        ("dest_api_url", "http://intranet.example/openapi.json", "private network addresses are refused"),
        ("dest_api_url", "http://rebind.example/openapi.json", "169.254.169.254"),
        ("source_api_url", "ftp://example.org/spec.yaml", "http or https"),
        ("source_api_url", "file:///etc/passwd", "http or https"),
        ("source_api_url", "/etc/passwd", "other server paths are not read"),
        ("source_api_url", "../../vitesse.db", "other server paths are not read"),
        ("source_api_url", "example:erp", "unknown example 'erp'; known: example:crm, example:shop"),
        ("source_spec_url", "http://[::ffff:169.254.169.254]/x", "never contacted"),
        ("dest_base_url", "http://10.0.0.8", "private network addresses are refused"),
    ],
)
def test_spec_locations_pass_the_ssrf_guard_or_get_422(client, token, field, value, message):
    answer = post(client, token, body(**{field: value}))
    assert answer["http"] == 422
    assert answer["fields"][0]["field"] == f"body.{field}" and message in answer["fields"][0]["message"]


def test_loopback_urls_follow_the_setting(tmp_path):
    closed = make_settings(tmp_path, allow_loopback=False)
    with TestClient(create_app(closed, resolver=resolver)) as strict:
        answer = post(strict, bearer(create_token(closed, subject="ana")), body(source_api_url="http://127.0.0.1:9/x"))
    assert answer["http"] == 422 and "VITESSE_ALLOW_LOOPBACK" in answer["fields"][0]["message"]


def test_files_under_the_data_dirs_specs_folder_are_allowed(client, token, settings):
    from vitesse.examples import SHOP_SPEC

    folder = settings.data_dir / "specs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "shop.yaml").write_bytes(SHOP_SPEC.read_bytes())
    created = client.post(
        f"{API}/integrations",
        params={"wait": "true"},
        headers=token,
        json=body(source_api_url=str(folder / "shop.yaml")),
    )
    assert created.status_code == 201 and created.json()["integration"]["status"] == "ready"


def test_live_writes_need_a_live_destination(client, token):
    answer = post(client, token, body(allow_live_writes=True))
    assert answer["http"] == 422 and answer["fields"][0]["field"] == "body.allow_live_writes"
