"""Describe one deployed sync in a JSON file: mapping, both endpoints, where credentials live, options.

The config names credentials (an environment variable or a mounted secret file) and never holds one:
`load_config` refuses headers, query parameters and URLs that carry a credential.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic import Field as PydField

from vitesse.errors import ConfigError
from vitesse.schemas import AuthScheme, Endpoint, MappingLogic

SENSITIVE_NAME = re.compile(
    r"(authorization|cookie|api[-_]?key|token|secret|passw(or)?d|credential|session|signature|private[-_]?key)", re.I
)
ENV_OVERRIDES = {
    "BATCH_SIZE": ("options", "batch_size"),
    "VITESSE_SYNC_CONCURRENCY": ("options", "concurrency"),
    "VITESSE_SYNC_INTERVAL_S": ("options", "schedule_interval_s"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SecretRef(_Strict):
    """Where one credential is found at run time: an environment variable or a file (a mounted secret)."""

    env: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one_place(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("a secret reference names exactly one of `env` (a variable name) or `file` (a path)")
        return self

    def describe(self) -> str:
        return f"environment variable {self.env}" if self.env else f"secret file {self.file}"

    def resolve(self, environ: Mapping[str, str]) -> str:
        """Return the credential; raise ConfigError naming the variable or file when it is missing."""
        if self.env is not None:
            value = environ.get(self.env, "")
        else:
            try:
                value = Path(str(self.file)).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"cannot read the {self.describe()}: {exc.strerror or exc}") from None
        if not value:
            raise ConfigError(f"the {self.describe()} is empty or unset; give the runtime its credential there")
        return value


class Credentials(_Strict):
    secret: SecretRef | None = None
    """The API key, bearer token or basic-auth password (or, with `client_id`, the OAuth2 client secret)."""
    username: SecretRef | None = None
    """The basic-auth user name (else `secret` may hold `user:password`)."""
    client_id: SecretRef | None = None
    """OAuth2 client credentials: the client id. The runtime then fetches access tokens (and renews them)
    from the scheme's client-credentials token URL, or `token_url`."""
    token_url: str | None = None
    """Where to fetch tokens, when the spec names none or another one should be used."""
    scopes: list[str] = PydField(default_factory=list)
    """Scopes to ask the token endpoint for (none: the client's default)."""


class ApiConfig(_Strict):
    base_url: str
    endpoint: Endpoint
    auth: AuthScheme | None = None
    """The scheme the runtime applies (one of the API's auth schemes); None for an open API."""
    credentials: Credentials | None = None
    headers: dict[str, str] = PydField(default_factory=dict)
    """Extra plain headers (never credentials: those go through `credentials`)."""
    params: dict[str, str] = PydField(default_factory=dict)
    """Extra fixed query parameters (never credentials)."""
    path_params: dict[str, str] = PydField(default_factory=dict)

    @model_validator(mode="after")
    def _no_secrets(self) -> ApiConfig:
        for kind, names in (("header", self.headers), ("query parameter", self.params)):
            for name in names:
                if SENSITIVE_NAME.search(name):
                    raise ValueError(f"the {kind} {name!r} looks like a credential; reference it in `credentials`")
        if "@" in self.base_url.split("//", 1)[-1].split("/", 1)[0]:
            raise ValueError("base_url must not carry user:password@; reference credentials in `credentials`")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, not {self.base_url!r}")
        return self


class IncrementalConfig(_Strict):
    mode: Literal["auto", "updated", "cursor", "full"] = "auto"
    """auto: `updated` when an updated-at field is known, else `full`. `cursor` keeps the last pagination
    cursor between runs (for append-only lists ordered oldest first)."""
    updated_field: str | None = None
    """Path of the record's updated-at field (ISO date-time or epoch seconds)."""
    since_param: str | None = None
    """Query parameter that narrows the list to records updated at or after a moment."""


class SourceConfig(ApiConfig):
    id_field: str | None = None
    """Path of the record's identity; default: the endpoint's primary key, else `id`."""
    page_size: int = PydField(default=100, ge=1, le=10_000)
    max_pages: int = PydField(default=1_000_000, ge=1)
    """Bound on the pages one run reads."""
    incremental: IncrementalConfig = PydField(default_factory=lambda: IncrementalConfig())


