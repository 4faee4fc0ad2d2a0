"""The Ingestor's normalisation: versions, endpoints, bodies, refs, cycles, auth, records, webhooks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vitesse.errors import IngestError, IngestReason
from vitesse.graph.ingestor import ingest_bytes
from vitesse.schemas import AuthType, PaginationStyle, ParameterLocation


def oas3(paths: dict[str, Any], schemas: dict[str, Any] | None = None, **extra: Any) -> str:
    doc = {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": paths}
    doc["components"] = {"schemas": schemas or {}, **extra.pop("components", {})}
    doc.update(extra)
    return json.dumps(doc)


def listing(ref: str, **params: str) -> dict[str, Any]:
    return {
        "get": {
            "operationId": "list",
            "parameters": [{"name": n, "in": "query", "schema": {"type": t}} for n, t in params.items()],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "data": {"type": "array", "items": {"$ref": ref}},
                                    "has_more": {"type": "boolean"},
                                },
                            }
                        }
                    },
                }
            },
        }
    }


INVALID = [
    ("not an OpenAPI or Swagger document", IngestReason.NOT_A_SPEC, '{"hello": "world"}'),
    ("Swagger 1.2 is not supported", IngestReason.UNSUPPORTED_VERSION, '{"swagger": "1.2", "paths": {}}'),
    ("OpenAPI 4.0.0 is not supported", IngestReason.UNSUPPORTED_VERSION, '{"openapi": "4.0.0", "paths": {}}'),
    ("has paths but no", IngestReason.UNSUPPORTED_VERSION, '{"info": {}, "paths": {}}'),
]


@pytest.mark.parametrize(("message", "reason", "text"), INVALID)
def test_documents_that_are_not_supported_specs_are_refused_with_a_reason(message, reason, text):
    with pytest.raises(IngestError) as info:
        ingest_bytes(text)
    assert info.value.reason == reason
    assert message in str(info.value)


def test_every_operation_becomes_an_endpoint_with_path_parameters_merged():
    text = oas3(
        {
            "/customers/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "get": {"responses": {"200": {"description": "ok"}}},
                "delete": {
                    "parameters": [{"name": "force", "in": "query", "schema": {"type": "boolean"}}],
                    "responses": {"204": {"description": "gone"}},
                },
            }
        }
    )
    spec = ingest_bytes(text)
    assert [e.key for e in spec.endpoints] == ["GET /customers/{id}", "DELETE /customers/{id}"]
    delete = spec.endpoints[1]
    assert [(p.name, p.location) for p in delete.parameters] == [
        ("id", ParameterLocation.PATH),
        ("force", ParameterLocation.QUERY),
    ]
    assert delete.action == "delete" and delete.resource == "customers"
    assert spec.endpoints[0].action == "get"


def test_cyclic_schemas_end_at_a_named_ref_instead_of_expanding_forever():
    schemas = {
        "Node": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "parent": {"$ref": "#/components/schemas/Node"}},
        }
    }
    spec = ingest_bytes(oas3({"/nodes": listing("#/components/schemas/Node")}, schemas))
    endpoint = spec.endpoints[0]
    assert endpoint.records_at == "data[]"
    assert spec.schemas["Node"]["properties"]["parent"] == {"$ref": "#/schemas/Node"}
    assert [f.path for f in endpoint.record_fields] == ["id", "parent"]
    assert endpoint.record_fields[1].type == "object"


def test_allof_is_merged_and_the_record_fields_follow_the_path_convention():
    schemas = {
        "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
        "Customer": {
            "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {
                    "type": "object",
                    "properties": {
                        "email": {"type": "string", "format": "email"},
                        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
                        "emails": {"type": "array", "items": {"type": "object", "properties": {"value": {}}}},
                        "labels": {"type": "array", "items": {"type": "string"}},
                        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
            ]
        },
    }
    spec = ingest_bytes(oas3({"/customers": listing("#/components/schemas/Customer")}, schemas))
    fields = {f.path: f for f in spec.endpoints[0].record_fields}
    assert list(fields) == ["id", "email", "address.city", "emails[].value", "labels[]", "metadata"]
    assert fields["id"].required is True
    assert fields["email"].format == "email"
    assert fields["metadata"].type == "object"
    assert fields["labels[]"].type == "string"


def test_openapi_31_type_arrays_become_nullable_and_null_alternatives_fold():
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {"/things": listing("#/components/schemas/Thing")},
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {
                        "name": {"type": ["string", "null"]},
                        "size": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                    },
                }
            }
        },
        "webhooks": {"thingCreated": {"post": {"responses": {"200": {"description": "ok"}}}}},
    }
    spec = ingest_bytes(json.dumps(doc))
    fields = {f.path: f for f in spec.endpoints[0].record_fields}
    assert fields["name"].type == "string" and fields["name"].nullable
    assert fields["size"].type == "integer" and fields["size"].nullable
    assert [w.key for w in spec.webhooks] == ["POST thingCreated"]
    assert len(spec.endpoints) == 1


def test_a_dangling_ref_is_a_warning_and_the_rest_still_ingests():
    schemas = {"Customer": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/Missing"}}}}
    spec = ingest_bytes(oas3({"/customers": listing("#/components/schemas/Customer")}, schemas))
    assert any("Missing" in w and "dangling" in w for w in spec.warnings)
    assert [f.path for f in spec.endpoints[0].record_fields] == ["x"]


def test_refs_inside_examples_are_never_followed():
    schemas = {
        "Customer": {
            "type": "object",
            "properties": {"id": {"type": "string"}},
            "example": {"link": {"$ref": "https://169.254.169.254/latest/meta-data"}},
        }
    }
    spec = ingest_bytes(oas3({"/customers": listing("#/components/schemas/Customer")}, schemas))
    assert spec.warnings == []
    assert spec.schemas["Customer"]["example"] == {"link": {"$ref": "https://169.254.169.254/latest/meta-data"}}


SWAGGER2 = {
    "swagger": "2.0",
    "info": {"title": "Old API", "version": "2"},
    "host": "api.example.com",
    "basePath": "/v2",
    "schemes": ["http", "https"],
    "consumes": ["application/json"],
    "securityDefinitions": {
        "key": {"type": "apiKey", "in": "query", "name": "api_key"},
        "basic": {"type": "basic"},
        "oauth": {
            "type": "oauth2",
            "flow": "accessCode",
            "authorizationUrl": "https://a",
            "tokenUrl": "https://t",
            "scopes": {"read": "Read"},
        },
    },
    "security": [{"key": []}],
    "definitions": {
        "Pet": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "tag": {"type": "string"}},
        }
    },
    "paths": {
        "/pets": {
            "get": {
                "parameters": [
                    {"name": "page", "in": "query", "type": "integer"},
                    {"name": "api_key", "in": "query", "type": "string"},
                ],
                "responses": {
                    "200": {"description": "ok", "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}}
                },
            },
            "post": {
                "parameters": [{"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Pet"}}],
                "responses": {"201": {"description": "created"}},
                "security": [],
            },
        },
        "/uploads": {
            "post": {
                "consumes": ["multipart/form-data"],
                "parameters": [
                    {"name": "title", "in": "formData", "type": "string", "required": True},
                    {"name": "file", "in": "formData", "type": "file"},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


def test_swagger2_is_normalised_to_the_same_internal_form():
    spec = ingest_bytes(json.dumps(SWAGGER2))
    assert spec.spec_version == "2.0"
    assert spec.base_url == "https://api.example.com/v2"
    assert {s.name: s.type for s in spec.auth_schemes} == {
        "key": AuthType.API_KEY,
        "basic": AuthType.HTTP_BASIC,
        "oauth": AuthType.OAUTH2,
    }
    oauth = next(s for s in spec.auth_schemes if s.name == "oauth")
    assert oauth.flows[0].flow == "accessCode" and oauth.flows[0].scopes == {"read": "Read"}
    listing_ep = spec.find_endpoint("GET /pets")
    assert listing_ep is not None and listing_ep.records_at == "[]"
    assert listing_ep.pagination is not None and listing_ep.pagination.style == PaginationStyle.PAGE
    assert [p.name for p in listing_ep.parameters] == ["page"], "the api key is a credential, not a parameter"
    assert listing_ep.auth_required is True
    create = spec.find_endpoint("POST /pets")
    assert create is not None and create.request_body is not None
    assert [(f.path, f.required) for f in create.body_fields()] == [("name", True), ("tag", False)]
    assert create.auth_required is False, "security: [] switches auth off"
    upload = spec.find_endpoint("POST /uploads")
    assert upload is not None and upload.request_body is not None
    assert upload.request_body.content_type == "multipart/form-data"
    assert [(f.path, f.format) for f in upload.request_body.fields] == [("title", None), ("file", "binary")]


def test_the_digest_is_stable_and_changes_when_the_api_changes():
    first = ingest_bytes(json.dumps(SWAGGER2))
    again = ingest_bytes(json.dumps(SWAGGER2))
    assert first.digest == again.digest and len(first.digest) == 64
    changed = json.loads(json.dumps(SWAGGER2))
    changed["definitions"]["Pet"]["properties"]["color"] = {"type": "string"}
    assert ingest_bytes(json.dumps(changed)).digest != first.digest


def test_the_specification_round_trips_through_json():
    spec = ingest_bytes(json.dumps(SWAGGER2))
    from vitesse.schemas import APISpecification

    again = APISpecification.model_validate_json(spec.model_dump_json(by_alias=True))
    assert again.model_dump(by_alias=True) == spec.model_dump(by_alias=True)


def test_find_endpoint_accepts_method_and_path_bare_path_and_operation_id():
    spec = ingest_bytes(json.dumps(SWAGGER2))
    assert spec.find_endpoint("post /pets").key == "POST /pets"
    assert spec.find_endpoint("/pets").key == "GET /pets"
    assert spec.find_endpoint("GET /nothing") is None
