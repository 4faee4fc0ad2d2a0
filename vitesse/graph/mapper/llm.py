"""Let a chat model rerank the offline candidates and propose transforms for the hard fields.

The model sees, per destination field, the top-k offline candidates and answers JSON that a pydantic
model validates (`LLMAnswer`). Every item is checked: the destination and source paths must exist, the
transform type must be known and its config must compile. An invalid answer, a timeout, a model error or
no model at all gives the offline mapping back (`produced_by="offline"`, with the reason in `rationale`).
ChatOpenAI is asked for structured output; other models (LangChain's fakes in tests) answer in text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ValidationError
from pydantic import Field as PydField

from vitesse.config import Settings
from vitesse.errors import TransformError
from vitesse.graph.mapper.advice import refresh_unmapped_advice
from vitesse.graph.mapper.endpoints import select_endpoints
from vitesse.graph.mapper.options import MapperOptions
from vitesse.graph.mapper.propose import Prepared, build_logic, endpoints_of, match_fields
from vitesse.schemas import APISpecification, DataTransformation, MappingLogic, TransformType
from vitesse.transforms import compile_transformation

log = logging.getLogger(__name__)
_JSON = re.compile(r"\{.*\}", re.S)

PROMPT = """You map fields from a source API record to a destination API request body.
Intent: {intent}
Source endpoint: {source}; destination endpoint: {dest}.
For each destination field below, pick the source field(s) that fill it (or none), the transform type
(one of: {types}), a transform_config, a confidence 0-1 and a one-line rationale.
Only use source paths from the candidate lists or the source field list. Leave out fields that should stay empty.
Destination fields with candidates (path: type; candidates as source=score):
{fields}
Other source fields: {others}
Answer with JSON only: {{"mappings": [{{"dest_field": "...", "source_fields": ["..."], "transform_type": "direct",
"transform_config": {{}}, "confidence": 0.9, "rationale": "..."}}], "notes": "..."}}"""


class LLMChoice(BaseModel):
    dest_field: str
    source_fields: list[str] = PydField(default_factory=list)
    transform_type: TransformType = TransformType.DIRECT
    transform_config: dict[str, Any] = PydField(default_factory=dict)
    confidence: float = PydField(0.7, ge=0.0, le=1.0)
    rationale: str = ""


class LLMAnswer(BaseModel):
    mappings: list[LLMChoice]
    notes: str = ""


def make_chat_model(settings: Settings | None = None) -> BaseChatModel | None:
    """Return a ChatOpenAI for OPENAI_API_KEY (+ OPENAI_BASE_URL, LLM_MODEL), or None without a key."""
    settings = settings or Settings()
    if settings.openai_api_key is None:
        return None
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_s,
        temperature=0,
    )


def build_prompt(prep: Prepared, intent: str, logic: MappingLogic, k: int) -> str:
    """Write the prompt: each destination field with its top-k offline candidates."""
    lines = []
    for i, d in enumerate(prep.matrix.dest):
        cands = ", ".join(f"{prep.matrix.source[c].path}={s:.2f}" for c, s in prep.matrix.ranked(i, k))
        lines.append(f"- {d.path}: {d.kind}; {cands or 'no candidates'}")
    others = ", ".join(s.path for s in prep.matrix.source[:120])
    types = ", ".join(t.value for t in TransformType)
    return PROMPT.format(intent=intent or "(none)", source=logic.source_endpoint, dest=logic.dest_endpoint,
                         types=types, fields="\n".join(lines), others=others)  # fmt: skip


def parse_answer(raw: Any) -> LLMAnswer:
    """Validate a model's answer: an LLMAnswer, a dict, or message text holding one JSON object."""
    if isinstance(raw, LLMAnswer):
        return raw
    if isinstance(raw, dict):
        return LLMAnswer.model_validate(raw)
    text = raw.content if hasattr(raw, "content") else str(raw)
    if isinstance(text, list):
        text = "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in text)
    match = _JSON.search(text)
    if match is None:
        raise ValueError("the model's answer holds no JSON object")
    return LLMAnswer.model_validate(json.loads(match.group()))


