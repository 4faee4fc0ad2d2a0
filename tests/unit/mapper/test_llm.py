"""LLM reranking with LangChain's fake chat models: valid answers apply, anything else falls back offline."""

from __future__ import annotations

import asyncio
import json

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from tests.unit.mapper.helpers import dest_spec, f, source_spec
from vitesse.config import Settings
from vitesse.graph.mapper import MapperOptions, propose_mapping_llm
from vitesse.graph.mapper.llm import build_prompt, parse_answer

SRC = source_spec([f("name"), f("email"), f("notes")])
DST = dest_spec([f("full_name"), f("email"), f("description")])


def _answer(*items: dict) -> str:
    return "Here you go:\n" + json.dumps({"mappings": list(items), "notes": "ok"})


async def test_a_valid_answer_is_applied_and_marked_llm():
    model = FakeListChatModel(responses=[_answer(
        {"dest_field": "description", "source_fields": ["notes"], "transform_type": "direct", "confidence": 0.8,
         "rationale": "notes describe the contact"})])  # fmt: skip
    mapping = await propose_mapping_llm(SRC, DST, chat_model=model)
    got = {t.dest_field: t for t in mapping.transformations}
    assert mapping.produced_by == "llm"
    assert got["description"].source_fields == ["notes"] and got["description"].rationale.startswith("llm:")
    assert got["email"].source_fields == ["email"]


async def test_malformed_answers_fall_back_to_the_offline_mapping():
    for text in ("no json here", '{"mappings": [{"dest_field": 3}]}', '{"mappings": "x"}'):
        mapping = await propose_mapping_llm(SRC, DST, chat_model=FakeListChatModel(responses=[text]))
        assert mapping.produced_by == "offline" and "unusable" in mapping.rationale


async def test_suggestions_naming_unknown_fields_are_rejected():
    model = FakeListChatModel(responses=[_answer({"dest_field": "email", "source_fields": ["made_up"]})])
    mapping = await propose_mapping_llm(SRC, DST, chat_model=model)
    assert mapping.produced_by == "offline" and "invalid" in mapping.rationale
    assert {t.dest_field: t.source_fields for t in mapping.transformations}["email"] == ["email"]


async def test_a_slow_model_times_out_into_the_offline_mapping():
    class Slow(FakeListChatModel):
        async def _agenerate(self, *args, **kwargs):
            await asyncio.sleep(5)
            raise AssertionError("not reached")

    mapping = await propose_mapping_llm(SRC, DST, chat_model=Slow(responses=["{}"]),
                                        options=MapperOptions(llm_timeout_s=0.05))  # fmt: skip
    assert mapping.produced_by == "offline" and "TimeoutError" in mapping.rationale


async def test_without_a_key_no_model_is_built_and_the_result_is_offline():
    mapping = await propose_mapping_llm(SRC, DST, settings=Settings(openai_api_key=None))
    assert mapping.produced_by == "offline" and "no LLM configured" in mapping.rationale


def test_the_prompt_lists_candidates_and_answers_parse_from_text():
    from vitesse.graph.mapper.propose import Prepared

    prep = Prepared(SRC.endpoints[0], DST.endpoints[0], MapperOptions())
    from vitesse.schemas import MappingLogic

    prompt = build_prompt(prep, "sync", MappingLogic(source_endpoint="GET /customers", dest_endpoint="POST /contacts"),
                          3)  # fmt: skip
    assert "- email: string; email=" in prompt
    assert parse_answer('text {"mappings": []} more').mappings == []
