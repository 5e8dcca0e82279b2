"""Tickets end to end against a fake Resend: the offline form, agents' threaded replies,
customers' replies by email (Resend's inbound webhook and the generic one) reopening the
ticket, notifications, and bad input refused with nothing changed."""

from __future__ import annotations

import uuid

import httpx

from baton.conversations.models import Message
from baton.mail.models import OutboxEmail
from baton.runtime import Runtime
from baton.tickets.models import Ticket
from tests.conversations.helpers import agent
from tests.factories import user_headers
from tests.mail.fake_resend import FakeResend
from tests.support import LiveServer
from tests.tickets.helpers import (
    count,
    delivered_to,
    generic_inbound,
    resend_inbound,
    settled,
    submit,
    ticket_row,
)


async def test_form_makes_a_ticket_and_exactly_one_confirmation(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, resend_fake: FakeResend
) -> None:
    listener, _, agent_token = await agent(server.base_url, client, runtime)
    try:
        r = await submit(client, name="Ada <b>Lovelace</b>", email="Ada@Example.com ")
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["status"] == "open" and created["number"] > 1000
        [mail] = await delivered_to(resend_fake, "ada@example.com", 1)
        await settled(runtime)
        assert len(resend_fake.to("ada@example.com")) == 1
        assert f"#{created['number']}" in mail.body["subject"]
        assert (
            mail.body["reply_to"].startswith("support+t") and "@acme.test" in mail.body["reply_to"]
        )
        assert mail.body["headers"]["Message-ID"].startswith("<t")
        assert "My order is late." in mail.body["text"]
        # a person's input is escaped in the HTML part
        assert (
            "&lt;b&gt;Lovelace&lt;/b&gt;" in mail.body["html"]
            and "<b>Lovelace" not in mail.body["html"]
        )
        note = await listener.wait_for("new_notification", lambda d: d.get("kind") == "ticket")
        assert note["ticket_id"] == created["id"] and f"#{created['number']}" in note["text"]
        # stored in the notifications centre too
        stored = await client.get(
            "/api/v1/notifications?unread=true", headers={"Authorization": f"Bearer {agent_token}"}
        )
        assert [(n["kind"], n["ticket_id"]) for n in stored.json()["items"]] == [
            ("ticket", created["id"])
        ]
        _, headers = await user_headers(client, runtime)
        detail = (await client.get(f"/api/v1/tickets/{created['id']}", headers=headers)).json()
        assert detail["requester_email"] == "ada@example.com"
        assert [m["sender"] for m in detail["messages"]] == ["visitor"]
        listed = (await client.get("/api/v1/tickets?status=open", headers=headers)).json()
        assert [t["id"] for t in listed["items"]] == [created["id"]]
        searched = await client.get(f"/api/v1/tickets?q=%23{created['number']}", headers=headers)
        assert [t["id"] for t in searched.json()["items"]] == [created["id"]]
    finally:
        await listener.disconnect()


