"""Define the shared types every part of Vitesse speaks.

These pydantic models travel through the graph state, the database, the API, the MCP server and
the sync runtime, so they stay JSON-serialisable and import nothing of ours at load time. (An endpoint's
fields are flattened from its schemas on first use, by the Ingestor's `flatten`, imported then.)

The field path convention (used by `Field.path`, `DataTransformation.source_fields` and
`DataTransformation.dest_field`): dot-separated property names, an array element adds `[]` to its
property (`address.city`, `emails[].value`, `labels[]`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator
from pydantic import Field as PydField
from pydantic_core import to_json


def _now() -> datetime:
    return datetime.now(UTC)


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, use_enum_values=False, extra="ignore")


# --------------------------------------------------------------------------------------------
# API description (what the Ingestor produces)
# --------------------------------------------------------------------------------------------


class HttpMethod(str, Enum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"
    OPTIONS = "OPTIONS"
    TRACE = "TRACE"


class ParameterLocation(str, Enum):
    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    FORM = "form"
    BODY = "body"


class Field(_Model):
    """One leaf (or free-form container) of a record or request body, the unit the Mapper matches."""

    path: str
    """Dot path with `[]` for array elements: `address.city`, `emails[].value`, `labels[]`."""
    type: str = "string"
    """JSON type of the leaf: string, integer, number, boolean, object, array or any."""
    format: str | None = None
    enum: list[Any] | None = None
    required: bool = False
    """Required at its own level and every enclosing level is required too."""
    nullable: bool = False
    description: str | None = None
    example: Any = None
    default: Any = None
    read_only: bool = False
    write_only: bool = False
    inferred: bool = False
    """True when the schema left the object free-form and the spec's examples showed this property."""
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None

    @property
    def name(self) -> str:
        """Return the last segment of the path without `[]`."""
        return self.path.rsplit(".", 1)[-1].removesuffix("[]")


class Parameter(_Model):
    name: str
    location: ParameterLocation
    required: bool = False
    type: str = "string"
    format: str | None = None
    enum: list[Any] | None = None
    description: str | None = None
    default: Any = None
    schema_: dict[str, Any] | None = PydField(default=None, alias="schema")


class PaginationStyle(str, Enum):
    CURSOR = "cursor"
    PAGE = "page"
    OFFSET = "offset"
    TOKEN = "token"
    LINK_HEADER = "link_header"
    NEXT_URL = "next_url"


class Pagination(_Model):
    """How a list endpoint pages through its records, with the names each style needs."""

    style: PaginationStyle
    cursor_param: str | None = None
    """Query parameter that carries the cursor (`starting_after`, `after`, `cursor`, `pageToken`)."""
    cursor_path: str | None = None
    """Where the next cursor sits: a response path (`next_cursor`, `meta.next_cursor`) or, for
    record-id cursors such as Stripe's `starting_after`, `<records>[-1].<id>` written as `data[-1].id`."""
    page_param: str | None = None
    offset_param: str | None = None
    limit_param: str | None = None
    next_path: str | None = None
    """Response path of the next page's URL (`next_url` style) or of a page token (`token` style)."""
    total_path: str | None = None
    has_more_path: str | None = None
    page_size_default: int | None = None
    page_size_max: int | None = None


class AuthType(str, Enum):
    API_KEY = "api_key"
    HTTP_BASIC = "http_basic"
    HTTP_BEARER = "http_bearer"
    HTTP_OTHER = "http"
    OAUTH2 = "oauth2"
    OPENID_CONNECT = "openid_connect"
    MUTUAL_TLS = "mutual_tls"
    NONE = "none"


class OAuthFlow(_Model):
    flow: str
    """implicit, password, clientCredentials or authorizationCode (accessCode/application in 2.0)."""
    authorization_url: str | None = None
    token_url: str | None = None
    refresh_url: str | None = None
    scopes: dict[str, str] = PydField(default_factory=dict)


class AuthScheme(_Model):
    name: str
    """The scheme's key in securitySchemes / securityDefinitions."""
    type: AuthType
    location: ParameterLocation | None = None
    """For api keys: header, query or cookie."""
    parameter_name: str | None = None
    """For api keys: the header, query or cookie name (`X-API-Key`, `api_key`)."""
    scheme: str | None = None
    """For http schemes: basic, bearer, digest …"""
    bearer_format: str | None = None
    flows: list[OAuthFlow] = PydField(default_factory=list)
    openid_connect_url: str | None = None
    description: str | None = None


