"""Conversation rules: messages (idempotent by client_id), handoff, take-over, release, resolve.

Services flush, never commit. Every change buffers its events on the unit of work through
``recipients``; they leave only after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update

from baton.auth.permissions import Permission, permissions_for_role
from baton.conversations import queries, recipients
from baton.conversations.models import Conversation, Message
from baton.conversations.recipients import Emission
from baton.conversations.schemas import MessageOut
from baton.conversations.state import AI, Actor, transition
from baton.db.base import utcnow
from baton.db.upsert import insert_unless_exists
from baton.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from baton.kit.ids import uuid7
from baton.kit.uow import UnitOfWork
from baton.users.models import User
from baton.workspace.service import get_config

PREVIEW_CHARS = 300


def emit(uow: UnitOfWork, emissions: Iterable[Emission]) -> None:
    for e in emissions:
        uow.publish(e.event, e.payload, rooms=e.rooms, namespace=e.namespace)


def check_text(uow: UnitOfWork, text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationFailed("message text must not be empty", code="empty_message")
    limit = uow.runtime.settings.max_message_chars
    if len(text) > limit:
        raise ValidationFailed(
            f"message text is longer than {limit} characters", code="message_too_long"
        )
    return text


def check_client_id(client_id: Any) -> str:
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > 100:
        raise ValidationFailed("client_id is required (1-100 characters)", code="invalid_client_id")
    return client_id.strip()


async def publish_conversation(
    uow: UnitOfWork,
    conversation: Conversation,
    *,
    status_changed: bool,
    broadcast: bool | None = None,
) -> None:
    """``broadcast``: every agent must hear of it (defaults to ``status_changed``)."""
    view = await queries.view(uow.session, conversation)
    emit(
        uow,
        recipients.conversation_emissions(view, status_changed=status_changed, broadcast=broadcast),
    )


async def _existing(uow: UnitOfWork, conversation_id: uuid.UUID, client_id: str) -> Message | None:
    return await uow.session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.client_id == client_id
        )
    )


async def _store_message(
    uow: UnitOfWork, conversation: Conversation, message: Message
) -> tuple[Message, bool]:
    """Insert once per client_id. Returns (message, created); a resend returns the stored one."""
    if message.client_id is not None:
        values = {c.key: getattr(message, c.key) for c in Message.__table__.columns}
        values.update(
            id=values["id"] or uuid7(),
            created_at=values["created_at"] or utcnow(),
            internal=bool(values["internal"]),
            suggestions=values["suggestions"] or [],
            meta=values["meta"] or {},
        )
        if not await insert_unless_exists(uow.session, Message, values):
            found = await _existing(uow, conversation.id, message.client_id)  # a resend
            assert found is not None
            return found, False
        message = Message(**values)  # what was stored; no need to read it back
    else:
        uow.session.add(message)
        await uow.session.flush()
    if not message.internal:
        conversation.last_message_at = message.created_at
        conversation.last_message_text = message.text[:PREVIEW_CHARS]
        conversation.last_message_sender = message.sender
    conversation.updated_at = utcnow()
    await uow.session.flush()
    emit(uow, recipients.message_emissions(MessageOut.of(message), conversation.assignee_id))
    return message, True


async def add_visitor_message(
    uow: UnitOfWork, conversation: Conversation, *, text: str, client_id: str
) -> tuple[Message, bool]:
    text, client_id = check_text(uow, text), check_client_id(client_id)
    message, created = await _store_message(
        uow,
        conversation,
        Message(conversation_id=conversation.id, sender="visitor", text=text, client_id=client_id),
    )
    if created:
        if conversation.status == "resolved":  # a visitor writing again reopens it with the AI
            await transition(uow, conversation, "bot", Actor("visitor"), reason="visitor_returned")
            await publish_conversation(uow, conversation, status_changed=True)
        else:
            await publish_conversation(uow, conversation, status_changed=False)
        if conversation.status == "agent" and conversation.assignee_id is not None:
            emit(
                uow,
                [
                    recipients.notification_emission(
                        [conversation.assignee_id], "message", conversation.id, text
                    )
                ],
            )
    return message, created


async def add_agent_message(
    uow: UnitOfWork,
    conversation: Conversation,
    actor: Actor,
    *,
    text: str,
    client_id: str | None,
    internal: bool = False,
) -> tuple[Message, bool]:
    text = check_text(uow, text)
    if client_id is not None or not internal:
        client_id = check_client_id(client_id)
    if conversation.status == "resolved" and not internal:
        raise Conflict(
            "the conversation is resolved; the visitor has left", code="conversation_resolved"
        )
    if not internal:
        existing = await _existing(uow, conversation.id, client_id) if client_id else None
        if existing is not None:
            return existing, False
        if conversation.status in ("bot", "waiting"):
            # replying is taking over: while a human owns it the AI stays silent
            if actor.kind == "agent":
                await take_over(uow, conversation, actor)
            else:
                await _become_agent(uow, conversation, actor, assignee_id=None, reason="api_reply")
    message, created = await _store_message(
        uow,
        conversation,
        Message(
            conversation_id=conversation.id,
            sender="agent",
            text=text,
            client_id=client_id,
            internal=internal,
            author_id=actor.id if actor.kind == "agent" else None,
            author_name=actor.name,
        ),
    )
    if created:
        await publish_conversation(uow, conversation, status_changed=False)
    return message, created


async def add_system_message(
    uow: UnitOfWork, conversation: Conversation, text: str, meta: dict[str, Any] | None = None
) -> Message:
    message, _ = await _store_message(
        uow,
        conversation,
        Message(conversation_id=conversation.id, sender="system", text=text, meta=meta or {}),
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
        suggestions=list(suggestions or [])[:3],
        meta=meta or {},
        author_name=AI.name,
    )
    if message_id is not None:
        message.id = message_id
    stored, _ = await _store_message(uow, conversation, message)
    await publish_conversation(uow, conversation, status_changed=False)
    return stored


async def online_agents(uow: UnitOfWork) -> list[User]:
    """Agents who chose "online" and have the inbox open right now."""
    rows = await uow.session.scalars(
        select(User)
        .where(User.presence == "online", User.is_active.is_(True), User.deleted_at.is_(None))
        .order_by(User.id)
    )
    candidates = [u for u in rows if Permission.CONVERSATIONS_REPLY in permissions_for_role(u.role)]
    connected = await uow.runtime.connections.which_connected(u.id for u in candidates)
    return [u for u in candidates if u.id in connected]


async def publish_queue(uow: UnitOfWork) -> None:
    """Tell every waiting visitor their (new) place in the queue."""
    for position, cid in enumerate(await queries.waiting_queue(uow.session), start=1):
        emit(uow, [recipients.queue_position_emission(cid, position)])


async def request_handoff(
    uow: UnitOfWork, conversation: Conversation, actor: Actor, *, reason: str
) -> dict[str, Any]:
    """Queue the conversation for a human. Idempotent while waiting."""
    if conversation.status == "agent":
        if actor.kind == "visitor":
            return {"status": "agent", "queue_position": None, "agents_online": True}
        raise Conflict("a person already owns this conversation", code="already_with_agent")
    if conversation.status == "waiting":
        position = await queries.queue_position(uow.session, conversation)
        return {
            "status": "waiting",
            "queue_position": position,
            "agents_online": bool(await online_agents(uow)),
        }
    await transition(uow, conversation, "waiting", actor, reason=reason)
    position = await queries.queue_position(uow.session, conversation) or 1
    agents = await online_agents(uow)
    if agents:
        text = (
            f"You are number {position} in the queue. A person will be with you shortly."
            if position > 1
            else "You are next in the queue. A person will be with you shortly."
        )
    else:
        text = (
            "No one from the team is online right now. The assistant will keep helping you, "
            "and a person will pick this up as soon as someone is available."
        )
    await add_system_message(
        uow, conversation, text, {"kind": "queued", "queue_position": position}
    )
    await publish_conversation(uow, conversation, status_changed=True)
    emit(
        uow,
        [
            recipients.notification_emission(
                None,
                "waiting",
                conversation.id,
                conversation.last_message_text or "A visitor is waiting",
            )
        ],
    )
    from baton.conversations.assignment import offer_next

    await offer_next(uow, conversation)
    return {"status": "waiting", "queue_position": position, "agents_online": bool(agents)}


async def _become_agent(
    uow: UnitOfWork,
    conversation: Conversation,
    actor: Actor,
    *,
    assignee_id: uuid.UUID | None,
    reason: str,
) -> None:
    left_queue = conversation.status == "waiting"
    await transition(uow, conversation, "agent", actor, reason=reason, assignee_id=assignee_id)
    name = actor.name or "An agent"
    if assignee_id is not None and assignee_id != actor.id:
        assignee = await uow.session.get(User, assignee_id)
        name = assignee.name if assignee else name
    await add_system_message(
        uow, conversation, f"{name} joined the conversation", {"kind": "joined"}
    )
    await publish_conversation(uow, conversation, status_changed=True)
    if left_queue:
        await publish_queue(uow)


async def take_over(uow: UnitOfWork, conversation: Conversation, actor: Actor) -> Conversation:
    if actor.kind != "agent" or actor.id is None:
        raise Forbidden(
            "only a signed-in agent can take over; integrators use assign", code="forbidden"
        )
    if conversation.status == "agent":
        if conversation.assignee_id == actor.id:
            return conversation
        raise Conflict("another agent already owns this conversation", code="already_assigned")
    if conversation.status == "resolved":
        raise Conflict("the conversation is resolved", code="invalid_transition")
    await _become_agent(uow, conversation, actor, assignee_id=actor.id, reason="take_over")
    return conversation


async def assign(
    uow: UnitOfWork, conversation: Conversation, actor: Actor, agent_id: uuid.UUID
) -> Conversation:
    agent = await uow.session.get(User, agent_id)
    if agent is None or agent.deleted_at is not None or not agent.is_active:
        raise NotFound("no such agent")
    if Permission.CONVERSATIONS_REPLY not in permissions_for_role(agent.role):
        raise ValidationFailed("that user cannot answer conversations")
    if conversation.status == "resolved":
        raise Conflict("the conversation is resolved", code="invalid_transition")
    if conversation.status == "agent":
        if conversation.assignee_id == agent.id:
            return conversation
        await transition(
            uow, conversation, "agent", actor, reason="reassigned", assignee_id=agent.id
        )
        await add_system_message(
            uow, conversation, f"{agent.name} joined the conversation", {"kind": "joined"}
        )
        # a new owner: the previous one's "Mine" must drop it, so tell everyone
        await publish_conversation(uow, conversation, status_changed=False, broadcast=True)
    else:
        await _become_agent(uow, conversation, actor, assignee_id=agent.id, reason="assigned")
    emit(
        uow,
        [
            recipients.notification_emission(
                [agent.id], "assigned", conversation.id, "A conversation was assigned to you"
            )
        ],
    )
    return conversation


async def release(
    uow: UnitOfWork, conversation: Conversation, actor: Actor, *, may_release_others: bool
) -> Conversation:
    if conversation.status != "agent":
        raise Conflict(
            f"only a conversation with an agent can be released (it is {conversation.status})",
            code="invalid_transition",
        )
    if conversation.assignee_id not in (None, actor.id) and not may_release_others:
        raise Forbidden("only the assigned agent (or an admin) can release this conversation")
    name = actor.name or "The agent"
    await transition(uow, conversation, "bot", actor, reason="released")
    await add_system_message(
        uow,
        conversation,
        f"{name} handed the conversation back to the assistant",
        {"kind": "released"},
    )
    await publish_conversation(uow, conversation, status_changed=True)
    return conversation


async def resolve(
    uow: UnitOfWork, conversation: Conversation, actor: Actor, *, reason: str = "resolved"
) -> Conversation:
    if conversation.status == "resolved":
        return conversation
    was_waiting = conversation.status == "waiting"
    await transition(uow, conversation, "resolved", actor, reason=reason)
    text = (
        "This conversation was closed after a period of inactivity."
        if reason == "inactive"
        else "This conversation has been resolved."
    )
    await add_system_message(uow, conversation, text, {"kind": "resolved"})
    await publish_conversation(uow, conversation, status_changed=True)
    if was_waiting:
        await publish_queue(uow)
    return conversation


async def record_ai_outcome(uow: UnitOfWork, conversation: Conversation, *, answered: bool) -> int:
    """Track consecutive no-answers; the AI layer hands off on the second one."""
    if answered:
        values: dict[str, Any] = {"ai_miss_streak": 0}
    else:
        values = {"ai_miss_streak": Conversation.ai_miss_streak + 1}
    await uow.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    streak = await uow.session.scalar(
        select(Conversation.ai_miss_streak).where(Conversation.id == conversation.id)
    )
    conversation.ai_miss_streak = int(streak or 0)
    return conversation.ai_miss_streak


async def ai_handoff(uow: UnitOfWork, conversation: Conversation, *, reason: str) -> dict[str, Any]:
    """The hook the AI layer calls when it decides a person should take over."""
    if conversation.status != "bot":
        return {
            "status": conversation.status,
            "queue_position": await queries.queue_position(uow.session, conversation),
        }
    return await request_handoff(uow, conversation, AI, reason=reason)


async def ai_may_answer(uow: UnitOfWork, conversation: Conversation) -> bool:
    if conversation.status == "bot":
        return True
    if conversation.status == "waiting":
        return (await get_config(uow.session)).ai_while_waiting
    return False


async def open_count(uow: UnitOfWork, user_id: uuid.UUID) -> int:
    return int(
        await uow.session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.assignee_id == user_id, Conversation.status == "agent")
        )
        or 0
    )
