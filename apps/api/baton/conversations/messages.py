"""Storing messages: validated, idempotent by ``client_id``, one event per stored message.

Services flush, never commit; what they record leaves only after the unit of work commits.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from baton.conversations.events import ConversationChanged, MessageCreated
from baton.conversations.models import Conversation, Message
from baton.conversations.schemas import MessageOut
from baton.conversations.state import AI, Actor
from baton.db.base import utcnow
from baton.db.upsert import insert_unless_exists
from baton.keys.search_index import index_message
from baton.kit.errors import Conflict, ValidationFailed
from baton.kit.ids import uuid7
from baton.kit.inputs import bad_text
from baton.kit.uow import UnitOfWork

PREVIEW_CHARS = 300
CLIENT_ID_MAX = 100


def check_text(uow: UnitOfWork, text: Any) -> str:
    return check_text_within(text, uow.runtime.settings.max_message_chars)


def check_text_within(text: Any, limit: int) -> str:
    if not isinstance(text, str):
        raise ValidationFailed("text must be a string", code="invalid_text")
    stripped = text.strip()
    if not stripped:
        raise ValidationFailed("message text must not be empty", code="empty_message")
    if len(stripped) > limit:
        raise ValidationFailed(
            f"message text is longer than {limit} characters", code="message_too_long"
        )
    # the edges refuse these already; channels that parse their own input (mail) may not
    problem = bad_text(stripped)
    if problem:
        raise ValidationFailed(f"message text must not contain {problem}", code="invalid_text")
    return stripped


def check_client_id(client_id: Any) -> str:
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > CLIENT_ID_MAX:
        raise ValidationFailed("client_id is required (1-100 characters)", code="invalid_client_id")
    return str(client_id).strip()


async def existing(uow: UnitOfWork, conversation_id: uuid.UUID, client_id: str) -> Message | None:
    return await uow.session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.client_id == client_id
        )
    )


def message_values(message: Message) -> dict[str, Any]:
    values = {c.key: getattr(message, c.key) for c in Message.__table__.columns}
    values.update(
        id=values["id"] or uuid7(),
        created_at=values["created_at"] or utcnow(),
        internal=bool(values["internal"]),
        suggestions=values["suggestions"] or [],
        meta=values["meta"] or {},
    )
    return values


def record_stored(uow: UnitOfWork, conversation: Conversation, message: Message) -> None:
    """The events of one stored message: the message itself and the conversation's new row."""
    uow.record(
        MessageCreated(
            MessageOut.of(message),
            channel=conversation.channel or "widget",
            status=conversation.status,
            assignee_id=conversation.assignee_id,
        )
    )
    uow.record(ConversationChanged(conversation.id))
    uow.keep(conversation)


def _touch(conversation: Conversation, message: Message) -> None:
    if not message.internal:
        conversation.last_message_at = message.created_at
        conversation.last_message_text = message.text[:PREVIEW_CHARS]
        conversation.last_message_sender = message.sender
    conversation.updated_at = utcnow()


async def store_message(
    uow: UnitOfWork, conversation: Conversation, message: Message
) -> tuple[Message, bool]:
    """Insert once per client_id. Returns (message, created); a resend returns the stored one."""
    if message.client_id is not None:
        values = message_values(message)
        if not await insert_unless_exists(uow.session, Message, values):
            found = await existing(uow, conversation.id, message.client_id)  # a resend
            assert found is not None
            if (found.sender, found.author_id, found.internal) != (
                message.sender,
                message.author_id,
                bool(message.internal),
            ):
                # a key is the sender's own: another sender's message is neither returned nor
                # confirmed to exist
                raise Conflict(
                    "this client_id is already used in this conversation", code="client_id_taken"
                )
            return found, False
        await index_message(uow.session, values)
        message = Message(**values)  # what was stored; no need to read it back
        _touch(conversation, message)
    else:
        message.id = message.id or uuid7()
        message.created_at = message.created_at or utcnow()
        _touch(conversation, message)
        uow.session.add(message)  # flushed with the conversation's other changes
    record_stored(uow, conversation, message)
    return message, True


async def add_system_message(
    uow: UnitOfWork, conversation: Conversation, text: str, meta: dict[str, Any] | None = None
) -> Message:
    message, _ = await store_message(
        uow,
        conversation,
        Message(
            conversation_id=conversation.id,
            sender="system",
            text=text,
            internal=False,
            meta=meta or {},
        ),
    )
    return message


async def add_bot_message(
    uow: UnitOfWork,
    conversation: Conversation,
    *,
    text: str,
    suggestions: list[str] | None = None,
    meta: dict[str, Any] | None = None,
    message_id: uuid.UUID | None = None,
) -> Message:
    """Store the AI's finished answer (``message_id`` matches the ids used while streaming)."""
    message = Message(
        conversation_id=conversation.id,
        sender="bot",
        text=text,
        internal=False,
        suggestions=list(suggestions or [])[:3],
        meta=meta or {},
        author_name=AI.name,
    )
    if message_id is not None:
        message.id = message_id
    stored, _ = await store_message(uow, conversation, message)
    return stored


def agent_message(
    conversation: Conversation, actor: Actor, *, text: str, client_id: str | None, internal: bool
) -> Message:
    return Message(
        conversation_id=conversation.id,
        sender="agent",
        text=text,
        client_id=client_id,
        internal=internal,
        author_id=actor.id if actor.kind == "agent" else None,
        author_name=actor.name,
    )