class _FieldSource:
    """Where fields are flattened from on first use: a spec's named schemas, and a memo its endpoints share.

    A cache, not data: it never serialises and compares equal to any other source.
    """

    __slots__ = ("schemas", "memo")

    def __init__(self, schemas: Mapping[str, dict[str, Any]], *, shared: bool = True) -> None:
        self.schemas = schemas
        self.memo: dict[Any, Any] | None = {} if shared else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _FieldSource)

    __hash__ = None  # type: ignore[assignment]

    def flatten(self, schema: dict[str, Any] | None, mode: str) -> tuple[list[Field], bool]:
        if not schema:
            return [], False
        from vitesse.graph.ingestor.flatten import flatten  # noqa: PLC0415 - the Ingestor's rules, on first use

        return flatten(schema, self.schemas, mode=mode, memo=self.memo)  # type: ignore[arg-type]


_NO_SCHEMAS = _FieldSource({}, shared=False)
"""For an endpoint built by hand, outside a spec: no named schemas, and no memo kept between calls."""


class RequestBody(_Model):
    content_type: str = "application/json"
    required: bool = False
    schema_: dict[str, Any] | None = PydField(default=None, alias="schema")
    fields_: list[Field] | None = PydField(default=None, alias="fields")
    """The body's fields as given, or None until `fields` flattens them from the schema."""
    array_wrapper: str | None = None
    """Set when the body wraps the records in an array, e.g. `contacts[]` for a bulk upsert."""
    _source: _FieldSource | None = PrivateAttr(default=None)
    _truncated: bool = PrivateAttr(default=False)

    @property
    def fields(self) -> list[Field]:
        """Return the fields the body carries, flattened (write mode) from its schema on first use."""
        if self.fields_ is None:
            self.fields_, self._truncated = (self._source or _NO_SCHEMAS).flatten(self.schema_, "write")
        return self.fields_

    @fields.setter
    def fields(self, value: list[Field]) -> None:
        self.fields_ = list(value)

    def __eq__(self, other: object) -> bool:
        """Compare content: fields are flattened on both sides first; where they come from is a cache."""
        if type(other) is not type(self):
            return NotImplemented
        return self.fields == other.fields and self.__dict__ == other.__dict__  # type: ignore[attr-defined]


class Response(_Model):
    status: str
    content_type: str | None = None
    description: str | None = None
    schema_: dict[str, Any] | None = PydField(default=None, alias="schema")
    headers: list[str] = PydField(default_factory=list)


class Endpoint(_Model):
    method: HttpMethod
    path: str
    operation_id: str | None = None
    summary: str | None = None
    description: str | None = None
    tags: list[str] = PydField(default_factory=list)
    deprecated: bool = False
    parameters: list[Parameter] = PydField(default_factory=list)
    request_body: RequestBody | None = None
    responses: list[Response] = PydField(default_factory=list)
    success_status: str | None = None
    records_at: str | None = None
    """Where a list response's records sit: `data[]`, `data.results[]`, `[]`; None when not a list."""
    record_schema: dict[str, Any] | None = None
    """The schema of one record (the array element for lists, the body for single-object responses)."""
    record_fields_: list[Field] | None = PydField(default=None, alias="record_fields")
    """The record's fields as given, or None until `record_fields` flattens them from `record_schema`."""
    pagination: Pagination | None = None
    primary_key: str | None = None
    resource: str | None = None
    """The resource this operation acts on, plural and snake_case: `customers`, `contacts`."""
    action: str | None = None
    """list, get, create, update, upsert, delete, search or other."""
    security: list[list[str]] | None = None
    """Alternatives of scheme names (OR of ANDs); None when the operation inherits the global rule."""
    auth_required: bool = False
    warnings: list[str] = PydField(default_factory=list)
    _source: _FieldSource | None = PrivateAttr(default=None)

    @property
    def record_fields(self) -> list[Field]:
        """Return one record's fields (read mode), flattened from `record_schema` on first use.

        Flattening waits until a field is asked for: a spec of 500 endpoints is read in a fraction of the
        time and memory, and only the endpoints a mapping uses are ever flattened.
        """
        if self.record_fields_ is None:
            fields, truncated = (self._source or _NO_SCHEMAS).flatten(self.record_schema, "read")
            if truncated:
                self.warnings.append("the record has more fields than the cap; the deepest were left out")
            self.record_fields_ = fields
        return self.record_fields_

    @record_fields.setter
    def record_fields(self, value: list[Field]) -> None:
        self.record_fields_ = list(value)

    def __eq__(self, other: object) -> bool:
        """Compare content: fields are flattened on both sides first; where they come from is a cache."""
        if type(other) is not type(self):
            return NotImplemented
        return self.record_fields == other.record_fields and self.__dict__ == other.__dict__  # type: ignore[attr-defined]

    def with_fields(self) -> Endpoint:
        """Flatten the record and body fields now, and return self.

        For an endpoint that travels without its spec (a runtime's config): its JSON must carry the fields,
        since the named schemas stay behind.
        """
        self.record_fields  # noqa: B018 - flattens and keeps them
        self.body_fields()
        return self

    @property
    def key(self) -> str:
        """Return `METHOD /path`, the way users and the CLI name an endpoint."""
        return f"{self.method.value} {self.path}"

    @property
    def is_list(self) -> bool:
        return self.records_at is not None

    def parameter(self, name: str, location: ParameterLocation | None = None) -> Parameter | None:
        """Return the parameter with this name (and location, when given)."""
        for param in self.parameters:
            if param.name == name and (location is None or param.location == location):
                return param
        return None

    def body_fields(self) -> list[Field]:
        """Return the fields a request fills: the body's, or its query/form parameters when there is no body."""
        if self.request_body is not None and self.request_body.fields:
            if self.request_body._truncated and _BODY_CAPPED not in self.warnings:
                self.warnings.append(_BODY_CAPPED)
            return self.request_body.fields
        return [
            Field(
                path=p.name, type=p.type, format=p.format, enum=p.enum, required=p.required, description=p.description
            )
            for p in self.parameters
            if p.location in (ParameterLocation.FORM, ParameterLocation.QUERY, ParameterLocation.BODY)
        ]


