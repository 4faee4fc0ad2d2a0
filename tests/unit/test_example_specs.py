"""The bundled example APIs are valid, self-consistent, and carry the faults the demo heals."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker
from openapi_spec_validator import validate

from vitesse.examples import CRM_SPEC, EXAMPLE_SPECS_DIR, SHOP_SPEC
from vitesse.schemas import DataTransformation, MappingLogic, TransformType
from vitesse.transforms import compile_mapping

ROOT = Path(__file__).resolve().parents[2]
README = EXAMPLE_SPECS_DIR / "README.md"
VERSIONS = {"shop": "3.1.0", "crm": "3.0.3"}
PATHS = {"shop": SHOP_SPEC, "crm": CRM_SPEC}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
SCHEMA_CHILDREN = ("items", "additionalProperties", "not")
SCHEMA_LISTS = ("allOf", "oneOf", "anyOf")


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    return {name: yaml.safe_load(path.read_text(encoding="utf-8")) for name, path in PATHS.items()}


# ---- helpers over a parsed document ---------------------------------------------------------


def resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"only local refs are used in the examples, got {ref}"
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def deref(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(doc, node["$ref"])
    return node


def iter_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_refs(item)


def inline(doc: dict[str, Any], node: Any) -> Any:
    """Replace every $ref by its target (the examples have no cycles); 3.1 siblings are kept."""
    if isinstance(node, list):
        return [inline(doc, item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return {**inline(doc, resolve(doc, node["$ref"])), **inline(doc, siblings)}
    return {key: inline(doc, value) for key, value in node.items()}


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    for section in ("paths", "webhooks"):
        for path, item in (doc.get(section) or {}).items():
            for method in METHODS:
                if method in item:
                    yield path, method, item, item[method]


def parameters(doc: dict[str, Any], path: str, method: str) -> dict[str, dict[str, Any]]:
    item = doc["paths"][path]
    declared = [deref(doc, p) for p in item.get("parameters", []) + item[method].get("parameters", [])]
    return {p["name"]: p for p in declared}


def merged(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Merge allOf members; pick the object alternative of oneOf/anyOf."""
    schema = deref(doc, schema)
    props: dict[str, Any] = dict(schema.get("properties", {}))
    for member in schema.get("allOf", []):
        props.update(merged(doc, member).get("properties", {}))
    for key in ("oneOf", "anyOf"):
        for alt in schema.get(key, []):
            props.update(merged(doc, alt).get("properties", {}))
    return {**schema, "properties": props}


def leaf_paths(doc: dict[str, Any], schema: dict[str, Any], prefix: str = "") -> set[str]:
    """Leaves of a schema in the golden path convention (dots, `[]` for array elements)."""
    schema = merged(doc, schema)
    if schema["properties"]:
        out: set[str] = set()
        for name, sub in schema["properties"].items():
            out |= leaf_paths(doc, sub, f"{prefix}.{name}" if prefix else name)
        return out
    if "items" in schema:
        return leaf_paths(doc, schema["items"], prefix + "[]")
    return {prefix}


