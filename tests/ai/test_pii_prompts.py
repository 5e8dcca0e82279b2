"""``redact_pii_in_prompts``: with it on, the LLM provider (a fake speaking the OpenAI wire
protocol) receives the visitor's personal data masked — in the AI's reply and in the
copilot's draft and summary — while the stored message and the agent's view keep it."""

from __future__ import annotations

import json
from typing import Any

import httpx

from baton.runtime import Runtime
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import add_provider, admin, ask
from tests.conversations.helpers import agent
from tests.support import LiveServer

SAID = (
    "I'm jane.doe@example.com, card 4111 1111 1111 1111 was charged twice for order 1002 "
    "(89.00 USD on 2026-11-20); call me on +44 20 7946 0958"
)
MASKED = (
    "I'm [email], card [card] was charged twice for order 1002 "
    "(89.00 USD on 2026-11-20); call me on [phone]"
)


def _sent(body: dict[str, Any]) -> str:
    """Everything but the system prompt that one request carried."""
    return json.dumps([m for m in body["messages"] if m["role"] != "system"])


async def test_providers_get_masked_text_and_people_the_original(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    headers = await admin(client, runtime)
    on = await client.patch(
        "/api/v1/ai/settings", json={"redact_pii_in_prompts": True}, headers=headers
    )
    assert on.status_code == 200 and on.json()["redact_pii_in_prompts"] is True
    await add_provider(
        client,
        headers,
        kind="openai",
        name="o",
        model="m",
        base_url=f"{fake.base_url}/v1",
        api_key=fake.key,
    )
    fake.script = Script(tokens=["Sorry about that."])
    v, conversation_id, _ = await ask(server.base_url, SAID)
    dana, _, _ = await agent(server.base_url, client, runtime)
    try:
        reply = fake.requests[-1].body
        assert reply["messages"][-1] == {"role": "user", "content": MASKED}
        for secret in ("jane.doe@example.com", "4111", "7946"):
            assert secret not in _sent(reply)

        stored = await client.get(
            f"/api/v1/conversations/{conversation_id}/messages", headers=headers
        )
        assert stored.json()["items"][0]["text"] == SAID
        joined = await dana.call("join_session", {"conversation_id": conversation_id})
        assert joined["messages"][0]["text"] == SAID

        # the copilot's draft and summary go to the same provider, masked the same way
        seen = len(fake.requests)
        ack = await dana.call("suggest_reply", {"conversation_id": conversation_id})
        await dana.wait_for("suggestion", lambda d: d["request_id"] == ack["request_id"])
        ack = await dana.call("summarize", {"conversation_id": conversation_id})
        await dana.wait_for("summary", lambda d: d["request_id"] == ack["request_id"])
        copilot = [r.body for r in fake.requests[seen:]]
        assert len(copilot) == 2
        for body in copilot:
            assert "[email]" in _sent(body) and "[card]" in _sent(body), body
            assert "jane.doe@example.com" not in _sent(body) and "7946" not in _sent(body)
            assert "order 1002" in _sent(body) and "2026-11-20" in _sent(body)

        # off (the default): the provider gets what the visitor wrote
        off = await client.patch(
            "/api/v1/ai/settings", json={"redact_pii_in_prompts": False}, headers=headers
        )
        assert off.json()["redact_pii_in_prompts"] is False
        await ask(server.base_url, "and my email is jane.doe@example.com", client=v)
        last = fake.requests[-1].body["messages"][-1]
        assert last == {"role": "user", "content": "and my email is jane.doe@example.com"}
    finally:
        await v.disconnect()
        await dana.disconnect()