_BODY_CAPPED = "the request body has more fields than the cap; the rest were left out"


class APISpecification(_Model):
    """One API as the Ingestor understood it: normalised, JSON-serialisable, with a stable digest."""

    name: str
    title: str | None = None
    api_version: str | None = None
    spec_version: str
    """The document's own version: `2.0`, `3.0.3`, `3.1.0`."""
    source: str | None = None
    """Where it came from: a URL or a file path."""
    base_url: str | None = None
    servers: list[str] = PydField(default_factory=list)
    description: str | None = None
    endpoints: list[Endpoint] = PydField(default_factory=list)
    webhooks: list[Endpoint] = PydField(default_factory=list)
    auth_schemes: list[AuthScheme] = PydField(default_factory=list)
    security: list[list[str]] = PydField(default_factory=list)
    """The document-wide security requirement: alternatives of scheme names."""
    schemas: dict[str, dict[str, Any]] = PydField(default_factory=dict)
    """Named schemas (components.schemas / definitions), normalised; `$ref`s inside point at `#/schemas/NAME`."""
    warnings: list[str] = PydField(default_factory=list)
    digest_: str = PydField(default="", alias="digest")
    """sha256 of the normalised content (endpoints, auth, schemas), stable across runs and formats;
    the `name` a user gives the API and where it was read from do not change it. Empty until `digest`
    is first read (then computed and kept)."""

    @property
    def digest(self) -> str:
        """Return the content digest, computing it on first use (an ingest that nobody diffs skips the hashing)."""
        if not self.digest_:
            self.digest_ = self.compute_digest()
        return self.digest_

    @digest.setter
    def digest(self, value: str) -> None:
        self.digest_ = value

    def __eq__(self, other: object) -> bool:
        """Compare content: the digest is derived from it (and may not be computed yet on either side)."""
        if type(other) is not type(self):
            return NotImplemented
        mine, theirs = dict(self.__dict__), dict(other.__dict__)
        mine.pop("digest_", None), theirs.pop("digest_", None)
        return mine == theirs

    @model_validator(mode="after")
    def _attach_on_validation(self) -> APISpecification:
        self.attach_field_source()
        return self

    def attach_field_source(self) -> None:
        """Let every endpoint flatten its fields from this spec's named schemas (call after replacing them)."""
        source = _FieldSource(self.schemas)
        for endpoint in (*self.endpoints, *self.webhooks):
            endpoint._source = source
            if endpoint.request_body is not None:
                endpoint.request_body._source = source

    def materialize_fields(self) -> APISpecification:
        """Flatten every endpoint's fields and compute the digest now (for a complete JSON dump); return self."""
        for endpoint in (*self.endpoints, *self.webhooks):
            endpoint.with_fields()
        self.digest  # noqa: B018 - computes and keeps it
        return self

    def find_endpoint(self, ref: str) -> Endpoint | None:
        """Find an endpoint by `METHOD /path`, by bare path (list/create preferred) or by operationId."""
        ref = ref.strip()
        method, _, path = ref.partition(" ")
        if path and method.upper() in HttpMethod.__members__:
            for ep in self.endpoints:
                if ep.method.value == method.upper() and ep.path == path.strip():
                    return ep
            return None
        matches = [ep for ep in self.endpoints if ep.path == ref or ep.operation_id == ref]
        matches.sort(key=lambda ep: list(HttpMethod).index(ep.method))
        return matches[0] if matches else None

    def compute_digest(self) -> str:
        """Return the sha256 of the normalised content (everything but provenance, the label and the digest).

        Fed part by part (the spec's own fields, then each endpoint, then each named schema), so hashing a
        large spec never holds all of it as one JSON text. Flattened fields and warnings are derived from
        the rest (and filled on first use), so they are left out.
        """
        digest = hashlib.sha256()
        digest.update(self.model_dump_json(exclude=_NOT_DIGESTED, by_alias=True).encode())
        for group in (self.endpoints, self.webhooks):
            digest.update(b"\x1d")
            for endpoint in group:
                digest.update(endpoint.model_dump_json(exclude=_DERIVED, by_alias=True).encode())
                digest.update(b"\x1e")
        digest.update(b"\x1d")
        for name, schema in self.schemas.items():
            digest.update(to_json([name, schema]))
            digest.update(b"\x1e")
        return digest.hexdigest()


