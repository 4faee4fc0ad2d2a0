"""Speak the implementation guide's Python API, as thin facades over Vitesse's engines.

The guide's snippets run as printed; only the import line changes (`from vitesse import VitesseIngestor`
for the guide's `from app.agents.ingestor import VitesseIngestor`). `VitesseIngestor`, `VitesseMapper` and
`VitesseGuardian` adapt the guide's `execute(context=..., input_data=...)` dicts to `ingest`,
`propose_mapping` and `run_guardian`; the orchestrator, deployers, templates, transforms and schemas are
re-exported unchanged. Importing this module loads no engine: each loads on first use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any

from vitesse.config import Settings
from vitesse.errors import ConfigError, GuardianError
from vitesse.schemas import (
    APISpecification,
    AuthScheme,
    AuthType,
    DataTransformation,
    DeploymentConfig,
    DeploymentTarget,
    Endpoint,
    IntegrationInstance,
    MappingLogic,
    Pagination,
)

if TYPE_CHECKING:  # loaded on first use (`__getattr__` below), so importing the guide stays light
    from vitesse.deployers import Deployer, DeployerFactory, DeploymentMode, register_deployer
    from vitesse.deployers.templates import DockerfileGenerator
    from vitesse.orchestrator import VitesseOrchestrator
    from vitesse.transforms import CUSTOM_FUNCTIONS, register_transform

__all__ = [
    "AgentContext",
    "CUSTOM_FUNCTIONS",
    "DataTransformation",
    "Deployer",
    "DeployerFactory",
    "DeploymentConfig",
    "DeploymentMode",
    "DeploymentTarget",
    "DockerfileGenerator",
    "VitesseGuardian",
    "VitesseIngestor",
    "VitesseMapper",
    "VitesseOrchestrator",
    "auth_type_of",
    "register_deployer",
    "register_transform",
]

EventSink = Callable[[dict[str, Any]], Awaitable[None] | None]

_LAZY = {
    "VitesseOrchestrator": "vitesse.orchestrator",
    "Deployer": "vitesse.deployers",
    "DeployerFactory": "vitesse.deployers",
    "DeploymentMode": "vitesse.deployers",
    "register_deployer": "vitesse.deployers",
    "DockerfileGenerator": "vitesse.deployers.templates",
    "CUSTOM_FUNCTIONS": "vitesse.transforms",
    "register_transform": "vitesse.transforms",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'vitesse.guide' has no attribute {name!r}")
    return getattr(import_module(module), name)


@dataclass
class AgentContext:
    """What the agents share: settings, a database session factory, an HTTP client and an event sink.

    `AgentContext()` reads the settings from the environment, as the guide's does. `VitesseOrchestrator(context)`
    takes its settings from here.
    """

    settings: Settings = field(default_factory=Settings)
    sessions: Any = None
    """An `async_sessionmaker` for callers that record results themselves; the agents do not write to it."""
    http_client: Any = None
    """An `httpx.AsyncClient` for spec fetches; None builds one behind Vitesse's SSRF guard (recommended)."""
    on_event: EventSink | None = None
    """Called with each progress event as a dict (`{"event": "stage", "stage": "ingest", "phase": ...}`), by the
    agents and by `VitesseOrchestrator(context)`'s runs (unless a call passes its own `on_event`)."""
    use_llm: bool = False
    """Let the Mapper have a chat model rerank its candidates (needs OPENAI_API_KEY); offline otherwise."""

    async def emit(self, event: Any) -> None:
        """Hand one `vitesse.graph.events` event to the sink, as a dict."""
        if self.on_event is None:
            return
        maybe = self.on_event(event.as_dict())
        if maybe is not None:
            await maybe


