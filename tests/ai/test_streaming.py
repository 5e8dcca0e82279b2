"""Each official SDK against a fake server speaking its streaming protocol, token by token to a
real Socket.IO visitor (and to an agent watching the conversation)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from baton.runtime import Runtime
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import (
    add_provider,
    admin,
    ask,
    base_url_for,
    conversation,
    logs_of,
    seed_kb,
    streamed,
    timed_visitor,
)
from tests.conversations.helpers import agent
from tests.support import LiveServer

KINDS = ["openai", "anthropic", "gemini"]
MODELS = {"openai": "gpt-fake", "anthropic": "claude-fake", "gemini": "gemini-fake"}
TOKENS = ["To return", " an item,", " open Orders", " and select", " Return an item", "."]


def system_text(kind: str, body: dict[str, Any]) -> str:
    if kind == "openai":
        return str(body["messages"][0]["content"])
    if kind == "anthropic":
        return str(body["system"])
    return str(body["systemInstruction"]["parts"][0]["text"])


def tool_names(kind: str, body: dict[str, Any]) -> list[str]:
    if kind == "openai":
        return [t["function"]["name"] for t in body.get("tools", [])]
    if kind == "anthropic":
        return [t["name"] for t in body.get("tools", [])]
    return [f["name"] for t in body.get("tools", []) for f in t.get("functionDeclarations", [])]


def _frames_of(frames: list[str], tokens: list[str]) -> bool:
    """Each frame is one or more whole consecutive tokens."""
    i = 0
    for frame in frames:
        joined = ""
        while i < len(tokens) and len(joined) < len(frame):
            joined += tokens[i]
            i += 1
        if joined != frame:
            return False
    return i == len(tokens)


@pytest.mark.parametrize("kind", KINDS)
async def test_sdk_streams_token_by_token_to_the_visitor(
    kind: str,
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
) -> None:
    await seed_kb(runtime)
    headers = await admin(client, runtime)
    provider = await add_provider(
        client,
        headers,
        kind=kind,
        name=f"{kind} primary",
        model=MODELS[kind],
        base_url=base_url_for(kind, fake.base_url),
        api_key=fake.key,
    )
    fake.script = Script(
        tokens=TOKENS, delay=0.12, suggestions=["How long do refunds take?", "Print a label"]
    )
    v, conversation_id = await timed_visitor(server.base_url)
    watcher, _, _ = await agent(server.base_url, client, runtime)
    try:
        joined = await watcher.call("join_session", {"conversation_id": conversation_id})
        assert "error" not in joined, joined
        _, _, bot = await ask(server.base_url, "How do I return an item?", client=v)

        # streamed as it is generated: tokens 120 ms apart leave in frames of their own
        # (~40 ms frames join only tokens that arrive together), in order, spread in time
        frames = streamed(v, bot["id"])
        assert frames[0] == TOKENS[0] and "".join(frames) == "".join(TOKENS)
        assert _frames_of(frames, TOKENS) and len(frames) >= len(TOKENS) // 2
        times = v.times["bot_stream"]
        assert times[-1] - times[0] >= 0.12 * (len(frames) - 1) * 0.5
        assert v.times["bot_message"][0] >= times[-1]
        assert bot["text"] == "".join(TOKENS)
        assert bot["suggestions"] == ["How long do refunds take?", "Print a label"]
        assert bot["source"] == "llm"

        # an agent watching the conversation sees the same stream
        agent_deltas = [
            d["delta"]
            for d in watcher.received.get("bot_stream", [])
            if d["message_id"] == bot["id"] and d["conversation_id"] == conversation_id
        ]
        assert "".join(agent_deltas) == "".join(TOKENS) and _frames_of(agent_deltas, TOKENS)

        # RAG: the model got the retrieved passages (and the tools)
        [request] = fake.requests
        assert request.protocol == kind
        system = system_text(kind, request.body)
        assert "Returns and refunds" in system and "prepaid return label" in system
        assert sorted(tool_names(kind, request.body)) == [
            "cannot_answer",
            "handoff_to_human",
            "suggest_follow_ups",
        ]
        assert "How do I return an item?" in json.dumps(request.body)

        [log] = await logs_of(runtime, conversation_id)
        assert log.response_type == "llm" and log.outcome == "answered"
        assert log.provider_kind == kind and str(log.provider_id) == provider["id"]
        assert log.model == MODELS[kind]
        assert (log.prompt_tokens, log.completion_tokens) == (42, 7)
        assert log.failovers == 0 and log.attempts == []
        assert log.first_token_ms is not None and log.total_ms >= log.first_token_ms + 400
        assert log.sources and log.sources[0]["title"] == "Returns and refunds"
    finally:
        await v.disconnect()
        await watcher.disconnect()


@pytest.mark.parametrize("kind", KINDS)
async def test_model_asks_for_a_person_through_a_tool_call(
    kind: str,
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
) -> None:
    headers = await admin(client, runtime)
    await add_provider(
        client,
        headers,
        kind=kind,
        name=kind,
        model=MODELS[kind],
        base_url=base_url_for(kind, fake.base_url),
        api_key=fake.key,
    )
    fake.script = Script(
        tokens=["I'll get a colleague", " to look at this."],
        handoff="wants an exception to the refund policy",
    )
    v, conversation_id, bot = await ask(server.base_url, "I want a refund after 90 days!")
    try:
        assert bot["text"] == "I'll get a colleague to look at this."
        await v.wait_for("status_changed", lambda d: d["status"] == "waiting")
        found = await conversation(runtime, conversation_id)
        assert found.status == "waiting" and found.handoff_reason == "ai_requested"
        [log] = await logs_of(runtime, conversation_id)
        assert log.outcome == "handoff"
        assert log.handoff_reason == "ai_requested: wants an exception to the refund policy"
    finally:
        await v.disconnect()


async def test_markers_stand_in_for_tools_and_never_reach_the_visitor(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    """An OpenAI-compatible server without tool support (use_tools: false)."""
    headers = await admin(client, runtime)
    await add_provider(
        client,
        headers,
        kind="openai",
        name="local vLLM",
        model="llama-fake",
        base_url=f"{fake.base_url}/v1",
        use_tools=False,
    )
    fake.key = "not-needed"  # local servers take any key; the SDK sends a placeholder
    fake.script = Script(
        tokens=[
            "Sorry, I can't",
            " find that. [",
            "[cannot_",
            "answer]]\n[[sugg",
            "est: Opening hours | Shipping]]",
        ]
    )
    v, conversation_id, bot = await ask(server.base_url, "Do you have a shop in Paris?")
    try:
        deltas = streamed(v, bot["id"])
        assert "[" not in "".join(deltas)
        assert bot["text"] == "Sorry, I can't find that."
        assert bot["suggestions"] == ["Talk to a person", "Opening hours", "Shipping"]
        [request] = fake.requests
        assert "tools" not in request.body
        assert "[[cannot_answer]]" in request.body["messages"][0]["content"]
        [log] = await logs_of(runtime, conversation_id)
        assert log.outcome == "no_answer" and log.confidence == 0.0
    finally:
        await v.disconnect()


async def test_an_agent_taking_over_mid_stream_keeps_the_answer_out(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    headers = await admin(client, runtime)
    await add_provider(
        client,
        headers,
        kind="openai",
        name="slow",
        model="m",
        base_url=f"{fake.base_url}/v1",
        api_key=fake.key,
    )
    story = ["one", " two", " three", " four", " five", " six", " seven", " eight", " nine", " ten"]
    fake.script = Script(tokens=story, delay=0.25)
    watcher, _, token = await agent(server.base_url, client, runtime)
    v, conversation_id = await timed_visitor(server.base_url)
    try:
        await v.call("user_message", {"client_id": "q1", "text": "Tell me a story"})
        await v.wait_for("bot_stream")  # the answer is streaming...
        taken = await watcher.call("take_over", {"conversation_id": conversation_id})
        assert taken["conversation"]["status"] == "agent"
        await v.wait_for(
            "display_typing", lambda d: d["sender"] == "bot" and d["typing"] is False, timeout=5
        )
        # ...and is not stored: the person owns the conversation now
        messages = await client.get(
            f"/api/v1/conversations/{conversation_id}/messages",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert [m["sender"] for m in messages.json()["items"]] == ["visitor", "system"]
        assert v.received.get("bot_message") is None
        cancelled = await v.wait_for("bot_stream_cancelled")
        streamed_id = v.received["bot_stream"][0]["message_id"]
        assert cancelled == {"message_id": streamed_id}
        # the stream stops reaching the visitor soon after the take-over, not at its end
        assert "".join(d["delta"] for d in v.received["bot_stream"]) != "".join(story)
        assert await logs_of(runtime, conversation_id) == []
    finally:
        await v.disconnect()
        await watcher.disconnect()
