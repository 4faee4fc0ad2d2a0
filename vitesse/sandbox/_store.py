"""Keep the sandbox's records in memory: seeded collections, ids, and what clients create or delete.

A collection is keyed by its concrete path (`/customers`, `/Accounts/AC12…/Calls.json`) and seeded on
first use with `generate_records(record_schema, count=N, seed=f"{seed}:{path}")`, so the same seed
serves the same data whatever order requests come in. Records keep insertion order; new records
go last. Ids are unique per collection: integers count up, other ids are drawn from the id's own
schema (pattern, format) until fresh.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from random import Random
from typing import Any

from vitesse.graph.guardian.synthetic import EdgeCase, SchemaView, conforms, generate_records, generate_value
from vitesse.graph.ingestor.schema import schema_type


@dataclass
class CollectionSpec:
    """What the records of one collection template look like."""

    template: str
    record_schema: dict[str, Any] | None
    primary_key: str = "id"


@dataclass
class Collection:
    key: str
    spec: CollectionSpec
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: int = 0
    deleted: int = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records.values())

    def index_of(self, record_id: str) -> int | None:
        for index, key in enumerate(self.records):
            if key == record_id:
                return index
        return None


class Store:
    """All collections of one sandbox; thread-safe for the server's worker and admin calls."""

    def __init__(
        self,
        schemas: dict[str, dict[str, Any]],
        *,
        seed: int,
        records_per_collection: int = 25,
        edge_cases: bool | tuple[EdgeCase | str, ...] = (EdgeCase.UNICODE, EdgeCase.MINIMAL),
    ) -> None:
        self.schemas = schemas
        self.view = SchemaView(schemas)
        self.seed = seed
        self.count = records_per_collection
        self.edge_cases = edge_cases
        self.collections: dict[str, Collection] = {}
        self.lock = threading.RLock()

    def collection(self, key: str, spec: CollectionSpec) -> Collection:
        with self.lock:
            found = self.collections.get(key)
            if found is None:
                found = Collection(key=key, spec=spec)
                self._seed(found)
                self.collections[key] = found
            return found

    def _seed(self, coll: Collection) -> None:
        schema = coll.spec.record_schema
        if not schema or schema_type(self.view.resolve(schema)[0]) != "object":
            return
        records = generate_records(
            schema, self.schemas, count=self.count, seed=f"{self.seed}:{coll.key}", edge_cases=self.edge_cases
        )
        for record in records:
            if isinstance(record, dict):
                self._insert(coll, record)

    def _insert(self, coll: Collection, record: dict[str, Any]) -> str:
        pk = coll.spec.primary_key
        current = record.get(pk)
        if current is None or str(current) in coll.records:
            current = self.new_id(coll)
            if self.has_key_field(coll):
                record[pk] = current
        coll.records[str(current)] = record
        return str(current)

    def has_key_field(self, coll: Collection) -> bool:
        """Whether records may carry the primary key (declared, or the schema is open)."""
        if not coll.spec.record_schema:
            return True
        resolved, _ = self.view.resolve(coll.spec.record_schema)
        props = resolved.get("properties")
        props = props if isinstance(props, dict) else {}
        return coll.spec.primary_key in props or (not props and resolved.get("additionalProperties") is not False)

    def new_id(self, coll: Collection) -> Any:
        """Return an id no record of the collection has, valid for the id property's schema."""
        id_schema = self._id_schema(coll)
        kind = schema_type(self.view.resolve(id_schema)[0]) if id_schema else None
        if kind in ("integer", "number"):
            numbers = [int(k) for k in coll.records if k.lstrip("-").isdigit()]
            return max(numbers, default=0) + 1
        rng = Random(f"{self.seed}:{coll.key}:id:{len(coll.records) + coll.deleted}")
        for attempt in range(12):
            candidate = generate_value(id_schema or {"type": "string"}, self.schemas, rng, name=coll.spec.primary_key)
            if isinstance(candidate, str) and candidate and candidate not in coll.records:
                return candidate
            if isinstance(candidate, str) and attempt > 4:
                suffixed = f"{candidate}{len(coll.records) + attempt}"
                if suffixed not in coll.records and conforms(suffixed, id_schema or {}, self.schemas):
                    return suffixed
        return uuid.UUID(int=rng.getrandbits(128), version=4).hex

    def _id_schema(self, coll: Collection) -> dict[str, Any] | None:
        if not coll.spec.record_schema:
            return None
        resolved, _ = self.view.resolve(coll.spec.record_schema)
        props = resolved.get("properties")
        props = props if isinstance(props, dict) else {}
        prop = props.get(coll.spec.primary_key)
        return prop if isinstance(prop, dict) else None

    # -- operations the app calls ------------------------------------------------------------------

    def add(self, coll: Collection, record: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            coll.created += 1
            record_id = self._insert(coll, record)
            return coll.records[record_id]

    def get(self, coll: Collection, record_id: str) -> dict[str, Any] | None:
        with self.lock:
            return coll.records.get(record_id)

    def replace(self, coll: Collection, record_id: str, record: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            record[coll.spec.primary_key] = self.typed_id(coll, record_id)
            coll.records[record_id] = record
            return record

    def typed_id(self, coll: Collection, record_id: str) -> Any:
        """Return a path's id text as the id property's type (an int for integer ids)."""
        id_schema = self._id_schema(coll)
        kind = schema_type(self.view.resolve(id_schema)[0]) if id_schema else None
        if kind == "integer" and record_id.lstrip("-").isdigit():
            return int(record_id)
        return record_id

    def delete(self, coll: Collection, record_id: str) -> bool:
        with self.lock:
            if coll.records.pop(record_id, None) is None:
                return False
            coll.deleted += 1
            return True

    def snapshot(self) -> dict[str, Any]:
        """Counts per collection, for `/__sandbox/records`."""
        with self.lock:
            return {
                key: {"count": len(c.records), "created": c.created, "deleted": c.deleted}
                for key, c in sorted(self.collections.items())
            }

    def records(self, key: str) -> list[dict[str, Any]] | None:
        with self.lock:
            coll = self.collections.get(key)
            return None if coll is None else copy.deepcopy(list(coll.records.values()))

    def reset(self) -> None:
        with self.lock:
            self.collections.clear()
