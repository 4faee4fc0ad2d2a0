"""Measure YAML parsers on the real-spec corpus: seconds, peak memory, and equality with PyYAML's C loader.

Usage: .venv/bin/python benchmarks/yaml_parsers.py [--parsers a,b] [--files substr,...] [--repeat 3]

Each (parser, file) runs in its own process. Seconds are the best of up to --repeat runs; memory is the
peak of the Python heap during one more run (tracemalloc: the output objects and the strings in between;
native buffers such as rapidyaml's tree or libyaml's are not in it). Equality compares each output with
PyYAML's CSafeLoader after the normalisation every JSON-bound consumer needs anyway: timestamps kept as
written (a constructor returns the scalar's text), mapping keys as strings (200 -> "200", True -> "true"),
and for parsers that still build dates, ISO strings. A cell reads "0.412 =" when equal, "0.412 ≠N" when N
leaves differ (the first differences are listed below the table); F marks the Vitesse loader's fast path.
Candidates that are not installed are skipped (yaml-rs and ryaml: `pip install yaml-rs ryaml`).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPECS = Path(os.environ.get("VITESSE_SHARED_DIR", ROOT.parent / "shared")) / "specs"
PARSERS = ["pyyaml-c", "ruamel", "ryml-py", "ryml-json", "yaml-rs", "ryaml", "vitesse-safe", "vitesse"]
CHOICE = "vitesse"


def _pyyaml_c(raw: bytes) -> Any:
    import yaml

    class Loader(yaml.CSafeLoader):
        pass

    Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return yaml.load(raw, Loader=Loader)


def _ruamel(raw: bytes) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(raw)


def _ryml_py(raw: bytes) -> Any:
    """rapidyaml's tree turned into Python objects by a walk in Python (the obvious way to use it)."""
    import ryml

    from vitesse.graph.ingestor.load import _plain

    tree = ryml.parse_in_arena(raw)
    tree.resolve()
    root = tree.root_id()
    root = tree.first_child(root) if tree.is_stream(root) else root

    def convert(node: int) -> Any:
        if tree.is_map(node) or tree.is_seq(node):
            children, child = [], tree.first_child(node)
            while child != ryml.NONE:
                children.append(child)
                child = tree.next_sibling(child)
            if tree.is_seq(node):
                return [convert(c) for c in children]
            return {bytes(tree.key(c)).decode(): convert(c) for c in children}
        if tree.val_is_null(node):
            return None
        text = bytes(tree.val(node)).decode()
        return text if tree.is_val_quoted(node) else _plain(text)

    return convert(root)


def _ryml_json(raw: bytes) -> Any:
    """rapidyaml emitting JSON, read by orjson, with none of the Vitesse loader's checks."""
    import orjson
    import ryml

    tree = ryml.parse_in_arena(raw)
    tree.resolve()
    root = tree.root_id()
    root = tree.first_child(root) if tree.is_stream(root) else root
    return orjson.loads(ryml.emit_json_malloc(tree, root))


def _yaml_rs(raw: bytes) -> Any:
    import yaml_rs

    return yaml_rs.loads(raw.decode(), parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins)


def _ryaml(raw: bytes) -> Any:
    import ryaml

    return ryaml.loads(raw.decode())


def _vitesse_safe(raw: bytes) -> Any:
    from vitesse.graph.ingestor.load import _load_yaml_safe

    return _load_yaml_safe(raw.decode(), "<bench>")


def _vitesse(raw: bytes) -> Any:
    from vitesse.graph.ingestor.load import load_document

    return load_document(raw)


LOADERS = {
    "pyyaml-c": _pyyaml_c,
    "ruamel": _ruamel,
    "ryml-py": _ryml_py,
    "ryml-json": _ryml_json,
    "yaml-rs": _yaml_rs,
    "ryaml": _ryaml,
    "vitesse-safe": _vitesse_safe,
    "vitesse": _vitesse,
}


def normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {_key(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else key.isoformat() if isinstance(key, datetime.date) else str(key)


def differences(a: Any, b: Any, path: str = "", out: list[str] | None = None) -> list[str]:
    out = [] if out is None else out
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a.keys() | b.keys():
            differences(a.get(key, "<missing>"), b.get(key, "<missing>"), f"{path}/{key}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            differences(x, y, f"{path}/{i}", out)
    elif not (a == b and type(a) is type(b)) and not (a != a and b != b):  # NaN equals NaN here
        out.append(f"{path}: {a!r:.40} vs {b!r:.40}")
    return out


def run_one(parser: str, file: str, repeat: int, dump: str) -> None:
    """Child process: time one parser on one file, record peak memory, pickle the normalised output."""
    raw = (SPECS / file).read_bytes()
    loader = LOADERS[parser]
    loader(b"warm: [up]\n")  # imports and first-call set-up are not what we measure
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = loader(raw)
        best = min(best, time.perf_counter() - start)
        if best > 2:  # slow parsers run once
            break
    del result
    tracemalloc.start()
    result = loader(raw)
    peak_mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    path = ""
    if parser == "vitesse":
        from vitesse.graph.ingestor.load import _load_yaml_fast

        path = "fast" if _load_yaml_fast(raw) is not None else "safe"
    Path(dump).write_bytes(pickle.dumps(normalise(result)))
    print(json.dumps({"seconds": best, "peak_mb": peak_mb, "path": path}))


def measure(parser: str, file: str, repeat: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".pickle") as dump:
        cmd = [sys.executable, __file__, "--one", parser, file, "--repeat", str(repeat), "--dump", dump.name]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["?"])[-1]
            return {"error": last[:60]}
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["value"] = pickle.loads(Path(dump.name).read_bytes())
        return row


def available(parser: str) -> bool:
    module = {"ruamel": "ruamel.yaml", "ryml-py": "ryml", "ryml-json": "ryml", "yaml-rs": "yaml_rs", "ryaml": "ryaml"}
    try:
        __import__(module.get(parser, "yaml"))
    except ImportError:
        return False
    return True


def main() -> None:
    args = _arguments()
    if args.one:
        run_one(args.one[0], args.one[1], args.repeat, args.dump)
        return
    entries = [e for e in json.loads((SPECS / "index.json").read_text()) if e["format"] == "yaml"]
    entries = [e for e in entries if not args.files or any(f in e["file"] for f in args.files.split(","))]
    parsers = [p for p in (args.parsers.split(",") if args.parsers else PARSERS) if available(p)]
    notes: list[str] = []
    print(f"{'file':44} {'MB':>5} " + " ".join(f"{p:>13}" for p in parsers))
    totals = dict.fromkeys(parsers, 0.0)
    peaks = dict.fromkeys(parsers, 0.0)
    for entry in sorted(entries, key=lambda e: -e["bytes"]):
        rows = {p: measure(p, entry["file"], args.repeat) for p in parsers}
        baseline = rows.get("pyyaml-c", {}).get("value")
        cells = []
        for parser, row in rows.items():
            if "error" in row:
                cells.append(f"{'error':>13}")
                notes.append(f"{entry['file']} {parser}: {row['error']}")
                continue
            totals[parser] += row["seconds"]
            peaks[parser] = max(peaks[parser], row["peak_mb"])
            diffs = differences(baseline, row["value"]) if baseline is not None else []
            mark = "=" if not diffs else f"≠{len(diffs)}"
            if diffs:
                notes.append(f"{entry['file']} {parser} ({len(diffs)}): " + "; ".join(diffs[:2]))
            cells.append(f"{row['seconds']:8.3f} {mark:<4}" + ("F" if row["path"] == "fast" else " "))
        print(f"{entry['file'][:44]:44} {entry['bytes'] / 1e6:5.2f} " + " ".join(cells), flush=True)
    print(f"{'total seconds':50} " + " ".join(f"{totals[p]:13.3f}" for p in parsers))
    print(f"{'largest Python heap peak, MB':50} " + " ".join(f"{peaks[p]:13.1f}" for p in parsers))
    print(f"\nChoice: {CHOICE!r}: rapidyaml -> JSON -> orjson with the loader's checks (F), else libyaml events")
    print("and the loader's own builder. Differences from PyYAML (YAML 1.1) after normalisation:")
    for note in notes:
        print("  " + note)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parsers", help=f"comma-separated subset of {','.join(PARSERS)}")
    parser.add_argument("--files", help="comma-separated substrings of corpus file names")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    main()
