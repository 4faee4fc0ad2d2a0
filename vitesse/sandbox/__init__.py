"""A stateful mock server generated from any spec Vitesse can ingest.

```python
from vitesse.sandbox import Sandbox, FaultPlan, start_sandbox, sandbox_client

sandbox = Sandbox(spec, seed=7, faults=FaultPlan(error_rate=0.1))
async with sandbox_client(sandbox) as client:          # in-process
    page = (await client.get("/customers", headers={"X-API-Key": "k"})).json()
with start_sandbox(spec, seed=7) as server:           # a real server on 127.0.0.1
    httpx.get(server.base_url + "/__sandbox/records")
```

Every operation answers with a body valid for its response schema (the spec's examples where
present, else generated, the same for the same seed); list operations page exactly as the spec
declares; what a client creates, changes or deletes is kept in memory; requests are validated
against the spec (400/415/422 naming every field, in the API's own error shape when it declares
one) and its security (401, 403); a `FaultPlan` injects latency, 429, 5xx, timeouts and dropped
connections, deterministically per seed.
"""

from vitesse.sandbox.app import ConnectionDropped, Sandbox, create_sandbox_app
from vitesse.sandbox.faults import Decision, FaultPlan, Outcome, parse_fault_flags
from vitesse.sandbox.requests import ExampleRequest, credentials, example_request
from vitesse.sandbox.schema import SchemaSet, to_json_schema
from vitesse.sandbox.server import SandboxServer, run_sandbox, serve_mock, start_sandbox
from vitesse.sandbox.transport import SandboxTransport, sandbox_client

__all__ = [
    "ConnectionDropped",
    "Decision",
    "ExampleRequest",
    "FaultPlan",
    "Outcome",
    "Sandbox",
    "SandboxServer",
    "SandboxTransport",
    "SchemaSet",
    "create_sandbox_app",
    "credentials",
    "example_request",
    "parse_fault_flags",
    "run_sandbox",
    "sandbox_client",
    "serve_mock",
    "start_sandbox",
    "to_json_schema",
]
