"""Form bodies (Stripe style `a[b][0]=x`) and deepObject query parameters are read, coerced and validated."""

from __future__ import annotations

import pytest

from vitesse.graph.ingestor import ingest_bytes
from vitesse.sandbox import Sandbox, sandbox_client
from vitesse.sandbox.requests import flatten_form

SPEC = """
openapi: 3.0.3
info: {title: forms, version: '1'}
paths:
  /charges:
    get:
      parameters:
        - name: created
          in: query
          style: deepObject
          schema: {type: object, properties: {gte: {type: integer}}, additionalProperties: false}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {data: {type: array, items: {$ref: '#/components/schemas/Charge'}}}}
    post:
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [amount, currency]
              properties:
                amount: {type: integer, minimum: 1}
                currency: {type: string, enum: [usd, eur]}
                capture: {type: boolean}
                metadata: {type: object, additionalProperties: {type: string}}
                items:
                  type: array
                  items: {type: object, required: [qty], properties: {qty: {type: integer}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Charge'}
        '400': {description: bad}
components:
  schemas:
    Charge:
      type: object
      required: [id, amount, currency]
      properties:
        id: {type: string, pattern: '^ch_[A-Za-z0-9]{8,}$'}
        amount: {type: integer}
        currency: {type: string}
        capture: {type: boolean}
        metadata: {type: object, additionalProperties: {type: string}}
        items: {type: array, items: {type: object, properties: {qty: {type: integer}}}}
"""


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox(ingest_bytes(SPEC), seed=1, records_per_collection=3)


async def test_a_nested_form_body_is_coerced_and_stored(sandbox):
    form = flatten_form({"amount": 1250, "currency": "eur", "capture": True, "metadata": {"order": "A-1"},
                         "items": [{"qty": 2}, {"qty": 1}]})  # fmt: skip
    assert form["items[1][qty]"] == "1" and form["capture"] == "true"
    async with sandbox_client(sandbox) as client:
        created = await client.post("/charges", data=form)
        listed = (await client.get("/charges")).json()["data"]
    charge = created.json()
    assert created.status_code == 200
    assert (charge["amount"], charge["capture"], charge["items"]) == (1250, True, [{"qty": 2}, {"qty": 1}])
    assert charge["metadata"] == {"order": "A-1"} and charge["id"].startswith("ch_")
    assert listed[-1] == charge


async def test_bad_form_values_are_named_with_their_paths(sandbox):
    async with sandbox_client(sandbox) as client:
        response = await client.post("/charges", data={"amount": "lots", "currency": "gbp", "items[0][qty]": "x"})
    assert response.status_code == 400, "the operation declares 400, not 422"
    found = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert found == {("amount", "invalid_type"), ("currency", "not_in_enum"), ("items[0].qty", "invalid_type")}


async def test_deep_object_query_parameters_are_validated(sandbox):
    async with sandbox_client(sandbox) as client:
        good = await client.get("/charges", params={"created[gte]": "1700000000"})
        bad = await client.get("/charges", params={"created[gte]": "soon", "created[lt]": "1"})
    assert good.status_code == 200
    assert {(e["field"], e["code"]) for e in bad.json()["errors"]} == {
        ("created.gte", "invalid_type"),
        ("created.lt", "unknown_field"),
    }
