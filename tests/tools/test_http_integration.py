"""Tools served by a real backend over HTTP: configured by an admin (URL through the outbound
guard, secret sealed and shown once), each call signed like the webhooks; an endpoint that
fails or times out gives the agent an error, never a 500."""

from __future__ import annotations

import uuid

import httpx
import pytest

from baton.runtime import Runtime
from baton.tools.models import ToolIntegration
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import admin, ask
from tests.support import LiveServer
from tests.tools.endpoint import ToolEndpoint
from tests.tools.helpers import actions, tool_result_sent, use_fake

LOYALTY = {
    "name": "get_loyalty_points",
    "description": "A customer's loyalty points.",
    "parameters": {
        "type": "object",
        "properties": {"email": {"type": "string"}},
        "required": ["email"],
    },
    "policy": "auto",
}
UPGRADE = {
    "name": "upgrade_shipping",
    "description": "Upgrade an order to express shipping.",
    "parameters": {
        "type": "object",
        "properties": {"order_number": {"type": "string"}},
        "required": ["order_number"],
    },
    "policy": "approval",
}


async def integrate(
    client: httpx.AsyncClient, headers: dict[str, str], endpoint: ToolEndpoint, **extra: object
) -> dict[str, object]:
    body = {"name": "Shop backend", "url": endpoint.url, "tools": [LOYALTY, UPGRADE], **extra}
    created = await client.post("/api/v1/tools/integrations", json=body, headers=headers)
    assert created.status_code == 201, created.text
    out = created.json()
    assert str(out["secret"]).startswith("tlsec_")
    endpoint.secret = str(out["secret"])
    return out  # type: ignore[no-any-return]


async def test_a_signed_call_feeds_the_backend_result_to_the_model(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    endpoint: ToolEndpoint,
) -> None:
    headers = await admin(client, runtime)
    created = await integrate(client, headers, endpoint)
    listed = (await client.get("/api/v1/tools/integrations", headers=headers)).json()["items"]
    assert [i["id"] for i in listed] == [created["id"]] and listed[0]["secret"] is None
    async with runtime.db.session() as session:
        row = await session.get(ToolIntegration, uuid.UUID(str(created["id"])))
        assert row is not None and endpoint.secret not in (row.secret_sealed or "")
    tools = (await client.get("/api/v1/tools", headers=headers)).json()["items"]
    assert {t["name"]: t["policy"] for t in tools}["get_loyalty_points"] == "auto"
    endpoint.results["get_loyalty_points"] = {"points": 420, "tier": "gold"}
    await use_fake(client, headers, "gemini", fake)
    fake.queue = [
        Script(tokens=[], calls=[("get_loyalty_points", {"email": "sam@example.com"})]),
        Script(tokens=["You have 420 points (gold tier)."]),
    ]
    v, conversation_id, bot = await ask(server.base_url, "How many points do I have?")
    try:
        assert bot["text"] == "You have 420 points (gold tier)."
        [call] = endpoint.calls
        assert call.signature_ok  # HMAC-SHA256 of "timestamp.body" with the shown secret
        assert call.headers["X-Baton-Event"] == "tool.call"
        assert call.json["tool"] == "get_loyalty_points"
        assert call.json["arguments"] == {"email": "sam@example.com"}
        assert call.json["conversation_id"] == conversation_id
        [action] = await actions(client, headers, conversation_id)
        assert call.headers["X-Baton-Delivery"] == action["id"] == call.json["action_id"]
        assert tool_result_sent("gemini", fake.requests[1].body) == {"points": 420, "tier": "gold"}
    finally:
        await v.disconnect()


