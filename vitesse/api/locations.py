"""Check where a request says an API lives before a run goes there: the SSRF guard, or a trusted local file.

Remote callers may name http(s) URLs (checked against the settings' network policy now, and again on
every fetch), the bundled examples (`example:shop`, `example:crm`) and files under `data_dir/specs`;
no other path on the server is read. A host that does not resolve passes here: the run then fails with
a clear error event rather than the request.
"""

from __future__ import annotations

from pathlib import Path

from vitesse.api.problems import invalid
from vitesse.config import Settings
from vitesse.errors import BlockedURLError
from vitesse.examples import EXAMPLE_SPECS_DIR
from vitesse.net import NetPolicy, Resolver, check_url, system_resolver

EXAMPLE_PREFIX = "example:"


class _Unresolved(Exception):
    pass


def _tolerant(resolver: Resolver) -> Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        try:
            return await resolver(host, port)
        except OSError as exc:
            raise _Unresolved(str(exc)) from exc

    return resolve


def examples() -> dict[str, Path]:
    return {p.stem: p for p in sorted(EXAMPLE_SPECS_DIR.glob("*.yaml"))}


async def check_remote(field: str, url: str, settings: Settings, resolver: Resolver = system_resolver) -> str:
    """Refuse an http(s) URL the SSRF guard blocks (422 naming the field); return it unchanged otherwise."""
    if not url.lower().startswith(("http://", "https://")):
        raise invalid(field, "give an http or https URL")
    try:
        await check_url(url, NetPolicy.from_settings(settings), _tolerant(resolver))
    except _Unresolved:
        return url  # the run reports it as an unreachable spec
    except BlockedURLError as exc:
        raise invalid(field, exc.why) from None
    return url


async def check_location(field: str, value: str, settings: Settings, resolver: Resolver = system_resolver) -> str:
    """Return what the graph should read for a spec location, or raise a 422 that says what is allowed."""
    text = value.strip()
    if text.lower().startswith(EXAMPLE_PREFIX):
        name = text[len(EXAMPLE_PREFIX) :]
        known = examples()
        if name not in known:
            raise invalid(field, f"unknown example {name!r}; known: {', '.join(EXAMPLE_PREFIX + k for k in known)}")
        return str(known[name])
    if "://" in text:
        return await check_remote(field, text, settings, resolver)
    return _local_file(field, text, settings)


def _local_file(field: str, text: str, settings: Settings) -> str:
    allowed = [EXAMPLE_SPECS_DIR.resolve(), (Path(settings.data_dir) / "specs").resolve()]
    try:
        path = Path(text).expanduser().resolve()
    except (OSError, RuntimeError, ValueError):
        raise invalid(field, "not a usable path") from None
    inside = any(path.is_relative_to(root) for root in allowed)
    if not inside:
        raise invalid(
            field,
            f"give an http(s) URL, example:shop / example:crm, or a file under {allowed[1]}; "
            "other server paths are not read",
        )
    if not path.is_file():
        raise invalid(field, f"no such file {path.name!r}")
    return str(path)
