"""The sandbox of the example APIs: schema-valid pages, state, validation in each API's error shape, auth."""

from __future__ import annotations

from typing import Any

import pytest

from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.graph.ingestor.extract import success_response
from vitesse.sandbox import Sandbox, sandbox_client
from vitesse.schemas import APISpecification

SHOP_KEY = {"X-API-Key": "sk_test_shop"}
CRM_TOKEN = {"Authorization": "Bearer crm-token"}


@pytest.fixture(scope="module")
def shop_spec() -> APISpecification:
    return ingest_path(SHOP_SPEC)


@pytest.fixture(scope="module")
def crm_spec() -> APISpecification:
    return ingest_path(CRM_SPEC)


def _assert_valid(sandbox: Sandbox, key: str, body: Any, status: str | None = None) -> None:
    endpoint = sandbox.spec.find_endpoint(key)
    response = success_response(endpoint.responses)
    if status is not None:
        response = next(r for r in endpoint.responses if r.status == status)
    errors = [e.message for e in sandbox.schema_set.validator(response.schema_, "response").iter_errors(body)]
    assert errors == [], f"{key}: {errors}"


async def test_list_pages_are_valid_for_the_response_schema(shop_spec, crm_spec):
    for spec, path, headers in ((shop_spec, "/customers", SHOP_KEY), (shop_spec, "/orders", SHOP_KEY),
                                (crm_spec, "/contacts", CRM_TOKEN), (crm_spec, "/companies", CRM_TOKEN)):  # fmt: skip
        sandbox = Sandbox(spec, seed=3)
        async with sandbox_client(sandbox) as client:
            response = await client.get(path, headers=headers)
        assert response.status_code == 200
        _assert_valid(sandbox, f"GET {path}", response.json())


async def test_the_same_seed_serves_the_same_data_and_another_seed_does_not(crm_spec):
    pages = []
    for seed in (1, 1, 2):
        async with sandbox_client(Sandbox(crm_spec, seed=seed)) as client:
            pages.append((await client.get("/contacts", headers=CRM_TOKEN)).json()["results"])
    assert pages[0] == pages[1]
    assert pages[0] != pages[2]


async def test_create_list_get_update_delete_round_trip_on_the_crm(crm_spec):
    sandbox = Sandbox(crm_spec, seed=4, records_per_collection=5)
    body = {"given_name": "Ana", "family_name": "Ruiz", "primary_email": "ana@example.com", "external_ref": "cus_42"}
    async with sandbox_client(sandbox) as client:
        created = await client.post("/contacts", json=body, headers=CRM_TOKEN)
        assert created.status_code == 201
        contact = created.json()
        _assert_valid(sandbox, "POST /contacts", contact)
        assert {k: contact[k] for k in body} == body
        assert contact["lifecycle_stage"] == "LEAD", "declared defaults apply to fields left out"
        assert created.headers["location"].endswith(f"/contacts/{contact['id']}")
        found = (await client.get("/contacts", params={"external_ref": "cus_42"}, headers=CRM_TOKEN)).json()
        assert [c["id"] for c in found["results"]] == [contact["id"]]
        assert found["meta"]["total"] == 1
        everyone = (await client.get("/contacts", params={"per_page": 100}, headers=CRM_TOKEN)).json()
        assert everyone["meta"]["total"] == 6 and everyone["results"][-1]["id"] == contact["id"]
        fetched = await client.get(f"/contacts/{contact['id']}", headers=CRM_TOKEN)
        assert fetched.json() == contact
        replaced = await client.put(f"/contacts/{contact['id']}", json={**body, "job_title": "CTO"}, headers=CRM_TOKEN)
        assert replaced.status_code == 200 and replaced.json()["job_title"] == "CTO"
        assert replaced.json()["created_at"] == contact["created_at"]
        assert (await client.delete(f"/contacts/{contact['id']}", headers=CRM_TOKEN)).status_code == 204
        assert (await client.get(f"/contacts/{contact['id']}", headers=CRM_TOKEN)).status_code == 404
        records = (await client.get("/__sandbox/records")).json()
    assert records["collections"]["/contacts"] == {"count": 5, "created": 1, "deleted": 1}


async def test_a_second_contact_with_the_same_external_ref_is_a_conflict(crm_spec):
    body = {"given_name": "Ana", "family_name": "Ruiz", "primary_email": "ana@example.com", "external_ref": "cus_7"}
    async with sandbox_client(Sandbox(crm_spec, seed=4)) as client:
        first = await client.post("/contacts", json=body, headers=CRM_TOKEN)
        second = await client.post("/contacts", json=body, headers=CRM_TOKEN)
    assert (first.status_code, second.status_code) == (201, 409)
    assert "external_ref" in second.json()["message"]


async def test_shop_customers_patch_and_idempotent_create(shop_spec):
    sandbox = Sandbox(shop_spec, seed=4)
    body = {"email": "sam@example.com", "first_name": "Sam", "last_name": "Okafor"}
    headers = {**SHOP_KEY, "Idempotency-Key": "8c1e0a5e-retry"}
    async with sandbox_client(sandbox) as client:
        first = await client.post("/customers", json=body, headers=headers)
        retry = await client.post("/customers", json=body, headers=headers)
        assert first.status_code == 201 and retry.json() == first.json(), "a retried create returns the first result"
        customer_id = first.json()["id"]
        patched = await client.patch(f"/customers/{customer_id}", json={"company": "Okafor Ltd"}, headers=SHOP_KEY)
        assert patched.json()["company"] == "Okafor Ltd" and patched.json()["email"] == "sam@example.com"
        _assert_valid(sandbox, "PATCH /customers/{customer_id}", patched.json())
        again = await client.get(f"/v1/customers/{customer_id}", headers=SHOP_KEY)
        assert again.json()["company"] == "Okafor Ltd", "the server's base path (/v1) is accepted too"
    assert sandbox.store.snapshot()["/customers"]["created"] == 1


