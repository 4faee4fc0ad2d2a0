"""The `vitesse` command: machine-readable output on stdout, one clear line on bad input, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from vitesse.examples import CRM_SPEC, SHOP_SPEC


def vitesse(*args: str, data_dir: Path, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "POSTGRES_", "OPENAI_"))}
    env["VITESSE_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "vitesse.cli", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_ingest_json_prints_the_specification_and_nothing_else(tmp_path):
    done = vitesse("ingest", str(SHOP_SPEC), "--json", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    spec = json.loads(done.stdout)
    listing = next(e for e in spec["endpoints"] if e["method"] == "GET" and e["path"] == "/customers")
    assert listing["records_at"] == "data[]"
    assert listing["pagination"]["style"] == "cursor"
    assert {
        k: listing["pagination"].get(k) for k in ("cursor_param", "cursor_path", "limit_param", "has_more_path")
    } == {
        "cursor_param": "starting_after",
        "cursor_path": "next_cursor",
        "limit_param": "limit",
        "has_more_path": "has_more",
    }
    assert listing["primary_key"] == "id"
    # Fields are flattened on first use; --json writes them all, and the digest too.
    assert "billing_address.city" in [f["path"] for f in listing["record_fields"]]
    create = next(e for e in spec["endpoints"] if e["method"] == "POST" and e["path"] == "/customers")
    assert "email" in [f["path"] for f in create["request_body"]["fields"]]
    assert len(spec["digest"]) == 64


BAD = [
    ("not_found", "no such file", lambda tmp: str(tmp / "missing.yaml")),
    ("malformed", "line", lambda tmp: _write(tmp / "bad.json", '{"openapi": "3.0.0", "paths": {')),
    ("not_a_spec", "not an OpenAPI", lambda tmp: _write(tmp / "x.yaml", "hello: world\n")),
    ("unsupported_version", "not supported", lambda tmp: _write(tmp / "v.json", '{"swagger": "1.2", "paths": {}}')),
]


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def test_bad_specs_get_one_clear_line_with_the_reason_and_exit_code_2(tmp_path):
    for reason, words, make in BAD:
        done = vitesse("ingest", make(tmp_path), data_dir=tmp_path)
        assert done.returncode == 2, (reason, done.stderr)
        assert reason in done.stderr and words in done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""


def test_create_on_the_example_apis_returns_a_ready_integration(tmp_path):
    done = vitesse(
        "create", "--source", str(SHOP_SPEC), "--dest", str(CRM_SPEC),
        "--intent", "Sync shop customers to CRM contacts", "--test-count", "20", "--json",
        data_dir=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    instance = json.loads(done.stdout)
    assert instance["status"] == "ready" and instance["health_score"]["overall_score"] >= 70


def test_create_with_an_unreadable_api_fails_with_the_reason(tmp_path):
    done = vitesse(
        "create", "--source", str(tmp_path / "nope.yaml"), "--dest", str(CRM_SPEC), "--intent", "x", "--json",
        data_dir=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    instance = json.loads(done.stdout)
    assert instance["status"] == "failed" and "no such file" in instance["error"]
    assert "Traceback" not in done.stderr
