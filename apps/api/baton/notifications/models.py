"""Notifications: one stored alert per recipient, and each person's preferences."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, utcnow
from baton.kit.crypto import EncryptedText


class Notification(IdMixin, Base):
    """One alert for one person: a visitor waiting, an offer, an assignment, a mention, a
    visitor's message in a conversation they own (later: tickets). ``read_at`` None = unread."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at", "id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), default=None, index=True
    )
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    text: Mapped[str] = mapped_column(EncryptedText("notifications.text"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)


class NotificationPreference(Base):
    """What one person wants: a sound, a browser notification, and which kinds to keep."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sound: Mapped[bool] = mapped_column(Boolean, default=True)
    browser: Mapped[bool] = mapped_column(Boolean, default=False)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