async def test_crm_validation_errors_name_every_field_in_the_crms_own_shape(crm_spec):
    """The naive mapping's faults from the example README, each answered as the CRM would."""
    sandbox = Sandbox(crm_spec, seed=1)
    body = {
        "given_name": "Maria",
        "phone_numbers": [{"number": "+1 (415) 555-0100"}],
        "lifecycle_stage": "active",
        "company_id": "Lopez Design Studio",
        "mailing_address": {"locality": "San Francisco"},
        "nickname": "M",
    }
    async with sandbox_client(sandbox) as client:
        response = await client.post("/contacts", json=body, headers=CRM_TOKEN)
    assert response.status_code == 422
    payload = response.json()
    _assert_valid(sandbox, "POST /contacts", payload, status="422")
    found = {(e["field"], e["code"]) for e in payload["errors"]}
    assert found >= {
        ("phone_numbers[0].number", "invalid_format"),
        ("lifecycle_stage", "not_in_enum"),
        ("company_id", "invalid_type"),
        ("family_name", "required"),
        ("primary_email", "required"),
        ("mailing_address.street", "required"),
    }
    assert ("nickname", "unknown_field") not in found, "ContactCreate does not forbid extra fields"
    assert "phone_numbers[0].number" in payload["message"]


async def test_shop_validation_errors_use_the_shops_error_object(shop_spec):
    sandbox = Sandbox(shop_spec, seed=1)
    async with sandbox_client(sandbox) as client:
        bad_body = await client.post(
            "/customers", json={"email": "nope", "first_name": "A", "extra": 1}, headers=SHOP_KEY
        )
        bad_param = await client.get("/customers", params={"limit": "many"}, headers=SHOP_KEY)
        bad_json = await client.post(
            "/customers", content=b"{not json", headers={**SHOP_KEY, "Content-Type": "application/json"}
        )
        form = await client.post("/customers", data={"email": "a@b.co"}, headers=SHOP_KEY)
    error = bad_body.json()["error"]
    assert bad_body.status_code == 422 and error["type"] == "validation_error"
    assert {(f["field"], f["code"]) for f in error["fields"]} >= {
        ("email", "invalid_format"),
        ("last_name", "required"),
        ("extra", "unknown_field"),
    }
    _assert_valid(sandbox, "POST /customers", bad_body.json(), status="422")
    assert bad_param.status_code == 400
    assert bad_param.json()["error"]["fields"] == [
        {"field": "limit", "code": "invalid_type", "message": "must be of type integer"}
    ]
    assert bad_json.status_code == 400 and bad_json.json()["error"]["fields"][0]["code"] == "invalid_json"
    assert form.status_code == 400 and form.json()["error"]["fields"][0]["field"] == "Content-Type"


async def test_security_is_enforced(shop_spec, crm_spec):
    shop = Sandbox(shop_spec, seed=1, tokens={"sk_test_shop"})
    async with sandbox_client(shop) as client:
        missing = await client.get("/customers")
        wrong = await client.get("/customers", headers={"X-API-Key": "sk_wrong"})
        right = await client.get("/customers", headers=SHOP_KEY)
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 403, 200)
    assert missing.json()["error"]["type"] == "authentication_error"
    _assert_valid(shop, "GET /customers", missing.json(), status="401")
    async with sandbox_client(Sandbox(crm_spec, seed=1)) as client:
        anonymous = await client.get("/contacts")
        basic = await client.get("/contacts", auth=("user", "pass"))
        any_token = await client.get("/contacts", headers=CRM_TOKEN)
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Bearer")
    assert basic.status_code == 401, "a Basic header does not satisfy a bearer scheme"
    assert any_token.status_code == 200, "without configured tokens any bearer token is accepted"


async def test_unknown_routes_and_methods(shop_spec):
    async with sandbox_client(Sandbox(shop_spec)) as client:
        missing = await client.get("/nothing-here", headers=SHOP_KEY)
        wrong_method = await client.put("/customers", headers=SHOP_KEY)
    assert missing.status_code == 404
    assert wrong_method.status_code == 405 and set(wrong_method.headers["allow"].split(", ")) == {"GET", "POST"}


async def test_incremental_filters_narrow_a_list(shop_spec):
    async with sandbox_client(Sandbox(shop_spec, seed=2, records_per_collection=30)) as client:
        everyone = (await client.get("/customers", params={"limit": 100}, headers=SHOP_KEY)).json()["data"]
        since = sorted(c["updated_at"] for c in everyone)[15]
        recent = (
            await client.get("/customers", params={"limit": 100, "updated_since": since}, headers=SHOP_KEY)
        ).json()
        active = (await client.get("/customers", params={"limit": 100, "status": "active"}, headers=SHOP_KEY)).json()
    assert {c["id"] for c in recent["data"]} == {c["id"] for c in everyone if c["updated_at"] >= since}
    assert {c["id"] for c in active["data"]} == {c["id"] for c in everyone if c["status"] == "active"}
    assert 0 < len(active["data"]) < len(everyone)
