"""Live /agent sockets lose their rights with their principal (review H1, L4).

Each principal change (deactivation, deletion, role change, password change, key revocation)
disconnects that principal's sockets at once; an action on a socket whose credentials went
bad without such a change is refused once the cached principal is stale; a client cannot
re-fire the server's ``connect``/``disconnect`` handlers to leave a phantom online agent.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from socketio import packet
from sqlalchemy import update

from baton.auth import realtime as socket_auth
from baton.runtime import Runtime
from baton.settings import Settings
from baton.users.models import User
from tests.conversations.helpers import cid, visitor
from tests.factories import bearer, login, make_user, user_headers
from tests.realtime.clients import RecordingClient
from tests.support import (
    LiveServer,
    Subprocess,
    free_port,
    settings_env,
    uses_postgres,
    wait_for,
    wait_http,
)


class AgentSocket(RecordingClient):
    def __init__(self) -> None:
        super().__init__("/agent")
        self.gone = asyncio.Event()

        async def on_disconnect(*_: Any) -> None:
            self.gone.set()

        self.sio.on("disconnect", on_disconnect, namespace="/agent")

    async def raw_event(self, *data: Any) -> None:
        """Send an event packet the real client refuses to send (reserved names)."""
        await self.sio._send_packet(  # the attacker's view: a hand-made packet
            self.sio.packet_class(packet.EVENT, namespace="/agent", data=list(data))
        )


async def agent_socket(base_url: str, token: str) -> AgentSocket:
    sock = AgentSocket()
    await sock.connect(base_url, auth={"token": token})
    return sock


async def _waiting_conversation(base_url: str) -> str:
    v, start = await visitor(base_url)
    await v.call("user_message", {"client_id": cid(), "text": "hello"})
    await v.disconnect()
    return str(start["conversation_id"])


Change = Callable[[httpx.AsyncClient, dict[str, str], User], Awaitable[httpx.Response]]


async def _deactivate(c: httpx.AsyncClient, h: dict[str, str], u: User) -> httpx.Response:
    return await c.patch(f"/api/v1/users/{u.id}", json={"is_active": False}, headers=h)


async def _delete(c: httpx.AsyncClient, h: dict[str, str], u: User) -> httpx.Response:
    return await c.delete(f"/api/v1/users/{u.id}", headers=h)


async def _demote(c: httpx.AsyncClient, h: dict[str, str], u: User) -> httpx.Response:
    return await c.patch(f"/api/v1/users/{u.id}", json={"role": "agent"}, headers=h)


async def _new_password(c: httpx.AsyncClient, h: dict[str, str], u: User) -> httpx.Response:
    return await c.patch(f"/api/v1/users/{u.id}", json={"password": "a-new-pass-9"}, headers=h)


@pytest.mark.parametrize(
    "change", [_deactivate, _delete, _demote, _new_password], ids=lambda f: f.__name__[1:]
)
async def test_principal_change_disconnects_its_sockets(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, change: Change
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    user = await make_user(runtime, role="admin")
    token = await login(client, user.email)
    sock = await agent_socket(server.base_url, token)
    bystander_user, bystander_h = await user_headers(client, runtime)
    bystander = await agent_socket(server.base_url, bystander_h["Authorization"][7:])
    try:
        assert await runtime.connections.which_connected([user.id]) == {user.id}
        assert (await change(client, admin, user)).status_code in (200, 204)
        await asyncio.wait_for(sock.gone.wait(), 10)

        async def uncounted() -> bool:  # no longer offered conversations
            return not await runtime.connections.which_connected([user.id])

        await wait_for(uncounted, 10)
        # the others keep their sockets (a probe round-trips)
        ack = await bystander.call("leave_session", {"conversation_id": str(uuid.uuid4())})
        assert ack == {"ok": True} and not bystander.gone.is_set()
    finally:
        await sock.disconnect()
        await bystander.disconnect()
    assert bystander_user.id


async def test_revoked_key_socket_is_disconnected(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    key = (await client.post("/api/v1/api-keys", json={"name": "crm"}, headers=admin)).json()
    sock = await agent_socket(server.base_url, key["key"])
    try:
        assert (
            await client.delete(f"/api/v1/api-keys/{key['id']}", headers=admin)
        ).status_code == 204
        await asyncio.wait_for(sock.gone.wait(), 10)
    finally:
        await sock.disconnect()


async def test_stale_principal_is_revalidated_per_action(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Credentials that went bad without a principal-change message (here: a direct database
    update) are caught by the next action once the cached principal is stale."""
    user, headers = await user_headers(client, runtime)
    sock = await agent_socket(server.base_url, headers["Authorization"][7:])
    conversation_id = await _waiting_conversation(server.base_url)
    try:
        monkeypatch.setattr(socket_auth, "PRINCIPAL_TTL_SECONDS", 0.0)
        joined = await sock.call("join_session", {"conversation_id": conversation_id})
        assert "error" not in joined, joined
        async with runtime.db.session() as session:
            await session.execute(update(User).where(User.id == user.id).values(is_active=False))
            await session.commit()
        for event, data in (
            ("join_session", {"conversation_id": conversation_id}),
            ("agent_message", {"conversation_id": conversation_id, "client_id": "x", "text": "hi"}),
        ):
            refused = await sock.call(event, data)
            assert refused["error"] == "unauthorized", (event, refused)
        await asyncio.wait_for(sock.gone.wait(), 10)

        async def uncounted() -> bool:
            return not await runtime.connections.which_connected([user.id])

        await wait_for(uncounted, 10)
    finally:
        await sock.disconnect()
    admin_user, admin = await user_headers(client, runtime, "admin")
    messages = await client.get(f"/api/v1/conversations/{conversation_id}/messages", headers=admin)
    assert [m["text"] for m in messages.json()["items"] if m["sender"] == "agent"] == []
    assert admin_user.id


