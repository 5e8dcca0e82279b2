"""Conversation events -> stored notifications (job phase: they survive the process that
committed, and a slow recipient query never delays the reply that caused it).

Each listener opens its own unit of work; ``center.notify`` stores the rows and publishes
``new_notification`` (with the stored id) to each recipient's user room after the commit.
"""

from __future__ import annotations

from typing import Any

from baton.auth.permissions import Permission
from baton.conversations.events import (
    ConversationAssigned,
    ConversationOffered,
    HandoffRequested,
    MessageCreated,
)
from baton.conversations.models import Conversation
from baton.kit.events import listen
from baton.kit.uow import unit_of_work
from baton.notifications import audience, center
from baton.webhooks.events import WebhookDisabled

NOTIFY_ON_ASSIGN = ("assigned", "reassigned", "reopened")
WAITING_FALLBACK = "A visitor is waiting for a person"


@listen(HandoffRequested, phase="job", name="notifications.waiting")
async def waiting(runtime: Any, event: HandoffRequested) -> None:
    async with unit_of_work(runtime) as uow:
        conversation = await uow.session.get(Conversation, event.conversation_id)
        if conversation is None:
            return
        text = await audience.last_visitor_words(uow, conversation.id) or WAITING_FALLBACK
        people = await audience.who_may_see(uow, conversation)
        await center.notify(
            uow, [p.id for p in people], "waiting", text, conversation_id=conversation.id
        )


@listen(ConversationOffered, phase="job", name="notifications.offer")
async def offer(runtime: Any, event: ConversationOffered) -> None:
    async with unit_of_work(runtime) as uow:
        conversation = await uow.session.get(Conversation, event.conversation_id)
        if conversation is None:
            return
        text = await audience.last_visitor_words(uow, conversation.id) or event.preview
        people = await audience.who_may_see(uow, conversation, only=[event.agent_id])
        await center.notify(
            uow, [p.id for p in people], "offer", text, conversation_id=conversation.id
        )


@listen(
    ConversationAssigned,
    phase="job",
    name="notifications.assigned",
    when=lambda e: e.reason in NOTIFY_ON_ASSIGN and e.assignee_id is not None,
)
async def assigned(runtime: Any, event: ConversationAssigned) -> None:
    assert event.assignee_id is not None
    if event.by_id == event.assignee_id:
        return  # taking a conversation yourself needs no alert
    async with unit_of_work(runtime) as uow:
        conversation = await uow.session.get(Conversation, event.conversation_id)
        if conversation is None:
            return
        words = await audience.last_visitor_words(uow, conversation.id)
        lead = (
            "A visitor came back to a conversation you resolved"
            if event.reason == "reopened"
            else "A conversation was assigned to you"
        )
        text = lead + (f": {words}" if words else "")
        people = await audience.who_may_see(uow, conversation, only=[event.assignee_id])
        await center.notify(
            uow, [p.id for p in people], "assigned", text, conversation_id=conversation.id
        )


def _visitor_in_owned(e: MessageCreated) -> bool:
    m = e.message
    # an email conversation is a ticket: the tickets domain notifies of its replies
    owned = e.status == "agent" and e.assignee_id is not None and e.channel != "email"
    return m.sender == "visitor" and owned


async def _assignee_is_reading(runtime: Any, e: MessageCreated) -> bool:
    """The assignee has the conversation open (a tab joined it): the message is on their
    screen, so no notification (as Chatwoot and Intercom do for the thread you are in)."""
    assert e.assignee_id is not None
    reading = await runtime.connections.which_have_open(e.message.conversation_id, [e.assignee_id])
    return bool(reading)


@listen(
    MessageCreated,
    phase="job",
    name="notifications.message",
    when=_visitor_in_owned,
    unless=_assignee_is_reading,
)
async def message(runtime: Any, event: MessageCreated) -> None:
    assert event.assignee_id is not None
    async with unit_of_work(runtime) as uow:
        conversation = await uow.session.get(Conversation, event.message.conversation_id)
        if conversation is None:
            return
        people = await audience.who_may_see(uow, conversation, only=[event.assignee_id])
        await center.notify(
            uow,
            [p.id for p in people],
            "message",
            event.message.text,
            conversation_id=conversation.id,
            collapse=True,
        )


def _may_mention(e: MessageCreated) -> bool:
    return e.message.sender == "agent" and "@" in e.message.text


@listen(MessageCreated, phase="job", name="notifications.mention", when=_may_mention)
async def mention(runtime: Any, event: MessageCreated) -> None:
    m = event.message
    async with unit_of_work(runtime) as uow:
        conversation = await uow.session.get(Conversation, m.conversation_id)
        if conversation is None:
            return
        author_id = m.author.id if m.author else None
        people = await audience.mentioned(uow, conversation, m.text, author_id)
        name = m.author.name if m.author else "A teammate"
        await center.notify(
            uow,
            [p.id for p in people],
            "mention",
            f"{name} mentioned you: {m.text}",
            conversation_id=conversation.id,
        )


@listen(WebhookDisabled, phase="job", name="notifications.webhook_disabled")
async def webhook_disabled(runtime: Any, event: WebhookDisabled) -> None:
    """Whoever manages webhooks hears that one stopped (an integration is silently broken)."""
    async with unit_of_work(runtime) as uow:
        people = await audience.with_permission(uow, Permission.WEBHOOKS_MANAGE)
        await center.notify(
            uow,
            [p.id for p in people],
            "webhook",
            f"Webhook to {event.url} was switched off: {event.reason}. Fix the receiver, then "
            "turn it on again under Console → Webhooks.",
        )