def schema_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Walk schema keywords only, so example values are never taken for schemas."""
    if not isinstance(node, dict):
        return
    yield node
    for sub in (node.get("properties") or {}).values():
        yield from schema_nodes(sub)
    for key in SCHEMA_CHILDREN:
        yield from schema_nodes(node.get(key))
    for key in SCHEMA_LISTS:
        for sub in node.get(key, []):
            yield from schema_nodes(sub)


def validator(name: str, doc: dict[str, Any], schema: dict[str, Any]) -> Any:
    if name == "shop":
        return OAS31Validator(inline(doc, schema), format_checker=oas31_format_checker)
    return OAS30Validator(inline(doc, schema), format_checker=oas30_format_checker)


# ---- the README's golden mapping ---------------------------------------------------------------


def readme_table(marker: str) -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    block = text.split(f"<!-- {marker}:start -->")[1].split(f"<!-- {marker}:end -->")[0]
    rows = [line.strip().removeprefix("|").removesuffix("|").split("|") for line in block.strip().splitlines()[2:]]
    return [[cell.strip() for cell in row] for row in rows]


def ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def golden_rows() -> list[dict[str, Any]]:
    rows = []
    for dest, sources, transform, config, also in readme_table("golden-mapping"):
        cfg = json.loads(ticked(config)[0]) if ticked(config) else {}
        rows.append({"dest": ticked(dest)[0], "source": ticked(sources), "transform": transform, "config": cfg})
        rows[-1]["also"] = ticked(also)
    return rows


def apply(rows: list[dict[str, Any]], record: dict[str, Any], *, naive: bool = False) -> dict[str, Any]:
    """Run the table through the real transform engine; `naive` turns every transform into a plain copy."""
    mapping = MappingLogic(
        source_endpoint="GET /customers",
        dest_endpoint="POST /contacts",
        transformations=[
            DataTransformation(
                source_fields=row["source"][:1],
                dest_field=row["dest"],
                transform_type="direct" if naive else row["transform"],
                transform_config={} if naive else row["config"],
            )
            for row in rows
        ],
    )
    result = compile_mapping(mapping).apply(record)
    assert result.errors == [], result.errors
    return dict(result.payload)


def shop_customer_example(docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return dict(docs["shop"]["components"]["schemas"]["Customer"]["examples"][0])


def contact_errors(docs: dict[str, dict[str, Any]], body: dict[str, Any]) -> set[str]:
    schema = docs["crm"]["components"]["schemas"]["ContactCreate"]
    errors = validator("crm", docs["crm"], schema).iter_errors(body)
    return {".".join(str(p) for p in e.absolute_path) or "<root>" for e in errors}


# ---- the tests -------------------------------------------------------------------------------


def test_the_package_exposes_the_bundled_files_and_the_repo_links_them() -> None:
    """The paths come from the package itself; examples/specs is a link to the same folder."""
    assert EXAMPLE_SPECS_DIR == (ROOT / "vitesse" / "examples" / "specs").resolve()
    assert SHOP_SPEC.is_file() and CRM_SPEC.is_file() and README.is_file()
    link = ROOT / "examples" / "specs"
    assert link.is_symlink() and link.resolve() == EXAMPLE_SPECS_DIR


@pytest.mark.parametrize("name", ["shop", "crm"])
def test_each_spec_is_yaml_of_its_declared_version_and_validates(name: str, docs: dict[str, Any]) -> None:
    """openapi-spec-validator accepts both documents, each at the OpenAPI version it promises."""
    assert PATHS[name].suffix == ".yaml"
    assert docs[name]["openapi"] == VERSIONS[name]
    validate(docs[name])
    assert 300 <= len(PATHS[name].read_text(encoding="utf-8").splitlines()) <= 700


@pytest.mark.parametrize("name", ["shop", "crm"])
def test_every_ref_points_at_an_existing_target(name: str, docs: dict[str, Any]) -> None:
    """Each `$ref` in the document resolves; a bogus pointer would not."""
    refs = set(iter_refs(docs[name]))
    assert len(refs) > 10
    for ref in refs:
        assert resolve(docs[name], ref) is not None, ref
    with pytest.raises(KeyError):
        resolve(docs[name], "#/components/schemas/NoSuchSchema")


@pytest.mark.parametrize("name", ["shop", "crm"])
def test_every_operation_has_a_unique_operation_id_and_a_success_answer(name: str, docs: dict[str, Any]) -> None:
    ops = list(operations(docs[name]))
    ids = [op.get("operationId") for _, _, _, op in ops]
    assert all(ids) and len(set(ids)) == len(ids)
    for path, method, _, op in ops:
        assert any(code.startswith("2") for code in op["responses"]), f"{method.upper()} {path}"
        assert op.get("summary"), f"{method.upper()} {path} has no summary"


def test_shop_lists_page_with_a_stripe_like_cursor(docs: dict[str, Any]) -> None:
    shop = docs["shop"]
    for path in ("/customers", "/orders"):
        params = parameters(shop, path, "get")
        assert params["starting_after"]["in"] == "query"
        assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
        assert params["updated_since"]["schema"]["format"] == "date-time"
        body = merged(shop, shop["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"])
        assert set(body["required"]) == {"object", "data", "has_more", "next_cursor"}
        assert body["properties"]["next_cursor"]["type"] == ["string", "null"]
    customers = parameters(shop, "/customers", "get")["starting_after"]["schema"]["pattern"]
    assert customers == shop["components"]["schemas"]["Customer"]["properties"]["id"]["pattern"]


def test_crm_lists_page_by_number(docs: dict[str, Any]) -> None:
    crm = docs["crm"]
    for path in ("/contacts", "/companies"):
        params = parameters(crm, path, "get")
        assert params["page"]["schema"] == {"type": "integer", "minimum": 1, "default": 1}
        assert params["per_page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}
        body = merged(crm, crm["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"])
        assert body["properties"]["results"]["type"] == "array"
        assert set(merged(crm, body["properties"]["meta"])["required"]) == {"page", "per_page", "total", "total_pages"}


def test_auth_servers_and_write_headers_are_declared(docs: dict[str, Any]) -> None:
    shop, crm = docs["shop"], docs["crm"]
    assert shop["servers"][0]["url"] == "https://api.acmeshop.example/v1"
    assert shop["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": shop["components"]["securitySchemes"]["ApiKeyAuth"]["description"],
    }
    assert shop["security"] == [{"ApiKeyAuth": []}] and crm["security"] == [{"BearerAuth": []}]
    assert crm["servers"][0]["url"] == "https://api.orbitcrm.example/api/v2"
    bearer = crm["components"]["securitySchemes"]["BearerAuth"]
    assert (bearer["type"], bearer["scheme"], bearer["bearerFormat"]) == ("http", "bearer", "JWT")
    for path in ("/customers", "/orders"):
        key = parameters(shop, path, "post")["Idempotency-Key"]
        assert key["in"] == "header" and key["required"] is False
    webhook = shop["webhooks"]["customerCreated"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert webhook == {"$ref": "#/components/schemas/Customer"}


@pytest.mark.parametrize("name", ["shop", "crm"])
def test_every_429_answer_declares_retry_after(name: str, docs: dict[str, Any]) -> None:
    seen = 0
    for path, method, _, op in operations(docs[name]):
        if "429" in op["responses"]:
            seen += 1
            assert "Retry-After" in deref(docs[name], op["responses"]["429"])["headers"], f"{method} {path}"
    assert seen >= 7


@pytest.mark.parametrize("name", ["shop", "crm"])
def test_schema_examples_are_valid_against_their_own_schemas(name: str, docs: dict[str, Any]) -> None:
    """A mock answering from the examples returns schema-valid data."""
    doc, checked = docs[name], 0
    for top in doc["components"]["schemas"].values():
        for node in schema_nodes(top):
            samples = node.get("examples", []) + ([node["example"]] if "example" in node else [])
            for sample in samples:
                errors = [e.message for e in validator(name, doc, node).iter_errors(sample)]
                assert not errors, f"{sample!r}: {errors}"
                checked += 1
    assert checked >= 5


def test_readme_mapping_names_only_fields_of_the_two_schemas(docs: dict[str, Any]) -> None:
    source = leaf_paths(docs["shop"], docs["shop"]["components"]["schemas"]["Customer"])
    dest = leaf_paths(docs["crm"], docs["crm"]["components"]["schemas"]["ContactCreate"])
    rows = golden_rows()
    assert len(rows) >= 10
    for row in rows:
        assert row["dest"] in dest, row["dest"]
        assert row["source"] and set(row["source"] + row["also"]) <= source, row
        assert row["transform"] in {t.value for t in TransformType}
    unmapped = [ticked(row[0])[0] for row in readme_table("golden-unmapped")]
    mapped = [row["dest"] for row in rows]
    assert len(set(mapped)) == len(mapped) and not set(mapped) & set(unmapped)
    assert set(mapped) | set(unmapped) == dest


def test_status_enum_transform_covers_every_shop_status(docs: dict[str, Any]) -> None:
    row = next(r for r in golden_rows() if r["dest"] == "lifecycle_stage")
    shop_status = docs["shop"]["components"]["schemas"]["CustomerStatus"]["enum"]
    crm_stage = docs["crm"]["components"]["schemas"]["LifecycleStage"]["enum"]
    assert sorted(row["config"]["map"]) == sorted(shop_status)
    assert set(row["config"]["map"].values()) == set(crm_stage)


def test_golden_mapping_turns_the_shop_example_into_a_valid_contact(docs: dict[str, Any]) -> None:
    """The README's worked example is what the table produces, and the CRM schema accepts it."""
    contact = apply(golden_rows(), shop_customer_example(docs))
    assert contact_errors(docs, contact) == set()
    worked = re.search(r"```json\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert worked is not None and json.loads(worked.group(1)) == contact


def test_naive_direct_mapping_is_refused_at_phone_and_lifecycle_stage(docs: dict[str, Any]) -> None:
    """Copying values without transforms breaks exactly the two fields the demo heals."""
    naive = apply(golden_rows(), shop_customer_example(docs), naive=True)
    assert contact_errors(docs, naive) == {"phone_numbers.0.number", "lifecycle_stage"}


@pytest.mark.parametrize("status", ["active", "invited", "disabled"])
def test_every_shop_status_is_refused_by_the_crm_without_the_enum_transform(status: str, docs: dict[str, Any]) -> None:
    record = {**shop_customer_example(docs), "status": status, "phone": None}
    assert contact_errors(docs, apply(golden_rows(), record, naive=True)) == {"lifecycle_stage"}
    assert contact_errors(docs, apply(golden_rows(), record)) == set()


@pytest.mark.parametrize("phone", ["+1 (415) 555-0100", "415.555.0199", "+44 20 7946 0958"])
def test_each_documented_shop_phone_needs_the_e164_format(phone: str, docs: dict[str, Any]) -> None:
    shop_phone = docs["shop"]["components"]["schemas"]["Customer"]["properties"]["phone"]
    assert phone in shop_phone["examples"]
    record = {**shop_customer_example(docs), "phone": phone, "status": None}
    assert contact_errors(docs, apply(golden_rows(), record, naive=True)) == {"phone_numbers.0.number"}
    assert contact_errors(docs, apply(golden_rows(), record)) == set()
