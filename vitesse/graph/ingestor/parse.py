"""Turn a loaded Swagger 2.0 / OpenAPI 3.x document into an `APISpecification`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from vitesse.errors import IngestError, IngestReason
from vitesse.graph.ingestor.auth import extract_auth_schemes, security_requirements
from vitesse.graph.ingestor.extract import Context, extract_endpoints
from vitesse.graph.ingestor.refs import DocLoader, Resolver
from vitesse.schemas import APISpecification, AuthType, ParameterLocation

_SLUG = re.compile(r"[^a-z0-9]+")


def spec_version(doc: Mapping[str, Any]) -> tuple[str, bool]:
    """Return the document's version string and whether it is Swagger 2.0; refuse anything else."""
    if "swagger" in doc:
        version = str(doc["swagger"])
        if version.startswith("2"):
            return version, True
        raise IngestError(IngestReason.UNSUPPORTED_VERSION, f"Swagger {version} is not supported (only 2.0)")
    if "openapi" in doc:
        version = str(doc["openapi"])
        if version.startswith("3.0") or version.startswith("3.1"):
            return version, False
        raise IngestError(
            IngestReason.UNSUPPORTED_VERSION, f"OpenAPI {version} is not supported (2.0, 3.0.x and 3.1.x are)"
        )
    if "paths" in doc and "info" in doc:
        raise IngestError(
            IngestReason.UNSUPPORTED_VERSION, "the document has paths but no `openapi` or `swagger` version"
        )
    raise IngestError(
        IngestReason.NOT_A_SPEC, "this is not an OpenAPI or Swagger document (no `openapi` or `swagger` key)"
    )


def parse_document(
    doc: Mapping[str, Any],
    *,
    source: str,
    name: str | None = None,
    base_uri: str | None = None,
    load_external: DocLoader | None = None,
) -> APISpecification:
    """Normalise a loaded document; external refs are read through `load_external` (prefetched documents)."""
    version, swagger2 = spec_version(doc)
    uri = base_uri or source
    resolver = Resolver(root=doc, root_uri=uri, load_external=load_external or (lambda _uri: None))
    components = doc.get("components") if isinstance(doc.get("components"), dict) else {}
    raw_schemes = doc.get("securityDefinitions") if swagger2 else components.get("securitySchemes")
    follow = lambda node: resolver.follow(node, uri)[0]  # noqa: E731
    auth_schemes = extract_auth_schemes(raw_schemes if isinstance(raw_schemes, dict) else {}, follow)
    ctx = Context(
        resolver=resolver,
        base_uri=uri,
        swagger2=swagger2,
        consumes=_str_list(doc.get("consumes")),
        produces=_str_list(doc.get("produces")),
        security=security_requirements(doc.get("security")) or [],
        auth_params={
            (s.location.value, s.parameter_name)
            for s in auth_schemes
            if s.type == AuthType.API_KEY
            and s.location in (ParameterLocation.QUERY, ParameterLocation.HEADER)
            and s.parameter_name
        },
    )
    paths = doc.get("paths") if isinstance(doc.get("paths"), dict) else {}
    endpoints = extract_endpoints(paths, ctx)
    webhooks_raw = doc.get("webhooks") if isinstance(doc.get("webhooks"), dict) else {}
    webhooks = extract_endpoints(webhooks_raw, ctx)
    info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
    servers = _servers(doc, swagger2)
    spec = APISpecification(
        name=name or _slug(str(info.get("title") or source)),
        title=info.get("title") if isinstance(info.get("title"), str) else None,
        api_version=str(info["version"]) if "version" in info else None,
        spec_version=version,
        source=source,
        base_url=servers[0] if servers else None,
        servers=servers,
        description=(info.get("description") or "")[:2000] or None
        if isinstance(info.get("description"), str)
        else None,
        auth_schemes=auth_schemes,
        security=ctx.security,
        warnings=sorted(set(resolver.warnings)),
    )
    # Assigned after construction: these lists are already validated models and can be large.
    spec.endpoints = endpoints
    spec.webhooks = webhooks
    spec.schemas = resolver.schemas
    spec.attach_field_source()  # the digest too is computed when first read
    return spec


def _servers(doc: Mapping[str, Any], swagger2: bool) -> list[str]:
    if swagger2:
        host = doc.get("host")
        if not isinstance(host, str) or not host:
            return []
        base_path = doc.get("basePath") if isinstance(doc.get("basePath"), str) else ""
        schemes = _str_list(doc.get("schemes")) or ["https"]
        scheme = "https" if "https" in schemes else schemes[0]
        return [f"{scheme}://{host}{base_path}".rstrip("/")]
    out = []
    for server in doc.get("servers") or []:
        if isinstance(server, dict) and isinstance(server.get("url"), str):
            out.append(_expand_server(server).rstrip("/") or "/")
    return out


def _expand_server(server: Mapping[str, Any]) -> str:
    url = str(server["url"])
    variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}
    for var, spec in variables.items():
        default = spec.get("default") if isinstance(spec, dict) else None
        if default is not None:
            url = url.replace("{" + str(var) + "}", str(default))
    return url


def _str_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:60] or "api"
