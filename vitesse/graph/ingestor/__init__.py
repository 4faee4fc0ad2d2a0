"""Read any OpenAPI/Swagger document into an `APISpecification`.

`ingest(source)` takes a spec URL, an API base URL (discovery at the common locations), or a file
path; `ingest_path(path)` is the synchronous, local-only form. Both load the document, prefetch the
documents its external `$ref`s name (local files beside a local spec; remote ones only through the
SSRF guard, never `file://` from a remote spec), and normalise it (`parse_document`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import hashlib
import logging
import posixpath
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urldefrag, urljoin

import httpx

from vitesse.config import Settings
from vitesse.errors import IngestError, IngestReason
from vitesse.graph.ingestor.fetch import Fetched, fetch_remote, is_url, read_file
from vitesse.graph.ingestor.load import load_document
from vitesse.graph.ingestor.parse import parse_document
from vitesse.graph.ingestor.refs import iter_external_refs
from vitesse.net import NetPolicy, make_client, mask_url
from vitesse.schemas import APISpecification

__all__ = ["ingest", "ingest_path", "ingest_bytes", "parse_document", "load_document", "INGESTOR_VERSION"]

INGESTOR_VERSION = "1"
T = TypeVar("T")
MAX_EXTERNAL_DOCUMENTS = 50
log = logging.getLogger(__name__)


async def ingest(
    source: str,
    *,
    spec_url: str | None = None,
    settings: Settings | None = None,
    name: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> APISpecification:
    """Fetch, load and normalise one API description."""
    settings = settings or Settings()
    if not spec_url and not is_url(source) and ("://" not in source or source.startswith("file://")):
        # A local file: read and parse off the event loop (a large spec takes a second of CPU).
        return await asyncio.to_thread(ingest_path, source, settings=settings, name=name)
    own_client = client is None
    client = client or make_client(NetPolicy.from_settings(settings), timeout=settings.http_timeout_s)
    try:
        fetched = await _fetch(source, spec_url, settings, client)
        doc = await asyncio.to_thread(
            _paused(load_document), fetched.data, source=mask_url(fetched.uri), max_bytes=settings.max_spec_bytes
        )
        externals = await _prefetch_external(doc, fetched, settings, client) if _may_refer_out(fetched.data) else {}
        shown = mask_url(spec_url or source)
        return await asyncio.to_thread(_paused(_parse_cached), fetched, doc, externals, settings, name, shown=shown)
    finally:
        if own_client:
            await client.aclose()


def ingest_path(path: str | Path, *, settings: Settings | None = None, name: str | None = None) -> APISpecification:
    """Ingest a local spec file synchronously; external refs may name other local files only."""
    settings = settings or Settings()
    fetched = read_file(path, settings.max_spec_bytes)
    with gc_paused():
        doc = load_document(fetched.data, source=fetched.uri, max_bytes=settings.max_spec_bytes)
        externals = _load_local_externals(doc, fetched.uri, settings) if _may_refer_out(fetched.data) else {}
        return _parse_cached(fetched, doc, externals, settings, name, shown=str(path))


_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a document is read, then restore it.

    Loading and normalising a large spec builds a million acyclic containers; the collector would walk
    them again and again as they pile up (a tenth to a sixth of the time). Paused, it walks them once, as
    the pause ends. Nested and concurrent pauses share one: the collector comes back, as it was, when the
    last one ends.
    """
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()
                gc.collect(0)  # the young generation's one pass, paid here, not by whatever allocates next


