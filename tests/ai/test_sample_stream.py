"""The providers page's "Test" button: a sample answer streamed as Server-Sent Events while
the provider writes it (a held fake proves the first piece arrives before the end)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from baton.ai.fleet import SAMPLE_QUESTION
from baton.runtime import Runtime
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import add_provider, admin
from tests.factories import user_headers
from tests.support import LiveServer


async def events(response: httpx.Response) -> AsyncIterator[tuple[str, Any]]:
    """(event, data) of each Server-Sent Event, as it arrives."""
    event, data = "message", ""
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()
        elif line == "" and data:
            yield event, json.loads(data)
            event, data = "message", ""


async def test_sample_answer_streams_before_the_provider_finishes(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    headers = await admin(client, runtime)
    saved = await client.patch(
        "/api/v1/ai/settings", json={"system_prompt": "You are Acme's helper."}, headers=headers
    )
    assert saved.status_code == 200, saved.text
    provider = await add_provider(
        client,
        headers,
        kind="openai",
        name="o",
        model="gpt-fake",
        base_url=f"{fake.base_url}/v1",
        api_key=fake.key,
        enabled=False,
    )
    fake.script = Script(tokens=["Hello", " from", " the", " fake."], mode="hold_after_first")
    url = f"/api/v1/ai/providers/{provider['id']}/sample"
    received: list[tuple[str, Any]] = []
    async with client.stream("POST", url, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = events(response)
        first = await anext(stream)
        # the provider is still holding the rest: what arrived is a partial answer
        assert fake.held.is_set() and not fake.resume.is_set()
        assert first == ("delta", {"text": "Hello"})
        fake.resume.set()
        received = [item async for item in stream]
    deltas = [data["text"] for event, data in received if event == "delta"]
    assert "Hello" + "".join(deltas) == "Hello from the fake."
    assert received[-1][0] == "done"
    done = received[-1][1]
    assert done["ok"] is True and done["reply"] == "Hello from the fake."
    assert done["first_token_ms"] is not None and done["health"]["state"] == "closed"
    sent = str(fake.requests[-1].body)
    assert SAMPLE_QUESTION in sent and "You are Acme's helper." in sent
    stored = (await client.get(f"/api/v1/ai/providers/{provider['id']}", headers=headers)).json()
    assert stored["health"]["last_success_at"] is not None  # recorded like a check


async def test_a_failing_provider_ends_the_stream_with_its_error(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    headers = await admin(client, runtime)
    provider = await add_provider(
        client,
        headers,
        kind="openai",
        name="o",
        model="gpt-fake",
        base_url=f"{fake.base_url}/v1",
        api_key=fake.key,
    )
    fake.script = Script(mode="error500")
    url = f"/api/v1/ai/providers/{provider['id']}/sample"
    async with client.stream("POST", url, headers=headers) as response:
        received = [item async for item in events(response)]
    assert [event for event, _ in received] == ["done"]
    assert received[0][1]["ok"] is False and received[0][1]["error"] == "server_error (500)"

    _, agent_headers = await user_headers(client, runtime, role="agent")
    assert (await client.post(url, headers=agent_headers)).status_code == 403
    missing = await client.post(f"/api/v1/ai/providers/{uuid.uuid4()}/sample", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
