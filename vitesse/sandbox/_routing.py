"""Match request paths to a spec's operations and tell what each operation does to which collection.

An operation is one of: `list` (GET of a records endpoint), `get`/`update`/`replace`/`delete` of one
item (the path ends in a parameter, `/customers/{id}` or Twilio's `/Calls/{CallSid}.json`), `create`
(POST to a collection path) or `other` (answered with a generated body). Item operations and the
list share a collection template (`/customers`, `/Accounts/{AccountSid}/Calls.json`); the concrete
collection of a request fills that template with the request's own path values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote, urlsplit

from vitesse.graph.ingestor.resources import is_param, path_segments
from vitesse.schemas import APISpecification, Endpoint, HttpMethod

Kind = Literal["list", "get", "create", "update", "replace", "delete", "other"]
_PARAM = re.compile(r"\{([^{}]+)\}")
_ITEM_WITH_EXT = re.compile(r"^\{([^{}]+)\}(\.[A-Za-z0-9]+)$")


@dataclass
class Operation:
    endpoint: Endpoint
    kind: Kind
    regex: re.Pattern[str]
    groups: dict[str, str]
    """Regex group name → path parameter name."""
    collection: str | None = None
    """Template of the collection this operation reads or writes."""
    item_param: str | None = None
    specificity: tuple[int, int] = (0, 0)

    def path_values(self, match: re.Match[str]) -> dict[str, str]:
        return {self.groups[g]: v for g, v in match.groupdict().items()}

    def concrete_collection(self, values: dict[str, str]) -> str | None:
        """Fill the collection template with this request's path values."""
        if self.collection is None:
            return None
        return _PARAM.sub(lambda m: values.get(m.group(1), m.group(0)), self.collection)


@dataclass
class Router:
    operations: list[Operation]
    prefixes: list[str] = field(default_factory=list)

    def match(
        self, method: str, path: str, raw_path: str | None = None
    ) -> tuple[Operation | None, dict[str, str], list[str]]:
        """Return the operation for this request, its path values, and the methods the path allows.

        The raw (still percent-encoded) path is tried first, so a value holding an encoded `/` stays
        one segment; values are decoded afterwards.
        """
        if raw_path and raw_path != path:
            found = self._match(method, raw_path)
            if found[0] is not None or found[2]:
                return found[0], {k: unquote(v) for k, v in found[1].items()}, found[2]
        return self._match(method, path)

    def _match(self, method: str, path: str) -> tuple[Operation | None, dict[str, str], list[str]]:
        for candidate in self._paths(path):
            allowed: list[str] = []
            for op in self.operations:
                found = op.regex.fullmatch(candidate)
                if found is None:
                    continue
                if op.endpoint.method.value == method.upper():
                    return op, op.path_values(found), []
                allowed.append(op.endpoint.method.value)
            if allowed:
                return None, {}, sorted(set(allowed))
        return None, {}, []

    def _paths(self, path: str) -> list[str]:
        paths = [path]
        for prefix in self.prefixes:
            if path.startswith(prefix + "/") or path == prefix:
                paths.append(path[len(prefix) :] or "/")
        return paths


def build_router(spec: APISpecification) -> Router:
    """Index every operation of a spec, most specific path first."""
    list_paths = {ep.path for ep in spec.endpoints if ep.method == HttpMethod.GET and ep.is_list}
    operations = [_operation(ep, list_paths, spec) for ep in spec.endpoints]
    operations.sort(key=lambda op: op.specificity, reverse=True)
    return Router(operations=operations, prefixes=_prefixes(spec))


def _operation(ep: Endpoint, list_paths: set[str], spec: APISpecification) -> Operation:
    regex, groups = _compile(ep.path)
    kind, collection, item = _classify(ep, list_paths, spec)
    literal = len(_PARAM.sub("", ep.path))
    return Operation(ep, kind, regex, groups, collection, item, (literal, -len(groups)))


def _compile(template: str) -> tuple[re.Pattern[str], dict[str, str]]:
    groups: dict[str, str] = {}
    parts: list[str] = []
    last = 0
    for index, found in enumerate(_PARAM.finditer(template)):
        parts.append(re.escape(template[last : found.start()]))
        groups[f"p{index}"] = found.group(1)
        parts.append(f"(?P<p{index}>[^/]+)")
        last = found.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts).rstrip("/") + "/?"), groups


def _item(path: str) -> tuple[str, str] | None:
    """Return (collection template, item parameter) when the path names one item."""
    segments = path_segments(path)
    if not segments:
        return None
    last = segments[-1]
    parent = "/" + "/".join(segments[:-1])
    if is_param(last) and "}" not in last[1:-1]:
        return parent, last[1:-1]
    with_ext = _ITEM_WITH_EXT.match(last)
    if with_ext:
        return parent + with_ext.group(2), with_ext.group(1)
    return None


def _classify(ep: Endpoint, list_paths: set[str], spec: APISpecification) -> tuple[Kind, str | None, str | None]:
    item = _item(ep.path)
    method = ep.method
    if item is not None:
        collection, param = item
        known = collection in list_paths or _has_create(spec, collection)
        kinds: dict[HttpMethod, Kind] = {
            HttpMethod.GET: "get",
            HttpMethod.PATCH: "update",
            HttpMethod.PUT: "replace",
            HttpMethod.DELETE: "delete",
        }
        if method in kinds:
            return kinds[method], collection, param
        if method == HttpMethod.POST and known:
            return "update", collection, param
        return "other", None, None
    if method == HttpMethod.GET and ep.is_list:
        return "list", ep.path, None
    if method == HttpMethod.POST and (ep.path in list_paths or ep.action in ("create", "upsert")):
        return "create", ep.path, None
    return "other", None, None


def _has_create(spec: APISpecification, path: str) -> bool:
    return any(ep.path == path and ep.method == HttpMethod.POST for ep in spec.endpoints)


def _prefixes(spec: APISpecification) -> list[str]:
    out = []
    for server in spec.servers or ([spec.base_url] if spec.base_url else []):
        path = urlsplit(server).path.rstrip("/") if "://" in server else server.rstrip("/")
        if path and path != "/" and path not in out:
            out.append(path)
    return out
