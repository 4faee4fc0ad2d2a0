"""The runtime stays small: no graph, API or cloud SDKs on import, and its requirements list covers its imports."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import vitesse.runtime

RUNTIME_DIR = Path(vitesse.runtime.__file__).parent
OPTIONAL = {"sniffio"}  # anyio imports it when present (try/except) without declaring it
FORBIDDEN = ("langgraph", "mcp", "langchain_core", "docker", "kubernetes", "boto3")
ALLOWED_OWN = (
    "vitesse.schemas",
    "vitesse.transforms",
    "vitesse.net",
    "vitesse.config",
    "vitesse.errors",
    "vitesse.runtime",
)


def loaded_modules(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(out.stdout))


def test_importing_the_runtime_loads_no_graph_api_or_cloud_sdk():
    modules = loaded_modules("import vitesse.runtime; from vitesse.runtime import create_runtime_app, main")
    tops = {name.split(".")[0] for name in modules}
    assert "vitesse.runtime" in modules
    assert [name for name in FORBIDDEN if name in tops] == []
    others = ("vitesse.graph", "vitesse.api", "vitesse.mcp_server", "vitesse.deployers", "vitesse.persistence")
    assert not {m for m in modules if m.startswith((*others, "vitesse.tools", "vitesse.sandbox"))}


def test_the_runtime_sources_import_only_the_allowed_parts_of_vitesse():
    for path in RUNTIME_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("vitesse"):
                    assert name.startswith(ALLOWED_OWN), f"{path.name} imports {name}"


def _requirement_names(path: Path) -> set[str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return {_norm(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0]) for line in lines if line}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(names: set[str]) -> set[str]:
    """The named distributions and everything they may pull in (extras included: optional imports count)."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_norm(re.split(r"[\[<>=!~; (]", r, maxsplit=1)[0]) for r in requires]
    return seen


def test_the_requirements_list_covers_every_third_party_module_the_runtime_loads():
    declared = _requirement_names(RUNTIME_DIR / "requirements.txt")
    assert {"pydantic", "httpx", "starlette", "uvicorn", "jmespath"} <= declared
    modules = loaded_modules("import vitesse.runtime, uvicorn, psycopg, vitesse.runtime.app")
    owners = metadata.packages_distributions()
    third_party = {m.split(".")[0] for m in modules} - set(sys.stdlib_module_names) - {"vitesse", "__main__"}
    distributions = {_norm(d) for top in third_party for d in owners.get(top, [])} - {"setuptools", "vitesse"}
    allowed = _closure(declared) | OPTIONAL
    assert distributions - allowed == set(), "add these to vitesse/runtime/requirements.txt"
    heavy = {"langgraph", "langchain-core", "mcp", "docker", "kubernetes", "boto3", "sqlalchemy", "numpy", "scipy"}
    assert declared & heavy == set()


def test_the_public_names_are_pinned():
    assert vitesse.runtime.__all__ == [
        "Credentials", "DeadLetter", "DestConfig", "IncrementalConfig", "LeaseHeld", "LedgerEntry", "LookupConfig",
        "NetworkConfig", "RetryPolicy", "RunStatus", "RuntimeConfig", "SecretRef", "SourceConfig", "StateConfig",
        "StateStore", "SyncAborted", "SyncEngine", "SyncInProgress", "SyncOptions", "SyncReport",
        "build_runtime_config", "create_runtime_app", "load_config", "main", "parse_config",
    ]  # fmt: skip
    assert all(getattr(vitesse.runtime, name) is not None for name in vitesse.runtime.__all__)
