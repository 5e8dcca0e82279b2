"""Every channel enters through one inbound path: a visitor message posted by an integrator
(the API channel) gets the same AI answer and the same handoff rules as one typed in the
widget. With Redis the API channel's reply runs in the worker (job phase), so this also
shows the reply reaching an agent's socket from another process."""

from __future__ import annotations

from typing import Any

import httpx

from tests.ai.helpers import admin, ask, seed_kb
from tests.conversations.helpers import cid
from tests.factories import user_headers
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer


async def _api_key(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    created = await client.post("/api/v1/api-keys", json={"name": "shop"}, headers=headers)
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['key']}"}


async def _watch(server: LiveServer, token_headers: dict[str, str], conversation_id: str) -> Any:
    watcher = RecordingClient("/agent")
    token = token_headers["Authorization"].removeprefix("Bearer ")
    await watcher.connect(server.base_url, auth={"token": token})
    joined = await watcher.call("join_session", {"conversation_id": conversation_id})
    assert "error" not in joined, joined
    return watcher


def _bot_messages(watcher: RecordingClient) -> list[dict[str, Any]]:
    return [
        m["message"]
        for m in watcher.received.get("message_created", [])
        if m["message"]["sender"] == "bot"
    ]


async def test_api_channel_message_gets_the_widget_answer(
    server: LiveServer, client: httpx.AsyncClient, runtime: Any
) -> None:
    await seed_kb(runtime)
    key = await _api_key(client, await admin(client, runtime))
    question = "How do I return an item?"
    v, _, widget_answer = await ask(server.base_url, question)
    await v.disconnect()

    opened = await client.post(
        "/api/v1/conversations", json={"visitor": {"name": "Ravi"}}, headers=key
    )
    assert opened.status_code == 201, opened.text
    conversation = opened.json()
    assert conversation["channel"] == "api" and conversation["status"] == "bot"
    watcher = await _watch(server, key, conversation["id"])
    try:
        posted = await client.post(
            f"/api/v1/conversations/{conversation['id']}/visitor-messages",
            json={"text": question, "client_id": "m-1"},
            headers=key,
        )
        assert posted.status_code == 201, posted.text
        assert posted.json()["sender"] == "visitor"
        await watcher.wait_for(
            "message_created", lambda m: m["message"]["sender"] == "bot", timeout=20
        )
        [answer] = _bot_messages(watcher)
        assert answer["text"] == widget_answer["text"]
        assert answer["meta"]["source"] == "knowledge_base"

        # a resend is stored once and answered once
        again = await client.post(
            f"/api/v1/conversations/{conversation['id']}/visitor-messages",
            json={"text": question, "client_id": "m-1"},
            headers=key,
        )
        assert again.status_code == 201 and again.json()["id"] == posted.json()["id"]
        page = await client.get(f"/api/v1/conversations/{conversation['id']}/messages", headers=key)
        senders = [m["sender"] for m in page.json()["items"]]
        assert senders == ["visitor", "bot"]
    finally:
        await watcher.disconnect()


async def test_api_channel_handoff_phrase_queues_for_a_person(
    server: LiveServer, client: httpx.AsyncClient, runtime: Any
) -> None:
    _, agent_headers = await user_headers(client, runtime, role="agent")
    key = await _api_key(client, await admin(client, runtime))
    opened = await client.post(
        "/api/v1/conversations",
        json={
            "visitor": {"email": "Ravi@Example.com"},
            "text": "I want to talk to a human",
            "client_id": cid(),
        },
        headers=key,
    )
    assert opened.status_code == 201, opened.text
    conversation = opened.json()
    assert conversation["status"] == "waiting"
    assert conversation["handoff_reason"] == "visitor_phrase"
    assert conversation["visitor"]["email"] == "ravi@example.com"
    page = await client.get(
        f"/api/v1/conversations/{conversation['id']}/messages", headers=agent_headers
    )
    kinds = [(m["sender"], m["meta"].get("kind")) for m in page.json()["items"]]
    # the queue message answers it; the AI does not (same as the widget)
    assert kinds == [("visitor", None), ("system", "queued")]


async def test_api_channel_input_is_validated(client: httpx.AsyncClient, runtime: Any) -> None:
    key = await _api_key(client, await admin(client, runtime))
    _, agent_headers = await user_headers(client, runtime, role="agent")
    bad = await client.post("/api/v1/conversations", json={"text": "hello"}, headers=key)
    assert bad.status_code == 400 or bad.status_code == 422
    assert bad.json()["error"]
    forbidden = await client.post("/api/v1/conversations", json={}, headers=agent_headers)
    assert forbidden.status_code == 403
    empty = await client.post("/api/v1/conversations", json={}, headers=key)
    assert empty.status_code == 201
    blank = await client.post(
        f"/api/v1/conversations/{empty.json()['id']}/visitor-messages",
        json={"text": "   ", "client_id": "x"},
        headers=key,
    )
    assert blank.status_code in (400, 422) and blank.json()["error"] == "empty_message"
