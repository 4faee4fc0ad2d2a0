"""Keep the runtime's state where a restart finds it: a SQLite file by default, PostgreSQL when configured.

Four things live here, each row keyed by integration id (one database can serve many runtimes):

- `state`: small JSON values (the read position of an unfinished run, the high-water mark …);
- `ledger`: per source record, the hash of the payload last sent and where it stands — `pending`
  (sent or about to be, no answer recorded: in doubt after a crash), `delivered`, `duplicate`
  (the destination already had it) or `dead`;
- `dead_letters`: refused records with the reason, the masked record and payload, replayable;
- `leases`: which replica may run the sync now (a killed replica's lease expires).

The calls are synchronous and thread-safe (one connection behind a lock); the engine runs them in a
worker thread. SQLite runs in WAL mode: a SIGKILL loses nothing that was committed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vitesse.errors import PersistenceError
from vitesse.runtime._records import DeadLetter, LedgerEntry
from vitesse.runtime._sql import DDL, Backend, PostgresBackend, SqliteBackend

__all__ = ["DeadLetter", "LedgerEntry", "StateStore"]


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class StateStore:
    """The runtime's state for one integration."""

    def __init__(self, backend: Backend, integration_id: str) -> None:
        self._db = backend
        self.integration_id = integration_id
        self._lock = threading.Lock()
        with self._tx() as tx:
            for statement in DDL[backend.dialect]:
                tx.execute(statement)

    @classmethod
    def open(cls, integration_id: str, *, database_url: str | None = None, state_dir: Path | None = None) -> StateStore:
        """Open PostgreSQL when `database_url` is a postgres URL, else `<state_dir>/runtime-state.db`."""
        if database_url and database_url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres"):
            return cls(PostgresBackend(database_url), integration_id)
        if database_url and not database_url.startswith("sqlite"):
            raise PersistenceError(f"the runtime keeps its state in SQLite or PostgreSQL, not {database_url[:20]}…")
        path = Path(database_url.split("///", 1)[1]) if database_url else Path(state_dir or ".") / "runtime-state.db"
        return cls(SqliteBackend(path), integration_id)

    @property
    def description(self) -> str:
        return self._db.description

    @property
    def local(self) -> bool:
        """True for the SQLite file (calls are quick enough to make on the event loop)."""
        return self._db.dialect == "sqlite"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self._lock:
            try:
                with self._db.transaction() as tx:
                    yield tx
            except (sqlite3.Error, self._db.error) as exc:
                raise PersistenceError(f"the runtime state store failed: {exc}") from exc

    # -- state ------------------------------------------------------------------------------

    def get_state(self) -> dict[str, Any]:
        with self._tx() as tx:
            rows = tx.query("SELECT key, value FROM vitesse_rt_state WHERE integration_id = ?", (self.integration_id,))
        return {key: json.loads(value) for key, value in rows}

    def save_state(self, values: dict[str, Any], tx: Any = None) -> None:
        """Set state keys (None deletes a key) in one transaction."""
        if tx is None:
            with self._tx() as own:
                return self.save_state(values, own)
        for key, value in values.items():
            if value is None:
                sql = "DELETE FROM vitesse_rt_state WHERE integration_id = ? AND key = ?"
                tx.execute(sql, (self.integration_id, key))
                continue
            tx.execute(
                "INSERT INTO vitesse_rt_state (integration_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (integration_id, key) DO UPDATE SET value = excluded.value",
                (self.integration_id, key, json.dumps(value)),
            )
        return None

    # -- ledger -----------------------------------------------------------------------------

    def ledger(self, source_ids: Sequence[str]) -> dict[str, LedgerEntry]:
        """Return the ledger entries of these source records (absent ids have none)."""
        found: dict[str, LedgerEntry] = {}
        with self._tx() as tx:
            for chunk in _chunks(list(source_ids)):
                marks = ", ".join("?" for _ in chunk)
                rows = tx.query(
                    "SELECT source_id, content_hash, status, dest_ref FROM vitesse_rt_ledger "
                    f"WHERE integration_id = ? AND source_id IN ({marks})",
                    (self.integration_id, *chunk),
                )
                found.update({row[0]: LedgerEntry(*row) for row in rows})
        return found

    def record(
        self,
        entries: Sequence[LedgerEntry],
        dead: Sequence[DeadLetter] = (),
        state: dict[str, Any] | None = None,
        resolved: Sequence[tuple[int, str]] = (),
    ) -> None:
        """Write ledger entries, new dead letters, state keys and resolved dead letters in one transaction.

        A delivered (or duplicate) record resolves its open dead letters as `superseded`; a new dead letter
        supersedes the record's older open ones, so each record has at most one open dead letter.
        """
        now = time.time()
        with self._tx() as tx:
            for letter_id, resolution in resolved:
                tx.execute(
                    "UPDATE vitesse_rt_dead_letters SET resolved_at = ?, resolution = ? "
                    "WHERE integration_id = ? AND id = ?",
                    (now, resolution, self.integration_id, letter_id),
                )
            if entries:
                tx.executemany(
                    "INSERT INTO vitesse_rt_ledger (integration_id, source_id, content_hash, status, dest_ref, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (integration_id, source_id) DO UPDATE SET "
                    "content_hash = excluded.content_hash, status = excluded.status, "
                    "dest_ref = COALESCE(excluded.dest_ref, vitesse_rt_ledger.dest_ref), "
                    "updated_at = excluded.updated_at",
                    [(self.integration_id, e.source_id, e.content_hash, e.status, e.dest_ref, now) for e in entries],
                )
            settled = [e.source_id for e in entries if e.status in ("delivered", "duplicate")]
            self._supersede(tx, settled + [letter.source_id for letter in dead], now)
            for letter in dead:
                tx.execute(
                    "INSERT INTO vitesse_rt_dead_letters (integration_id, source_id, content_hash, kind, reason, "
                    "status_code, record, payload, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (self.integration_id, *letter.row(), now),
                )
            if state:
                self.save_state(state, tx)

    def _supersede(self, tx: Any, source_ids: list[str], now: float) -> None:
        for chunk in _chunks(source_ids):
            marks = ", ".join("?" for _ in chunk)
            tx.execute(
                "UPDATE vitesse_rt_dead_letters SET resolved_at = ?, resolution = 'superseded' "
                f"WHERE integration_id = ? AND resolved_at IS NULL AND source_id IN ({marks})",
                (now, self.integration_id, *chunk),
            )

    def ledger_counts(self) -> dict[str, int]:
        with self._tx() as tx:
            rows = tx.query(
                "SELECT status, COUNT(*) FROM vitesse_rt_ledger WHERE integration_id = ? GROUP BY status",
                (self.integration_id,),
            )
        return {status: int(count) for status, count in rows}

    # -- dead letters -----------------------------------------------------------------------

    def dead_letters(
        self, *, ids: Sequence[int] | None = None, include_resolved: bool = False, limit: int = 1000
    ) -> list[DeadLetter]:
        """Return dead letters, oldest first (open ones only unless `include_resolved`)."""
        sql = f"SELECT {DeadLetter.COLUMNS} FROM vitesse_rt_dead_letters WHERE integration_id = ?"
        params: list[Any] = [self.integration_id]
        if not include_resolved:
            sql += " AND resolved_at IS NULL"
        if ids is not None:
            if not ids:
                return []
            sql += f" AND id IN ({', '.join('?' for _ in ids)})"
            params.extend(ids)
        sql += " ORDER BY id LIMIT ?"
        params.append(limit)
        with self._tx() as tx:
            return [DeadLetter.from_row(row) for row in tx.query(sql, tuple(params))]

    def count_dead_letters(self) -> int:
        with self._tx() as tx:
            rows = tx.query(
                "SELECT COUNT(*) FROM vitesse_rt_dead_letters WHERE integration_id = ? AND resolved_at IS NULL",
                (self.integration_id,),
            )
        return int(rows[0][0])

    def retry_failed(self, letter_id: int, reason: str, status_code: int | None) -> None:
        """Note another failed replay of a dead letter."""
        with self._tx() as tx:
            tx.execute(
                "UPDATE vitesse_rt_dead_letters SET reason = ?, status_code = ?, attempts = attempts + 1 "
                "WHERE integration_id = ? AND id = ?",
                (reason, status_code, self.integration_id, letter_id),
            )

    # -- leases and runs --------------------------------------------------------------------

    def acquire_lease(self, owner: str, ttl_s: float, now: float | None = None) -> bool:
        """Take or renew the sync lease; False when another owner holds an unexpired one."""
        now = time.time() if now is None else now
        with self._tx() as tx:
            count = tx.execute(
                "INSERT INTO vitesse_rt_leases (integration_id, owner, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (integration_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at "
                "WHERE vitesse_rt_leases.owner = excluded.owner OR vitesse_rt_leases.expires_at < ?",
                (self.integration_id, owner, now + ttl_s, now),
            )
        return bool(count == 1)

    def release_lease(self, owner: str) -> None:
        with self._tx() as tx:
            tx.execute(
                "DELETE FROM vitesse_rt_leases WHERE integration_id = ? AND owner = ?", (self.integration_id, owner)
            )

    def add_run(self, run_id: str, started_at: float, report: dict[str, Any], keep: int = 100) -> None:
        """Keep a finished run's report (the last `keep` runs are kept)."""
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO vitesse_rt_runs (id, integration_id, started_at, report) VALUES (?, ?, ?, ?)",
                (run_id, self.integration_id, started_at, json.dumps(report, default=str)),
            )
            tx.execute(
                "DELETE FROM vitesse_rt_runs WHERE integration_id = ? AND id NOT IN (SELECT id FROM vitesse_rt_runs "
                "WHERE integration_id = ? ORDER BY started_at DESC LIMIT ?)",
                (self.integration_id, self.integration_id, keep),
            )

    def recent_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        with self._tx() as tx:
            rows = tx.query(
                "SELECT report FROM vitesse_rt_runs WHERE integration_id = ? ORDER BY started_at DESC LIMIT ?",
                (self.integration_id, limit),
            )
        return [json.loads(row[0]) for row in rows]