@pytest.mark.parametrize("mode", ["error500", "stall", "not_json"])
async def test_a_failing_endpoint_shows_the_agent_an_error(
    mode: str,
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    endpoint: ToolEndpoint,
) -> None:
    headers = await admin(client, runtime)
    await integrate(client, headers, endpoint, timeout_seconds=0.5)
    await use_fake(client, headers, "openai", fake)
    fake.queue = [
        Script(tokens=[], calls=[("upgrade_shipping", {"order_number": "1002"})]),
        Script(tokens=["A colleague will confirm the upgrade."]),
    ]
    endpoint.mode = mode
    v, conversation_id, _ = await ask(server.base_url, "Can I get express shipping on 1002?")
    try:
        [action] = await actions(client, headers, conversation_id)
        assert action["status"] == "proposed" and endpoint.calls == []
        approved = await client.post(f"/api/v1/actions/{action['id']}/approve", headers=headers)
        assert approved.status_code == 200, approved.text
        out = approved.json()
        assert out["status"] == "failed" and out["result"] is None
        expected = {
            "error500": "HTTP 500",
            "stall": "did not answer within 0.5 s",
            "not_json": "not JSON",
        }[mode]
        assert expected in out["error"], out["error"]
        assert len(endpoint.calls) == 1 and endpoint.calls[0].signature_ok
        [listed] = await actions(client, headers, conversation_id)
        assert listed["status"] == "failed" and listed["error"] == out["error"]
    finally:
        await v.disconnect()


async def test_an_auto_tool_error_goes_back_to_the_model(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    endpoint: ToolEndpoint,
) -> None:
    headers = await admin(client, runtime)
    await integrate(client, headers, endpoint)
    await use_fake(client, headers, "anthropic", fake)
    endpoint.mode = "error500"
    fake.queue = [
        Script(tokens=[], calls=[("get_loyalty_points", {"email": "sam@example.com"})]),
        Script(tokens=["Sorry, I can't see your points right now."]),
    ]
    v, conversation_id, bot = await ask(server.base_url, "my points?")
    try:
        assert bot["text"] == "Sorry, I can't see your points right now."
        sent = tool_result_sent("anthropic", fake.requests[1].body)
        assert "HTTP 500" in sent["error"]
        [action] = await actions(client, headers, conversation_id)
        assert action["status"] == "failed" and "HTTP 500" in action["error"]
    finally:
        await v.disconnect()


async def test_bad_integrations_are_refused_and_nothing_is_stored(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, endpoint: ToolEndpoint
) -> None:
    headers = await admin(client, runtime)
    url = "/api/v1/tools/integrations"
    cases = [
        {"name": "x", "url": "http://169.254.169.254/latest", "tools": [LOYALTY]},
        {"name": "x", "url": "ftp://example.com/", "tools": [LOYALTY]},
        {"name": "x", "url": endpoint.url, "tools": []},
        {"name": "x", "url": endpoint.url, "tools": [{**LOYALTY, "name": "handoff_to_human"}]},
        {"name": "x", "url": endpoint.url, "tools": [{**LOYALTY, "policy": "sometimes"}]},
        {"name": "x", "url": endpoint.url, "tools": [{**LOYALTY, "parameters": {"type": "array"}}]},
        {"name": "x", "url": endpoint.url, "tools": [LOYALTY], "timeout_seconds": 600},
    ]
    for body in cases:
        response = await client.post(url, json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]
    assert (await client.get(url, headers=headers)).json()["items"] == []


async def test_a_slow_tool_does_not_count_against_the_model_deadlines(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    endpoint: ToolEndpoint,
) -> None:
    """The provider's first-token deadline is 2 s; the tool stalls until its own 3 s timeout:
    the model still gets the error and answers (no failover, no apology)."""
    headers = await admin(client, runtime)
    await integrate(client, headers, endpoint, timeout_seconds=3)
    await use_fake(client, headers, "openai", fake)
    endpoint.mode = "stall"
    fake.queue = [
        Script(tokens=[], calls=[("get_loyalty_points", {"email": "sam@example.com"})]),
        Script(tokens=["Sorry, our points system is slow right now."]),
    ]
    v, conversation_id, bot = await ask(server.base_url, "points please", timeout=30)
    try:
        assert bot["text"] == "Sorry, our points system is slow right now."
        assert len(fake.requests) == 2
        sent = tool_result_sent("openai", fake.requests[1].body)
        assert sent == {"error": "the tool endpoint did not answer within 3 s"}
        [action] = await actions(client, headers, conversation_id)
        assert action["status"] == "failed"
    finally:
        await v.disconnect()
