"""Build a RuntimeConfig from a mapping and the two ingested APIs (what a deployer writes to disk)."""

from __future__ import annotations

from typing import Any

from vitesse.errors import ConfigError
from vitesse.runtime.config import (
    Credentials,
    DestConfig,
    LookupConfig,
    NetworkConfig,
    RuntimeConfig,
    SecretRef,
    SourceConfig,
    SyncOptions,
)
from vitesse.schemas import APISpecification, AuthScheme, AuthType, Endpoint, HttpMethod, MappingLogic, TransformType

SUPPORTED_AUTH = (AuthType.API_KEY, AuthType.HTTP_BASIC, AuthType.HTTP_BEARER, AuthType.HTTP_OTHER, AuthType.OAUTH2)


def build_runtime_config(
    mapping: MappingLogic,
    source_spec: APISpecification,
    dest_spec: APISpecification,
    *,
    integration_id: str = "default",
    source_base_url: str | None = None,
    dest_base_url: str | None = None,
    source_secret: SecretRef | str | None = "SOURCE_API_KEY",
    dest_secret: SecretRef | str | None = "DEST_API_KEY",
    source_username: SecretRef | str | None = None,
    dest_username: SecretRef | str | None = None,
    source_client_id: SecretRef | str | None = None,
    dest_client_id: SecretRef | str | None = None,
    options: SyncOptions | dict[str, Any] | None = None,
    network: NetworkConfig | dict[str, Any] | None = None,
) -> RuntimeConfig:
    """Assemble the runtime's config; credentials are named (env var or `SecretRef`), never given.

    The destination lookup (used to reconcile deliveries left in doubt by a crash) is filled in when the
    destination lists the created resource with a query parameter named like the field that receives the
    source's identity (CRM `GET /contacts?external_ref=` for `external_ref ← id`).

    Raises:
        ConfigError: an endpoint of the mapping is not in its spec, or an API has no base URL.
    """
    source_ep = _endpoint(source_spec, mapping.source_endpoint, "source")
    dest_ep = _endpoint(dest_spec, mapping.dest_endpoint, "destination")
    source_auth = _auth(source_spec, source_ep)
    dest_auth = _auth(dest_spec, dest_ep)
    source = SourceConfig(
        base_url=_base_url(source_base_url, source_spec, "source"),
        endpoint=source_ep.with_fields(),
        auth=source_auth,
        credentials=_credentials(source_auth, source_secret, source_username, source_client_id),
    )
    id_field = source_ep.primary_key or "id"
    dest = DestConfig(
        base_url=_base_url(dest_base_url, dest_spec, "destination"),
        endpoint=dest_ep.with_fields(),
        auth=dest_auth,
        credentials=_credentials(dest_auth, dest_secret, dest_username, dest_client_id),
        lookup=find_lookup(mapping, dest_spec, dest_ep, id_field),
        id_path=dest_ep.primary_key or "id",
    )
    return RuntimeConfig(
        integration_id=integration_id,
        mapping=mapping,
        source=source,
        dest=dest,
        options=SyncOptions.model_validate(options or {}) if not isinstance(options, SyncOptions) else options,
        network=NetworkConfig.model_validate(network or {}) if not isinstance(network, NetworkConfig) else network,
    )


def _endpoint(spec: APISpecification, ref: str, side: str) -> Endpoint:
    endpoint = spec.find_endpoint(ref)
    if endpoint is None:
        known = ", ".join(ep.key for ep in spec.endpoints[:20])
        raise ConfigError(f"the {side} API {spec.name} has no endpoint {ref!r}; it has: {known}")
    return endpoint


def _base_url(given: str | None, spec: APISpecification, side: str) -> str:
    url = given or spec.base_url or next(iter(spec.servers), None)
    if not url or not url.startswith(("http://", "https://")):
        raise ConfigError(f"the {side} API {spec.name} has no absolute base URL; pass {side}_base_url")
    return url


def _auth(spec: APISpecification, endpoint: Endpoint) -> AuthScheme | None:
    rules = endpoint.security if endpoint.security is not None else spec.security
    schemes = {s.name: s for s in spec.auth_schemes}
    for alternative in rules:
        if not alternative:
            return None  # an empty alternative: the operation may be called without auth
        picked = [schemes[name] for name in alternative if name in schemes]
        if picked and picked[0].type in SUPPORTED_AUTH:
            return picked[0]
    return None


def _credentials(
    auth: AuthScheme | None,
    secret: SecretRef | str | None,
    username: SecretRef | str | None = None,
    client_id: SecretRef | str | None = None,
) -> Credentials | None:
    """Name where the runtime reads each credential: a user only for basic auth, a client only for OAuth2."""
    if auth is None or secret is None:
        return None
    basic = auth.type == AuthType.HTTP_BASIC or (auth.scheme or "").lower() == "basic"
    return Credentials(
        secret=_ref(secret),
        username=_ref(username) if basic and username is not None else None,
        client_id=_ref(client_id) if auth.type == AuthType.OAUTH2 and client_id is not None else None,
    )


def _ref(value: SecretRef | str) -> SecretRef:
    return value if isinstance(value, SecretRef) else SecretRef(env=value)


def find_lookup(
    mapping: MappingLogic, dest_spec: APISpecification, dest_ep: Endpoint, id_field: str
) -> LookupConfig | None:
    """Find a destination list endpoint that filters on the field the source identity is copied into."""
    identity_dest = [
        t.dest_field
        for t in mapping.transformations
        if t.source_fields == [id_field] and t.transform_type in (TransformType.DIRECT, TransformType.STRINGIFY)
        and "[]" not in t.dest_field
    ]  # fmt: skip
    for ep in dest_spec.endpoints:
        if ep.method != HttpMethod.GET or ep.path != dest_ep.path or not ep.is_list:
            continue
        for field in identity_dest:
            param = ep.parameter(field.rsplit(".", 1)[-1])
            if param is not None and param.location.value == "query":
                return LookupConfig(endpoint=ep.with_fields(), param=param.name, dest_field=field)
    return None
