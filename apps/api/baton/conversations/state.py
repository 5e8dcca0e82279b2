"""The conversation state machine: every transition is validated and recorded here.

bot -> waiting -> agent -> resolved, agent -> bot (release), and the few other moves a real
inbox needs (an agent hands a conversation back to the queue, a visitor reopens a resolved
one). Transitions are compare-and-set on the current status, so two agents taking over at
once cannot both win.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from baton.auth.principal import Principal
from baton.conversations.events import ConversationChanged, StatusChanged
from baton.conversations.models import Conversation, ConversationEvent
from baton.db.base import utcnow
from baton.kit.errors import Conflict
from baton.kit.uow import UnitOfWork

STATUSES = ("bot", "waiting", "agent", "resolved")
OPEN_STATUSES = ("bot", "waiting", "agent")

TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("bot", "waiting"),
        ("bot", "agent"),
        ("bot", "resolved"),
        ("waiting", "agent"),
        ("waiting", "bot"),
        ("waiting", "resolved"),
        ("agent", "agent"),  # reassigned to another agent
        ("agent", "bot"),
        ("agent", "waiting"),
        ("agent", "resolved"),
        ("resolved", "bot"),
        ("resolved", "waiting"),
        ("resolved", "agent"),  # an email ticket reopens with its owner (tickets domain)
    }
)

ActorKind = Literal["visitor", "agent", "ai", "api_key", "system"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: uuid.UUID | None = None
    name: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls("agent" if principal.kind == "user" else "api_key", principal.id, principal.name)


VISITOR = Actor("visitor")
AI = Actor("ai", name="AI assistant")
SYSTEM = Actor("system", name="Baton")

_KEEP: Any = object()


def check_transition(current: str, target: str) -> None:
    if (current, target) not in TRANSITIONS:
        raise Conflict(
            f"a conversation cannot go from {current} to {target}", code="invalid_transition"
        )


async def transition(
    uow: UnitOfWork,
    conversation: Conversation,
    target: str,
    actor: Actor,
    *,
    reason: str | None = None,
    assignee_id: uuid.UUID | None = _KEEP,
) -> Conversation:
    """Move ``conversation`` to ``target`` (validated, compare-and-set, recorded)."""
    current = conversation.status
    check_transition(current, target)
    now = utcnow()
    # a priority orders the queue: every entry into it starts normal (lifecycle assesses the
    # visitor's mood at once) and leaving it clears it
    values: dict[str, Any] = {
        "status": target,
        "updated_at": now,
        "priority": 0,
        "priority_reason": None,
    }
    if target == "waiting":
        values.update(
            waiting_since=now,
            handoff_reason=reason,
            offered_to_id=None,
            offered_at=None,
            assignee_id=None,
            resolved_at=None,
        )
    elif target == "agent":
        values.update(waiting_since=None, offered_to_id=None, offered_at=None, resolved_at=None)
    elif target == "bot":
        values.update(
            waiting_since=None,
            handoff_reason=None,
            assignee_id=None,
            offered_to_id=None,
            offered_at=None,
            resolved_at=None,
            ai_miss_streak=0,
        )
    elif target == "resolved":
        values.update(waiting_since=None, offered_to_id=None, offered_at=None, resolved_at=now)
    if assignee_id is not _KEEP:
        values["assignee_id"] = assignee_id
    result = await uow.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.status == current)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "the conversation changed at the same time; reload it", code="invalid_transition"
        )
    for key, value in values.items():  # what the UPDATE wrote; no second UPDATE on flush
        set_committed_value(conversation, key, value)
    uow.forget_queue()
    uow.keep(conversation)
    uow.record(
        StatusChanged(
            conversation.id,
            from_status=current,
            to_status=target,
            actor_kind=actor.kind,
            actor_id=actor.id,
            reason=reason,
            assignee_id=conversation.assignee_id,
        )
    )
    uow.record(ConversationChanged(conversation.id, status_changed=True, broadcast=True))
    uow.session.add(
        ConversationEvent(
            conversation_id=conversation.id,
            from_status=current,
            to_status=target,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_name=actor.name,
            assignee_id=conversation.assignee_id,
            reason=reason,
            created_at=now,
        )
    )
    return conversation
