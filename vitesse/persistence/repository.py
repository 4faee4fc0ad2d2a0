"""Read and write the Vitesse database: keyword-only async functions; the caller owns the transaction.

Use as:

```python
async with factory() as session, session.begin():
    row = await create_integration(session=session, instance=instance, tenant="acme", actor="ana")
```

Every function that changes an integration appends an audit row with the actor. `tenant=None` means
"any tenant" and is for trusted internal callers (graph nodes, the runtime); the HTTP API always passes one.
"""

from __future__ import annotations

from vitesse.persistence._api_keys import create_api_key, find_api_key, hash_api_key, revoke_api_key
from vitesse.persistence._base import UNSET, Page, add_audit_log, list_audit_logs
from vitesse.persistence._credentials import Credentials, load_credentials, store_credentials
from vitesse.persistence._integrations import (
    create_integration,
    delete_integration,
    get_integration,
    list_integrations,
    update_integration,
)
from vitesse.persistence._records import (
    add_test_results,
    get_deployment,
    list_sync_runs,
    list_test_results,
    record_sync_run,
    upsert_deployment,
)
from vitesse.persistence._transformations import list_transformations, save_transformations

__all__ = [
    "UNSET",
    "Credentials",
    "Page",
    "add_audit_log",
    "add_test_results",
    "create_api_key",
    "create_integration",
    "delete_integration",
    "find_api_key",
    "get_deployment",
    "get_integration",
    "hash_api_key",
    "list_audit_logs",
    "list_integrations",
    "list_sync_runs",
    "list_test_results",
    "list_transformations",
    "load_credentials",
    "record_sync_run",
    "revoke_api_key",
    "save_transformations",
    "store_credentials",
    "update_integration",
    "upsert_deployment",
]
