"""Write payloads to the destination in batches, through the retry policy.

Bulk bodies are sent when the mapping names an array wrapper (`contacts[]`), else one request per record
with bounded concurrency.

Each record ends as `delivered` (2xx), `duplicate` (409 Conflict, or an ambiguous failure after which
the lookup found the record: already there, suppressed — not a failure), `dead` (refused for good:
a 4xx other than 401/403/404/405/408/409/425/429), `pending` (transient failures outlasted the retries:
the next run tries again) or `fatal` (the destination refused the runtime itself: credentials or endpoint).
A refused bulk body is split into single-record bodies so one bad record does not sink its batch.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any

import httpx

from vitesse.runtime.auth import AppliedAuth
from vitesse.runtime.config import DestConfig
from vitesse.runtime.delivery import Delivery, Outcome, RetryPolicy, deliver
from vitesse.runtime.masking import mask_text
from vitesse.runtime.paths import get_value, record_value, records_in, set_path
from vitesse.runtime.reader import endpoint_url


@dataclass(slots=True)
class Outgoing:
    source_id: str
    content_hash: str
    payload: dict[str, Any]
    record: Any
    key: str
    """Idempotency key: the same for every resend of the same content."""


@dataclass(slots=True)
class Written:
    item: Outgoing
    status: str
    """delivered, duplicate, dead, pending or fatal."""
    reason: str | None = None
    status_code: int | None = None
    dest_ref: str | None = None


def idempotency_key(integration_id: str, source_id: str, content_hash: str) -> str:
    """Return a stable key for one version of one record (resends after a crash reuse it)."""
    digest = hashlib.sha256(f"{integration_id}\x00{source_id}\x00{content_hash}".encode()).hexdigest()
    return f"vitesse-{digest[:40]}"


class DestWriter:
    """Sends batches to the destination endpoint."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        dest: DestConfig,
        auth: AppliedAuth,
        policy: RetryPolicy,
        *,
        array_wrapper: str | None,
        concurrency: int,
    ) -> None:
        self._client = client
        self._dest = dest
        self._auth = auth
        self._policy = policy
        self._wrapper = array_wrapper
        self._semaphore = asyncio.Semaphore(concurrency)
        self._idempotency = dest.idempotency_header_name()
        self._headers = {**dest.headers, **auth.headers, "Accept": "application/json"}

    @property
    def can_look_up(self) -> bool:
        return self._dest.lookup is not None

    @property
    def idempotent(self) -> bool:
        return self._idempotency is not None

    async def write(self, batch: list[Outgoing]) -> list[Written]:
        """Deliver a batch; one Written per item, in order."""
        if not batch:
            return []
        if self._wrapper is not None and len(batch) > 1:
            return await self._write_bulk(batch)
        return list(await asyncio.gather(*(self._write_one(item) for item in batch)))

    # -- requests ---------------------------------------------------------------------------

    def _url(self, payload: dict[str, Any]) -> str:
        path = self._dest.endpoint.path
        values = {k: str(v) for k, v in payload.items() if ("{" + k + "}") in path and isinstance(v, str | int)}
        return endpoint_url(self._dest.base_url, path, {**values, **self._dest.path_params})

    def _body(self, payloads: list[dict[str, Any]]) -> Any:
        if self._wrapper is None:
            return payloads[0]
        name = self._wrapper.removesuffix("[]")
        if not name:
            return payloads
        body: dict[str, Any] = {}
        set_path(body, name, payloads)
        return body

    async def _send(self, payloads: list[dict[str, Any]], key: str) -> Delivery:
        headers = dict(self._headers)
        if self._idempotency:
            headers[self._idempotency] = key
        method = self._dest.endpoint.method.value
        url = self._url(payloads[0])
        body = self._body(payloads)

        async def send() -> httpx.Response:
            return await self._client.request(
                method, url, json=body, headers=headers, params=self._auth.params, auth=self._auth.request_auth
            )

        landed = None
        if len(payloads) == 1 and not self._idempotency and self.can_look_up:

            async def landed() -> bool:
                return await self.find(payloads[0]) is not None

        async with self._semaphore:
            return await deliver(send, self._policy, landed=landed)

    async def _write_one(self, item: Outgoing) -> Written:
        result = await self._send([item.payload], item.key)
        return self._written(item, result)

    async def _write_bulk(self, batch: list[Outgoing]) -> list[Written]:
        key = idempotency_key("bulk", ",".join(i.key for i in batch), "")
        result = await self._send([i.payload for i in batch], key)
        if result.outcome == Outcome.OK:
            return [Written(item, "delivered", status_code=result.status) for item in batch]
        if result.outcome in (Outcome.CONFLICT, Outcome.PERMANENT):
            return list(await asyncio.gather(*(self._write_one(item) for item in batch)))
        return [self._written(item, result) for item in batch]

    def _written(self, item: Outgoing, result: Delivery) -> Written:
        code = result.status
        if result.outcome == Outcome.OK:
            return Written(item, "delivered", status_code=code, dest_ref=self._dest_ref(result.response))
        if result.outcome in (Outcome.CONFLICT, Outcome.LANDED):
            return Written(item, "duplicate", status_code=code)
        reason = self._reason(result)
        status = {Outcome.PERMANENT: "dead", Outcome.FATAL: "fatal"}.get(result.outcome, "pending")
        return Written(item, status, reason, code)

    def _reason(self, result: Delivery) -> str:
        if result.response is None:
            return f"{result.error} after {result.attempts} attempt(s)"
        text = result.response.text.strip()
        detail = f": {mask_text(text, self._auth.masked())}" if text else ""
        return f"the destination answered HTTP {result.status} after {result.attempts} attempt(s){detail}"

    def _dest_ref(self, response: httpx.Response | None) -> str | None:
        if response is None or not response.content:
            return None
        try:
            value = get_value(response.json(), self._dest.id_path)
        except ValueError:
            return None
        return None if value is None or isinstance(value, dict | list) else str(value)

    # -- lookup -----------------------------------------------------------------------------

    async def find(self, payload: dict[str, Any]) -> str | None:
        """Return the destination id (or `found`) of the record this payload created, None when absent.

        The lookup's answer is checked record by record, so a server that ignores the filter cannot make
        every record look present. Raises httpx.HTTPError or ValueError when the lookup itself fails.
        """
        lookup = self._dest.lookup
        if lookup is None:
            return None
        wanted = record_value(payload, lookup.dest_field)
        if wanted is None:
            return None
        url = endpoint_url(self._dest.base_url, lookup.endpoint.path, self._dest.path_params)
        params = {**self._auth.params, lookup.param: str(wanted)}
        response = await self._client.get(url, params=params, headers=self._headers, auth=self._auth.request_auth)
        response.raise_for_status()
        for record in records_in(response.json(), lookup.endpoint.records_at) or []:
            if str(record_value(record, lookup.dest_field)) == str(wanted):
                ref = get_value(record, self._dest.id_path)
                return "found" if ref is None else str(ref)
        return None
