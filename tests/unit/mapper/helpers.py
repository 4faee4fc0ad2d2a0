"""Build small endpoints and specs in memory for mapper tests."""

from __future__ import annotations

from vitesse.schemas import APISpecification, Endpoint, Field, HttpMethod, RequestBody


def source_spec(fields: list[Field], *, resource: str = "customers", name: str = "src") -> APISpecification:
    ep = Endpoint(method=HttpMethod.GET, path=f"/{resource}", resource=resource, action="list",
                  records_at="data[]", record_fields=fields)  # fmt: skip
    return APISpecification(name=name, spec_version="3.0.3", endpoints=[ep])


def dest_spec(fields: list[Field], *, resource: str = "contacts", wrapper: str | None = None) -> APISpecification:
    body = RequestBody(fields=fields, array_wrapper=wrapper)
    ep = Endpoint(method=HttpMethod.POST, path=f"/{resource}", resource=resource, action="create", request_body=body)
    return APISpecification(name="dst", spec_version="3.0.3", endpoints=[ep])


def f(path: str, type_: str = "string", **kw: object) -> Field:
    return Field(path=path, type=type_, **kw)  # type: ignore[arg-type]