def merge_answer(prep: Prepared, offline: MappingLogic, answer: LLMAnswer) -> tuple[MappingLogic, list[str]]:
    """Apply the valid items of an answer over the offline mapping; return it with the rejected items."""
    dests = {d.path: d for d in prep.matrix.dest}
    sources = {s.path for s in prep.matrix.source}
    by_dest = {t.dest_field: t for t in offline.transformations}
    rejected: list[str] = []
    for item in answer.mappings:
        problem = _check(item, dests, sources)
        if problem:
            rejected.append(f"{item.dest_field}: {problem}")
            continue
        if not item.source_fields and item.transform_type not in (TransformType.CONSTANT, TransformType.EXPRESSION):
            by_dest.pop(item.dest_field, None)
            continue
        by_dest[item.dest_field] = DataTransformation(
            source_fields=item.source_fields, dest_field=item.dest_field, transform_type=item.transform_type,
            transform_config=item.transform_config, confidence=item.confidence,
            rationale=f"llm: {item.rationale}"[:300], required=dests[item.dest_field].field.required,
        )  # fmt: skip
    order = {d.path: k for k, d in enumerate(prep.dest_all)}
    merged = offline.model_copy(deep=True)
    merged.transformations = sorted(by_dest.values(), key=lambda t: order.get(t.dest_field, len(order)))
    mapped = {t.dest_field for t in merged.transformations}
    merged.unmapped_dest = [u for u in offline.unmapped_dest if u.dest_field not in mapped]
    merged.unmapped_dest += [u for u in _lost(offline, mapped)]
    refresh_unmapped_advice(merged)
    return merged, rejected


def _lost(offline: MappingLogic, mapped: set[str]) -> list[Any]:
    from vitesse.schemas import UnmappedField

    return [
        UnmappedField(
            dest_field=t.dest_field,
            required=t.required,
            reason="llm_dropped",
            candidates=[(s, t.confidence) for s in t.source_fields],
        )  # fmt: skip
        for t in offline.transformations
        if t.dest_field not in mapped
    ]


def _check(item: LLMChoice, dests: dict[str, Any], sources: set[str]) -> str | None:
    if item.dest_field not in dests:
        return "unknown or unmappable destination field"
    unknown = [s for s in item.source_fields if s not in sources]
    if unknown:
        return f"unknown source field(s) {', '.join(unknown)}"
    try:
        compile_transformation(DataTransformation(**item.model_dump()))
    except (TransformError, ValueError, TypeError) as exc:
        return f"transform does not compile: {exc}"
    return None


async def ask(model: BaseChatModel, prompt: str) -> Any:
    """Ask the model, with structured output when the model supports it, else as plain text."""
    try:
        structured = model.with_structured_output(LLMAnswer)
    except NotImplementedError:
        return await model.ainvoke(prompt)
    return await structured.ainvoke(prompt)


async def propose_mapping_llm(
    source: APISpecification,
    dest: APISpecification,
    intent: str = "",
    *,
    source_endpoint: str | None = None,
    dest_endpoint: str | None = None,
    options: MapperOptions | None = None,
    chat_model: BaseChatModel | None = None,
    settings: Settings | None = None,
) -> MappingLogic:
    """Propose a mapping with the model's reranking; fall back to the offline mapping on any failure.

    Args:
        source: the source API.
        dest: the destination API.
        intent: the plain-language intent, shown to the model.
        source_endpoint: an explicit source endpoint (wins over the intent).
        dest_endpoint: an explicit destination endpoint.
        options: matcher knobs; `llm_top_k` candidates per field, `llm_timeout_s`.
        chat_model: the model to ask; when None, one is built from settings (None without OPENAI_API_KEY).
        settings: where OPENAI_API_KEY, OPENAI_BASE_URL and LLM_MODEL come from.

    Returns:
        The reranked mapping (`produced_by="llm"`) or the offline one with the reason in `rationale`.
    """
    options = options or MapperOptions()
    choice = select_endpoints(source, dest, intent, source_endpoint=source_endpoint, dest_endpoint=dest_endpoint)
    prep = Prepared(*endpoints_of(source, dest, choice), options)
    offline = build_logic(prep, match_fields(prep), choice)
    model = chat_model if chat_model is not None else make_chat_model(settings)
    if model is None:
        offline.rationale += "; no LLM configured, offline mapping"
        return offline
    prompt = build_prompt(prep, intent, offline, options.llm_top_k)
    try:
        answer = parse_answer(await asyncio.wait_for(ask(model, prompt), options.llm_timeout_s))
    except (TimeoutError, ValidationError, ValueError) as exc:
        offline.rationale += f"; LLM answer unusable ({type(exc).__name__}), offline mapping kept"
        return offline
    except Exception as exc:  # noqa: BLE001 - any provider failure falls back to the offline result
        log.warning("LLM call failed: %s", type(exc).__name__)
        offline.rationale += f"; LLM call failed ({type(exc).__name__}), offline mapping kept"
        return offline
    merged, rejected = merge_answer(prep, offline, answer)
    if rejected and len(rejected) == len(answer.mappings):
        offline.rationale += "; every LLM suggestion was invalid, offline mapping kept"
        return offline
    merged.produced_by = "llm"
    merged.rationale += f"; reranked by the LLM ({len(answer.mappings) - len(rejected)} accepted"
    merged.rationale += f", {len(rejected)} rejected: {'; '.join(rejected)[:300]})" if rejected else ")"
    from vitesse.graph.mapper.complexity import complexity_score

    merged.complexity_score = complexity_score(merged)
    return merged
