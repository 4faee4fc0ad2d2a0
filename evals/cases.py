"""Run the mapper on each golden and wrap the result as a deepeval LLMTestCase."""

from __future__ import annotations

import json
import time

from deepeval.test_case import LLMTestCase

from evals.dataset import Golden, load_spec
from evals.scoring import PairScore, score_pair
from vitesse.graph.mapper import MapperOptions, propose_mapping, select_endpoints


def build_case(golden: Golden, options: MapperOptions | None = None) -> LLMTestCase:
    """Map the golden's endpoint pair (given explicitly) and pick endpoints from the intent alone."""
    g = golden.data
    source, dest = load_spec(g["source"]["spec"]), load_spec(g["dest"]["spec"])
    chosen = select_endpoints(source, dest, g["intent"])
    started = time.perf_counter()
    mapping = propose_mapping(source, dest, g["intent"], source_endpoint=g["source"]["endpoint"],
                              dest_endpoint=g["dest"]["endpoint"], options=options)  # fmt: skip
    elapsed = time.perf_counter() - started
    dest_ep = dest.find_endpoint(g["dest"]["endpoint"])
    required = sorted(f.path for f in dest_ep.body_fields() if f.required) if dest_ep else []
    return LLMTestCase(
        name=golden.id,
        input=g["intent"],
        actual_output=mapping.model_dump_json(),
        expected_output=json.dumps(g),
        tags=["held-out" if golden.held_out else "held-in"],
        metadata={
            "chosen": [chosen.source_endpoint, chosen.dest_endpoint],
            "dest_required": required,
            "needs_lookup": list(golden.needs_lookup),
            "held_out": golden.held_out,
            "seconds": round(elapsed, 3),
        },
    )


def case_score(case: LLMTestCase) -> PairScore:
    """Score a test case built by `build_case` (deterministic, no model involved)."""
    meta = case.metadata or {}
    golden = json.loads(case.expected_output or "{}")
    return score_pair(
        golden,
        json.loads(case.actual_output or "{}"),
        chosen=(meta["chosen"][0], meta["chosen"][1]),
        dest_required=set(meta["dest_required"]),
        needs_lookup=tuple(meta["needs_lookup"]),
        held_out=bool(meta.get("held_out")),
    )
