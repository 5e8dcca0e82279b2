"""The AI's tools against each provider's fake (OpenAI, Anthropic, Gemini wire formats): an
``auto`` tool runs and the model answers with its result; an ``approval`` tool becomes a
proposed action that has not run, and runs exactly once when an agent approves it."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
import socketio

from baton.auth.permissions import ALL_PERMISSIONS
from baton.auth.principal import Principal
from baton.kit.errors import Conflict
from baton.runtime import Runtime, build_runtime
from baton.settings import Settings
from baton.tools.service import decide
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import admin, ask
from tests.ai.test_streaming import tool_names
from tests.conversations.helpers import agent, visitor
from tests.conversations.helpers import cid as client_id
from tests.factories import user_headers
from tests.realtime.clients import barrier
from tests.support import LiveServer
from tests.tools.helpers import (
    KINDS,
    actions,
    audit_count,
    demo_order,
    seed_demo,
    tool_result_sent,
    use_fake,
)


@pytest.mark.parametrize("kind", KINDS)
async def test_model_looks_up_an_order_and_answers_with_the_result(
    kind: str, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    await seed_demo(runtime)
    headers = await admin(client, runtime)
    await use_fake(client, headers, kind, fake)
    fake.queue = [
        Script(tokens=[], calls=[("get_order_status", {"order_number": "1002"})]),
        Script(tokens=["Order 1002 has shipped;", " tracking 1Z999AA10123456784."]),
    ]
    v, conversation_id, bot = await ask(server.base_url, "Where is my order 1002?")
    try:
        assert bot["text"] == "Order 1002 has shipped; tracking 1Z999AA10123456784."
        first, second = [r.body for r in fake.requests]
        names = tool_names(kind, first)
        assert {"get_order_status", "cancel_order", "handoff_to_human"} <= set(names)
        sent = tool_result_sent(kind, second)
        assert sent["status"] == "shipped" and sent["tracking"] == "1Z999AA10123456784"
        [action] = await actions(client, headers, conversation_id)
        assert action["tool"] == "get_order_status" and action["policy"] == "auto"
        assert action["status"] == "done" and action["result"]["status"] == "shipped"
    finally:
        await v.disconnect()


@pytest.mark.parametrize("kind", KINDS)
async def test_a_proposed_cancellation_waits_and_runs_once_when_approved(
    kind: str, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    await seed_demo(runtime)
    headers = await admin(client, runtime)
    await use_fake(client, headers, kind, fake)
    fake.queue = [
        Script(tokens=[], calls=[("cancel_order", {"order_number": "1001"})]),
        Script(tokens=["I've asked a colleague to approve cancelling order 1001."]),
    ]
    v, conversation_id, bot = await ask(server.base_url, "Please cancel order 1001")
    try:
        assert bot["text"] == "I've asked a colleague to approve cancelling order 1001."
        assert tool_result_sent(kind, fake.requests[1].body)["status"] == "awaiting_approval"
        [action] = await actions(client, headers, conversation_id)
        assert action["tool"] == "cancel_order" and action["status"] == "proposed"
        assert action["arguments"] == {"order_number": "1001"} and action["result"] is None
        assert (await demo_order(runtime, "1001"))["status"] == "processing"  # not run

        first, second = await asyncio.gather(
            client.post(f"/api/v1/actions/{action['id']}/approve", headers=headers),
            client.post(f"/api/v1/actions/{action['id']}/approve", headers=headers),
        )
        codes = sorted([first.status_code, second.status_code])
        assert codes == [200, 409], (first.text, second.text)
        won = first if first.status_code == 200 else second
        lost = second if won is first else first
        assert won.json()["status"] == "done" and won.json()["result"]["status"] == "cancelled"
        assert lost.json()["error"] == "action_decided"
        again = await client.post(f"/api/v1/actions/{action['id']}/approve", headers=headers)
        assert again.status_code == 409
        assert (await demo_order(runtime, "1001"))["status"] == "cancelled"
        assert await audit_count(runtime, "actions.approved") == 1
        assert await audit_count(runtime, "actions.done") == 1  # the handler ran once
        [after] = await actions(client, headers, conversation_id)
        assert after["status"] == "done" and after["decided_by"]["name"]
    finally:
        await v.disconnect()


async def test_a_rejected_action_never_runs(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    await seed_demo(runtime)
    headers = await admin(client, runtime)
    await use_fake(client, headers, "openai", fake)
    fake.queue = [
        Script(tokens=[], calls=[("refund_order", {"order_number": "1003"})]),
        Script(tokens=["A colleague will review the refund."]),
    ]
    v, conversation_id, _ = await ask(server.base_url, "Refund order 1003 please")
    try:
        [action] = await actions(client, headers, conversation_id)
        rejected = await client.post(f"/api/v1/actions/{action['id']}/reject", headers=headers)
        assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
        late = await client.post(f"/api/v1/actions/{action['id']}/approve", headers=headers)
        assert late.status_code == 409 and late.json()["error"] == "action_decided"
        order = await demo_order(runtime, "1003")
        assert order["status"] == "delivered" and "refunded" not in order
        assert await audit_count(runtime, "actions.rejected") == 1
        assert await audit_count(runtime, "actions.done") == 0
        missing = await client.post(
            "/api/v1/actions/00000000-0000-0000-0000-000000000000/approve", headers=headers
        )
        assert missing.status_code == 404
    finally:
        await v.disconnect()


async def test_agent_receives_the_proposal_over_the_agent_socket(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    await seed_demo(runtime)
    headers = await admin(client, runtime)
    await use_fake(client, headers, "anthropic", fake)
    fake.queue = [
        Script(tokens=[], calls=[("reset_password", {"email": "maria@example.com"})]),
        Script(tokens=["A colleague will confirm the password reset."]),
    ]
    v, start = await visitor(server.base_url)
    conversation_id = start["conversation_id"]
    a, _, token = await agent(server.base_url, client, runtime)
    try:
        joined = await a.call("join_session", {"conversation_id": conversation_id})
        assert "error" not in joined, joined
        await v.call("user_message", {"client_id": client_id(), "text": "I forgot my password"})
        proposed = await a.wait_for(
            "action_proposed", lambda d: d["action"]["conversation_id"] == conversation_id
        )
        action = proposed["action"]
        assert action["tool"] == "reset_password" and action["status"] == "proposed"
        agent_headers = {"Authorization": f"Bearer {token}"}
        done = await client.post(f"/api/v1/actions/{action['id']}/approve", headers=agent_headers)
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "done"
        assert done.json()["result"]["email"] == "maria@example.com"
        await a.wait_for(
            "action_updated",
            lambda d: d["action"]["id"] == action["id"] and d["action"]["status"] == "done",
        )
        await barrier(runtime, a)
        statuses = [d["action"]["status"] for d in a.received.get("action_updated", [])]
        assert statuses == ["approved", "done"]
    finally:
        await v.disconnect()
        await a.disconnect()


async def test_a_call_with_bad_arguments_is_refused_and_the_model_told(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    await seed_demo(runtime)
    headers = await admin(client, runtime)
    await use_fake(client, headers, "openai", fake)
    fake.queue = [
        Script(tokens=[], calls=[("cancel_order", {"order": 1001})]),
        Script(tokens=["Which order number should I cancel?"]),
    ]
    v, conversation_id, bot = await ask(server.base_url, "cancel it")
    try:
        assert bot["text"] == "Which order number should I cancel?"
        sent = tool_result_sent("openai", fake.requests[1].body)
        assert sent == {"error": "invalid arguments: missing argument 'order_number'"}
        [action] = await actions(client, headers, conversation_id)
        assert action["status"] == "failed" and action["error"] == "missing argument 'order_number'"
        refused = await client.post(f"/api/v1/actions/{action['id']}/approve", headers=headers)
        assert refused.status_code == 409  # only a proposal can be approved
        assert (await demo_order(runtime, "1001"))["status"] == "processing"
    finally:
        await v.disconnect()


async def test_two_processes_approving_at_once_run_the_action_once(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    fake: FakeLLM,
) -> None:
    """Another api process (its own runtime and connection pool) approves the same action
    while this one does: one wins, the other gets the 409, the refund happens once."""
    await seed_demo(runtime)
    user, headers = await user_headers(client, runtime, role="admin")
    await use_fake(client, headers, "openai", fake)
    fake.queue = [
        Script(tokens=[], calls=[("refund_order", {"order_number": "1003"})]),
        Script(tokens=["A colleague will review the refund."]),
    ]
    v, conversation_id, _ = await ask(server.base_url, "Refund order 1003")
    # with Redis it emits through Redis like the worker; embedded, into a server of its own
    sio = None if settings.redis_url else socketio.AsyncServer(async_mode="asgi")
    other = build_runtime(settings, sio=sio, run_jobs_in_process=False)
    try:
        [action] = await actions(client, headers, conversation_id)
        principal = Principal("user", user.id, "Admin elsewhere", "admin", ALL_PERMISSIONS)
        there, here = await asyncio.gather(
            decide(other, principal, uuid.UUID(action["id"]), approve=True),
            client.post(f"/api/v1/actions/{action['id']}/approve", headers=headers),
            return_exceptions=True,
        )
        outcomes = sorted(
            [
                "409" if isinstance(there, Conflict) else getattr(there, "status", repr(there)),
                "409" if here.status_code == 409 else here.json()["status"],  # type: ignore[union-attr]
            ]
        )
        assert outcomes == ["409", "done"], (there, here)
        assert await audit_count(runtime, "actions.done") == 1
        order = await demo_order(runtime, "1003")
        assert order["status"] == "refunded" and order["refunded"] == "64.90"
    finally:
        await other.stop()
        await v.disconnect()
