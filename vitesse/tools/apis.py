"""Read an API description and summarise it compactly for a model: auth, resources, endpoints, pagination.

A large API (Stripe has hundreds of operations) is never returned whole: the summary lists its resources
and the first endpoints, and a call with `resource` narrows to one resource and adds its fields.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from vitesse.config import Settings
from vitesse.schemas import APISpecification, Endpoint
from vitesse.schemas import Field as SpecField
from vitesse.tools._types import ApiRef

MAX_FIELDS = 80
MAX_WARNINGS = 5


class AuthView(BaseModel):
    """One way the API authenticates."""

    name: str
    type: str = Field(description="api_key, http_basic, http_bearer, oauth2, openid_connect …")
    where: str = Field(description="Header/query name for API keys, the scheme or the OAuth flows otherwise.")


class ResourceView(BaseModel):
    """One resource of the API and what can be done with it."""

    resource: str
    endpoints: int
    actions: list[str]


class EndpointView(BaseModel):
    """One operation."""

    endpoint: str = Field(description="METHOD /path, the form source_endpoint/dest_endpoint take.")
    resource: str | None = None
    action: str | None = Field(default=None, description="list, get, create, update, upsert, delete, search or other.")
    summary: str | None = None
    records_at: str | None = Field(default=None, description="Where a list response holds its records.")
    pagination: str | None = None
    auth_required: bool = False
    fields: list[str] | None = Field(
        None, description="Record fields (lists/reads) or request fields (writes): `path: type[/format] [required]`."
    )


class APISummary(BaseModel):
    """What an API offers, compactly; never the whole document."""

    name: str
    title: str | None = None
    api_version: str | None = None
    spec_version: str
    base_url: str | None = None
    digest: str = Field(description="First 12 hex digits of the normalised spec's sha256 (changes when the API does).")
    endpoint_count: int
    auth: list[AuthView]
    resources: list[ResourceView]
    endpoints: list[EndpointView]
    truncated: bool = Field(description="True when more endpoints match than are shown.")
    hint: str | None = None
    warnings: list[str] = Field(default_factory=list)


async def ingest_api(
    source: ApiRef,
    spec_url: Annotated[
        str | None,
        Field(
            description="Explicit spec URL when `source` is a base URL that does not serve its spec at a common path."
        ),
    ] = None,  # fmt: skip
    resource: Annotated[
        str | None,
        Field(
            description="Only endpoints of this resource (matched against resource "
            "names, paths and tags), with their fields.",
            examples=["customers"],
        ),
    ] = None,  # fmt: skip
    limit: Annotated[int, Field(ge=1, le=200, description="Most endpoints to list.")] = 40,
    *,
    settings: Settings | None = None,
) -> APISummary:
    """Read an OpenAPI/Swagger API and summarise its auth, resources, endpoints and pagination.

    Large APIs are summarised: call again with `resource` to see one resource's endpoints and fields.
    Example: ingest_api(source="https://api.example.com", resource="customers")
    """
    from vitesse.graph.ingestor import ingest

    spec = await ingest(source, spec_url=spec_url, settings=settings or Settings())
    return summarise_api(spec, resource=resource, limit=limit)


def summarise_api(spec: APISpecification, *, resource: str | None = None, limit: int = 40) -> APISummary:
    """Return the compact summary of an ingested API (optionally one resource, with fields)."""
    ranked = sorted(spec.endpoints, key=lambda e: (not e.is_list, e.path, e.method.value))
    chosen = _select(ranked, resource) if resource else ranked
    shown = chosen[:limit]
    return APISummary(
        name=spec.name,
        title=spec.title,
        api_version=spec.api_version,
        spec_version=spec.spec_version,
        base_url=spec.base_url,
        digest=(spec.digest or spec.compute_digest())[:12],
        endpoint_count=len(spec.endpoints),
        auth=[_auth(s) for s in spec.auth_schemes],
        resources=_resources(spec.endpoints),
        endpoints=[_endpoint(e, with_fields=resource is not None) for e in shown],
        truncated=len(chosen) > len(shown),
        hint=_hint(spec, chosen, shown, resource),
        warnings=spec.warnings[:MAX_WARNINGS],
    )


def _select(endpoints: list[Endpoint], resource: str) -> list[Endpoint]:
    """The resource's own endpoints when one is named so (`customer` finds `customers`); else any mention."""
    needle = resource.strip().lower().strip("/")
    names = {needle, needle + "s", needle.removesuffix("s")}
    exact = [e for e in endpoints if (e.resource or "").lower() in names]
    return exact or [e for e in endpoints if _mentions(e, needle)]


