"""Helpers for tool tests: the demo order backend, provider set-up, actions over REST."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from baton.audit.models import AuditEntry
from baton.runtime import Runtime
from baton.tools.models import ToolIntegration
from baton.tools.seed import seed
from tests.ai.fakes import FakeLLM
from tests.ai.helpers import add_provider, base_url_for

MODELS = {"openai": "gpt-fake", "anthropic": "claude-fake", "gemini": "gemini-fake"}
KINDS = ["openai", "anthropic", "gemini"]


async def seed_demo(runtime: Runtime) -> None:
    async with runtime.db.session() as session:
        await seed(session)
        await session.commit()


async def demo_order(runtime: Runtime, number: str) -> dict[str, Any]:
    async with runtime.db.session() as session:
        row = await session.scalar(select(ToolIntegration).where(ToolIntegration.kind == "demo"))
        assert row is not None
        return next(o for o in row.state["orders"] if o["number"] == number)


async def audit_count(runtime: Runtime, action: str) -> int:
    async with runtime.db.session() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            )
            or 0
        )


async def use_fake(
    client: httpx.AsyncClient, headers: dict[str, str], kind: str, fake: FakeLLM
) -> None:
    await add_provider(
        client,
        headers,
        kind=kind,
        name=kind,
        model=MODELS[kind],
        base_url=base_url_for(kind, fake.base_url),
        api_key=fake.key,
    )


async def actions(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str
) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/conversations/{conversation_id}/actions", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def tool_result_sent(kind: str, body: dict[str, Any]) -> Any:
    """The tool result carried by a follow-up request, in the provider's wire format."""
    import json

    if kind == "openai":
        last = body["messages"][-1]
        assert last["role"] == "tool" and last["tool_call_id"] == "call_0"
        assert body["messages"][-2]["tool_calls"][0]["id"] == "call_0"
        return json.loads(last["content"])
    if kind == "anthropic":
        last = body["messages"][-1]
        assert last["role"] == "user"
        block = last["content"][0]
        assert block["type"] == "tool_result" and block["tool_use_id"] == "toolu_1"
        assert body["messages"][-2]["content"][-1]["type"] == "tool_use"
        return json.loads(block["content"])
    last = body["contents"][-1]
    part = last["parts"][0]["functionResponse"]
    assert body["contents"][-2]["parts"][-1]["functionCall"]["name"] == part["name"]
    return part["response"]