def _paused(fn: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> T:
        with gc_paused():
            return fn(*args, **kwargs)

    return run


def ingest_bytes(data: bytes | str, *, source: str = "<memory>", name: str | None = None) -> APISpecification:
    """Ingest a document held in memory (no external refs are followed)."""
    raw = data.encode() if isinstance(data, str) else data
    with gc_paused():
        doc = load_document(raw, source=source)
        return parse_document(doc, source=source, name=name)


async def _fetch(source: str, spec_url: str | None, settings: Settings, client: httpx.AsyncClient) -> Fetched:
    if spec_url:
        return (
            await fetch_remote(client, spec_url, settings.max_spec_bytes, discover=False)
            if is_url(spec_url)
            else read_file(spec_url, settings.max_spec_bytes)
        )
    if is_url(source):
        return await fetch_remote(client, source, settings.max_spec_bytes, discover=True)
    if "://" in source and not source.startswith("file://"):
        scheme = source.split("://", 1)[0]
        raise IngestError(IngestReason.UNREACHABLE, f"unsupported URL scheme {scheme!r}: use http(s) or a file path")
    return read_file(source, settings.max_spec_bytes)


_ANY_REF = re.compile(rb"\$ref")
_LOCAL_REF = re.compile(rb"\$ref[\"']?[ \t]*:[ \t]*(?:[\"']|[>|][-+]?[ \t]*\r?\n[ \t]*)?#")
_ESCAPED_DOLLAR = re.compile(rb"\\(?:u0024|x24|U00000024)", re.IGNORECASE)


def _may_refer_out(data: bytes) -> bool:
    """Whether a document may hold a `$ref` to another document: False only when every `$ref` is plainly local.

    A scan of the bytes, so a large spec whose refs all start with `#` is not walked node by node.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or _ESCAPED_DOLLAR.search(data):
        return True  # UTF-16/32 text, or a key that may be spelled with escapes
    return len(_ANY_REF.findall(data)) != len(_LOCAL_REF.findall(data))


def _external_uris(doc: Mapping[str, Any], base: str) -> list[str]:
    uris: list[str] = []
    for ref in iter_external_refs(doc):
        target = urldefrag(urljoin(base, ref) if is_url(base) else _join_local(base, ref))[0]
        if target and target not in uris:
            uris.append(target)
    return uris


def _join_local(base: str, ref: str) -> str:
    if is_url(ref) or ref.startswith("file://"):
        return ref
    return posixpath.normpath(ref if ref.startswith("/") else posixpath.join(posixpath.dirname(base), ref))


async def _prefetch_external(
    doc: Mapping[str, Any], fetched: Fetched, settings: Settings, client: httpx.AsyncClient
) -> dict[str, Mapping[str, Any] | None]:
    docs: dict[str, Mapping[str, Any] | None] = {}
    queue = [(uri, fetched.uri) for uri in _external_uris(doc, fetched.uri)]
    while queue and len(docs) < MAX_EXTERNAL_DOCUMENTS:
        uri, parent = queue.pop(0)
        if uri in docs or uri == fetched.uri:
            continue
        docs[uri] = await _load_external(uri, parent, fetched.remote, settings, client)
        if docs[uri] is not None:
            queue.extend((u, uri) for u in _external_uris(docs[uri] or {}, uri))
    return docs


async def _load_external(
    uri: str, parent: str, root_remote: bool, settings: Settings, client: httpx.AsyncClient
) -> Mapping[str, Any] | None:
    if not is_url(uri):
        if root_remote or is_url(parent):
            raise IngestError(
                IngestReason.FORBIDDEN_REF,
                f"a remote spec may not reference local files ($ref to {uri}); only http(s) refs are followed",
            )
        return _read_local(uri, settings)
    try:
        fetched = await fetch_remote(client, uri, settings.max_spec_bytes, discover=False)
        return load_document(fetched.data, source=mask_url(uri), max_bytes=settings.max_spec_bytes)
    except IngestError as exc:
        if exc.reason == IngestReason.BLOCKED_URL:
            raise IngestError(IngestReason.FORBIDDEN_REF, f"$ref refused: {exc}") from exc
        log.warning("external $ref %s could not be read: %s", mask_url(uri), exc)
        return None


def _read_local(path: str, settings: Settings) -> Mapping[str, Any] | None:
    try:
        fetched = read_file(path.removeprefix("file://"), settings.max_spec_bytes)
        return load_document(fetched.data, source=path, max_bytes=settings.max_spec_bytes)
    except IngestError as exc:
        if exc.reason in (IngestReason.NOT_FOUND, IngestReason.UNREACHABLE):
            return None
        raise


def _load_local_externals(doc: Mapping[str, Any], base: str, settings: Settings) -> dict[str, Any]:
    docs: dict[str, Any] = {}
    queue = _external_uris(doc, base)
    while queue and len(docs) < MAX_EXTERNAL_DOCUMENTS:
        uri = queue.pop(0)
        if uri in docs or uri == base:
            continue
        docs[uri] = None if is_url(uri) else _read_local(uri, settings)
        if docs[uri] is not None:
            queue.extend(_external_uris(docs[uri], uri))
    return docs


def _parse_cached(
    fetched: Fetched,
    doc: Mapping[str, Any],
    externals: dict[str, Any],
    settings: Settings,
    name: str | None,
    *,
    shown: str,
) -> APISpecification:
    cache_file = _cache_file(fetched, settings, name) if settings.spec_cache and not externals else None
    if cache_file is not None and cache_file.exists():
        try:
            spec = APISpecification.model_validate_json(cache_file.read_bytes())
            spec.source = shown
            return spec
        except ValueError:
            cache_file.unlink(missing_ok=True)
    spec = parse_document(doc, source=shown, name=name, base_uri=fetched.uri, load_external=externals.get)
    for uri, loaded in externals.items():
        if loaded is None:
            spec.warnings.append(f"external document {mask_url(uri)} could not be read; its refs are left empty")
    if cache_file is not None:
        _write_cache(cache_file, spec)
    return spec


@functools.cache
def _code_fingerprint() -> str:
    """Hash the Ingestor's and the schemas' source, so a changed normaliser never reads an old cache entry."""
    digest = hashlib.sha256(INGESTOR_VERSION.encode())
    here = Path(__file__).parent
    for path in sorted([*here.glob("*.py"), here.parent.parent / "schemas.py"]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_file(fetched: Fetched, settings: Settings, name: str | None) -> Path:
    key = hashlib.sha256()
    key.update(f"{_code_fingerprint()}\0{fetched.uri}\0{name or ''}\0".encode())
    key.update(fetched.data)
    return settings.data_dir / "cache" / "specs" / f"{key.hexdigest()}.json"


def _write_cache(path: Path, spec: APISpecification) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(spec.model_dump_json(by_alias=True))
        tmp.replace(path)
    except OSError as exc:  # a cache that cannot be written is not an error
        log.debug("spec cache not written: %s", exc)
