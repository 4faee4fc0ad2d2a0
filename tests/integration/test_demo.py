"""`vitesse demo` runs the whole loop offline: heal, deploy on the process target, one sync."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_the_demo_heals_deploys_and_syncs_on_embedded_defaults(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "POSTGRES_", "OPENAI_"))}
    env["VITESSE_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-m", "vitesse.cli", "demo", "--json"],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["status"] == "active"
    assert result["health_score"]["overall_score"] >= 70
    assert result["mapping_logic"]["version"] >= 2, "the naive first mapping must have been healed"
    assert result["deployment_config"]["target"] == "process"
    sync = result["sync"]
    assert sync["records_written"] > 0 and sync["dead_letters"] == 0
    assert "heal attempt 1" in done.stderr
    assert (tmp_path / "data" / "vitesse.db").exists()
