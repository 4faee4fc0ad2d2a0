"""Interim loader (JSON via orjson, YAML via PyYAML's safe C loader); the fast, hardened loader replaces it."""

from __future__ import annotations

from typing import Any

import orjson
import yaml

from vitesse.errors import IngestError, IngestReason


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _str_timestamp(loader: Any, node: Any) -> str:
    return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _str_timestamp)


def load_document(data: bytes | str, *, source: str = "<memory>", max_bytes: int = 50 * 1024 * 1024) -> dict[str, Any]:
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise IngestError(IngestReason.TOO_LARGE, f"{source} is over the size limit", source=source)
    try:
        doc = orjson.loads(raw) if raw.lstrip()[:1] in (b"{", b"[") else yaml.load(raw, Loader=_Loader)
    except (orjson.JSONDecodeError, yaml.YAMLError) as exc:
        raise IngestError(IngestReason.MALFORMED, f"{source} is malformed: {exc}", source=source) from exc
    if not isinstance(doc, dict):
        raise IngestError(IngestReason.NOT_A_SPEC, f"{source} is not a mapping", source=source)
    return {str(k): v for k, v in doc.items()}
