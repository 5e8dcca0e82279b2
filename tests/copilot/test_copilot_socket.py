"""The copilot over /agent with real Socket.IO clients: a streamed suggested reply with its
citations, a cached summary (also produced on handoff), sentiment on visitor messages."""

from __future__ import annotations

import httpx

from baton.copilot.sentiment import score
from baton.knowledge.seed import seed as seed_knowledge
from baton.runtime import Runtime
from tests.ai.helpers import ask
from tests.conversations.helpers import agent
from tests.support import LiveServer


async def seed(runtime: Runtime) -> None:
    async with runtime.db.session() as session:
        await seed_knowledge(session)
        await session.commit()


def test_sentiment_scores_angry_and_happy_messages() -> None:
    assert score("this is useless, I am furious!!!") < -0.4
    assert score("great, thank you so much!") > 0.4
    assert score("") == 0.0 and -0.2 < score("where is my parcel") < 0.2


async def test_suggest_reply_streams_a_draft_with_citations(
    server: LiveServer, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await seed(runtime)
    v, conversation_id, _ = await ask(server.base_url, "What is your return policy?")
    a, _, _ = await agent(server.base_url, client, runtime)
    try:
        ack = await a.call("suggest_reply", {"conversation_id": conversation_id})
        assert ack["conversation_id"] == conversation_id and ack["request_id"], ack
        done = await a.wait_for("suggestion", lambda d: d["request_id"] == ack["request_id"])
        deltas = [
            d["delta"]
            for d in a.received.get("suggestion_stream", [])
            if d["request_id"] == ack["request_id"]
        ]
        assert len(deltas) > 3 and "".join(deltas).strip() == done["text"]
        assert "30 days" in done["text"]
        assert done["citations"][0]["title"] == "Returns and refunds"
        assert done["citations"][0]["article_id"]

        # summary on demand: streamed, then cached until a new message arrives
        first = await a.call("summarize", {"conversation_id": conversation_id})
        summary = await a.wait_for("summary", lambda d: d["request_id"] == first["request_id"])
        assert "return policy" in summary["text"] and summary["cached"] is False
        second = await a.call("summarize", {"conversation_id": conversation_id})
        again = await a.wait_for("summary", lambda d: d["request_id"] == second["request_id"])
        assert again["text"] == summary["text"] and again["cached"] is True

        # another agent's socket gets nothing of this agent's drafts
        refused = await a.call("suggest_reply", {"conversation_id": "not-an-id"})
        assert refused["error"] == "not_found", refused
    finally:
        await v.disconnect()
        await a.disconnect()


async def test_handoff_produces_a_summary_and_messages_carry_sentiment(
    server: LiveServer, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await seed(runtime)
    v, conversation_id, _ = await ask(server.base_url, "Can I cancel my order?")
    a, _, _ = await agent(server.base_url, client, runtime)
    try:
        joined = await a.call("join_session", {"conversation_id": conversation_id})
        [question] = [m for m in joined["messages"] if m["sender"] == "visitor"]
        assert isinstance(question["sentiment"], float)
        assert all(m["sentiment"] is None for m in joined["messages"] if m["sender"] != "visitor")

        await v.call(
            "user_message", {"client_id": "angry-1", "text": "this is useless, I want a human"}
        )
        summary = await a.wait_for("summary", lambda d: d["conversation_id"] == conversation_id)
        assert "cancel my order" in summary["text"] and "Waiting for a person" in summary["text"]
        created = await a.wait_for(
            "message_created", lambda d: d["message"]["client_id"] == "angry-1"
        )
        assert created["message"]["sentiment"] < -0.3
        # the summary is cached: asking for it now needs no new generation
        ack = await a.call("summarize", {"conversation_id": conversation_id})
        cached = await a.wait_for("summary", lambda d: d["request_id"] == ack["request_id"])
        assert cached["cached"] is True and cached["text"] == summary["text"]
    finally:
        await v.disconnect()
        await a.disconnect()


async def test_agent_verdicts_on_ai_replies_feed_the_accuracy_log(
    server: LiveServer, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    from tests.ai.helpers import logs_of

    await seed(runtime)
    v, conversation_id, bot = await ask(server.base_url, "How do I return an item?")
    a, user, _ = await agent(server.base_url, client, runtime)
    try:
        ack = await a.call(
            "ai_verdict",
            {"conversation_id": conversation_id, "message_id": bot["id"], "verdict": "good"},
        )
        assert ack["verdict"] == "good", ack
        [log] = await logs_of(runtime, conversation_id)
        assert log.verdict == "good" and log.verdict_by_id == user.id

        refused = await a.call(
            "ai_verdict",
            {"conversation_id": conversation_id, "message_id": bot["id"], "verdict": "corrected"},
        )
        assert refused["error"] == "correction_required", refused
        fixed = await a.call(
            "ai_verdict",
            {
                "conversation_id": conversation_id,
                "message_id": bot["id"],
                "verdict": "corrected",
                "correction": "Returns are free within 30 days.",
            },
        )
        assert fixed["verdict"] == "corrected"
        [log] = await logs_of(runtime, conversation_id)
        assert log.correction == "Returns are free within 30 days."
        missing = await a.call(
            "ai_verdict",
            {"conversation_id": conversation_id, "message_id": conversation_id, "verdict": "bad"},
        )
        assert missing["error"] == "not_found"
    finally:
        await v.disconnect()
        await a.disconnect()
