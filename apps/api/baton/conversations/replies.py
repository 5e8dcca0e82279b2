"""A person's reply or internal note (inbox, REST, integrators)."""

from __future__ import annotations

from typing import Any

from baton.conversations import lifecycle
from baton.conversations.messages import (
    agent_message,
    check_client_id,
    check_text,
    existing,
    store_message,
)
from baton.conversations.models import Conversation, Message
from baton.conversations.state import Actor
from baton.kit.errors import Conflict
from baton.kit.uow import UnitOfWork


async def add_agent_message(
    uow: UnitOfWork,
    conversation: Conversation,
    actor: Actor,
    *,
    text: Any,
    client_id: Any,
    internal: bool = False,
) -> tuple[Message, bool]:
    text = check_text(uow, text)
    if client_id is not None or not internal:
        client_id = check_client_id(client_id)
    if conversation.status == "resolved" and not internal:
        raise Conflict(
            "the conversation is resolved; the visitor has left", code="conversation_resolved"
        )
    message = agent_message(conversation, actor, text=text, client_id=client_id, internal=internal)
    if not internal:
        found = await existing(uow, conversation.id, client_id) if client_id else None
        if found is not None and found.sender == "agent" and found.author_id == message.author_id:
            return found, False  # a resend: do not take over a second time
        if found is None and conversation.status in ("bot", "waiting"):
            # replying is taking over: while a human owns it the AI stays silent
            if actor.kind == "agent":
                await lifecycle.take_over(uow, conversation, actor)
            else:
                await lifecycle.become_agent(
                    uow, conversation, actor, assignee_id=None, reason="api_reply"
                )
    return await store_message(uow, conversation, message)
