"""Tickets in real Chromium: the widget's offline form (offered when the wait for a person
ran out) with validation and a confirmation, and an agent answering a ticket in the inbox."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from baton.tickets.models import Ticket
from tests.browser.conftest import require_bundle
from tests.browser.test_inbox import sign_in
from tests.browser.widget_fixtures import (
    Agent,
    ScriptedBot,
    Visit,
    agent,
    host_site,
    open_widget,
    scripted_bot,
    send,
    visit,
)
from tests.factories import bearer, login, make_user
from tests.mail.fake_resend import FakeResend
from tests.support import LiveServer
from tests.tickets.helpers import count, delivered_to, generic_inbound, submit, ticket_row

pytestmark = pytest.mark.browser
__all__ = ["agent", "host_site", "scripted_bot", "visit"]  # fixtures used by name


def chat_frame(page: Any) -> Any:
    """The widget's document itself (to reach its storage)."""
    return next(f for f in page.frames if "/widget/" in f.url)


async def test_widget_offline_form_when_nobody_picked_up(
    visit: Visit,
    host_site: str,
    scripted_bot: ScriptedBot,
    runtime: Runtime,
    resend_fake: FakeResend,
    agent: Agent,
) -> None:
    """Someone is online (so the visitor is queued with a countdown), but nobody picks up."""
    resend_fake.reset()
    page = visit.page
    frame = await open_widget(page, host_site + "/")
    await send(frame, "My order is late.")
    await expect(
        frame.locator('.msg[data-sender="visitor"][data-state="sent"]').filter(
            has_text="My order is late."
        )
    ).to_be_visible()
    # the visitor has been waiting ten minutes (the countdown's start is kept in storage)
    doc = chat_frame(page)
    conversation_id = await doc.evaluate(
        "JSON.parse(localStorage.getItem('baton:session')).conversation_id"
    )
    await doc.evaluate(
        "([cid, at]) => localStorage.setItem('baton:wait:' + cid, JSON.stringify(at))",
        [conversation_id, int(time.time() * 1000) - 10 * 60 * 1000],
    )
    await frame.get_by_test_id("talk-to-person").click()
    form = frame.get_by_test_id("offline-form")
    await expect(form).to_be_visible()
    await expect(form).to_have_attribute("data-reason", "wait_too_long")
    await expect(form).to_contain_text("Rather not wait?")

    # validation in the form: nothing is sent while it is wrong
    await form.get_by_label("Email").fill("not-an-email")
    await form.get_by_role("button", name="Send message").click()
    await expect(form).to_contain_text("Please enter a valid email address.")
    await expect(form).to_contain_text("Please tell us how we can help.")
    await expect(form.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    assert await count(runtime, Ticket) == 0

    await form.get_by_label("Name").fill("Lin <Park>")
    await form.get_by_label("Email").fill("lin@example.com")
    await form.get_by_label("How can we help?").fill("Please call me about my order.")
    await form.get_by_role("button", name="Send message").click()
    confirmation = frame.get_by_test_id("ticket-confirmation")
    await expect(confirmation).to_contain_text("Thanks, we have your message.")
    number = (await frame.get_by_test_id("ticket-number").inner_text()).lstrip("#")
    await expect(confirmation).to_contain_text("lin@example.com")
    [mail] = await delivered_to(resend_fake, "lin@example.com", 1)
    assert f"#{number}" in mail.body["subject"]
    async with runtime.db.session() as session:
        from sqlalchemy import select

        ticket = await session.scalar(select(Ticket).where(Ticket.number == int(number)))
    assert ticket is not None and str(ticket.source_conversation_id) == conversation_id
    assert ticket.requester_name == "Lin <Park>"
    # the conversation shows the ticket too
    await expect(
        frame.locator('.msg[data-sender="system"]').filter(has_text=f"#{number}")
    ).to_be_visible()
    assert not visit.problems, visit.problems


async def test_agent_answers_a_ticket_in_the_inbox(
    page: Any,
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    resend_fake: FakeResend,
) -> None:
    require_bundle("apps/admin_web/dist")
    resend_fake.reset()
    created = (
        await submit(client, name="Ada", email="ada@example.com", message="Where is my parcel?")
    ).json()
    [confirmation] = await delivered_to(resend_fake, "ada@example.com", 1)
    user = await make_user(runtime, role="agent", name="Dana Agent", presence="online")
    await sign_in(page, user.email)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Tickets").click()
    row = page.get_by_test_id("ticket-row").filter(has_text=f"#{created['number']}")
    await expect(row).to_contain_text("Where is my parcel?")
    await row.click()
    thread = page.get_by_role("article")
    await expect(thread.get_by_role("heading", level=1)).to_contain_text(f"#{created['number']}")
    await expect(thread.get_by_role("list", name="Thread")).to_contain_text("Where is my parcel?")

    await thread.get_by_role("button", name="Assign to me").click()
    await expect(thread).to_contain_text("assigned to you")
    # canned responses work here too: `/` opens the picker, rendered for the requester
    made = await client.post(
        "/api/v1/canned-responses",
        json={
            "shortcut": "eta",
            "title": "Delivery",
            "body": "Hi {{visitor.name}}, it arrives tomorrow.",
        },
        headers=bearer(await login(client, user.email)),
    )
    assert made.status_code == 201, made.text
    composer = thread.get_by_label("Reply by email")
    await composer.press_sequentially("/et")
    await expect(page.get_by_role("option").filter(has_text="/eta")).to_be_visible()
    await composer.press("Enter")
    await expect(composer).to_have_value("Hi Ada, it arrives tomorrow.")
    await thread.get_by_role("button", name="Send reply").click()
    await expect(thread.get_by_test_id("ticket-status")).to_have_text("pending")
    await expect(thread.get_by_role("list", name="Thread")).to_contain_text("it arrives tomorrow.")
    reply = (await delivered_to(resend_fake, "ada@example.com", 2))[1]
    assert reply.body["headers"]["In-Reply-To"] == confirmation.body["headers"]["Message-ID"]
    assert "Hi Ada, it arrives tomorrow." in reply.body["text"]

    await thread.get_by_role("button", name="Resolve").click()
    await expect(thread.get_by_test_id("ticket-status")).to_have_text("resolved")
    # the customer answers by email: the open page follows (a notification, then a refetch)
    r = await generic_inbound(
        client,
        **{
            "from": "ada@example.com",
            "to": [confirmation.body["reply_to"]],
            "text": "It did not arrive.",
            "message_id": "<ada-2@example.com>",
        },
    )
    assert r.status_code == 200, r.text
    await expect(thread.get_by_test_id("ticket-status")).to_have_text("open")
    await expect(thread.get_by_role("list", name="Thread")).to_contain_text("It did not arrive.")
    assert (await ticket_row(runtime, created["id"])).assignee_id == user.id
    assert not page.problems, page.problems


async def test_agent_converts_a_chat_into_a_ticket(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The visitor left an email and went away: the agent turns the chat into a ticket from
    the conversation's header and lands in the ticket, answered by email from then on."""
    from tests.conversations.helpers import cid
    from tests.conversations.helpers import visitor as widget_visitor

    require_bundle("apps/admin_web/dist")
    v, start = await widget_visitor(
        server.base_url, visitor={"name": "Noor", "email": "noor@example.com"}
    )
    try:
        await v.call("user_message", {"client_id": cid(), "text": "My blender arrived broken"})
    finally:
        await v.disconnect()
    user = await make_user(runtime, role="agent", name="Dana Agent", presence="online")
    await sign_in(page, user.email)
    await page.goto(f"/app/#/inbox/all/{start['conversation_id']}")
    await page.get_by_role("button", name="Convert to ticket").click()
    thread = page.get_by_role("article")
    await expect(thread.get_by_role("list", name="Thread")).to_contain_text(
        "My blender arrived broken"
    )
    assert await count(runtime, Ticket) == 1
