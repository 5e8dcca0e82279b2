"""Data keys (wrapped by the master key) and the blind index of messages and visitors."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, utcnow


class DataKey(Base):
    """A data key (``purpose`` data: seals columns; search: keys the blind index), stored
    wrapped by the master key whose fingerprint it carries."""

    __tablename__ = "data_keys"
    __table_args__ = (
        # one active key per purpose: two processes creating the first keys agree on one
        Index(
            "ix_data_keys_active_purpose",
            "purpose",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))  # data | search
    wrapped: Mapped[str] = mapped_column(String(200))  # base64url(nonce | sealed key | tag)
    master_fingerprint: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rewrapped_at: Mapped[datetime | None] = mapped_column(default=None)


class MessageToken(Base):
    """One row per distinct word (and word prefix) of a message: HMAC under the search key."""

    __tablename__ = "message_tokens"
    __table_args__ = (Index("ix_message_tokens_message_id", "message_id"),)

    token: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )


class VisitorToken(Base):
    """The same for a visitor's name and email."""

    __tablename__ = "visitor_tokens"
    __table_args__ = (Index("ix_visitor_tokens_visitor_id", "visitor_id"),)

    token: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    visitor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("visitors.id", ondelete="CASCADE"), primary_key=True
    )


from baton.keys import search_index  # noqa: E402,F401  (indexes every flush of the ORM)
