"""Helpers for AI tests: providers over REST, a visitor asking a question, log lookups."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from baton.ai.models import AIReplyLog
from baton.conversations.models import Conversation
from baton.runtime import Runtime
from tests.conversations.helpers import cid, visitor
from tests.factories import user_headers
from tests.realtime.clients import RecordingClient


async def admin(client: httpx.AsyncClient, runtime: Runtime) -> dict[str, str]:
    _, headers = await user_headers(client, runtime, role="admin")
    return headers


async def add_provider(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    body = {"priority": 10, "max_retries": 0, "first_token_seconds": 2, **body}
    response = await client.post("/api/v1/ai/providers", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def ask(
    base_url: str, text: str, *, client: RecordingClient | None = None, timeout: float = 15
) -> tuple[RecordingClient, str, dict[str, Any]]:
    """A visitor asks ``text``; returns (client, conversation_id, the bot_message)."""
    if client is None:
        client, start = await visitor(base_url)
        conversation_id = start["conversation_id"]
    else:
        conversation_id = client.conversation_id  # type: ignore[attr-defined]
    client.conversation_id = conversation_id  # type: ignore[attr-defined]
    seen = len(client.received.get("bot_message", []))
    ack = await client.call("user_message", {"client_id": cid(), "text": text})
    assert "error" not in ack, ack

    async def arrived() -> bool:
        return len(client.received.get("bot_message", [])) > seen

    deadline = asyncio.get_running_loop().time() + timeout
    while not await arrived():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no bot_message within {timeout}s; got {dict(client.received)}")
        await asyncio.sleep(0.02)
    return client, conversation_id, client.received["bot_message"][seen]


def streamed(client: RecordingClient, message_id: str) -> list[str]:
    return [
        d["delta"] for d in client.received.get("bot_stream", []) if d["message_id"] == message_id
    ]


async def logs_of(runtime: Runtime, conversation_id: str) -> list[AIReplyLog]:
    async with runtime.db.session() as session:
        rows = await session.scalars(
            select(AIReplyLog)
            .where(AIReplyLog.conversation_id == uuid.UUID(conversation_id))
            .order_by(AIReplyLog.id)
        )
        return list(rows)


async def conversation(runtime: Runtime, conversation_id: str) -> Conversation:
    async with runtime.db.session() as session:
        found = await session.get(Conversation, uuid.UUID(conversation_id))
        assert found is not None
        return found


class TimedClient(RecordingClient):
    """Also records when each event arrived (loop time), to show token-by-token delivery."""

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.times: dict[str, list[float]] = {}

    async def _record(self, event: str, data: Any = None) -> None:
        self.times.setdefault(event, []).append(asyncio.get_running_loop().time())
        await super()._record(event, data)


async def timed_visitor(base_url: str) -> tuple[TimedClient, str]:
    client = TimedClient("/widget")
    await client.connect(base_url)
    start = await client.call("start_session", {})
    assert "error" not in start, start
    client.conversation_id = start["conversation_id"]  # type: ignore[attr-defined]
    return client, start["conversation_id"]


async def seed_kb(runtime: Runtime) -> None:
    from baton.knowledge.seed import seed as seed_knowledge

    async with runtime.db.session() as session:
        await seed_knowledge(session)
        await session.commit()


def base_url_for(kind: str, fake_base: str) -> str:
    """OpenAI's SDK wants the /v1 prefix in base_url; Anthropic's and Gemini's add it."""
    return f"{fake_base}/v1" if kind == "openai" else fake_base


async def upload(
    client: httpx.AsyncClient, session_token: str, filename: str, data: bytes
) -> dict[str, Any]:
    """A visitor's upload through the widget's session (docs/attachments.md)."""
    response = await client.post(
        "/api/v1/attachments",
        files={"file": (filename, data, "application/octet-stream")},
        headers={"X-Baton-Session": session_token},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def ask_with_files(
    base_url: str,
    http: httpx.AsyncClient,
    text: str,
    files: list[tuple[str, bytes]],
    *,
    timeout: float = 15,
) -> tuple[RecordingClient, str, dict[str, Any]]:
    """A new visitor sends ``text`` (may be empty) with ``files``; returns (client,
    conversation_id, the bot_message)."""
    client, start = await visitor(base_url)
    client.conversation_id = start["conversation_id"]  # type: ignore[attr-defined]
    ids = [(await upload(http, start["session_token"], name, data))["id"] for name, data in files]
    ack = await client.call(
        "user_message", {"client_id": cid(), "text": text, "attachment_ids": ids}
    )
    assert "error" not in ack, ack
    bot = await client.wait_for("bot_message", lambda _: True, timeout=timeout)
    return client, start["conversation_id"], bot
