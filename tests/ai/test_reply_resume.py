"""Fault: the api process streaming an AI reply is killed (SIGKILL) mid-stream. Its lease on
the question expires and another api process resumes the reply: the visitor's acked message
gets exactly one stored answer. On the old code nothing resumed it (19 minutes later: none)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from baton.ai.providers.builtin import TALK_TO_PERSON
from baton.ai.replies import ReplyScheduler
from baton.ai.resume import ReplyLeases, resume_unanswered, unanswered
from baton.conversations.models import Conversation, Message
from baton.kit.clock import clock
from baton.runtime import Runtime
from baton.settings import Settings
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import add_provider, admin, logs_of
from tests.realtime.clients import RecordingClient
from tests.support import (
    LiveServer,
    Subprocess,
    free_port,
    settings_env,
    start_live_server,
    uses_postgres,
    wait_for,
    wait_http,
)

LEASE = 2
# The doomed process holds its lease longer than the resumer's sweep waits for a question to
# age: on a loaded machine its first reply (SDK import, first connection) may stall its loop
# past a 2 s lease, and the resumer would answer before the kill (one request, not two).
DOOMED_LEASE = 6


async def _senders(runtime: Runtime, conversation_id: str) -> list[str]:
    async with runtime.db.session() as session:
        rows = await session.scalars(
            select(Message.sender)
            .where(Message.conversation_id == uuid.UUID(conversation_id))
            .order_by(Message.created_at, Message.id)
        )
        return list(rows)


@pytest.fixture
async def resumer(settings: Settings, server: LiveServer) -> AsyncIterator[LiveServer]:
    """Another api process (same database, Redis and namespace) with a short lease."""
    live = await start_live_server(dataclasses.replace(settings, ai_reply_lease_seconds=LEASE))
    yield live
    await live.stop()


@pytest.mark.skipif(not uses_postgres(), reason="two api processes share Redis (PostgreSQL run)")
async def test_a_reply_cut_off_by_a_killed_process_is_resumed_once(
    settings: Settings,
    data_dir: Path,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    resumer: LiveServer,
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
    # the doomed process's answer streams slowly (it is killed mid-way); the resumed one not
    fake.queue = [Script(tokens=[f" word{i}" for i in range(12)], delay=0.4)]
    env = {**settings_env(settings), "BATON_AI_REPLY_LEASE_SECONDS": str(DOOMED_LEASE)}
    port = free_port()
    doomed = Subprocess(["serve", "--port", str(port)], env, data_dir / "doomed-api.log")
    url = f"http://127.0.0.1:{port}"
    visitor = RecordingClient("/widget")
    try:
        await wait_http(f"{url}/health")
        await visitor.connect(url)
        start = await visitor.call("start_session", {})
        conversation_id = start["conversation_id"]
        ack = await visitor.call("user_message", {"client_id": "q1", "text": "Tell me a story"})
        assert "id" in ack, ack
        await visitor.wait_for("bot_stream", timeout=15)  # the answer is streaming...
        assert len(fake.requests) == 1  # (from the doomed process: its lease still holds)
        doomed.kill()  # ...and its process dies
    finally:
        await visitor.disconnect()
        doomed.stop()
    assert await _senders(runtime, conversation_id) == ["visitor"]

    async def answered() -> bool:
        return "bot" in await _senders(runtime, conversation_id)

    await wait_for(answered, timeout=DOOMED_LEASE + LEASE * 2 + 12, interval=0.2)
    assert await _senders(runtime, conversation_id) == ["visitor", "bot"]
    [log] = await logs_of(runtime, conversation_id)
    assert str(log.question_message_id) == ack["id"] and log.outcome == "answered"
    assert len(fake.requests) == 2  # the cut-off attempt and the resumed one
    # later sweeps leave it alone: answered, and marked done
    assert await resume_unanswered(resumer.runtime) == 0
    leases = resumer.runtime.slot(ReplyLeases)
    assert await leases.free(resumer.runtime, [uuid.UUID(ack["id"])]) == []


async def test_a_question_nobody_answered_is_answered_by_the_sweep(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM, resumer: LiveServer
) -> None:
    """Both backends: a question acked and stored, but never answered (its process died
    before the reply started: here, no AI in that moment), is answered by the sweep once a
    lease time has passed, exactly once."""
    headers = await admin(client, runtime)
    await add_provider(
        client,
        headers,
        kind="openai",
        name="fast",
        model="m",
        base_url=f"{fake.base_url}/v1",
        api_key=fake.key,
    )
    scheduler = resumer.runtime.slot(ReplyScheduler)
    replier, scheduler.replier = scheduler.replier, None
    visitor = RecordingClient("/widget")
    await visitor.connect(resumer.base_url)
    try:
        start = await visitor.call("start_session", {})
        conversation_id = start["conversation_id"]
        ack = await visitor.call("user_message", {"client_id": "q1", "text": "Hello?"})
        assert "id" in ack, ack
        assert await resume_unanswered(resumer.runtime) == 0  # no AI: nothing to resume
        scheduler.replier = replier
        assert await resume_unanswered(resumer.runtime) == 0  # younger than a lease
        clock.advance(LEASE + 1)

        async def answered() -> bool:
            return "bot" in await _senders(runtime, conversation_id)

        await wait_for(answered, timeout=15, interval=0.1)  # the process's own sweep loop
        got = await visitor.wait_for("bot_message", timeout=10)
        assert got["text"] == "Hello from the fake."
    finally:
        scheduler.replier = replier
        await visitor.disconnect()
    assert await resume_unanswered(resumer.runtime) == 0
    assert await _senders(runtime, conversation_id) == ["visitor", "bot"]
    assert len(fake.requests) == 1


async def _wait_for_a_person(visitor: RecordingClient) -> str:
    """A visitor asks for a person in words (the handoff phrase is not a question)."""
    start = await visitor.call("start_session", {})
    ack = await visitor.call("user_message", {"client_id": "ask", "text": "talk to a person"})
    assert "id" in ack, ack
    status = await visitor.wait_for("status_changed", timeout=10)
    assert status["status"] == "waiting", status
    return str(start["conversation_id"])


async def _status(runtime: Runtime, conversation_id: str) -> str:
    async with runtime.db.session() as session:
        conversation = await session.get(Conversation, uuid.UUID(conversation_id))
        assert conversation is not None
        return conversation.status


async def test_a_question_asked_while_waiting_is_resumed_when_the_ai_helps_meanwhile(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM, resumer: LiveServer
) -> None:
    """``ai_while_waiting`` on (the default): a visitor queued for a person still gets the AI's
    answers, so a question asked after the handoff that nobody answered (its process died) is
    resumed, once, as a waiting reply (no second offer of a person; still queued). The message
    that asked for a person is never answered as a question. On the old code the sweep looked
    at ``bot`` conversations only: the question stayed unanswered."""
    headers = await admin(client, runtime)
    await add_provider(
        client,
        headers,
        kind="openai",
        name="fast",
        model="m",
        base_url=f"{fake.base_url}/v1",
        api_key=fake.key,
    )
    scheduler = resumer.runtime.slot(ReplyScheduler)
    replier, scheduler.replier = scheduler.replier, None
    visitor = RecordingClient("/widget")
    await visitor.connect(resumer.base_url)
    try:
        conversation_id = await _wait_for_a_person(visitor)
        clock.advance(LEASE + 1)
        assert await unanswered(resumer.runtime) == []  # the request for a person
        ack = await visitor.call("user_message", {"client_id": "q1", "text": "Where is my parcel?"})
        assert "id" in ack, ack
        scheduler.replier = replier
        assert await unanswered(resumer.runtime) == []  # younger than a lease
        clock.advance(LEASE + 1)
        assert await unanswered(resumer.runtime) == [
            (uuid.UUID(conversation_id), uuid.UUID(ack["id"]))
        ]
        got = await visitor.wait_for("bot_message", timeout=15)  # the process's own sweep loop
        assert got["text"] == "Hello from the fake."
        assert TALK_TO_PERSON not in got["suggestions"]  # already waiting for one
    finally:
        scheduler.replier = replier
        await visitor.disconnect()
    assert await resume_unanswered(resumer.runtime) == 0
    assert await _status(runtime, conversation_id) == "waiting"
    assert (await _senders(runtime, conversation_id)).count("bot") == 1
    [log] = await logs_of(runtime, conversation_id)
    # answered once (the fake's request count says nothing here: it also wrote the handoff
    # summary)
    assert str(log.question_message_id) == ack["id"]


async def test_a_waiting_conversation_is_left_to_people_when_the_ai_stops_while_waiting(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM, resumer: LiveServer
) -> None:
    """``ai_while_waiting`` off: a handed-off conversation is a person's alone, and the sweep
    does not answer a question asked while waiting as if the conversation were the bot's."""
    headers = await admin(client, runtime)
    await add_provider(
        client,
        headers,
        kind="openai",
        name="fast",
        model="m",
        base_url=f"{fake.base_url}/v1",
        api_key=fake.key,
    )
    off = await client.patch("/api/v1/settings", json={"ai_while_waiting": False}, headers=headers)
    assert off.status_code == 200 and off.json()["ai_while_waiting"] is False, off.text
    scheduler = resumer.runtime.slot(ReplyScheduler)
    replier, scheduler.replier = scheduler.replier, None
    visitor = RecordingClient("/widget")
    await visitor.connect(resumer.base_url)
    try:
        conversation_id = await _wait_for_a_person(visitor)
        ack = await visitor.call("user_message", {"client_id": "q1", "text": "Where is my parcel?"})
        assert "id" in ack, ack
        scheduler.replier = replier
        clock.advance(LEASE + 1)
        assert await unanswered(resumer.runtime) == []
        assert await resume_unanswered(resumer.runtime) == 0
        assert "bot" not in await _senders(runtime, conversation_id)
        # the same question is the AI's again once the setting allows it (the gate is the
        # setting, not the question)
        on = await client.patch(
            "/api/v1/settings", json={"ai_while_waiting": True}, headers=headers
        )
        assert on.status_code == 200, on.text
        assert await unanswered(resumer.runtime) == [
            (uuid.UUID(conversation_id), uuid.UUID(ack["id"]))
        ]
    finally:
        scheduler.replier = replier
        await visitor.disconnect()
    assert await _status(runtime, conversation_id) == "waiting"
