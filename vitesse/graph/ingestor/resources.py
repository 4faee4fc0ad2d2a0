"""Tell which resource an operation acts on and what it does (customers/list, contacts/create …)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from vitesse.schemas import HttpMethod

_VERSION = re.compile(r"^(v\d+(\.\d+)*|\d{4}-\d{2}(-\d{2})?|api|rest|admin|public|latest)$", re.I)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEARCH = {"search", "query", "find", "filter", "lookup"}
_VERB_ACTIONS = {
    "list": "list",
    "get": "get",
    "info": "get",
    "create": "create",
    "add": "create",
    "new": "create",
    "insert": "create",
    "update": "update",
    "edit": "update",
    "set": "update",
    "upsert": "upsert",
    "delete": "delete",
    "remove": "delete",
    "search": "search",
    "query": "search",
}
_IRREGULAR = {"person": "persons", "people": "persons", "company": "companies", "address": "addresses"}


def plural(word: str) -> str:
    """Return a simple English plural, the resource naming convention (`customer` → `customers`)."""
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if w.endswith(("s", "x", "z", "ch", "sh")) and not w.endswith("ss"):
        return w if w.endswith("s") else w + "es"
    if w.endswith("ss"):
        return w + "es"
    if w.endswith("y") and len(w) > 1 and w[-2] not in "aeiou":
        return w[:-1] + "ies"
    return w + "s"


def singular(word: str) -> str:
    w = word.lower()
    for single, many in _IRREGULAR.items():
        if w == many and single != "people":
            return single
    if w.endswith("ies") and len(w) > 3:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "zes", "ches", "shes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", _CAMEL.sub("_", name).lower()).strip("_")


def path_segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def classify(method: HttpMethod, path: str, operation_id: str | None) -> tuple[str | None, str]:
    """Return (resource, action) for an operation."""
    segments = [s for s in path_segments(path) if not _VERSION.match(s)]
    ends_with_param = bool(segments) and is_param(segments[-1])
    literal = [s for s in segments if not is_param(s)]
    if not literal:
        return None, "other"
    last = re.sub(r"\.(json|xml)$", "", literal[-1])
    # Slack-style `users.list`, `chat.postMessage`.
    if "." in last:
        head, _, verb = last.rpartition(".")
        action = _verb_action(verb) or _method_action(method, ends_with_param)
        return plural(snake(head.split(".")[-1])), action
    action = _method_action(method, ends_with_param)
    resource_word = last
    if snake(last) in _SEARCH and len(literal) > 1:
        action, resource_word = "search", literal[-2]
    elif (verb := _verb_action(last)) is not None and len(literal) > 1:
        action, resource_word = verb, literal[-2]
    op_action = _operation_action(operation_id)
    if op_action in ("upsert", "search") or (op_action and action == "other"):
        action = op_action
    return plural(snake(resource_word)), action


def _method_action(method: HttpMethod, ends_with_param: bool) -> str:
    if method == HttpMethod.GET:
        return "get" if ends_with_param else "list"
    if method == HttpMethod.POST:
        return "update" if ends_with_param else "create"
    if method == HttpMethod.PUT:
        return "update" if ends_with_param else "upsert"
    if method == HttpMethod.PATCH:
        return "update"
    if method == HttpMethod.DELETE:
        return "delete"
    return "other"


def _verb_action(word: str) -> str | None:
    first = snake(word).split("_")[0]
    return _VERB_ACTIONS.get(first)


def _operation_action(operation_id: str | None) -> str | None:
    if not operation_id:
        return None
    first = snake(operation_id).split("_")[0]
    return _VERB_ACTIONS.get(first)


def primary_key(
    names: Iterable[str],
    resource: str | None,
    path_params: list[str],
    *,
    usable: Callable[[str], bool] = lambda name: True,
) -> str | None:
    """Guess a record's identifier from its top-level property names.

    That is `id`, `<resource>_id`, `uuid`, `gid`, `key` or a path parameter's name; `usable` may refuse
    one (an `id` that is an object, say).
    """
    lowered = {p.lower(): p for p in names if "." not in p and "[]" not in p}
    candidates = ["id", "uuid", "gid", "key", "uid"]
    if resource:
        one = singular(resource)
        candidates[1:1] = [f"{one}_id", f"{one}id", f"{one}_key"]
    candidates.extend(p.lower() for p in path_params)
    for candidate in candidates:
        if candidate in lowered and usable(lowered[candidate]):
            return lowered[candidate]
    return None
