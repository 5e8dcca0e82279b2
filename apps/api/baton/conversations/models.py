from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, TimestampMixin, utcnow
from baton.kit.crypto import EncryptedText


class Conversation(IdMixin, TimestampMixin, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_status_updated", "status", "updated_at"),
        Index("ix_conversations_assignee_status", "assignee_id", "status"),
        # the queue: highest priority first, then the longest wait (conversations/priority.py)
        Index("ix_conversations_queue", "status", "priority", "waiting_since"),
    )

    visitor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("visitors.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="bot")
    # where the visitor writes from: widget | email | api (every channel shares one pipeline)
    channel: Mapped[str] = mapped_column(String(16), default="widget", server_default="widget")
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # who is being offered the conversation while it waits (round-robin assignment)
    offered_to_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    offered_at: Mapped[datetime | None] = mapped_column(default=None)
    waiting_since: Mapped[datetime | None] = mapped_column(default=None)
    handoff_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    last_message_at: Mapped[datetime | None] = mapped_column(default=None)
    last_message_text: Mapped[str | None] = mapped_column(
        EncryptedText("conversations.last_message_text"), default=None
    )
    last_message_sender: Mapped[str | None] = mapped_column(String(16), default=None)
    # consecutive AI replies that found no answer (a second one hands off)
    ai_miss_streak: Mapped[int] = mapped_column(Integer, default=0)
    follow_up_email: Mapped[str | None] = mapped_column(
        EncryptedText("conversations.follow_up_email"), default=None
    )
    # while waiting: 0 normal, 1 high, 2 urgent, raised from the visitor's sentiment
    # (conversations/priority.py); back to 0 whenever the conversation leaves the queue
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    priority_reason: Mapped[str | None] = mapped_column(String(64), default=None)


class Message(IdMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (
        # a client_id is stored once per conversation: resends return the stored message
        UniqueConstraint("conversation_id", "client_id"),
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        # analytics and exports read messages by time (rollups, the live stretch, windows)
        Index("ix_messages_created_at", "created_at"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    sender: Mapped[str] = mapped_column(String(16))  # visitor | bot | agent | system
    text: Mapped[str] = mapped_column(EncryptedText("messages.text"))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    client_id: Mapped[str | None] = mapped_column(String(100), default=None)
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    author_name: Mapped[str | None] = mapped_column(String(120), default=None)
    suggestions: Mapped[list[str]] = mapped_column(JSON, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationEvent(IdMixin, Base):
    """Every status change: from, to, who caused it, why, when."""

    __tablename__ = "conversation_events"
    # the analytics job finds the conversations with new status moves since its watermark
    __table_args__ = (Index("ix_conversation_events_created_at", "created_at"),)

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_kind: Mapped[str] = mapped_column(String(16))  # visitor | agent | ai | api_key | system
    actor_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_name: Mapped[str | None] = mapped_column(String(120), default=None)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    reason: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentRotation(Base):
    """When each agent was last offered a waiting conversation (round-robin order)."""

    __tablename__ = "agent_rotation"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_offered_at: Mapped[datetime] = mapped_column(default=utcnow)
