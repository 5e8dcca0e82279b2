"""The outbox loses nothing and sends nothing twice: an outage of Resend (30 s on the fake's
clock), a worker killed mid-send, the job queue unreachable at commit, an admin's re-send."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import select

from baton.mail import outbox
from baton.mail.models import OutboxEmail
from baton.mail.templates import Rendered
from baton.runtime import Runtime
from tests.factories import user_headers
from tests.mail.fake_resend import FakeResend
from tests.support import wait_for
from tests.tickets.helpers import delivered_to, settled, submit


async def rows_to(runtime: Runtime, address: str) -> list[OutboxEmail]:
    async with runtime.db.session() as session:
        return list(
            await session.scalars(
                select(OutboxEmail)
                .where(OutboxEmail.to_address == address)
                .order_by(OutboxEmail.id)
            )
        )


async def test_welcome_email_leaves_through_the_outbox(
    client: httpx.AsyncClient, runtime: Runtime, resend_fake: FakeResend
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    r = await client.post(
        "/api/v1/users", json={"email": "new@example.com", "password": "longenough"}, headers=admin
    )
    assert r.status_code == 201
    [mail] = await delivered_to(resend_fake, "new@example.com", 1)
    assert mail.body["subject"] == "Your Baton account"
    assert mail.idempotency_key and mail.idempotency_key.startswith("baton-email-")
    await settled(runtime)
    listed = (await client.get("/api/v1/emails?status=sent", headers=admin)).json()["items"]
    [row] = [e for e in listed if e["to"] == "new@example.com"]
    assert row["attempts"] == 1 and row["last_error"] is None and row["provider_id"] == mail.id


async def test_an_outage_of_30_seconds_still_delivers_exactly_once(
    client: httpx.AsyncClient, runtime: Runtime, resend_fake: FakeResend
) -> None:
    resend_fake.fail_for(30)
    assert (await submit(client, email="outage@example.com")).status_code == 201

    async def failing() -> bool:
        return resend_fake.failed_attempts >= 3

    await wait_for(failing, timeout=20)
    assert resend_fake.to("outage@example.com") == []
    _, admin = await user_headers(client, runtime, "admin")
    [queued] = (await client.get("/api/v1/emails?status=queued", headers=admin)).json()["items"]
    assert queued["attempts"] >= 3 and "503" in queued["last_error"]

    resend_fake.advance(30)  # the outage is over
    [mail] = await delivered_to(resend_fake, "outage@example.com", 1)
    await settled(runtime)
    # a sweep afterwards finds nothing due, and sends nothing again
    assert await outbox.sweep(runtime) == 0
    await settled(runtime)
    assert len(resend_fake.to("outage@example.com")) == 1
    [row] = await rows_to(runtime, "outage@example.com")
    assert row.status == "sent" and row.provider_id == mail.id and row.attempts >= 4


async def test_a_worker_killed_mid_send_resends_nothing_twice(
    runtime: Runtime, resend_fake: FakeResend
) -> None:
    # the row as a committed unit of work leaves it, without handing it to the queue
    async with runtime.db.session() as session:
        row = OutboxEmail(
            id=uuid.uuid4(),
            kind="test",
            to_address="killed@example.com",
            subject="Hello",
            body_text="Once only",
            headers={},
        )
        session.add(row)
        await session.commit()
        email_id = row.id
    resend_fake.hold_after_accepting()
    attempt = asyncio.create_task(outbox.send(runtime, email_id))
    await asyncio.wait_for(resend_fake.received_while_held.wait(), 10)
    attempt.cancel()  # the process dies after Resend accepted, before it recorded "sent"
    with pytest.raises(asyncio.CancelledError):
        await attempt
    resend_fake.release()
    [stuck] = await rows_to(runtime, "killed@example.com")
    assert stuck.status == "sending" and stuck.attempts == 1

    async def swept_and_sent() -> bool:
        await outbox.sweep(runtime)  # picks the row up once its lease has expired
        [now] = await rows_to(runtime, "killed@example.com")
        return now.status == "sent"

    await wait_for(swept_and_sent, timeout=20, interval=0.2)
    [row] = await rows_to(runtime, "killed@example.com")
    [delivered] = resend_fake.to("killed@example.com")  # delivered once
    assert resend_fake.replays == 1  # the retry carried the same Idempotency-Key
    assert row.provider_id == delivered.id and row.attempts == 2


async def test_queue_unreachable_at_commit_the_sweep_sends_it(
    runtime: Runtime, resend_fake: FakeResend, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis is down")

    from baton.kit.uow import unit_of_work

    with monkeypatch.context() as patched:
        patched.setattr(runtime.jobs, "enqueue", down)
        async with unit_of_work(runtime) as uow:
            outbox.queue(
                uow, kind="test", to="later@example.com", rendered=Rendered("S", "T", None)
            )
    [row] = await rows_to(runtime, "later@example.com")
    assert row.status == "queued" and resend_fake.to("later@example.com") == []
    assert await outbox.sweep(runtime) >= 1
    await delivered_to(resend_fake, "later@example.com", 1)
    await settled(runtime)
    assert len(resend_fake.to("later@example.com")) == 1


async def test_admin_lists_and_resends_and_others_may_not(
    client: httpx.AsyncClient, runtime: Runtime, resend_fake: FakeResend
) -> None:
    await submit(client, email="again@example.com")
    [first] = await delivered_to(resend_fake, "again@example.com", 1)
    await settled(runtime)
    _, admin = await user_headers(client, runtime, "admin")
    _, agent_headers = await user_headers(client, runtime)
    [row] = [
        e
        for e in (await client.get("/api/v1/emails", headers=admin)).json()["items"]
        if e["to"] == "again@example.com"
    ]
    assert (await client.get("/api/v1/emails", headers=agent_headers)).status_code == 403
    bad = await client.get("/api/v1/emails?status=lost", headers=admin)
    assert bad.status_code == 422
    r = await client.post(f"/api/v1/emails/{row['id']}/resend", headers=admin)
    assert r.status_code == 201 and r.json()["id"] != row["id"]
    mails = await delivered_to(resend_fake, "again@example.com", 2)
    assert mails[1].idempotency_key != first.idempotency_key
    assert (
        await client.post(f"/api/v1/emails/{uuid.uuid4()}/resend", headers=admin)
    ).status_code == 404
    audit = (await client.get("/api/v1/audit?action=emails.resent", headers=admin)).json()["items"]
    assert [a["target_id"] for a in audit] == [row["id"]]


async def test_without_a_resend_key_emails_are_skipped_not_faked(
    runtime: Runtime, resend_fake: FakeResend
) -> None:
    import dataclasses

    async with runtime.db.session() as session:  # not handed to the queue: sent below
        row = OutboxEmail(
            id=uuid.uuid4(), kind="test", to_address="nokey@example.com", subject="S", body_text="T"
        )
        session.add(row)
        await session.commit()
        email_id = row.id
    original = runtime.settings
    runtime.settings = dataclasses.replace(original, resend_api_key=None)
    try:
        assert await outbox.send(runtime, email_id) == "skipped"
    finally:
        runtime.settings = original
    [row] = await rows_to(runtime, "nokey@example.com")
    assert row.status == "skipped" and "RESEND_API_KEY" in (row.last_error or "")
    assert resend_fake.to("nokey@example.com") == []
