"""Fields flattened on first use: what an ingest leaves for later, what travels in JSON, and what stays equal."""

from __future__ import annotations

import gc
import json
import threading
from typing import Any

import pytest

from vitesse.graph.ingestor import _may_refer_out, gc_paused, ingest_bytes
from vitesse.graph.ingestor.flatten import MAX_FIELDS
from vitesse.schemas import APISpecification, Endpoint

ADDRESS = {"type": "object", "properties": {"city": {"type": "string"}, "postal_code": {"type": "string"}}}
CUSTOMER = {
    "type": "object",
    "required": ["email"],
    "properties": {
        "id": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "address": {"$ref": "#/components/schemas/Address"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}


def _json_response(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def spec_text(customer: dict[str, Any] = CUSTOMER) -> str:
    ref = {"$ref": "#/components/schemas/Customer"}
    listing = {"type": "object", "properties": {"data": {"type": "array", "items": ref}, "has_more": {}}}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "Lazy", "version": "1"},
        "paths": {
            "/customers": {
                "get": {"responses": _json_response(listing)},
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": ref}}},
                    "responses": _json_response(ref),
                },
            },
            "/customers/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "get": {"responses": _json_response(ref)},
            },
        },
        "components": {"schemas": {"Customer": customer, "Address": ADDRESS}},
    }
    return json.dumps(doc)


EXPECTED = ["id", "email", "address.city", "address.postal_code", "tags[]"]


def test_an_ingest_leaves_fields_unflattened_until_asked_then_resolves_named_schemas():
    spec = ingest_bytes(spec_text())
    listing, create = spec.find_endpoint("GET /customers"), spec.find_endpoint("POST /customers")
    assert listing is not None and create is not None and create.request_body is not None
    assert listing.record_fields_ is None and create.request_body.fields_ is None, "nothing flattened at ingest"
    assert listing.primary_key == "id" and listing.records_at == "data[]", "what ingest must know is known"

    assert [f.path for f in listing.record_fields] == EXPECTED
    assert [(f.path, f.required) for f in create.body_fields()][:2] == [("id", False), ("email", True)]
    assert listing.record_fields_ is not None, "kept once flattened"


def test_a_single_record_endpoint_has_fields_too():
    """Before fields were lazy only list and search endpoints had them; any record schema now gives fields."""
    one = ingest_bytes(spec_text()).find_endpoint("GET /customers/{id}")
    assert one is not None and not one.is_list
    assert [f.path for f in one.record_fields] == EXPECTED


def test_a_spec_read_back_from_json_flattens_from_its_own_schemas_and_equals_the_original():
    spec = ingest_bytes(spec_text())
    dumped = spec.model_dump_json(by_alias=True)
    assert json.loads(dumped)["endpoints"][0]["record_fields"] is None, "unflattened fields are not written"

    again = APISpecification.model_validate_json(dumped)
    assert [f.path for f in again.endpoints[0].record_fields] == EXPECTED
    fresh = ingest_bytes(spec_text())
    assert fresh == again, "equal although one side has flattened and the other not"
    assert fresh.endpoints[0].record_fields_ is not None and again.endpoints[1].record_fields_ is not None


def test_materialized_fields_are_written_and_do_not_change_the_digest():
    spec = ingest_bytes(spec_text())
    digest = spec.digest
    payload = json.loads(spec.materialize_fields().model_dump_json(by_alias=True))
    assert [f["path"] for f in payload["endpoints"][0]["record_fields"]] == EXPECTED
    assert [f["path"] for f in payload["endpoints"][1]["request_body"]["fields"]][:2] == ["id", "email"]
    assert spec.compute_digest() == digest


def test_an_endpoint_that_travels_alone_carries_its_fields_only_when_flattened_first():
    """A runtime config holds the endpoint without its spec: `with_fields()` writes them into its JSON."""
    alone = Endpoint.model_validate_json(ingest_bytes(spec_text()).endpoints[0].model_dump_json(by_alias=True))
    assert alone.record_schema == {"$ref": "#/schemas/Customer"}
    assert alone.record_fields == [], "without the spec's named schemas the record's ref cannot be followed"
    carried = ingest_bytes(spec_text()).endpoints[0].with_fields()
    travelled = Endpoint.model_validate_json(carried.model_dump_json(by_alias=True))
    assert [f.path for f in travelled.record_fields] == EXPECTED
    assert travelled == carried