async def test_agent_reply_is_threaded_and_a_customer_reply_lands_in_the_same_ticket(
    client: httpx.AsyncClient, runtime: Runtime, resend_fake: FakeResend
) -> None:
    created = (await submit(client)).json()
    [confirmation] = await delivered_to(resend_fake, "ada@example.com", 1)
    first_id = confirmation.body["headers"]["Message-ID"]
    _, headers = await user_headers(client, runtime, name="Dana")
    r = await client.post(
        f"/api/v1/tickets/{created['id']}/replies",
        json={"text": "It ships today."},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "pending"
    reply = (await delivered_to(resend_fake, "ada@example.com", 2))[1]
    reply_id = reply.body["headers"]["Message-ID"]
    assert reply.body["headers"]["In-Reply-To"] == first_id
    assert reply.body["headers"]["References"] == first_id
    assert reply.body["subject"].startswith("Re: [#")
    assert "It ships today." in reply.body["text"] and "Dana" in reply.body["text"]

    # the customer answers from their mail client: no token in the address, only headers
    r = await resend_inbound(
        client,
        resend_fake,
        email={
            "from": "Ada Lovelace <ada@example.com>",
            "to": ["support@acme.test"],
            "subject": "Re: your ticket",
            "text": "Thanks! Tracking number?\n\nOn Tue, Dana wrote:\n> It ships today.",
            "message_id": "<cust-1@example.com>",
            "headers": [{"name": "In-Reply-To", "value": reply_id}],
        },
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "ticket_id": created["id"],
        "number": created["number"],
        "created": False,
        "ignored": False,
    }
    detail = (await client.get(f"/api/v1/tickets/{created['id']}", headers=headers)).json()
    assert detail["status"] == "open"
    visitor_texts = [m["text"] for m in detail["messages"] if m["sender"] == "visitor"]
    assert visitor_texts == ["My order is late.", "Thanks! Tracking number?"]  # quote stripped

    await client.post(
        f"/api/v1/tickets/{created['id']}/replies", json={"text": "TRK-1"}, headers=headers
    )
    second = (await delivered_to(resend_fake, "ada@example.com", 3))[2]
    assert second.body["headers"]["In-Reply-To"] == "<cust-1@example.com>"
    assert second.body["headers"]["References"].split() == [
        first_id,
        reply_id,
        "<cust-1@example.com>",
    ]
    assert await count(runtime, Ticket) == 1


async def test_customer_reply_by_email_reopens_a_resolved_ticket(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, resend_fake: FakeResend
) -> None:
    created = (await submit(client)).json()
    [confirmation] = await delivered_to(resend_fake, "ada@example.com", 1)
    listener, owner, token = await agent(server.base_url, client, runtime)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        r = await client.post(
            f"/api/v1/tickets/{created['id']}/assign",
            json={"agent_id": str(owner.id)},
            headers=headers,
        )
        assert r.status_code == 200 and r.json()["assignee_id"] == str(owner.id)
        r = await client.post(f"/api/v1/tickets/{created['id']}/resolve", headers=headers)
        assert r.status_code == 200 and r.json()["status"] == "resolved"
        resolved = (await delivered_to(resend_fake, "ada@example.com", 2))[1]
        assert resolved.body["subject"].startswith("Resolved:")

        # to the reply address, which carries the ticket's token (the generic endpoint)
        r = await generic_inbound(
            client,
            **{
                "from": "ada@example.com",
                "to": [confirmation.body["reply_to"]],
                "subject": "Re: Resolved",
                "text": "Actually, it never arrived.",
                "message_id": "<cust-2@example.com>",
            },
        )
        assert r.status_code == 200, r.text
        ticket = await ticket_row(runtime, created["id"])
        assert ticket.status == "open" and ticket.resolved_at is None
        assert ticket.assignee_id == owner.id  # back with its owner, not the AI
        note = await listener.wait_for(
            "new_notification", lambda d: "reopened" in d.get("text", "")
        )
        assert note["ticket_id"] == created["id"]
        # the same email delivered twice by the provider is stored once
        again = await generic_inbound(
            client,
            **{
                "from": "ada@example.com",
                "to": [confirmation.body["reply_to"]],
                "text": "Actually, it never arrived.",
                "message_id": "<cust-2@example.com>",
            },
        )
        assert again.status_code == 200
        async with runtime.db.session() as session:
            from sqlalchemy import func, select

            n = await session.scalar(
                select(func.count())
                .select_from(Message)
                .where(
                    Message.conversation_id == ticket.conversation_id, Message.sender == "visitor"
                )
            )
        assert n == 2
    finally:
        await listener.disconnect()


async def test_new_email_without_a_token_opens_a_ticket(
    client: httpx.AsyncClient, runtime: Runtime, resend_fake: FakeResend
) -> None:
    r = await resend_inbound(
        client,
        resend_fake,
        email={
            "from": "Grace <grace@example.com>",
            "to": ["support@acme.test"],
            "subject": "Invoice question",
            "html": "<p>Where is my <b>invoice</b>?</p>",
            "message_id": "<g-1@example.com>",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["created"] is True
    ticket = await ticket_row(runtime, r.json()["ticket_id"])
    assert ticket.subject == "Invoice question" and ticket.source == "email"
    [confirmation] = await delivered_to(resend_fake, "grace@example.com", 1)
    assert confirmation.body["headers"]["In-Reply-To"] == "<g-1@example.com>"


async def test_bad_input_is_a_clear_4xx_and_changes_nothing(
    client: httpx.AsyncClient, runtime: Runtime, resend_fake: FakeResend
) -> None:
    first = (await submit(client)).json()
    other = (await submit(client, email="bob@example.com")).json()
    await delivered_to(resend_fake, "bob@example.com", 1)
    await settled(runtime)
    before = (
        await count(runtime, Ticket),
        await count(runtime, Message),
        await count(runtime, OutboxEmail),
        len(resend_fake.delivered),
    )
    _, headers = await user_headers(client, runtime)
    huge = "x" * (runtime.settings.max_message_chars + 1)
    cases = [
        (await submit(client, email="not-an-email"), 422, "invalid_email"),
        (await submit(client, email=None), 422, "invalid_email"),
        (await submit(client, message=huge), 422, "message_too_long"),
        (await submit(client, message="   "), 422, "empty_message"),
        (await submit(client, session_token="nope"), 404, "unknown_session"),
        (await submit(client, conversation_id=str(uuid.uuid4())), 404, "unknown_conversation"),
        (
            await client.get(f"/api/v1/tickets/{uuid.uuid4()}", headers=headers),
            404,
            "unknown_ticket",
        ),
        (
            await client.post(
                f"/api/v1/tickets/{uuid.uuid4()}/replies", json={"text": "hi"}, headers=headers
            ),
            404,
            "unknown_ticket",
        ),
        (
            await client.post(
                f"/api/v1/tickets/{first['id']}/replies", json={"text": huge}, headers=headers
            ),
            422,
            "message_too_long",
        ),
        (await client.get("/api/v1/tickets?status=closed", headers=headers), 422, "invalid_status"),
        (
            await generic_inbound(
                client,
                **{
                    "from": "ada@example.com",
                    "to": ["support+tUNKNOWNtoken0123456789@acme.test"],
                    "text": "hi",
                },
            ),
            404,
            "unknown_ticket",
        ),
        (
            await generic_inbound(
                client, **{"from": "nobody", "to": ["support@acme.test"], "text": "hi"}
            ),
            422,
            "invalid_email",
        ),
        (
            await client.post(
                "/api/v1/inbound/email", json={"from": "a@example.com", "to": [], "text": "x"}
            ),
            401,
            "bad_token",
        ),
        (
            await client.post(
                "/api/v1/inbound/email/resend",
                content=b'{"type": "email.received", "data": {"email_id": "x"}}',
                headers={"svix-id": "m", "svix-timestamp": "1", "svix-signature": "v1,bad"},
            ),
            400,
            "bad_signature",
        ),
    ]
    # a reply token for another ticket: the address names one ticket, In-Reply-To another
    a, b = await ticket_row(runtime, first["id"]), await ticket_row(runtime, other["id"])
    cases.append(
        (
            await generic_inbound(
                client,
                **{
                    "from": "ada@example.com",
                    "to": [f"support+t{a.reply_token}@acme.test"],
                    "in_reply_to": f"<t{b.reply_token}.x@acme.test>",
                    "text": "which ticket?",
                },
            ),
            409,
            "reply_token_mismatch",
        )
    )
    anonymous = await client.get("/api/v1/tickets")
    cases.append((anonymous, 401, "unauthorized"))
    for response, status, code in cases:
        assert response.status_code == status, (code, response.text)
        assert response.json()["error"] == code, response.text
    await settled(runtime)
    after = (
        await count(runtime, Ticket),
        await count(runtime, Message),
        await count(runtime, OutboxEmail),
        len(resend_fake.delivered),
    )
    assert after == before


async def test_ticket_conversations_stay_out_of_the_live_inbox(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    created = (await submit(client)).json()
    ticket = await ticket_row(runtime, created["id"])
    _, admin = await user_headers(client, runtime, "admin")
    live = (await client.get("/api/v1/conversations", headers=admin)).json()["items"]
    assert str(ticket.conversation_id) not in [c["id"] for c in live]
    counts = (await client.get("/api/v1/conversations/counts", headers=admin)).json()
    assert counts.get("agent", 0) == 0, counts
    by_email = (await client.get("/api/v1/conversations?channel=email", headers=admin)).json()
    assert [c["id"] for c in by_email["items"]] == [str(ticket.conversation_id)]
    assert by_email["items"][0]["channel"] == "email"
