"""Signed webhooks: subscriptions, delivery exactly once across retries, the log, redeliver,
an unreachable queue, and switching off after repeated failure."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from baton.audit.models import AuditEntry
from baton.jobs.events import deliver as deliver_event
from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from baton.webhooks import delivery as webhook_delivery
from baton.webhooks.models import Webhook, WebhookDelivery
from tests.conversations.helpers import cid, visitor
from tests.factories import user_headers
from tests.support import LiveServer, wait_for
from tests.webhooks.receiver import Receiver

URL = "/api/v1/webhooks"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = await Receiver().start()
    yield r
    await r.stop()


async def _subscribe(
    client: httpx.AsyncClient, headers: dict[str, str], url: str, events: list[str]
) -> dict[str, Any]:
    made = await client.post(URL, json={"url": url, "events": events}, headers=headers)
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def _verify(secret: str, received: Any) -> dict[str, Any]:
    ts = received.headers["X-Baton-Timestamp"]
    expected = hmac.new(secret.encode(), ts.encode() + b"." + received.body, hashlib.sha256)
    assert received.headers["X-Baton-Signature"] == f"sha256={expected.hexdigest()}"
    payload: dict[str, Any] = json.loads(received.body)
    return payload


async def _count(runtime: Runtime, model: type) -> int:
    async with runtime.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_subscriptions_are_validated_and_the_secret_shown_once(
    client: httpx.AsyncClient, runtime: Runtime, receiver: Receiver
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    for bad in (
        {"url": "ftp://example.com/hook", "events": ["message.created"]},
        {"url": "http://10.1.2.3/hook", "events": ["message.created"]},  # internal target
        {"url": receiver.url, "events": []},
        {"url": receiver.url, "events": ["message.deleted"]},
        {"url": receiver.url, "events": ["message.created"], "secret": "mine"},
        {"url": receiver.url, "events": ["message.created"], "description": "x" * 201},
    ):
        refused = await client.post(URL, json=bad, headers=admin)
        assert refused.status_code in (400, 422), (bad, refused.text)
        assert "error" in refused.json()
    assert await _count(runtime, Webhook) == 0

    made = await _subscribe(client, admin, receiver.url, ["ticket.*", "message.created"])
    assert made["secret"].startswith("whsec_") and made["events"] == ["message.created", "ticket.*"]
    shown = (await client.get(f"{URL}/{made['id']}", headers=admin)).json()
    assert shown["secret"] is None and shown["active"] is True
    listed = (await client.get(URL, headers=admin)).json()["items"]
    assert [w["id"] for w in listed] == [made["id"]] and listed[0]["secret"] is None

    changed = await client.patch(
        f"{URL}/{made['id']}",
        json={"events": ["handoff.requested"], "active": False},
        headers=admin,
    )
    assert changed.status_code == 200 and changed.json()["events"] == ["handoff.requested"]
    bad_patch = await client.patch(f"{URL}/{made['id']}", json={"events": ["nope"]}, headers=admin)
    assert bad_patch.status_code == 422
    assert (await client.get(f"{URL}/{made['id']}", headers=admin)).json()["events"] == [
        "handoff.requested"
    ]
    _, agent = await user_headers(client, runtime, "agent")
    assert (await client.get(URL, headers=agent)).status_code == 403
    assert (await client.delete(f"{URL}/{made['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"{URL}/{made['id']}", headers=admin)).status_code == 404
    async with runtime.db.session() as session:
        actions = sorted(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.target_type == "webhook")
            )
        )
    assert actions == ["webhooks.created", "webhooks.deleted", "webhooks.updated"]


async def test_a_receiver_failing_twice_gets_the_event_once_signed(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, receiver: Receiver
) -> None:
    receiver.fail_first = 2
    _, admin = await user_headers(client, runtime, "admin")
    hook = await _subscribe(client, admin, receiver.url, ["message.created"])
    v, start = await visitor(server.base_url)
    try:
        await v.call("user_message", {"client_id": cid(), "text": "Where is parcel 77?"})

        def visitor_message_accepted(r: Receiver) -> bool:
            return any(
                json.loads(x.body)["data"]["message"]["text"] == "Where is parcel 77?"
                for x in r.accepted()
            )

        await receiver.wait_for(visitor_message_accepted)
    finally:
        await v.disconnect()
    mine = [
        r
        for r in receiver.received
        if json.loads(r.body)["data"]["message"]["text"] == "Where is parcel 77?"
    ]
    assert [r.status for r in mine] == [500, 500, 200]
    assert len({r.headers["X-Baton-Delivery"] for r in mine}) == 1  # one id across retries
    payload = _verify(hook["secret"], mine[-1])
    assert mine[-1].headers["X-Baton-Event"] == "message.created"
    assert payload["event"] == "message.created" and payload["version"] == 1
    assert payload["id"] == mine[-1].headers["X-Baton-Delivery"]
    assert payload["data"]["conversation_id"] == start["conversation_id"]
    assert payload["data"]["message"]["sender"] == "visitor"

    async def logged() -> list[dict[str, Any]] | None:
        items = (await client.get(f"{URL}/{hook['id']}/deliveries", headers=admin)).json()["items"]
        done = [d for d in items if d["id"] == payload["id"] and d["status"] == "delivered"]
        return done or None

    [entry] = await wait_for(logged)
    assert entry["attempts"] == 3 and entry["last_status_code"] == 200
    assert entry["last_duration_ms"] is not None

    again = await client.post(f"{URL}/deliveries/{entry['id']}/redeliver", headers=admin)
    assert again.status_code == 201 and again.json()["id"] != entry["id"]
    await receiver.wait_for(
        lambda r: any(x.headers["X-Baton-Delivery"] == again.json()["id"] for x in r.accepted())
    )
    assert (
        await client.post(f"{URL}/deliveries/{cid()[:8]}/redeliver", headers=admin)
    ).status_code in (404, 422)


async def test_only_subscribed_events_are_sent(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, receiver: Receiver
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    hook = await _subscribe(client, admin, receiver.url, ["handoff.requested", "conversation.*"])
    v, start = await visitor(server.base_url)
    try:
        await v.call("user_message", {"client_id": cid(), "text": "hello there"})
        await v.call("user_message", {"client_id": cid(), "text": "I want to talk to a human"})
        await receiver.wait_for(
            lambda r: any(x.headers["X-Baton-Event"] == "handoff.requested" for x in r.accepted())
        )
        await receiver.wait_for(
            lambda r: any(json.loads(x.body)["data"].get("to") == "waiting" for x in r.accepted())
        )
    finally:
        await v.disconnect()
    events = sorted(r.headers["X-Baton-Event"] for r in receiver.accepted())
    assert "message.created" not in events
    assert events.count("conversation.created") == 1 and events.count("handoff.requested") == 1
    created = next(
        json.loads(r.body)
        for r in receiver.accepted()
        if r.headers["X-Baton-Event"] == "conversation.created"
    )
    assert created["data"]["conversation_id"] == start["conversation_id"]
    assert created["data"]["channel"] == "widget"
    for r in receiver.accepted():
        _verify(hook["secret"], r)


async def test_events_written_while_the_queue_is_down_arrive_after_it_returns(
    client: httpx.AsyncClient, runtime: Runtime, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    await _subscribe(client, admin, receiver.url, ["conversation.created"])

    async def down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis is down")

    from baton.conversations.inbound import open_api_conversation

    with monkeypatch.context() as patched:
        patched.setattr(runtime.jobs, "enqueue", down)
        async with unit_of_work(runtime) as uow:
            conversation = await open_api_conversation(uow, name="Ana", email=None)
    assert receiver.received == []
    async with runtime.db.session() as session:
        [status] = await session.scalars(select(WebhookDelivery.status))
    assert status == "queued"  # written with the conversation, waiting for the queue
    assert await webhook_delivery.sweep(runtime) == 1
    await receiver.wait_for(lambda r: len(r.accepted()) == 1)
    assert json.loads(receiver.accepted()[0].body)["data"]["conversation_id"] == str(
        conversation.id
    )


async def test_repeated_failure_switches_the_webhook_off(
    client: httpx.AsyncClient, runtime: Runtime, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attempts are driven here, in this process, with the queue held back (so the worker of
    the PostgreSQL run cannot race them) and limits small enough to reach."""
    import dataclasses

    from baton.conversations.inbound import open_api_conversation

    receiver.fail_first = 10_000
    _, admin = await user_headers(client, runtime, "admin")
    hook = await _subscribe(client, admin, receiver.url, ["conversation.created"])

    held_jobs: list[tuple[str, dict[str, Any]]] = []

    async def held(name: str, kwargs: dict[str, Any], **_: object) -> None:
        held_jobs.append((name, kwargs))

    monkeypatch.setattr(runtime.jobs, "enqueue", held)
    monkeypatch.setattr(
        runtime,
        "settings",
        dataclasses.replace(runtime.settings, webhook_max_attempts=1, webhook_disable_after=2),
    )
    for name in ("One", "Two"):
        async with unit_of_work(runtime) as uow:
            await open_api_conversation(uow, name=name, email=None)
    async with runtime.db.session() as session:
        ids = list(await session.scalars(select(WebhookDelivery.id)))
    assert [await webhook_delivery.deliver(runtime, i) for i in ids] == ["failed", "failed"]

    shown = (await client.get(f"{URL}/{hook['id']}", headers=admin)).json()
    assert not shown["active"] and shown["consecutive_failures"] == 2
    assert "failed" in shown["disabled_reason"]
    failed = (
        await client.get(
            f"{URL}/{hook['id']}/deliveries", params={"status": "failed"}, headers=admin
        )
    ).json()["items"]
    assert len(failed) == 2 and all(d["last_status_code"] == 500 for d in failed)
    async with runtime.db.session() as session:
        audited = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "webhooks.disabled")
        )
    assert audited == 1
    # admins are told (a job-phase listener: run the job the held queue kept)
    alerts = [
        kw
        for name, kw in held_jobs
        if name == "events.deliver" and kw["listener"] == "notifications.webhook_disabled"
    ]
    assert len(alerts) == 1, held_jobs
    async with unit_of_work(runtime) as uow:
        await deliver_event(uow, **alerts[0])
    notes = (await client.get("/api/v1/notifications", headers=admin)).json()["items"]
    off = [n for n in notes if n["kind"] == "webhook"]
    assert len(off) == 1 and receiver.url in off[0]["text"] and "switched off" in off[0]["text"]
    async with unit_of_work(runtime) as uow:  # nothing more is written for it
        await open_api_conversation(uow, name="Three", email=None)
    assert await _count(runtime, WebhookDelivery) == 2
    on = await client.patch(f"{URL}/{hook['id']}", json={"active": True}, headers=admin)
    assert on.json()["active"] and on.json()["consecutive_failures"] == 0


async def test_a_webhook_deleted_by_another_process_never_breaks_a_change(
    client: httpx.AsyncClient, runtime: Runtime, receiver: Receiver
) -> None:
    """This process's subscription cache may be seconds old; a change must still commit."""
    from sqlalchemy import delete

    from baton.conversations.inbound import open_api_conversation
    from baton.conversations.models import Conversation

    _, admin = await user_headers(client, runtime, "admin")
    await _subscribe(client, admin, receiver.url, ["conversation.created"])
    async with unit_of_work(runtime) as uow:  # fills the cache
        await open_api_conversation(uow, name="First", email=None)
    async with runtime.db.session() as session:  # "another process" deletes it
        await session.execute(delete(Webhook))
        await session.commit()
    async with unit_of_work(runtime) as uow:
        await open_api_conversation(uow, name="Second", email=None)
    assert await _count(runtime, Conversation) == 2
