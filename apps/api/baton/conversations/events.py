"""What happens to conversations, as typed domain events (see ``baton.kit.events``).

Services record these on the unit of work; listeners in each domain react after the commit
(``conversations.listeners`` turns them into socket emissions, ``ai.listeners`` answers
visitors, and later webhooks, analytics and email listen to the same events).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import ClassVar

from baton.conversations.schemas import ConversationOut, MessageOut
from baton.kit.events import DomainEvent


@dataclass(frozen=True)
class MessageCreated(DomainEvent):
    """A message was stored (not sent again for a resend of the same ``client_id``)."""

    name: ClassVar[str] = "conversations.message_created"
    message: MessageOut
    channel: str
    status: str  # the conversation's status once the message is stored
    assignee_id: uuid.UUID | None


@dataclass(frozen=True)
class ConversationOpened(DomainEvent):
    """A new conversation, whichever channel it came through."""

    name: ClassVar[str] = "conversations.opened"
    conversation_id: uuid.UUID
    visitor_id: uuid.UUID
    channel: str
    status: str


@dataclass(frozen=True)
class VisitorMessageReceived(DomainEvent):
    """A visitor's new message went through the inbound rules (any channel).

    ``handed_off``: the message asked for a person and queued the conversation; the queue
    message answers it. Otherwise the AI answers when the conversation is still its own
    (``status`` bot, or waiting with "AI while waiting" on).
    """

    name: ClassVar[str] = "conversations.visitor_message_received"
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    channel: str
    status: str
    handed_off: bool


@dataclass(frozen=True)
class ConversationChanged(DomainEvent):
    """The conversation's row changed: status, owner, last message, visitor details.

    ``broadcast``: every agent must hear of it (a change of status or owner moves it between
    inbox tabs). ``view`` is filled just before commit, once per conversation.
    """

    name: ClassVar[str] = "conversations.changed"
    conversation_id: uuid.UUID
    status_changed: bool = False
    broadcast: bool = False
    view: ConversationOut | None = None

    def coalesce_key(self) -> object:
        return ("conversation_changed", self.conversation_id)

    def merge(self, later: DomainEvent) -> DomainEvent:
        assert isinstance(later, ConversationChanged)
        return replace(
            later,
            status_changed=self.status_changed or later.status_changed,
            broadcast=self.broadcast or later.broadcast,
        )


@dataclass(frozen=True)
class StatusChanged(DomainEvent):
    """One recorded transition of the state machine."""

    name: ClassVar[str] = "conversations.status_changed"
    conversation_id: uuid.UUID
    from_status: str
    to_status: str
    actor_kind: str
    actor_id: uuid.UUID | None
    reason: str | None
    assignee_id: uuid.UUID | None


@dataclass(frozen=True)
class HandoffRequested(DomainEvent):
    """The conversation entered the queue for a human."""

    name: ClassVar[str] = "conversations.handoff_requested"
    conversation_id: uuid.UUID
    reason: str
    preview: str


@dataclass(frozen=True)
class ConversationAssigned(DomainEvent):
    """A person owns the conversation now (take-over, assignment, reassignment)."""

    name: ClassVar[str] = "conversations.assigned"
    conversation_id: uuid.UUID
    assignee_id: uuid.UUID | None
    by_id: uuid.UUID | None
    reason: str


@dataclass(frozen=True)
class ConversationResolved(DomainEvent):
    name: ClassVar[str] = "conversations.resolved"
    conversation_id: uuid.UUID
    reason: str
    actor_kind: str


@dataclass(frozen=True)
class ConversationOffered(DomainEvent):
    """Round-robin offered a waiting conversation to one agent."""

    name: ClassVar[str] = "conversations.offered"
    conversation_id: uuid.UUID
    agent_id: uuid.UUID
    preview: str


@dataclass(frozen=True)
class QueueChanged(DomainEvent):
    """Someone joined or left the queue: every waiting visitor learns their new place.
    ``positions`` is filled just before commit, once per unit of work."""

    name: ClassVar[str] = "conversations.queue_changed"
    positions: tuple[tuple[uuid.UUID, int], ...] = ()

    def coalesce_key(self) -> object:
        return "queue_changed"