class LookupConfig(_Strict):
    """A list endpoint that finds a record already at the destination (reconciles in-doubt deliveries)."""

    endpoint: Endpoint
    param: str
    """The query parameter filtering on the identity (`external_ref`)."""
    dest_field: str
    """The payload field whose value is looked up (and checked on each returned record)."""


class DestConfig(ApiConfig):
    idempotency_header: str | None = None
    """Header carrying an idempotency key; default: the endpoint's declared `Idempotency-Key` header."""
    lookup: LookupConfig | None = None
    id_path: str = "id"
    """Where the created record's id sits in the response (kept in the ledger)."""

    def idempotency_header_name(self) -> str | None:
        if self.idempotency_header:
            return self.idempotency_header
        for param in self.endpoint.parameters:
            if param.location.value == "header" and param.name.lower() in ("idempotency-key", "x-idempotency-key"):
                return param.name
        return None


class SyncOptions(_Strict):
    batch_size: int = PydField(default=100, ge=1, le=10_000)
    concurrency: int = PydField(default=4, ge=1, le=256)
    schedule_interval_s: float | None = PydField(default=300.0, gt=0)
    """Seconds between scheduled runs; None: on demand only (POST /sync)."""
    run_on_start: bool = True
    max_attempts: int = PydField(default=6, ge=1, le=50)
    backoff_base_s: float = PydField(default=0.5, ge=0)
    backoff_max_s: float = PydField(default=30.0, ge=0)
    retry_after_max_s: float = PydField(default=60.0, ge=0)
    """A longer Retry-After ends the run (the records stay pending for the next one)."""
    timeout_s: float = PydField(default=30.0, gt=0)
    lease_ttl_s: float = PydField(default=120.0, gt=0)
    """How long a replica's claim on the sync lasts without renewal (renewed between batches; a killed
    replica's claim expires after this, unless it comes back with the same VITESSE_REPLICA_ID)."""


class NetworkConfig(_Strict):
    allow_loopback: bool = False
    allow_private: bool = False


class StateConfig(_Strict):
    database_url_env: str = "DATABASE_URL"
    """Environment variable holding a PostgreSQL URL; unset or empty: a SQLite file in `dir`."""
    dir: str | None = None
    """Folder of the SQLite file; default $VITESSE_STATE_DIR, else ./vitesse-state."""


class RuntimeConfig(_Strict):
    """Everything one sync runtime needs, with credentials only named."""

    integration_id: str = "default"
    mapping: MappingLogic
    source: SourceConfig
    dest: DestConfig
    options: SyncOptions = PydField(default_factory=lambda: SyncOptions())
    network: NetworkConfig = PydField(default_factory=lambda: NetworkConfig())
    state: StateConfig = PydField(default_factory=lambda: StateConfig())

    def state_dir(self, environ: Mapping[str, str]) -> Path:
        return Path(self.state.dir or environ.get("VITESSE_STATE_DIR") or "vitesse-state")

    def database_url(self, environ: Mapping[str, str]) -> str | None:
        return (environ.get(self.state.database_url_env) or "").strip() or None


def parse_config(data: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> RuntimeConfig:
    """Validate a config dict, applying the environment's overrides (BATCH_SIZE, VITESSE_SYNC_*)."""
    environ = os.environ if environ is None else environ
    raw = json.loads(json.dumps(dict(data)))  # a deep copy: the caller's dict is never changed
    for env_name, (section, key) in ENV_OVERRIDES.items():
        value = (environ.get(env_name) or "").strip()
        if value:
            raw.setdefault(section, {})[key] = None if value.lower() in ("none", "off") else value
    try:
        return RuntimeConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'config'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"the runtime config is invalid: {problems}") from None


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> RuntimeConfig:
    """Read and validate the runtime's JSON config file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the runtime config {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"the runtime config {path} is not JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"the runtime config {path} must be a JSON object")
    return parse_config(data, environ)
