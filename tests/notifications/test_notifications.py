"""The notifications centre with real Socket.IO clients: stored rows per eligible agent,
``new_notification`` with the stored id, read-all clearing every tab, the policy's limits."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from baton.notifications.models import Notification
from baton.runtime import Runtime
from tests.conversations.helpers import agent, cid, visitor
from tests.factories import bearer, login, make_user
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer, wait_for


def alerted(n: dict[str, Any]) -> bool:
    return bool(n["kind"] == "waiting")


async def stored(runtime: Runtime, **where: Any) -> list[Notification]:
    async with runtime.db.session() as session:
        stmt = select(Notification).order_by(Notification.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(Notification, key) == value)
        return list(await session.scalars(stmt))


async def test_a_visitor_asking_for_a_person_notifies_each_eligible_agent_once(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, dana_user, _ = await agent(server.base_url, client, runtime, name="Dana")
    eli, eli_user, _ = await agent(server.base_url, client, runtime, name="Eli", presence="offline")
    admin = await make_user(runtime, role="admin")
    # no inbox access: a reporting role, and a deactivated agent
    admin_headers = bearer(await login(client, admin.email))
    made = await client.post(
        "/api/v1/roles",
        json={"name": "reporter", "permissions": ["analytics:read"]},
        headers=admin_headers,
    )
    assert made.status_code == 201, made.text
    reporter = await make_user(runtime, role="reporter")
    gone = await make_user(runtime, role="agent")
    await client.patch(f"/api/v1/users/{gone.id}", json={"is_active": False}, headers=admin_headers)
    v, ack = await visitor(server.base_url)
    try:
        await v.call("user_message", {"client_id": cid(), "text": "My parcel never came"})
        assert (await v.call("request_agent", {}))["status"] == "waiting"
        note = await dana.wait_for("new_notification", lambda n: n["kind"] == "waiting")
        assert note["text"] == "My parcel never came"  # the visitor's words, not our queue line
        assert note["conversation_id"] == ack["conversation_id"] and note["read_at"] is None
        rows = await wait_for(lambda: _at_least(runtime, 3, kind="waiting"), timeout=10)
        by_user = {r.user_id for r in rows}
        assert len(rows) == 3 and by_user == {dana_user.id, eli_user.id, admin.id}
        assert note["id"] in {str(r.id) for r in rows}
        assert reporter.id not in by_user and gone.id not in by_user
        # Dana is online, so round-robin also offers it to her (a separate kind)
        offer = await dana.wait_for("new_notification", lambda n: n["kind"] == "offer")
        assert offer["text"] == "My parcel never came" and offer["id"] != note["id"]
        assert len(dana.received["new_notification"]) == 2
        listed = await client.get("/api/v1/notifications?unread=true", headers=admin_headers)
        assert [(n["kind"], n["text"]) for n in listed.json()["items"]] == [
            ("waiting", "My parcel never came")
        ]
    finally:
        await v.disconnect()
        await dana.disconnect()
        await eli.disconnect()


async def _at_least(
    runtime: Runtime, n: int, kinds: tuple[str, ...] | None = None, **where: Any
) -> list[Notification] | None:
    rows = [r for r in await stored(runtime, **where) if kinds is None or r.kind in kinds]
    return rows if len(rows) >= n else None


async def test_read_all_clears_the_count_on_every_open_tab(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    tab1, dana_user, token = await agent(server.base_url, client, runtime, name="Dana")
    tab2 = RecordingClient("/agent")
    await tab2.connect(server.base_url, auth={"token": token})
    other, eli_user, other_token = await agent(server.base_url, client, runtime, name="Eli")
    headers = bearer(token)
    v, _ = await visitor(server.base_url)
    try:
        await v.call("user_message", {"client_id": cid(), "text": "Where is my refund?"})
        await v.call("request_agent", {})
        first = await tab1.wait_for("new_notification", alerted)
        second = await tab2.wait_for("new_notification", alerted)
        assert first["id"] == second["id"]
        await other.wait_for("new_notification", alerted)

        async def count(h: dict[str, str]) -> int:
            r = await client.get("/api/v1/notifications/unread-count", headers=h)
            return int(r.json()["count"])

        unread = await count(headers)
        assert unread >= 1
        read = await client.post("/api/v1/notifications/read-all", headers=headers)
        assert read.status_code == 200 and read.json() == {"read": unread, "unread_count": 0}
        for tab in (tab1, tab2):
            cleared = await tab.wait_for("notifications_read")
            assert cleared == {"ids": None, "unread_count": 0}
        assert await count(headers) == 0
        assert await count(bearer(other_token)) >= 1  # Eli's are his own
        assert "notifications_read" not in other.received
        items = (await client.get("/api/v1/notifications", headers=headers)).json()["items"]
        assert items and all(n["read_at"] for n in items)
        # someone else's notification is not found, not marked
        theirs = (await client.get("/api/v1/notifications", headers=bearer(other_token))).json()
        foreign = theirs["items"][0]["id"]
        assert (
            await client.post(f"/api/v1/notifications/{foreign}/read", headers=headers)
        ).status_code == 404
        one = await client.post(
            f"/api/v1/notifications/{foreign}/read", headers=bearer(other_token)
        )
        assert one.status_code == 200 and one.json()["read"] == 1
        assert await other.wait_for("notifications_read", lambda e: e["ids"] == [foreign])
        owners = [r.user_id for r in await stored(runtime, id=uuid.UUID(foreign))]
        assert owners == [eli_user.id] and dana_user.id not in owners
    finally:
        for c in (v, tab1, tab2, other):
            await c.disconnect()


async def test_nothing_is_stored_for_agents_who_may_not_see_the_conversation(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, dana_user, _ = await agent(server.base_url, client, runtime, name="Dana")
    eli, eli_user, _ = await agent(server.base_url, client, runtime, name="Eli")
    v, ack = await visitor(server.base_url)
    conversation_id = ack["conversation_id"]
    try:
        await v.call("user_message", {"client_id": cid(), "text": "Help please"})
        await v.call("request_agent", {})
        await eli.wait_for("new_notification", alerted)
        taken = await dana.call("take_over", {"conversation_id": conversation_id})
        assert "error" not in taken, taken
        # and moves on to another thread (reading this one, she needs no alert: see below)
        await dana.call("leave_session", {"conversation_id": conversation_id})
        # Dana owns it: the visitor's next words alert her alone
        await v.call("user_message", {"client_id": cid(), "text": "Still there?"})
        note = await dana.wait_for("new_notification", lambda n: n["kind"] == "message")
        assert note["text"] == "Still there?"
        # while it is unread, the visitor's next line updates it rather than adding a row
        await v.call("user_message", {"client_id": cid(), "text": "Hello? Email me at a@b.co"})
        again = await dana.wait_for(
            "new_notification", lambda n: n["kind"] == "message" and n["text"] != "Still there?"
        )
        assert again["id"] == note["id"] and again["text"] == "Hello? Email me at a@b.co"
        # a note mentioning Eli stores nothing for him: he may not open Dana's conversation
        await dana.call(
            "internal_note", {"conversation_id": conversation_id, "text": "@eli can you look?"}
        )
        await dana.call(
            "agent_message",
            {"conversation_id": conversation_id, "client_id": cid(), "text": "On it"},
        )
        await v.wait_for("agent_message")
        admin = await make_user(runtime, role="admin", name="Ana Admin")
        admin_client = RecordingClient("/agent")
        await admin_client.connect(
            server.base_url, auth={"token": await login(client, admin.email)}
        )
        try:
            joined = await admin_client.call("join_session", {"conversation_id": conversation_id})
            assert "error" not in joined
            await admin_client.call(
                "internal_note", {"conversation_id": conversation_id, "text": "@dana well done"}
            )
            mention = await dana.wait_for("new_notification", lambda n: n["kind"] == "mention")
            assert mention["text"] == "Ana Admin mentioned you: @dana well done"
        finally:
            await admin_client.disconnect()
        kinds_for_eli = sorted(r.kind for r in await stored(runtime, user_id=eli_user.id))
        assert kinds_for_eli in (["waiting"], ["offer", "waiting"])  # round-robin may offer it
        assert "message" not in {n["kind"] for n in eli.received["new_notification"]}
        dana_kinds = sorted(r.kind for r in await stored(runtime, user_id=dana_user.id))
        assert dana_kinds.count("message") == 1 and dana_kinds.count("mention") == 1
    finally:
        await v.disconnect()
        await dana.disconnect()
        await eli.disconnect()


async def test_preferences_choose_the_kinds_that_are_kept(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, dana_user, token = await agent(server.base_url, client, runtime, name="Dana")
    eli, eli_user, _ = await agent(server.base_url, client, runtime, name="Eli")
    headers = bearer(token)
    defaults = (await client.get("/api/v1/notifications/preferences", headers=headers)).json()
    assert defaults["sound"] is True and "waiting" in defaults["kinds"]
    saved = await client.put(
        "/api/v1/notifications/preferences",
        json={"kinds": ["assigned", "mention"], "browser": True},
        headers=headers,
    )
    assert saved.status_code == 200
    assert saved.json() == {"sound": True, "browser": True, "kinds": ["assigned", "mention"]}
    bad = await client.put(
        "/api/v1/notifications/preferences", json={"kinds": ["gossip"]}, headers=headers
    )
    assert bad.status_code == 400 or bad.status_code == 422
    v, _ = await visitor(server.base_url)
    try:
        await v.call("user_message", {"client_id": cid(), "text": "Anyone?"})
        await v.call("request_agent", {})
        await eli.wait_for("new_notification", alerted)
        await wait_for(lambda: _at_least(runtime, 1, user_id=eli_user.id))
        assert await stored(runtime, user_id=dana_user.id) == []  # neither waiting nor offer
        assert "waiting" in [r.kind for r in await stored(runtime, user_id=eli_user.id)]
    finally:
        await v.disconnect()
        await dana.disconnect()
        await eli.disconnect()


async def test_the_waiting_alert_quotes_the_visitor_not_our_queue_line(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, dana_user, _ = await agent(server.base_url, client, runtime, name="Dana")
    v, ack = await visitor(server.base_url)
    conversation_id = ack["conversation_id"]
    try:
        await v.call("user_message", {"client_id": cid(), "text": "The zip on my bag broke"})
        await v.call("request_agent", {})
        await dana.wait_for("new_notification", alerted)
        assert "error" not in await dana.call("take_over", {"conversation_id": conversation_id})
        assert "error" not in await dana.call("release", {"conversation_id": conversation_id})
        # the last message is now ours (queue and release lines); the alert still quotes them
        await v.call("request_agent", {})
        rows = await wait_for(lambda: _at_least(runtime, 2, user_id=dana_user.id, kind="waiting"))
        assert [r.text for r in rows] == ["The zip on my bag broke"] * 2
    finally:
        await v.disconnect()
        await dana.disconnect()


class QueuedJobs:
    """Records what the api process queues (the gate runs there, before anything is queued)."""

    def __init__(self, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
        self.listeners: list[str] = []
        queue = runtime.jobs
        enqueue = queue.enqueue

        async def recording(name: str, kwargs: dict[str, Any], **options: Any) -> None:
            if name == "events.deliver":
                self.listeners.append(kwargs["listener"])
            await enqueue(name, kwargs, **options)

        monkeypatch.setattr(queue, "enqueue", recording)

    def count(self, listener: str) -> int:
        return self.listeners.count(listener)


async def test_no_message_alert_while_the_assignee_has_the_conversation_open(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dana, dana_user, token = await agent(server.base_url, client, runtime, name="Dana")
    v, ack = await visitor(server.base_url)
    conversation_id = ack["conversation_id"]
    ref = {"conversation_id": conversation_id}
    queued = QueuedJobs(server.runtime, monkeypatch)
    second_tab = RecordingClient("/agent")
    try:
        await v.call("user_message", {"client_id": cid(), "text": "Help please"})
        assert "error" not in await dana.call("take_over", ref)  # working in it: it is open
        # the visitor's ack comes after the commit's listeners ran: had the gate let the
        # alert through, its job would be queued by now
        said = await v.call("user_message", {"client_id": cid(), "text": "Are you there?"})
        assert "error" not in said, said
        await dana.wait_for("message_created", lambda m: m["message"]["text"] == "Are you there?")
        assert queued.count("notifications.message") == 0
        # a second tab opens it too; the first leaves: still open, still no alert
        await second_tab.connect(server.base_url, auth={"token": token})
        assert "error" not in await second_tab.call("join_session", ref)
        await dana.call("leave_session", ref)
        await v.call("user_message", {"client_id": cid(), "text": "Hello?"})
        assert queued.count("notifications.message") == 0
        # the last tab goes: the next line alerts her
        await second_tab.disconnect()

        async def closed() -> bool:
            uid = uuid.UUID(conversation_id)
            return not await runtime.connections.which_have_open(uid, [dana_user.id])

        await wait_for(closed)
        await v.call("user_message", {"client_id": cid(), "text": "Anyone?"})
        note = await dana.wait_for("new_notification", lambda n: n["kind"] == "message")
        assert note["text"] == "Anyone?" and note["conversation_id"] == conversation_id
        assert queued.count("notifications.message") == 1
        rows = await stored(runtime, user_id=dana_user.id, kind="message")
        assert [r.text for r in rows] == ["Anyone?"]
    finally:
        await v.disconnect()
        await dana.disconnect()
        await second_tab.disconnect()
