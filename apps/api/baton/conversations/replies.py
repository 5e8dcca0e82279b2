"""A person's reply or internal note (inbox, REST, integrators)."""

from __future__ import annotations

from typing import Any

from baton.attachments import service as attachments
from baton.attachments.models import Attachment
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
    attachment_ids: Any = None,
) -> tuple[Message, bool]:
    """``attachment_ids``: the sender's own uploads in this conversation not yet on a
    message (docs/attachments.md); a resend of a stored ``client_id`` attaches nothing."""
    ids = attachments.parse_ids(attachment_ids)
    if not ids:
        text = check_text(uow, text)
    if client_id is not None or not internal:
        client_id = check_client_id(client_id)
    if conversation.status == "resolved" and not internal:
        raise Conflict(
            "the conversation is resolved; the visitor has left", code="conversation_resolved"
        )
    found = await existing(uow, conversation.id, client_id) if client_id else None
    if (
        found is not None
        and found.sender == "agent"
        and found.author_id == (actor.id if actor.kind == "agent" else None)
        and bool(found.internal) == internal
    ):
        return found, False  # a resend: do not take over (or attach) a second time
    files: list[Attachment] = []
    if ids:
        owner_kind: attachments.OwnerKind = "user" if actor.kind == "agent" else "api_key"
        if actor.id is None or actor.kind not in ("agent", "api_key"):
            raise Conflict("only people and API keys attach files", code="attachment_owner")
        files = await attachments.for_message(
            uow, attachments.Owner(owner_kind, actor.id), conversation, ids
        )
    text = check_text(uow, attachments.text_with(files, text))
    message = agent_message(conversation, actor, text=text, client_id=client_id, internal=internal)
    message.meta = attachments.meta_of(files)
    if not internal and found is None and conversation.status in ("bot", "waiting"):
        # replying is taking over: while a human owns it the AI stays silent
        if actor.kind == "agent":
            await lifecycle.take_over(uow, conversation, actor)
        else:
            await lifecycle.become_agent(
                uow, conversation, actor, assignee_id=None, reason="api_reply"
            )
    stored, created = await store_message(uow, conversation, message)
    if created:
        await attachments.claim(uow, files, stored.id)
    return stored, created