def _mentions(endpoint: Endpoint, needle: str) -> bool:
    haystack = [endpoint.resource or "", endpoint.path, endpoint.operation_id or "", *endpoint.tags]
    return any(needle in item.lower() for item in haystack)


def _auth(scheme: object) -> AuthView:
    where = ""
    location, parameter = getattr(scheme, "location", None), getattr(scheme, "parameter_name", None)
    if location is not None:
        where = f"{location.value} {parameter or ''}".strip()
    elif getattr(scheme, "flows", None):
        where = ", ".join(f.flow for f in scheme.flows)  # type: ignore[attr-defined]
    else:
        where = getattr(scheme, "scheme", None) or ""
    return AuthView(name=scheme.name, type=scheme.type.value, where=where)  # type: ignore[attr-defined]


def _resources(endpoints: list[Endpoint]) -> list[ResourceView]:
    grouped: dict[str, list[Endpoint]] = {}
    for endpoint in endpoints:
        grouped.setdefault(endpoint.resource or "(other)", []).append(endpoint)
    return [
        ResourceView(resource=name, endpoints=len(group), actions=sorted({e.action or "other" for e in group}))
        for name, group in sorted(grouped.items())
    ]


def _endpoint(endpoint: Endpoint, *, with_fields: bool) -> EndpointView:
    fields = None
    if with_fields:
        source = endpoint.record_fields if endpoint.method.value in ("GET", "HEAD") else endpoint.body_fields()
        fields = [_field(f) for f in source[:MAX_FIELDS]]
        if len(source) > MAX_FIELDS:
            fields.append(f"… {len(source) - MAX_FIELDS} more fields")
    return EndpointView(
        endpoint=endpoint.key,
        resource=endpoint.resource,
        action=endpoint.action,
        summary=(endpoint.summary or "")[:160] or None,
        records_at=endpoint.records_at,
        pagination=_pagination(endpoint),
        auth_required=endpoint.auth_required,
        fields=fields,
    )


def _field(field: SpecField) -> str:
    kind = field.type + (f"/{field.format}" if field.format else "")
    extra = " required" if field.required else ""
    if field.enum:
        extra += " one of " + ", ".join(map(str, field.enum[:8])) + (" …" if len(field.enum) > 8 else "")
    return f"{field.path}: {kind}{extra}"


def _pagination(endpoint: Endpoint) -> str | None:
    p = endpoint.pagination
    if p is None:
        return None
    names = [n for n in (p.cursor_param, p.page_param, p.offset_param, p.limit_param, p.next_path) if n]
    return f"{p.style.value} ({', '.join(names)})" if names else p.style.value


def _hint(spec: APISpecification, chosen: list[Endpoint], shown: list[Endpoint], resource: str | None) -> str | None:
    if resource and not chosen:
        names = ", ".join(sorted({e.resource for e in spec.endpoints if e.resource})[:20])
        return f"No endpoint matches {resource!r}; resources here: {names}."
    if len(chosen) > len(shown):
        more = len(chosen) - len(shown)
        return f"{more} more endpoints: pass resource=<one of the resources> to narrow, or a larger limit."
    if not resource:
        return "Pass resource=<name> to see that resource's endpoints with their fields."
    return None
