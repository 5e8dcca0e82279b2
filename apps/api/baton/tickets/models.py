from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, TimestampMixin


class Ticket(IdMixin, TimestampMixin, Base):
    """A request answered by email. Its thread is the messages of ``conversation`` (channel
    ``email``), so a customer's reply goes through the same inbound rules as any message.

    Status: open (waiting for us) -> pending (we answered, waiting for them) -> resolved; a
    customer's reply reopens it. ``reply_token`` is secret: it is in the Reply-To address and
    the Message-IDs of our mail, and threads the customer's answers back here."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_status_updated", "status", "updated_at"),)

    number: Mapped[int] = mapped_column(Integer, unique=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    # the widget conversation it came from (offline form, an agent's conversion)
    source_conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), default=None
    )
    source: Mapped[str] = mapped_column(String(16))  # form | email | agent
    requester_name: Mapped[str | None] = mapped_column(String(120), default=None)
    requester_email: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="open")
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    reply_token: Mapped[str] = mapped_column(String(64), unique=True)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    last_message_at: Mapped[datetime | None] = mapped_column(default=None)
