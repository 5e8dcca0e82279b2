"""No provider, no key: the built-in responder answers from the demo knowledge base."""

from __future__ import annotations

import httpx

from baton.ai.person_offer import ALREADY_WAITING, OFFER, WAITING_NO_ANSWER
from baton.ai.providers.builtin import NO_ANSWER, TALK_TO_PERSON
from baton.knowledge.search import ANSWER_CONFIDENCE
from baton.knowledge.seed import seed as seed_knowledge
from baton.runtime import Runtime
from tests.ai.helpers import ask, conversation, logs_of, streamed
from tests.support import LiveServer


async def seed(runtime: Runtime) -> None:
    async with runtime.db.session() as session:
        await seed_knowledge(session)
        await session.commit()


async def test_return_question_streams_the_returns_article(
    server: LiveServer, runtime: Runtime
) -> None:
    await seed(runtime)
    v, conversation_id, bot = await ask(server.base_url, "How do I return an item?")
    try:
        deltas = streamed(v, bot["id"])
        assert len(deltas) > 10  # streamed piece by piece, under the final message's id
        assert "".join(deltas).strip() == bot["text"]
        assert 'Select "Return an item"'.lower() in bot["text"].lower()
        assert bot["text"].endswith("From our help center: Returns and refunds")
        assert bot["source"] == "knowledge_base"
        # every delta arrived before the complete message
        assert v.received["bot_stream"][0]["delta"] == deltas[0]

        [log] = await logs_of(runtime, conversation_id)
        assert log.response_type == "knowledge_base" and log.outcome == "answered"
        assert log.provider_kind == "builtin" and log.failovers == 0
        assert log.confidence is not None and log.confidence >= 0.5
        assert log.first_token_ms is not None and log.total_ms >= log.first_token_ms
        assert log.sources[0]["title"] == "Returns and refunds"
        assert str(log.message_id) == bot["id"]
        assert (await conversation(runtime, conversation_id)).status == "bot"
    finally:
        await v.disconnect()


async def test_unknown_questions_offer_a_person_and_queue_nobody(
    server: LiveServer, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await seed(runtime)
    v, conversation_id, bot = await ask(server.base_url, "What is the capital of France?")
    try:
        assert bot["text"] == NO_ANSWER
        assert bot["suggestions"] == [TALK_TO_PERSON]
        assert "".join(streamed(v, bot["id"])) == NO_ANSWER
        assert (await conversation(runtime, conversation_id)).status == "bot"

        _, _, answered = await ask(server.base_url, "I forgot my password", client=v)
        assert "From our help center: Resetting your password" in answered["text"]
        _, _, again = await ask(server.base_url, "Can I pay in bitcoin?", client=v)
        assert again["text"] == NO_ANSWER
        # a second consecutive miss still only offers: the visitor decides
        _, _, third = await ask(server.base_url, "Do you sell gift wrapping?", client=v)
        assert third["text"] == NO_ANSWER and third["suggestions"] == [TALK_TO_PERSON]
        assert (await conversation(runtime, conversation_id)).status == "bot"
        # the same question again is the loop signal: no second identical answer, an offer
        _, _, loop = await ask(server.base_url, "Do you sell gift wrapping?", client=v)
        assert loop["text"] == OFFER and loop["suggestions"] == [TALK_TO_PERSON]
        # frustration with nothing to answer: the offer, still nobody queued
        _, _, angry = await ask(server.base_url, "this is useless", client=v)
        assert angry["text"] == OFFER
        found = await conversation(runtime, conversation_id)
        assert found.status == "bot" and found.handoff_reason is None
        logs = await logs_of(runtime, conversation_id)
        assert [entry.outcome for entry in logs] == [
            "no_answer",
            "answered",
            "no_answer",
            "no_answer",
            "no_answer",
            "no_answer",
        ]
        assert all(entry.handoff_reason is None for entry in logs)
        assert logs[0].confidence is not None and logs[0].confidence < ANSWER_CONFIDENCE
    finally:
        await v.disconnect()


async def test_a_waiting_visitor_is_never_offered_a_person_again(
    server: LiveServer, runtime: Runtime
) -> None:
    await seed(runtime)
    v, conversation_id, _ = await ask(server.base_url, "What is the capital of France?")
    try:
        ack = await v.call("request_agent", {})
        assert ack["status"] == "waiting", ack
        _, _, again = await ask(server.base_url, "I want to talk to a human", client=v)
        assert again["text"] == ALREADY_WAITING and again["suggestions"] == []
        _, _, miss = await ask(server.base_url, "Do you sell gift wrapping?", client=v)
        assert miss["text"] == WAITING_NO_ANSWER and TALK_TO_PERSON not in miss["suggestions"]
        assert "talk to a person" not in miss["text"].lower()
        assert (await conversation(runtime, conversation_id)).status == "waiting"
    finally:
        await v.disconnect()
