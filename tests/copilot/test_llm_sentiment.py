"""Sentiment from the configured LLM, through the provider adapters against the local fakes
(OpenAI, Anthropic and Gemini wire formats): the model's score replaces the lexicon's on the
message, reaches the inbox as ``message_updated`` and drives the waiting conversation's
priority; a failing or stalling provider leaves the offline score in place."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from baton.ai.fleet import Member
from baton.ai.providers import build_provider
from baton.copilot import llm_sentiment
from baton.copilot.realtime import CopilotTasks
from baton.copilot.sentiment import score
from baton.runtime import Runtime
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import add_provider, ask, base_url_for
from tests.conversations.helpers import agent, cid, visitor
from tests.factories import user_headers
from tests.realtime.clients import RecordingClient, barrier
from tests.support import LiveServer

KINDS = ["openai", "anthropic", "gemini"]


def test_parse_reads_the_json_asked_for_or_a_bare_number() -> None:
    assert llm_sentiment.parse('{"sentiment": -0.8}') == -0.8
    assert llm_sentiment.parse('Sure! ```json\n{"sentiment": 0.25}\n```') == 0.25
    assert llm_sentiment.parse("-0.3") == -0.3
    assert llm_sentiment.parse('{"sentiment": 3}') is None  # off the scale
    assert llm_sentiment.parse("I cannot tell") is None
    assert llm_sentiment.parse("") is None


def _member(kind: str, fake: FakeLLM, *, timeout: float = 5) -> Member:
    provider = build_provider(
        kind,
        name=f"fake {kind}",
        model=f"{kind}-fake",
        api_key=fake.key,
        base_url=base_url_for(kind, fake.base_url),
        timeout=timeout,
    )
    return Member(
        key=kind,
        source="db",
        kind=kind,
        name=f"fake {kind}",
        model=f"{kind}-fake",
        provider=provider,
        timeout=timeout,
        max_retries=0,
    )


def _sentiment_requests(fake: FakeLLM) -> list[dict[str, Any]]:
    """The classification requests the fake received (not replies or summaries)."""
    return [r.body for r in fake.classifications]


@pytest.mark.parametrize("kind", KINDS)
async def test_classify_through_each_adapter(fake: FakeLLM, kind: str) -> None:
    fake.sentiment_script = Script(tokens=['{"sentiment"', ": -0.", "7}"])
    found = await llm_sentiment.classify([_member(kind, fake)], "hmm, ok then")
    assert found is not None and (found.score, found.kind) == (-0.7, kind)
    [body] = _sentiment_requests(fake)
    assert "tools" not in body  # a plain classification: no tools offered
    assert "hmm, ok then" in json.dumps(body)


async def test_classify_falls_back_on_error_and_timeout(fake: FakeLLM, backup: FakeLLM) -> None:
    fake.sentiment_script = Script(mode="error500")
    assert await llm_sentiment.classify([_member("openai", fake)], "hello") is None
    backup.sentiment_script = Script(tokens=['{"sentiment": 0.6}'])
    found = await llm_sentiment.classify(
        [_member("openai", fake), _member("anthropic", backup)], "hello"
    )
    assert found is not None and (found.score, found.kind) == (0.6, "anthropic")  # the next one
    fake.sentiment_script = Script(mode="stall")
    assert await llm_sentiment.classify([_member("gemini", fake)], "hi", deadline=0.5) is None
    fake.sentiment_script = Script(tokens=["no idea"])
    assert await llm_sentiment.classify([_member("openai", fake)], "hi") is None  # unreadable


async def _waiting_visitor(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, headers: dict[str, str]
) -> tuple[RecordingClient, RecordingClient, str]:
    response = await client.patch(
        "/api/v1/settings", json={"ai_while_waiting": False}, headers=headers
    )
    assert response.status_code == 200, response.text
    v, start = await visitor(server.base_url)
    conversation_id = start["conversation_id"]
    assert (await v.call("request_agent", {})).get("status") == "waiting"
    a, _, _ = await agent(server.base_url, client, runtime)
    joined = await a.call("join_session", {"conversation_id": conversation_id})
    assert "error" not in joined, joined
    return v, a, conversation_id


@pytest.mark.parametrize("kind", KINDS)
async def test_the_models_score_is_stored_shown_and_raises_priority(
    server: LiveServer, runtime: Runtime, client: httpx.AsyncClient, fake: FakeLLM, kind: str
) -> None:
    _, headers = await user_headers(client, runtime, role="admin")
    await add_provider(
        client,
        headers,
        kind=kind,
        name=f"fake {kind}",
        api_key=fake.key,
        base_url=base_url_for(kind, fake.base_url),
    )
    fake.sentiment_script = Script(tokens=['{"sentiment": -0.9}'])  # sarcasm the lexicon misses
    v, a, conversation_id = await _waiting_visitor(server, client, runtime, headers)
    text = "Oh great, another wonderful wait. Fantastic."
    assert score(text) > 0.5  # the lexicon reads it as happy
    try:
        ack = await v.call("user_message", {"client_id": cid(), "text": text})
        updated = await a.wait_for(
            "message_updated", lambda d: d["message"]["id"] == ack["id"], timeout=15
        )
        message = updated["message"]
        assert message["sentiment"] == -0.9
        assert message["meta"]["sentiment_source"] == "llm"
        assert message["meta"]["sentiment_lexicon"] == score(text)
        await runtime.slot(CopilotTasks).drain()
        await barrier(runtime, a)
        row = (await client.get(f"/api/v1/conversations/{conversation_id}", headers=headers)).json()
        assert (row["priority"], row["priority_reason"]) == ("high", "visitor_frustrated")
        stored = await client.get(
            f"/api/v1/conversations/{conversation_id}/messages", headers=headers
        )
        [mine] = [m for m in stored.json()["items"] if m["id"] == ack["id"]]
        assert mine["sentiment"] == -0.9
        assert len(_sentiment_requests(fake)) == 1
    finally:
        await v.disconnect()
        await a.disconnect()


async def test_a_failing_provider_leaves_the_lexicon_score(
    server: LiveServer, runtime: Runtime, client: httpx.AsyncClient, fake: FakeLLM
) -> None:
    _, headers = await user_headers(client, runtime, role="admin")
    await add_provider(
        client,
        headers,
        kind="openai",
        name="down",
        api_key=fake.key,
        base_url=base_url_for("openai", fake.base_url),
    )
    fake.sentiment_script = Script(mode="error500")
    v, a, conversation_id = await _waiting_visitor(server, client, runtime, headers)
    try:
        ack = await v.call(
            "user_message", {"client_id": cid(), "text": "Terrible. Absolutely terrible."}
        )
        assert "error" not in ack, ack
        await runtime.slot(CopilotTasks).drain()
        await barrier(runtime, a)
        assert _sentiment_requests(fake)  # the model was asked...
        assert a.received.get("message_updated", []) == []  # ...and nothing replaced the score
        stored = await client.get(
            f"/api/v1/conversations/{conversation_id}/messages", headers=headers
        )
        [mine] = [m for m in stored.json()["items"] if m["id"] == ack["id"]]
        assert mine["sentiment"] == score("Terrible. Absolutely terrible.")
        assert "sentiment_source" not in mine["meta"]
        row = (await client.get(f"/api/v1/conversations/{conversation_id}", headers=headers)).json()
        assert row["priority"] == "high"  # judged on the lexicon score instead
    finally:
        await v.disconnect()
        await a.disconnect()


async def test_the_ais_conversation_is_scored_by_the_model_only_when_it_is_handed_off(
    server: LiveServer, runtime: Runtime, client: httpx.AsyncClient, fake: FakeLLM
) -> None:
    """While the AI answers, one model request per message (the reply), the lexicon's score
    on the message; the handoff has the visitor's last messages scored by the model, and the
    queued conversation's priority judged on them."""
    _, headers = await user_headers(client, runtime, role="admin")
    await add_provider(
        client,
        headers,
        kind="openai",
        name="fake openai",
        api_key=fake.key,
        base_url=base_url_for("openai", fake.base_url),
    )
    fake.sentiment_script = Script(tokens=['{"sentiment": -0.9}'])
    sarcastic = "Oh great, another wonderful wait. Fantastic."
    v, _, _ = await ask(server.base_url, sarcastic)
    conversation_id = v.conversation_id  # type: ignore[attr-defined]
    try:
        await runtime.slot(CopilotTasks).drain()
        assert _sentiment_requests(fake) == []  # the AI's conversation: no side request
        assert len(fake.requests) == 1  # the reply's own

        queued = await v.call("request_agent", {})
        assert queued.get("status") == "waiting", queued
        await runtime.slot(CopilotTasks).drain()
        assert len(_sentiment_requests(fake)) == 1  # the visitor's one message, now
        stored = await client.get(
            f"/api/v1/conversations/{conversation_id}/messages", headers=headers
        )
        [mine] = [m for m in stored.json()["items"] if m["sender"] == "visitor"]
        assert mine["sentiment"] == -0.9 and mine["meta"]["sentiment_source"] == "llm"
        assert mine["meta"]["sentiment_lexicon"] == score(sarcastic)
        row = (await client.get(f"/api/v1/conversations/{conversation_id}", headers=headers)).json()
        assert (row["priority"], row["priority_reason"]) == ("high", "visitor_frustrated")
    finally:
        await v.disconnect()
