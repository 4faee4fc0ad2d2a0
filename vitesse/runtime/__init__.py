"""Sync records from a source API to a destination API, exactly once, on a schedule or on demand.

The runtime reads a source API page by page, maps each record, delivers it to a destination API
exactly once (or dead-letters it with a reason), keeps its state where a restart finds it, and answers
on a small HTTP face. It imports only `vitesse.schemas`, `vitesse.transforms`, `vitesse.net` and
`vitesse.errors` of the package, so its image stays small (`requirements.txt` lists its third-party needs).
"""

from vitesse.runtime.app import create_runtime_app
from vitesse.runtime.build import build_runtime_config
from vitesse.runtime.cli import main
from vitesse.runtime.config import (
    Credentials,
    DestConfig,
    IncrementalConfig,
    LookupConfig,
    NetworkConfig,
    RuntimeConfig,
    SecretRef,
    SourceConfig,
    StateConfig,
    SyncOptions,
    load_config,
    parse_config,
)
from vitesse.runtime.delivery import RetryPolicy
from vitesse.runtime.engine import SyncEngine
from vitesse.runtime.errors import LeaseHeld, SyncAborted, SyncInProgress
from vitesse.runtime.report import RunStatus, SyncReport
from vitesse.runtime.store import DeadLetter, LedgerEntry, StateStore

__all__ = [
    "Credentials",
    "DeadLetter",
    "DestConfig",
    "IncrementalConfig",
    "LeaseHeld",
    "LedgerEntry",
    "LookupConfig",
    "NetworkConfig",
    "RetryPolicy",
    "RunStatus",
    "RuntimeConfig",
    "SecretRef",
    "SourceConfig",
    "StateConfig",
    "StateStore",
    "SyncAborted",
    "SyncEngine",
    "SyncInProgress",
    "SyncOptions",
    "SyncReport",
    "build_runtime_config",
    "create_runtime_app",
    "load_config",
    "main",
    "parse_config",
]