def test_fields_given_by_hand_are_kept():
    given = Endpoint.model_validate(
        {"method": "GET", "path": "/x", "records_at": "[]", "record_fields": [{"path": "name", "type": "string"}]}
    )
    assert [f.path for f in given.record_fields] == ["name"]
    assert given != Endpoint(method="GET", path="/x", records_at="[]"), "different fields, different endpoints"


def test_a_record_over_the_field_cap_warns_when_it_is_flattened():
    wide = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(MAX_FIELDS + 20)}}
    spec = ingest_bytes(spec_text(customer=wide))
    listing = spec.endpoints[0]
    assert listing.warnings == []
    assert len(listing.record_fields) == MAX_FIELDS
    assert any("more fields than the cap" in w for w in listing.warnings)


def test_an_object_id_is_not_taken_for_the_primary_key():
    composite = {
        "type": "object",
        "properties": {"id": {"type": "object", "properties": {"name": {"type": "string"}}}, "uuid": {}},
    }
    spec = ingest_bytes(spec_text(customer=composite))
    assert spec.endpoints[0].primary_key == "uuid"


@pytest.mark.parametrize(
    ("text", "refers_out"),
    [
        (b"a:\n  $ref: '#/components/schemas/A'\nb:\n  $ref: \"#/x\"\nc: {$ref: '#/y'}\n", False),
        (b'{"a": {"$ref": "#/definitions/A"}, "b": {"$ref":"#/x"}}', False),
        (b"cash:\n  $ref: >-\n    #/components/schemas/bank_connections_resource\n", False),
        (b"a:\n  $ref: common.yaml#/components/schemas/A\n", True),
        (b'{"a": {"$ref": "https://example.com/s.json"}}', True),
        (b"a:\n  $ref:\n    '#/x'\n", True),  # a layout the scan does not know: walk to be sure
        (b'{"a": {"\\u0024ref": "other.json"}}', True),
        ("a:\n  $ref: other.yaml\n".encode("utf-16"), True),
        (b"description: use $ref for shared parts\n", True),
    ],
)
def test_the_byte_scan_skips_the_walk_only_when_every_ref_is_plainly_local(text, refers_out):
    assert _may_refer_out(text) is refers_out


def test_the_collector_pause_nests_and_restores_the_state_it_found():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the outer pause still holds"
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled(), "a collector that was off stays off"
    finally:
        gc.enable()


def test_concurrent_pauses_end_with_the_collector_back_on():
    inside, release = threading.Barrier(3), threading.Event()

    def hold() -> None:
        with gc_paused():
            inside.wait(timeout=5)
            release.wait(timeout=5)

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait(timeout=5)
    assert not gc.isenabled()
    release.set()
    for t in threads:
        t.join(timeout=5)
    assert gc.isenabled()


def test_the_digest_is_computed_when_first_read_and_is_the_same_after_a_round_trip():
    spec = ingest_bytes(spec_text())
    assert spec.digest_ == "", "an ingest does not hash"
    assert json.loads(spec.model_dump_json(by_alias=True))["digest"] == ""
    digest = spec.digest
    assert len(digest) == 64 and spec.digest_ == digest == spec.compute_digest()
    again = APISpecification.model_validate_json(spec.model_dump_json(by_alias=True))
    assert again.digest_ == digest, "a computed digest is written and read back"
    unhashed = ingest_bytes(spec_text())
    assert unhashed == spec and unhashed.digest == digest
    changed = ingest_bytes(spec_text(customer={**CUSTOMER, "required": ["id"]}))
    assert changed != spec and changed.digest != digest


def test_models_are_built_from_the_values_that_differ_from_their_defaults():
    """Pydantic's per-instance set of given names stays under five (216 bytes, not 728) for plain parameters."""
    doc = json.loads(spec_text())
    doc["paths"]["/customers"]["get"]["parameters"] = [
        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
        {"name": "q", "in": "query", "schema": {"type": "string"}},
    ]
    listing = ingest_bytes(json.dumps(doc)).endpoints[0]
    limit, q = listing.parameters
    assert (limit.type, limit.required, limit.format, q.type) == ("integer", False, None, "string")
    assert limit.model_fields_set == {"name", "location", "type", "schema_"}
    assert q.model_fields_set == {"name", "location", "schema_"}, "type string is the default: not given"
    (ok,) = listing.responses
    assert ok.model_fields_set == {"status", "content_type", "description", "schema_"} and ok.headers == []
