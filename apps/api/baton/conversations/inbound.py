"""The one inbound path: every visitor message (widget, email, API) gets the same rules.

Store it once per ``client_id``, reopen a resolved conversation, hand off when the visitor
asks for a person, and otherwise let the AI answer (``VisitorMessageReceived``, which the
``ai`` domain listens to). Channels are thin adapters over ``receive_visitor_message``.
"""

from __future__ import annotations

from typing import Any, Literal

from baton.conversations import lifecycle
from baton.conversations.events import ConversationOpened, VisitorMessageReceived
from baton.conversations.messages import check_client_id, check_text, store_message
from baton.conversations.models import Conversation, Message
from baton.conversations.phrases import asks_for_person
from baton.conversations.state import VISITOR
from baton.copilot import sentiment
from baton.hours.availability import availability
from baton.hours.events import OfflineOffered
from baton.kit.uow import UnitOfWork
from baton.workspace.service import get_config

Channel = Literal["widget", "email", "api"]
CHANNELS: tuple[Channel, ...] = ("widget", "email", "api")


async def open_api_conversation(
    uow: UnitOfWork, *, name: str | None, email: str | None
) -> Conversation:
    """A new visitor and conversation on the API channel (no widget session)."""
    from baton.users.service import normalise_email
    from baton.visitors.models import Visitor

    visitor = Visitor(
        name=name.strip() if name and name.strip() else None,
        email=normalise_email(email) if email else None,
    )
    uow.session.add(visitor)
    await uow.session.flush()
    conversation = Conversation(visitor_id=visitor.id, status="bot", channel="api")
    uow.session.add(conversation)
    await uow.session.flush()
    uow.record(ConversationOpened(conversation.id, visitor.id, channel="api", status="bot"))
    uow.keep(visitor, conversation)
    return conversation


async def receive_visitor_message(
    uow: UnitOfWork,
    conversation: Conversation,
    *,
    text: Any,
    client_id: Any,
    channel: Channel,
    meta: dict[str, Any] | None = None,
) -> tuple[Message, bool]:
    """Returns (message, created); a resend of a stored ``client_id`` changes nothing."""
    text, client_id = check_text(uow, text), check_client_id(client_id)
    message, created = await store_message(
        uow,
        conversation,
        Message(
            conversation_id=conversation.id,
            sender="visitor",
            text=text,
            client_id=client_id,
            meta={**(meta or {}), "sentiment": sentiment.score(text)},
        ),
    )
    if created:
        await apply_inbound_rules(uow, conversation, message, channel)
    return message, created


async def apply_inbound_rules(
    uow: UnitOfWork, conversation: Conversation, message: Message, channel: str
) -> None:
    """What a new visitor message sets in motion, whichever way it arrived."""
    await lifecycle.reopen(uow, conversation, VISITOR)
    handed_off = False
    if conversation.status == "bot":
        config = await get_config(uow.session)
        if asks_for_person(message.text, config.handoff_phrases):
            status = await availability(uow)
            if not status.online:
                # outside business hours: nobody is queued, the AI answers, the widget
                # offers the offline form
                uow.record(OfflineOffered(conversation.id, "closed", status.next_open_at))
            else:
                # the queue message answers this one; the AI helps again with the next question
                await lifecycle.request_handoff(uow, conversation, VISITOR, reason="visitor_phrase")
                handed_off = True
    uow.record(
        VisitorMessageReceived(
            conversation.id,
            message.id,
            channel=channel,
            status=conversation.status,
            handed_off=handed_off,
        )
    )
