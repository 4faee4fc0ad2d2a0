"""Fill text templates such as "{first_name} {last_name}" by plain substitution of field values.

No `str.format`: a placeholder is a field path from the transformation's `source_fields`, looked up
as data, never as an attribute, index or format spec. `{{` and `}}` write literal braces. Missing
values render as empty text; the result is trimmed, and a template whose fields are all missing
gives no value.
"""

from __future__ import annotations

import re
from typing import Any

from vitesse.schemas import DataTransformation
from vitesse.transforms._config import ConfigReader, Kernel
from vitesse.transforms._values import stringify

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_FIELD = re.compile(r"[A-Za-z0-9_$@-]+(\[\])?(\.[A-Za-z0-9_$@-]+(\[\])?)*")


def _placeholder(cfg: ConfigReader, name: str, sources: list[str]) -> int:
    if not _FIELD.fullmatch(name):
        raise cfg.error("template", f"has the placeholder {{{name[:40]}}}, which is not a field path")
    if any(seg.startswith("__") and seg.removesuffix("[]").endswith("__") for seg in name.split(".")):
        raise cfg.error("template", f"has the placeholder {{{name}}}, which looks like attribute access")
    if name not in sources:
        raise cfg.error("template", f"uses {{{name}}}, which is not one of the source_fields")
    return sources.index(name)


def compile_template(t: DataTransformation, cfg: ConfigReader) -> Kernel:
    """Compile `{"template": "..."}` into a kernel fed with one value per source field."""
    text = cfg.get("template", str)
    pieces: list[str | int] = []
    position = 0
    for match in _TOKEN.finditer(text):
        pieces.append(text[position : match.start()])
        token = match.group()
        if token in ("{{", "}}"):
            pieces.append(token[0])
        elif match.group(1) is None:
            raise cfg.error(
                "template", f"has an unmatched '{token}' at position {match.start()} (write {token}{token})"
            )
        else:
            pieces.append(_placeholder(cfg, match.group(1).strip(), list(t.source_fields)))
        position = match.end()
    pieces.append(text[position:])
    slots = [p for p in pieces if isinstance(p, int)]
    if not slots:
        raise cfg.error("template", "has no {field} placeholder (use a constant transformation for fixed text)")
    plan = tuple(p for p in pieces if p != "")

    def fill(values: list[Any]) -> Any:
        if all(values[i] is None for i in slots):
            return None
        out = [p if isinstance(p, str) else ("" if values[p] is None else stringify(values[p])) for p in plan]
        return "".join(out).strip() or None

    return Kernel(fill, kind="many")
