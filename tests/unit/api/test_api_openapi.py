"""The OpenAPI document: valid 3.1, built from the models the routes validate with, covering every route."""

from __future__ import annotations

from openapi_spec_validator import validate
from starlette.routing import Mount, Route

from vitesse.api import create_app, openapi_document
from vitesse.api.models import CreateIntegrationRequest
from vitesse.api.responses import CreateIntegrationResponse, ErrorResponse

API = "/api/v1/vitesse"


def test_the_document_is_valid_openapi_3_1():
    document = openapi_document()
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_route_of_the_app_is_documented_with_its_methods(settings):
    app = create_app(settings)
    served = {
        (route.path, method)
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }
    documented = {(path, method.upper()) for path, ops in openapi_document()["paths"].items() for method in ops}
    assert served == documented
    assert any(isinstance(r, Mount) and r.path == "/mcp" for r in app.routes)


def test_the_create_operation_takes_and_returns_the_route_models():
    document = openapi_document()
    operation = document["paths"][f"{API}/integrations"]["post"]
    request_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = document["components"]["schemas"][request_ref.rsplit("/", 1)[-1]]
    assert request["required"] == CreateIntegrationRequest.model_json_schema()["required"]
    assert set(request["required"]) == {
        "source_api_url", "source_api_name", "dest_api_url", "dest_api_name", "user_intent",
    }  # fmt: skip
    assert request["additionalProperties"] is False
    created = operation["responses"]["201"]["content"]
    assert set(created) == {"application/json", "text/event-stream"}
    response = document["components"]["schemas"][created["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
    assert set(response["properties"]) == set(CreateIntegrationResponse.model_fields)
    assert {"400", "401", "409", "413", "415", "422"} <= set(operation["responses"])
    assert [p["name"] for p in operation["parameters"]] == ["wait", "timeout_s"]


def test_errors_share_one_schema_and_public_routes_need_no_token():
    document = openapi_document()
    error = document["paths"][f"{API}/integrations/{{integration_id}}"]["get"]["responses"]["404"]
    assert error["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    assert set(document["components"]["schemas"]["ErrorResponse"]["properties"]) == set(ErrorResponse.model_fields)
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/healthz"]["get"]["security"] == []
    assert "security" not in document["paths"][f"{API}/status"]["get"]
    assert openapi_document(public_status=True)["paths"][f"{API}/status"]["get"]["security"] == []


def test_the_events_operation_documents_the_stream_last_event_id_and_the_query_token():
    document = openapi_document()
    operation = document["paths"][f"{API}/integrations/{{integration_id}}/events"]["get"]
    assert operation["security"] == [{"bearerAuth": []}, {"queryToken": []}]
    assert document["components"]["securitySchemes"]["queryToken"]["name"] == "access_token"
    assert set(operation["responses"]["200"]["content"]) == {"text/event-stream"}
    headers = [p for p in operation["parameters"] if p["in"] == "header"]
    assert headers == [
        {
            "name": "Last-Event-ID",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "pattern": "^[0-9]{1,9}$"},
        }
    ]


def test_the_access_log_never_shows_a_query_token():
    import logging

    from vitesse.api.app import MaskTokens

    path = "/api/v1/vitesse/integrations/x/events?access_token=eyJ.secret.sig&after=2"
    args = ("127.0.0.1:5000", "GET", path, "1.1", 200)
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None)
    assert MaskTokens().filter(record)
    line = record.getMessage()
    assert "eyJ.secret.sig" not in line and "after=2" in line
