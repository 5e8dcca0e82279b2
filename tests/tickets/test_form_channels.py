"""The offline form from the widget (``submit_ticket``, same ack as REST) linked to the
visitor's conversation, a transcript by email, and the form's limits per address and email."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

import httpx
import pytest

from baton.runtime import Runtime
from baton.tickets.models import Ticket
from tests.conversations.helpers import cid, visitor
from tests.mail.fake_resend import FakeResend
from tests.support import LiveServer
from tests.tickets.helpers import count, delivered_to, submit, ticket_row


async def test_widget_submit_ticket_links_the_conversation(
    server: LiveServer, runtime: Runtime, resend_fake: FakeResend
) -> None:
    sock, session = await visitor(server.base_url)
    try:
        await sock.call("user_message", {"client_id": cid(), "text": "hello?"})
        ack = await sock.call(
            "submit_ticket", {"name": "Lin", "email": "lin@example.com", "message": "Call me back"}
        )
        assert set(ack) == {"id", "number", "status"} and ack["status"] == "open", ack
        ticket = await ticket_row(runtime, ack["id"])
        assert str(ticket.source_conversation_id) == session["conversation_id"]
        note = await sock.wait_for("system_message", lambda d: f"#{ack['number']}" in d["text"])
        assert "lin@example.com" in note["text"]
        await delivered_to(resend_fake, "lin@example.com", 1)

        bad = await sock.call("submit_ticket", {"name": "Lin", "email": "nope", "message": "x"})
        assert bad["error"] == "invalid_email"

        sent = await sock.call("request_transcript", {})
        assert sent["ok"] is True and sent["to"] == "lin@example.com"
        mails = await delivered_to(resend_fake, "lin@example.com", 2)
        transcript = next(m for m in mails if m.body["subject"] == "Your conversation transcript")
        assert "hello?" in transcript.body["text"]
    finally:
        await sock.disconnect()


async def test_rest_form_with_the_widget_session_token(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    sock, session = await visitor(server.base_url)
    await sock.disconnect()
    r = await submit(
        client,
        session_token=session["session_token"],
        conversation_id=session["conversation_id"],
    )
    assert r.status_code == 201, r.text
    ticket = await ticket_row(runtime, r.json()["id"])
    assert str(ticket.source_conversation_id) == session["conversation_id"]
    # someone else's conversation id with this token is not confirmed to exist
    r = await submit(
        client, session_token=session["session_token"], conversation_id=str(uuid.uuid4())
    )
    assert r.status_code == 404 and r.json()["error"] == "unknown_conversation"


@pytest.fixture
def tight_limits(runtime: Runtime) -> Iterator[None]:
    original = runtime.settings
    runtime.settings = dataclasses.replace(original, tickets_per_ip=3, tickets_per_email=2)
    yield
    runtime.settings = original


async def test_form_is_rate_limited_per_email_and_per_address(
    client: httpx.AsyncClient, runtime: Runtime, tight_limits: None
) -> None:
    # a fresh window for this test's keys (Redis counters outlive one test)
    for key in (
        "tickets:ip:127.0.0.1",
        "tickets:email:a@example.com",
        "tickets:email:b@example.com",
    ):
        await runtime.limiter.reset(key)
    assert (await submit(client, email="a@example.com")).status_code == 201
    assert (await submit(client, email="a@example.com")).status_code == 201
    limited = await submit(client, email="a@example.com")
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert limited.json()["retry_after"] > 0
    # the address's third attempt was that one; the fourth, from another email, is refused too
    by_ip = await submit(client, email="b@example.com")
    assert by_ip.status_code == 429
    assert await count(runtime, Ticket) == 2
    await runtime.limiter.reset("tickets:ip:127.0.0.1")


async def test_agent_converts_a_conversation_and_exports_list_tickets(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, resend_fake: FakeResend
) -> None:
    from tests.exports.test_exports import wait_done
    from tests.factories import user_headers

    sock, session = await visitor(server.base_url, visitor={"name": "Kim"})
    await sock.call("user_message", {"client_id": cid(), "text": "My invoice is wrong"})
    await sock.disconnect()
    agent_user, headers = await user_headers(client, runtime)
    body = {"conversation_id": session["conversation_id"]}
    no_email = await client.post("/api/v1/tickets/convert", json=body, headers=headers)
    assert no_email.status_code == 422 and no_email.json()["error"] == "invalid_email"
    r = await client.post(
        "/api/v1/tickets/convert", json={**body, "email": "kim@example.com"}, headers=headers
    )
    assert r.status_code == 201, r.text
    ticket = await ticket_row(runtime, r.json()["id"])
    assert ticket.source == "agent" and ticket.assignee_id == agent_user.id
    detail = (await client.get(f"/api/v1/tickets/{ticket.id}", headers=headers)).json()
    assert detail["messages"][0]["text"] == "My invoice is wrong"
    await delivered_to(resend_fake, "kim@example.com", 1)
    again = await client.post(
        "/api/v1/tickets/convert", json={**body, "email": "kim@example.com"}, headers=headers
    )
    assert again.status_code == 409 and again.json()["error"] == "ticket_exists"

    _, admin = await user_headers(client, runtime, "admin")
    created = await client.post(
        "/api/v1/exports", json={"kind": "tickets", "format": "json"}, headers=admin
    )
    assert created.status_code == 201, created.text
    done = await wait_done(client, runtime, admin, created.json()["id"])
    assert done["status"] == "done" and done["rows"] == 1, done
    rows = (await client.get(done["download_url"])).json()
    assert [(row["number"], row["requester_email"]) for row in rows] == [
        (ticket.number, "kim@example.com")
    ]
