"""One definition, two faces: the MCP server and the LangChain tools are built from the same functions in TOOLS."""

from __future__ import annotations

import inspect
from typing import Annotated

import pytest
from pydantic import BaseModel, Field, ValidationError

import vitesse.tools as tools
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.mcp_server import build_mcp_server
from vitesse.mcp_server.server import tool_handler
from vitesse.tools._faces import (
    args_model,
    dependency_names,
    describe,
    model_parameters,
    original,
    with_dependencies,
)


class Echo(BaseModel):
    text: str
    tenant: str


async def echo(
    text: Annotated[str, Field(description="What to say.")],
    times: int = 1,
    *,
    tenant: str = "default",
    settings: object = None,
) -> Echo:
    """Repeat a text.

    Args:
        text: What to say.
        times: How often.
        tenant: Whose request this is.
        settings: Process settings,
            over two lines.
    """
    return Echo(text=text * times, tenant=tenant)


def test_the_mcp_tools_and_the_langchain_tools_wrap_the_very_same_functions(settings):
    """Both faces list the TOOLS in the same order, and each handler unwraps to the function object in TOOLS."""
    server = build_mcp_server(settings)
    langchain_tools = tools.as_langchain_tools({"settings": settings})
    assert [t.name for t in langchain_tools] == tools.tool_names()
    for fn, lc_tool in zip(tools.TOOLS, langchain_tools, strict=True):
        assert original(lc_tool.coroutine) is fn
        assert original(tool_handler(server, fn.__name__)) is fn


async def test_the_mcp_tool_list_is_exactly_the_shared_list(settings):
    server = build_mcp_server(settings)
    listed = [tool.name for tool in await server.list_tools()]
    assert listed == tools.tool_names()
    assert {"deploy_integration", "get_deployment_status", "destroy_deployment", "get_deployment_logs"} <= set(listed)
    assert {"create_integration", "ingest_api", "propose_mapping", "run_guardian", "http_probe"} <= set(listed)


def test_model_parameters_stop_at_the_star_and_dependencies_follow_it():
    assert [p.name for p in model_parameters(echo)] == ["text", "times"]
    assert dependency_names(echo) == {"tenant", "settings"}
    assert model_parameters(echo)[1].annotation is int


def test_the_description_drops_the_dependency_entries_of_the_docstring():
    text = describe(echo)
    assert "What to say." in text and "How often." in text
    assert "tenant" not in text and "settings" not in text and "over two lines" not in text


def test_no_tool_shows_a_dependency_to_the_model():
    for fn in tools.TOOLS:
        schema = args_model(fn).model_json_schema()
        assert not set(schema.get("properties", {})) & dependency_names(fn), fn.__name__
        assert describe(fn).splitlines()[0].endswith("."), fn.__name__


def test_args_model_validates_like_the_signature():
    model = args_model(echo)
    assert model(text="a").times == 1
    assert model.model_json_schema()["properties"]["text"]["description"] == "What to say."
    with pytest.raises(ValidationError):
        model(text="a", tenant="other")  # a dependency cannot be passed as an argument


async def test_with_dependencies_fills_only_what_the_function_takes_and_keeps_it_as_wrapped():
    bound = with_dependencies(echo, lambda: {"tenant": "acme", "sessions": object()})
    assert original(bound) is echo
    assert list(inspect.signature(bound).parameters) == ["text", "times"]
    assert await bound(text="ab", times=2) == Echo(text="abab", tenant="acme")


async def test_a_langchain_tool_runs_the_shared_function_with_its_dependencies(settings):
    by_name = {t.name: t for t in tools.as_langchain_tools({"settings": settings})}
    result = await by_name["ingest_api"].ainvoke({"source": str(SHOP_SPEC), "resource": "customers"})
    assert result["title"] == "Acme Shop API"
    assert all("customers" in e["endpoint"] for e in result["endpoints"])
    assert "source" in by_name["ingest_api"].args and "settings" not in by_name["ingest_api"].args
    proposal = await by_name["propose_mapping"].ainvoke(
        {"source_api": str(SHOP_SPEC), "dest_api": str(CRM_SPEC), "user_intent": "customers into contacts"}
    )
    assert proposal["mapping"]["source_endpoint"] == "GET /customers"


def test_a_node_can_bind_a_subset_of_the_tools_by_name():
    chosen = tools.as_langchain_tools(names=["http_probe", "get_deployment_status"])
    assert [original(t.coroutine) for t in chosen] == [tools.http_probe, tools.get_tool("get_deployment_status")]


def test_get_tool_names_the_known_tools_when_asked_for_another():
    assert tools.get_tool("http_probe") is tools.http_probe
    with pytest.raises(KeyError, match="known tools: create_integration"):
        tools.get_tool("launch_rockets")
