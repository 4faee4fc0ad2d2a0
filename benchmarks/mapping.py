"""Time the Mapper: the largest golden pair and a synthetic 500 × 500 field pair, without and with embeddings.

Run: `.venv/bin/python benchmarks/mapping.py` (add `--no-embeddings` to skip the model). Prints, never asserts.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from vitesse.graph.mapper import MapperOptions, propose_mapping  # noqa: E402
from vitesse.schemas import APISpecification, Endpoint, Field, HttpMethod, RequestBody  # noqa: E402

WORDS = (
    "name first last email phone address city zip state country company note status created updated amount price "
    "total tax currency order item line quantity sku title description tag label owner account id code date time "
    "url website birthday gender language source type value primary billing shipping"
).split()
TYPES = ("string", "string", "string", "integer", "number", "boolean")


def synthetic(n: int, seed: int, *, source: bool) -> APISpecification:
    rng = random.Random(seed)
    fields, seen = [], set()
    while len(fields) < n:
        parts = [rng.choice(WORDS) for _ in range(rng.randint(1, 3))]
        path = ".".join("_".join(parts[i : i + 2]) for i in range(0, len(parts), 2)) + str(rng.randint(0, 99))
        if path in seen:
            continue
        seen.add(path)
        fields.append(Field(path=path, type=rng.choice(TYPES), description=" ".join(rng.choices(WORDS, k=8))))
    if source:
        ep = Endpoint(method=HttpMethod.GET, path="/things", resource="things", action="list", records_at="data[]",
                      record_fields=fields)  # fmt: skip
    else:
        ep = Endpoint(method=HttpMethod.POST, path="/things", resource="things", action="create",
                      request_body=RequestBody(fields=fields))  # fmt: skip
    return APISpecification(name=f"synthetic-{seed}", spec_version="3.0.3", endpoints=[ep])


def timed(label: str, fn, runs: int = 5) -> None:
    """Print cold and warm wall time, and warm CPU time (this process): the machine is often shared."""
    started = time.perf_counter()
    fn()  # the first call pays for cold caches (tokens, field views, the model load with embeddings)
    cold = time.perf_counter() - started
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        mapping = fn()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    print(f"{label:<58} cold {cold:6.3f} s, warm median {statistics.median(walls):6.3f} s wall, "
          f"{statistics.median(cpus):6.3f} s CPU ({len(mapping.transformations)} mapped)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args()
    from evals.dataset import load_goldens, load_spec

    goldens = {g.id: g.data for g in load_goldens()}
    largest_id = "shopify-orders-to-quickbooks-invoices"
    g = goldens[largest_id]
    src, dst = load_spec(g["source"]["spec"]), load_spec(g["dest"]["spec"])
    n_src = len(src.find_endpoint(g["source"]["endpoint"]).record_fields)
    n_dst = len(dst.find_endpoint(g["dest"]["endpoint"]).body_fields())
    s500, d500 = synthetic(500, 1, source=True), synthetic(500, 2, source=False)
    modes = [("offline", MapperOptions())]
    if not args.no_embeddings:
        modes.append(("offline + embeddings", MapperOptions(embeddings=True)))
    for mode, options in modes:
        timed(f"{largest_id} ({n_src} × {n_dst}), {mode}",
              lambda o=options: propose_mapping(src, dst, g["intent"], source_endpoint=g["source"]["endpoint"],
                                                 dest_endpoint=g["dest"]["endpoint"], options=o))  # fmt: skip
        timed(f"synthetic 500 × 500, {mode}", lambda o=options: propose_mapping(s500, d500, "things to things",
                                                                                options=o))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
