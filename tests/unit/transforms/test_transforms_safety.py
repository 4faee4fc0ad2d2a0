"""Hostile templates, expressions and function names run no code; the package never evaluates Python."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

import vitesse.transforms
from vitesse.errors import TransformError
from vitesse.schemas import DataTransformation, MappingLogic
from vitesse.transforms import compile_mapping

PACKAGE = Path(vitesse.transforms.__file__).parent


def T(source: str | list[str], dest: str, kind: str = "direct", **config: Any) -> DataTransformation:
    sources = [source] if isinstance(source, str) else source
    return DataTransformation(source_fields=sources, dest_field=dest, transform_type=kind, transform_config=config)


def mapping(*ts: DataTransformation) -> MappingLogic:
    return MappingLogic(source_endpoint="GET /a", dest_endpoint="POST /b", transformations=list(ts))


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "pwned"


HOSTILE_TEMPLATES = [
    ("{first_name.__class__}", "looks like attribute access"),
    ("{first_name.__class__.__init__.__globals__}", "looks like attribute access"),
    ("{__import__('os').system('touch MARKER')}", "is not a field path"),
    ("{first_name!r}", "is not a field path"),
    ("{first_name:>{width}}", "unmatched"),
    ("{first_name[0]}", "is not a field path"),
    ("{0}", "which is not one of the source_fields"),
]


@pytest.mark.parametrize(("template", "why"), HOSTILE_TEMPLATES)
def test_hostile_template_is_refused_and_runs_nothing(template: str, why: str, marker: Path) -> None:
    """Templates allow only field paths from source_fields; attribute access, calls and format specs are refused."""
    text = template.replace("MARKER", str(marker))
    with pytest.raises(TransformError, match="config key 'template'") as caught:
        compile_mapping(mapping(T(["first_name"], "greeting", "format", template=text)))
    assert why in str(caught.value)
    assert not marker.exists()


def test_template_values_are_data_and_never_expanded_again() -> None:
    """A value that looks like a template or a format spec is written literally."""
    t = T(["first_name"], "greeting", "format", template="Hi {first_name}")
    record = {"first_name": "{first_name.__class__} {0!r}"}
    assert compile_mapping(mapping(t)).apply(record).payload == {"greeting": "Hi {first_name.__class__} {0!r}"}


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("__import__('os').system('touch MARKER')", "unknown function __import__()"),
        ("eval('1+1')", "unknown function eval()"),
        ("first_name; import os", "is not valid JMESPath"),
        ("`os`.system(`ls`)", "deprecated `bare` string literal"),
        ("to_string(@).format('x')", "unknown function format()"),
    ],
)
def test_hostile_expression_is_refused_at_compile_time(expression: str, why: str, marker: Path) -> None:
    """Python-looking expressions are JMESPath errors (syntax or unknown function) at compile time; nothing runs."""
    text = expression.replace("MARKER", str(marker))
    with pytest.raises(TransformError, match="config key 'expression'") as caught:
        compile_mapping(mapping(T([], "x", "expression", expression=text)))
    assert why in str(caught.value)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("expression", "record", "expected"),
    [
        ("first_name.__class__", {"first_name": "Mary"}, {}),
        ("first_name.__class__.__init__.__globals__", {"first_name": "Mary"}, {}),
        ('"__class__"', {"__class__": "just data"}, {"x": "just data"}),
        ("@.__dict__", {"a": 1}, {}),
    ],
)
def test_dunder_names_in_expressions_are_dictionary_lookups(
    expression: str, record: dict[str, Any], expected: dict[str, Any]
) -> None:
    """JMESPath reads `__class__` as a key of the record, never as a Python attribute."""
    assert compile_mapping(mapping(T([], "x", "expression", expression=expression))).apply(record).payload == expected


@pytest.mark.parametrize("name", ["eval", "exec", "__import__", "os.system", "getattr", "builtins.open"])
def test_custom_function_names_resolve_only_through_the_registry(name: str) -> None:
    """A custom function name is a registry key; Python builtins and dotted module paths are unknown names."""
    with pytest.raises(TransformError, match=f"Unknown custom transform function '{name}'"):
        compile_mapping(mapping(T("a", "a", "custom", function=name)))


def _called_names(tree: ast.AST) -> list[tuple[str, bool, int]]:
    """(name, called as an attribute, line) of every call in a module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                found.append((func.id, False, node.lineno))
            elif isinstance(func, ast.Attribute):
                found.append((func.attr, True, node.lineno))
    return found


def test_the_package_source_never_evaluates_code_or_formats_user_text() -> None:
    """No module of vitesse.transforms calls eval, exec, compile-to-code, dynamic imports or str.format."""
    forbidden = {"eval", "exec", "__import__", "import_module", "format_map"}
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) >= 10
    for module in modules:
        calls = _called_names(ast.parse(module.read_text(), filename=str(module)))
        assert [c for c in calls if c[0] in forbidden] == [], module.name
        assert [c for c in calls if c[0] == "format" and c[1]] == [], f"{module.name} calls .format()"
        assert [c for c in calls if c[0] == "compile" and not c[1]] == [], f"{module.name} calls builtin compile()"