_DERIVED: Any = {"record_fields_": True, "warnings": True, "request_body": {"fields_"}}
_NOT_DIGESTED: Any = dict.fromkeys(("digest_", "source", "warnings", "name", "endpoints", "webhooks", "schemas"), True)


# --------------------------------------------------------------------------------------------
# Mapping (what the Mapper produces, what the transform engine runs)
# --------------------------------------------------------------------------------------------


class TransformType(str, Enum):
    DIRECT = "direct"
    MAPPING = "mapping"
    PARSE = "parse"
    STRINGIFY = "stringify"
    PARSE_BOOL = "parse_bool"
    COLLECT = "collect"
    CUSTOM = "custom"
    SPLIT = "split"
    FORMAT = "format"
    ENUM = "enum"
    DEFAULT = "default"
    CONSTANT = "constant"
    NEST = "nest"
    FLATTEN = "flatten"
    EXPRESSION = "expression"


class DataTransformation(_Model):
    """How one destination field is filled from zero or more source fields."""

    source_fields: list[str] = PydField(default_factory=list)
    dest_field: str
    transform_type: TransformType = TransformType.DIRECT
    transform_config: dict[str, Any] = PydField(default_factory=dict)
    confidence: float = 1.0
    rationale: str = ""
    required: bool = False
    """True when the destination requires this field."""

    # The guide names a single source field `source_field`; accept it on input.
    def __init__(self, **data: Any) -> None:
        if "source_field" in data and "source_fields" not in data:
            single = data.pop("source_field")
            data["source_fields"] = [single] if isinstance(single, str) else list(single or [])
        super().__init__(**data)

    @property
    def source_field(self) -> str | None:
        return self.source_fields[0] if self.source_fields else None


class UnmappedField(_Model):
    dest_field: str
    required: bool = False
    reason: str = ""
    """no_candidate, below_threshold, needs_lookup, read_only …"""
    candidates: list[tuple[str, float]] = PydField(default_factory=list)
    """The best source candidates with their scores, for a person to pick from."""


class MappingLogic(_Model):
    source_endpoint: str
    """`METHOD /path` of the source list endpoint."""
    dest_endpoint: str
    """`METHOD /path` of the destination create/upsert endpoint."""
    source_records_at: str | None = None
    dest_array_wrapper: str | None = None
    transformations: list[DataTransformation] = PydField(default_factory=list)
    unmapped_dest: list[UnmappedField] = PydField(default_factory=list)
    unmapped_source: list[str] = PydField(default_factory=list)
    complexity_score: int = 1
    """1–10; see `vitesse.graph.mapper` for its definition."""
    version: int = 1
    produced_by: str = "offline"
    """offline, llm or human: which path produced this mapping."""
    rationale: str = ""
    alternatives: dict[str, list[str]] = PydField(default_factory=dict)
    """Ranked alternative endpoints, under `source` and `dest`."""
    warnings: list[str] = PydField(default_factory=list)
    """What a person should check or do: endpoints guessed from a vague intent, required fields left unmapped."""

    @property
    def unmapped_required(self) -> list[str]:
        return [u.dest_field for u in self.unmapped_dest if u.required]


# --------------------------------------------------------------------------------------------
# Proof (what the Guardian produces)
# --------------------------------------------------------------------------------------------


