"""Shared builders for the runtime tests: the example specs, their golden mapping, configs and engines."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx

from tests.unit.runtime.fakes import CRM, CRM_TOKEN, SHOP, SHOP_KEY, FakeCRM, FakeShop, Router
from vitesse.examples import CRM_SPEC, EXAMPLE_SPECS_DIR, SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.net import NetPolicy, make_client
from vitesse.runtime import RetryPolicy, RuntimeConfig, StateStore, SyncEngine, build_runtime_config
from vitesse.schemas import APISpecification, DataTransformation, MappingLogic

ENV = {"SHOP_KEY": SHOP_KEY, "CRM_TOKEN": CRM_TOKEN}


@lru_cache(maxsize=1)
def specs() -> tuple[APISpecification, APISpecification]:
    return ingest_path(SHOP_SPEC), ingest_path(CRM_SPEC)


@lru_cache(maxsize=1)
def golden_mapping() -> MappingLogic:
    """The shop→CRM mapping of the examples README (its golden table), as a MappingLogic."""
    text = (EXAMPLE_SPECS_DIR / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- golden-mapping:start -->")[1].split("<!-- golden-mapping:end -->")[0]
    transformations = []
    for line in block.strip().splitlines()[2:]:
        dest, sources, transform, config, _also = [c.strip() for c in line.strip().strip("|").split("|")]
        ticks = re.findall(r"`([^`]+)`", config)
        cfg = json.loads(ticks[0]) if ticks else {}
        if cfg.get("format") == "e164":  # the README's shorthand; the engine spells it as the to_e164 function
            transform, cfg = "custom", {"function": "to_e164", "params": {"default_region": cfg["default_region"]}}
        if transform == "enum" and "mapping" in cfg:  # the README writes `mapping`, the engine reads `map`
            cfg = {"map": cfg["mapping"]}
        transformations.append(
            DataTransformation(
                dest_field=dest.strip("`"),
                source_fields=re.findall(r"`([^`]+)`", sources),
                transform_type=transform,
                transform_config=cfg,
            )
        )
    return MappingLogic(
        source_endpoint="GET /customers",
        dest_endpoint="POST /contacts",
        source_records_at="data[]",
        transformations=transformations,
    )


FAST = {"backoff_base_s": 0.0, "backoff_max_s": 0.0, "max_attempts": 4, "schedule_interval_s": None}


def make_config(
    *, options: dict[str, Any] | None = None, mapping: MappingLogic | None = None, **kw: Any
) -> RuntimeConfig:
    shop, crm = specs()
    return build_runtime_config(
        mapping or golden_mapping(), shop, crm, integration_id="shop-to-crm", source_base_url=SHOP,
        dest_base_url=CRM, source_secret="SHOP_KEY", dest_secret="CRM_TOKEN", options={**FAST, **(options or {})}, **kw,
    )  # fmt: skip


async def public_resolver(host: str, port: int) -> list[str]:
    return ["93.184.215.14"]  # any public address: the fakes answer behind MockTransport


def mock_client(router: Router | Any) -> httpx.AsyncClient:
    return make_client(NetPolicy(), transport=httpx.MockTransport(router), resolver=public_resolver)


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_engine(
    tmp: Path, shop: FakeShop, crm: FakeCRM, config: RuntimeConfig | None = None, sleeps: Sleeps | None = None
) -> SyncEngine:
    config = config or make_config()
    opts = config.options
    policy = RetryPolicy(opts.max_attempts, opts.backoff_base_s, opts.backoff_max_s, opts.retry_after_max_s,
                         sleep=sleeps if sleeps is not None else Sleeps())  # fmt: skip
    store = StateStore.open(config.integration_id, state_dir=tmp)
    return SyncEngine(config, store=store, client=mock_client(Router(shop, crm)), environ=ENV, policy=policy)
