"""Visitors and their widget sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, TimestampMixin, utcnow
from baton.kit.crypto import EncryptedText


class Visitor(IdMixin, TimestampMixin, Base):
    __tablename__ = "visitors"

    name: Mapped[str | None] = mapped_column(EncryptedText("visitors.name"), default=None)
    email: Mapped[str | None] = mapped_column(EncryptedText("visitors.email"), default=None)
    page_url: Mapped[str | None] = mapped_column(EncryptedText("visitors.page_url"), default=None)
    page_title: Mapped[str | None] = mapped_column(
        EncryptedText("visitors.page_title"), default=None
    )
    referrer: Mapped[str | None] = mapped_column(EncryptedText("visitors.referrer"), default=None)
    # the site's own user id, set only when the site proved it (identity verification)
    external_id: Mapped[str | None] = mapped_column(String(200), default=None, unique=True)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    locale: Mapped[str | None] = mapped_column(String(32), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(512), default=None)


class VisitorSession(IdMixin, Base):
    """A widget session: the token (stored hashed) resumes it until it idles out."""

    __tablename__ = "visitor_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    visitor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    end_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    connected: Mapped[int] = mapped_column(Integer, default=0)  # open sockets, for live visitors


class IdentitySecret(IdMixin, Base):
    """The workspace's identity-verification secret, sealed under the master key."""

    __tablename__ = "identity_secrets"

    sealed: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
