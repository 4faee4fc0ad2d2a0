"""Run `vitesse demo`: the whole loop offline on the bundled example APIs, with embedded defaults.

Today the demo ingests both example APIs and summarises them; each stage of the loop (map, prove,
heal, deploy, sync) joins it as it lands.
"""

from __future__ import annotations

import argparse
import json
import time

from rich.console import Console

from vitesse.config import Settings
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.graph.ingestor.summary import render_summary


def run_demo(args: argparse.Namespace, settings: Settings, *, out: Console, err: Console) -> int:
    """Ingest the example shop and CRM APIs and print what Vitesse understood of each."""
    started = time.perf_counter()
    specs = []
    for path in (SHOP_SPEC, CRM_SPEC):
        err.print(f"[bold cyan]ingest[/] {path.name}")
        specs.append(ingest_path(path, settings=settings))
    if args.json:
        summary = {
            "apis": [
                {"name": s.name, "title": s.title, "endpoints": len(s.endpoints), "digest": s.digest} for s in specs
            ],
            "seconds": round(time.perf_counter() - started, 3),
        }
        print(json.dumps(summary, indent=2))
        return 0
    for spec in specs:
        render_summary(spec, out)
    out.print(f"done in {time.perf_counter() - started:.2f}s")
    return 0
