"""The registry: internal tools first, each provider's tool format, argument and schema
checks, and the demo seed (idempotent)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from baton import catalog
from baton.ai.providers.base import ChatRequest
from baton.kit.uow import UnitOfWork
from baton.tools import demo
from baton.tools.models import ToolIntegration
from baton.tools.registry import (
    INTERNAL_NAMES,
    Registry,
    anthropic_tools,
    check_arguments,
    check_schema,
    gemini_declarations,
    openai_tools,
)
from baton.tools.seed import seed


def test_internal_tools_are_the_first_members_and_the_default_of_every_request() -> None:
    registry = Registry(demo.tools(uuid.uuid4()))
    names = [t.name for t in registry]
    assert names[:3] == ["handoff_to_human", "suggest_follow_ups", "cannot_answer"]
    assert set(names[3:]) == {
        "get_order_history",
        "get_order_status",
        "cancel_order",
        "refund_order",
        "reset_password",
    }
    policies = {t.name: t.policy for t in registry if not t.internal}
    assert policies["get_order_status"] == policies["get_order_history"] == "auto"
    assert {policies[n] for n in ("cancel_order", "refund_order", "reset_password")} == {"approval"}
    assert not any(registry.runnable(n) for n in INTERNAL_NAMES)
    assert registry.runnable("cancel_order") and not registry.runnable("nope")
    request = ChatRequest(system="", messages=[], question="")
    assert {s.name for s in request.tools} == INTERNAL_NAMES


def test_each_provider_format_carries_name_description_and_schema() -> None:
    specs = Registry(demo.tools(uuid.uuid4())).specs()
    status = next(s for s in specs if s.name == "get_order_status")
    [o] = [t for t in openai_tools(specs) if t["function"]["name"] == "get_order_status"]
    assert o == {
        "type": "function",
        "function": {
            "name": "get_order_status",
            "description": status.description,
            "parameters": status.parameters,
        },
    }
    [a] = [t for t in anthropic_tools(specs) if t["name"] == "get_order_status"]
    assert a["input_schema"] == status.parameters and a["description"] == status.description
    [g] = [t for t in gemini_declarations(specs) if t["name"] == "get_order_status"]
    assert g["parameters_json_schema"] == status.parameters


def test_arguments_are_checked_against_the_schema() -> None:
    schema = check_schema(
        {
            "type": "object",
            "properties": {"order_number": {"type": "string"}, "count": {"type": "integer"}},
            "required": ["order_number"],
        }
    )
    assert check_arguments(schema, {"order_number": "1001"}) is None
    assert check_arguments(schema, {}) == "missing argument 'order_number'"
    assert check_arguments(schema, {"order_number": 1001}) == (
        "argument 'order_number' must be of type string"
    )
    assert check_arguments(schema, {"order_number": "1", "count": True}) is not None
    assert check_arguments(schema, {"order_number": "1", "extra": 1}) == "unknown argument 'extra'"
    assert check_arguments(schema, ["1001"]) == "arguments must be an object"
    for bad in (
        {"type": "array"},
        {"type": "object", "properties": {"x": {"type": "date"}}},
        {"type": "object", "properties": {}, "required": ["x"]},
    ):
        with pytest.raises(ValueError):
            check_schema(bad)


async def test_demo_seed_is_idempotent_and_found_by_the_catalog(tx: UnitOfWork) -> None:
    assert seed in catalog.seeders()
    await seed(tx.session)
    await seed(tx.session)
    count = await tx.session.scalar(
        select(func.count()).select_from(ToolIntegration).where(ToolIntegration.kind == "demo")
    )
    assert count == 1
    row = await tx.session.scalar(select(ToolIntegration).where(ToolIntegration.kind == "demo"))
    assert row is not None and [o["number"] for o in row.state["orders"]] == [
        "1001",
        "1002",
        "1003",
        "1004",
    ]