class TestCategory(str, Enum):
    __test__ = False  # not a pytest class

    OK = "ok"
    AUTH = "auth"
    RATE_LIMIT = "rate_limit"
    SCHEMA = "schema"
    NOT_FOUND = "not_found"
    SERVER = "server"
    CONNECTIVITY = "connectivity"
    TIMEOUT = "timeout"
    TRANSFORM = "transform"


class TestResult(_Model):
    __test__ = False

    endpoint: str
    method: str
    status_code: int | None = None
    response_time_ms: float = 0.0
    success: bool = False
    error_message: str | None = None
    category: TestCategory = TestCategory.OK
    fields: list[str] = PydField(default_factory=list)
    """Fields a schema error names."""
    timestamp: datetime = PydField(default_factory=_now)


class IssueKind(str, Enum):
    MISSING_REQUIRED = "missing_required"
    TYPE_MISMATCH = "type_mismatch"
    FORMAT = "format"
    PATTERN = "pattern"
    ENUM = "enum"
    LENGTH = "length"
    RANGE = "range"
    UNKNOWN_FIELD = "unknown_field"
    REJECTED = "rejected"
    TRANSFORM_FAILED = "transform_failed"


class FieldIssue(_Model):
    """One thing the Guardian saw go wrong with a destination field: the Mapper's heal input."""

    dest_field: str
    kind: IssueKind
    message: str
    """A sentence a person can act on: `destination rejected phone_numbers[].number: expected E.164`."""
    expected: str | None = None
    """What the destination wants: a type, a format, a pattern, `one of A, B, C`."""
    observed: str | None = None
    """What we sent (an excerpt, secrets masked) or `missing`."""
    allowed_values: list[Any] | None = None
    example_payload: dict[str, Any] | None = None
    source_fields: list[str] = PydField(default_factory=list)
    count: int = 1


class HealthScore(_Model):
    overall_score: float = 0.0
    success_rate: float = 0.0
    endpoint_coverage: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    total_tests: int = 0
    passed_tests: int = 0
    critical_issues: list[str] = PydField(default_factory=list)
    warnings: list[str] = PydField(default_factory=list)
    feedback: list[FieldIssue] = PydField(default_factory=list)
    """Structured heal input for the Mapper, one entry per destination field and kind of fault."""
    against: str = "sandbox"
    """sandbox or live: what the shadow calls reached."""
    timestamp: datetime = PydField(default_factory=_now)

    @staticmethod
    def combine(success_rate: float, endpoint_coverage: float) -> float:
        """Return the guide's overall score: success rate × 0.7 + endpoint coverage × 0.3 (all 0–100)."""
        return round(success_rate * 0.7 + endpoint_coverage * 0.3, 2)


# --------------------------------------------------------------------------------------------
# Integration and deployment
# --------------------------------------------------------------------------------------------


class IntegrationStatus(str, Enum):
    INITIALIZING = "initializing"
    DISCOVERING = "discovering"
    MAPPING = "mapping"
    TESTING = "testing"
    DEPLOYING = "deploying"
    ACTIVE = "active"
    FAILED = "failed"
    REVIEW = "review"
    READY = "ready"


class DeploymentTarget(str, Enum):
    PROCESS = "process"
    LOCAL = "local"
    CLOUD_EKS = "eks"
    CLOUD_ECS = "ecs"


class DeploymentConfig(_Model):
    target: DeploymentTarget = DeploymentTarget.PROCESS
    memory_mb: int = 512
    cpu_cores: float = 0.5
    replicas: int = 1
    schedule_interval_s: int | None = 300
    """Seconds between scheduled syncs; None for on-demand only."""
    env: dict[str, str] = PydField(default_factory=dict)
    image: str | None = None
    domain: str | None = None
    port: int | None = None
    network_mode: str | None = None


class IntegrationInstance(_Model):
    id: str = PydField(default_factory=lambda: str(uuid4()))
    name: str = ""
    source_api_name: str = ""
    dest_api_name: str = ""
    source_api_url: str | None = None
    dest_api_url: str | None = None
    user_intent: str = ""
    status: IntegrationStatus = IntegrationStatus.INITIALIZING
    source_spec: APISpecification | None = None
    dest_spec: APISpecification | None = None
    mapping_logic: MappingLogic | None = None
    health_score: HealthScore | None = None
    deployment_config: DeploymentConfig | None = None
    deployment_url: str | None = None
    container_id: str | None = None
    created_by: str | None = None
    error: str | None = None
    review_reason: str | None = None
    """Why a run is paused for a person's review (the review interrupt's reason); None when it is not paused."""
    created_at: datetime = PydField(default_factory=_now)
    updated_at: datetime = PydField(default_factory=_now)
