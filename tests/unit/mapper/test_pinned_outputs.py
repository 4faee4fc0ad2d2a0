"""propose_mapping's whole output is pinned for every golden pair, the example pair and two synthetic pairs.

The pins were written from the mapper before its scoring was vectorised; a change to any of them must be a
deliberate change of behaviour. Regenerate them (and review the diff) with
`.venv/bin/python -m tests.unit.mapper.test_pinned_outputs`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GOLDEN_DIR, SPECS_DIR, need

PINS = Path(__file__).resolve().parent / "pinned"
EXAMPLE_INTENT = "Sync Acme Shop customers to Orbit CRM contacts"
SYNTHETIC = {"synthetic-200x200": 200, "synthetic-500x500": 500}


def _golden_ids() -> list[str]:
    from evals.dataset import load_goldens

    return [g.id for g in load_goldens()] if GOLDEN_DIR.is_dir() else []


def _mapping_of(case: str) -> dict[str, Any]:
    """Map one pinned case and return the MappingLogic as JSON data (it carries no timestamps)."""
    from vitesse.graph.mapper import propose_mapping

    if case in SYNTHETIC:
        from benchmarks.mapping import synthetic

        n = SYNTHETIC[case]
        logic = propose_mapping(synthetic(n, 1, source=True), synthetic(n, 2, source=False), "things to things")
    elif case == "example-pair-by-intent":
        from evals.dataset import load_spec

        logic = propose_mapping(load_spec("@examples/shop.yaml"), load_spec("@examples/crm.yaml"), EXAMPLE_INTENT)
    else:
        from evals.dataset import load_goldens, load_spec

        (golden,) = load_goldens((case,))
        g = golden.data
        logic = propose_mapping(load_spec(g["source"]["spec"]), load_spec(g["dest"]["spec"]), g["intent"],
                                source_endpoint=g["source"]["endpoint"],
                                dest_endpoint=g["dest"]["endpoint"])  # fmt: skip
    return json.loads(logic.model_dump_json())


def _needs_corpus(case: str) -> bool:
    return case not in SYNTHETIC and case != "example-pair-by-intent" and not case.startswith("acme-")


CASES = ["example-pair-by-intent", *SYNTHETIC, *_golden_ids()]


@pytest.mark.parametrize("case", CASES)
def test_propose_mapping_output_is_exactly_the_pinned_one(case):
    """Every field of the MappingLogic (transforms, configs, confidences, rationales, unmapped lists) is pinned."""
    if _needs_corpus(case):
        need((SPECS_DIR / "index.json").exists(), f"the real-spec corpus is not at {SPECS_DIR}")
    pin = PINS / f"{case}.json"
    need(pin.exists(), f"no pin for {case}: run python -m tests.unit.mapper.test_pinned_outputs")
    expected = json.loads(pin.read_text())
    got = _mapping_of(case)
    for key in expected:
        assert got[key] == expected[key], f"{case}: {key} changed"
    assert got == expected


def test_every_golden_pair_has_a_pin():
    """A new golden without a pin would silently escape the check."""
    need(GOLDEN_DIR.is_dir(), f"the golden mappings are not at {GOLDEN_DIR}")
    missing = [c for c in CASES if not (PINS / f"{c}.json").exists()]
    assert missing == []


def write_pins() -> None:
    """Write the pin of every case (run from the repository root)."""
    PINS.mkdir(exist_ok=True)
    for case in CASES:
        (PINS / f"{case}.json").write_text(json.dumps(_mapping_of(case), indent=1, ensure_ascii=False) + "\n")
        print(f"pinned {case}")


if __name__ == "__main__":
    sys.exit(write_pins())
