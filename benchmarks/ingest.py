"""Ingest time and peak memory on the largest corpus specs, beside openapi-spec-validator and prance.

Each measurement runs in its own subprocess (cold imports excluded from the timing, cold spec cache),
so one tool's memory does not colour another's; times are the median of `--repeat` such runs (default 3;
prance, whose runs take seconds to minutes, once). Run: `.venv/bin/python benchmarks/ingest.py [--all]`.
Baselines: openapi-spec-validator's `validate` (after loading with PyYAML's C loader, as its users do)
and prance's `ResolvingParser` (its own loading), on the same file in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT.parent / "shared" / "specs"
LARGEST = ["stripe/spec3.yaml", "square/api.json", "asana/asana_oas.yaml", "pipedrive/pipedrive-v1.yaml"]
TIMEOUT_S = 180

WORKER = r"""
import json, sys, time, tracemalloc
tool, path, measure = sys.argv[1], sys.argv[2], sys.argv[3]
if tool == "vitesse":
    from vitesse.config import Settings
    from vitesse.graph.ingestor import ingest_path
    settings = Settings(spec_cache=False)
    run = lambda: ingest_path(path, settings=settings)
elif tool == "openapi-spec-validator":
    import yaml
    from openapi_spec_validator import validate
    def keys(node):  # YAML integer keys (status codes) must be strings for the validator
        if isinstance(node, dict):
            return {str(k): keys(v) for k, v in node.items()}
        return [keys(v) for v in node] if isinstance(node, list) else node
    def run():
        with open(path, "rb") as fh:
            doc = json.load(fh) if path.endswith(".json") else yaml.load(fh, Loader=yaml.CSafeLoader)
        try:
            validate(keys(doc))
        except Exception:  # an invalid document still took the time to find out
            pass
elif tool == "prance":
    from prance import ResolvingParser
    from prance.util.resolver import RESOLVE_FILES, RESOLVE_INTERNAL
    # Internal and file refs only (Square's example values hold remote URLs) and cycles cut at depth 1,
    # so prance can finish on the same files Vitesse reads.
    run = lambda: ResolvingParser(
        path, backend="openapi-spec-validator", strict=False, lazy=False,
        resolve_types=RESOLVE_INTERNAL | RESOLVE_FILES,
        recursion_limit=1, recursion_limit_handler=lambda limit, ref, recursions: {},
    )
if measure == "memory":
    tracemalloc.start()
    run()
    print(json.dumps({"peak_bytes": tracemalloc.get_traced_memory()[1]}))
else:
    started = time.perf_counter()
    run()
    print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def measure(tool: str, path: Path, what: str) -> dict[str, float] | str:
    try:
        done = subprocess.run(
            [sys.executable, "-c", WORKER, tool, str(path), what],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return f"timeout >{TIMEOUT_S}s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return f"error: {last[:60]}"
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def median_time(tool: str, path: Path, repeat: int) -> dict[str, float] | str:
    runs = [measure(tool, path, "time") for _ in range(repeat)]
    failed = [r for r in runs if not isinstance(r, dict)]
    if failed:
        return failed[0]
    return {"seconds": statistics.median(r["seconds"] for r in runs if isinstance(r, dict))}


def fmt_seconds(result: dict[str, float] | str) -> str:
    return f"{result['seconds']:.3f}s" if isinstance(result, dict) else result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--all", action="store_true", help="every corpus spec, not only the four largest")
    parser.add_argument("--no-baselines", action="store_true", help="measure Vitesse only")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median); prance runs once")
    args = parser.parse_args()
    if not SPECS.is_dir():
        print(f"corpus not found at {SPECS}; nothing to measure")
        return 0
    files = LARGEST
    if args.all:
        files = [e["file"] for e in json.loads((SPECS / "index.json").read_text())]
    header = f"{'spec':52} {'MB':>5} {'vitesse':>9} {'peak/size':>9} {'osv':>10} {'x':>6} {'prance':>14} {'x':>6}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for name in files:
        path = SPECS / name
        size = path.stat().st_size
        ours = median_time("vitesse", path, args.repeat)
        memory = measure("vitesse", path, "memory")
        osv = "skipped" if args.no_baselines else median_time("openapi-spec-validator", path, args.repeat)
        prance = "skipped" if args.no_baselines else measure("prance", path, "time")
        ratio_mem = f"{memory['peak_bytes'] / size:.1f}x" if isinstance(memory, dict) else "?"
        ours_s = ours["seconds"] if isinstance(ours, dict) else float("nan")
        worst = max(worst, ours_s)
        vs_osv = f"{osv['seconds'] / ours_s:.1f}x" if isinstance(osv, dict) else "-"
        vs_prance = f"{prance['seconds'] / ours_s:.1f}x" if isinstance(prance, dict) else "-"
        print(
            f"{name:52} {size / 1e6:5.2f} {fmt_seconds(ours):>9} {ratio_mem:>9} "
            f"{fmt_seconds(osv):>10} {vs_osv:>6} {fmt_seconds(prance):>14} {vs_prance:>6}"
        )
    print(f"\nslowest Vitesse ingest: {worst:.3f}s (goal ≤ 1 s); 'x' = baseline time / Vitesse time (goal ≥ 10x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
