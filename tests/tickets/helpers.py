"""Helpers for the tickets suite: the form, waiting on the fake Resend, inbound email."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from baton.jobs.queues import InProcessQueue
from baton.mail.models import OutboxEmail
from baton.runtime import Runtime
from baton.tickets.models import Ticket
from tests.mail.fake_resend import Delivered, FakeResend
from tests.mail.fixtures import INBOUND_TOKEN, WEBHOOK_SECRET
from tests.support import wait_for


async def submit(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    payload = {"name": "Ada Lovelace", "email": "ada@example.com", "message": "My order is late."}
    payload.update(body)
    return await client.post("/api/v1/tickets", json=payload)


async def delivered_to(
    fake: FakeResend, address: str, count: int, *, timeout: float = 20
) -> list[Delivered]:
    """Wait (with a deadline) until ``address`` has received ``count`` emails."""

    async def enough() -> list[Delivered] | None:
        found = fake.to(address)
        return found if len(found) >= count else None

    found: list[Delivered] = await wait_for(enough, timeout=timeout)
    return found


async def settled(runtime: Runtime) -> None:
    """Every email due now has been attempted (in-process jobs drained, or the worker's
    queue has no due row left)."""
    if isinstance(runtime.jobs, InProcessQueue):
        await runtime.jobs.drain(timeout=20)

    async def none_due() -> bool:
        async with runtime.db.session() as session:
            n = await session.scalar(
                select(func.count())
                .select_from(OutboxEmail)
                .where(OutboxEmail.status.in_(("queued", "sending")))
            )
        return not n

    await wait_for(none_due, timeout=20)


async def count(runtime: Runtime, model: type) -> int:
    async with runtime.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def ticket_row(runtime: Runtime, ticket_id: str) -> Ticket:
    async with runtime.db.session() as session:
        ticket = await session.get(Ticket, uuid.UUID(ticket_id))
        assert ticket is not None
        return ticket


def svix_headers(body: bytes, *, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    msg_id, stamp = f"msg_{uuid.uuid4().hex}", str(int(time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    sig = base64.b64encode(
        hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    return {
        "svix-id": msg_id,
        "svix-timestamp": stamp,
        "svix-signature": f"v1,{sig}",
        "content-type": "application/json",
    }


async def resend_inbound(
    client: httpx.AsyncClient, fake: FakeResend, *, email: dict[str, Any]
) -> httpx.Response:
    """Resend's way: the body sits in its Receiving API, the webhook carries metadata."""
    email_id = str(uuid.uuid4())
    fake.inbound[email_id] = {"id": email_id, **email}
    payload = {
        "type": "email.received",
        "created_at": "2026-12-02T03:00:00Z",
        "data": {
            "email_id": email_id,
            "from": email["from"],
            "to": email["to"],
            "subject": email.get("subject", ""),
            "message_id": email.get("message_id"),
        },
    }
    body = json.dumps(payload).encode()
    return await client.post(
        "/api/v1/inbound/email/resend", content=body, headers=svix_headers(body)
    )


async def generic_inbound(client: httpx.AsyncClient, **email: Any) -> httpx.Response:
    return await client.post(
        "/api/v1/inbound/email", json=email, headers={"X-Baton-Inbound-Token": INBOUND_TOKEN}
    )