async def test_role_edit_refreshes_live_sockets(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """An agent whose role gains read_all joins inbox:all without reconnecting."""
    _, admin = await user_headers(client, runtime, "admin")
    await client.post(
        "/api/v1/roles",
        json={"name": "lead", "permissions": ["conversations:read", "conversations:reply"]},
        headers=admin,
    )
    user = await make_user(runtime, role="lead")
    sock = await agent_socket(server.base_url, await login(client, user.email))
    try:
        edited = await client.patch(
            "/api/v1/roles/lead",
            json={"permissions": ["conversations:read", "conversations:read_all"]},
            headers=admin,
        )
        assert edited.status_code == 200

        async def in_inbox_all() -> bool:
            await runtime.publisher.emit("probe", {"n": 1}, rooms=["inbox:all"], namespace="/agent")
            return bool(sock.received.get("probe"))

        await wait_for(in_inbox_all, 10)
        assert not sock.gone.is_set()
    finally:
        await sock.disconnect()


async def test_refired_connect_leaves_no_phantom_agent(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user, headers = await user_headers(client, runtime)
    token = headers["Authorization"][7:]
    sock = await agent_socket(server.base_url, token)
    try:
        for _ in range(3):
            await sock.raw_event("connect", {}, {"token": token})
        await sock.raw_event("disconnect")
        # a probe after the forged packets: they were handled before its ack
        assert await sock.call("leave_session", {"conversation_id": "x"}) == {"ok": True}
        assert await runtime.connections.which_connected([user.id]) == {user.id}
    finally:
        await sock.disconnect()

    async def gone() -> bool:
        return not await runtime.connections.which_connected([user.id])

    await wait_for(gone, 10)


# -- on every process --------------------------------------------------------------------


@pytest.fixture(scope="module")
async def second_api(settings: Settings, data_dir: Path, server: LiveServer) -> AsyncIterator[str]:
    port = free_port()
    proc = Subprocess(
        ["serve", "--port", str(port)], settings_env(settings), data_dir / "api-rights.log"
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_http(f"{url}/health")
    except AssertionError:
        raise AssertionError(proc.output()) from None
    yield url
    proc.stop()


@pytest.mark.slow
@pytest.mark.skipif(not uses_postgres(), reason="several processes need Redis")
async def test_revocation_reaches_sockets_on_other_processes(
    second_api: str, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    user = await make_user(runtime)
    token = await login(client, user.email)
    key = (await client.post("/api/v1/api-keys", json={"name": "k"}, headers=admin)).json()
    on_b = await agent_socket(second_api, token)
    key_on_b = await agent_socket(second_api, key["key"])
    try:
        # the change is made through this process; the sockets live on the other one
        await _deactivate(client, admin, user)
        await client.delete(f"/api/v1/api-keys/{key['id']}", headers=admin)
        await asyncio.wait_for(on_b.gone.wait(), 10)
        await asyncio.wait_for(key_on_b.gone.wait(), 10)
        assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 401
    finally:
        await on_b.disconnect()
        await key_on_b.disconnect()


SOCKET_EVENTS = {  # event -> the permission it needs (docs/permissions.md, Socket.IO)
    "join_session": "conversations:read",
    "take_over": "conversations:reply",
    "release": "conversations:reply",
    "resolve": "conversations:resolve",
    "agent_message": "conversations:reply",
    "internal_note": "conversations:reply",
    "typing_start": "conversations:reply",
    "typing_stop": "conversations:reply",
}


async def test_socket_events_follow_the_callers_permissions(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The socket half of the RBAC matrix: a custom read-only role and a scoped key are
    refused every event their permissions do not cover, and nothing changes."""
    _, admin = await user_headers(client, runtime, "admin")
    await client.post(
        "/api/v1/roles",
        json={"name": "watcher", "permissions": ["conversations:read"]},
        headers=admin,
    )
    watcher = await make_user(runtime, role="watcher")
    key = (
        await client.post(
            "/api/v1/api-keys",
            json={"name": "reader", "scopes": ["conversations:read"]},
            headers=admin,
        )
    ).json()["key"]
    conversation_id = await _waiting_conversation(server.base_url)
    for token in (await login(client, watcher.email), key):
        sock = await agent_socket(server.base_url, token)
        try:
            for event, needs in SOCKET_EVENTS.items():
                data = {"conversation_id": conversation_id, "client_id": cid(), "text": "x"}
                ack = await sock.call(event, data)
                if needs == "conversations:read":
                    assert "error" not in ack, (event, ack)
                else:
                    assert ack["error"] == "forbidden", (event, ack)
        finally:
            await sock.disconnect()
    conversation = (
        await client.get(f"/api/v1/conversations/{conversation_id}", headers=admin)
    ).json()
    assert conversation["status"] in ("bot", "waiting") and conversation["assignee"] is None
    messages = (
        await client.get(f"/api/v1/conversations/{conversation_id}/messages", headers=admin)
    ).json()["items"]
    assert [m["sender"] for m in messages if m["sender"] == "agent"] == []