class _Agent:
    """The guide's agent shape: built on a context, run with `await agent.execute(context=..., input_data=...)`."""

    stage = ""

    def __init__(self, context: AgentContext | None = None) -> None:
        self.context = context if context is not None else AgentContext()

    async def execute(self, context: Any = None, input_data: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run the agent on `input_data`; `context` may carry an `integration_id` that tags the events.

        The guide writes `context={...}`; anything that is not a mapping (that set of `...` too) is ignored.
        """
        data = dict(input_data or {})
        iid = str(context.get("integration_id") or "") if isinstance(context, Mapping) else ""
        if self.context.on_event is not None:
            from vitesse.graph import events

            await self.context.emit(events.StageStarted(iid, self.stage))
            result = await self._run(data)
            await self.context.emit(events.StageFinished(iid, self.stage, counts=_counts(result)))
            return result
        return await self._run(data)

    async def _run(self, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _require(self, data: Mapping[str, Any], key: str) -> Any:
        value = data.get(key)
        if value is None or value == "":
            raise ConfigError(f"{type(self).__name__}.execute needs input_data[{key!r}]")
        return value


def _counts(result: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def auth_type_of(spec: APISpecification) -> str:
    """The API's auth method as the guide's `auth_type` string: the first scheme its security rule names."""
    schemes = {s.name: s for s in spec.auth_schemes}
    for alternative in spec.security:
        for name in alternative:
            if name in schemes:
                return schemes[name].type.value
    return spec.auth_schemes[0].type.value if spec.auth_schemes else AuthType.NONE.value


class VitesseIngestor(_Agent):
    """Read an API's OpenAPI/Swagger document into an `APISpecification`.

    `input_data` has `api_url`, `api_name`, `auth_details` and optionally `spec_url`. Returns `api_spec`
    (APISpecification), `endpoints_count` and `auth_type`. `auth_details` are kept for the Guardian and
    the runtime; specs are fetched without credentials.
    """

    stage = "ingest"

    async def _run(self, data: dict[str, Any]) -> dict[str, Any]:
        from vitesse.graph.ingestor import ingest

        spec = await ingest(
            str(self._require(data, "api_url")),
            spec_url=data.get("spec_url") or None,
            settings=self.context.settings,
            name=data.get("api_name") or None,
            client=self.context.http_client,
        )
        return {"api_spec": spec, "endpoints_count": len(spec.endpoints), "auth_type": auth_type_of(spec)}

    async def _fetch_spec(self, api_url: str, spec_url: str | None = None) -> dict[str, Any]:
        """Fetch and load a document: `spec_url` as given, else `api_url` with discovery at the common paths."""
        from vitesse.graph.ingestor.fetch import fetch_remote, is_url, read_file
        from vitesse.graph.ingestor.load import load_document
        from vitesse.net import NetPolicy, make_client, mask_url

        settings, where = self.context.settings, spec_url or api_url
        if not is_url(where):
            fetched = read_file(where, settings.max_spec_bytes)
        else:
            client = self.context.http_client or make_client(
                NetPolicy.from_settings(settings), timeout=settings.http_timeout_s
            )
            try:
                fetched = await fetch_remote(client, where, settings.max_spec_bytes, discover=spec_url is None)
            finally:
                if client is not self.context.http_client:
                    await client.aclose()
        return load_document(fetched.data, source=mask_url(fetched.uri), max_bytes=settings.max_spec_bytes)

    def _parse_openapi_spec(
        self, document: Mapping[str, Any], api_name: str | None = None, source: str = "<memory>"
    ) -> APISpecification:
        """Normalise a loaded document (external `$ref`s are not followed here; `execute` follows them)."""
        from vitesse.graph.ingestor.parse import parse_document

        return parse_document(document, source=source, name=api_name)

    def _extract_endpoints(self, spec: APISpecification | Mapping[str, Any]) -> list[Endpoint]:
        """The endpoints of a spec (or of a loaded document)."""
        return self._as_spec(spec).endpoints

    def _extract_auth(self, spec: APISpecification | Mapping[str, Any]) -> list[AuthScheme]:
        """The auth schemes a spec (or a loaded document) declares; `auth_type_of` names the one in use."""
        return self._as_spec(spec).auth_schemes

    def _detect_pagination(self, endpoint: Endpoint | Any) -> Pagination | None:
        """How a list endpoint pages: the Ingestor's finding, or `detect_pagination` on raw `Evidence`."""
        if isinstance(endpoint, Endpoint):
            return endpoint.pagination
        from vitesse.graph.ingestor.pagination import detect_pagination

        return detect_pagination(endpoint)

    def _as_spec(self, spec: APISpecification | Mapping[str, Any]) -> APISpecification:
        return spec if isinstance(spec, APISpecification) else self._parse_openapi_spec(spec)


class VitesseMapper(_Agent):
    """Map fields from a source endpoint to a destination endpoint.

    `input_data` has `source_api_spec`, `dest_api_spec`, `user_intent`, `source_endpoint`, `dest_endpoint`.
    Returns `mapping_logic`, `transformation_count`, `complexity_score` (1–10), `unmapped_required` (the
    destination's required fields nothing maps to) and `warnings` (what to do about a thin mapping: endpoints
    guessed from a vague intent and their better alternatives, required fields left unmapped).
    """

    stage = "map"

    async def _run(self, data: dict[str, Any]) -> dict[str, Any]:
        from vitesse.graph.mapper import propose_mapping, propose_mapping_llm

        source = _spec(self._require(data, "source_api_spec"))
        dest = _spec(self._require(data, "dest_api_spec"))
        intent = str(data.get("user_intent") or "")
        ends = {"source_endpoint": data.get("source_endpoint"), "dest_endpoint": data.get("dest_endpoint")}
        if self.context.use_llm and self.context.settings.llm_enabled:
            mapping = await propose_mapping_llm(source, dest, intent, settings=self.context.settings, **ends)
        else:
            mapping = await asyncio.to_thread(propose_mapping, source, dest, intent, **ends)
        return {
            "mapping_logic": mapping,
            "transformation_count": len(mapping.transformations),
            "complexity_score": mapping.complexity_score,
            "unmapped_required": mapping.unmapped_required,
            "warnings": mapping.warnings,
        }


def _spec(value: Any) -> APISpecification:
    return value if isinstance(value, APISpecification) else APISpecification.model_validate(value)


class VitesseGuardian(_Agent):
    """Prove an integration's mapping with shadow calls and score its health.

    `input_data` has `integration_instance`, `test_count`, `source_endpoint` and `dest_endpoint`. Each side
    runs against its spec's in-process sandbox unless `source_base_url` / `dest_base_url` name a live API
    (with `source_auth` / `dest_auth` credentials; live writes need `allow_live_writes=True`). Returns
    `health_score` (HealthScore), `test_results`, `critical_issues`, `passed` and `feedback`.
    """

    stage = "guardian"

    async def _run(self, data: dict[str, Any]) -> dict[str, Any]:
        from vitesse.graph.guardian import GuardianOptions, Target, run_guardian
        from vitesse.graph.mapper.endpoints import DEST_ACTIONS, SOURCE_ACTIONS, resolve_endpoint

        instance = _instance(self._require(data, "integration_instance"))
        mapping = _mapping_of(instance)
        source_spec = await self._spec_of(instance.source_spec, instance.source_api_url, "source")
        dest_spec = await self._spec_of(instance.dest_spec, instance.dest_api_url, "dest")
        source_ref = data.get("source_endpoint") or mapping.source_endpoint
        source_ep = resolve_endpoint(source_spec, source_ref, SOURCE_ACTIONS)
        dest_ep = resolve_endpoint(dest_spec, data.get("dest_endpoint") or mapping.dest_endpoint, DEST_ACTIONS)
        options = {k: data[k] for k in _GUARDIAN_OPTIONS if data.get(k) is not None}
        report = await run_guardian(
            mapping,
            Target(source_spec, source_ep, data.get("source_base_url"), _credentials(data.get("source_auth"))),
            Target(
                dest_spec,
                dest_ep,
                data.get("dest_base_url"),
                _credentials(data.get("dest_auth")),
                allow_writes=bool(data.get("allow_live_writes")),
            ),
            options=GuardianOptions(**options),
            settings=self.context.settings,
        )
        return {
            "health_score": report.health,
            "test_results": report.test_results,
            "critical_issues": report.health.critical_issues,
            "passed": report.passed,
            "feedback": report.feedback,
        }

    async def _spec_of(self, spec: APISpecification | None, url: str | None, side: str) -> APISpecification:
        if spec is not None:
            return spec
        if not url:
            raise GuardianError(f"the integration_instance has neither {side}_spec nor {side}_api_url to prove against")
        from vitesse.graph.ingestor import ingest

        return await ingest(url, settings=self.context.settings, client=self.context.http_client)


_GUARDIAN_OPTIONS = ("test_count", "seed", "pass_score", "max_heal_attempts", "faults")
"""The `input_data` keys passed on to `GuardianOptions`."""


def _instance(value: Any) -> IntegrationInstance:
    return value if isinstance(value, IntegrationInstance) else IntegrationInstance.model_validate(value)


def _mapping_of(instance: IntegrationInstance) -> MappingLogic:
    if instance.mapping_logic is None:
        raise GuardianError(
            "the integration_instance has no mapping_logic to prove: run VitesseMapper first and set "
            "integration_instance.mapping_logic to its result"
        )
    return instance.mapping_logic


def _credentials(auth: Mapping[str, Any] | None) -> dict[str, str]:
    """The guide's auth dicts (`{"type": "api_key", "key": ...}`) as credentials; `type` only describes them."""
    return {str(k): str(v) for k, v in (auth or {}).items() if k != "type" and isinstance(v, str | int)}
