"""The conversation's life: queued for a human, taken over, assigned, released, resolved.

Every move goes through the state machine (``state.transition``) and records its events;
socket emissions, AI replies and notifications are listeners of those events.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from baton.auth.permissions import Permission, permissions_for_role
from baton.conversations import assignment, queries
from baton.conversations.events import (
    ConversationAssigned,
    ConversationChanged,
    ConversationResolved,
    HandoffRequested,
    QueueChanged,
)
from baton.conversations.messages import add_system_message
from baton.conversations.models import Conversation
from baton.conversations.state import Actor, transition
from baton.db.base import utcnow
from baton.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from baton.kit.uow import UnitOfWork
from baton.users.models import User
from baton.workspace.service import get_config


@dataclass(frozen=True)
class HandoffResult:
    status: str
    queue_position: int | None
    agents_online: bool


async def request_handoff(
    uow: UnitOfWork, conversation: Conversation, actor: Actor, *, reason: str
) -> HandoffResult:
    """Queue the conversation for a human. Idempotent while waiting."""
    if conversation.status == "agent":
        if actor.kind == "visitor":
            return HandoffResult("agent", None, True)
        raise Conflict("a person already owns this conversation", code="already_with_agent")
    if conversation.status == "waiting":
        position = await queries.queue_position_in(uow, conversation)
        return HandoffResult("waiting", position, bool(await assignment.online_agents(uow)))
    await transition(uow, conversation, "waiting", actor, reason=reason)
    position = await queries.queue_position_in(uow, conversation) or 1
    agents = await assignment.online_agents(uow)
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
    preview = conversation.last_message_text or "A visitor is waiting"
    uow.record(HandoffRequested(conversation.id, reason=reason, preview=preview))
    # offer first: the offer and the queue message then reach the row in one UPDATE
    await assignment.offer_next(uow, conversation, agents=agents)
    await add_system_message(
        uow,
        conversation,
        text,
        {"kind": "queued", "queue_position": position, "agents_online": bool(agents)},
    )
    return HandoffResult("waiting", position, bool(agents))


async def become_agent(
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
    uow.record(ConversationAssigned(conversation.id, assignee_id, actor.id, reason))
    if left_queue:
        uow.record(QueueChanged())


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
    await become_agent(uow, conversation, actor, assignee_id=actor.id, reason="take_over")
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
        uow.record(ConversationChanged(conversation.id, broadcast=True))
        uow.record(ConversationAssigned(conversation.id, agent.id, actor.id, "reassigned"))
    else:
        await become_agent(uow, conversation, actor, assignee_id=agent.id, reason="assigned")
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
    uow.record(ConversationResolved(conversation.id, reason=reason, actor_kind=actor.kind))
    if was_waiting:
        uow.record(QueueChanged())
    return conversation


async def reopen(uow: UnitOfWork, conversation: Conversation, actor: Actor) -> None:
    """A visitor writing to (or asking for a person in) a resolved conversation reopens it:
    with the agent who resolved it when they come back soon (``reopen_with_agent_minutes``)
    and that agent is online, so the follow-up reaches the person who knows the case;
    otherwise with the AI."""
    if conversation.status != "resolved":
        return
    owner = await _returning_owner(uow, conversation)
    if owner is None:
        await transition(uow, conversation, "bot", actor, reason="visitor_returned")
        return
    await transition(uow, conversation, "agent", actor, reason="visitor_returned")
    await add_system_message(
        uow,
        conversation,
        f"{owner.name or 'Your agent'} is back in this conversation",
        {"kind": "reopened"},
    )
    uow.record(ConversationAssigned(conversation.id, owner.id, None, "reopened"))


async def _returning_owner(uow: UnitOfWork, conversation: Conversation) -> User | None:
    minutes = (await get_config(uow.session)).reopen_with_agent_minutes
    resolved_at = conversation.resolved_at
    if not minutes or conversation.assignee_id is None or resolved_at is None:
        return None
    if resolved_at < utcnow() - timedelta(minutes=minutes):
        return None
    online = await assignment.online_agents(uow)
    return next((u for u in online if u.id == conversation.assignee_id), None)
