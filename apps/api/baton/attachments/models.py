"""One uploaded file: who sent it, in which conversation, what it really is, where it lives."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, utcnow


class Attachment(IdMixin, Base):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_unattached", "message_id", "created_at"),)

    owner_kind: Mapped[str] = mapped_column(String(16))  # visitor | user | api_key
    # the visitor or the user / API key that uploaded it (no foreign key: an API key's id)
    owner_id: Mapped[uuid.UUID] = mapped_column()
    # SET NULL, not CASCADE: the sweep still knows the stored objects to delete once the
    # conversation (or its message) is gone
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    storage_key: Mapped[str] = mapped_column(String(300))
    thumbnail_key: Mapped[str | None] = mapped_column(String(300), default=None)
    scan_status: Mapped[str] = mapped_column(String(16))  # skipped | clean
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
